"""Parse one YAML file into plain Python data plus the line of every key.

PyYAML's C loader composes the node tree (fast); we construct the data
ourselves so that each mapping key and sequence item keeps its line, and so
that duplicate keys and aliases, which PyYAML accepts silently, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 64
STR_TAG = "tag:yaml.org,2002:str"

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


def yaml_error_line(error: yaml.YAMLError, text: str) -> tuple[int, str, str]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return 1, str(error), "fix the YAML"
    line = mark.line + 1
    source_line = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
    if "\t" in source_line[: mark.column + 1]:
        return line, "YAML syntax error: a tab character, where YAML allows only spaces", "indent with spaces"
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{context}, {problem}" if context else problem
    return line, f"YAML syntax error: {message}", "fix the YAML at this line"


def parse_yaml(text: str) -> ParsedFile:
    parsed = ParsedFile()
    loader = ClaimFileLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            parsed.data = None
            return parsed
        parsed.lines[()] = node.start_mark.line + 1
        parsed.data = _construct(loader, node, (), parsed, set(), 0)
    except yaml.YAMLError as error:
        parsed.errors.append(yaml_error_line(error, text))
        parsed.data = None
    finally:
        loader.dispose()
    return parsed


def _construct(loader, node, path, parsed: ParsedFile, seen: set, depth: int):
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise yaml.YAMLError(f"nesting deeper than {MAX_DEPTH} levels")
    if id(node) in seen:
        parsed.errors.append((parsed.lines.get(path, line), "YAML aliases (*name) are not allowed in claim files", "write the value out in full"))
        return None
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag == STR_TAG:  # most values: skip the constructor's dispatch
            return node.value
        try:
            return loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            parsed.errors.append((line, f"unsupported YAML value: {error.problem}", "write a plain string, number, list or mapping"))
            return None
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            parsed.lines[path + (index,)] = item.start_mark.line + 1
            items.append(_construct(loader, item, path + (index,), parsed, seen, depth + 1))
        return items
    if isinstance(node, yaml.MappingNode):
        mapping = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                parsed.errors.append((key_line, "only plain keys are allowed (no merge keys or complex keys)", "write the key as a plain word"))
                continue
            key = loader.construct_object(key_node)
            if key in mapping:
                first = parsed.lines[path + (key,)]
                parsed.errors.append((key_line, f"duplicate key `{key}` (first given at line {first})", "keep one of the two"))
                continue
            parsed.lines[path + (key,)] = key_line
            mapping[key] = _construct(loader, value_node, path + (key,), parsed, seen, depth + 1)
        return mapping
    raise yaml.YAMLError(f"unexpected YAML node at line {line}")  # pragma: no cover


# Writing ---------------------------------------------------------------------


class ScalarDumper(yaml.SafeDumper):
    """PyYAML's choice of plain or quoted style, on one line."""


def _represent_float(dumper, value: float):
    if value.is_integer() and abs(value) < 1e15:
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


ScalarDumper.add_representer(float, _represent_float)


def scalar(value) -> str:
    """One YAML scalar on one line, as the claim files write it: plain where
    YAML reads it back as the same string, double-quoted (with no-break
    spaces and the like escaped, see quotes.yaml_quoted) where it would not."""
    from .quotes import INVISIBLE, UNPRINTABLE, yaml_quoted

    if isinstance(value, str) and ("\n" in value or "\r" in value or INVISIBLE.search(value) or UNPRINTABLE.search(value)):
        return yaml_quoted(value)
    text = yaml.dump(value, Dumper=ScalarDumper, allow_unicode=True, width=float("inf"), default_flow_style=True)
    text = text.removesuffix("\n").removesuffix("\n...").rstrip("\n")
    if "\n" in text:  # pragma: no cover - PyYAML writes a scalar on one line at infinite width
        return yaml_quoted(value) if isinstance(value, str) else text
    return text
