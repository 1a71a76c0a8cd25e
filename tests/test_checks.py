"""Every check on the claim files: one line per problem, `path:line: what — what
to do`, all problems in one run, exit status 1, no traceback, and the
previous claims.db untouched."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from .conftest import CLAIMS_DIR

ARCHIVE = CLAIMS_DIR / "sources" / "arabnews-today-2021-09-03-un-workgroup-investigation.txt"
ARCHIVE_SHA = hashlib.sha256(ARCHIVE.read_bytes()).hexdigest()
PROBE = "claims/probe.yml"

# Line numbers below refer to this text.
PROBE_TEXT = f"""\
id: probe
title: A probe document
url: https://example.org/probe
publisher: arabnews-today
published: "2021-09-03"
language: en
archive: sources/probe.txt
sha256: {ARCHIVE_SHA}
claims:
  - id: probe-figure
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speaker: arabnews-today
    mode: own-voice
    value: more than 30,000
    statement: The probe document states that more than 30,000 political prisoners were executed.
    quote: executed more than 30,000 political prisoners
  - id: probe-period
    kind: period
    subject: executions-1988
    speaker: un-wgeid
    mode: quoted
    period: between July and September 1988
    start: "1988-07"
    end: "1988-09"
    statement: The probe document quotes the UN Working Group as saying the executions took place between July and September 1988.
    quote: allegedly executed between July and September 1988
