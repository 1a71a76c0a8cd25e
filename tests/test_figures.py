"""Figures as rows, scope and parts, review, hedges, and the checks on the
value table and figures that come with them."""

from __future__ import annotations

import sqlite3

import pytest

from .test_checks import probe, problems  # noqa: F401 - the probe corpus fixture

VALUE = "    value: more than 30,000\n"


@pytest.mark.parametrize(
    "replacements, expected",
    [
        pytest.param([(VALUE, "    value: 1,5 million\n")],
                     "claims/probe.yml:16: the figure '1,5 million' has a malformed number '1,5' — group thousands by three with commas and write decimals with a point (30,000; 1.5 million), or give `low:`/`high:` explicitly",
                     id="comma-as-decimal-point"),
        pytest.param([(VALUE, "    value: '3,,,,0'\n")],
                     "claims/probe.yml:16: the figure '3,,,,0' has a malformed number '3,,,,0' — group thousands by three with commas and write decimals with a point (30,000; 1.5 million), or give `low:`/`high:` explicitly",
                     id="repeated-separators"),
        pytest.param([(VALUE, "    value: about 12,34\n")],
                     "claims/probe.yml:16: the figure 'about 12,34' has a malformed number '12,34' — group thousands by three with commas and write decimals with a point (30,000; 1.5 million), or give `low:`/`high:` explicitly",
                     id="two-digit-group"),
        pytest.param([(VALUE, "    value: around 1234567890123456\n")],
                     "claims/probe.yml:16: the figure 'around 1234567890123456' has more than 15 significant digits, more than the database keeps exactly — round it to 15 significant digits or fewer, or give `low:`/`high:` explicitly and say why in `note:`",
                     id="sixteen-digits"),
        pytest.param([(VALUE, "    value: between 5,000 and 2,800\n")],
                     "claims/probe.yml:16: the range 'between 5,000 and 2,800' is reversed: 5,000 is more than 2,800 — write the smaller number first, or check that both numbers are as the source gives them",
                     id="reversed-range"),
        pytest.param([(VALUE, VALUE + "    low: 017\n")],
                     "claims/probe.yml:17: `017` has a leading zero, which YAML reads as the octal number 15 — write 17 without the leading zero, or put it in quotes if the zero belongs to a text",
                     id="octal"),
        pytest.param([(VALUE, VALUE + "    low: 1_000\n")],
                     "claims/probe.yml:17: `1_000` is read by YAML as the number 1000 — write the number in plain digits (1000), or put it in quotes if it is text",
                     id="underscore-number"),
        pytest.param([(VALUE, VALUE + "    low: 1234567890123456\n")],
                     "claims/probe.yml:17: `low` is 1234567890123456, more than 15 significant digits, more than the database keeps exactly — round it to 15 significant digits or fewer",
                     id="explicit-sixteen-digits"),
        pytest.param([(VALUE, VALUE + "    low: 5\n    high: 5\n    high_exclusive: true\n")],
                     "claims/probe.yml:10: `low` equals `high` and an end is excluded, which leaves no number — remove low_exclusive/high_exclusive, or correct a bound",
                     id="empty-point"),
        pytest.param([(VALUE, VALUE + "    high: 0\n    high_exclusive: true\n")],
                     "claims/probe.yml:10: `high: 0` excluded leaves no number (figures count from zero) — remove high_exclusive, or correct high",
                     id="below-zero"),
        pytest.param([(VALUE, VALUE + "    hedges: [reportedly]\n")],
                     "claims/probe.yml:10: the hedge 'reportedly' is not in the quote — copy the hedging words exactly as the quote has them, or extend the quote to hold them",
                     id="hedge-not-in-quote"),
        pytest.param([(VALUE, VALUE + "    scope: evin-prison\n")],
                     "claims/probe.yml:17: unknown subject `evin-prison` — use an id from subjects.yml or add it there",
                     id="unknown-scope"),
        pytest.param([(VALUE, VALUE + "    scope: ncri\n")],
                     "claims/probe.yml:17: the scope `ncri` is not part of the claim's subject `executions-1988` — give `part_of: executions-1988` to `ncri` in subjects.yml (directly or through a wider part), or give the scope as the subject",
                     id="scope-not-a-part"),
        pytest.param([(VALUE, VALUE + "    reviewed:\n      - claim: probe-figure\n        rationale: Read.\n")],
                     "claims/probe.yml:18: claim `probe-figure` records a review of itself — name a claim of the other figure",
                     id="review-of-itself"),
        pytest.param([(VALUE, VALUE + "    reviewed:\n      - claim: no-such-claim\n        rationale: Read.\n")],
                     "claims/probe.yml:18: unknown claim `no-such-claim` — use an id from the source files or add it there",
                     id="review-of-unknown"),
    ],
)
def test_refused_figures_and_fields(probe, claimsdb, replacements, expected):
    probe(*replacements)
    assert problems(claimsdb("check")) == [expected]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ('wordings: ["between {a} and {b}",', 'wordings: ["between {b} and {a}",',
         "claims/measures.yml:81: the range wording 'between {b} and {a}' does not hold {a} before {b} — write it as 'between {a} and {b}'"),
        ('wordings: ["more than", "over",', 'wordings: ["more than {a}", "over",',
         "claims/measures.yml:66: the wording 'more than {a}' holds {a}/{b}, which only a range ('[a, b]') reads — remove them, or move the wording to the range comparator"),
        ("      low: 2000\n      suggested_high: 10000\n", "      low: 2000\n      suggested_low: 1000\n",
         "claims/measures.yml:{entry}: the suggested interval reaches outside the entailed one — a suggestion can only narrow what the words say: correct suggested_low/suggested_high"),
        ("  suggestion_ratio: 2\n", "  suggestion_ratio: 1\n", "claims/measures.yml:51: `suggestion_ratio` is 1, but it must be more than 1 — give more than 1"),
    ],
)
def test_the_value_table_is_checked(workdir, claimsdb, old, new, expected):
    measures = workdir / "claims" / "measures.yml"
    text = measures.read_text(encoding="utf-8")
    assert old in text
    measures.write_text(text.replace(old, new, 1), encoding="utf-8")
    # {entry}: the line where the table entry holding the change starts
    before = text[:text.index(old)].split("\n")
    entry = max(n for n, line in enumerate(before, 1) if line.lstrip().startswith("- "))
    [line] = problems(claimsdb("check"))
    assert line == expected.replace("{entry}", str(entry))


