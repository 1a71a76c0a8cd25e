"""Two readings of every wording, figures, conflict detection and declared relations."""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import textwrap
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.load import load_corpus
from claimsdb.readings import FigureRefused, Interval, ValueNotUnderstood, explicit_reading, in_words, reading_of
from claimsdb.relations import Figure, Reading, compare, detect, parse_bound

from .conftest import CLAIMS_DIR

SEMANTICS = load_corpus(CLAIMS_DIR).semantics
INF = None


def iv(low, high, low_closed=True, high_closed=True):
    return Interval(None if low is None else Decimal(str(low)), None if high is None else Decimal(str(high)), low_closed, high_closed)


# Every comparator and vague word of the published table: what it entails, and what it suggests.
VALUES = {
    "E": ("30,000", iv(30000, 30000), iv(30000, 30000)),
    "X": ("exactly 30,000", iv(30000, 30000), iv(30000, 30000)),
    "A": ("around 30,000", iv(27000, 33000), iv(27000, 33000)),
    "L": ("at least 30,000", iv(30000, INF), iv(30000, 60000, True, False)),
    "M": ("more than 30,000", iv(30000, INF, False), iv(30000, 60000, False, False)),
    "U": ("at most 30,000", iv(0, 30000), iv(15000, 30000)),
    "F": ("fewer than 30,000", iv(0, 30000, True, False), iv(15000, 30000, True, False)),
    "B": ("between 25,000 and 28,000", iv(25000, 28000), iv(25000, 28000)),
    "T": ("tens of thousands", iv(20000, INF), iv(20000, 100000, True, False)),
    "K": ("thousands", iv(2000, INF), iv(2000, 10000, True, False)),
    "H": ("hundreds", iv(200, INF), iv(200, 1000, True, False)),
    "D": ("dozens", iv(24, INF), iv(24, 100, True, False)),
}

# Every other wording the table reads: synonyms, ranges, multipliers, decimals.
MORE_WORDINGS = [
    ("precisely 32", iv(32, 32), iv(32, 32)),
    ("an estimated 5,000", iv(4500, 5500), iv(4500, 5500)),
    ("about 1.1", iv("0.99", "1.21"), iv("0.99", "1.21")),
    ("no fewer than 36", iv(36, INF), iv(36, 72, True, False)),
    ("a minimum of 36", iv(36, INF), iv(36, 72, True, False)),
    ("over 1,000", iv(1000, INF, False), iv(1000, 2000, False, False)),
    ("upwards of 1,000", iv(1000, INF, False), iv(1000, 2000, False, False)),
    ("in excess of 1,000", iv(1000, INF, False), iv(1000, 2000, False, False)),
    ("up to 30,000", iv(0, 30000), iv(15000, 30000)),
    ("no more than 30,000", iv(0, 30000), iv(15000, 30000)),
    ("less than 30,000", iv(0, 30000, True, False), iv(15000, 30000, True, False)),
    ("under 30,000", iv(0, 30000, True, False), iv(15000, 30000, True, False)),
    ("from 5 to 10", iv(5, 10), iv(5, 10)),
    ("5 to 10", iv(5, 10), iv(5, 10)),
    ("5–10", iv(5, 10), iv(5, 10)),
    ("5 – 10", iv(5, 10), iv(5, 10)),
    ("5-10", iv(5, 10), iv(5, 10)),
    ("2,800—5,000", iv(2800, 5000), iv(2800, 5000)),
    ("1.5 million", iv(1500000, 1500000), iv(1500000, 1500000)),
    ("around 1.5 million", iv(1350000, 1650000), iv(1350000, 1650000)),
    ("more than 30 thousand", iv(30000, INF, False), iv(30000, 60000, False, False)),
    ("between 2 billion and 3 billion", iv(2000000000, 3000000000), iv(2000000000, 3000000000)),
    ("Thousands", iv(2000, INF), iv(2000, 10000, True, False)),
    ("Around\u00a030,000", iv(27000, 33000), iv(27000, 33000)),
]

