"""The build: the schema it writes, atomic replacement, determinism, and the
seed corpus as the issue lists it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

import claimsdb
from claimsdb.tables import TABLES, VIEWS

from .conftest import CLAIMS_DIR, PROJECT_ROOT

SEED_SHA256 = {
    # From ../shared/seeds: the archived copies must hash to these.
    "irannewsupdate-2021-officials-yet-to-face-accountability": "9b28c1a4963be34540843f85099cc70efdc49cf39f30ac1d48878282faeaaa74",
    "arabnews-today-2021-09-03-un-workgroup-investigation": "4089409926899f257a9f7a5ef22e8c9837128aeb41882d90a66931f23b7e225a",
}
SHARED_SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = claimsdb.build(CLAIMS_DIR, tmp_path_factory.mktemp("build") / "claims.db").db_path
    return sqlite_utils.Database(path)


def test_build_py_builds_claims_db(tmp_path):
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "build.py"), "--claims", str(CLAIMS_DIR), "--db", str(tmp_path / "claims.db")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Built" in result.stdout
    assert sqlite3.connect(tmp_path / "claims.db").execute("select count(*) from claims").fetchone()[0] > 0


def test_two_builds_of_the_same_files_are_byte_identical(tmp_path):
    first = claimsdb.build(CLAIMS_DIR, tmp_path / "one.db").db_path.read_bytes()
    second = claimsdb.build(CLAIMS_DIR, tmp_path / "two.db").db_path.read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_a_successful_build_replaces_the_database_and_leaves_no_temporary_file(workdir, claimsdb):
    (workdir / "claims.db").write_bytes(b"an older build")
    assert claimsdb("build").exit_code == 0
    assert sqlite3.connect(workdir / "claims.db").execute("select count(*) from sources").fetchone()[0] == 2
    assert sorted(p.name for p in workdir.iterdir() if p.name != ".claimsdb-cache") == ["claims", "claims.db", "downloads"]


def test_temporary_files_of_killed_builds_are_removed_by_the_next_build(workdir, claimsdb):
    # A pid that is not running: the build that wrote this file was killed.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = workdir / f".claims.db.{dead}.tmp"
    stale.write_bytes(b"half a database")
    assert claimsdb("build").exit_code == 0
    assert not stale.exists()


def test_coverage_files_of_killed_builds_are_removed_by_the_next_build(workdir, claimsdb):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    stale = workdir / f".claims.db.{dead}.coverage.tmp"
    stale.mkdir()
    (stale / "1234.db").write_bytes(b"half the coverage of a source")
    assert claimsdb("build").exit_code == 0
    assert not stale.exists()


def test_tables_have_primary_keys_not_null_and_foreign_keys(db):
    for table in TABLES:
        t = db[table.name]
        pk = [table.pk] if isinstance(table.pk, str) else list(table.pk)
        assert t.pks == pk, table.name
        for column in table.columns:
            notnull = db.execute(f"select \"notnull\" from pragma_table_info('{table.name}') where name = ?", [column.name]).fetchone()[0]
            if column.name not in pk:
                assert bool(notnull) == column.not_null, (table.name, column.name)
        declared = {(fk.column, fk.other_table, fk.other_column) for fk in t.foreign_keys}
        assert declared == set(table.foreign_keys), table.name
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_every_faceted_and_foreign_key_column_is_indexed(db):
    import yaml

    metadata = yaml.safe_load((PROJECT_ROOT / "metadata.yml").read_text(encoding="utf-8"))
    tables = metadata["databases"]["claims"]["tables"]
    for table in TABLES:
        indexed = {tuple(index.columns) for index in db[table.name].indexes}
        pk = (table.pk,) if isinstance(table.pk, str) else tuple(table.pk)
        wanted = set(tables.get(table.name, {}).get("facets", [])) | {fk[0] for fk in table.foreign_keys}
        for column in wanted:
            assert (column,) in indexed or pk[0] == column, (table.name, column)


def test_full_text_search_on_claims_and_sources(db):
    assert db["claims"].detect_fts() == "claims_fts"
    assert db["sources"].detect_fts() == "sources_fts"
    assert db.execute("select count(*) from claims_fts where claims_fts match 'genocide'").fetchone()[0] > 0
    assert db.execute("select count(*) from sources_fts where sources_fts match 'Khavaran'").fetchone()[0] == 1


def test_the_contract_names_hold(db):
    contract = {
        "sources": "id title url publisher_id credited_to_id published retrieved language sha256 text path",
        "agents": "id name kind description",
        "agent_affiliations": "agent_id affiliated_with_id role",
        "subjects": "id name kind",
        "measures": "id name unit",
        "claims": "id source_id kind subject_id measure_id statement speaker_id reporter_id mode value_text value_low value_high unit period_text period_start period_end label modality role quote quote_start quote_end quote_prefix quote_suffix path line",
        "relations": "claim_id other_claim_id relation origin rationale",
        "figures": "id kind subject_id measure_id unit entailed_interval suggested_interval wordings claims speakers sources origins",
        "figure_relations": "figure_id other_figure_id relation rationale",
    }
    for table, columns in contract.items():
        assert set(columns.split()) <= set(db[table].columns_dict), table
    assert {"conflicts", "look_alikes", "relations", "claims_with_provenance", "estimates"} <= set(db.view_names())
    assert {view.name for view in VIEWS} <= set(db.view_names())


def test_every_quote_is_the_archived_text_at_its_position(db):
    rows = db.execute(
        "select c.id, c.quote, substr(s.text, c.quote_start + 1, c.quote_end - c.quote_start), c.quote_prefix, c.quote_suffix, "
        "substr(s.text, max(c.quote_start - 31, 1), min(c.quote_start, 32)), substr(s.text, c.quote_end + 1, 32) "
        "from claims c join sources s on s.id = c.source_id"
    ).fetchall()
    assert rows
    for claim_id, quote, at_position, prefix, suffix, text_before, text_after in rows:
        assert quote == at_position, claim_id
        assert prefix == text_before and suffix == text_after, claim_id


def test_the_nbsp_and_curly_quotes_of_the_second_seed_are_kept(db):
    [quote] = db.execute("select quote from claims where id = 'ant-raisi-key-orchestrator'").fetchone()
    assert quote == "One of the key orchestrators of the 1988 massacre was\u00a0Ebrahim Raisi"
    [quote] = db.execute("select quote from claims where id = 'ant-amnesty-mass-graves-identified-documented'").fetchone()
    assert "\u00a0called on the international community\u00a0to “ensure" in quote


@pytest.mark.parametrize("source_id, sha", SEED_SHA256.items())
def test_archived_seeds_hash_to_the_seed_files(db, source_id, sha):
    path = CLAIMS_DIR / "sources" / f"{source_id}.txt"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert db["sources"].get(source_id)["sha256"] == sha
    if SHARED_SEEDS.is_dir():
        assert sha in {hashlib.sha256(p.read_bytes()).hexdigest() for p in SHARED_SEEDS.glob("*.txt")}


# The seed claims the first issue lists, with speaker and reporter -------------------------

SEED_CLAIMS = [
    # (claim id, speaker, reporter, kind, distinguishing column, value)
    ("inu-executed-around-30000", "iran-news-update", "iran-news-update", "quantity", "value_text", "around 30,000"),
    ("ant-executed-more-than-30000", "arabnews-today", "arabnews-today", "quantity", "value_text", "more than 30,000"),
    ("inu-survivors-toll-much-higher", "survivors-1988", "iran-news-update", "quantity", "mode", "attributed-belief"),
    ("inu-gravesites-at-least-36-cities", "pmoi-mek", "iran-news-update", "quantity", "value_text", "at least 36"),
    ("ant-executions-32-cities", "un-experts-2020-letter", "arabnews-today", "quantity", "value_text", "32"),
    ("ant-un-experts-period-july-early-september-1988", "un-experts-2020-letter", "arabnews-today", "period", "period_end", "1988-09-10"),
    ("ant-wgeid-period-july-september-1988", "un-wgeid", "arabnews-today", "period", "period_end", "1988-09-30"),
    ("inu-fatwa-july-1988", "iran-news-update", "iran-news-update", "period", "period_start", "1988-07-01"),
    ("inu-killings-summer-1988", "iran-news-update", "iran-news-update", "period", "period_text", "Over a period of three months in the summer of 1988"),
    ("ant-conference-more-than-1000-former-prisoners", "arabnews-today", "arabnews-today", "quantity", "value_text", "more than 1,000"),
    ("ant-rajavi-demand-recognise-genocide", "maryam-rajavi", "arabnews-today", "demand", "kind", "demand"),
    ("inu-rajavi-demand-recognise-genocide", "maryam-rajavi", "iran-news-update", "demand", "kind", "demand"),
]


@pytest.mark.parametrize("claim_id, speaker, reporter, kind, column, value", SEED_CLAIMS)
def test_seed_claim_is_recorded_with_speaker_and_reporter(db, claim_id, speaker, reporter, kind, column, value):
    row = db["claims"].get(claim_id)
    assert (row["speaker_id"], row["reporter_id"], row["kind"], row[column]) == (speaker, reporter, kind, value)


@pytest.mark.parametrize(
    "speaker, label, modality",
    [
        ("eric-david", "genocide", None),
        ("geoffrey-robertson", "genocide", "meets-criteria"),
        ("un-experts-2020-letter", "crimes against humanity", "may-amount-to"),
    ],
)
def test_seed_characterisations(db, speaker, label, modality):
    rows = db.execute("select label, modality from claims where kind = 'characterisation' and speaker_id = ?", [speaker]).fetchall()
    assert any(label in found_label and (modality is None or found_modality == modality) for found_label, found_modality in rows), rows


@pytest.mark.parametrize(
    "where",
    [
        "kind = 'role' and role_agent_id = 'ebrahim-raisi' and role like '%death commission%'",
        "kind = 'event' and subject_id = 'ahvaz-burial-site' and period_start = '2020-09-01'",
        "subject_id = 'khavaran' and period_start = '2021-05-01'",
        "subject_id = 'unsg-report-2021' and period_start = '2021-08-04' and period_end = '2021-08-04'",
    ],
)
def test_seed_roles_and_events(db, where):
    assert db.execute(f"select count(*) from claims where {where}").fetchone()[0] >= 1, where


@pytest.mark.parametrize("table, row", [("declared_relations", "DeclaredRow"), ("reviews", "ReviewRow"), ("figure_relations", "FigureRelation")])
def test_relation_rows_are_in_the_column_order_of_their_tables(table, row):
    from claimsdb import relations

    [found] = [t for t in TABLES if t.name == table]
    assert list(getattr(relations, row)._fields) == [column.name for column in found.columns]
