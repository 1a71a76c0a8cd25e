"""Interval semantics, conflict detection and declared relations."""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.load import load_corpus
from claimsdb.relations import Interval, detect, interval_for_value, parse_bound, sweep

from .conftest import CLAIMS_DIR

SEMANTICS = load_corpus(CLAIMS_DIR).semantics
INF = None

# Every comparator and vague word of the published table, and the interval it denotes.
VALUES = {
    "E": ("30,000", Interval(30000, 30000)),
    "X": ("exactly 30,000", Interval(30000, 30000)),
    "A": ("around 30,000", Interval(27000, 33000)),
    "L": ("at least 30,000", Interval(30000, INF, True, False)),
    "M": ("more than 30,000", Interval(30000, INF, False, False)),
    "U": ("at most 30,000", Interval(0, 30000)),
    "F": ("fewer than 30,000", Interval(0, 30000, True, False)),
    "B": ("between 25,000 and 28,000", Interval(25000, 28000)),
    "T": ("tens of thousands", Interval(20000, 100000, True, False)),
    "K": ("thousands", Interval(2000, 10000, True, False)),
    "H": ("hundreds", Interval(200, 1000, True, False)),
    "D": ("dozens", Interval(24, 100, True, False)),
}

# The relation each pair yields; for refines, the first named is the narrower.
C, R, X_ = "compatible", "refines", "contradicts"
EXPECTED = {
    "EX": C, "EA": R, "EL": R, "EM": X_, "EU": R, "EF": X_, "EB": X_, "ET": R, "EK": X_, "EH": X_, "ED": X_,
    "XA": R, "XL": R, "XM": X_, "XU": R, "XF": X_, "XB": X_, "XT": R, "XK": X_, "XH": X_, "XD": X_,
    "AL": C, "AM": C, "AU": C, "AF": C, "AB": C, "AT": R, "AK": X_, "AH": X_, "AD": X_,
    "ML": R, "LU": C, "LF": X_, "LB": X_, "LT": C, "LK": X_, "LH": X_, "LD": X_,
    "MU": X_, "MF": X_, "MB": X_, "MT": C, "MK": X_, "MH": X_, "MD": X_,
    "FU": R, "BU": R, "UT": C, "KU": R, "HU": R, "DU": R,
    "BF": R, "FT": C, "KF": R, "HF": R, "DF": R,
    "BT": R, "BK": X_, "BH": X_, "BD": X_,
    "TK": X_, "TH": X_, "TD": X_,
    "KH": X_, "KD": X_,
    "HD": X_,
}


@pytest.mark.parametrize("letter", VALUES)
def test_wording_maps_to_the_published_interval(letter):
    text, interval = VALUES[letter]
    assert interval_for_value(text, SEMANTICS)[0] == interval


def test_every_pair_of_wordings_is_in_the_table():
    pairs = {frozenset(pair) for pair in itertools.combinations(VALUES, 2)}
    assert {frozenset(key) for key in EXPECTED} == pairs


@pytest.mark.parametrize("pair", EXPECTED)
def test_every_comparator_against_every_other(pair):
    first, second = pair
    items = [(first, interval_for_value(VALUES[first][0], SEMANTICS)[0]), (second, interval_for_value(VALUES[second][0], SEMANTICS)[0])]
    for order in (items, items[::-1]):
        [found] = detect({("quantity",): order})
        assert found.relation == EXPECTED[pair], found.rationale
        if found.relation == "refines":
            assert (found.claim_id, found.other_claim_id) == (first, second), "refines points from the narrower claim"


@pytest.mark.parametrize(
    "items, rationale",
    [
        ([("a", Interval(27000, 33000)), ("b", Interval(30000, None, False, False))], "[27,000, 33,000] and (30,000, ∞) overlap"),
        ([("a", Interval(2000, 10000, True, False)), ("b", Interval(30000, None, False, False))], "[2,000, 10,000) and (30,000, ∞) do not overlap"),
        ([("a", Interval(32, 32)), ("b", Interval(36, None, True, False))], "[32, 32] and [36, ∞) do not overlap"),
        ([("a", Interval(32, 32)), ("b", Interval(32, 32))], "[32, 32] and [32, 32] are the same interval"),
    ],
)
def test_rationale_is_generated_from_the_two_intervals(items, rationale):
    [found] = detect({("quantity",): items})
    assert found.rationale == rationale


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
    wide = ("wgeid", Interval(parse_bound("1988-07", SEMANTICS).first.toordinal(), parse_bound("1988-09", SEMANTICS).last.toordinal()))
    narrow = ("experts", Interval(parse_bound("1988-07", SEMANTICS).first.toordinal(), parse_bound("early 1988-09", SEMANTICS).last.toordinal()))
    [found] = detect({("period", "executions-1988", ""): [wide, narrow]})
    assert (found.claim_id, found.relation, found.rationale) == ("experts", "refines", "[1988-07-01, 1988-09-10] lies within [1988-07-01, 1988-09-30]")


# Properties -------------------------------------------------------------------

bounds = st.one_of(st.none(), st.integers(min_value=-20, max_value=20))


@st.composite
def intervals(draw):
    low, high = draw(bounds), draw(bounds)
    if low is not None and high is not None and low > high:
        low, high = high, low
    low_closed, high_closed = draw(st.booleans()), draw(st.booleans())
    if low is not None and low == high:
        low_closed = high_closed = True  # a point; (n, n) would be empty
    return Interval(low, high, low_closed if low is not None else False, high_closed if high is not None else False)