# The relation each pair yields: C compatible, R refines (the first named is
# the narrower), T in-tension, X contradicts.
EXPECTED = {
    "EX": "C", "EA": "R", "EL": "R", "EM": "X", "EU": "R", "EF": "X", "EB": "X", "ET": "R", "EK": "T", "EH": "T", "ED": "T",
    "XA": "R", "XL": "R", "XM": "X", "XU": "R", "XF": "X", "XB": "X", "XT": "R", "XK": "T", "XH": "T", "XD": "T",
    "AL": "C", "AM": "C", "AU": "C", "AF": "C", "AB": "C", "AT": "R", "AK": "T", "AH": "T", "AD": "T",
    "ML": "R", "LU": "C", "LF": "X", "LB": "X", "LT": "R", "LK": "T", "LH": "T", "LD": "T",
    "MU": "X", "MF": "X", "MB": "X", "MT": "R", "MK": "T", "MH": "T", "MD": "T",
    "FU": "R", "BU": "R", "UT": "C", "UK": "T", "UH": "T", "UD": "T",
    "BF": "R", "FT": "C", "FK": "T", "FH": "T", "FD": "T",
    "BT": "R", "BK": "T", "BH": "T", "BD": "T",
    "TK": "T", "TH": "T", "TD": "T",
    "KH": "T", "KD": "T",
    "HD": "T",
}
NAMES = {"C": "compatible", "R": "refines", "T": "in-tension", "X": "contradicts"}


def figure(name: str, text: str, reading: Reading | None = None, subject: str = "s") -> Figure:
    return Figure(name, "quantity", subject, "m", "people", reading or reading_of(text, SEMANTICS), [name], [text])


@pytest.mark.parametrize("letter", VALUES)
def test_every_wording_of_the_table_has_both_readings(letter):
    text, entailed, suggested = VALUES[letter]
    reading = reading_of(text, SEMANTICS)
    assert (reading.entailed, reading.suggested) == (entailed, suggested)


@pytest.mark.parametrize("text, entailed, suggested", MORE_WORDINGS)
def test_synonyms_ranges_and_multipliers_are_read_from_the_table(text, entailed, suggested):
    reading = reading_of(text, SEMANTICS)
    assert (reading.entailed, reading.suggested) == (entailed, suggested)


def test_every_pair_of_wordings_is_in_the_table():
    pairs = {frozenset(pair) for pair in itertools.combinations(VALUES, 2)}
    assert {frozenset(key) for key in EXPECTED} == pairs


@pytest.mark.parametrize("pair", EXPECTED)
def test_every_comparator_against_every_other(pair):
    first, second = (figure(letter, VALUES[letter][0]) for letter in pair)
    for a, b in ((first, second), (second, first)):
        found = compare(a, b)
        assert found.relation == NAMES[EXPECTED[pair]], found.rationale
        if found.relation == "refines":
            assert (found.figure_id, found.other_figure_id) == (first.id, second.id), "refines points from the narrower figure"


def share_a_number(a: Interval, b: Interval) -> bool:
    """Some number lies in both: the larger start is below the smaller end, or equal to it with both ends closed."""
    start = max((a, b), key=lambda i: (i.lo, not i.low_closed))
    end = min((a, b), key=lambda i: (i.hi, i.high_closed))
    return start.lo < end.hi or (start.lo == end.hi and start.low_closed and end.high_closed)


def test_contradicts_only_when_the_entailed_intervals_are_disjoint():
    for pair, code in EXPECTED.items():
        a, b = (reading_of(VALUES[letter][0], SEMANTICS) for letter in pair)
        disjoint = not share_a_number(a.entailed, b.entailed)
        assert (code == "X") == disjoint, pair
        assert (code == "T") == (not disjoint and not share_a_number(a.suggested, b.suggested)), pair


@pytest.mark.parametrize(
    "a, b, relation, rationale",
    [
        ("thousands", "more than 30,000", "in-tension",
         "'thousands' entails at least 2,000 and 'more than 30,000' entails more than 30,000, which overlap; read as the words usually suggest, "
         "'thousands' as at least 2,000 and fewer than 10,000 and 'more than 30,000' as more than 30,000 and fewer than 60,000, the two do not overlap"),
        ("thousands", "around 30,000", "in-tension",
         "'thousands' entails at least 2,000, which 'around 30,000' (from 27,000 to 33,000) does not exclude; read as at least 2,000 and fewer than 10,000, "
         "as the words usually suggest, the two do not overlap"),
        ("around 5,000", "more than 30,000", "contradicts", "'around 5,000' (from 4,500 to 5,500) and 'more than 30,000' (more than 30,000) do not overlap"),
        ("32", "at least 36", "contradicts", "'32' (exactly 32) and 'at least 36' (at least 36) do not overlap"),
        ("around 30,000", "more than 30,000", "compatible", "'around 30,000' (from 27,000 to 33,000) and 'more than 30,000' (more than 30,000) overlap"),
        ("32", "32", "compatible", "'32' and '32' entail the same numbers (exactly 32)"),
    ],
)
def test_rationales_name_both_readings_in_words(a, b, relation, rationale):
    found = compare(figure("a", a), figure("b", b))
    assert (found.relation, found.rationale) == (relation, rationale)


