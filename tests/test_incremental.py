"""Incremental builds (claimsdb.incremental): a build starts from the previous
claims.db and reads again only what changed and what depends on it; its
content equals a full build's, table by table and row by row, after edits,
additions, deletions and renames of sources; a change it cannot follow makes
the build full, saying why."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

import claimsdb
from claimsdb import incremental
from claimsdb.tables import CHANGES_TABLE

from .conftest import (CLAIMS_DIR, copy_as_new, edit_period, edit_value, move_subject, nest_subjects, remove_a_source, rename, source_files,
                       synthetic)


def contents(db_path: Path) -> dict:
    """Every table's and view's rows (in a set order), and the schema: what
    a reader can see of a database, whatever its bytes."""
    conn = sqlite3.connect(db_path)
    try:
        # Not the changes record: it says what this build changed, not what the database holds.
        names = [row[0] for row in conn.execute(
            "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' and name not like '%_fts%' "
            "and name != ? order by name", [CHANGES_TABLE])]
        found = {name: sorted(conn.execute(f"select * from [{name}]").fetchall(), key=repr) for name in names}
        found["schema"] = sorted(conn.execute("select type, name, sql from sqlite_master where name not like 'sqlite_%'").fetchall(), key=repr)
        for table in ("claims", "sources"):  # the full-text index matches the rows it indexes
            conn.execute(f"insert into [{table}_fts] ([{table}_fts]) values ('integrity-check')")
        found["search"] = conn.execute(
            "select claims.id from claims_fts join claims on claims.rowid = claims_fts.rowid where claims_fts match 'synthetic OR executed' order by claims.id"
        ).fetchall()
    finally:
        conn.close()
    return found


def assert_same_as_full(corpus: Path, db_path: Path, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir(exist_ok=True)
    full = claimsdb.build(corpus, tmp_path / "full" / "claims.db", full=True)
    assert full.full_because == "--full"
    mine, theirs = contents(db_path), contents(full.db_path)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name] == theirs[name], f"{name} differs from a full build's"
    shutil.rmtree(tmp_path / "full")


@pytest.fixture
def corpus(tmp_path) -> Path:
    return synthetic(tmp_path / "claims")


@pytest.fixture
def built(corpus, tmp_path) -> Path:
    report = claimsdb.build(corpus, tmp_path / "claims.db")
    assert report.full_because == "there is no previous claims.db"
    return report.db_path


def test_nothing_changed_leaves_the_database_as_it_was(corpus, built):
    before = built.read_bytes()
    report = claimsdb.build(corpus, built)
    assert report.full_because is None and report.read_again == []
    assert built.read_bytes() == before
    assert report.claims == 240


@pytest.mark.parametrize("edit", [edit_value, move_subject, edit_period])
def test_an_edited_source_gives_the_content_of_a_full_build(corpus, built, tmp_path, edit):
    edited = next(path for path in source_files(corpus) if edit(path))
    report = claimsdb.build(corpus, built)
    assert report.full_because is None
    assert edited.stem in report.read_again
    assert len(report.read_again) < len(source_files(corpus)) / 2  # what depends on it, not the corpus
    assert_same_as_full(corpus, built, tmp_path)


def test_added_deleted_and_renamed_sources_give_the_content_of_a_full_build(corpus, built, tmp_path):
    files = source_files(corpus)
    copy_as_new(files[3], 1)
    report = claimsdb.build(corpus, built)
    assert report.full_because is None and "added-source-1" in report.read_again
    assert_same_as_full(corpus, built, tmp_path)

    rename(files[5])
    report = claimsdb.build(corpus, built)
    assert report.full_because is None and "renamed-source-0000005" in report.read_again
    assert_same_as_full(corpus, built, tmp_path)

    remove_a_source(corpus, files[6:])
    report = claimsdb.build(corpus, built)
    assert report.full_because is None
    assert_same_as_full(corpus, built, tmp_path)


def test_random_edits_give_the_content_of_a_full_build_each_time(corpus, built, tmp_path):
    rng = random.Random(15)
    valid = 0
    for round_ in range(6):
        files = source_files(corpus)
        for path in rng.sample(files, 3):
            rng.choice([edit_value, move_subject, edit_period])(path)
        if round_ % 2:
            copy_as_new(rng.choice(files), round_)
        try:
            claimsdb.check(corpus)
        except claimsdb.ProblemsFound as found:
            with pytest.raises(claimsdb.ProblemsFound) as raised:
                claimsdb.build(corpus, built)
            assert [str(p) for p in raised.value.problems] == [str(p) for p in found.problems]
            break
        report = claimsdb.build(corpus, built)
        assert report.full_because is None
        assert_same_as_full(corpus, built, tmp_path)
        valid += 1
    assert valid >= 4


def test_edits_to_parts_and_wholes_give_the_relations_of_a_full_build(tmp_path):
    corpus = synthetic(tmp_path / "claims", seed=7)
    nest_subjects(corpus)
    db = claimsdb.build(corpus, tmp_path / "claims.db").db_path
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from figure_relations where relation = 'differs-in-scope'").fetchone()[0] > 0
    rng = random.Random(3)
    for _ in range(4):
        for path in rng.sample(source_files(corpus), 2):
            before = path.read_text(encoding="utf-8")
            rng.choice([edit_value, move_subject])(path)
            try:
                claimsdb.check(corpus)
            except claimsdb.ProblemsFound:  # a figure edited into a reversed range, say: not this test's subject
                path.write_text(before, encoding="utf-8")
        report = claimsdb.build(corpus, db)
        assert report.full_because is None
        assert_same_as_full(corpus, db, tmp_path)


def test_the_rows_of_unchanged_sources_come_from_the_previous_database(corpus, built):
    """Fails when the build does not read its cache: rows nothing touched are
    taken as they stand in the previous database, not computed again."""
    with sqlite3.connect(built) as conn:
        conn.execute("update sources set title = 'Kept: ' || title")
    edited = source_files(corpus)[0]
    edit_value(edited)
    assert claimsdb.build(corpus, built).full_because is None
    with sqlite3.connect(built) as conn:
        titles = dict(conn.execute("select id, title from sources"))
    kept = {source for source, title in titles.items() if title.startswith("Kept: ")}
    assert kept == set(titles) - {edited.stem}


@pytest.mark.parametrize("shared", ["measures.yml", "agents.yml", "subjects.yml"])
def test_a_changed_shared_file_builds_in_full_and_says_why(corpus, built, tmp_path, shared):
    with open(corpus / shared, "a", encoding="utf-8") as handle:
        handle.write("\n# an editor's comment\n")
    report = claimsdb.build(corpus, built)
    assert report.full_because == f"{shared} changed"
    assert_same_as_full(corpus, built, tmp_path)


def test_a_measures_table_change_gives_the_content_of_a_full_build(corpus, built, tmp_path):
    text = (corpus / "measures.yml").read_text(encoding="utf-8")
    (corpus / "measures.yml").write_text(text.replace("name: \"Synthetic count 0\"", "name: \"Synthetic count zero\"", 1), encoding="utf-8")
    assert claimsdb.build(corpus, built).full_because == "measures.yml changed"
    assert_same_as_full(corpus, built, tmp_path)


def test_a_changed_archive_reads_its_source_again(corpus, built, tmp_path):
    path = source_files(corpus)[2]
    archive = corpus / "sources" / f"{path.stem}.txt"
    archive.write_text(archive.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(claimsdb.ProblemsFound) as raised:  # its hash no longer matches: a full build says so too
        claimsdb.build(corpus, built)
    assert any("sha256" in str(problem) or "SHA-256" in str(problem) for problem in raised.value.problems)


def test_a_database_built_by_other_code_or_libraries_builds_in_full(corpus, built):
    with sqlite3.connect(built) as conn:
        conn.execute(f"update {incremental.BUILD_TABLE} set value = '0.0' where key = 'library pydantic'")
    edit_value(source_files(corpus)[0])
    report = claimsdb.build(corpus, built)
    assert report.full_because.startswith("library pydantic changed (0.0 → ")
    with sqlite3.connect(built) as conn:
        conn.execute(f"update {incremental.BUILD_TABLE} set value = 'other' where key = 'code'")
    edit_value(source_files(corpus)[1])
    assert claimsdb.build(corpus, built).full_because == "the code that builds the database changed"


def test_the_fingerprint_names_python_sqlite_and_the_libraries():
    found = incremental.fingerprint()
    assert found["python"] == sys.version.split()[0]
    assert found["sqlite"] == sqlite3.sqlite_version
    assert {"library pydantic", "library PyYAML", "library sqlite-utils"} <= set(found)
    assert all(value and value != "not installed" for key, value in found.items() if key in ("library pydantic", "library PyYAML"))


def test_a_database_without_a_record_builds_in_full(corpus, built):
    with sqlite3.connect(built) as conn:
        conn.execute(f"drop table {incremental.INPUTS_TABLE}")
    assert claimsdb.build(corpus, built).full_because == "the previous claims.db holds no record of what it was built from"


def test_full_builds_are_byte_identical(corpus, tmp_path):
    one = claimsdb.build(corpus, tmp_path / "one.db", full=True).db_path.read_bytes()
    two = claimsdb.build(corpus, tmp_path / "two.db", full=True).db_path.read_bytes()
    assert one == two


def test_problems_in_an_incremental_build_are_those_of_a_full_build_and_leave_the_database(corpus, built):
    before = built.read_bytes()
    path = source_files(corpus)[4]
    path.write_text(path.read_text(encoding="utf-8").replace("quote: \"", "quote: \"not in the text ", 1), encoding="utf-8")
    with pytest.raises(claimsdb.ProblemsFound) as incremental_problems:
        claimsdb.build(corpus, built)
    with pytest.raises(claimsdb.ProblemsFound) as full_problems:
        claimsdb.check(corpus)
    assert [str(p) for p in incremental_problems.value.problems] == [str(p) for p in full_problems.value.problems]
    assert built.read_bytes() == before


def test_a_claim_id_taken_by_an_unchanged_source_is_a_problem(corpus, built):
    first, second = source_files(corpus)[:2]
    other_id = re.search(r"\n  - id: (\S+)", first.read_text(encoding="utf-8"))[1]
    text = second.read_text(encoding="utf-8")
    second.write_text(re.sub(r"\n  - id: \S+", f"\n  - id: {other_id}", text, count=1), encoding="utf-8")
    with pytest.raises(claimsdb.ProblemsFound) as raised:
        claimsdb.build(corpus, built)
    assert any(f"duplicate claim id `{other_id}`" in str(problem) for problem in raised.value.problems)


def test_a_relation_into_a_removed_claim_is_a_problem(tmp_path):
    corpus = tmp_path / "claims"
    shutil.copytree(CLAIMS_DIR, corpus)
    db = claimsdb.build(corpus, tmp_path / "claims.db").db_path
    # A claim that another file's relation names goes away.
    with sqlite3.connect(db) as conn:
        claim_id, path = conn.execute(
            "select other_claim_id, claims.path from declared_relations join claims on claims.id = other_claim_id "
            "where claims.path != declared_relations.path limit 1").fetchone()
    target = corpus / path
    target.write_text(target.read_text(encoding="utf-8").replace(f"id: {claim_id}\n", f"id: {claim_id}-gone\n", 1), encoding="utf-8")
    with pytest.raises(claimsdb.ProblemsFound) as raised:
        claimsdb.build(corpus, db)
    assert any(f"unknown claim `{claim_id}`" in str(problem) for problem in raised.value.problems)


def test_the_seed_corpus_edited_gives_the_content_of_a_full_build(tmp_path):
    corpus = tmp_path / "claims"
    shutil.copytree(CLAIMS_DIR, corpus)
    db = claimsdb.build(corpus, tmp_path / "claims.db").db_path
    path = sorted(corpus.glob("arabnews-*.yml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("statement: ", "statement: Edited ", 1), encoding="utf-8")
    report = claimsdb.build(corpus, db)
    assert report.full_because is None and path.stem in report.read_again
    assert_same_as_full(corpus, db, tmp_path)


def test_every_table_is_known_to_the_incremental_build():
    from claimsdb.tables import TABLES

    known = set(incremental.BY_SOURCE) | set(incremental.BY_CLAIM) | set(incremental.BY_DECLARING_CLAIM) | set(incremental.BY_FIGURE) | set(incremental.SHARED)
    assert {table.name for table in TABLES} == known
