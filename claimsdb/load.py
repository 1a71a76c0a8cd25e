"""Read and validate ``claims/`` into one corpus.

Every problem names ``file:line``, says what is wrong and what to do, and all
problems are collected before anything is reported.
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path
from typing import Callable, NamedTuple

import pydantic

from .cache import FileCache
from .checks import Known, check_file_references, check_quotes, check_references, check_repeated_rows, check_unique, known_ids, resolve_values
from .corpus import ClaimFile, Corpus, Located
from .errors import problems_for_errors
from .files import Unreadable, display_path, read_inside
from .model import (
    Claim,
    AgentsFile,
    MeasuresFile,
    SubjectsFile,
    Source,
)
from .parallel import ordered_map, resolve_jobs
from .problems import Problem, ProblemsFound
from .progress import Stages
from .relations import figure_entries, relate_claims
from .yamlfile import ParsedFile, parse_yaml

SHARED_FILES = {"agents.yml": AgentsFile, "subjects.yml": SubjectsFile, "measures.yml": MeasuresFile}


# Validating files ------------------------------------------------------------


def validate(parsed: ParsedFile, model, path: str, problems: list[Problem], data=None):
    try:
        return model.model_validate(parsed.data if data is None else data)
    except pydantic.ValidationError as exc:
        problems.extend(problems_for_errors(exc.errors(include_url=False), parsed, model, path))
        return None


CLAIM_ADAPTER = pydantic.TypeAdapter(Claim)
_FIELDS_SETS: dict = {}


def share_fields_set(model: pydantic.BaseModel) -> pydantic.BaseModel:
    """Give the model the one frozen copy of its set of given fields.

    Pydantic keeps a set of the fields given for every instance (for
    ``exclude_unset``): over half of a claim's memory. Claims with the same
    fields share one frozenset, which also refuses mutation; claims are never
    assigned to after validation."""
    fields = frozenset(model.__pydantic_fields_set__)
    object.__setattr__(model, "__pydantic_fields_set__", _FIELDS_SETS.setdefault(fields, fields))
    return model


def validate_source(parsed: ParsedFile, path: str, problems: list[Problem]) -> tuple[Source | None, list]:
    """The source and each of its claims separately, so one bad claim hides no
    other problem; an invalid claim is None in the list."""
    data = dict(parsed.data)
    raw_claims = data.pop("claims", [])
    source = validate(parsed, Source, path, problems, data=data)
    if not isinstance(raw_claims, list):
        problems.append(Problem(path, parsed.line_of(("claims",)), "`claims` should be a list (items starting with '- ')", "write each claim as a list item"))
        return None, []
    claims = []
    for index, raw in enumerate(raw_claims):
        try:
            claims.append(share_fields_set(CLAIM_ADAPTER.validate_python(raw)))
        except pydantic.ValidationError as exc:
            errors = [{**error, "loc": ("claims", index, *error["loc"])} for error in exc.errors(include_url=False)]
            problems.extend(problems_for_errors(errors, parsed, Source, path))
            claims.append(None)
    if source is not None:
        source.claims = claims
    return source, claims


def read_claims_file(path: Path, claims_dir: Path, problems: list[Problem]) -> bytes | None:
    """The bytes of a file of claims/, if it is one we may read (inside it, regular, within the limit)."""
    try:
        return read_inside(path, claims_dir.resolve(), display_path(claims_dir) + "/", "the file", "create it")
    except Unreadable as error:
        problems.append(Problem(display_path(path), 1, error.what, error.fix))
        return None


def read_file(path: Path, problems: list[Problem], claims_dir: Path, data: bytes | None = None) -> ParsedFile | None:
    """Parse one file of claims/ (``data``: its bytes, when already read)."""
    shown = display_path(path)
    if data is None:
        data = read_claims_file(path, claims_dir, problems)
        if data is None:
            return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        problems.append(Problem(shown, line, f"not UTF-8 (byte 0x{data[error.start]:02x} cannot be decoded)", "save the file as UTF-8"))
        return None
    parsed = parse_yaml(text)
    parsed.path = path
    for line, what, fix in parsed.errors:
        problems.append(Problem(shown, line, what, fix))
    if parsed.errors:
        return None
    if not isinstance(parsed.data, dict):
        problems.append(Problem(shown, 1, "the file is not a YAML mapping", "start it with its top-level keys (see README)"))
        return None
    return parsed


# Bidirectional control characters (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI,
# PDI) reorder what a reader sees. The pages isolate text in another script
# themselves, so editors' text needs none; the source's own words (quotes,
# not-a-claim texts, periods, figures and addressees as written, translations
# as published) may hold them, and are shown isolated.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The same in a file's bytes: as UTF-8, or as YAML escapes in a double-quoted scalar.
BIDI_BYTES = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\\(?:u|U0000)(?:202[a-eA-E]|206[6-9])")
SOURCE_WORDS = {"quote", "text", "period", "value", "addressed_to"}


def bidi_control_problems(parsed: ParsedFile, data: bytes, shown: str) -> list[Problem]:
    """One problem per editor-written value holding a bidirectional control
    character. The file's bytes are searched first, so a file without any
    costs one regular-expression scan."""
    if not BIDI_BYTES.search(data):
        return []
    problems = []

    def walk(value, path: tuple):
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, (*path, index))
        elif isinstance(value, str):
            yield path, value

    for path, value in walk(parsed.data, ()):
        field_name = next((part for part in reversed(path) if isinstance(part, str)), "")
        found = BIDI_CONTROLS.search(value)
        if found and field_name not in SOURCE_WORDS:
            char = found.group()
            problems.append(Problem(
                shown, parsed.line_of(path),
                f"`{field_name}` holds the bidirectional control character U+{ord(char):04X} {unicodedata.name(char)}",
                "remove it: editors' text needs none, and the pages isolate text in another script themselves",
            ))
    return problems


# The corpus ------------------------------------------------------------------


def load_corpus(claims_dir: Path | str, stages: Stages | None = None, cache: FileCache | None = None, jobs: int | None = 1,
                only: list[Path] | None = None, elsewhere: tuple[set, set] = (set(), set()),
                quotes_found: Callable[[Corpus], None] | None = None, checkpoint: Callable[[str], None] | None = None) -> Corpus:
    """Validate every file; raise ProblemsFound with all problems, or return the corpus.

    ``stages`` times each stage (and may show progress); ``cache`` keeps what
    was parsed and validated, keyed by file content, so an unchanged file is
    not parsed again; ``jobs`` processes parse and validate the source files
    (None: one). ``only`` reads those source files and no others, with
    ``elsewhere`` the ids of the other sources' claims and of those of them
    withdrawn (an incremental build). ``quotes_found(corpus)`` is called
    once every file is read and every quote found, if no problem is found
    so far, before the cross-file checks and relations (a build starts
    finding coverage then). ``checkpoint(f"read:{file name}")`` is called
    before each source file is parsed, in the process that parses it (the
    crash tests stop there)."""
    claims_dir = Path(claims_dir)
    stages = stages or Stages()
    corpus = Corpus(claims_dir, cache=cache, jobs=resolve_jobs(jobs), elsewhere_claims=elsewhere[0], elsewhere_withdrawn=elsewhere[1])
    problems: list[Problem] = []
    if not claims_dir.is_dir():
        raise ProblemsFound([Problem(display_path(claims_dir), 1, "the claims directory does not exist", "run from the project root or pass --claims DIR")])

    for name, model in SHARED_FILES.items():
        path = claims_dir / name
        shown = display_path(path)
        if not os.path.lexists(path):  # anything else there (a directory, a pipe, a link) is read and refused by name
            problems.append(Problem(shown, 1, f"{name} is missing", f"create claims/{name} (see README)"))
            continue
        parsed = read_file(path, problems, claims_dir)
        document = validate(parsed, model, shown, problems) if parsed else None
        if parsed:
            problems += bidi_control_problems(parsed, path.read_bytes(), shown)
        if document is None:
            continue
        corpus.loaded.add(name)
        if isinstance(document, AgentsFile):
            corpus.agents = document.agents
            for index, agent in enumerate(document.agents):
                corpus.where.setdefault(("agent", agent.id), []).append(Located(shown, parsed, ("agents", index)))
        elif isinstance(document, SubjectsFile):
            corpus.subjects = document.subjects
            for index, subject in enumerate(document.subjects):
                corpus.where.setdefault(("subject", subject.id), []).append(Located(shown, parsed, ("subjects", index)))
        else:
            corpus.measures = document.measures
            corpus.semantics = document.value_semantics
            corpus.where[("semantics", "")] = [Located(shown, parsed, ("value_semantics",))]
            for index, measure in enumerate(document.measures):
                corpus.where.setdefault(("measure", measure.id), []).append(Located(shown, parsed, ("measures", index)))

    problems += misnamed_files(claims_dir)
    paths = source_file_paths(claims_dir) if only is None else only
    known = known_ids(corpus)
    corpus.figure_entries = []
    with stages.stage("read", total=len(paths)) as advance:
        # What the cache holds is read here (through a worker it would be
        # unpickled, pickled and unpickled again); the rest is parsed and
        # validated on every core, and all taken into the corpus in file order.
        # Each file's quotes are found, its figures read and its references to
        # the shared files checked where it is read.
        cached = [parse_source_file(path, claims_dir, cache, parse=False) for path in paths] if cache is not None and corpus.jobs > 1 else [None] * len(paths)
        missing = [path for path, read in zip(paths, cached) if read is None]

        def parse(path: Path) -> tuple:
            if checkpoint is not None:
                checkpoint(f"read:{path.name}")
            return with_file_checks(parse_source_file(path, claims_dir, cache), claims_dir, known)

        with ordered_map(parse, corpus.jobs, len(missing)) as each:
            parsed = each(missing)
            for path, read in zip(paths, cached):
                checked = with_file_checks(read, claims_dir, known) if read is not None else next(parsed)
                read_source_file(corpus, path, problems, stages, cache, checked)
                advance(1)

    if quotes_found is not None and not problems:
        quotes_found(corpus)
    with stages.stage("references"):
        problems += check_unique(corpus)
        problems += check_repeated_rows(corpus)
        problems += check_references(corpus, known)
    if problems:
        raise ProblemsFound(problems)
    with stages.stage("relations"):
        corpus.relations, corpus.warnings = relate_claims(corpus)
    return corpus


def visible(path: Path) -> bool:
    """Hidden files are not the corpus's: among them the lock links
    (``.#name.yml``) and swap files (``.name.yml.swp``) editors leave beside
    the file they edit. Backups (``name.yml~``) do not end in .yml."""
    return not path.name.startswith(".")


def source_file_paths(claims_dir: Path) -> list[Path]:
    """The source files of claims/: every visible ``*.yml`` but the shared files."""
    return [path for path in sorted(claims_dir.glob("*.yml")) if visible(path) and path.name not in SHARED_FILES]


def misnamed_files(claims_dir: Path) -> list[Problem]:
    """A ``*.yaml`` file is refused rather than skipped without a word (or
    read: one spelling keeps `claimsdb locate`, the schemas and the README
    simple)."""
    problems = []
    for path in sorted(claims_dir.glob("*.yaml")):
        if visible(path):
            renamed = path.with_suffix(".yml")
            fix = (f"merge it into {display_path(renamed)} and remove it" if os.path.lexists(renamed)
                   else f"rename it to {display_path(renamed)}")
            problems.append(Problem(display_path(path), 1, "claim files end in .yml: this one is not read", fix))
    return problems


def lines_kept(path: tuple) -> bool:
    """Lines a valid source file keeps in memory: its keys, where each claim
    starts, each declared relation and each review (all go into the database)."""
    return len(path) <= 2 or (len(path) == 5 and (path[2], path[4]) in (("relations", "relation"), ("reviewed", "claim")))


def parse_source_file(path: Path, claims_dir: Path, cache: FileCache | None, parse: bool = True) -> tuple | None:
    """Read, parse and validate one source file, or take it from the cache:
    the part of reading that needs no other file (so it may run in another
    process). Returns (cache key or None, parsed or None, source, claims,
    problems, parse seconds, validate seconds); None when ``parse`` is false
    and the file would have to be parsed."""
    problems: list[Problem] = []
    data = read_claims_file(path, claims_dir, problems)
    if data is None:
        return None, None, None, [], problems, 0.0, 0.0
    key = cache.key(data) if cache is not None else None
    cached = cache.get(data) if cache is not None else None
    if cached is not None:
        parsed, source, claims = cached
        parsed.path = path
        return key, parsed, source, claims, problems, 0.0, 0.0
    if not parse:
        return None
    shown = display_path(path)
    start = time.perf_counter()
    parsed = read_file(path, problems, claims_dir, data)
    parse_seconds = time.perf_counter() - start
    if parsed is None:
        return key, None, None, [], problems, parse_seconds, 0.0
    start = time.perf_counter()
    source, claims = validate_source(parsed, shown, problems)
    problems += bidi_control_problems(parsed, data, shown)
    if not problems:
        parsed.slim(lines_kept)
        if cache is not None:
            cache.put(data, (parsed, source, claims))
    return key, parsed, source, claims, problems, parse_seconds, time.perf_counter() - start


class FileChecks(NamedTuple):
    """What with_file_checks found of one source file, for the corpus."""

    texts: dict
    revision_texts: dict
    spans: dict
    not_claims: dict
    intervals: dict
    periods: dict
    figure_entries: list
    problems: list
    seconds: dict  # stage -> seconds this file took in it


def with_file_checks(read: tuple, claims_dir: Path, known: Known) -> tuple:
    """What parse_source_file returned, with its FileChecks: the checks that
    need no other source file, on the process that parsed it. The file's
    archive is read and its quotes found (claimsdb.checks.check_quotes), its
    figures and periods read with measures.yml's table when that file is
    valid (claimsdb.checks.resolve_values) and its figures' entries worked
    out (claimsdb.relations.figure_entries), and its references to the
    shared files' ids checked (claimsdb.checks.check_file_references)."""
    parsed, source, claims = read[1:4]
    if parsed is None:
        return (*read, None)
    start = time.perf_counter()
    file = ClaimFile(Located(display_path(parsed.path), parsed, ()), source, claims)
    alone = Corpus(claims_dir, semantics=known.semantics, claim_files=[file])
    problems = check_quotes(alone)
    quoted = time.perf_counter()
    if known.semantics is not None:
        problems += resolve_values(alone)
    entries = figure_entries((claim for claim in claims if claim is not None), alone.intervals, alone.periods, known.units)
    valued = time.perf_counter()
    problems += check_file_references(file, known)
    seconds = {"quotes": quoted - start, "values": valued - quoted, "references": time.perf_counter() - valued}
    return (*read, FileChecks(alone.texts, alone.revision_texts, alone.spans, alone.not_claims, alone.intervals, alone.periods,
                              entries, problems, seconds))


def read_source_file(corpus: Corpus, path: Path, problems: list[Problem], stages: Stages, cache: FileCache | None,
                     read: tuple) -> None:
    """Take one source file into the corpus: ``read`` is what with_file_checks
    returned for it (parsed, validated and checked, here or elsewhere)."""
    key, parsed, source, claims, found, parse_seconds, validate_seconds, checks = read
    problems += found
    stages.add("parse", parse_seconds)
    stages.add("validate", validate_seconds)
    if key is not None:
        cache.used.add(key)  # also when another process looked it up
    if parsed is None:
        return
    shown = display_path(path)
    corpus.claim_files.append(ClaimFile(Located(shown, parsed, ()), source, claims))
    corpus.texts.update(checks.texts)
    corpus.revision_texts.update(checks.revision_texts)
    corpus.spans.update(checks.spans)
    corpus.not_claims.update(checks.not_claims)
    corpus.intervals.update(checks.intervals)
    corpus.periods.update(checks.periods)
    corpus.figure_entries.extend(checks.figure_entries)
    problems += checks.problems
    for stage, seconds in checks.seconds.items():
        stages.add(stage, seconds)
    if source is not None:
        if source.id != path.stem:
            problems.append(Problem(shown, parsed.line_of(("id",)), f"the source id `{source.id}` differs from the file name `{path.stem}`", f"rename the file to {source.id}.yml or set `id: {path.stem}`"))
        corpus.sources.append(source)
        corpus.where.setdefault(("source", source.id), []).append(Located(shown, parsed, ()))
    raw_claims = (parsed.data or {}).get("claims") or []
    for index, claim in enumerate(claims):
        # An invalid claim still holds its id, so relations to it do not cascade into more errors.
        claim_id = claim.id if claim is not None else raw_claims[index].get("id") if isinstance(raw_claims[index], dict) else None
        if isinstance(claim_id, str):
            corpus.where.setdefault(("claim", claim_id), []).append(Located(shown, parsed, ("claims", index)))


