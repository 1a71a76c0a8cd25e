"""Read and validate ``claims/`` into one corpus.

Every problem names ``file:line``, says what is wrong and what to do, and all
problems are collected before anything is reported.
"""

from __future__ import annotations

import difflib
import os
import re
import time
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from . import quotes
from .files import Unreadable, read_inside
from .model import (
    EDITOR,
    CLAIM_MODELS,
    Claim,
    ARCHIVE_PATTERN,
    SLUG_PATTERN,
    AgentsFile,
    Agent,
    Measure,
    MeasuresFile,
    Source,
    Subject,
    SubjectsFile,
    ValueSemantics,
)
from .cache import FileCache
from .parallel import ordered_map, resolve_jobs
from .problems import Problem, ProblemsFound
from .progress import Stages
from .readings import wordings_language
from .relations import FigureRefused, ValueNotUnderstood, explicit_reading, period_for_bounds, reading_of, relate_claims
from .yamlfile import ParsedFile, parse_yaml

SHARED_FILES = {"agents.yml": AgentsFile, "subjects.yml": SubjectsFile, "measures.yml": MeasuresFile}


@dataclass(slots=True)
class Located:
    """Where an object came from: its file and the line of each of its keys."""

    path: str
    parsed: ParsedFile
    prefix: tuple

    @property
    def line(self) -> int:
        return self.parsed.line_of(self.prefix)

    def line_of(self, *keys) -> int:
        return self.parsed.line_of(self.prefix + keys)


@dataclass
class ClaimFile:
    """One source file as read: its source (None when its metadata is invalid)
    and its claims (None for each invalid one)."""

    place: Located
    source: Source | None
    claims: list


@dataclass(frozen=True)
class MarkedNotClaim:
    """Words an editor marked as carrying no claim, where they stand in the
    archive and in the source file."""

    not_claim: object  # model.NotClaim
    span: quotes.Span
    path: str
    line: int


@dataclass
class Corpus:
    claims_dir: Path
    agents: list[Agent] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    semantics: ValueSemantics | None = None
    sources: list[Source] = field(default_factory=list)
    where: dict = field(default_factory=dict)  # (kind, id) -> Located
    texts: dict = field(default_factory=dict)  # source id -> archived text
    revision_texts: dict = field(default_factory=dict)  # (source id, revision) -> text of an earlier capture
    spans: dict = field(default_factory=dict)  # claim id -> quotes.Span
    not_claims: dict = field(default_factory=dict)  # source id -> [MarkedNotClaim], in file order
    intervals: dict = field(default_factory=dict)  # claim id -> readings.Reading
    periods: dict = field(default_factory=dict)  # claim id -> Period
    relations: object = None  # relations.Relations: figures, detected and declared relations, reviews
    warnings: list = field(default_factory=list)  # Problems that do not stop the build
    claim_files: list = field(default_factory=list)  # ClaimFile, valid or not
    loaded: set = field(default_factory=set)  # shared files that validated
    cache: FileCache | None = None  # kept for the build's derived data (coverage)
    jobs: int = 1  # processes for the build's per-source stages (coverage)
    # An incremental build reads some sources only (claimsdb.incremental): the
    # claims of the others, which references may name, and those withdrawn.
    elsewhere_claims: set = field(default_factory=set)
    elsewhere_withdrawn: set = field(default_factory=set)

    def located_claims(self):
        """Every valid claim, in any file, with where it stands."""
        for file in self.claim_files:
            for index, claim in enumerate(file.claims):
                if claim is not None:
                    yield Located(file.place.path, file.place.parsed, ("claims", index)), claim

    def claims(self):
        for source in self.sources:
            for claim in source.claims:
                if claim is not None:
                    yield source, claim


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)


# Pydantic errors, translated -------------------------------------------------

