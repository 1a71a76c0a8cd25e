"""Parse one YAML file into plain Python data plus the line of every key.

The data is built from libyaml's event stream in one pass (EventReader), so
that each mapping key and sequence item keeps its line, and so that
duplicate keys and aliases, which PyYAML accepts silently, are refused.
Scalars are resolved and constructed as PyYAML's safe loader does them
(without timestamps: dates stay the strings the editor wrote).

Claim files come from strangers. Nothing is composed into a node tree:
PyYAML's composer recurses once per level of nesting and crashes the
interpreter (a C stack overflow, not an exception) on a document nested a
hundred thousand levels deep, while libyaml's parser is not recursive and
the reader stops at the first level deeper than MAX_DEPTH. An alias is
refused, never expanded, so an alias bomb ("billion laughs") costs nothing.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Claim files need five levels (file, claims, claim, relations, relation);
# anything near this deep is not a claim file.
MAX_DEPTH = 64
STR_TAG = "tag:yaml.org,2002:str"

# Characters YAML refuses (PyYAML's reader): control characters other than
# tab and line ends, and the non-characters U+FFFE and U+FFFF.
UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# YAML also ends lines at a lone CR, NEL, LS and PS; editors, grep and git
# count only LF, so lines are counted the editors' way.
YAML_ONLY_LINE_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
YAML_ONLY_LINE_ENDS = ("\r", "\x85", "\u2028", "\u2029")  # what each match starts with

SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}
COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}

Path_ = tuple  # a path into the data: keys and list indexes


class ClaimFileLoader(BaseLoader):
    """Safe loader that keeps dates as the strings the editor wrote."""


# Dates stay strings ("1988-07" and "1988-07-01" alike): the model checks them.
ClaimFileLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
}


@dataclass
class ParsedFile:
    data: object = None
    lines: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (line, message, fix)
    path: Path | None = None  # where to read the file again for lines that were dropped
    complete: bool = True  # False once slim() has dropped lines

    def line_of(self, path: tuple) -> int:
        """Line of the deepest part of ``path`` that exists in the file."""
        path = tuple(path)
        if not self.complete and path not in self.lines:
            self.reread()
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def slim(self, keep) -> None:
        """Drop the data and every line ``keep(path)`` rejects: a valid file
        needs few lines in memory; the rest are read again if a later check
        asks for them."""
        self.lines = {path: line for path, line in self.lines.items() if keep(path)}
        self.data = None
        self.complete = self.path is None

    def reread(self) -> None:
        again = parse_yaml(self.path.read_bytes().decode("utf-8"))
        self.lines, self.complete = again.lines, True


class LineNumbers:
    """The editor's line number (1-based, counting LF) of a YAML mark."""

    def __init__(self, text: str):
        self.text = text
        self.newlines = None
        # The regular expression scans character by character (a tenth of a
        # millisecond for a claim file); `in` finds that none can match at once.
        if any(end in text for end in YAML_ONLY_LINE_ENDS) and YAML_ONLY_LINE_BREAKS.search(text):
            self.newlines = [match.start() for match in re.finditer("\n", text)]

    def of(self, mark) -> int:
        if self.newlines is None:
            return mark.line + 1
        return bisect.bisect_left(self.newlines, mark.index) + 1

    def column(self, mark) -> int:
        if self.newlines is None:
            return mark.column
        line = self.of(mark)
        return mark.index - (self.newlines[line - 2] + 1 if line > 1 else 0)

    def source_line(self, line: int) -> str:
        lines = self.text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else ""


def short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def unprintable_characters(text: str) -> list[tuple[int, str, str]]:
    """One problem per line holding characters YAML refuses."""
    found: dict[int, list[str]] = {}
    line, counted = 1, 0
    for match in UNPRINTABLE.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        code = f"U+{ord(match.group()):04X}"
        if code not in found.setdefault(line, []):
            found[line].append(code)
    return [
        (line, f"unprintable character{'s' if len(codes) > 1 else ''} {', '.join(codes)}, which YAML does not allow",
         "delete " + ("them" if len(codes) > 1 else "it"))
        for line, codes in found.items()
    ]