def test_equal_sets_are_equal_whatever_their_flags():
    """`low: 5` and 'at least 5' entail the same numbers: not refines."""
    explicit = figure("a", "5 or more", explicit_reading(Decimal(5), None, False, False))
    worded = figure("b", "at least 5")
    assert explicit.reading.entailed == worded.reading.entailed
    assert compare(explicit, worded).relation == "compatible"
    assert compare(worded, explicit).relation == "compatible"
    # an unbounded end carries no flag; no lower bound is zero for a count
    assert Interval(5, None, True, True) == Interval(5, None, True, False)
    assert explicit_reading(None, Decimal(30000), False, True).entailed == reading_of("fewer than 30,000", SEMANTICS).entailed


def test_about_1_1_and_0_99_overlap_in_exact_decimals():
    found = compare(figure("a", "about 1.1"), figure("b", "0.99"))
    assert found.relation == "refines" and found.figure_id == "b", found
    assert reading_of("about 1.1", SEMANTICS).entailed == Interval(Decimal("0.99"), Decimal("1.21"))


@pytest.mark.parametrize(
    "value, message",
    [
        ("1,5 million", "the figure '1,5 million' has a malformed number '1,5'"),
        ("3,,,,0", "the figure '3,,,,0' has a malformed number '3,,,,0'"),
        ("12,34", "the figure '12,34' has a malformed number '12,34'"),
        ("1" + "0" * 399, "the figure '1" + "0" * 399 + "' has more than 15 significant digits, more than the database keeps exactly"),
        ("around 1234567890123456", "the figure 'around 1234567890123456' has more than 15 significant digits, more than the database keeps exactly"),
        ("1,000,000 billion", "the figure '1,000,000 billion' has more than 15 significant digits, more than the database keeps exactly"),
        ("between 5,000 and 2,800", "the range 'between 5,000 and 2,800' is reversed: 5,000 is more than 2,800"),
    ],
)
def test_malformed_figures_are_refused_with_what_is_wrong(value, message):
    with pytest.raises(FigureRefused) as refused:
        reading_of(value, SEMANTICS)
    assert refused.value.what == message


def test_wording_outside_the_table_is_not_understood():
    for value in ("a few months", "33 years", "much higher"):
        with pytest.raises(ValueNotUnderstood):
            reading_of(value, SEMANTICS)


def test_intervals_in_words():
    assert [in_words(reading_of(v, SEMANTICS).suggested) for v in ("thousands", "up to 30,000", "12", "fewer than 10")] == [
        "at least 2,000 and fewer than 10,000", "from 15,000 to 30,000", "exactly 12", "at least 5 and fewer than 10"]


@pytest.mark.parametrize(
    "bound, first, last",
    [
        ("1988", "1988-01-01", "1988-12-31"),
        ("1988-07", "1988-07-01", "1988-07-31"),
        ("1988-02", "1988-02-01", "1988-02-29"),
        ("2021-08-04", "2021-08-04", "2021-08-04"),
        ("early 1988-09", "1988-09-01", "1988-09-10"),
        ("mid 1988-09", "1988-09-11", "1988-09-20"),
        ("late 1988-02", "1988-02-21", "1988-02-29"),
        ("summer 1988", "1988-06-01", "1988-08-31"),
    ],
)
def test_period_bounds_at_their_precision(bound, first, last):
    parsed = parse_bound(bound, SEMANTICS)
    assert (parsed.first.isoformat(), parsed.last.isoformat()) == (first, last)


def test_periods_are_compared_as_day_intervals():
    def period(name, start, end, text):
        interval = Interval(parse_bound(start, SEMANTICS).first.toordinal(), parse_bound(end, SEMANTICS).last.toordinal())
        return Figure(name, "period", "executions-1988", None, None, Reading(interval, interval, "period"), [name], [text])

    wide = period("wgeid", "1988-07", "1988-09", "between July and September 1988")
    narrow = period("experts", "1988-07", "early 1988-09", "between July and early September 1988")
    [found] = detect({f.id: f for f in (wide, narrow)})
    assert (found.figure_id, found.relation, found.rationale) == (
        "experts", "refines", "'between July and early September 1988' (1988-07-01 to 1988-09-10) lies within 'between July and September 1988' (1988-07-01 to 1988-09-30)")