TYPE_WORDS = {
    "string_type": "text",
    "float_parsing": "a number (digits only, no thousands separators)",
    "float_type": "a number (digits only, no thousands separators)",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "list_type": "a list (items starting with '- ')",
    "model_type": "a mapping of fields (key: value)",
    "model_attributes_type": "a mapping of fields (key: value)",
    "dict_type": "a mapping of fields (key: value)",
}


# pydantic's comparison errors: (its bound in ctx, what is wrong, what to do).
COMPARISONS = {
    "greater_than_equal": ("ge", "but it cannot be less than {}", "give {} or more"),
    "greater_than": ("gt", "but it must be more than {}", "give more than {}"),
    "less_than_equal": ("le", "but it cannot be more than {}", "give {} or less"),
    "less_than": ("lt", "but it must be less than {}", "give less than {}"),
}


def unwrap(annotation):
    """The model (or claim union) a field holds, through list/Optional/Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, tuple):
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            elif all(isinstance(a, type) and issubclass(a, pydantic.BaseModel) for a in args):
                return "claim"
            else:
                return None
        else:
            return annotation if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel) else None


def model_at(root: type, loc: tuple):
    """The model class holding the last field of ``loc`` and that field's info."""
    model, info = root, None
    for item in loc:
        if isinstance(item, int):
            continue
        if model == "claim":
            model = CLAIM_MODELS.get(item)
            continue
        if model is None or item not in model.model_fields:
            return model, None
        info = model.model_fields[item]
        target = unwrap(info.annotation)
        if item == loc[-1]:
            return model, info
        model = target
    return model, info


def data_path(data, loc: tuple) -> tuple:
    """``loc`` without the discriminator tags pydantic inserts for unions."""
    path, current = [], data
    for position, item in enumerate(loc):
        if isinstance(current, dict) and current.get("kind") == item and position and isinstance(loc[position - 1], int):
            continue
        if isinstance(current, dict) and item in current:
            path.append(item)
            current = current[item]
        elif isinstance(current, list) and isinstance(item, int) and item < len(current):
            path.append(item)
            current = current[item]
        else:
            path.append(item)
            break
    return tuple(path)