def test_a_part_of_cycle_is_refused(workdir, claimsdb):
    subjects = workdir / "claims" / "subjects.yml"
    text = subjects.read_text(encoding="utf-8")
    subjects.write_text(text.replace("    description: The executions of political prisoners in Iran in 1988, which both sources call the 1988 massacre.\n",
                                     "    description: The executions of political prisoners in Iran in 1988, which both sources call the 1988 massacre.\n    part_of: khavaran\n"), encoding="utf-8")
    found = problems(claimsdb("check"))
    assert "claims/subjects.yml:11: subject `executions-1988` is part of itself through a cycle (executions-1988 → khavaran → burial-sites-1988 → executions-1988) — make part_of name only wider subjects" in found


# Scope and parts ------------------------------------------------------------------


PRISON = """
  - id: evin-prison
    name: Evin prison
    kind: place
    description: A prison in Tehran, used here for figures limited to it.
    part_of: executions-1988
"""


def add_part_figure(workdir, probe, value: str, scoped: bool):
    (workdir / "claims" / "subjects.yml").write_text((workdir / "claims" / "subjects.yml").read_text(encoding="utf-8") + PRISON, encoding="utf-8")
    where = "    subject: executions-1988\n    scope: evin-prison\n" if scoped else "    subject: evin-prison\n"
    probe(("    subject: executions-1988\n", where), (VALUE, f"    value: {value}\n"))


@pytest.mark.parametrize("scoped", [True, False], ids=["scope", "subject"])
def test_a_part_smaller_than_its_whole_differs_in_scope_and_is_no_conflict(workdir, probe, claimsdb, scoped):
    add_part_figure(workdir, probe, "at least 5,000", scoped)
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(workdir / "claims.db")
    [(relation, rationale)] = db.execute(
        "select relation, rationale from relations where claim_id = 'probe-figure' and other_claim_id = 'inu-executed-around-30000'").fetchall()
    assert relation == "differs-in-scope"
    assert rationale == ("'at least 5,000' (at least 5,000) counts Evin prison only, a part of 1988 executions of political prisoners in Iran, "
                         "for which 'around 30,000' (from 27,000 to 33,000) is given: a part may count fewer than its whole, so the two are not rival totals")
    assert db.execute("select count(*) from conflicts where 'probe-figure' in (claim_id, other_id)").fetchone() == (0,)
    assert db.execute("select count(*) from look_alikes where claim_id = 'probe-figure'").fetchone()[0] == 4  # the four figures of the whole
    assert db.execute("select f.subject_id from figures f join claims c on c.figure_id = f.id where c.id = 'probe-figure'").fetchone() == ("evin-prison",)
    assert "(`probe-figure`)" not in result.stderr