# Properties -------------------------------------------------------------------

GRID = [Decimal(k) / 10 for k in range(0, 41)]  # bounds on a grid of tenths
bounds = st.one_of(st.none(), st.sampled_from(GRID))


@st.composite
def intervals(draw, low_bounded=None):
    low, high = draw(bounds), draw(bounds)
    if low is not None and high is not None and low > high:
        low, high = high, low
    low_closed, high_closed = draw(st.booleans()), draw(st.booleans())  # flagged every way, unbounded ends too
    if low is not None and low == high:
        low_closed = high_closed = True  # a point; (n, n) would be empty
    return Interval(low, high, low_closed, high_closed)


@st.composite
def readings(draw):
    """An entailed interval and a suggested one inside it."""
    entailed = draw(intervals())
    candidates = [draw(intervals()) for _ in range(3)] + [entailed]
    suggested = next(c for c in candidates if points(c) and points(c) <= points(entailed) or c is entailed)
    return Reading(entailed, suggested, "drawn")


def points(interval: Interval) -> frozenset:
    """The interval sampled on a grid of twentieths, outside the bounds' grid
    too: exact for bounds on tenths."""
    inside = set()
    for k in range(-20, 101):
        x = Decimal(k) / 20
        above = interval.low is None or x > interval.low or (x == interval.low and interval.low_closed)
        below = interval.high is None or x < interval.high or (x == interval.high and interval.high_closed)
        if above and below:
            inside.add(x)
    return frozenset(inside)


def overlaps(a: Interval, b: Interval) -> bool:
    return bool(points(a) & points(b))


def drawn_figures(found_readings):
    return {f"f{i:02d}": Figure(f"f{i:02d}", "quantity", "s", "m", "u", r, [f"c{i}"], [str(r.entailed)]) for i, r in enumerate(found_readings)}


@settings(max_examples=300, deadline=None)
@given(st.lists(readings(), min_size=1, max_size=10))
def test_detection_relates_every_pair_of_figures_once_by_both_readings(found_readings):
    figures = drawn_figures(found_readings)
    found = list(detect(figures))
    pairs = [frozenset((d.figure_id, d.other_figure_id)) for d in found]
    assert len(pairs) == len(set(pairs)) == len(figures) * (len(figures) - 1) // 2
    for d in found:
        a, b = figures[d.figure_id].reading, figures[d.other_figure_id].reading
        entailed_overlap = overlaps(a.entailed, b.entailed)
        assert (d.relation == "contradicts") == (not entailed_overlap), d
        assert (d.relation == "in-tension") == (entailed_overlap and not overlaps(a.suggested, b.suggested)), d
        if d.relation == "refines":
            assert points(a.entailed) <= points(b.entailed) and a.entailed != b.entailed, "equal sets never refine each other"


@settings(max_examples=200, deadline=None)
@given(intervals(), intervals())
def test_equal_sets_compare_equal_and_are_never_refines(a, b):
    if points(a) == points(b) and (a.low is None) == (b.low is None) and (a.high is None) == (b.high is None):
        assert a == b
    found = compare(Figure("a", "quantity", "s", "m", "u", Reading(a, a, "x"), ["a"], ["a"]),
                    Figure("b", "quantity", "s", "m", "u", Reading(b, b, "x"), ["b"], ["b"]))
    if a == b:
        assert found.relation == "compatible"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(VALUES.values()) + MORE_WORDINGS), min_size=1, max_size=300), st.randoms())
def test_large_groups_of_equal_figures_cost_one_figure_each(wordings, random):
    """However many claims repeat a figure, detection sees it once, and in any order."""
    from claimsdb.relations import build_figures

    class Claim:
        def __init__(self, i, text):
            self.id, self.kind, self.subject, self.scope, self.measure, self.value, self.withdrawn = f"c{i}", "quantity", "s", None, "m", text, None

    class Corpus:
        measures = [type("M", (), {"id": "m", "unit": "people"})]
        figure_entries = None  # worked out from the claims

        def __init__(self, claims):
            self._claims = claims
            self.intervals = {c.id: reading_of(c.value, SEMANTICS) for c in claims}
            self.periods = {}

        def claims(self):
            return [(None, c) for c in self._claims]

    claims = [Claim(i, text) for i, (text, _, _) in enumerate(wordings)]
    figures, figure_of = build_figures(Corpus(claims))
    distinct = {(r.entailed, r.suggested) for r in (reading_of(t, SEMANTICS) for t, _, _ in wordings)}
    assert len(figures) == len(distinct)
    assert set(figure_of) == {c.id for c in claims}
    random.shuffle(claims)
    shuffled, _ = build_figures(Corpus(claims))
    assert set(shuffled) == set(figures)
    assert {frozenset((d.figure_id, d.other_figure_id)): d.relation for d in detect(shuffled)} == {
        frozenset((d.figure_id, d.other_figure_id)): d.relation for d in detect(figures)}