def short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(word: str, choices, aliases: dict | None = None) -> str:
    """'did you mean `x`?' for an unknown id: the same id in another case, an
    id whose alias or name it is (``aliases``: folded alias -> id, so `hrw`
    finds `human-rights-watch`), or the closest spelling."""
    choices = list(choices)
    folded = fold_name(str(word))
    for choice in choices:
        if fold_name(choice) == folded:
            return f"did you mean `{choice}`?"
    if aliases and folded in aliases:
        return f"did you mean `{aliases[folded]}`?"
    longer = [choice for choice in choices if choice.startswith(str(word).lower() + "-")]
    if len(longer) == 1:  # `amnesty` for `amnesty-international`
        return f"did you mean `{longer[0]}`?"
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6) or difflib.get_close_matches(str(word).lower(), choices, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def fold_name(name: str) -> str:
    """A name or id as typed in any case and punctuation: 'H.R.W.', 'hrw', 'Human Rights Watch' -> 'hrw', 'humanrightswatch'."""
    return re.sub(r"[\W_]+", "", name.casefold())


def agent_aliases(agents) -> dict:
    """Folded name and alias of every agent -> its id, for did-you-mean."""
    found = {}
    for agent in agents:
        for name in (agent.name, *agent.aliases):
            found.setdefault(fold_name(name), agent.id)
    return found


def translate(error: dict, root: type) -> tuple[str, str]:
    """(what is wrong, what to do) for one pydantic error."""
    loc = tuple(item for item in error["loc"])
    kind = error["type"]
    model, info = model_at(root, loc)
    names = [item for item in loc if isinstance(item, str) and item not in CLAIM_MODELS]
    name = names[-1] if names else "file"
    described = f" ({info.description.split(';')[0].rstrip('.')})" if info and info.description else ""
    given = error.get("input")
    if kind == "missing":
        return f"missing field `{name}`", f"add `{name}:`{described}"
    if kind == "extra_forbidden":
        allowed = list(model.model_fields) if isinstance(model, type) else []
        close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown field `{name}`", f"did you mean `{close[0]}`? rename it, or remove it"
        return f"unknown field `{name}`", f"remove it (fields here: {', '.join(allowed)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        kinds = ", ".join(CLAIM_MODELS)
        if kind == "union_tag_not_found":
            return "missing field `kind` (the claim's kind)", f"add `kind:` with one of {kinds}"
        tag = error.get("ctx", {}).get("tag")
        return f"`kind` is {short(tag)}, not a claim kind", (suggest(tag, CLAIM_MODELS) + f" use one of {kinds}").strip()
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        options = [part.strip(" '") for part in expected.replace(" or ", ", ").split(",")]
        return f"`{name}` is {short(given)}", (suggest(given, options) + f" use one of {expected}").strip()
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern")
        if pattern == SLUG_PATTERN:
            return f"`{name}` {short(given)} is not a valid id", "use lower-case letters, digits and hyphens only"
        return f"`{name}` {short(given)} is not in the expected form", f"write {name} as: {info.description if info else pattern}"
    if kind == "too_short":
        return f"`{name}` is empty", f"give at least one item{described}"
    if kind == "string_too_short":
        return f"`{name}` is empty", "write the text" + ("" if info is not None and info.is_required() else " or remove the field")
    if kind in COMPARISONS:
        bound, what, fix = COMPARISONS[kind]
        limit = f"{error['ctx'][bound]:g}"
        return f"`{name}` is {short(given)}, {what.format(limit)}", fix.format(limit)
    if kind == "decimal_max_digits":
        return (f"`{name}` is {short(given)}, more than 15 significant digits, more than the database keeps exactly",
                "round it to 15 significant digits or fewer")
    if kind == "finite_number":
        return f"`{name}` should be a finite number, not {short(given)}", f"write a number, or leave `{name}` out when the interval is unbounded"
    if kind == "string_type" and isinstance(given, bool):
        return f"`{name}` should be text, not the boolean {str(given).lower()} (YAML reads yes, no, on, off, true and false as booleans)", "put the value in quotes"
    if kind == "string_type" and isinstance(given, (int, float)):
        return f"`{name}` should be text, not the number {short(given)}", "put the value in quotes"
    if kind in TYPE_WORDS:
        return f"`{name}` should be {TYPE_WORDS[kind]}, not {short(given)}", f"write {TYPE_WORDS[kind]}"
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        where = f"`{name}`: " if names and name != "claims" and not isinstance(loc[-1], int) else ""
        what, _, fix = message.partition(" — ")
        return where + what, fix or f"correct `{name}`"
    return f"`{name}`: {error['msg']}", f"correct `{name}`"


def problems_for_errors(errors: list[dict], parsed: ParsedFile, model, path: str) -> list[Problem]:
    # A misspelt field is reported once, as unknown with a suggestion, not
    # also as the missing field it was meant to be.
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            owner, _ = model_at(model, error["loc"])
            if isinstance(owner, type):
                close = difflib.get_close_matches(str(error["loc"][-1]), list(owner.model_fields), n=1, cutoff=0.6)
                suggested.update((error["loc"][:-1], name) for name in close)
    problems = []
    for error in errors:
        if error["type"] == "missing" and (error["loc"][:-1], error["loc"][-1]) in suggested:
            continue
        path_in_data = data_path(parsed.data, error["loc"])
        if error["type"] == "union_tag_invalid":
            path_in_data += ("kind",)
        line = parsed.line_of(path_in_data)
        what, fix = translate(error, model)
        problems.append(Problem(path, line, what, fix))
    return problems


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
                only: list[Path] | None = None, elsewhere: tuple[set, set] = (set(), set())) -> Corpus:
    """Validate every file; raise ProblemsFound with all problems, or return the corpus.

    ``stages`` times each stage (and may show progress); ``cache`` keeps what
    was parsed and validated, keyed by file content, so an unchanged file is
    not parsed again; ``jobs`` processes parse and validate the source files
    (None: one). ``only`` reads those source files and no others, with
    ``elsewhere`` the ids of the other sources' claims and of those of them
    withdrawn (an incremental build)."""
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
    with stages.stage("read", total=len(paths)) as advance:
        # What the cache holds is read here (through a worker it would be
        # unpickled, pickled and unpickled again); the rest is parsed and
        # validated on every core, and all taken into the corpus in file order.
        cached = [parse_source_file(path, claims_dir, cache, parse=False) for path in paths] if cache is not None and corpus.jobs > 1 else [None] * len(paths)
        missing = [path for path, read in zip(paths, cached) if read is None]
        with ordered_map(lambda path: parse_source_file(path, claims_dir, cache), corpus.jobs, len(missing)) as each:
            parsed = each(missing)
            for path, read in zip(paths, cached):
                read_source_file(corpus, path, problems, stages, cache, read if read is not None else next(parsed))
                advance(1)

    with stages.stage("references"):
        problems += check_unique(corpus)
        problems += check_repeated_rows(corpus)
        problems += check_references(corpus)
    with stages.stage("values"):
        if corpus.semantics is not None:
            problems += resolve_values(corpus)
    with stages.stage("quotes", total=len(corpus.claim_files)) as advance:
        problems += check_quotes(corpus, advance)
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


