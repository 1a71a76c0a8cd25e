"""The evidence as a reader sees it: quoted spans inside their archived text,
a quote inside its sentence, dates at their precision, safe links.

Positions are Unicode code points, half-open (Python ``str`` indexes), as
``claims.quote_start``/``quote_end``. Everything that comes from a claim file
reaches HTML through ``markupsafe.escape`` (``Markup.format`` escapes its
arguments); nothing here concatenates unescaped data into markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

from . import calendars

# A paragraph break: a blank line (possibly holding spaces), and any white
# space that follows it.
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# The end of a sentence: final punctuation and any closing quotes or brackets,
# before white space and a word that does not start in lower case ("the U.S.
# and Europe" goes on), or before the end of the text; not after a title or an
# initial ("Mrs. Maryam Rajavi", "J. Smith"). A line break ends one too
# (headlines, datelines and page remnants carry no full stop).
ABBREVIATIONS = ["Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Sen", "Gen", "Gov", "Rep", "Rev", "Jr", "Sr", "No", "vs", "e.g", "i.e"]
NOT_AFTER = "".join(rf"(?<!\b{re.escape(word)})" for word in ABBREVIATIONS) + r"(?<!\b[A-Z])"
SENTENCE_END = re.compile(rf"{NOT_AFTER}[.!?…][\"'”’)\]]*(?=\s+[^a-z\s]|\s*\Z)|\n")
# How far the context of a quote may reach on either side before it is cut.
CONTEXT_LIMIT = 400
SAFE_SCHEMES = ("http://", "https://")
CONTROL = re.compile(r"[\x00-\x20\x7f]")


def safe_href(url: str | None) -> str | None:
    """``url`` when it may be used as a link (an http or https address with
    no white space or control characters), else None: shown as text only."""
    if not url or CONTROL.search(url):
        return None
    if not url.lower().startswith(SAFE_SCHEMES) or len(url) <= len("https://"):
        return None
    return url


# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the
# marks that set direction (U+200E, U+200F, U+061C): in HTML a field holding
# them is displayed inside <bdi>; where no markup can isolate it (a page
# title, an SVG label, an aria-label) they are dropped.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def without_bidi_controls(value: str | None) -> str | None:
    return value if value is None else BIDI_CONTROLS.sub("", value)


# Languages written right to left, by the primary subtag of their BCP 47 tag.
RIGHT_TO_LEFT = {"ar", "fa", "he", "ur", "ps", "ckb", "sd", "ug", "yi", "dv", "syr", "ku-arab", "az-arab"}


def direction(language: str | None) -> str:
    """'rtl' or 'ltr' for a BCP 47 tag: Persian (fa), Arabic (ar) and the other
    right-to-left languages, or a tag whose script subtag is Arab or Hebr."""
    if not language:
        return "auto"
    parts = language.lower().split("-")
    if parts[0] in RIGHT_TO_LEFT or "-".join(parts[:2]) in RIGHT_TO_LEFT or any(p in ("arab", "hebr", "syrc", "thaa") for p in parts[1:]):
        return "rtl"
    return "ltr"


def isolated(text: str | None) -> str:
    """Text wrapped in Unicode's first-strong isolate (U+2068 … U+2069), for
    places HTML's <bdi> cannot reach (SVG labels, titles): a Persian name in
    an English label keeps its order, and the label around it keeps its own."""
    return "" if text is None else f"\u2068{text}\u2069"


MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


async def publication_calendars(db) -> dict[str, str]:
    """Source id -> the calendar of its publication date, for the few sources
    dated in another calendar than the Gregorian (``db``: a Datasette
    database), for ``date_at_precision``."""
    found = await db.execute("select id, published_calendar from sources where published_calendar is not null and published_calendar != 'gregorian'")
    return {row["id"]: row["published_calendar"] for row in found.rows}


def date_at_precision(value: str | None, calendar: str | None = None) -> str:
    """A YYYY, YYYY-MM or YYYY-MM-DD date in words, at the precision it has;
    'unknown' when there is none. A date in another calendar than the
    Gregorian is named in it, with its Gregorian days: 'Mordad 1367 (Solar
    Hijri; 1988-07-23 to 1988-08-22)'."""
    if not value:
        return "unknown"
    if calendar and calendar != calendars.GREGORIAN:
        first, last = calendars.gregorian_days(calendar, value)
        days = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        return f"{calendars.date_in_words(calendar, value)} ({calendars.TITLES[calendar]}; {days})"
    parts = value.split("-")
    if len(parts) == 1:
        return f"{parts[0]} (year only)"
    if len(parts) == 2:
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]} (month only)"
    day = date.fromisoformat(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# Quoted spans ----------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One claim's quote in its source text."""

    claim_id: str
    start: int
    end: int


@dataclass
class Segment:
    """A run of text between two consecutive span boundaries: every character
    of it is covered by exactly the same claims."""

    start: int
    end: int
    text: str
    claims: frozenset[str]
    starting: list[str] = field(default_factory=list)  # claims whose quote starts here
    ending: list[str] = field(default_factory=list)  # claims whose quote ends here


def paragraph_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: the text between blank lines."""
    ranges, position = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > position:
            ranges.append((position, match.start()))
        position = match.end()
    if position < len(text):
        ranges.append((position, len(text)))
    return ranges


def segments(text: str, spans: Iterable[Span], cuts: Iterable[int] = ()) -> list[Segment]:
    """Split ``text`` at every span boundary (and at ``cuts``) into segments,
    each with the set of claims covering it. A sweep over the sorted
    boundaries: claims join the covering set where their quote starts and
    leave it where it ends, so overlapping and nested quotes need no special
    case."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    starts: dict[int, list[str]] = {}
    ends: dict[int, list[str]] = {}
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.claim_id)):
        starts.setdefault(span.start, []).append(span.claim_id)
    for span in sorted(spans, key=lambda s: (s.end, -s.start, s.claim_id)):
        ends.setdefault(span.end, []).append(span.claim_id)
    boundaries = sorted({0, len(text), *starts, *ends, *(c for c in cuts if 0 <= c <= len(text))})
    covering: set[str] = set()
    result: list[Segment] = []
    for left, right in zip(boundaries, boundaries[1:]):
        covering.difference_update(ends.get(left, ()))
        covering.update(starts.get(left, ()))
        result.append(Segment(left, right, text[left:right], frozenset(covering), list(starts.get(left, ()))))
    for segment in result:
        segment.ending = list(ends.get(segment.end, ()))
    return result


