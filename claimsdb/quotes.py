"""Archived texts and the quotes found in them.

Positions are Unicode code points, half-open, as in the W3C Web Annotation
TextPositionSelector; prefix and suffix are its TextQuoteSelector context.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .files import Unreadable, read_inside

CONTEXT = 32

# Typography that differs between an editor's keyboard and a web page.
TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
    }
)
WHITESPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    prefix: str
    suffix: str


class QuoteNotFound(Exception):
    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold(text: str) -> tuple[str, list[int]]:
    """Text with typography folded, and for each folded character its index in ``text``."""
    translated = text.translate(TYPOGRAPHY)
    folded: list[str] = []
    origin: list[int] = []
    position = 0
    for match in WHITESPACE_RUN.finditer(translated):
        folded.append(translated[position:match.start()])
        origin.extend(range(position, match.start()))
        folded.append(" ")
        origin.append(match.start())
        position = match.end()
    folded.append(translated[position:])
    origin.extend(range(position, len(translated)))
    return "".join(folded), origin


INVISIBLE = re.compile(r"[\u00a0\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]")


def yaml_quoted(text: str) -> str:
    """A double-quoted YAML scalar that survives copy and paste from a terminal:
    visible characters as they are, invisible ones (no-break spaces) escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    return INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def occurrences(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def line_number(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def span_at(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])


def locate_quote(text: str, quote: str, occurrence: int | None, archive: str) -> Span:
    """Find ``quote`` in ``text``: exactly once, or the given occurrence."""
    found = occurrences(text, quote)
    if occurrence is not None:
        if occurrence > len(found):
            raise QuoteNotFound(
                f"`occurrence: {occurrence}` but the quote occurs {len(found)} time(s) in {archive}",
                "lower `occurrence` or remove it",
            )
        start = found[occurrence - 1]
        return span_at(text, start, start + len(quote))
    if len(found) == 1:
        return span_at(text, found[0], found[0] + len(quote))
    if len(found) > 1:
        lines = ", ".join(str(n) for n in sorted({line_number(text, i) for i in found}))
        raise QuoteNotFound(
            f"the quote occurs {len(found)} times in {archive} (lines {lines} of the archive)",
            "lengthen the quote until it is unique, or add `occurrence: N` (1 is the first)",
        )
    folded_text, origin = fold(text)
    folded_quote = fold(quote)[0].strip()
    matches = occurrences(folded_text, folded_quote) if folded_quote else []
    if matches:
        exact = [text[origin[m]:origin[m + len(folded_quote) - 1] + 1] for m in matches]
        shown = " | ".join(yaml_quoted(e) for e in exact)
        return_fix = (
            f"paste the archived text exactly: quote: {shown}"
            if len(exact) == 1
            else f"it matches {len(exact)} places; paste one exactly: {shown}"
        )
        raise QuoteNotFound(
            f"the quote is not in {archive} as written; it matches only after folding typography (quotes, dashes, spaces)",
            return_fix,
        )
    raise QuoteNotFound(
        f"the quote does not occur in {archive}",
        f"copy the words exactly from {archive}",
    )


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