def read_source_file(corpus: Corpus, path: Path, problems: list[Problem], stages: Stages, cache: FileCache | None,
                     read: tuple | None = None) -> None:
    """Parse and validate one source file (or take it from the cache) into the
    corpus; ``read``: what parse_source_file returned for it, when it ran elsewhere."""
    key, parsed, source, claims, found, parse_seconds, validate_seconds = read or parse_source_file(path, corpus.claims_dir, cache)
    problems += found
    stages.add("parse", parse_seconds)
    stages.add("validate", validate_seconds)
    if key is not None:
        cache.used.add(key)  # also when another process looked it up
    if parsed is None:
        return
    shown = display_path(path)
    corpus.claim_files.append(ClaimFile(Located(shown, parsed, ()), source, claims))
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


def first(corpus: Corpus, kind: str, id_: str) -> Located:
    return corpus.where[(kind, id_)][0]


def check_unique(corpus: Corpus) -> list[Problem]:
    problems = []
    for (kind, id_), places in corpus.where.items():
        for place in places[1:]:
            original = places[0]
            problems.append(Problem(
                place.path, place.line_of("id"),
                f"duplicate {kind} id `{id_}` (first at {original.path}:{original.line_of('id')})",
                "give each a unique id",
            ))
    return problems


def check_repeated_rows(corpus: Corpus) -> list[Problem]:
    """What the database keys by content must be given once: a wording of
    value_semantics, an agent's affiliation in one role."""
    problems = []

    def once(seen: dict, key, place: Located, keys: tuple, what: str, fix: str):
        line = place.line_of(*keys)
        if key in seen:
            problems.append(Problem(place.path, line, f"{what} is given twice (first at line {seen[key]})", fix))
        else:
            seen[key] = line

    if corpus.semantics is not None:
        place = corpus.where[("semantics", "")][0]
        seen: dict = {}
        for c_index, comparator in enumerate(corpus.semantics.comparators):
            for w_index, wording in enumerate(comparator.wordings):
                once(seen, ("comparator", comparator.language, wording.lower()), place, ("comparators", c_index, "wordings", w_index),
                     f"the comparator wording {wording!r}", "keep it under one comparator")
        for index, vague in enumerate(corpus.semantics.vague_quantities):
            once(seen, ("vague", vague.language, vague.wording.lower()), place, ("vague_quantities", index, "wording"), f"the vague quantity {vague.wording!r}", "keep one of the two")
        for index, qualifier in enumerate(corpus.semantics.period_qualifiers):
            once(seen, ("qualifier", qualifier.qualifier), place, ("period_qualifiers", index, "qualifier"), f"the period qualifier {qualifier.qualifier!r}", "keep one of the two")
    for agent in corpus.agents:
        place = first(corpus, "agent", agent.id)
        seen = {}
        for index, affiliation in enumerate(agent.affiliations):
            once(seen, (affiliation.agent, affiliation.role), place, ("affiliations", index, "agent"),
                 f"the affiliation of `{agent.id}` with `{affiliation.agent}` as {affiliation.role!r}", "keep one of the two")
    return problems


