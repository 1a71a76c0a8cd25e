"""Quoted spans in their text, a quote in its sentence, dates at their
precision and safe links (claimsdb.evidence), on real texts and on texts
Hypothesis makes up."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.evidence import (
    QuotedClaim,
    Span,
    annotated_paragraphs,
    date_at_precision,
    paragraph_ranges,
    quote_in_context,
    render_annotated_text,
    render_context,
    safe_href,
    segments,
)

# Letters outside the BMP and combining marks: positions are code points.
ALPHABET = st.sampled_from(list("ab .\n\n") + ["é", "😀", "\u0301", "\u00a0", "“", "”"])


@st.composite
def text_and_spans(draw):
    text = draw(st.text(ALPHABET, min_size=1, max_size=60))
    count = draw(st.integers(0, 8))
    spans = []
    for i in range(count):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(f"c{i}", start, end))
    return text, spans


def covering(spans, start, end):
    return frozenset(s.claim_id for s in spans if s.start <= start and end <= s.end)


@given(text_and_spans())
@settings(max_examples=300, deadline=None)
def test_segments_cover_the_text_once_each_knowing_its_claims(case):
    text, spans = case
    result = segments(text, spans)
    assert "".join(s.text for s in result) == text
    assert [s.start for s in result[1:]] == [s.end for s in result[:-1]]
    edges = {0, len(text)} | {s.start for s in spans} | {s.end for s in spans}
    for segment in result:
        assert segment.text and segment.text == text[segment.start:segment.end]
        assert segment.start in edges and segment.end in edges
        # The same claims cover every character of a segment.
        for position in range(segment.start, segment.end):
            assert covering(spans, position, position + 1) == segment.claims
    assert sorted(c for s in result for c in s.starting) == sorted(s.claim_id for s in spans)
    assert sorted(c for s in result for c in s.ending) == sorted(s.claim_id for s in spans)


@given(text_and_spans())
@settings(max_examples=300, deadline=None)
def test_paragraphs_keep_every_character_but_the_blank_lines_between_them(case):
    text, spans = case
    paragraphs = annotated_paragraphs(text, spans)
    kept = [seg for paragraph in paragraphs for seg in paragraph]
    for segment in kept:
        assert segment.text == text[segment.start:segment.end]
        if text.strip():  # (a text of white space only is one paragraph)
            assert not re.search(r"\n[^\S\n]*\n", segment.text), "a paragraph break inside a paragraph"
        for position in range(segment.start, segment.end):
            assert covering(spans, position, position + 1) == segment.claims
    dropped = "".join(text[a:b] for a, b in zip([s.end for s in kept[:-1]], [s.start for s in kept[1:]]))
    assert dropped.strip() == "", "only white space is dropped between paragraphs"
    assert re.sub(r"\s", "", "".join(s.text for s in kept)) == re.sub(r"\s", "", text)
    # Every claim keeps one anchor where it starts and one marker where it ends.
    assert sorted(c for s in kept for c in s.starting) == sorted(s.claim_id for s in spans)
    assert sorted(c for s in kept for c in s.ending) == sorted(s.claim_id for s in spans)


def test_overlapping_and_nested_quotes_split_into_segments():
    text = "one two three four five"
    spans = [Span("outer", 0, 18), Span("inner", 4, 7), Span("across", 8, 23)]
    got = [(s.text, sorted(s.claims)) for s in segments(text, spans)]
    assert got == [
        ("one ", ["outer"]),
        ("two", ["inner", "outer"]),
        (" ", ["outer"]),
        ("three four", ["across", "outer"]),
        (" five", ["across"]),
    ]


def test_paragraphs_are_the_text_between_blank_lines():
    text = "Title\n\nFirst line\nsecond line.\n\n\n  Last.\n"
    assert [text[a:b] for a, b in paragraph_ranges(text)] == ["Title", "First line\nsecond line.", "Last.\n"]


def claim(id, start, end, number, conflict=False, statement="s"):
    return QuotedClaim(id, start, end, number, statement, f"/claims/claims/{id}", conflict)


def test_annotated_text_marks_links_anchors_and_numbers_every_claim():
    text = "Alpha beta gamma.\n\nDelta <b>epsilon</b>."
    claims = [claim("a", 0, 10, 1), claim("b", 6, 10, 2), claim("c", 25, 40, 3, conflict=True)]
    html = str(render_annotated_text(text, claims, focus="b"))
    assert html.count("<p>") == 2
    for c in claims:
        assert f'id="quote-{c.id}"' in html
        assert f'href="/claims/claims/{c.id}"' in html
    assert '<mark class="span depth-2 focus" data-claims="a b"' in html
    assert '<a href="/claims/claims/b">beta</a>' in html  # the shortest quote wins the link
    assert 'class="span depth-1 conflict"' in html
    assert "&lt;b&gt;epsilon&lt;/b&gt;" in html and "<b>" not in html


def test_annotated_text_escapes_statements_in_titles():
    text = "some words"
    html = str(render_annotated_text(text, [claim("a", 0, 4, 1, statement='"><script>alert(1)</script>')]))
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html


@pytest.fixture(scope="module")
def seed_quotes(built_db):
    conn = sqlite3.connect(built_db)
    yield conn.execute("select c.id, s.text, c.quote_start, c.quote_end, c.quote from claims c join sources s on s.id = c.source_id").fetchall()
    conn.close()


def test_every_seed_quote_stands_in_its_whole_sentence(seed_quotes):
    for claim_id, text, start, end, quote in seed_quotes:
        context = quote_in_context(text, start, end)
        assert context.quote == quote, claim_id
        begin = start - len(context.before)
        assert text[begin:end + len(context.after)] == context.before + quote + context.after
        # It begins where a sentence or line begins and ends where one ends.
        assert begin == 0 or re.search(r"[.!?…][\"'”’)\]]*\s+$|\n\s*$", text[:begin]), (claim_id, text[max(0, begin - 20):begin])
        finish = end + len(context.after)
        assert finish == len(text) or text[finish] == "\n" or re.search(r"[.!?…][\"'”’)\]]*$", text[:finish]), (claim_id, context)


def test_the_more_than_30000_quote_in_its_sentence(seed_quotes):
    [(_, text, start, end, _)] = [row for row in seed_quotes if row[0] == "ant-executed-more-than-30000"]
    context = quote_in_context(text, start, end)
    assert context.before.startswith("The warning comes as in the past year")
    assert context.after == " in the span of a few months."
    assert str(render_context(context)).count("<mark") == 1


@pytest.mark.parametrize("text, quote, sentence", [
    ("He spoke. In a keynote, Mrs. Maryam Rajavi said so. Next.", "Maryam Rajavi", "In a keynote, Mrs. Maryam Rajavi said so."),
    ("Before. She called on the U.S. and Europe to act. After.", "Europe", "She called on the U.S. and Europe to act."),
    ("Headline\nIran, September 3, 2021—The figure rose", "figure", "Iran, September 3, 2021—The figure rose"),
    ("“We are concerned,” they wrote. Then.", "We are concerned", "“We are concerned,” they wrote."),
])
def test_sentence_boundaries(text, quote, sentence):
    start = text.index(quote)
    context = quote_in_context(text, start, start + len(quote))
    assert context.before + context.quote + context.after == sentence


def test_a_long_sentence_is_cut_at_words_with_ellipses():
    text = " ".join(["word"] * 300) + " QUOTE " + " ".join(["word"] * 300) + "."
    start = text.index("QUOTE")
    context = quote_in_context(text, start, start + 5)
    assert context.cut_before and context.cut_after
    assert context.before.startswith("word") and context.after.endswith("word")
    assert len(context.before) <= 400 and len(context.after) <= 400
    assert str(render_context(context)).startswith("… ")


@pytest.mark.parametrize("url, expected", [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"),
    ("http://example.org/", "http://example.org/"),
    ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\tscript:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("//example.org/", None),
    ("https://", None),
    ("https://example.org/\nx", None),
    ("", None),
    (None, None),
])
def test_only_http_and_https_addresses_become_links(url, expected):
    assert safe_href(url) == expected


@pytest.mark.parametrize("value, words", [
    (None, "unknown"),
    ("", "unknown"),
    ("2021", "2021 (year only)"),
    ("2021-09", "September 2021 (month only)"),
    ("2021-09-03", "3 September 2021"),
])
def test_dates_at_their_precision(value, words):
    assert date_at_precision(value) == words