# The corpus -----------------------------------------------------------------------


def relation_between(db, a, b):
    return db.execute(
        "select relation, origin, rationale from relations where (claim_id = ? and other_claim_id = ?) or (claim_id = ? and other_claim_id = ?)",
        (a, b, b, a),
    ).fetchone()


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory):
    from claimsdb.db import write_database

    path = write_database(load_corpus(CLAIMS_DIR), tmp_path_factory.mktemp("seed") / "claims.db")
    return sqlite3.connect(path)


def test_the_two_30000_figures_agree(seed_db):
    relation, origin, rationale = relation_between(seed_db, "inu-executed-around-30000", "ant-executed-more-than-30000")
    assert relation in ("compatible", "corroborates")
    detected = seed_db.execute(
        "select detected_relation, detected_rationale from relations where claim_id = 'ant-executed-more-than-30000' and other_claim_id = 'inu-executed-around-30000'"
    ).fetchone()
    assert detected == ("compatible", "'around 30,000' (from 27,000 to 33,000) and 'more than 30,000' (more than 30,000) overlap")


@pytest.mark.parametrize("other", ["inu-executed-around-30000", "ant-executed-more-than-30000", "inu-survivors-toll-much-higher"])
def test_the_un_experts_thousands_is_in_tension_with_the_30000_figures_not_in_contradiction(seed_db, other):
    relation, origin, rationale = relation_between(seed_db, "ant-un-experts-thousands-executed", other)
    assert (relation, origin) == ("in-tension", "detected")
    assert "'thousands' entails at least 2,000" in rationale and "fewer than 10,000" in rationale and "the two do not overlap" in rationale
    [reviewed] = seed_db.execute("select rationale from reviews where claim_id = 'ant-un-experts-thousands-executed' and other_claim_id = ?", (other,)).fetchone()
    assert "only read as fewer than 10,000" in reviewed
    assert seed_db.execute("select count(*) from conflicts where claim_id = 'ant-un-experts-thousands-executed' and other_id = ? and relation = 'in-tension'", (other,)).fetchone() == (1,)


def test_the_seed_relations_under_the_new_table(seed_db):
    rows = seed_db.execute("select claim_id, other_claim_id, relation, origin from relations where relation != 'corroborates' order by 1, 2").fetchall()
    assert rows == [
        ("ant-executions-32-cities", "inu-gravesites-at-least-36-cities", "differs-in-scope", "declared"),
        ("ant-un-experts-period-july-early-september-1988", "ant-wgeid-period-july-september-1988", "refines", "declared"),
        ("ant-un-experts-thousands-executed", "ant-executed-more-than-30000", "in-tension", "detected"),
        ("ant-un-experts-thousands-executed", "inu-executed-around-30000", "in-tension", "detected"),
        ("ant-un-experts-thousands-executed", "inu-survivors-toll-much-higher", "in-tension", "detected"),
        ("inu-killings-summer-1988", "ant-un-experts-period-july-early-september-1988", "compatible", "detected"),
        ("inu-killings-summer-1988", "ant-wgeid-period-july-september-1988", "compatible", "detected"),
        ("inu-killings-three-months", "ant-executions-span-few-months", "refines", "detected"),
        ("inu-survivors-toll-much-higher", "ant-executed-more-than-30000", "refines", "detected"),
        ("inu-survivors-toll-much-higher", "inu-executed-around-30000", "contradicts", "declared"),
    ]
    # the editor's declaration agrees with detection
    assert seed_db.execute("select detected_relation from declared_relations where claim_id = 'inu-survivors-toll-much-higher'").fetchone() == ("contradicts",)


def test_36_and_32_cities_differ_in_scope_as_declared_and_are_no_conflict(seed_db):
    relation, origin, rationale = relation_between(seed_db, "inu-gravesites-at-least-36-cities", "ant-executions-32-cities")
    assert (relation, origin) == ("differs-in-scope", "declared")
    assert rationale
    assert seed_db.execute("select count(*) from conflicts where relation = 'differs-in-scope'").fetchone() == (0,)
    assert seed_db.execute("select count(*) from look_alikes where claim_id = 'ant-executions-32-cities'").fetchone() == (1,)