def check_references(corpus: Corpus) -> list[Problem]:
    known = {kind: {id_ for (k, id_) in corpus.where if k == kind} for kind in ("agent", "subject", "measure", "claim")}
    known["claim"] |= corpus.elsewhere_claims
    # A reference into a file that failed to load is not checked: its own problems are reported.
    checked = {kind for kind in ("agent", "subject", "measure") if f"{kind}s.yml" in corpus.loaded} | {"claim"}
    problems = []

    aliases = agent_aliases(corpus.agents)

    def need(kind: str, value, place: Located, *keys):
        if kind in checked and value is not None and value not in known[kind]:
            hint = suggest(value, known[kind], aliases if kind == "agent" else None)
            problems.append(Problem(
                place.path, place.line_of(*keys),
                f"unknown {kind} `{value}`",
                (hint + " " if hint else "") + f"use an id from {'the source files' if kind == 'claim' else kind + 's.yml'} or add it there",
            ))

    for agent in corpus.agents:
        place = first(corpus, "agent", agent.id)
        for index, affiliation in enumerate(agent.affiliations):
            need("agent", affiliation.agent, place, "affiliations", index, "agent")
            if affiliation.agent == agent.id:
                problems.append(Problem(place.path, place.line_of("affiliations", index, "agent"), f"agent `{agent.id}` is affiliated with itself", "name another agent"))
    parents = {s.id: s.part_of for s in corpus.subjects if s.part_of}
    for subject in corpus.subjects:
        place = first(corpus, "subject", subject.id)
        need("subject", subject.part_of, place, "part_of")
        if subject.part_of == subject.id:
            problems.append(Problem(place.path, place.line_of("part_of"), f"subject `{subject.id}` is part of itself", "name a wider subject or remove part_of"))
        elif subject.id in (wider := wider_than(parents, subject.id)):
            through = " → ".join([subject.id, *wider[: wider.index(subject.id) + 1]])
            problems.append(Problem(place.path, place.line_of("part_of"), f"subject `{subject.id}` is part of itself through a cycle ({through})", "make part_of name only wider subjects"))

    withdrawn = {claim.id for file in corpus.claim_files for claim in file.claims if claim is not None and claim.withdrawn} | corpus.elsewhere_withdrawn
    declared_pairs: dict = {}
    for file in corpus.claim_files:
        place = file.place
        if file.source is not None:
            need("agent", file.source.publisher, place, "publisher")
            for c_index, credited in enumerate(file.source.credited):
                need("agent", credited, place, *(("credited_to", c_index) if isinstance(file.source.credited_to, list) else ("credited_to",)))
            need("agent", file.source.host, place, "host")
            own_voices = {file.source.publisher, *file.source.credited}
        for index, claim in enumerate(file.claims):
            if claim is None:
                continue
            fields = claim.__dict__  # kind-specific fields, without pydantic's slow getattr fallback
            measure, holder = fields.get("measure"), fields.get("agent")
            resolved = (
                claim.subject in known["subject"] and claim.speaker in known["agent"]
                and (measure is None or measure in known["measure"])
                and (holder is None or holder in known["agent"])
            )
            at = Located(place.path, place.parsed, ("claims", index))
            if not resolved:  # the common case skips the four lookups with messages
                need("subject", claim.subject, at, "subject")
                if claim.speakers is None:
                    need("agent", claim.speaker, at, "speaker")
                need("measure", measure, at, "measure")
                need("agent", holder, at, "agent")
            translator = claim.translation.by if claim.translation is not None else EDITOR
            if translator != EDITOR and translator not in known["agent"]:
                need("agent", translator, at, "translation", "by")
            if claim.speakers is not None:
                for s_index, speaker in enumerate(claim.speakers):
                    need("agent", speaker, at, "speakers", s_index)
            for v_index, link in enumerate(claim.via):
                need("agent", link.agent, at, "via", v_index, "agent")
            if claim.mode == "own-voice" and file.source is not None:
                problems += own_voice_problems(claim, file.source, own_voices, known["agent"], at)
            if claim.scope is not None:
                need("subject", claim.scope, at, "scope")
                if claim.scope in known["subject"] and claim.subject in known["subject"] and claim.subject not in wider_than(parents, claim.scope):
                    problems.append(Problem(
                        at.path, at.line_of("scope"), f"the scope `{claim.scope}` is not part of the claim's subject `{claim.subject}`",
                        f"give `part_of: {claim.subject}` to `{claim.scope}` in subjects.yml (directly or through a wider part), or give the scope as the subject",
                    ))
            for r_index, review in enumerate(claim.reviewed):
                keys = ("reviewed", r_index, "claim")
                if review.claim == claim.id:
                    problems.append(Problem(at.path, at.line_of(*keys), f"claim `{claim.id}` records a review of itself", "name a claim of the other figure"))
                else:
                    need("claim", review.claim, at, *keys)
            for r_index, relation in enumerate(claim.relations):
                keys = ("relations", r_index, "claim")
                if relation.claim == claim.id:
                    problems.append(Problem(at.path, at.line_of(*keys), f"claim `{claim.id}` is related to itself", "relate it to another claim or remove the relation"))
                    continue
                need("claim", relation.claim, at, *keys)
                if relation.claim in withdrawn and not claim.withdrawn:
                    problems.append(Problem(at.path, at.line_of(*keys), f"relation to withdrawn claim `{relation.claim}`", "remove the relation or relate to a current claim"))
                pair = frozenset((claim.id, relation.claim))
                if pair in declared_pairs:
                    other, other_keys = declared_pairs[pair]
                    problems.append(Problem(at.path, at.line_of(*keys), f"the relation between `{claim.id}` and `{relation.claim}` is declared twice (also at {other.path}:{other.line_of(*other_keys)})", "declare it once, on one of the two claims"))
                else:
                    declared_pairs[pair] = (at, keys)
    return problems


