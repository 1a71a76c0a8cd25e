"""The claim files' YAML reader (claimsdb.yamlfile) builds, from libyaml's
events, the data PyYAML's safe loader builds (dates kept as strings), and
the line of every key and item that the composed node tree gives."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.yamlfile import ClaimFileLoader, parse_yaml

keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
                    st.sampled_from(["1988-07-19", "1988-07", "yes", "017", "~", "null", "1:30", "0x11", "'quoted'"]))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=25)


def composed_lines(text: str) -> dict:
    """The line of every key and item, from PyYAML's composed nodes."""
    found = {}

    def walk(node, path):
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                found[path + (index,)] = item.start_mark.line + 1
                walk(item, path + (index,))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                found[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))

    node = yaml.compose(text, Loader=ClaimFileLoader)
    if node is not None:
        found[()] = node.start_mark.line + 1
        walk(node, ())
    return found


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_the_reader_builds_what_the_safe_loader_builds_with_every_line(document, flow):
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    parsed = parse_yaml(text)
    assert parsed.errors == []
    assert parsed.data == yaml.load(text, Loader=ClaimFileLoader)
    assert parsed.lines == composed_lines(text)


def test_a_second_document_is_refused_like_the_composer_refuses_it():
    parsed = parse_yaml("a: 1\n---\nb: 2\n")
    assert parsed.data is None
    assert parsed.errors == [(2, "YAML syntax error: expected a single document in the stream, but found another document", "fix the YAML at this line")]


def test_aliases_are_the_only_problems_reported_when_there_are_any():
    parsed = parse_yaml("a: &x 1\nb: *x\nb: 2\nc: !!python/object x\n")
    assert parsed.data is None
    assert parsed.errors == [(2, "YAML aliases (*name) are not allowed in claim files", "write the value out in full")]
