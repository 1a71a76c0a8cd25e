"""`claimsdb add-source FILE...`: archive documents and write their source files.

A plain text is copied byte for byte to claims/sources/<id>.txt and pinned by
its SHA-256 in a new claims/<id>.yml with the metadata given as options and
an empty claim list. A saved page, a PDF or a web-archive capture is kept
byte for byte as claims/sources/originals/<id>.<extension>, pinned by its own
SHA-256, and its working text, extracted by claimsdb.originals, is archived
as the text; the extractor and its version are recorded beside it. Metadata
the original states about itself (its title, its canonical address, a
capture's target address and date) fills the options not given. The options are checked by the Source model itself (through
the file that would be written, so every message names its line), and the
publisher and credited agent against agents.yml. Nothing is overwritten, and
nothing is written when anything is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from . import originals, quotes
from .errors import agent_aliases, problems_for_errors, suggest
from .files import MAX_FILE_BYTES, Unreadable, display_path, read_original
from .load import read_file
from .model import AgentsFile, Source
from .problems import Problem, ProblemsFound
from .yamlfile import parse_yaml, scalar

FIELDS = ["id", "title", "url", "publisher", "credited_to", "host", "hosted", "published", "published_not_before", "published_not_after",
          "undated", "retrieved", "archived_url", "language"]
# Options that name one document: refused when several files are added at once.
ONE_DOCUMENT = ["id", "title", "url"]
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


def known_agents(claims_dir: Path, problems: list[Problem]) -> list | None:
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
            return agents.agents
    problems += found
    return None


@dataclass
class Prepared:
    """A document ready to be written: nothing is on disk yet."""

    yml: Path
    archive: Path
    text_bytes: bytes
    sha: str
    yaml_text: str
    original: Path | None = None
    original_bytes: bytes | None = None
    original_sha: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def working_text(path: Path, shown: str, options: dict, problems: list[Problem]) -> tuple[bytes | None, originals.Extraction | None, bytes | None]:
    """(bytes of the working text, the extraction, the original's bytes) of
    one file; None where it cannot be had, with the problem added."""
    format = originals.format_of(path.name)
    if format is None:
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem(shown, 1, f"the file cannot be read ({error.strerror})", "check that it is readable"))
            return None, None, None
        if len(data) > MAX_FILE_BYTES:
            problems.append(Problem(shown, 1, f"the text is {len(data):,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for an archived text", "archive a text of the document alone (README: Limits)"))
            return None, None, None
        return data, None, None
    try:
        data = read_original(path, shown)
        extraction = originals.extract(data, format, options.get("url"))
    except (Unreadable, originals.ExtractionFailed) as error:
        problems.append(Problem(shown, 1, error.what, error.fix))
        return None, None, None
    text_bytes = extraction.text.encode("utf-8")
    if len(text_bytes) > MAX_FILE_BYTES:
        problems.append(Problem(shown, 1, f"the working text extracted from it is {len(text_bytes):,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for an archived text",
                                "add the document in parts (one source per part), or raise MAX_FILE_BYTES in claimsdb/files.py (README: Limits)"))
        return None, None, None
    return text_bytes, extraction, data


def prepare_source(path: Path, claims_dir: Path, options: dict, taken: dict | None = None) -> Prepared:
    """Check one document and everything that would be written for it.
    Raises ProblemsFound with every problem; ``taken`` holds the ids and
    hashes of documents prepared before it in the same run."""
    taken = {} if taken is None else taken
    problems: list[Problem] = []
    shown_text = display_path(path)
    if not path.is_file():
        raise ProblemsFound([Problem(shown_text, 1, "the file does not exist" if not path.exists() else "not a regular file",
                                     "give the path of a text, saved page (.html), PDF or capture (.warc, .warc.gz, .wacz) to archive")])
    data, extraction, original_bytes = working_text(path, shown_text, options, problems)
    if data is None:  # without a text there is nothing more to check
        raise ProblemsFound(problems)
    text, what, fix = quotes.decode_archive(data, shown_text)
    if text is None:
        problems.append(Problem(shown_text, 1, what, fix))
    sha = quotes.sha256_of(data)
    options = dict(options)
    notes = []
    if extraction is not None:
        notes += extraction.notes
        # What the original says of itself fills what the editor did not give.
        for key, value, whence in (("title", extraction.title, "the title the document gives itself"),
                                   ("url", extraction.url, "the capture's target address" if extraction.format in ("warc", "wacz") else "the page's canonical address"),
                                   ("retrieved", extraction.retrieved, "the date of the capture's response record")):
            if value and not options.get(key):
                options[key] = value
                notes.append(f"{key}: {value} (from {whence})")

    source_id = options.get("id") or derived_id(options.get("publisher"), options.get("published"), options.get("title"))
    if source_id is None:
        raise ProblemsFound(problems + [Problem(shown_text, 1, "no id for the source, and none can be derived without --publisher and --title", "give --id, or --publisher and --title")])
    yml = claims_dir / f"{source_id}.yml"
    archive = claims_dir / "sources" / f"{source_id}.txt"
    shown = display_path(yml)
    original = claims_dir / "sources" / "originals" / f"{source_id}{originals.extension_of(path.name).lower()}" if extraction else None

    metadata = {key: options.get(key) for key in FIELDS}
    metadata["id"] = source_id
    metadata.update(archive=f"sources/{source_id}.txt", sha256=sha)
    original_sha = None
    if extraction is not None:
        original_sha = quotes.sha256_of(original_bytes)
        metadata.update(original=f"sources/originals/{original.name}", original_sha256=original_sha, original_format=extraction.format,
                        extractor=extraction.extractor, original_characters=extraction.original_characters, pages=extraction.pages)
    yaml_text = source_yaml(metadata)
    parsed = parse_yaml(yaml_text)
    try:
        Source.model_validate(parsed.data)
    except pydantic.ValidationError as error:
        problems += option_problems(problems_for_errors(error.errors(include_url=False), parsed, Source, shown))

    known = known_agents(claims_dir, problems)
    if known is not None:
        agents, aliases = {agent.id for agent in known}, agent_aliases(known)
        for key in ("publisher", "credited_to", "host"):
            given = options.get(key)
            for index, value in enumerate(given if isinstance(given, list) else [given]):
                if value and value not in agents:
                    hint = suggest(value, agents, aliases)
                    keys = (key, index) if isinstance(given, list) else (key,)
                    problems.append(Problem(shown, parsed.line_of(keys), f"unknown agent `{value}`",
                                            (hint + " " if hint else "") + f"use an id from agents.yml or add the agent there (option --{key.replace('_', '-')})"))

    never = "choose another --id; add-source never overwrites a file"
    if yml.exists():
        problems.append(Problem(shown, 1, f"a source with the id `{source_id}` already exists", never))
    if archive.exists():
        problems.append(Problem(display_path(archive), 1, f"an archive with the id `{source_id}` already exists", never))
    if original is not None and original.exists():
        problems.append(Problem(display_path(original), 1, f"an original with the id `{source_id}` already exists", never))
    if source_id in taken:
        problems.append(Problem(shown_text, 1, f"the id `{source_id}` is also derived for {taken[source_id]} in this run", "add the two files in separate runs with --id for each"))
    for other in sorted((claims_dir / "sources").glob("*.txt")):
        if other != archive and quotes.sha256_of(other.read_bytes()) == sha:
            problems.append(Problem(shown_text, 1, f"this text is already archived as {display_path(other)} (SHA-256 {sha})",
                                    f"add its claims to claims/{other.stem}.yml instead of archiving it twice"))
    if problems:
        raise ProblemsFound(problems)
    taken[source_id] = shown_text
    warnings = originals.cut_off_warnings(text, extraction.original_characters if extraction else None)
    return Prepared(yml, archive, data, sha, yaml_text, original, original_bytes, original_sha, warnings, notes)


def write_prepared(prepared: Prepared) -> None:
    prepared.archive.parent.mkdir(parents=True, exist_ok=True)
    if prepared.original is not None:
        prepared.original.parent.mkdir(parents=True, exist_ok=True)
        prepared.original.write_bytes(prepared.original_bytes)
    prepared.archive.write_bytes(prepared.text_bytes)
    prepared.yml.write_text(prepared.yaml_text, encoding="utf-8")


def add_sources(paths: list[Path], claims_dir: Path, options: dict) -> list[Prepared]:
    """Archive every document, or none: all are checked before any is written."""
    if len(paths) > 1:
        given = [f"--{key}" for key in ONE_DOCUMENT if options.get(key)]
        if given:
            raise ProblemsFound([Problem(display_path(paths[0]), 1, f"{', '.join(given)} names one document, but {len(paths)} files are given",
                                         "add the files one at a time to give these, or leave them out (taken from each document where it states them)")])
    problems, prepared, taken = [], [], {}
    for path in paths:
        try:
            prepared.append(prepare_source(path, claims_dir, options, taken))
        except ProblemsFound as found:
            problems += found.problems
    if problems:
        raise ProblemsFound(problems)
    for each in prepared:
        write_prepared(each)
    return prepared


def add_source(text_path: Path, claims_dir: Path, options: dict) -> tuple[Path, Path, str]:
    """Archive one document and write its source file; (yml, archive, sha256).
    Raises ProblemsFound with every problem, having written nothing."""
    [prepared] = add_sources([text_path], claims_dir, options)
    return prepared.yml, prepared.archive, prepared.sha