def test_a_part_larger_than_its_whole_contradicts_it(workdir, probe, claimsdb):
    add_part_figure(workdir, probe, "at least 40,000", True)
    result = claimsdb("build")
    db = sqlite3.connect(workdir / "claims.db")
    assert db.execute("select relation, rationale from relations where claim_id = 'probe-figure' and other_claim_id = 'inu-executed-around-30000'").fetchone() == (
        "contradicts", "'at least 40,000' for Evin prison (at least 40,000) is more than 'around 30,000' for 1988 executions of political prisoners in Iran "
        "(from 27,000 to 33,000), of which it is a part: a part cannot count more than its whole")
    # not more than 'more than 30,000', which has no upper bound
    assert db.execute("select relation from relations where claim_id = 'probe-figure' and other_claim_id = 'ant-executed-more-than-30000'").fetchone() == ("differs-in-scope",)
    assert "'at least 40,000' (`probe-figure`) contradicts 'around 30,000'" in result.stderr


# Figures as rows -------------------------------------------------------------------


def test_figures_count_claims_speakers_sources_and_independent_origins(workdir, probe, claimsdb):
    # The probe's publisher (arabnews-today) is affiliated with the PMOI/MEK, as is Iran News Update: one origin.
    probe((VALUE, "    value: around 30,000\n"), ("    speaker: arabnews-today\n    mode: own-voice\n", "    speaker: pmoi-mek\n    mode: reported\n"))
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(workdir / "claims.db")
    row = db.execute("select claims, speakers, sources, origins, wordings from figures f join claims c on c.figure_id = f.id where c.id = 'probe-figure'").fetchone()
    assert row == (2, 2, 2, 1, '["around 30,000"]')
    # an unaffiliated publisher is an independent origin
    text = (workdir / "claims" / "probe.yml").read_text(encoding="utf-8")
    (workdir / "claims" / "probe.yml").write_text(text.replace("publisher: arabnews-today", "publisher: amnesty-international"), encoding="utf-8")
    assert claimsdb("build").exit_code == 0
    db = sqlite3.connect(workdir / "claims.db")
    assert db.execute("select origins from figures f join claims c on c.figure_id = f.id where c.id = 'probe-figure'").fetchone() == (2,)


def test_hedges_are_kept_and_shown_with_the_figure(workdir, probe, claimsdb):
    probe(("    quote: executed more than 30,000 political prisoners\n", "    quote: executed more than 30,000 political prisoners\n    hedges: [executed more than]\n"))
    assert claimsdb("build").exit_code == 0
    db = sqlite3.connect(workdir / "claims.db")
    assert db.execute("select hedges from claims where id = 'probe-figure'").fetchone() == ('["executed more than"]',)
    assert db.execute("select f.hedges from figures f join claims c on c.figure_id = f.id where c.id = 'probe-figure'").fetchone() == ('["executed more than"]',)
    assert db.execute("select hedges from estimates where id = 'probe-figure'").fetchone() == ('["executed more than"]',)


# Review -----------------------------------------------------------------------------


def test_review_lists_each_unacknowledged_pair_of_figures_once_side_by_side(workdir, probe, claimsdb):
    probe((VALUE, "    value: around 5,000\n"))
    # a second claim of the same figure in the same file
    text = (workdir / "claims" / "probe.yml").read_text(encoding="utf-8")
    first = text[text.index("  - id: probe-figure"):text.index("  - id: probe-period")]
    (workdir / "claims" / "probe.yml").write_text(text + first.replace("id: probe-figure", "id: probe-figure-again"), encoding="utf-8")
    result = claimsdb("review")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 pair(s) of figures in conflict that no editor has acknowledged:\n")
    assert "1. 'around 5,000' contradicts 'around 30,000' (People executed in the 1988 executions, 1988 executions of political prisoners in Iran)\n" in result.output
    assert "  A 'around 5,000': entails from 4,500 to 5,500 — 2 claim(s), 1 source(s)\n" in result.output
    assert "    `probe-figure` (claims/probe.yml:10): arabnews.today (own-voice), in arabnews.today, “A probe document”: “executed more than 30,000 political prisoners”\n" in result.output
    assert "    `inu-executed-around-30000` (claims/irannewsupdate-2021-officials-yet-to-face-accountability.yml:223): Iran News Update (own-voice)" in result.output
    assert claimsdb("review", "--strict").exit_code == 1
    check = claimsdb("check")
    assert check.stderr.count("no editor has acknowledged the pair") == 3  # once per pair of figures, not per claim pair (6)


def test_review_says_when_nothing_is_left(workdir, claimsdb):
    result = claimsdb("review", "--strict")
    assert result.exit_code == 0
    assert result.output == "Nothing to review: every detected conflict between figures has been acknowledged by an editor.\n"