def annotated_paragraphs(text: str, spans: Iterable[Span]) -> list[list[Segment]]:
    """The text's paragraphs, each as its segments. The blank lines between
    paragraphs carry no segment; a quote that runs across them is split into
    one segment per paragraph."""
    paragraphs = paragraph_ranges(text) or [(0, len(text))]
    cuts = [edge for paragraph in paragraphs for edge in paragraph]
    all_segments = segments(text, spans, cuts)
    result: list[list[Segment]] = []
    index = 0
    for start, end in paragraphs:
        while index < len(all_segments) and all_segments[index].start < start:
            index += 1  # a segment of the break between paragraphs
        paragraph = []
        while index < len(all_segments) and all_segments[index].end <= end:
            paragraph.append(all_segments[index])
            index += 1
        result.append(paragraph)
    # A quote starting or ending inside a paragraph break is anchored at the
    # nearest paragraph edge, so every claim keeps its anchor and its marker.
    placed_starts = {c for p in result for s in p for c in s.starting}
    placed_ends = {c for p in result for s in p for c in s.ending}
    for segment in all_segments:
        for claim in segment.starting:
            if claim not in placed_starts:
                first = next((s for p in result for s in p if s.start >= segment.start), None) or result[-1][-1]
                first.starting.append(claim)
                placed_starts.add(claim)
        for claim in segment.ending:
            if claim not in placed_ends:
                last = next((s for p in reversed(result) for s in reversed(p) if s.end <= segment.end), None) or result[0][0]
                last.ending.append(claim)
                placed_ends.add(claim)
    return result


@dataclass(frozen=True)
class QuotedClaim:
    """What the source page needs to know of a claim quoted in the text."""

    id: str
    start: int
    end: int
    number: int  # its place in the text, 1 first
    statement: str
    url: str
    in_conflict: bool  # contradicts or differs in scope from a claim of another source