def points(interval: Interval) -> set:
    """The interval sampled on a half-integer grid: exact for integer endpoints."""
    grid = [k / 2 for k in range(-50, 51)]
    inside = set()
    for x in grid:
        above = interval.low is None or x > interval.low or (x == interval.low and interval.low_closed)
        below = interval.high is None or x < interval.high or (x == interval.high and interval.high_closed)
        if above and below:
            inside.add(x)
    return inside


@settings(max_examples=300, deadline=None)
@given(st.lists(intervals(), min_size=1, max_size=12))
def test_detection_reports_every_pair_once_and_contradicts_exactly_when_disjoint(found_intervals):
    items = [(f"c{i:02d}", interval) for i, interval in enumerate(found_intervals)]
    found = list(detect({("quantity",): items}))
    pairs = [frozenset((d.claim_id, d.other_claim_id)) for d in found]
    assert len(pairs) == len(set(pairs)) == len(items) * (len(items) - 1) // 2
    by_id = dict(items)
    for d in found:
        a, b = points(by_id[d.claim_id]), points(by_id[d.other_claim_id])
        assert (d.relation == "contradicts") == (not a & b), d
        if d.relation == "refines":
            assert a <= b and a != b or by_id[d.claim_id] != by_id[d.other_claim_id], d


@settings(max_examples=200, deadline=None)
@given(st.lists(intervals(), min_size=2, max_size=10), st.randoms())
def test_detection_is_symmetric(found_intervals, random):
    items = [(f"c{i:02d}", interval) for i, interval in enumerate(found_intervals)]
    shuffled = items[:]
    random.shuffle(shuffled)

    def relations(order):
        out = {}
        for d in sweep(order):
            key = frozenset((d.claim_id, d.other_claim_id))
            out[key] = (d.relation, d.claim_id if d.relation == "refines" else None)
        return out

    assert relations(items) == relations(shuffled)


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
    assert detected == ("compatible", "(30,000, ∞) and [27,000, 33,000] overlap") or detected == ("compatible", "[27,000, 33,000] and (30,000, ∞) overlap")


def test_36_and_32_cities_differ_in_scope_as_declared(seed_db):
    relation, origin, rationale = relation_between(seed_db, "inu-gravesites-at-least-36-cities", "ant-executions-32-cities")
    assert (relation, origin) == ("differs-in-scope", "declared")
    assert rationale


def test_every_relation_has_an_origin_and_a_rationale(seed_db):
    assert seed_db.execute("select count(*) from relations where origin not in ('declared', 'detected') or rationale is null or rationale = ''").fetchone() == (0,)


def test_conflicts_lists_each_pair_in_both_directions(seed_db):
    rows = set(seed_db.execute("select claim_id, other_id, relation from conflicts").fetchall())
    assert rows
    assert {(b, a, r) for a, b, r in rows} == rows
    count = seed_db.execute("select count(*) from relations where relation in ('contradicts', 'differs-in-scope')").fetchone()[0]
    assert len(rows) == 2 * count


NEW_TEXT = "Officials interviewed for this bulletin said that around 5,000 people were executed in the prisons that summer.\n"


def add_new_source(workdir, value="around 5,000", quote="around 5,000 people were executed"):
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
        """), encoding="utf-8")


def declare(workdir, relation, rationale, other="inu-executed-around-30000"):
    path = workdir / "claims" / "new-bulletin.yml"
    block = f"    relations:\n      - relation: {relation}\n        claim: {other}\n        rationale: {rationale}\n"
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
    # and the build says so, as warnings that name the file and line
    assert "claims/new-bulletin.yml:9: warning: `new-executed-around-5000` contradicts `ant-executed-more-than-30000` (detected: [4,500, 5,500] and (30,000, ∞) do not overlap) and no editor has acknowledged it" in result.stderr


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
    assert "`ant-executed-more-than-30000` (detected" in result.stderr
    assert "`inu-executed-around-30000`" not in result.stderr
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(workdir / "claims.db")
    assert db.execute(
        "select relation, origin, detected_relation from relations where claim_id = 'new-executed-around-5000' and other_claim_id = 'inu-executed-around-30000'"
    ).fetchone() == ("differs-in-scope", "declared", "contradicts")
    assert relation_between(db, "new-executed-around-5000", "inu-executed-around-30000")[0] == "differs-in-scope"


@pytest.mark.parametrize(
    "value, declared, warning",
    [
        ("around 30,000", "contradicts", "`new-executed-around-5000` is declared to contradict `inu-executed-around-30000`, but [27,000, 33,000] and [27,000, 33,000] are the same interval"),
        ("around 5,000", "corroborates", "`new-executed-around-5000` is declared to corroborate `inu-executed-around-30000`, but [4,500, 5,500] and [27,000, 33,000] do not overlap"),
    ],
)
def test_declarations_the_intervals_disagree_with_are_warned_about(workdir, claimsdb, value, declared, warning):
    add_new_source(workdir, value=value)
    declare(workdir, declared, "An editor's reading of the two figures.")
    result = claimsdb("check")
    assert result.exit_code == 0
    assert f"claims/new-bulletin.yml:19: warning: {warning}" in result.stderr


def test_value_semantics_table_is_published(seed_db):
    rows = dict(seed_db.execute("select wording, interval from value_semantics where category = 'comparator'").fetchall())
    assert rows["around"] == "[n - t, n + t] with t = 0.1 × n"
    assert rows["more than"] == "(n, ∞)"
    vague = dict(seed_db.execute("select wording, interval from value_semantics where category = 'vague-quantity'").fetchall())
    assert vague["tens of thousands"] == "[20,000, 100,000)"
