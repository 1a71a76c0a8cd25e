"""The live corpus (claims/), checked only for what must hold of every valid
corpus: an editor who adds a document must still see these pass, and sees
them fail, naming the file and line, when what they added is broken.

Behaviour is tested elsewhere, on the tests' own corpora (tests/seed_corpus
and corpora made in the tests); nothing here knows the live corpus's counts
or contents."""

from __future__ import annotations

import hashlib
import sqlite3
import warnings

import pytest
from click.testing import CliRunner

from claimsdb.cli import cli
from claimsdb.jsonschemas import SCHEMAS

from .conftest import LIVE_CLAIMS_DIR, PROJECT_ROOT


class UndeclaredContradiction(UserWarning):
    """A contradiction the build detects in the live corpus and no editor has
    declared or acknowledged: review work, not a broken build."""


@pytest.fixture(scope="module")
def live_check(tmp_path_factory, request):
    """`claimsdb check` on claims/, run from the project root so problems are
    shown as claims/<file>:<line>, as an editor sees them."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.chdir(PROJECT_ROOT)
    request.addfinalizer(monkeypatch.undo)
    return CliRunner().invoke(cli, ["check", "--claims", "claims", "--no-cache"])


@pytest.fixture(scope="module")
def live_db(live_check, tmp_path_factory):
    from claimsdb.db import write_database
    from claimsdb.load import load_corpus

    if live_check.exit_code != 0:  # test_the_live_corpus_validates fails, listing every problem
        pytest.skip("claims/ does not validate")
    path = write_database(load_corpus(LIVE_CLAIMS_DIR), tmp_path_factory.mktemp("live") / "claims.db")
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def test_the_live_corpus_validates(live_check):
    # On failure the output is every problem, one `claims/<file>:<line>: …` line each.
    assert live_check.exit_code == 0, live_check.output


def test_the_live_corpus_builds(live_db):
    assert live_db.execute("select count(*) from sources").fetchone()[0] >= 1


def test_every_live_quote_is_the_archived_text_at_its_offsets(live_db):
    rows = live_db.execute(
        "select claims.id, claims.path, claims.line, claims.quote, claims.quote_start, claims.quote_end, sources.text"
        " from claims join sources on sources.id = claims.source_id"
    )
    misplaced = [f"{row['path']}:{row['line']}: {row['id']}" for row in rows
                 if row["text"][row["quote_start"]:row["quote_end"]] != row["quote"]]
    assert misplaced == []


def test_every_live_archive_matches_its_hash(live_db):
    wrong = []
    for row in live_db.execute("select id, path, archive, sha256 from sources"):
        if hashlib.sha256((LIVE_CLAIMS_DIR / row["archive"]).read_bytes()).hexdigest() != row["sha256"]:
            wrong.append(f"{row['path']}: {row['archive']}")
    assert wrong == []


def test_coverage_is_computed_for_every_live_source(live_db):
    uncounted = live_db.execute(
        "select id from sources where length(text) > 0 and id not in (select source_id from coverage)"
    ).fetchall()
    assert [row["id"] for row in uncounted] == []


def test_every_live_claim_file_names_its_schema():
    for path in sorted(LIVE_CLAIMS_DIR.glob("*.yml")):
        expected = f"{path.stem}.schema.json" if f"{path.stem}.schema.json" in SCHEMAS else "source.schema.json"
        first_line = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == f"# yaml-language-server: $schema=../schema/{expected}", path.name


def test_undeclared_contradictions_in_the_live_corpus_are_reported_not_failed(live_check):
    # One entry in pytest's warnings summary: what an editor has still to review.
    found = [line for line in live_check.stderr.splitlines() if ": warning: " in line]
    if found:
        shown = "\n".join(found[:SHOWN_WARNINGS]) + (f"\n… and {len(found) - SHOWN_WARNINGS} more" if len(found) > SHOWN_WARNINGS else "")
        warnings.warn(f"{len(found)} warning(s) in claims/ for an editor to review (`claimsdb check` lists them all):\n{shown}",
                      UndeclaredContradiction, stacklevel=1)


SHOWN_WARNINGS = 10


def test_every_live_figure_is_one_row_its_claims_point_to(live_db):
    db = live_db
    assert db.execute("select count(*) from claims where kind in ('quantity', 'period') and withdrawn is null and figure_id is null").fetchone()[0] == 0
    assert db.execute("select count(*) from figures f where claims != (select count(*) from claims c where c.figure_id = f.id)").fetchone()[0] == 0
    # each pair of figures is related at most once, in one direction
    assert db.execute("select count(*) from figure_relations f where exists (select 1 from figure_relations g where g.figure_id = f.other_figure_id and g.other_figure_id = f.figure_id)").fetchone()[0] == 0


def test_live_conflicts_are_contradictions_and_tensions_only(live_db):
    db = live_db
    assert {row[0] for row in db.execute("select distinct relation from conflicts")} <= {"contradicts", "in-tension"}
    assert {row[0] for row in db.execute("select distinct relation from look_alikes")} <= {"differs-in-scope"}