def yaml_error_line(error: yaml.YAMLError, lines: LineNumbers) -> tuple[int, str, str]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:  # pragma: no cover - the screens above catch what the reader refuses
        return 1, f"YAML error: {' '.join(str(error).split())}", "fix the YAML"
    line = lines.of(mark)
    source_line = lines.source_line(line)
    if "\t" in source_line[: lines.column(mark) + 1]:
        return line, "YAML syntax error: a tab character, where YAML allows only spaces", "indent with spaces"
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{context}, {problem}" if context else problem
    return line, f"YAML syntax error: {message}", "fix the YAML at this line"


def too_deep(line: int) -> tuple[int, str, str]:
    return line, f"the YAML is nested more than {MAX_DEPTH} levels deep", "claim files need about five levels: remove the extra nesting"


def is_libyaml_depth_error(error: yaml.YAMLError) -> bool:
    """libyaml 0.2.5 (bundled with PyYAML 6.0.2 and later) stops at its own
    nesting limit while scanning a flow collection, before the parser has
    handed us the event that the depth screen would refuse."""
    return "exceeded maximum nesting depth" in str(getattr(error, "problem", "") or "")


class TooDeep(Exception):
    """Nesting deeper than MAX_DEPTH, at the line of the level that goes too deep."""


class EventReader:
    """Plain data from libyaml's event stream, in one pass: each key's and
    item's line into ``parsed.lines``, construction problems into
    ``parsed.errors``, aliases and too deep nesting into ``screened``.

    Nothing is composed: libyaml's parser is not recursive and this reader
    stops at the first level deeper than MAX_DEPTH, so no document can
    overflow a stack; an alias is refused, never expanded, so an alias bomb
    costs nothing."""

    def __init__(self, text: str, parsed: ParsedFile, lines: LineNumbers):
        # libyaml's parser called for each event (None past the stream's end),
        # not through yaml.parse's generator, which costs a resumed frame and a
        # check_event call more per event (a sixth of the reading).
        self.loader = BaseLoader(text)
        self.next_event = self.loader.get_event
        self.parsed, self.lines = parsed, lines
        self.screened: list = []  # (line, message, fix): aliases, depth
        self.alias_lines: set[int] = set()
        self.depth = 0

    def document(self):
        """The data of the stream's one document (None for an empty stream)."""
        next_event = self.next_event
        next_event()  # StreamStartEvent
        event = next_event()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        start = event.start_mark  # DocumentStartEvent
        node = next_event()
        self.parsed.lines[()] = self.lines.of(node.start_mark)
        data = self.node(node, (), True)
        next_event()  # DocumentEndEvent
        event = next_event()
        if not isinstance(event, yaml.StreamEndEvent):
            another = event.start_mark
            for event in iter(next_event, None):  # the rest is screened as a whole file would be
                if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                    self.node(event, (), False)
            raise yaml.composer.ComposerError("expected a single document in the stream", start, "but found another document", another)
        return data

    def error(self, line: int, message: str, fix: str, build: bool) -> None:
        if build:
            self.parsed.errors.append((line, message, fix))

    def node(self, event, path: tuple, build: bool):
        """The value that starts with ``event``; with ``build`` false, the
        node is only read through (for aliases and depth), its problems not
        reported, as for the value of a refused key."""
        if isinstance(event, yaml.AliasEvent):
            line = self.lines.of(event.start_mark)
            if line not in self.alias_lines:
                self.alias_lines.add(line)
                self.screened.append((line, "YAML aliases (*name) are not allowed in claim files", "write the value out in full"))
            return None
        if isinstance(event, yaml.ScalarEvent):
            return self.scalar(event, build)
        line = self.lines.of(event.start_mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep(line)
        tag = event.tag if event.tag not in (None, "!") else None
        mapping = isinstance(event, yaml.MappingStartEvent)
        if tag is not None and tag not in COLLECTION_TAGS:
            self.error(line, f"unsupported YAML tag `{short_tag(tag)}`", "write a plain string, number, true/false, list or mapping", build)
            build = False
        value = self.mapping(path, build) if mapping else self.sequence(path, build)
        self.depth -= 1
        return value if build else None

    def sequence(self, path: tuple, build: bool) -> list:
        items = []
        for index, event in enumerate(iter(self.next_event, None)):
            if isinstance(event, yaml.SequenceEndEvent):
                break
            if build:
                self.parsed.lines[path + (index,)] = self.lines.of(event.start_mark)
            items.append(self.node(event, path + (index,), build))
        return items

    def mapping(self, path: tuple, build: bool) -> dict:
        mapping = {}
        next_event = self.next_event
        for event in iter(next_event, None):
            if isinstance(event, yaml.MappingEndEvent):
                break
            key_line = self.lines.of(event.start_mark)
            keep = build
            if not isinstance(event, yaml.ScalarEvent) or self.is_merge_key(event):
                self.error(key_line, "only plain keys are allowed (no merge keys or complex keys)", "write the key as a plain word", build)
                self.node(event, path, False)
                keep = False
            else:
                # Keys are field names: taken as written, so `1:` or `yes:` is an
                # unknown field named "1" or "yes", not a number or a boolean.
                key = event.value
                if keep and key in mapping:
                    first = self.parsed.lines[path + (key,)]
                    self.error(key_line, f"duplicate key `{key}` (first given at line {first})", "keep one of the two", build)
                    keep = False
            value = self.node(next_event(), path + (key,) if keep else path, keep)
            if keep:
                self.parsed.lines[path + (key,)] = key_line
                mapping[key] = value
        return mapping

    @staticmethod
    def is_merge_key(event) -> bool:
        """Whether a key is YAML's merge key: tagged so, or a plain `<<`
        (what the merge resolver matches), without resolving every key's tag."""
        if event.tag not in (None, "!"):
            return event.tag == MERGE_TAG
        return event.implicit[0] and event.value == "<<"

    @staticmethod
    def tag_of(event) -> str:
        """The tag of a scalar as PyYAML's composer resolves it."""
        if event.tag not in (None, "!"):
            return event.tag
        if event.implicit[0]:
            value = event.value
            for tag, regexp in RESOLVERS_BY_FIRST.get(value[0] if value else "", RESOLVERS_OF_ANY):
                if regexp.match(value):
                    return tag
        return STR_TAG

    def scalar(self, event, build: bool):
        """A scalar's value; its line is worked out only for a problem."""
        tag = self.tag_of(event)
        if tag == STR_TAG:  # most values
            return event.value
        if not build:
            return None
        if tag not in SCALAR_TAGS:
            self.error(self.lines.of(event.start_mark), f"unsupported YAML tag `{short_tag(tag)}`", "write a plain string, number, true/false, list or mapping", build)
            return None
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = SCALAR_CONSTRUCTORS[tag](CONSTRUCTOR, node)
        except (ValueError, KeyError, IndexError):  # a tag the value cannot hold, `!!float abc`: PyYAML's constructors raise
            written = f"`{event.value}`" if event.value else "an empty value"
            self.error(self.lines.of(event.start_mark), f"{written} cannot be read as `{short_tag(tag)}`, the tag it is given",
                       WITHOUT_THE_TAG[tag], build)
            return None
        if tag == INT_TAG and not PLAIN_INTEGER.fullmatch(event.value) and not event.style:
            self.error(self.lines.of(event.start_mark), *unplain_integer(event.value, value), build)
            return None
        return value


def parse_yaml(text: str) -> ParsedFile:
    parsed = ParsedFile()
    lines = LineNumbers(text)
    parsed.errors = unprintable_characters(text)
    if parsed.errors:
        return parsed
    reader = EventReader(text, parsed, lines)
    failure = None
    try:
        parsed.data = reader.document()
    except TooDeep as deep:
        failure = too_deep(deep.args[0])
    except yaml.composer.ComposerError as error:  # a second document: refused after the screen, as the composer does
        failure = None if reader.screened else yaml_error_line(error, lines)
    except yaml.YAMLError as error:
        failure = too_deep(lines.of(error.problem_mark)) if is_libyaml_depth_error(error) else yaml_error_line(error, lines)
    finally:
        reader.loader.dispose()
    # Aliases, depth and syntax are screened before anything is built, as
    # PyYAML's composer stops at them: then they are the only problems.
    if reader.screened or failure:
        parsed.errors = reader.screened + ([failure] if failure else [])
        parsed.data = None
        parsed.lines = {}
    return parsed


INT_TAG = "tag:yaml.org,2002:int"
WITHOUT_THE_TAG = {
    INT_TAG: "remove the tag, or write a whole number",
    "tag:yaml.org,2002:float": "remove the tag, or write a number",
    "tag:yaml.org,2002:bool": "remove the tag, or write true or false",
}  # !!null takes any value: PyYAML's constructor never refuses one
MERGE_TAG = "tag:yaml.org,2002:merge"
PLAIN_INTEGER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
IMPLICIT_RESOLVERS = ClaimFileLoader.yaml_implicit_resolvers
# The resolvers a scalar is tried against, as PyYAML's resolver tries them:
# those of its first character, then those of any; joined once, not per scalar.
RESOLVERS_OF_ANY = IMPLICIT_RESOLVERS.get(None, [])
RESOLVERS_BY_FIRST = {first: resolvers + RESOLVERS_OF_ANY for first, resolvers in IMPLICIT_RESOLVERS.items() if first is not None}
CONSTRUCTOR = yaml.constructor.SafeConstructor()
SCALAR_CONSTRUCTORS = {tag: yaml.constructor.SafeConstructor.yaml_constructors[tag] for tag in SCALAR_TAGS}


def unplain_integer(written: str, value: int) -> tuple[str, str]:
    """YAML 1.1 reads `017` as octal 15, `0x11` as 17, `1_000` as 1000 and
    `1:30` as 90: refuse them rather than store a number the editor did not mean."""
    if re.fullmatch(r"[-+]?0[0-9_]+", written):
        plain = written.lstrip("+-0_") or "0"
        return (f"`{written}` has a leading zero, which YAML reads as the octal number {value}",
                f"write {plain.replace('_', '')} without the leading zero, or put it in quotes if the zero belongs to a text")
    return (f"`{written}` is read by YAML as the number {value}",
            f"write the number in plain digits ({value}), or put it in quotes if it is text")


# Writing ---------------------------------------------------------------------


class ScalarDumper(yaml.SafeDumper):
    """PyYAML's choice of plain or quoted style, on one line."""


def _represent_float(dumper, value: float):
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


ScalarDumper.add_representer(float, _represent_float)


INVISIBLE = re.compile(r"[\u00a0\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]")
# Characters YAML does not allow as they are, or reads as line breaks (NEL).
ESCAPED = re.compile(f"{UNPRINTABLE.pattern}|[\x85]")


def yaml_quoted(text: str) -> str:
    """A double-quoted YAML scalar that survives copy and paste from a terminal:
    visible characters as they are, invisible ones (no-break spaces) and those
    YAML does not allow escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    escape = lambda m: f"\\u{ord(m.group()):04x}"
    return ESCAPED.sub(escape, INVISIBLE.sub(escape, quoted))


def scalar(value) -> str:
    """One YAML scalar on one line, as the claim files write it: plain where
    YAML reads it back as the same string, double-quoted (with no-break
    spaces and the like escaped, see yaml_quoted) where it would not."""
    if isinstance(value, str) and ("\n" in value or "\r" in value or INVISIBLE.search(value) or ESCAPED.search(value)):
        return yaml_quoted(value)
    text = yaml.dump(value, Dumper=ScalarDumper, allow_unicode=True, width=float("inf"), default_flow_style=True)
    text = text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    if "\n" in text:  # pragma: no cover - PyYAML writes a scalar on one line at infinite width
        return yaml_quoted(value) if isinstance(value, str) else text
    return text