"""


@pytest.fixture
def probe(workdir):
    """The copied corpus plus one small source file whose lines we know."""
    shutil.copyfile(ARCHIVE, workdir / "claims" / "sources" / "probe.txt")

    def write(*replacements: tuple[str, str], text: str = PROBE_TEXT) -> Path:
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        path = workdir / PROBE
        path.write_text(text, encoding="utf-8")
        return path

    write()
    return write


def problems(result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("problem(s); nothing was built.")
    return lines[:-1]


def test_probe_corpus_is_valid(probe, claimsdb):
    result = claimsdb("check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "replacements, expected",
    [
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n  bad indent: [\n")],
            "claims/probe.yml:16: YAML syntax error: while parsing a block collection, did not find expected '-' indicator — fix the YAML at this line",
            id="yaml-syntax",
        ),
        pytest.param(
            [("    mode: own-voice\n", "\tmode: own-voice\n")],
            "claims/probe.yml:15: YAML syntax error: a tab character, where YAML allows only spaces — indent with spaces",
            id="tab",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    mode: quoted\n")],
            "claims/probe.yml:16: duplicate key `mode` (first given at line 15) — keep one of the two",
            id="duplicate-key",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: more than 30,000\n    low: many\n")],
            "claims/probe.yml:17: `low` should be a number (digits only, no thousands separators), not 'many' — write a number (digits only, no thousands separators)",
            id="wrong-type",
        ),
        pytest.param(
            [("    statement: The probe document states that more than 30,000 political prisoners were executed.\n", "")],
            "claims/probe.yml:10: missing field `statement` — add `statement:` (One plain sentence, written by the editor, saying who asserts what)",
            id="missing-field",
        ),
        pytest.param(
            [("    speaker: arabnews-today\n", "    speker: arabnews-today\n")],
            "claims/probe.yml:14: unknown field `speker` — did you mean `speaker`? rename it, or remove it",
            id="unknown-field-suggests-nearest",
        ),
        pytest.param(
            [("    kind: quantity\n", "    kind: quantiy\n")],
            "claims/probe.yml:11: `kind` is 'quantiy', not a claim kind — did you mean `quantity`? use one of quantity, period, characterisation, role, event, demand",
            id="unknown-kind",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own voice\n")],
            "claims/probe.yml:15: `mode` is 'own voice' — did you mean `own-voice`? use one of 'own-voice', 'quoted', 'reported' or 'attributed-belief'",
            id="unknown-mode",
        ),
        pytest.param(
            [("    speaker: arabnews-today\n", "    speaker: arabnews-todey\n")],
            "claims/probe.yml:14: unknown agent `arabnews-todey` — did you mean `arabnews-today`? use an id from agents.yml or add it there",
            id="unknown-agent",
        ),
        pytest.param(
            [("    subject: executions-1988\n", "    subject: executions-1989\n")],
            "claims/probe.yml:12: unknown subject `executions-1989` — did you mean `executions-1988`? use an id from subjects.yml or add it there",
            id="unknown-subject",
        ),
        pytest.param(
            [("    measure: people-executed-1988\n", "    measure: people-killed\n")],
            "claims/probe.yml:13: unknown measure `people-killed` — use an id from measures.yml or add it there",
            id="unknown-measure",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: executed more than 30,000 political prisoners\n    relations:\n      - relation: corroborates\n        claim: probe-nothing\n        rationale: The probe relates to a claim that does not exist.\n")],
            "claims/probe.yml:21: unknown claim `probe-nothing` — did you mean `probe-figure`? use an id from the source files or add it there",
            id="unknown-claim",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: executed more than 30,000 political prisoners\n    relations:\n      - relation: corroborates\n        claim: probe-figure\n        rationale: The probe relates a claim to itself.\n")],
            "claims/probe.yml:21: claim `probe-figure` is related to itself — relate it to another claim or remove the relation",
            id="self-relation",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: between 40,000 and 50,000\n    low: 50000\n    high: 40000\n")],
            "claims/probe.yml:10: `low` (50000) is greater than `high` (40000) — swap them or correct one",
            id="low-above-high",
        ),
        pytest.param(
            [('    start: "1988-07"\n', '    start: "1988-02-30"\n')],
            "claims/probe.yml:25: `start`: 1988-02-30 does not exist (February 1988 has 29 days) — give a date that exists",
            id="impossible-date",
        ),
        pytest.param(
            [('published: "2021-09-03"\n', 'published: "2021-13"\n')],
            "claims/probe.yml:5: `published`: month 13 does not exist — give a month from 01 to 12",
            id="impossible-month",
        ),
        pytest.param(
            [('    start: "1988-07"\n    end: "1988-09"\n', '    start: "1988-09"\n    end: "1988-07"\n')],
            "claims/probe.yml:25: period bounds: the period starts (1988-09-01) after it ends (1988-07-31) — write bounds as YYYY[-MM[-DD]], optionally after a qualifier from measures.yml",
            id="period-reversed",
        ),
        pytest.param(
            [('    end: "1988-09"\n', '    end: "sometime 1988-09"\n')],
            "claims/probe.yml:25: period bounds: the qualifier 'sometime' is not in measures.yml (known: autumn, early, late, mid, spring, summer) — write bounds as YYYY[-MM[-DD]], optionally after a qualifier from measures.yml",
            id="unknown-period-qualifier",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: a great many\n")],
            "claims/probe.yml:16: cannot read the figure 'a great many' with the table in measures.yml — give `low:`/`high:` explicitly, or add the wording to value_semantics",
            id="unreadable-figure",
        ),
        pytest.param(
            [(f"sha256: {ARCHIVE_SHA}\n", "sha256: " + "ab" * 32 + "\n")],
            f"claims/probe.yml:8: sources/probe.txt has SHA-256 {ARCHIVE_SHA}, but the source file pins {'ab' * 32} — restore the archived text byte for byte, or, if the archive is the intended evidence, set `sha256: {ARCHIVE_SHA}`",
            id="archive-hash-mismatch",
        ),
        pytest.param(
            [("archive: sources/probe.txt\n", "archive: sources/missing.txt\n")],
            "claims/probe.yml:7: archive sources/missing.txt does not exist — copy the source text to claims/sources/missing.txt",
            id="archive-missing",
        ),
        pytest.param(
            [("id: probe\n", "id: probe-two\n")],
            "claims/probe.yml:1: the source id `probe-two` differs from the file name `probe` — rename the file to probe-two.yml or set `id: probe`",
            id="source-id-not-file-name",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: executed more than 40,000 political prisoners\n")],
            "claims/probe.yml:18: the quote does not occur in claims/sources/probe.txt — copy the words exactly from claims/sources/probe.txt",
            id="quote-absent",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: the 1988 massacre\n")],
            "claims/probe.yml:18: the quote occurs 10 times in claims/sources/probe.txt (lines 1, 9, 11, 15, 31, 33, 35, 43, 45 of the archive) — lengthen the quote until it is unique, or add `occurrence: N` (1 is the first)",
            id="quote-ambiguous",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: Exit mobile version\n    reason: A page remnant.\nclaims:\n")],
            "claims/probe.yml:10: the not-a-claim text does not occur in claims/sources/probe.txt — copy the words exactly from claims/sources/probe.txt",
            id="not-claim-absent",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: the 1988 massacre\n    reason: A name.\nclaims:\n")],
            "claims/probe.yml:10: the not-a-claim text occurs 10 times in claims/sources/probe.txt (lines 1, 9, 11, 15, 31, 33, 35, 43, 45 of the archive) — lengthen the not-a-claim text until it is unique, or add `occurrence: N` (1 is the first)",
            id="not-claim-ambiguous",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: Iran, September 3, 2021-The\n    reason: Dateline.\nclaims:\n")],
            "claims/probe.yml:10: the not-a-claim text is not in claims/sources/probe.txt as written; it matches only after folding typography (quotes, dashes, spaces) — paste the archived text exactly: text: \"Iran, September 3, 2021—The\"",
            id="not-claim-typography",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: You May Also Like\n    reason: Footer.\n  - text: You May Also Like\n    reason: Footer.\nclaims:\n")],
            "claims/probe.yml:12: the same words are marked as not a claim twice (first at line 10) — keep one of the two",
            id="not-claim-twice",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: You May Also Like\nclaims:\n")],
            "claims/probe.yml:10: missing field `reason` — add `reason:` (Why the editor decides these words need no claim of their own, in neutral words (naming the claims that record what they restate))",
            id="not-claim-without-reason",
        ),
        pytest.param(
            [("claims:\n", "not_claims:\n  - text: You May Also Like\n    reason: TODO\nclaims:\n")],
            "claims/probe.yml:11: `reason`: still the placeholder 'TODO' that `claimsdb suggest` writes — replace it with why the editor decides these words need no claim of their own, in neutral words (naming the claims that record what they restate).",
            id="not-claim-placeholder-reason",
        ),
        pytest.param(
            [("    statement: The probe document states that more than 30,000 political prisoners were executed.\n",
              "    statement: 'TODO: one neutral sentence saying who asserts what'\n")],
            "claims/probe.yml:17: `statement`: still the placeholder 'TODO: one neutral sentence sa…' that `claimsdb suggest` writes — replace it with one plain sentence, written by the editor, saying who asserts what.",
            id="placeholder-statement",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: more than 30,000\n    low_exclusive: true\n")],
            "claims/probe.yml:10: `low_exclusive` without `low` — give `low:` or remove `low_exclusive`",
            id="exclusive-without-bound",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: the 1988 massacre\n    occurrence: 11\n")],
            "claims/probe.yml:18: `occurrence: 11` but the quote occurs 10 time(s) in claims/sources/probe.txt — lower `occurrence` or remove it",
            id="quote-occurrence-too-high",
        ),
    ],
)
def test_bad_input_gives_one_line_with_file_and_line(probe, claimsdb, replacements, expected):
    probe(*replacements)
    assert problems(claimsdb("check")) == [expected]


def test_quote_that_differs_only_in_typography_prints_the_text_to_paste(probe, claimsdb):
    # The archive has a no-break space after "recent" and after "conference",
    # and curly quotes; the editor typed plain ones.
    probe(("    quote: allegedly executed between July and September 1988\n",
           "    quote: 'In a recent online conference with the attendance of more than 1,000 former Iranian political prisoners, human rights experts and jurists described the 1988 massacre as a \"genocide\"'\n"))
    assert problems(claimsdb("check")) == [
        "claims/probe.yml:28: the quote is not in claims/sources/probe.txt as written; it matches only after folding typography (quotes, dashes, spaces) — paste the archived text exactly: quote: "
        '"In a recent\\u00a0online conference\\u00a0with the attendance of more than 1,000 former Iranian political prisoners, human rights experts and jurists described the 1988 massacre as a “genocide”"'
    ]


def test_pasting_the_suggested_quote_fixes_it(probe, claimsdb):
    probe(("    quote: allegedly executed between July and September 1988\n",
           '    quote: "In a recent\\u00a0online conference\\u00a0with the attendance of more than 1,000 former Iranian political prisoners, human rights experts and jurists described the 1988 massacre as a “genocide”"\n'))
    assert claimsdb("check").exit_code == 0


def test_occurrence_disambiguates_a_repeated_quote(probe, claimsdb):
    probe(("    quote: executed more than 30,000 political prisoners\n", "    quote: the 1988 massacre\n    occurrence: 2\n"))
    assert claimsdb("check").exit_code == 0


def test_duplicate_ids_anywhere_in_the_corpus(probe, claimsdb, workdir):
    text = PROBE_TEXT.replace("id: probe\n", "id: probe-copy\n").replace("archive: sources/probe.txt", "archive: sources/probe.txt")
    (workdir / "claims" / "probe-copy.yml").write_text(text, encoding="utf-8")
    assert problems(claimsdb("check")) == [
        "claims/probe.yml:10: duplicate claim id `probe-figure` (first at claims/probe-copy.yml:10) — give each a unique id",
        "claims/probe.yml:19: duplicate claim id `probe-period` (first at claims/probe-copy.yml:19) — give each a unique id",
    ]


def test_duplicate_agent_id(workdir, claimsdb):
    agents = workdir / "claims" / "agents.yml"
    text = agents.read_text(encoding="utf-8")
    agents.write_text(text + "  - id: amnesty-international\n    name: A second entry\n    kind: ngo\n", encoding="utf-8")
    last_line = len(text.splitlines()) + 1
    [line] = problems(claimsdb("check"))
    assert line.startswith(f"claims/agents.yml:{last_line}: duplicate agent id `amnesty-international` (first at claims/agents.yml:")
    assert line.endswith("— give each a unique id")


def test_every_problem_is_reported_in_one_run(probe, claimsdb):
    probe(
        ("    speaker: arabnews-today\n", "    speaker: nobody\n"),
        ('    start: "1988-07"\n', '    start: "1988-02-30"\n'),
        ("    quote: executed more than 30,000 political prisoners\n", "    quote: not in the text\n"),
        ("language: en\n", "language: English\n"),
    )
    lines = problems(claimsdb("check"))
    assert [line.split(":")[1] for line in lines] == ["6", "14", "18", "25"]


def test_a_failed_build_leaves_the_previous_database_byte_identical(probe, claimsdb, workdir):
    assert claimsdb("build").exit_code == 0
    before = (workdir / "claims.db").read_bytes()
    probe(("    speaker: arabnews-today\n", "    speaker: nobody\n"))
    problems(claimsdb("build"))
    assert (workdir / "claims.db").read_bytes() == before
    assert not list(workdir.glob(".claims.db.*"))


def test_missing_shared_file(workdir, claimsdb):
    (workdir / "claims" / "subjects.yml").unlink()
    lines = problems(claimsdb("check"))
    assert lines[0] == "claims/subjects.yml:1: subjects.yml is missing — create claims/subjects.yml (see README)"


def test_a_file_that_is_not_a_mapping(probe, claimsdb):
    probe(text="- just\n- a list\n")
    assert problems(claimsdb("check")) == ["claims/probe.yml:1: the file is not a YAML mapping — start it with its top-level keys (see README)"]


def test_yaml_aliases_are_refused(probe, claimsdb):
    probe(("    subject: executions-1988\n", "    subject: &s executions-1988\n"),
          ("    subject: executions-1988\n    speaker: un-wgeid\n", "    subject: *s\n    speaker: un-wgeid\n"))
    assert problems(claimsdb("check")) == ["claims/probe.yml:21: YAML aliases (*name) are not allowed in claim files — write the value out in full"]


def test_a_wording_given_twice_in_value_semantics(workdir, claimsdb):
    measures = workdir / "claims" / "measures.yml"
    text = measures.read_text(encoding="utf-8")
    measures.write_text(text.replace('wordings: ["at most", "up to", "no more than"]', 'wordings: ["at most", "up to", "about"]'), encoding="utf-8")
    [line] = problems(claimsdb("check"))
    assert line == "claims/measures.yml:72: the comparator wording 'about' is given twice (first at line 58) — keep it under one comparator"


def test_a_comparator_without_wordings(workdir, claimsdb):
    measures = workdir / "claims" / "measures.yml"
    text = measures.read_text(encoding="utf-8")
    measures.write_text(text.replace('wordings: ["at most", "up to", "no more than"]', "wordings: []"), encoding="utf-8")
    assert problems(claimsdb("check")) == [
        "claims/measures.yml:72: `wordings` is empty — give at least one item (Words that introduce a figure with this comparator, matched case-insensitively at the start of the value as written ('' for a bare number))",
    ]


def test_an_affiliation_given_twice(workdir, claimsdb):
    agents = workdir / "claims" / "agents.yml"
    text = agents.read_text(encoding="utf-8")
    agents.write_text(text.replace(
        "      - agent: pmoi-mek\n        role: publishes reports credited to\n",
        "      - agent: pmoi-mek\n        role: publishes reports credited to\n      - agent: pmoi-mek\n        role: publishes reports credited to\n"), encoding="utf-8")
    assert problems(claimsdb("check")) == [
        "claims/agents.yml:28: the affiliation of `arabnews-today` with `pmoi-mek` as 'publishes reports credited to' is given twice (first at line 26) — keep one of the two",
    ]