def test_every_relation_has_an_origin_and_a_rationale(seed_db):
    assert seed_db.execute("select count(*) from relations where origin not in ('declared', 'detected') or rationale is null or rationale = ''").fetchone() == (0,)


def test_conflicts_lists_each_pair_in_both_directions(seed_db):
    rows = set(seed_db.execute("select claim_id, other_id, relation from conflicts").fetchall())
    assert rows
    assert {(b, a, r) for a, b, r in rows} == rows
    count = seed_db.execute("select count(*) from relations where relation in ('contradicts', 'in-tension')").fetchone()[0]
    assert len(rows) == 2 * count


def test_each_quantity_and_period_claim_points_to_its_figure(seed_db):
    assert seed_db.execute("select count(*) from claims where kind in ('quantity', 'period') and withdrawn is null and figure_id is null").fetchone() == (0,)
    assert seed_db.execute("select count(*) from claims where kind not in ('quantity', 'period') and figure_id is not null").fetchone() == (0,)
    row = seed_db.execute(
        "select f.claims, f.speakers, f.sources, f.origins, f.wordings, f.entailed, f.suggested from figures f "
        "join claims c on c.figure_id = f.id where c.id = 'ant-conference-more-than-1000-former-prisoners'").fetchone()
    # two outlets, both affiliated with the PMOI/MEK: one independent origin
    assert row == (2, 2, 2, 1, '["more than 1,000"]', "more than 1,000", "more than 1,000 and fewer than 2,000")


NEW_TEXT = "Officials interviewed for this bulletin said that around 5,000 people were executed in the prisons that summer.\n"


def add_new_source(workdir, value="around 5,000", quote="around 5,000 people were executed", extra=""):
    (workdir / "claims" / "sources" / "new-bulletin.txt").write_text(NEW_TEXT, encoding="utf-8")
    sha = hashlib.sha256(NEW_TEXT.encode()).hexdigest()
    (workdir / "claims" / "new-bulletin.yml").write_text(textwrap.dedent(f"""\
        id: new-bulletin
        title: A bulletin the project has never seen
        url: https://example.org/bulletin
        publisher: arabnews-today
        language: en
        archive: sources/new-bulletin.txt
        sha256: {sha}
        claims:
          - id: new-executed-around-5000
            kind: quantity
            subject: executions-1988
            measure: people-executed-1988
            speaker: unattributed-reports
            mode: reported
            value: {value}
            statement: The bulletin reports officials as saying that around 5,000 people were executed.
            quote: {quote}
        """) + extra, encoding="utf-8")


def declare(workdir, relation, rationale, other="inu-executed-around-30000", field="relations"):
    path = workdir / "claims" / "new-bulletin.yml"
    kind = f"      - relation: {relation}\n        claim: {other}\n" if field == "relations" else f"      - claim: {other}\n"
    block = f"    {field}:\n{kind}        rationale: {rationale}\n"
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")


def test_a_new_source_with_a_lower_figure_is_detected_as_contradicting_both_30000_figures(workdir, claimsdb):
    add_new_source(workdir)
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(workdir / "claims.db")
    for other in ("inu-executed-around-30000", "ant-executed-more-than-30000"):
        assert relation_between(db, "new-executed-around-5000", other)[:2] == ("contradicts", "detected")
        assert db.execute("select count(*) from conflicts where claim_id = 'new-executed-around-5000' and other_id = ?", (other,)).fetchone() == (1,)
        assert db.execute("select count(*) from conflicts where other_id = 'new-executed-around-5000' and claim_id = ?", (other,)).fetchone() == (1,)
    assert relation_between(db, "inu-executed-around-30000", "ant-executed-more-than-30000")[0] != "contradicts"
    # 'thousands' (at least 2,000) does not exclude 'around 5,000'
    assert relation_between(db, "new-executed-around-5000", "ant-un-experts-thousands-executed")[0] == "refines"
    # and the build says so, once per pair of figures, at the figure fewer claims carry
    assert ("claims/new-bulletin.yml:9: warning: 'around 5,000' (`new-executed-around-5000`) contradicts 'more than 30,000' (`ant-executed-more-than-30000`) "
            "('around 5,000' (from 4,500 to 5,500) and 'more than 30,000' (more than 30,000) do not overlap) and no editor has acknowledged the pair — "
            "see `claimsdb review`; declare a relation between two of their claims, or add `reviewed:` with a rationale to one of them") in result.stderr.splitlines()