def own_voice_problems(claim, source: Source, own_voices: set, agents: set, at: Located) -> list[Problem]:
    """An outlet speaks in its own voice only as itself: the speaker of an
    own-voice claim is the publisher or an agent the source credits."""
    problems = []
    for s_index, speaker in enumerate(claim.all_speakers):
        if speaker in own_voices or speaker not in agents:  # an unknown agent is reported as such
            continue
        credited = f" or the agents it credits ({', '.join(f'`{c}`' for c in source.credited)})" if source.credited else ""
        keys = ("speakers", s_index) if claim.speakers is not None else ("speaker",)
        problems.append(Problem(
            at.path, at.line_of(*keys),
            f"`mode: own-voice`, but the speaker `{speaker}` is not the publisher `{source.publisher}`{credited}",
            f"if the source asserts it itself, write `speaker: {source.publisher}`; if it carries {speaker}'s words, give the mode it does so in (quoted, reported or attributed-belief)",
        ))
    return problems


def wider_than(parents: dict, subject_id: str) -> list[str]:
    """The subjects ``subject_id`` is part of, nearest first (``parents``: subject -> part_of)."""
    found, current = [], parents.get(subject_id)
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def resolve_values(corpus: Corpus) -> list[Problem]:
    """Intervals of figures and periods, through the published table."""
    problems = []
    semantics = corpus.semantics
    # A figure is read with the wordings of its source's language.
    languages = {file.place.path: file.source.language for file in corpus.claim_files if file.source is not None}
    for at, claim in corpus.located_claims():
        if claim.kind == "quantity":
            if claim.low is not None or claim.high is not None:
                corpus.intervals[claim.id] = explicit_reading(claim.low, claim.high, claim.low_exclusive, claim.high_exclusive)
            else:
                try:
                    corpus.intervals[claim.id] = reading_of(claim.value, semantics, languages.get(at.path))
                except FigureRefused as refused:
                    problems.append(Problem(at.path, at.line_of("value"), refused.what, refused.fix))
                except ValueNotUnderstood:
                    language = wordings_language(semantics, languages.get(at.path))
                    problems.append(Problem(
                        at.path, at.line_of("value"),
                        f"cannot read the figure {claim.value!r} with the table in measures.yml"
                        + ("" if language == "en" else f" (its {language} wordings, the language of the source)"),
                        "give `low:`/`high:` explicitly, or add the wording to value_semantics"
                        + ("" if language == "en" else f" with `language: {language}`"),
                    ))
        if claim.start is not None:
            try:
                corpus.periods[claim.id] = period_for_bounds(claim.start, claim.end, semantics, claim.calendar)
            except ValueNotUnderstood as error:
                problems.append(Problem(at.path, at.line_of("start"), f"period bounds: {error}", "write bounds as YYYY[-MM[-DD]], optionally after a qualifier from measures.yml"))
    return problems


