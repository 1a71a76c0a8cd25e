"""`claimsdb reanchor SOURCE FILE`: a newer capture of a known document.
Exact, unique matches move; a changed quote is proposed with its similarity
and margin, or orphaned; nothing changes without --apply, which applies only
the moves, keeps the old capture as a revision and keeps every other quote
anchored in it."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from claimsdb.db import write_database
from claimsdb.load import load_corpus
from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT
from .fixtures.make_fixtures import saved_page, seed_paragraphs
from .test_checks import PROBE, PROBE_TEXT

SEED = "arabnews-today-2021-09-03-un-workgroup-investigation"
CHANGED_CLAIM = "ant-executed-more-than-30000"


def snapshot(directory):
    return {path.relative_to(directory): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


@pytest.fixture
def revised(workdir):
    """The seed text with a paragraph added and one quoted word changed."""
    text = (workdir / "claims" / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    assert text.count("more than 30,000 political prisoners") == 1
    text = text.replace("Reporting by PMOI/MEK\n", "Reporting by PMOI/MEK\n\nUpdated: this report was revised on 5 September 2021.\n")
    text = text.replace("more than 30,000 political prisoners", "more than 30,000 political detainees")
    (workdir / "revised.txt").write_text(text, encoding="utf-8")
    return text


def report_lines(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        for status in ("moved", "proposed", "orphaned"):
            if f": {status} " in line:
                found.setdefault(status, []).append(line)
    return found


def test_a_revised_capture_moves_exact_quotes_and_proposes_the_changed_one(revised, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("reanchor", SEED, "revised.txt")
    assert result.exit_code == 0, result.output
    lines = report_lines(result.output)
    corpus = load_corpus(workdir / "claims")
    [source] = [s for s in corpus.sources if s.id == SEED]
    quotes = len(source.claims) + len(source.not_claims)
    assert len(lines["moved"]) == quotes - 1 and "orphaned" not in lines
    [proposed] = lines["proposed"]
    assert proposed.startswith(f"claims/{SEED}.yml:")
    assert proposed.endswith(f": proposed claim {CHANGED_CLAIM}: 1 candidate(s), margin 23.2 to the next")
    shift = len("Updated: this report was revised on 5 September 2021.\n\n")
    old = corpus.spans["ant-wgeid-international-community-must-investigate"]
    assert f"moved claim ant-wgeid-international-community-must-investigate: {old.start}–{old.end} → {old.start + shift}–{old.end + shift}" in result.output
    candidate = result.output.splitlines()[result.output.splitlines().index(proposed) + 1]
    start = revised.index("the regime executed more than 30,000 political detainees")
    assert candidate == f'    similarity 91.1 at {start}–{start + 56}: "the regime executed more than 30,000 political detainees"'
    assert result.output.endswith(f"{quotes - 1} moved, 1 proposed, 0 orphaned. Nothing was changed: run again with --apply to make revised.txt the current capture (only the moves are applied).\n")
    assert snapshot(workdir / "claims") == before


def test_apply_moves_only_the_exact_quotes_and_keeps_the_old_capture(revised, workdir, claimsdb, tmp_path):
    old_archive = (workdir / "claims" / "sources" / f"{SEED}.txt").read_bytes()
    result = claimsdb("reanchor", SEED, "revised.txt", "--apply")
    assert result.exit_code == 0, result.output
    assert "now has revised.txt as its current capture, the old one kept as revision 1" in result.output
    assert "1 claim(s) still anchored in the old capture (`revision: 1`) for an editor to decide." in result.output
    assert (workdir / "claims" / "sources" / f"{SEED}.txt").read_bytes() == old_archive
    assert (workdir / "claims" / "sources" / f"{SEED}.2.txt").read_text(encoding="utf-8") == revised
    yml = (workdir / "claims" / f"{SEED}.yml").read_text(encoding="utf-8")
    assert f"archive: sources/{SEED}.2.txt\n" in yml and f"revisions:\n  - archive: sources/{SEED}.txt\n" in yml
    assert f"  - id: {CHANGED_CLAIM}\n    revision: 1\n" in yml
    assert yml.count("revision: 1") == 1
    assert claimsdb("check").exit_code == 0
    (tmp_path / "built").mkdir()
    db_path = write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db")
    db = sqlite3.connect(db_path)
    assert db.execute("select revision, archive from source_revisions where source_id = ?", [SEED]).fetchall() == [(1, f"sources/{SEED}.txt")]
    assert db.execute("select revision from claims where id = ?", [CHANGED_CLAIM]).fetchone() == (1,)
    start, end, quote, text = db.execute("select quote_start, quote_end, quote, (select text from source_revisions where source_id = c.source_id) "
                                         "from claims c where id = ?", [CHANGED_CLAIM]).fetchone()
    assert text[start:end] == quote  # positions index into the old capture's text
    datasette = make_datasette(db_path, PROJECT_ROOT)
    page = asyncio.run(datasette.client.get(f"/claims/claims/{CHANGED_CLAIM}"))
    assert "This quote stands in an earlier capture of the source (revision 1" in page.text
    source_page = asyncio.run(datasette.client.get(f"/claims/sources/{SEED}"))
    assert f"revision 1: <code>claims/sources/{SEED}.txt</code>" in source_page.text


def test_a_quote_whose_words_are_gone_is_orphaned(workdir, claimsdb):
    text = (workdir / "claims" / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    paragraph = next(line for line in text.split("\n") if "Baha’i minority from burying" in line)
    (workdir / "shorter.txt").write_text(text.replace(paragraph + "\n", ""), encoding="utf-8")
    result = claimsdb("reanchor", SEED, "shorter.txt")
    assert result.exit_code == 0, result.output
    orphaned = report_lines(result.output)["orphaned"]
    assert orphaned and all("no passage of the new capture is similar enough (best similarity " in line for line in orphaned)


def test_a_quote_that_is_no_longer_unique_is_proposed_never_moved(workdir, claimsdb):
    text = (workdir / "claims" / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    quote = "the regime executed more than 30,000 political prisoners in the span of a few months"
    (workdir / "twice.txt").write_text(text + "\nA reader wrote: " + quote + ".\n", encoding="utf-8")
    result = claimsdb("reanchor", SEED, "twice.txt")
    proposed = report_lines(result.output)["proposed"]
    # Every quote inside the repeated words is now found twice: each is proposed, none moved.
    assert any(line.endswith(f"proposed claim {CHANGED_CLAIM}: 2 candidate(s), margin 0 to the next") for line in proposed)
    assert all(line.endswith("2 candidate(s), margin 0 to the next") for line in proposed)
    assert f"moved claim {CHANGED_CLAIM}" not in result.output


def test_a_newer_saved_page_replaces_the_original_and_keeps_the_old_one(workdir, claimsdb):
    title, paragraphs = seed_paragraphs()
    (workdir / "page.html").write_bytes(saved_page(title, paragraphs))
    assert claimsdb("add-source", "page.html", "--publisher", "arabnews-today", "--language", "en", "--id", "page").exit_code == 0
    yml = workdir / "claims" / "page.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("claims: []\n", """claims:
  - id: page-more-than-30000
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speaker: arabnews-today
    mode: own-voice
    statement: arabnews.today states that the regime executed more than 30,000 political prisoners.
    quote: the regime executed more than 30,000 political prisoners
    value: more than 30,000
  - id: page-khavaran-thousands
    kind: quantity
    subject: khavaran
    measure: people-interred-khavaran
    speaker: arabnews-today
    mode: own-voice
    statement: arabnews.today states that thousands of political prisoners were interred at Khavaran in 1988.
    quote: where thousands of political prisoners were interred in 1988
    value: thousands
