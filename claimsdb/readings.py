"""Two readings of every figure: the interval its words entail and the
narrower one they suggest, in exact decimal arithmetic.

How wording maps to an interval is data (``value_semantics`` in
measures.yml): comparators, ranges, multipliers and vague quantities. This
module only interprets that table; it holds no wording of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .model import ValueSemantics
from .folding import FOLDINGS
from .numerals import latin_digits

# The folding table's Arabic-script rows (not its typography: a dash is a range's).
WORDING_FOLDS = str.maketrans({row.character: row.folds_to for row in FOLDINGS if row.kind in ("letter-form", "joiner", "tatweel", "diacritic")})

MINUS_INFINITY = Decimal("-Infinity")
INFINITY = Decimal("Infinity")
MAX_SIGNIFICANT_DIGITS = 15

# A well-formed number: thousands separators group three digits, '.' is the decimal point.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# Anything that looks like a number, well formed or not ("1,5", "3,,,,0", "12,34").
NUMBER_LIKE = re.compile(r"\d[\d,.]*")


class ValueNotUnderstood(ValueError):
    """The wording of a figure or a date bound is not in the published table."""


class FigureRefused(ValueNotUnderstood):
    """A figure the table could read, but whose number is malformed or too
    long to be kept exactly: (what is wrong, what to do)."""

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what, self.fix = what, fix


def to_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # 0.1 is 0.1, not 0.1000000000000000055…
    return Decimal(value)


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of numbers: closed, open or half-open ends; None is unbounded.

    Flags are normalised, so equal sets are equal objects: an unbounded end
    is never 'closed', and (5, ∞) written as `low: 5, low_exclusive: true`
    equals 'more than 5'."""

    low: Decimal | None
    high: Decimal | None
    low_closed: bool = True
    high_closed: bool = True
    # The ends as numbers (∓∞ when unbounded), kept for comparing: figures are compared in many pairs.
    lo: Decimal = field(init=False, repr=False, compare=False)
    hi: Decimal = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        low, high = to_decimal(self.low), to_decimal(self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        if low is None:
            object.__setattr__(self, "low_closed", False)
        if high is None:
            object.__setattr__(self, "high_closed", False)
        object.__setattr__(self, "lo", MINUS_INFINITY if low is None else low)
        object.__setattr__(self, "hi", INFINITY if high is None else high)
        if low is not None and high is not None and (low > high or (low == high and not (self.low_closed and self.high_closed))):
            raise ValueError(f"empty interval {self}")

    @property
    def is_point(self) -> bool:
        return self.low is not None and self.low == self.high

    def __str__(self) -> str:
        left = "[" if self.low_closed else "("
        right = "]" if self.high_closed else ")"
        low = "-∞" if self.low is None else format_number(self.low)
        high = "∞" if self.high is None else format_number(self.high)
        return f"{left}{low}, {high}{right}"


def format_number(value) -> str:
    """30000 → '30,000'; 27000.0 → '27,000'; 1.21 → '1.21'."""
    value = to_decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def in_words(interval: Interval) -> str:
    """The interval as a reader says it: 'at least 2,000', 'from 27,000 to 33,000'."""
    low, high = interval.low, interval.high
    if interval.is_point:
        return f"exactly {format_number(low)}"
    if low is not None and low == 0 and interval.low_closed:
        low = None  # counts: no lower bound but zero
    lower = None if low is None else ("at least " if interval.low_closed else "more than ") + format_number(low)
    upper = None if high is None else ("at most " if interval.high_closed else "fewer than ") + format_number(high)
    if lower and upper:
        if interval.low_closed and interval.high_closed:
            return f"from {format_number(low)} to {format_number(high)}"
        return f"{lower} and {upper}"
    return lower or upper or "any number"


def significant_digits(value: Decimal) -> int:
    """Digits from the first to the last one written (integer zeros count)."""
    _, digits, exponent = value.normalize().as_tuple()
    return len(digits) + max(exponent, 0)


# Reading wording ---------------------------------------------------------------


class Reading(NamedTuple):
    """What a figure as written denotes: the interval its words entail, the
    (narrower or equal) interval they suggest, and the rule of the table that gave both."""

    entailed: Interval
    suggested: Interval
    rule: str


def normalise_wording(text: str) -> str:
    """Case and spacing folded; Persian and Arabic-Indic digits and separators
    as Latin ones; Arabic-script letter forms, zero-width non-joiners, tatweel
    and diacritics as the folding table gives them (دست‌کم is دست کم, ي is ی),
    so a wording of the table matches however a keyboard wrote it."""
    text = latin_digits(text)
    if not text.isascii():
        text = text.translate(WORDING_FOLDS)
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").lower().split())


def shape(notation: str, n: Decimal, t: Decimal, r: Decimal, a: Decimal | None = None, b: Decimal | None = None) -> Interval:
    """The interval a notation of the table ('[n-t, n+t]', '(n, r*n)') gives for n."""
    shapes = {
        "[n, n]": (n, n, True, True),
        "[n-t, n+t]": (n - t * n, n + t * n, True, True),
        "[n, inf)": (n, None, True, False),
        "(n, inf)": (n, None, False, False),
        "[0, n]": (0, n, True, True),
        "[0, n)": (0, n, True, False),
        "[n, r*n)": (n, r * n, True, False),
        "(n, r*n)": (n, r * n, False, False),
        "[n/r, n]": (n / r, n, True, True),
        "[n/r, n)": (n / r, n, True, False),
        "[a, b]": (a, b, True, True),
    }
    return Interval(*shapes[notation])


def range_pattern(template: str, number: str) -> re.Pattern:
    """'between {a} and {b}' as a pattern; around a dash ('{a}–{b}') spaces are optional."""
    parts = []
    for part in re.split(r"(\{a\}|\{b\})", normalise_wording(template)):
        if part in ("{a}", "{b}"):
            parts.append(f"(?P<{part[1]}>{number})")
        elif part.strip() in ("-", "–", "—"):
            parts.append(f" ?{re.escape(part.strip())} ?")
        else:
            parts.append(re.escape(part))
    return re.compile("".join(parts))


ENGLISH = "en"


def wordings_language(semantics: ValueSemantics, language: str | None) -> str:
    """The language of the table whose wordings read a source in ``language``
    (a BCP 47 tag): its primary subtag, or English when the table has no
    wordings in it."""
    primary = (language or ENGLISH).split("-")[0].lower()
    entries = [*semantics.comparators, *semantics.vague_quantities, *semantics.multipliers]
    return primary if any(entry.language == primary for entry in entries) else ENGLISH


class ValueReader:
    """The value_semantics table compiled once for one language: vague words
    to their two readings, and one pattern for every comparator, range and
    multiplier."""

    def __init__(self, semantics: ValueSemantics, language: str = ENGLISH):
        self.tolerance = to_decimal(semantics.about_tolerance)
        self.ratio = to_decimal(semantics.suggestion_ratio)
        self.multipliers = {normalise_wording(m.wording): to_decimal(m.factor) for m in semantics.multipliers if m.language == language}
        self.vague = {}
        for vague in (v for v in semantics.vague_quantities if v.language == language):
            entailed = Interval(vague.low, vague.high, True, False)
            suggested = Interval(
                vague.low if vague.suggested_low is None else vague.suggested_low,
                vague.high if vague.suggested_high is None else vague.suggested_high, True, False,
            )
            self.vague[normalise_wording(vague.wording)] = Reading(entailed, suggested, vague.wording)
        multiplier = "|".join(map(re.escape, sorted(self.multipliers, key=len, reverse=True)))
        number = rf"{NUMBER}(?: (?:{multiplier}))?" if multiplier else NUMBER
        self.prefixed: dict[str, object] = {}
        self.ranges: list[tuple[re.Pattern, object]] = []
        for comparator in (c for c in semantics.comparators if c.language == language):
            for wording in comparator.wordings:
                if "{a}" in wording:
                    self.ranges.append((range_pattern(wording, number), comparator))
                else:
                    self.prefixed[normalise_wording(wording)] = comparator
        prefixes = sorted((w for w in self.prefixed if w), key=len, reverse=True)
        self.pattern = re.compile(rf"(?:({'|'.join(map(re.escape, prefixes))}) )?({number})")
        self.memo: dict[str, Reading] = {}

    def number(self, text: str, value_text: str) -> Decimal:
        digits, _, word = text.partition(" ")
        number = Decimal(digits.replace(",", "")) * (self.multipliers[word] if word else 1)
        if significant_digits(Decimal(digits.replace(",", ""))) > MAX_SIGNIFICANT_DIGITS or significant_digits(number) > MAX_SIGNIFICANT_DIGITS:
            raise FigureRefused(
                f"the figure {value_text!r} has more than {MAX_SIGNIFICANT_DIGITS} significant digits, more than the database keeps exactly",
                f"round it to {MAX_SIGNIFICANT_DIGITS} significant digits or fewer, or give `low:`/`high:` explicitly and say why in `note:`",
            )
        return number

    def read(self, value_text: str) -> Reading:
        wording = normalise_wording(value_text)
        found = self.memo.get(wording)
        if found is None:
            found = self.memo[wording] = self.read_wording(wording, value_text)
            if len(self.memo) > 100_000:  # a corpus of a million distinct figures
                self.memo.clear()
        return found

    def read_wording(self, wording: str, value_text: str) -> Reading:
        if wording in self.vague:
            return self.vague[wording]
        for token in NUMBER_LIKE.finditer(wording):
            text = token[0]
            if not re.fullmatch(NUMBER, text):
                raise FigureRefused(
                    f"the figure {value_text!r} has a malformed number {text!r}",
                    "group thousands by three with commas and write decimals with a point (30,000; 1.5 million), "
                    "or give `low:`/`high:` explicitly",
                )
        match = self.pattern.fullmatch(wording)
        if match and (match[1] or "") in self.prefixed:
            comparator = self.prefixed[match[1] or ""]
            n = self.number(match[2], value_text)
            entailed = shape(comparator.interval, n, self.tolerance, self.ratio)
            suggested = shape(comparator.suggests, n, self.tolerance, self.ratio) if comparator.suggests else entailed
            return Reading(entailed, suggested, comparator.comparator)
        for pattern, comparator in self.ranges:
            match = pattern.fullmatch(wording)
            if match:
                a, b = self.number(match["a"], value_text), self.number(match["b"], value_text)
                if a > b:
                    raise FigureRefused(
                        f"the range {value_text!r} is reversed: {format_number(a)} is more than {format_number(b)}",
                        "write the smaller number first, or check that both numbers are as the source gives them",
                    )
                interval = Interval(a, b)
                return Reading(interval, interval, comparator.comparator)
        raise ValueNotUnderstood(value_text)


_readers: dict = {}


def reading_of(value_text: str, semantics: ValueSemantics, language: str | None = None) -> Reading:
    """The two readings of a figure as written, through the published table's
    wordings in the language of its source (a BCP 47 tag; English by default)."""
    table_language = wordings_language(semantics, language)
    key = (id(semantics), table_language)
    entry = _readers.get(key)
    if entry is None or entry[0] is not semantics:
        entry = _readers[key] = (semantics, ValueReader(semantics, table_language))
    return entry[1].read(value_text)


def explicit_reading(low, high, low_exclusive: bool, high_exclusive: bool) -> Reading:
    """An interval the editor gives (`low:`/`high:`): both readings are it.
    Figures count, so no lower bound is zero."""
    low = 0 if low is None else low
    interval = Interval(low, high, not low_exclusive, not high_exclusive)
    return Reading(interval, interval, "explicit")