def check_quotes(corpus: Corpus, advance=lambda n=1: None) -> list[Problem]:
    problems = []
    for file in corpus.claim_files:
        advance(1)
        place = file.place
        # From the file's data when the source is invalid, so quotes are
        # checked even when another field of the source is wrong.
        if file.source is not None:
            archive, pinned = file.source.archive, file.source.sha256
        else:
            archive, pinned = place.parsed.data.get("archive"), place.parsed.data.get("sha256")
        if not isinstance(archive, str) or not isinstance(pinned, str) or not re.fullmatch(ARCHIVE_PATTERN, archive):
            continue  # the model reports the field
        data, what, fix = quotes.archive_problem(corpus.claims_dir, archive)
        if data is None:
            problems.append(Problem(place.path, place.line_of("archive"), what, fix))
            continue
        actual = quotes.sha256_of(data)
        if actual != pinned:
            problems.append(Problem(
                place.path, place.line_of("sha256"),
                f"{archive} has SHA-256 {actual}, but the source file pins {pinned}",
                "restore the archived text byte for byte, or, if the archive is the intended evidence, set `sha256: " + actual + "`",
            ))
            continue
        text, what, fix = quotes.decode_archive(data, archive)
        if text is None:
            problems.append(Problem(place.path, place.line_of("archive"), what, fix))
            continue
        texts = {None: text}  # revision -> text
        if file.source is not None:
            problems += check_original(corpus.claims_dir, file.source, place, text)
            corpus.texts[file.source.id] = text
            for r_index, revision in enumerate(file.source.revisions):
                texts[r_index + 1] = read_revision(corpus, file.source, r_index, place, problems)
        shown = display_path(corpus.claims_dir / archive)
        for index, claim in enumerate(file.claims):
            if claim is None:
                continue
            if claim.revision not in texts:
                count = len(texts) - 1
                problems.append(Problem(place.path, place.line_of("claims", index, "revision"), f"`revision: {claim.revision}`, but the source lists {count} earlier capture(s) under `revisions`",
                                        f"give a revision from 1 to {count}, or remove `revision` if the quote stands in the current capture" if count else "remove `revision`: the quote stands in the current capture"))
                continue
            in_text = texts[claim.revision]
            if in_text is None:
                continue  # the revision's own problem is reported
            where = shown if claim.revision is None else display_path(corpus.claims_dir / file.source.revisions[claim.revision - 1].archive)
            try:
                corpus.spans[claim.id] = quotes.locate_quote(in_text, claim.quote, claim.occurrence, where)
            except quotes.QuoteNotFound as error:
                problems.append(Problem(place.path, place.line_of("claims", index, "quote"), error.message, error.fix))
        if file.source is not None:
            problems += locate_not_claims(corpus, file, text, shown)
    return problems


