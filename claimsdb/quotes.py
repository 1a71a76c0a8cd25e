"""Archived texts and the quotes found in them.

Positions are Unicode code points, half-open, as in the W3C Web Annotation
TextPositionSelector; prefix and suffix are its TextQuoteSelector context.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path

from .files import Unreadable, hash_inside, read_inside
from .folding import FOLD, differences, in_words
from .yamlfile import yaml_quoted

CONTEXT = 32

class Span(NamedTuple):
    """Where a quote stands in its archive: code points, half-open."""

    start: int
    end: int


class QuoteNotFound(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold(text: str, case: bool = False) -> tuple[str, list[int]]:
    """Text folded by the folding table (curly quotes, dashes, no-break
    spaces, Arabic-script letter forms, zero-width non-joiners, tatweel,
    diacritics, digits), runs of white space made one space (and letter case
    folded when ``case``), and for each folded character its index in
    ``text``, so a match in the folded text maps back to the exact archived
    words."""
    folded: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, original in enumerate(text):
        char = FOLD.get(original, original)
        if not char:  # tatweel and diacritics: no letter of their own
            continue
        if char.isspace():  # what \s matches in str patterns
            if not in_space:
                folded.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        # lower() may give more than one character ("İ"): each keeps its origin.
        for lowered in (char.lower() if case else char):
            folded.append(lowered)
            origin.append(index)
    return "".join(folded), origin


def folded_matches(text: str, words: str, case: bool = False) -> list[tuple[int, int]]:
    """Spans of ``text`` whose folded form is the folded ``words``."""
    folded_text, origin = fold(text, case)
    folded_words = fold(words, case)[0].strip()
    if not folded_words:
        return []
    spans = []
    for m in occurrences(folded_text, folded_words):
        end = origin[m + len(folded_words) - 1] + 1
        # Marks folded away after the last letter belong to it (a shadda, a tanwin).
        while end < len(text) and FOLD.get(text[end]) == "":
            end += 1
        spans.append((origin[m], end))
    return spans


def occurrences(text: str, needle: str) -> list[int]:
    """Every start of ``needle`` in ``text``, overlapping ones too."""
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


WORD = re.compile(r"\w+")


class TextSearch:
    """``occurrences(text, needle)`` for the many needles of one text.

    Each quote is looked for in the whole of its archive (to know that it
    occurs once): scanned for, a source's quotes cost its claims times its
    text's length (at 6,000 claims a source, 19 times what they cost at
    20; 1.4 times with this index, bench/results/source_size.md). Past a
    few needles a long text is indexed once by its words (maximal runs of
    ``\\w``), and a needle is looked for only where the rarest of its
    whole words stands. A word with a non-word character on either side
    inside the needle is a whole word of the text wherever the needle
    occurs, so no occurrence is missed; a needle without one (a single
    word, perhaps part of a longer one in the text) is scanned for."""

    SCANS = 16  # needles scanned for before a long text is indexed
    LONG = 20_000  # characters; a shorter text is scanned, cheaply, for every needle

    def __init__(self, text: str):
        self.text = text
        self.scanned = 0
        self.words: dict[str, list[int]] | None = None

    def __call__(self, needle: str) -> list[int]:
        if self.words is None:
            if len(self.text) < self.LONG or self.scanned < self.SCANS:
                self.scanned += 1
                return occurrences(self.text, needle)
            self.words = {}
            for match in WORD.finditer(self.text):
                self.words.setdefault(match.group(), []).append(match.start())
        whole = [m for m in WORD.finditer(needle) if m.start() > 0 and m.end() < len(needle)]
        if not whole:
            return occurrences(self.text, needle)
        rarest = min(whole, key=lambda m: len(self.words.get(m.group(), ())))
        offset = rarest.start()
        return [at - offset for at in self.words.get(rarest.group(), ())
                if at >= offset and self.text.startswith(needle, at - offset)]


def line_number(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def line_numbers(text: str):
    """``line_number(text, index)`` for many indexes of one text: the line
    breaks are found once, not counted again from the start for each index
    (a 2 MB report has tens of thousands of candidates)."""
    breaks = [match.start() for match in re.finditer("\n", text)]
    return lambda index: bisect.bisect_left(breaks, index) + 1


def context(text: str, span: Span) -> tuple[str, str]:
    """Up to CONTEXT characters either side of the span (TextQuoteSelector
    prefix and suffix), sliced when needed rather than kept for every claim."""
    return text[max(0, span.start - CONTEXT):span.start], text[span.end:span.end + CONTEXT]


def locate_quote(text: str, quote: str, occurrence: int | None, archive: str, what: str = "the quote", field: str = "quote",
                 search: TextSearch | None = None) -> Span:
    """Find ``quote`` in ``text``: exactly once, or the given occurrence.
    ``what`` and ``field`` name it in the messages (not-a-claim texts are
    located the same way); ``search``, a TextSearch of ``text``, finds it
    faster when the text has many quotes."""
    found = search(quote) if search is not None else occurrences(text, quote)
    if occurrence is not None:
        if occurrence > len(found):
            raise QuoteNotFound(
                f"`occurrence: {occurrence}` but {what} occurs {len(found)} time(s) in {archive}",
                "lower `occurrence` or remove it",
            )
        start = found[occurrence - 1]
        return Span(start, start + len(quote))
    if len(found) == 1:
        return Span(found[0], found[0] + len(quote))
    if len(found) > 1:
        lines = ", ".join(str(n) for n in sorted({line_number(text, i) for i in found}))
        raise QuoteNotFound(
            f"{what} occurs {len(found)} times in {archive} (lines {lines} of the archive)",
            f"lengthen {what} until it is unique, or add `occurrence: N` (1 is the first)",
        )
    matches = folded_matches(text, quote)
    if matches:
        shown = " | ".join(yaml_quoted(text[start:end]) for start, end in matches)
        return_fix = (
            f"paste the archived text exactly: {field}: {shown}"
            if len(matches) == 1
            else f"it matches {len(matches)} places; paste one exactly: {shown}"
        )
        folded_away = in_words(differences(quote, " ".join(text[start:end] for start, end in matches)))
        raise QuoteNotFound(
            f"{what} is not in {archive} as written; it matches only after folding {folded_away}",
            return_fix,
        )
    raise QuoteNotFound(
        f"{what} does not occur in {archive}",
        f"copy the words exactly from {archive}",
    )


@dataclass(frozen=True)
class Hit:
    """Where words occur in an archive, for `claimsdb locate`."""

    start: int
    end: int
    exact: bool  # False: matched only with typography and case folded
    occurrence: int  # which occurrence of the archived words this is (1 is the first)
    of: int  # how many times the archived words occur

    def words(self, text: str) -> str:
        return text[self.start:self.end]


def find_words(text: str, words: str) -> list[Hit]:
    """Every place ``words`` occur in ``text``: exactly, or failing that with
    typography and letter case folded."""
    spans = [(start, start + len(words)) for start in occurrences(text, words)] if words else []
    exact = bool(spans)
    if not exact:
        spans = folded_matches(text, words, case=True)
    hits = []
    for start, end in spans:
        archived = occurrences(text, text[start:end])
        hits.append(Hit(start, end, exact, archived.index(start) + 1, len(archived)))
    return hits


def archive_problem(claims_dir: Path, archive: str) -> tuple[bytes | None, str | None, str | None]:
    """Read an archive that must lie inside claims/sources/: (bytes, problem, fix)."""
    # The real claims/ plus "sources": a claims/sources that is itself a
    # symbolic link to elsewhere is outside too.
    sources_dir = claims_dir.resolve() / "sources"
    try:
        data = read_inside(claims_dir / archive, sources_dir, "claims/sources/", f"archive {archive}", "copy the source text to claims/" + archive)
    except Unreadable as error:
        return None, error.what, error.fix
    return data, None, None


def original_sha256(claims_dir: Path, original: str) -> str:
    """SHA-256 of an original inside claims/sources/originals/, read as a
    stream; raises Unreadable."""
    root = claims_dir.resolve() / "sources" / "originals"
    return hash_inside(claims_dir / original, root, "claims/sources/originals/", f"original {original}",
                       "restore the original to claims/" + original + " (it is the evidence the archived text was extracted from)")


def decode_archive(data: bytes, archive: str) -> tuple[str | None, str | None, str | None]:
    """The archived text, or why it cannot be used as evidence."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, f"{archive} starts with a byte-order mark", "archive the text as UTF-8 without a byte-order mark"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, f"{archive} is not UTF-8 (byte 0x{data[error.start]:02x} at line {line} of the archive)", "archive the text as UTF-8"
    if "\r\n" in text:
        return None, f"{archive} has CRLF line ends", "archive the text with LF line ends (quote positions count code points)"
    return text, None, None
