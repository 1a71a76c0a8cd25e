"""Interval semantics of figures and dates, and relations between claims.

How wording maps to an interval is data (``value_semantics`` in
measures.yml); this module only interprets that table.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date

from . import calendars
from .model import BOUND_PATTERN, ValueSemantics
from .problems import Deferred

INF = math.inf
NUMBER = r"\d[\d,]*(?:\.\d+)?"
MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
NUMBER_WITH_MULTIPLIER = re.compile(rf"({NUMBER})(?:\s+(thousand|million|billion))?")


class ValueNotUnderstood(ValueError):
    """The wording of a figure or a date bound is not in the published table."""


@dataclass(frozen=True, slots=True)
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


class ValueReader:
    """The value_semantics table compiled once: vague words to intervals, and
    one pattern for every comparator wording before a number."""

    def __init__(self, semantics: ValueSemantics):
        self.tolerance = semantics.about_tolerance
        self.vague = {normalise_wording(v.wording): (Interval(v.low, v.high, True, v.high is None), v.wording) for v in semantics.vague_quantities}
        self.by_wording = {normalise_wording(w): c for c in semantics.comparators for w in c.wordings}
        prefixes = sorted((w for w in self.by_wording if w), key=len, reverse=True)
        self.pattern = re.compile(rf"(?:({'|'.join(map(re.escape, prefixes))}) )?({NUMBER}(?: (?:thousand|million|billion))?)")
        self.between = re.compile(rf"(?:between\s+)?({NUMBER}(?:\s+\w+)?)\s*(?:and|to|-|–|—)\s*({NUMBER}(?:\s+\w+)?)")

    def read(self, value_text: str) -> tuple[Interval, str]:
        wording = normalise_wording(value_text)
        if wording in self.vague:
            return self.vague[wording]
        match = self.pattern.fullmatch(wording)
        if match and (match[1] or "") in self.by_wording:
            comparator = self.by_wording[match[1] or ""]
            n = parse_number(match[2])
            t = self.tolerance * n
            shapes = {
                "[n, n]": (n, n, True, True),
                "[n-t, n+t]": (n - t, n + t, True, True),
                "[n, inf)": (n, None, True, False),
                "(n, inf)": (n, None, False, False),
                "[0, n]": (0, n, True, True),
                "[0, n)": (0, n, True, False),
            }
            if comparator.interval in shapes:
                return Interval(*shapes[comparator.interval]), comparator.comparator
        between = self.between.fullmatch(wording)
        if between:
            try:
                a, b = parse_number(between[1]), parse_number(between[2])
            except ValueNotUnderstood:
                raise ValueNotUnderstood(value_text) from None
            if a > b:
                raise ValueNotUnderstood(f"the range {value_text!r} runs from a larger to a smaller number")
            return Interval(a, b), "between"
        raise ValueNotUnderstood(value_text)


_readers: dict = {}


def interval_for_value(value_text: str, semantics: ValueSemantics) -> tuple[Interval, str]:
    """The interval a figure as written denotes, and the comparator that gave it."""
    entry = _readers.get(id(semantics))
    if entry is None or entry[0] is not semantics:
        entry = _readers[id(semantics)] = (semantics, ValueReader(semantics))
    return entry[1].read(value_text)


def explicit_interval(low, high, low_exclusive: bool, high_exclusive: bool) -> Interval:
    return Interval(low, high, not low_exclusive, not high_exclusive)


# Periods --------------------------------------------------------------------


@dataclass(frozen=True)
class Bound:
    first: date
    last: date
    precision: str  # "year", "month", "day" or the qualifier
    parts: tuple = ()  # (qualifier, year, month, day) as written, in its calendar


def parse_bound(text: str, semantics: ValueSemantics, calendar: str = calendars.GREGORIAN) -> Bound:
    """The Gregorian days a bound written in ``calendar`` can denote."""
    match = BOUND_PATTERN.match(str(text))
    if not match:
        raise ValueNotUnderstood(text)
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    qualifier = match["qualifier"]
    parts = (qualifier, year, month, day)
    day_of = lambda m, d: calendars.to_gregorian(calendar, year, m, d)  # noqa: E731
    month_end = lambda m: calendars.days_in_month(calendar, year, m)  # noqa: E731
    if qualifier is None:
        if day is not None:
            d = day_of(month, day)
            return Bound(d, d, "day", parts)
        if month is not None:
            return Bound(day_of(month, 1), day_of(month, month_end(month)), "month", parts)
        return Bound(day_of(1, 1), day_of(12, month_end(12)), "year", parts)
    known = {q.qualifier: q for q in semantics.period_qualifiers if q.calendar == calendar}
    if qualifier not in known:
        others = sorted(q.qualifier for q in semantics.period_qualifiers if q.calendar != calendar)
        if qualifier in others:
            raise ValueNotUnderstood(f"the qualifier {qualifier!r} is not for the {calendars.TITLES[calendar]} calendar (known for it: {', '.join(sorted(known)) or 'none'})")
        raise ValueNotUnderstood(f"the qualifier {qualifier!r} is not in measures.yml (known: {', '.join(sorted(known))})")
    q = known[qualifier]
    if q.applies_to == "month":
        if month is None or day is not None:
            raise ValueNotUnderstood(f"{qualifier!r} qualifies a month: write it as '{qualifier} YYYY-MM'")
        last_day = month_end(month)
        last = last_day if q.last == "end" else int(q.last)
        return Bound(day_of(month, int(q.first)), day_of(month, min(last, last_day)), qualifier, parts)
    if month is not None:
        raise ValueNotUnderstood(f"{qualifier!r} qualifies a year: write it as '{qualifier} YYYY'")
    first_month, first_day = (int(part) for part in q.first.split("-"))
    last_month, last_day = q.last.split("-")
    last_month = int(last_month)
    last_day = month_end(last_month) if last_day == "end" else int(last_day)
    return Bound(day_of(first_month, first_day), day_of(last_month, last_day), qualifier, parts)


@dataclass(frozen=True)
class Period:
    start: Bound
    end: Bound
    calendar: str = calendars.GREGORIAN

    @property
    def first(self) -> date:
        return self.start.first

    @property
    def last(self) -> date:
        return self.end.last

    def in_calendar(self) -> str:
        """The bounds as their calendar names them ('Mordad–Shahrivar 1367')."""
        return calendars.period_in_words(self.calendar, self.start.parts, self.end.parts)

    def __str__(self) -> str:
        return f"[{self.first.isoformat()}, {self.last.isoformat()}]"


def period_for_bounds(start: str, end: str, semantics: ValueSemantics, calendar: str | None = None) -> Period:
    calendar = calendar or calendars.GREGORIAN
    try:
        period = Period(parse_bound(start, semantics, calendar), parse_bound(end, semantics, calendar), calendar)
    except ValueNotUnderstood:
        raise
    except ValueError as error:  # a year the calendar cannot convert (0000)
        raise ValueNotUnderstood(str(error)) from None
    if period.first > period.last:
        raise ValueNotUnderstood(f"the period starts ({period.first}) after it ends ({period.last})")
    return period


# Comparing intervals -----------------------------------------------------------


def ends_before(a: Interval, b: Interval) -> bool:
    """Every point of ``a`` lies below every point of ``b``."""
    return a.hi < b.lo or (a.hi == b.lo and not (a.high_closed and a.high is not None and b.low_closed and b.low is not None))


def disjoint(a: Interval, b: Interval) -> bool:
    return ends_before(a, b) or ends_before(b, a)


def within(a: Interval, b: Interval) -> bool:
    """``a`` is contained in ``b``."""
    low_ok = b.lo < a.lo or (b.lo == a.lo and (b.low_closed or not a.low_closed or a.low is None))
    high_ok = a.hi < b.hi or (a.hi == b.hi and (b.high_closed or not a.high_closed or a.high is None))
    return low_ok and high_ok


class Detected(NamedTuple):
    claim_id: str
    other_claim_id: str
    relation: str
    rationale: str


def compare(a_id: str, a: Interval, b_id: str, b: Interval, a_text: str | None = None, b_text: str | None = None) -> Detected:
    """The relation the intervals of two comparable claims imply.

    ``refines`` points from the narrower claim to the wider one; other
    relations from the first claim given. The texts show the intervals in
    the rationale (default: interval notation)."""
    a_text = str(a) if a_text is None else a_text
    b_text = str(b) if b_text is None else b_text
    if disjoint(a, b):
        return Detected(a_id, b_id, "contradicts", f"{a_text} and {b_text} do not overlap")
    if a == b:
        return Detected(a_id, b_id, "compatible", f"{a_text} and {b_text} are the same interval")
    if within(a, b):
        return Detected(a_id, b_id, "refines", f"{a_text} lies within {b_text}")
    if within(b, a):
        return Detected(b_id, a_id, "refines", f"{b_text} lies within {a_text}")
    return Detected(a_id, b_id, "compatible", f"{a_text} and {b_text} overlap")


def sweep(items: list[tuple[str, Interval]], show=str):
    """Every pair among comparable claims, by a sweep over intervals sorted by
    their start: O(n log n) plus one step per pair reported.

    Intervals that ended before the current one starts are disjoint from it
    and from everything after it; the ones still open overlap it."""
    import heapq

    order = sorted(items, key=lambda item: (item[1].lo, not item[1].low_closed, item[0]))
    active: list = []  # heap of (hi, high_closed, n, id, interval, text)
    ended: list = []
    for n, (claim_id, interval) in enumerate(order):
        text = show(interval)
        while active and ends_before(active[0][4], interval):
            *_, other_id, other, other_text = heapq.heappop(active)
            ended.append((other_id, other_text))
        for other_id, other_text in ended:
            yield Detected(other_id, claim_id, "contradicts", f"{other_text} and {text} do not overlap")
        for *_, other_id, other, other_text in active:
            yield compare(other_id, other, claim_id, interval, other_text, text)
        heapq.heappush(active, (interval.hi, interval.high_closed and interval.high is not None, n, claim_id, interval, text))


def period_interval(period: Period) -> Interval:
    return Interval(period.first.toordinal(), period.last.toordinal())


def show_dates(interval: Interval) -> str:
    return f"[{date.fromordinal(int(interval.low)).isoformat()}, {date.fromordinal(int(interval.high)).isoformat()}]"


def detect(groups: dict):
    """Relations within each group of comparable claims, as a stream.

    ``groups`` maps a comparison key to [(claim id, Interval)]; keys starting
    with "period" hold day-number intervals and are shown as dates."""
    for key in sorted(groups, key=repr):
        yield from sweep(groups[key], show_dates if key[0] == "period" else str)


# The corpus's relations ----------------------------------------------------------


class RelationRow(NamedTuple):
    """A row of the relations table (columns in the order of claimsdb.db)."""

    claim_id: str
    other_claim_id: str
    relation: str
    origin: str
    rationale: str
    path: str | None
    line: int | None
    detected_relation: str | None
    detected_rationale: str | None


def comparison_groups(corpus) -> dict:
    """Comparable claims: quantities of the same subject, measure, unit and
    scope; periods of the same subject and scope. Withdrawn claims are left out."""
    units = {measure.id: measure.unit for measure in corpus.measures}
    groups: dict = {}
    for _, claim in corpus.claims():
        if claim.withdrawn:
            continue
        if claim.kind == "quantity" and claim.id in corpus.intervals:
            key = ("quantity", claim.subject, claim.measure, units.get(claim.measure), claim.scope or "")
            groups.setdefault(key, []).append((claim.id, corpus.intervals[claim.id][0]))
        elif claim.kind == "period" and claim.id in corpus.periods:
            key = ("period", claim.subject, claim.scope or "")
            groups.setdefault(key, []).append((claim.id, period_interval(corpus.periods[claim.id])))
    return groups


DECLARED_CONTRADICTS = "`{0}` is declared to contradict `{1}`, but {2}"
DECLARED_CONTRADICTS_FIX = "check both values, or declare what they are (differs-in-scope, refines, corroborates)"
DECLARED_CORROBORATES = "`{0}` is declared to corroborate `{1}`, but {2}"
DECLARED_CORROBORATES_FIX = "check both values, or declare what they are (contradicts, differs-in-scope)"
UNACKNOWLEDGED = "`{0}` contradicts `{1}` (detected: {2}) and no editor has acknowledged it"
UNACKNOWLEDGED_FIX = "declare the relation on one of the two claims with a rationale (contradicts, differs-in-scope …)"


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The same key for a pair in either order."""
    return (a, b) if a < b else (b, a)


