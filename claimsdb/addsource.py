"""`claimsdb add-source TEXTFILE`: archive a text and write its source file.

The text is copied byte for byte to claims/sources/<id>.txt and pinned by its
SHA-256 in a new claims/<id>.yml with the metadata given as options and an
empty claim list. The options are checked by the Source model itself (through
the file that would be written, so every message names its line), and the
publisher and credited agent against agents.yml. Nothing is overwritten, and
nothing is written when anything is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydantic

from . import quotes
from .load import display_path, problems_for_errors, read_file, suggest
from .model import AgentsFile, Source
from .problems import Problem, ProblemsFound
from .yamlfile import parse_yaml, scalar

FIELDS = ["id", "title", "url", "publisher", "credited_to", "published", "language"]
TITLE_WORDS = 6
TITLE_STOP_WORDS = {"a", "an", "the", "of", "on", "in", "to", "for", "and", "or", "at", "by", "with", "from", "as", "is", "are"}


def derived_id(publisher: str | None, published: str | None, title: str | None) -> str | None:
    """publisher-date-words-of-the-title: the publisher's id, the date, and
    the first six words of the title that are not articles or prepositions."""
    if not publisher or not title:
        return None
    words = [w for w in re.findall(r"[a-z0-9]+", title.lower().replace("’", "").replace("'", "")) if w not in TITLE_STOP_WORDS][:TITLE_WORDS]
    return "-".join([publisher, *([published] if published else []), *words])[:120].strip("-")


def source_yaml(metadata: dict) -> str:
    lines = ["# yaml-language-server: $schema=../schema/source.schema.json"]
    lines += [f"{key}: {scalar(value)}" for key, value in metadata.items() if value is not None]
    lines.append("claims: []")
    return "\n".join(lines) + "\n"


def option_problems(problems: list[Problem]) -> list[Problem]:
    """The model's messages, with the option to correct named."""
    fixed = []
    for problem in problems:
        field = re.search(r"`(\w+)`", problem.message)
        option = f"--{field[1].replace('_', '-')}" if field and field[1] in FIELDS else None
        fix = problem.fix
        if problem.message.startswith("missing field") and option:
            fix = f"give {option}" + fix.split("`", 2)[-1].removeprefix(":")
        elif option:
            fix = f"{fix} (option {option})"
        fixed.append(Problem(problem.path, problem.line, problem.message, fix))
    return fixed


def known_agents(claims_dir: Path, problems: list[Problem]) -> set[str] | None:
    path = claims_dir / "agents.yml"
    if not path.is_file():
        problems.append(Problem(display_path(path), 1, "agents.yml is missing", "create claims/agents.yml (see README)"))
        return None
    found: list[Problem] = []
    parsed = read_file(path, found, claims_dir)
    if parsed is not None:
        from .load import validate

        agents = validate(parsed, AgentsFile, display_path(path), found)
        if agents is not None:
            return {agent.id for agent in agents.agents}
    problems += found
    return None


def add_source(text_path: Path, claims_dir: Path, options: dict) -> tuple[Path, Path, str]:
    """Archive the text and write the source file; (yml, archive, sha256).
    Raises ProblemsFound with every problem, having written nothing."""
    problems: list[Problem] = []
    shown_text = display_path(text_path)
    if not text_path.is_file():
        raise ProblemsFound([Problem(shown_text, 1, "the text file does not exist", "give the path of the text to archive")])
    data = text_path.read_bytes()
    text, what, fix = quotes.decode_archive(data, shown_text)
    if text is None:
        problems.append(Problem(shown_text, 1, what, fix))
    sha = quotes.sha256_of(data)

    source_id = options.get("id") or derived_id(options.get("publisher"), options.get("published"), options.get("title"))
    if source_id is None:
        raise ProblemsFound(problems + [Problem(shown_text, 1, "no id for the source, and none can be derived without --publisher and --title", "give --id, or --publisher and --title")])
    yml = claims_dir / f"{source_id}.yml"
    archive = claims_dir / "sources" / f"{source_id}.txt"
    shown = display_path(yml)

    metadata = {key: options.get(key) for key in FIELDS}
    metadata["id"] = source_id
    metadata.update(archive=f"sources/{source_id}.txt", sha256=sha)
    parsed = parse_yaml(source_yaml(metadata))
    try:
        Source.model_validate(parsed.data)
    except pydantic.ValidationError as error:
        problems += option_problems(problems_for_errors(error.errors(include_url=False), parsed, Source, shown))

    agents = known_agents(claims_dir, problems)
    if agents is not None:
        for key in ("publisher", "credited_to"):
            value = options.get(key)
            if value and value not in agents:
                hint = suggest(value, agents)
                problems.append(Problem(shown, parsed.line_of((key,)), f"unknown agent `{value}`",
                                        (hint + " " if hint else "") + f"use an id from agents.yml or add the agent there (option --{key.replace('_', '-')})"))

    if yml.exists():
        problems.append(Problem(shown, 1, f"a source with the id `{source_id}` already exists", "choose another --id; add-source never overwrites a file"))
    if archive.exists():
        problems.append(Problem(display_path(archive), 1, f"an archive with the id `{source_id}` already exists", "choose another --id; add-source never overwrites a file"))
    for other in sorted((claims_dir / "sources").glob("*.txt")):
        if other != archive and quotes.sha256_of(other.read_bytes()) == sha:
            problems.append(Problem(shown_text, 1, f"this text is already archived as {display_path(other)} (SHA-256 {sha})",
                                    f"add its claims to claims/{other.stem}.yml instead of archiving it twice"))
    if problems:
        raise ProblemsFound(problems)
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(data)
    yml.write_text(source_yaml(metadata), encoding="utf-8")
    return yml, archive, sha
