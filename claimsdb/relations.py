"""Figures, and the relations between them and between claims.

Claims of the same subject (or scope), measure and unit form a comparison
group; within it, each distinct pair of readings (entailed, suggested) is a
**figure**, carried by one or more claims. Detection compares figures, not
claims, so its cost grows with the distinct figures of a group, never with
how many outlets repeat one. How wording maps to readings is data, read by
claimsdb.readings.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from . import calendars
from .model import BOUND_PATTERN, ValueSemantics
from .problems import Deferred, Problem
from .readings import (  # noqa: F401 - the names other modules use
    FigureRefused,
    Interval,
    Reading,
    ValueNotUnderstood,
    explicit_reading,
    format_number,
    in_words,
    reading_of,
)


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
    return a.hi < b.lo or (a.hi == b.lo and not (a.high_closed and b.low_closed))


def disjoint(a: Interval, b: Interval) -> bool:
    return ends_before(a, b) or ends_before(b, a)


def within(a: Interval, b: Interval) -> bool:
    """``a`` is contained in ``b``."""
    low_ok = b.lo < a.lo or (b.lo == a.lo and (b.low_closed or not a.low_closed))
    high_ok = a.hi < b.hi or (a.hi == b.hi and (b.high_closed or not a.high_closed))
    return low_ok and high_ok


def period_interval(period: Period) -> Interval:
    return Interval(period.first.toordinal(), period.last.toordinal())


def dates_in_words(interval: Interval) -> str:
    first, last = (date.fromordinal(int(v)).isoformat() for v in (interval.low, interval.high))
    return first if first == last else f"{first} to {last}"


# Figures ---------------------------------------------------------------------


@dataclass
class Figure:
    """One distinct reading within a comparison group, and the claims that carry it."""

    id: str
    kind: str  # quantity or period
    subject: str  # the subject compared: the claims' scope, else their subject
    measure: str | None
    unit: str | None
    reading: Reading
    claims: list = field(default_factory=list)  # claim ids, in corpus order
    wordings: list = field(default_factory=list)  # distinct, as written, first seen first

    @property
    def group(self) -> tuple:
        return (self.kind, self.subject, self.measure, self.unit)

    @property
    def name(self) -> str:
        """The figure in a rationale: its first wording, quoted."""
        return f"'{self.wordings[0]}'"

    def words(self, suggested: bool = False) -> str:
        return self.in_words[suggested]

    @functools.cached_property
    def in_words(self) -> tuple[str, str]:
        """Both readings in words, worked out once: a figure is in many pairs."""
        say = dates_in_words if self.kind == "period" else in_words
        entailed = say(self.reading.entailed)
        return entailed, entailed if not self.suggests_more else say(self.reading.suggested)

    @functools.cached_property
    def suggests_more(self) -> bool:
        return self.reading.suggested != self.reading.entailed


@functools.lru_cache(maxsize=1 << 16)
def interval_text(interval) -> str:
    """An interval as figure ids spell it, worked out once: figures of many
    groups share a few thousand intervals (equal intervals print alike)."""
    return str(interval)


def figure_id(kind: str, subject: str, measure: str | None, unit: str | None, reading: Reading) -> str:
    """Stable across builds: the same group and readings give the same id."""
    key = "\x1f".join([kind, subject, measure or "", unit or "", interval_text(reading.entailed), interval_text(reading.suggested)])
    return "f-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def figure_entries(claims, intervals: dict, periods: dict, units: dict) -> list[tuple]:
    """(claim id, figure id, group, reading, wording) of each claim that
    gives a figure, in the order given: what build_figures needs of one
    file's claims (claimsdb.load works it out where the file is read).
    Withdrawn claims carry no figure."""
    entries = []
    for claim in claims:
        if claim.withdrawn:
            continue
        subject = claim.scope or claim.subject
        if claim.kind == "quantity" and claim.id in intervals:
            reading = intervals[claim.id]
            group = ("quantity", subject, claim.measure, units.get(claim.measure))
            wording = claim.value
        elif claim.kind == "period" and claim.id in periods:
            interval = period_interval(periods[claim.id])
            reading = Reading(interval, interval, "period")
            group = ("period", subject, None, None)
            wording = claim.period
        else:
            continue
        entries.append((claim.id, figure_id(*group, reading), group, reading, wording))
    return entries


def units_of(measures) -> dict:
    return {measure.id: measure.unit for measure in measures}


def build_figures(corpus) -> tuple[dict, dict]:
    """Every figure of the corpus (id -> Figure) and each claim's figure
    (claim id -> figure id), from ``corpus.figure_entries`` when the files'
    entries were worked out as they were read, else from its claims."""
    entries = corpus.figure_entries
    if entries is None:
        entries = figure_entries((claim for _, claim in corpus.claims()), corpus.intervals, corpus.periods, units_of(corpus.measures))
    figures: dict = {}
    figure_of: dict = {}
    for claim_id, fid, group, reading, wording in entries:
        figure = figures.get(fid)
        if figure is None:  # the same group and readings: the same id
            figure = figures[fid] = Figure(fid, *group, reading)
        figure.claims.append(claim_id)
        if wording not in figure.wordings:
            figure.wordings.append(wording)
        figure_of[claim_id] = fid
    return figures, figure_of


class FigureRelation(NamedTuple):
    """A row of the figure_relations table: refines points from the narrower
    figure, differs-in-scope from the part; other relations from the first."""

    figure_id: str
    other_figure_id: str
    relation: str
    rationale: str


class Detected(NamedTuple):
    """The relation two figures' readings imply, its rationale worded only
    when it is written or shown: a million claims give a million pairs, and
    their words would be held from detection to the end of the build."""

    first: Figure  # as in FigureRelation: the narrower of refines, the part of differs-in-scope
    second: Figure
    relation: str
    # A part's figure against one of its whole: the two subjects' names.
    part_of: tuple[str, str] | None = None

    @property
    def figure_id(self) -> str:
        return self.first.id

    @property
    def other_figure_id(self) -> str:
        return self.second.id

    @property
    def pair(self) -> tuple[str, str]:
        return pair(self.first.id, self.second.id)

    @property
    def rationale(self) -> str:
        a, b = self.first, self.second
        if self.part_of is not None:
            part_name, whole_name = self.part_of
            if self.relation == "contradicts":
                return (f"{a.name} for {part_name} ({a.words()}) is more than {b.name} for {whole_name} "
                        f"({b.words()}), of which it is a part: a part cannot count more than its whole")
            return (f"{a.name} ({a.words()}) counts {part_name} only, a part of {whole_name}, for which "
                    f"{b.name} ({b.words()}) is given: a part may count fewer than its whole, so the two are not rival totals")
        if a is b:
            return f"both give the same figure, {a.name} ({a.words()})"
        if self.relation == "contradicts":
            return f"{a.name} ({a.words()}) and {b.name} ({b.words()}) do not overlap"
        if self.relation == "in-tension":
            return tension(a, b)
        if self.relation == "refines":
            return f"{a.name} ({a.words()}) lies within {b.name} ({b.words()})"
        if a.reading.entailed == b.reading.entailed:
            return f"{a.name} and {b.name} entail the same numbers ({a.words()})"
        return f"{a.name} ({a.words()}) and {b.name} ({b.words()}) overlap"

    def row(self) -> FigureRelation:
        return FigureRelation(self.first.id, self.second.id, self.relation, self.rationale)


def pair(a: str, b: str) -> tuple[str, str]:
    """Two figure ids in either order as one key (a tuple: a quarter of a frozenset's memory)."""
    return (a, b) if a <= b else (b, a)


def compare(a: Figure, b: Figure) -> Detected:
    """The relation the two readings of two figures of one group imply."""
    ea, eb = a.reading.entailed, b.reading.entailed
    if disjoint(ea, eb):
        return Detected(a, b, "contradicts")
    if disjoint(a.reading.suggested, b.reading.suggested):
        return Detected(a, b, "in-tension")
    if ea == eb:
        return Detected(a, b, "compatible")
    if within(ea, eb):
        return Detected(a, b, "refines")
    if within(eb, ea):
        return Detected(b, a, "refines")
    return Detected(a, b, "compatible")


def tension(a: Figure, b: Figure) -> str:
    """Both readings, in words: what the figures entail overlaps, what they suggest does not."""
    if a.suggests_more and b.suggests_more:
        return (f"{a.name} entails {a.words()} and {b.name} entails {b.words()}, which overlap; read as the words usually "
                f"suggest, {a.name} as {a.words(True)} and {b.name} as {b.words(True)}, the two do not overlap")
    first, second = (a, b) if a.suggests_more else (b, a)
    return (f"{first.name} entails {first.words()}, which {second.name} ({second.words()}) does not exclude; "
            f"read as {first.words(True)}, as the words usually suggest, the two do not overlap")


def compare_part(part: Figure, whole: Figure, names: dict) -> Detected:
    """A figure of a part (one prison) against one of its whole (the country)."""
    subjects = (names.get(part.subject, part.subject), names.get(whole.subject, whole.subject))
    if ends_before(whole.reading.entailed, part.reading.entailed):
        return Detected(part, whole, "contradicts", subjects)
    return Detected(part, whole, "differs-in-scope", subjects)


def in_order(figure: Figure) -> tuple:
    """Lower figures first, so rationales read from the lower to the higher."""
    entailed = figure.reading.entailed
    return (entailed.lo, not entailed.low_closed, entailed.hi, entailed.high_closed, figure.id)


def detect(figures: dict, parents: dict | None = None, names: dict | None = None):
    """Relations between the figures of each group, and between a part's
    figures and those of its wider subjects, as a stream.

    ``parents`` maps a subject to the one it is part_of. The cost is the
    number of pairs of distinct figures, whatever the number of claims."""
    parents, names = parents or {}, names or {}
    groups: dict = {}
    for figure in figures.values():
        groups.setdefault(figure.group, []).append(figure)
    for key in sorted(groups, key=repr):
        members = sorted(groups[key], key=in_order)
        for a, b in itertools.combinations(members, 2):
            yield compare(a, b)
        if key[0] != "quantity":
            continue
        seen = {key[1]}
        wider = parents.get(key[1])
        while wider is not None and wider not in seen:  # part_of cycles are refused by the loader; stay safe
            seen.add(wider)
            for whole in sorted(groups.get((key[0], wider, key[2], key[3]), []), key=in_order):
                for part in members:
                    yield compare_part(part, whole, names)
            wider = parents.get(wider)


# The corpus's relations ----------------------------------------------------------


class DeclaredRow(NamedTuple):
    """A row of the declared_relations table (columns in the order of claimsdb.tables)."""

    claim_id: str
    other_claim_id: str
    relation: str
    rationale: str
    path: str
    line: int
    detected_relation: str | None
    detected_rationale: str | None


class ReviewRow(NamedTuple):
    """A row of the reviews table (columns in the order of claimsdb.tables)."""

    claim_id: str
    other_claim_id: str
    figure_id: str | None
    other_figure_id: str | None
    detected_relation: str | None
    rationale: str
    path: str
    line: int


@dataclass
class Relations:
    """What detection and the editors' declarations give the database."""

    figures: dict  # id -> Figure
    figure_of: dict  # claim id -> figure id
    detected: dict  # pair of figure ids (claimsdb.relations.pair) -> Detected
    declared: list  # DeclaredRow
    reviews: list  # ReviewRow
    acknowledged: set  # pairs of figure ids an editor has declared or reviewed

    def between(self, a: str, b: str) -> Detected | None:
        """The detected relation between two claims' figures."""
        fa, fb = self.figure_of.get(a), self.figure_of.get(b)
        if fa is None or fb is None:
            return None
        if fa == fb:
            figure = self.figures[fa]
            return Detected(figure, figure, "compatible")
        return self.detected.get(pair(fa, fb))

    def rows(self):
        """The rows of the figure_relations table, by the two figures' ids, each worded as it is written."""
        return (found.row() for found in sorted(self.detected.values(), key=lambda found: (found.first.id, found.second.id)))

    def pending(self):
        """Detected conflicts between figures that no editor has looked at."""
        for key, found in self.detected.items():
            if found.relation in CONFLICTING and key not in self.acknowledged:
                yield found

    def __len__(self) -> int:
        return len(self.declared) + len(self.detected)


# What the conflicts view lists and the pages mark red; look-alikes are shown apart.
CONFLICTING = ("contradicts", "in-tension")
LOOK_ALIKE = "differs-in-scope"

DECLARED_CONTRADICTS = "`{0}` is declared to contradict `{1}`, but {2}"
DECLARED_CONTRADICTS_FIX = "check both values, or declare what they are (differs-in-scope, refines, corroborates), or remove the declaration for the build's reading"
DECLARED_CORROBORATES = "`{0}` is declared to corroborate `{1}`, but {2}"
DECLARED_CORROBORATES_FIX = "check both values, or declare what they are (contradicts, differs-in-scope)"
DECLARED_REFINES = "`{0}` is declared to refine `{1}`, but {2}"
DECLARED_REFINES_FIX = "refines points from the narrower claim to the wider one: check both values, declare it on the other claim, or declare what they are"
REVIEWED_NOTHING = "`{0}` records a review of `{1}`, but the build detects no relation between their figures"
REVIEWED_NOTHING_FIX = "remove the review, or check that the two claims give figures of the same subject, measure and unit"
UNACKNOWLEDGED = "{0} {1} {2} ({3}) and no editor has acknowledged the pair"
UNACKNOWLEDGED_FIX = "see `claimsdb review`; declare a relation between two of their claims, or add `reviewed:` with a rationale to one of them"


class Unacknowledged(NamedTuple):
    """The warning for a detected conflict no editor has acknowledged,
    shown at ``path:line``; worded only when shown, as a Deferred problem
    is, and holding nothing but the conflict (a million claims carry some
    470,000)."""

    path: str
    line: int
    found: Detected
    fix: str = UNACKNOWLEDGED_FIX
    warning: bool = True

    @property
    def message(self) -> str:
        found = self.found
        return UNACKNOWLEDGED.format(carried_by(found.first), found.relation, carried_by(found.second), found.rationale)

    def __str__(self) -> str:
        return str(Problem(self.path, self.line, self.message, self.fix, self.warning))


def carried_by(figure: Figure) -> str:
    """'around 5,000' (`a`, `b` and 3 more claims)."""
    shown = ", ".join(f"`{c}`" for c in figure.claims[:2])
    more = len(figure.claims) - 2
    return f"{figure.name} ({shown}{f' and {more} more claim' + ('s' if more > 1 else '') if more > 0 else ''})"


def declared_problem(found: FigureRelation, relation: str, claim_figure: str):
    """(template, detail, fix) when the readings disagree with a declaration, else None."""
    if relation == "contradicts" and found.relation != "contradicts":
        return DECLARED_CONTRADICTS, found.rationale, DECLARED_CONTRADICTS_FIX
    if relation == "corroborates" and found.relation == "contradicts":
        return DECLARED_CORROBORATES, found.rationale, DECLARED_CORROBORATES_FIX
    if relation != "refines" or found.relation == "refines" and found.figure_id == claim_figure:
        return None
    if found.relation == "refines":
        return DECLARED_REFINES, f"it is the wider of the two: {found.rationale}", DECLARED_REFINES_FIX
    if found.relation == "compatible":
        return DECLARED_REFINES, f"neither lies within the other: {found.rationale}", DECLARED_REFINES_FIX
    return DECLARED_REFINES, found.rationale, DECLARED_REFINES_FIX


def relate_claims(corpus) -> tuple[Relations, list]:
    """Figures, their detected relations, the editors' declarations and
    reviews, and the warnings `claimsdb check` reports about them (each
    once, conflicts once per pair of figures)."""
    figures, figure_of = build_figures(corpus)
    parents = {s.id: s.part_of for s in corpus.subjects if s.part_of}
    names = {s.id: s.name for s in corpus.subjects}
    detected = {found.pair: found for found in detect(figures, parents, names)}
    result = Relations(figures, figure_of, detected, [], [], set())
    warnings = []
    for _, claim in corpus.claims():
        if not claim.relations and not claim.reviewed:
            continue
        at = corpus.where[("claim", claim.id)][0]
        for index, relation in enumerate(claim.relations):
            found = result.between(claim.id, relation.claim)
            line = at.line_of("relations", index, "relation")
            result.declared.append(DeclaredRow(
                claim.id, relation.claim, relation.relation, relation.rationale, at.path, line,
                found.relation if found else None, found.rationale if found else None,
            ))
            if found:
                result.acknowledged.add(found.pair)
                problem = declared_problem(found, relation.relation, figure_of[claim.id])
                if problem:
                    template, detail, fix = problem
                    warnings.append(Deferred(at.path, line, template, (claim.id, relation.claim, detail), fix))
        for index, review in enumerate(claim.reviewed):
            found = result.between(claim.id, review.claim)
            line = at.line_of("reviewed", index, "claim")
            fa, fb = figure_of.get(claim.id), figure_of.get(review.claim)
            result.reviews.append(ReviewRow(claim.id, review.claim, fa, fb, found.relation if found else None, review.rationale, at.path, line))
            if found is None or fa == fb:
                warnings.append(Deferred(at.path, line, REVIEWED_NOTHING, (claim.id, review.claim), REVIEWED_NOTHING_FIX))
            else:
                result.acknowledged.add(pair(fa, fb))
    later_first = functools.lru_cache(maxsize=None)(lambda path: [-ord(ch) for ch in path])  # a few files, many pairs
    ranked: dict = {}  # figure id -> (its rank as the odd one out, where its first claim stands): once a figure, not once a pair

    def rank(figure: Figure) -> tuple:
        found = ranked.get(figure.id)
        if found is None:
            place = corpus.where[("claim", figure.claims[0])][0]
            found = ranked[figure.id] = ((len(figure.claims), later_first(place.path)), place)
        return found

    for found in sorted(result.pending(), key=lambda d: (d.first.id, d.second.id)):
        # Shown at the odd one out: the figure fewer claims carry, else the one in the later file.
        (rank_a, place_a), (rank_b, place_b) = rank(found.first), rank(found.second)
        place = place_b if rank_b < rank_a else place_a
        warnings.append(Unacknowledged(place.path, place.line, found))
    result.declared.sort(key=lambda row: (row.claim_id, row.other_claim_id))
    result.reviews.sort(key=lambda row: (row.claim_id, row.other_claim_id))
    return result, warnings


def affiliation_groups(agents) -> dict:
    """Each agent's representative among the agents it is affiliated with
    (connected through agent_affiliations, either way)."""
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for agent in agents:
        for affiliation in agent.affiliations:
            ra, rb = find(agent.id), find(affiliation.agent)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {agent.id: find(agent.id) for agent in agents}