def render_annotated_text(text: str, claims: list[QuotedClaim], focus: str | None = None) -> Markup:
    """The whole archived text as HTML paragraphs: every quoted span marked
    and linked to its claim (a segment covered by several quotes links to the
    shortest of them; each claim also gets a numbered marker where its quote
    ends, so a quote nested inside another stays reachable), an anchor
    ``quote-<claim id>`` where each quote starts, text with no claim left
    plain."""
    if not text:
        return Markup("")
    by_id = {claim.id: claim for claim in claims}
    paragraphs = annotated_paragraphs(text, [Span(c.id, c.start, c.end) for c in claims])
    html = []
    for paragraph in paragraphs:
        parts = []
        for segment in paragraph:
            for claim_id in segment.starting:
                parts.append(Markup('<span class="anchor" id="quote-{}"></span>').format(claim_id))
            if segment.claims:
                covering = sorted((by_id[c] for c in segment.claims), key=lambda c: c.number)
                innermost = min(covering, key=lambda c: (c.end - c.start, c.number))
                classes = ["span", f"depth-{min(len(covering), 3)}"]
                if any(c.in_conflict for c in covering):
                    classes.append("conflict")
                if focus in segment.claims:
                    classes.append("focus")
                title = "\n".join(f"Claim {c.number}: {c.statement}" for c in covering)
                parts.append(Markup('<mark class="{}" data-claims="{}" title="{}"><a href="{}">{}</a></mark>').format(
                    " ".join(classes), " ".join(c.id for c in covering), title, innermost.url, segment.text))
            else:
                parts.append(escape(segment.text))
            for claim_id in sorted(segment.ending, key=lambda c: by_id[c].number):
                claim = by_id[claim_id]
                parts.append(Markup('<a class="marker" href="{}" title="Claim {}: {}" aria-label="claim {}">{}</a>').format(
                    claim.url, claim.number, claim.statement, claim.number, claim.number))
        html.append(Markup("<p>{}</p>").format(Markup("").join(parts)))
    return Markup("\n").join(html)


# A quote in its sentence -----------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """A quote with the rest of the sentence(s) it stands in."""

    before: str
    quote: str
    after: str
    cut_before: bool  # the sentence was longer than CONTEXT_LIMIT before the quote
    cut_after: bool


def sentence_bounds(text: str, start: int, end: int, limit: int = CONTEXT_LIMIT) -> tuple[int, int, bool, bool]:
    """Where the sentence holding ``text[start]`` begins and the one holding
    ``text[end - 1]`` ends, at most ``limit`` code points away (then cut at a
    word boundary); and whether each side was cut."""
    lower = max(0, start - limit)
    begin = lower
    for match in SENTENCE_END.finditer(text, lower):
        if match.end() > start:
            break
        begin = match.end()
    cut_before = begin == lower and lower > 0
    if cut_before:
        space = re.search(r"\s", text[begin:start])
        begin = begin + space.end() if space else start
    while begin < start and text[begin].isspace():
        begin += 1

    upper = min(len(text), end + limit)
    match = SENTENCE_END.search(text, max(start, end - 1))
    cut_after = False
    if match and match.start() < upper:
        finish = max(end, match.start() if match.group() == "\n" else match.end())
    else:
        finish = upper
        cut_after = upper < len(text)
        if cut_after:
            spaces = [m.start() for m in re.finditer(r"\s", text[end:upper])]
            finish = end + spaces[-1] if spaces else end
    return begin, finish, cut_before, cut_after


def quote_in_context(text: str, start: int, end: int) -> Context:
    begin, finish, cut_before, cut_after = sentence_bounds(text, start, end)
    return Context(text[begin:start], text[start:end], text[end:finish], cut_before, cut_after)


def render_context(context: Context) -> Markup:
    """The sentence(s) with the quote marked, ellipses where they were cut."""
    return Markup('{}{}<mark class="quote">{}</mark>{}{}').format(
        "… " if context.cut_before else "", context.before, context.quote, context.after, " …" if context.cut_after else "")
