"""Coverage as data: every candidate expression of every archive, covered by
a claim, marked by an editor as not a claim (with the reason), or uncovered;
the seed corpus at 100%, with every exclusion explained."""

from __future__ import annotations

import json

import pytest

from claimsdb.coverage import CLAIM, NOT_A_CLAIM, UNCOVERED, source_coverage
from claimsdb.load import load_corpus

from .conftest import EXAMPLE_ID
from .test_checks import PROBE_TEXT, probe  # noqa: F401 - the probe fixture

ANT = "arabnews-today-2021-09-03-un-workgroup-investigation"
INU = "irannewsupdate-2021-officials-yet-to-face-accountability"


def test_the_seed_corpus_reaches_full_coverage_with_every_exclusion_explained(workdir, claimsdb):
    result = claimsdb("coverage", "--strict")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"{ANT}: 57 candidate expression(s): 54 covered by claims, 3 marked not a claim, 0 uncovered — 100%\n"
        f"  claims/sources/{ANT}.txt:1: reporting 'calls for' — not a claim: Headline; it restates the UN Working Group's call recorded from the report's first paragraphs (ant-wgeid-international-community-must-investigate, ant-wgeid-joins-call-for-international-investigation).\n"
        f"  claims/sources/{ANT}.txt:5: date 'September 3, 2021' — not a claim: Dateline; the place and date of the report, recorded as the source's published date (2021-09-03).\n"
        f"  claims/sources/{ANT}.txt:31: reporting 'calls for' — not a claim: Section heading; the calls it announces are recorded from the paragraphs below it (the UN experts' letter and the online conference).\n"
        f"{INU}: 29 candidate expression(s): 28 covered by claims, 1 marked not a claim, 0 uncovered — 100%\n"
        f"  claims/sources/{INU}.txt:1: date '1988' — not a claim: Breadcrumb navigation left over from the web page; it repeats the headline, which is recorded as claim inu-officials-yet-to-face-accountability.\n"
        "All: 86 candidate expression(s): 82 covered by claims, 4 marked not a claim, 0 uncovered — 100%\n"
    )


def test_the_coverage_table_holds_every_candidate_with_its_status(built_db):
    import sqlite_utils

    db = sqlite_utils.Database(built_db)
    rows = list(db["coverage"].rows)
    assert len(rows) == 86
    assert {row["status"] for row in rows} == {CLAIM, NOT_A_CLAIM}
    claim_ids = {row["id"] for row in db["claims"].rows}
    texts = {row["id"]: row["text"] for row in db["sources"].rows}
    for row in rows:
        assert texts[row["source_id"]][row["expression_start"]:row["expression_end"]] == row["expression"]
        assert row["expression"] in row["sentence"]
        if row["status"] == CLAIM:
            assert set(json.loads(row["claim_ids"])) <= claim_ids and row["not_claim_reason"] is None
        else:
            assert row["claim_ids"] is None and row["not_claim_reason"]
    summary = [tuple(row) for row in db.execute("select source_id, candidates, covered_by_claims, not_claims, uncovered, percent_covered from coverage_by_source")]
    assert summary == [(ANT, 57, 54, 3, 0, 100.0), (INU, 29, 28, 1, 0, 100.0)]


def test_not_claims_are_in_the_database_at_their_place(built_db):
    import sqlite_utils

    db = sqlite_utils.Database(built_db)
    marks = {row["text"]: row for row in db["not_claims"].rows}
    assert set(marks) >= {"Exit mobile version", "You May Also Like", "Reporting by PMOI/MEK", "Iran, September 3, 2021"}
    texts = {row["id"]: row["text"] for row in db["sources"].rows}
    for text, row in marks.items():
        assert texts[row["source_id"]][row["text_start"]:row["text_end"]] == text
        assert row["reason"] and row["path"].endswith(f"{row['source_id']}.yml") and row["line"] > 1