def relate_claims(corpus) -> tuple[list, list]:
    """Rows of the relations table (declared ones replace detected ones for
    the same pair) and the warnings `claimsdb check` reports about them."""
    detected = {pair_key(d.claim_id, d.other_claim_id): d for d in detect(comparison_groups(corpus))}
    rows, warnings, declared = [], [], set()
    for _, claim in corpus.claims():
        if not claim.relations:
            continue
        at = corpus.where[("claim", claim.id)][0]
        for index, relation in enumerate(claim.relations):
            pair = pair_key(claim.id, relation.claim)
            declared.add(pair)
            found = detected.get(pair)
            line = at.line_of("relations", index, "relation")
            rows.append(RelationRow(
                claim.id, relation.claim, relation.relation, "declared", relation.rationale, at.path, line,
                found.relation if found else None, found.rationale if found else None,
            ))
            if found and relation.relation == "contradicts" and found.relation != "contradicts":
                warnings.append(Deferred(at.path, line, DECLARED_CONTRADICTS, (claim.id, relation.claim, found.rationale), DECLARED_CONTRADICTS_FIX))
            if found and relation.relation == "corroborates" and found.relation == "contradicts":
                warnings.append(Deferred(at.path, line, DECLARED_CORROBORATES, (claim.id, relation.claim, found.rationale), DECLARED_CORROBORATES_FIX))
    for pair, found in detected.items():
        if pair in declared:
            continue
        rows.append(RelationRow(
            found.claim_id, found.other_claim_id, found.relation, "detected", found.rationale, None, None,
            found.relation, found.rationale,
        ))
        if found.relation == "contradicts":
            at = corpus.where[("claim", found.claim_id)][0]
            warnings.append(Deferred(at.path, at.line, UNACKNOWLEDGED, (found.claim_id, found.other_claim_id, found.rationale), UNACKNOWLEDGED_FIX))
    rows.sort(key=lambda row: (row.claim_id, row.other_claim_id))
    return rows, warnings