def read_revision(corpus: Corpus, source: Source, r_index: int, place: Located, problems: list[Problem]) -> str | None:
    """The text of an earlier capture, checked as the current one is (kept in corpus.revision_texts)."""
    revision = source.revisions[r_index]
    keys = ("revisions", r_index)
    data, what, fix = quotes.archive_problem(corpus.claims_dir, revision.archive)
    if data is None:
        problems.append(Problem(place.path, place.line_of(*keys, "archive"), what, fix))
        return None
    actual = quotes.sha256_of(data)
    if actual != revision.sha256:
        problems.append(Problem(place.path, place.line_of(*keys, "sha256"), f"{revision.archive} has SHA-256 {actual}, but the source file pins {revision.sha256}",
                                "restore the earlier capture's text byte for byte: it is the evidence its claims quote"))
        return None
    text, what, fix = quotes.decode_archive(data, revision.archive)
    if text is None:
        problems.append(Problem(place.path, place.line_of(*keys, "archive"), what, fix))
        return None
    problems += check_original(corpus.claims_dir, revision, place, text, keys)
    corpus.revision_texts[(source.id, r_index + 1)] = text
    return text


def check_original(claims_dir: Path, source, place: Located, text: str, keys: tuple = ()) -> list[Problem]:
    """The original of a capture (the source, or one of its revisions) is
    there, byte for byte as pinned; PDF page starts lie in the text."""
    problems = []
    if source.original is not None:
        try:
            actual = quotes.original_sha256(claims_dir, source.original)
        except Unreadable as error:
            problems.append(Problem(place.path, place.line_of(*keys, "original"), error.what, error.fix))
        else:
            if actual != source.original_sha256:
                problems.append(Problem(
                    place.path, place.line_of(*keys, "original_sha256"),
                    f"{source.original} has SHA-256 {actual}, but the source file pins {source.original_sha256}",
                    "restore the original byte for byte (it is the evidence); a newer capture of the document is added with `claimsdb reanchor`",
                ))
    if source.pages and source.pages[-1] >= len(text):
        problems.append(Problem(place.path, place.line_of(*keys, "pages"), f"`pages` starts a page at {source.pages[-1]}, beyond the {len(text)} characters of {source.archive}",
                                "write the page starts that claimsdb add-source recorded (claimsdb verify-sources shows them)"))
    return problems


def locate_not_claims(corpus: Corpus, file: ClaimFile, text: str, shown: str) -> list[Problem]:
    """Not-a-claim texts are evidence too: found in the archive like quotes."""
    problems, marked, first_at = [], [], {}
    place = file.place
    for index, not_claim in enumerate(file.source.not_claims):
        try:
            span = quotes.locate_quote(text, not_claim.text, not_claim.occurrence, shown, what="the not-a-claim text", field="text")
        except quotes.QuoteNotFound as error:
            problems.append(Problem(place.path, place.line_of("not_claims", index, "text"), error.message, error.fix))
            continue
        line = place.line_of("not_claims", index)
        if (span.start, span.end) in first_at:
            problems.append(Problem(place.path, line, f"the same words are marked as not a claim twice (first at line {first_at[(span.start, span.end)]})", "keep one of the two"))
            continue
        first_at[(span.start, span.end)] = line
        marked.append(MarkedNotClaim(not_claim, span, place.path, line))
    corpus.not_claims[file.source.id] = marked
    return problems
