"""Interval semantics of figures and dates, and relations between claims.

How wording maps to an interval is data (``value_semantics`` in
measures.yml); this module only interprets that table.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass
from datetime import date

from .model import BOUND_PATTERN, ValueSemantics

INF = math.inf
NUMBER = r"\d[\d,]*(?:\.\d+)?"
MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER_WITH_MULTIPLIER = re.compile(rf"({NUMBER})(?:\s+(thousand|million|billion))?")


class ValueNotUnderstood(ValueError):
    """The wording of a figure or a date bound is not in the published table."""


@dataclass(frozen=True)
class Interval:
    """A closed, open or half-open interval of numbers; None is unbounded."""

    low: float | None
    high: float | None
    low_closed: bool = True
    high_closed: bool = True

    def __post_init__(self):
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"empty interval {self}")

    @property
    def lo(self) -> float:
        return -INF if self.low is None else self.low

    @property
    def hi(self) -> float:
        return INF if self.high is None else self.high

    def __str__(self) -> str:
        left = "[" if self.low is not None and self.low_closed else "("
        right = "]" if self.high is not None and self.high_closed else ")"
        low = "-∞" if self.low is None else format_number(self.low)
        high = "∞" if self.high is None else format_number(self.high)
        return f"{left}{low}, {high}{right}"


def format_number(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"


def parse_number(text: str) -> float:
    match = NUMBER_WITH_MULTIPLIER.fullmatch(text.strip())
    if not match:
        raise ValueNotUnderstood(text)
    number = float(match[1].replace(",", ""))
    if match[2]:
        number *= MULTIPLIERS[match[2]]
    return number


def normalise_wording(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").lower().split())


def interval_for_value(value_text: str, semantics: ValueSemantics) -> tuple[Interval, str]:
    """The interval a figure as written denotes, and the comparator that gave it."""
    wording = normalise_wording(value_text)
    for vague in semantics.vague_quantities:
        if wording == normalise_wording(vague.wording):
            return Interval(vague.low, vague.high, True, vague.high is None), vague.wording
    between = re.fullmatch(rf"(?:between\s+)?({NUMBER}(?:\s+\w+)?)\s*(?:and|to|-|–|—)\s*({NUMBER}(?:\s+\w+)?)", wording)
    if between:
        try:
            a, b = parse_number(between[1]), parse_number(between[2])
        except ValueNotUnderstood:
            pass
        else:
            if a > b:
                raise ValueNotUnderstood(f"the range {value_text!r} runs from a larger to a smaller number")
            return Interval(a, b), "between"
    by_length = sorted(
        ((normalise_wording(w), c) for c in semantics.comparators for w in c.wordings),
        key=lambda pair: -len(pair[0]),
    )
    for prefix, comparator in by_length:
        if prefix and not wording.startswith(prefix + " "):
            continue
        rest = wording[len(prefix):].strip()
        try:
            n = parse_number(rest)
        except ValueNotUnderstood:
            continue
        t = semantics.about_tolerance * n
        intervals = {
            "[n, n]": Interval(n, n),
            "[n-t, n+t]": Interval(n - t, n + t),
            "[n, inf)": Interval(n, None, True, False),
            "(n, inf)": Interval(n, None, False, False),
            "[0, n]": Interval(0, n),
            "[0, n)": Interval(0, n, True, False),
        }
        if comparator.interval in intervals:
            return intervals[comparator.interval], comparator.comparator
    raise ValueNotUnderstood(value_text)


def explicit_interval(low, high, low_exclusive: bool, high_exclusive: bool) -> Interval:
    return Interval(low, high, not low_exclusive, not high_exclusive)


# Periods --------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    first: date
    last: date
    precision: str  # "year", "month", "day" or the qualifier


def parse_bound(text: str, semantics: ValueSemantics) -> Bound:
    match = BOUND_PATTERN.match(str(text))
    if not match:
        raise ValueNotUnderstood(text)
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    qualifier = match["qualifier"]
    if qualifier is None:
        if day is not None:
            d = date(year, month, day)
            return Bound(d, d, "day")
        if month is not None:
            return Bound(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")
        return Bound(date(year, 1, 1), date(year, 12, 31), "year")
    known = {q.qualifier: q for q in semantics.period_qualifiers}
    if qualifier not in known:
        raise ValueNotUnderstood(f"the qualifier {qualifier!r} is not in measures.yml (known: {', '.join(sorted(known))})")
    q = known[qualifier]
    if q.applies_to == "month":
        if month is None or day is not None:
            raise ValueNotUnderstood(f"{qualifier!r} qualifies a month: write it as '{qualifier} YYYY-MM'")
        last_day = calendar.monthrange(year, month)[1]
        last = last_day if q.last == "end" else int(q.last)
        return Bound(date(year, month, int(q.first)), date(year, month, min(last, last_day)), qualifier)
    if month is not None:
        raise ValueNotUnderstood(f"{qualifier!r} qualifies a year: write it as '{qualifier} YYYY'")
    first_month, first_day = (int(part) for part in q.first.split("-"))
    last_month, last_day = (int(part) for part in q.last.split("-"))
    return Bound(date(year, first_month, first_day), date(year, last_month, last_day), qualifier)


@dataclass(frozen=True)
class Period:
    start: Bound
    end: Bound

    @property
    def first(self) -> date:
        return self.start.first

    @property
    def last(self) -> date:
        return self.end.last

    def __str__(self) -> str:
        return f"[{self.first.isoformat()}, {self.last.isoformat()}]"


def period_for_bounds(start: str, end: str, semantics: ValueSemantics) -> Period:
    period = Period(parse_bound(start, semantics), parse_bound(end, semantics))
    if period.first > period.last:
        raise ValueNotUnderstood(f"the period starts ({period.first}) after it ends ({period.last})")
    return period