def test_strict_turns_unacknowledged_conflicts_into_errors(workdir, claimsdb):
    add_new_source(workdir)
    assert not (workdir / "claims.db").exists()
    result = claimsdb("build", "--strict")
    assert result.exit_code == 1
    assert "which --strict treats as errors; nothing was built." in result.stderr
    assert not (workdir / "claims.db").exists()


def test_a_declared_relation_replaces_the_detected_one(workdir, claimsdb):
    add_new_source(workdir)
    declare(workdir, "differs-in-scope", "The bulletin counts executions in the prisons it names; Iran News Update gives a country-wide figure.")
    result = claimsdb("check", "--strict")
    # The other 30,000 figure is still unacknowledged.
    assert result.exit_code == 1
    assert "(`ant-executed-more-than-30000`)" in result.stderr
    assert "`inu-executed-around-30000`" not in result.stderr
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(workdir / "claims.db")
    assert db.execute(
        "select relation, origin, detected_relation from relations where claim_id = 'new-executed-around-5000' and other_claim_id = 'inu-executed-around-30000'"
    ).fetchone() == ("differs-in-scope", "declared", "contradicts")
    assert relation_between(db, "new-executed-around-5000", "inu-executed-around-30000")[0] == "differs-in-scope"


@pytest.mark.parametrize(
    "value, declared, other, warning",
    [
        ("around 30,000", "contradicts", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to contradict `inu-executed-around-30000`, but both give the same figure, 'around 30,000' (from 27,000 to 33,000)"),
        ("around 5,000", "corroborates", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to corroborate `inu-executed-around-30000`, but 'around 5,000' (from 4,500 to 5,500) and 'around 30,000' (from 27,000 to 33,000) do not overlap"),
        ("around 5,000", "refines", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to refine `inu-executed-around-30000`, but 'around 5,000' (from 4,500 to 5,500) and 'around 30,000' (from 27,000 to 33,000) do not overlap"),
        ("thousands", "refines", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to refine `inu-executed-around-30000`, but 'thousands' entails at least 2,000, which 'around 30,000' (from 27,000 to 33,000) does not exclude; read as at least 2,000 and fewer than 10,000, as the words usually suggest, the two do not overlap"),
        ("more than 20,000", "refines", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to refine `inu-executed-around-30000`, but it is the wider of the two: 'around 30,000' (from 27,000 to 33,000) lies within 'more than 20,000' (more than 20,000)"),
        ("around 30,000", "refines", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to refine `inu-executed-around-30000`, but neither lies within the other: both give the same figure, 'around 30,000' (from 27,000 to 33,000)"),
        ("more than 31,000", "refines", "inu-executed-around-30000",
         "`new-executed-around-5000` is declared to refine `inu-executed-around-30000`, but neither lies within the other: 'around 30,000' (from 27,000 to 33,000) and 'more than 31,000' (more than 31,000) overlap"),
    ],
)
def test_declarations_the_readings_disagree_with_are_warned_about(workdir, claimsdb, value, declared, other, warning):
    add_new_source(workdir, value=value)
    declare(workdir, declared, "An editor's reading of the two figures.", other=other)
    result = claimsdb("check")
    assert result.exit_code == 0, result.output
    assert f"claims/new-bulletin.yml:19: warning: {warning}" in result.stderr


def test_a_declared_refines_from_the_narrower_is_not_warned_about(workdir, claimsdb):
    add_new_source(workdir, value="more than 31,000")
    declare(workdir, "refines", "The bulletin's figure is narrower.", other="ant-executed-more-than-30000")
    result = claimsdb("check")
    assert "declared to refine" not in result.stderr


def test_a_review_acknowledges_a_pair_of_figures_once_for_all_their_claims(workdir, claimsdb):
    add_new_source(workdir)
    declare(workdir, None, "The editor has read both figures; the bulletin reports unnamed officials.", other="inu-executed-around-30000", field="reviewed")
    result = claimsdb("check")
    assert "(`inu-executed-around-30000`)" not in result.stderr
    assert "(`ant-executed-more-than-30000`)" in result.stderr
    # a second claim of the reviewed figure needs no review of its own
    path = workdir / "claims" / "new-bulletin.yml"
    text = path.read_text(encoding="utf-8")
    claim = text[text.index("  - id: new-executed-around-5000"):text.index("    reviewed:")]
    path.write_text(text + claim.replace("id: new-executed-around-5000", "id: new-executed-around-5000-again").replace("value: around 5,000", "value: about 5,000"), encoding="utf-8")
    again = claimsdb("check")
    assert again.exit_code == 0, again.output
    assert "(`inu-executed-around-30000`)" not in again.stderr
    assert again.stderr.count("no editor has acknowledged the pair") == result.stderr.count("no editor has acknowledged the pair")
    # a new figure does
    path.write_text(path.read_text(encoding="utf-8").replace("value: about 5,000", "value: about 6,000"), encoding="utf-8")
    assert "(`inu-executed-around-30000`)" in claimsdb("check").stderr


def test_a_review_of_claims_with_no_detected_relation_is_warned_about(workdir, claimsdb):
    add_new_source(workdir)
    declare(workdir, None, "Read.", other="ant-executions-32-cities", field="reviewed")
    result = claimsdb("check")
    assert ("claims/new-bulletin.yml:19: warning: `new-executed-around-5000` records a review of `ant-executions-32-cities`, "
            "but the build detects no relation between their figures — remove the review, or check that the two claims give figures of the same subject, measure and unit") in result.stderr


def test_one_figure_repeated_a_thousand_times_is_one_figure_and_linear_rows(workdir, claimsdb):
    repeated = "".join(
        f"  - id: repeated-{i}\n    kind: quantity\n    subject: executions-1988\n    measure: people-executed-1988\n"
        "    speaker: unattributed-reports\n    mode: reported\n    value: around 5,000\n"
        "    statement: The bulletin reports officials as saying that around 5,000 people were executed.\n"
        "    quote: around 5,000 people were executed\n"
        for i in range(1000))
    add_new_source(workdir, extra=repeated)
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    # once per pair of figures (against 'around 30,000', 'more than 30,000', 'much higher'), not per claim
    assert result.stderr.count("no editor has acknowledged the pair") == 3
    db = sqlite3.connect(workdir / "claims.db")
    [(figure, claims, sources)] = db.execute("select id, claims, sources from figures where wordings = '[\"around 5,000\"]'").fetchall()
    assert (claims, sources) == (1001, 1)
    assert db.execute("select count(*) from figure_relations where ? in (figure_id, other_figure_id)", (figure,)).fetchone() == (4,)
    # claim pairs stay queryable: every claim of the figure against each claim of the other figures
    assert db.execute("select count(*) from relations where 'inu-executed-around-30000' in (claim_id, other_claim_id)").fetchone() == (1001 + 3,)
    assert db.execute("select count(*) from conflicts where other_id = 'inu-executed-around-30000'").fetchone()[0] >= 1001


def test_refused_figures_name_their_file_and_line(workdir, claimsdb):
    for value, message in [
        ("1,5 million", "claims/new-bulletin.yml:15: the figure '1,5 million' has a malformed number '1,5' — group thousands by three with commas and write decimals with a point (30,000; 1.5 million), or give `low:`/`high:` explicitly"),
        ("'" + "9" * 400 + "'", "claims/new-bulletin.yml:15: the figure '" + "9" * 400 + "' has more than 15 significant digits, more than the database keeps exactly — round it to 15 significant digits or fewer, or give `low:`/`high:` explicitly and say why in `note:`"),
        ("between 5,000 and 2,800", "claims/new-bulletin.yml:15: the range 'between 5,000 and 2,800' is reversed: 5,000 is more than 2,800 — write the smaller number first, or check that both numbers are as the source gives them"),
    ]:
        add_new_source(workdir, value=value)
        result = claimsdb("check")
        assert result.exit_code == 1
        assert message in result.stderr.splitlines(), result.stderr


def test_value_semantics_table_is_published_with_both_readings(seed_db):
    rows = {w: (i, s) for w, i, s in seed_db.execute("select wording, interval, suggests from value_semantics where category = 'comparator'")}
    assert rows["around"] == ("[n - t, n + t] with t = 0.1 × n", None)
    assert rows["more than"] == ("(n, ∞)", "(n, r × n) with r = 2")
    assert rows["up to"] == ("[0, n]", "[n ÷ r, n] with r = 2")
    assert rows["between {a} and {b}"] == ("[a, b]", None)
    vague = {w: (i, s) for w, i, s in seed_db.execute("select wording, interval, suggests from value_semantics where category = 'vague-quantity'")}
    assert vague["thousands"] == ("[2,000, ∞) (at least 2,000)", "[2,000, 10,000) (at least 2,000 and fewer than 10,000)")
    assert dict(seed_db.execute("select wording, factor from value_semantics where category = 'multiplier' and language = 'en'")) == {"thousand": 1e3, "million": 1e6, "billion": 1e9}