def test_a_new_source_is_uncovered_until_its_claims_are_recorded(example_source, claimsdb):
    result = claimsdb("coverage", "--strict", example_source)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{EXAMPLE_ID}: 8 candidate expression(s): 0 covered by claims, 0 marked not a claim, 8 uncovered — 0%"
    assert f"  claims/sources/{EXAMPLE_ID}.txt:7: figure 'More than 200 people' — UNCOVERED in: More than 200 people attended the meeting.\n" in result.output
    assert result.stderr == "8 uncovered candidate expression(s), which --strict treats as errors: run `claimsdb suggest SOURCE`.\n"
    assert claimsdb("coverage", example_source).exit_code == 0


# The rules ---------------------------------------------------------------------

# Probe claims about the second seed's archive (copied to claims/sources/probe.txt).
RULES = """\
claims:
  - id: probe-by-quote
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speaker: arabnews-today
    mode: own-voice
    value: more than 30,000
    statement: The probe document states that more than 30,000 political prisoners were executed.
    quote: executed more than 30,000 political prisoners
  - id: probe-by-period
    kind: event
    subject: burial-sites-1988
    speaker: arabnews-today
    mode: own-voice
    period: In recent years
    statement: The probe document states that the authorities engaged in a campaign to destroy the mass graves.
    quote: the regime has engaged in a campaign to destroy the mass graves
  - id: probe-by-reported-sentence
    kind: characterisation
    subject: burial-sites-1988
    speaker: amnesty-international
    mode: quoted
    label: illegal acts
    modality: is
    statement: The probe document quotes Amnesty International describing the acts as illegal.
    quote: The purpose of these illegal acts
  - id: probe-own-voice-in-a-reported-sentence
    kind: event
    subject: accountability-1988
    speaker: arabnews-today
    mode: own-voice
    statement: The probe document states that the letter reads in part.
    quote: the letter reads in part
"""


def coverage_of(workdir, source_id="probe"):
    corpus = load_corpus(workdir / "claims")
    [source] = [s for s in corpus.sources if s.id == source_id]
    return {(r.candidate.category, r.candidate.text): r for r in source_coverage(corpus, source)}


def test_a_claim_covers_what_its_quote_contains(probe, workdir):  # noqa: F811
    probe(text=PROBE_TEXT.split("claims:\n")[0] + RULES)
    results = coverage_of(workdir)
    assert results[("figure", "more than 30,000 political prisoners")].claim_ids == ("probe-by-quote",)


def test_a_claim_covers_the_period_it_records_as_written_in_its_sentence(probe, workdir):  # noqa: F811
    probe(text=PROBE_TEXT.split("claims:\n")[0] + RULES)
    assert coverage_of(workdir)[("date", "In recent years")].claim_ids == ("probe-by-period",)


def test_a_quoted_claim_covers_the_reporting_verb_of_its_sentence_an_own_voice_claim_does_not(probe, workdir):  # noqa: F811
    probe(text=PROBE_TEXT.split("claims:\n")[0] + RULES)
    results = coverage_of(workdir)
    assert results[("reporting", "added")].claim_ids == ("probe-by-reported-sentence",)
    # 'the letter reads' is inside an own-voice claim's quote, so rule 1 covers it;
    # 'said' in the last paragraph has only own-voice claims around it: uncovered.
    assert results[("reporting", "the letter reads")].claim_ids == ("probe-own-voice-in-a-reported-sentence",)
    said = [r for (category, text), r in results.items() if category == "reporting" and text == "said"]
    assert {r.status for r in said} == {UNCOVERED}


def test_words_marked_as_not_claims_exclude_the_candidates_inside_them(probe, workdir):  # noqa: F811
    probe(text=PROBE_TEXT.split("claims:\n")[0]
          + "not_claims:\n  - text: Iran, September 3, 2021\n    reason: Dateline.\n" + RULES)
    result = coverage_of(workdir)[("date", "September 3, 2021")]
    assert (result.status, result.reason, result.claim_ids) == (NOT_A_CLAIM, "Dateline.", ())


@pytest.mark.parametrize("source_id", [ANT, INU])
def test_every_seed_candidate_is_dealt_with(source_id):
    from .conftest import CLAIMS_DIR

    corpus = load_corpus(CLAIMS_DIR)
    [source] = [s for s in corpus.sources if s.id == source_id]
    assert [r.candidate.text for r in source_coverage(corpus, source) if r.status == UNCOVERED] == []