"""), encoding="utf-8")
    assert claimsdb("check").exit_code == 0
    newer = saved_page(title, ["Editor's note: updated on 5 September 2021."] + [p.replace("more than 30,000 political prisoners", "more than 30,000 political detainees") for p in paragraphs])
    (workdir / "newer.html").write_bytes(newer)
    result = claimsdb("reanchor", "page", "newer.html", "--apply")
    assert result.exit_code == 0, result.output
    assert "moved claim page-khavaran-thousands" in result.output and "proposed claim page-more-than-30000" in result.output
    assert (workdir / "claims" / "sources" / "originals" / "page.2.html").read_bytes() == newer
    assert (workdir / "claims" / "sources" / "originals" / "page.html").exists()
    text = yml.read_text(encoding="utf-8")
    assert "original: sources/originals/page.2.html\n" in text and "  - archive: sources/page.txt\n    sha256: " in text
    assert "    original: sources/originals/page.html\n" in text
    assert claimsdb("check").exit_code == 0
    assert claimsdb("verify-sources").exit_code == 0


def test_a_revision_the_source_does_not_list_is_an_error(workdir, claimsdb):
    path = workdir / "claims" / f"{SEED}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"  - id: {CHANGED_CLAIM}\n", f"  - id: {CHANGED_CLAIM}\n    revision: 2\n"), encoding="utf-8")
    result = claimsdb("check")
    line = text.split("\n").index(f"  - id: {CHANGED_CLAIM}") + 2
    assert result.stderr.splitlines()[:-1] == [
        f"claims/{SEED}.yml:{line}: `revision: 2`, but the source lists 0 earlier capture(s) under `revisions` — remove `revision`: the quote stands in the current capture"]


def test_the_same_text_again_changes_nothing(workdir, claimsdb):
    (workdir / "same.txt").write_bytes((workdir / "claims" / "sources" / f"{SEED}.txt").read_bytes())
    result = claimsdb("reanchor", SEED, "same.txt", "--apply")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"same.txt:1: this capture gives the same text as sources/{SEED}.txt — nothing to reanchor: every quote stands where it stood"


def test_a_revised_source_survives_export_and_rebuild(revised, workdir, claimsdb, tmp_path):
    assert claimsdb("reanchor", SEED, "revised.txt", "--apply").exit_code == 0
    (tmp_path / "a").mkdir()
    first = write_database(load_corpus(workdir / "claims"), tmp_path / "a" / "claims.db")
    assert claimsdb("export", "--db", str(first), str(tmp_path / "exported")).exit_code == 0
    (tmp_path / "b").mkdir()
    second = write_database(load_corpus(tmp_path / "exported"), tmp_path / "b" / "claims.db")
    for sql in ("select * from source_revisions order by source_id, revision", "select id, revision, quote_start, quote_end from claims order by id"):
        assert sqlite3.connect(first).execute(sql).fetchall() == sqlite3.connect(second).execute(sql).fetchall()


def test_a_retrieved_date_that_does_not_exist_is_refused(revised, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("reanchor", SEED, "revised.txt", "--apply", "--retrieved", "2021-13")
    assert result.exit_code == 1
    assert result.stderr == "revised.txt:1: --retrieved: month 13 does not exist — give a month from 01 to 12\n1 problem(s); nothing was changed.\n"
    assert snapshot(workdir / "claims") == before


def test_apply_never_overwrites_a_file_where_the_new_capture_goes(revised, workdir, claimsdb):
    (workdir / "claims" / "sources" / f"{SEED}.2.txt").write_text("an editor's own file\n", encoding="utf-8")
    before = snapshot(workdir / "claims")
    result = claimsdb("reanchor", SEED, "revised.txt", "--apply")
    assert result.exit_code == 1
    assert result.stderr == (
        f"claims/sources/{SEED}.2.txt:1: the file for the new capture already exists — move it away; reanchor never overwrites a file\n"
        "1 problem(s); nothing was changed.\n"
    )
    assert snapshot(workdir / "claims") == before


FLOW_CLAIM = (
    "  - {id: probe-figure, kind: quantity, subject: executions-1988, measure: people-executed-1988, speaker: arabnews-today, "
    'mode: own-voice, value: "more than 30,000", statement: "The probe document states that more than 30,000 political prisoners were executed.", '
    'quote: "executed more than 30,000 political prisoners"}\n')


def probe_source(workdir, head_lines: str = "", claims: str = FLOW_CLAIM) -> None:
    """claims/probe.yml over a copy of the seed archive, its claims as given."""
    (workdir / "claims" / "sources" / "probe.txt").write_bytes((workdir / "claims" / "sources" / f"{SEED}.txt").read_bytes())
    head = PROBE_TEXT[:PROBE_TEXT.index("claims:\n")]
    (workdir / PROBE).write_text(head + head_lines + "claims:\n" + claims, encoding="utf-8")


def test_a_claim_written_as_a_flow_mapping_that_stays_in_the_old_capture_is_refused_before_anything_changes(revised, workdir, claimsdb):
    # reanchor edits source files line by line: the `revision: 1` it would add
    # under the claim's id, which did not move, cannot go inside the braces.
    probe_source(workdir)
    assert claimsdb("check").exit_code == 0
    before = snapshot(workdir / "claims")
    result = claimsdb("reanchor", "probe", "revised.txt", "--apply")
    assert result.exit_code == 1
    assert result.stderr == (
        "claims/probe.yml:10: claim `probe-figure` is written as a flow mapping ({...}), and reanchor cannot add `revision: 1` to it line by line "
        "— write the claim as a block mapping, one key a line, and run reanchor again: nothing was changed\n"
        "1 problem(s); nothing was changed.\n"
    )
    assert snapshot(workdir / "claims") == before


def test_apply_that_would_write_a_source_file_that_does_not_check_changes_nothing(revised, workdir, claimsdb):
    # An empty `revisions: []` in flow style: the old capture's item, added
    # below it line by line, breaks the YAML. The corpus is checked before anything is kept.
    block_claim = PROBE_TEXT[PROBE_TEXT.index("claims:\n") + len("claims:\n"):]
    probe_source(workdir, "revisions: []\n", block_claim)
    assert claimsdb("check").exit_code == 0
    before = snapshot(workdir / "claims")
    result = claimsdb("reanchor", "probe", "revised.txt", "--apply")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "claims/probe.yml:1: the source file with the new capture does not check, so nothing was changed — correct the other problems listed "
        "(their lines are those of the file as reanchor would have written it; some may be elsewhere in the corpus) and run reanchor again")
    assert "YAML syntax error" in lines[1] and lines[-1].endswith("problem(s); nothing was changed.")
    assert snapshot(workdir / "claims") == before
