"""The build as a Python API (claimsdb.build, claimsdb.check): what it
returns, the one exception carrying every problem, its checkpoints, and
databases that do not depend on the directory the build ran from."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import claimsdb
from claimsdb.cache import FileCache
from claimsdb.db import checkpoints

from .conftest import CLAIMS_DIR, PROJECT_ROOT, synthetic

ANT = "arabnews-today-2021-09-03-un-workgroup-investigation.yml"
INU = "irannewsupdate-2021-officials-yet-to-face-accountability.yml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_returns_what_it_built(tmp_path):
    report = claimsdb.build(CLAIMS_DIR, tmp_path / "claims.db")
    assert isinstance(report, claimsdb.BuildReport)
    assert report.db_path == tmp_path / "claims.db"
    with sqlite3.connect(report.db_path) as conn:
        assert report.sources == conn.execute("select count(*) from sources").fetchone()[0] == 2
        assert report.claims == conn.execute("select count(*) from claims").fetchone()[0] > 0
        # Linear in the corpus: relations between figures and declarations, not every pair of claims they imply.
        assert report.relations == conn.execute("select (select count(*) from declared_relations) + (select count(*) from figure_relations)").fetchone()[0]
    assert {"read", "quotes", "write", "indexes", "total"} <= set(report.seconds)


def test_check_validates_and_writes_nothing(workdir):
    report = claimsdb.check("claims")
    built = claimsdb.build("claims", "claims.db")
    assert (report.sources, report.claims, report.relations) == (built.sources, built.claims, built.relations)
    assert sorted(p.name for p in workdir.iterdir()) == ["claims", "claims.db"]


def test_build_raises_every_problem_at_once_and_leaves_the_previous_database(workdir):
    claimsdb.build("claims", "claims.db")
    before = sha256(workdir / "claims.db")
    text = (workdir / "claims" / ANT).read_text(encoding="utf-8")
    (workdir / "claims" / ANT).write_text(text.replace("publisher: arabnews-today", "publisher: nobody-known", 1), encoding="utf-8")
    (workdir / "claims" / "broken.yml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(claimsdb.ProblemsFound) as raised:
        claimsdb.build("claims", "claims.db")
    shown = [str(problem) for problem in raised.value.problems]
    assert any(line.startswith("claims/broken.yml:") for line in shown), shown
    assert any(line.startswith(f"claims/{ANT}:") and "nobody-known" in line for line in shown), shown
    assert sha256(workdir / "claims.db") == before


def test_an_unwritable_database_path_is_a_problem_not_an_exit(workdir):
    with pytest.raises(claimsdb.ProblemsFound) as raised:
        claimsdb.build("claims", "missing/claims.db")
    assert [str(p) for p in raised.value.problems] == [
        "missing/claims.db:1: cannot be written (unable to open database file) — check that its directory exists and is writable"]


def test_checkpoints_are_called_for_each_file_read_then_in_writing_order(tmp_path):
    from claimsdb.load import source_file_paths

    called = []
    claimsdb.build(CLAIMS_DIR, tmp_path / "claims.db", checkpoint=called.append)
    read = [f"read:{path.name}" for path in source_file_paths(CLAIMS_DIR)]
    assert read and called == read + checkpoints()
    assert called[len(read)] == "schema" and called[-2:] == ["fts", "replace"]


class Stop(Exception):
    pass


@pytest.mark.parametrize("point", checkpoints())
def test_a_build_stopped_at_a_checkpoint_leaves_the_previous_database_and_no_temporary_file(workdir, point):
    claimsdb.build("claims", "claims.db")
    before = sha256(workdir / "claims.db")
    (workdir / "claims" / ANT).write_text((workdir / "claims" / ANT).read_text(encoding="utf-8").replace(
        "statement: arabnews.today states", "statement: arabnews.today (changed) states", 1), encoding="utf-8")

    def stop(name):
        if name == point:
            raise Stop(name)

    with pytest.raises(Stop):
        claimsdb.build("claims", "claims.db", checkpoint=stop)
    assert sha256(workdir / "claims.db") == before
    assert sorted(p.name for p in workdir.iterdir()) == ["claims", "claims.db"]


def test_a_build_from_any_working_directory_is_byte_identical(tmp_path):
    corpus = tmp_path / "project" / "claims"
    shutil.copytree(CLAIMS_DIR, corpus)
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    script = "import sys, claimsdb; claimsdb.build(sys.argv[1], sys.argv[2])"
    runs = [  # (working directory, claims directory as given, database)
        (tmp_path / "project", "claims", tmp_path / "a.db"),
        (corpus, ".", tmp_path / "b.db"),
        (elsewhere, os.path.relpath(corpus, elsewhere), tmp_path / "c.db"),
        (elsewhere, str(corpus), tmp_path / "d.db"),
    ]
    for cwd, claims_dir, db in runs:
        result = subprocess.run([sys.executable, "-c", script, claims_dir, str(db)], cwd=cwd, capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
        assert result.returncode == 0, result.stderr
    assert len({sha256(db) for _, _, db in runs}) == 1
    with sqlite3.connect(tmp_path / "d.db") as conn:
        paths = {row[0] for table in ("sources", "claims", "not_claims") for row in conn.execute(f"select path from {table}")}
        paths |= {row[0] for row in conn.execute("select path from relations where path is not null")}
    assert paths and all("/" not in path and path.endswith(".yml") for path in paths), paths


def test_full_reads_nothing_from_the_cache_and_refreshes_it(workdir):
    cache_dir = workdir / "cache"
    claimsdb.build("claims", "claims.db", cache_dir=cache_dir)
    cache = FileCache(cache_dir)
    entry = cache.path(cache.key((workdir / "claims" / ANT).read_bytes()))
    other = cache.path(cache.key((workdir / "claims" / INU).read_bytes()))
    shutil.copyfile(other, entry)  # a valid entry, of the wrong file: only a build that reads it goes wrong
    claimsdb.build("claims", "full.db", cache_dir=cache_dir, full=True)
    assert (workdir / "full.db").read_bytes() == (workdir / "claims.db").read_bytes()
    assert entry.read_bytes() != other.read_bytes()  # written afresh
    shutil.copyfile(other, entry)
    with pytest.raises(claimsdb.ProblemsFound):  # the cache is read when the build is not full
        claimsdb.build("claims", "cached.db", cache_dir=cache_dir)


def synthetic_corpus(directory: Path, sources: int) -> Path:
    """A corpus of ``sources`` source files of four claims: enough files for
    the build to spread them over processes."""
    return synthetic(directory, sources * 4, per_source=4)


def test_a_build_on_several_processes_writes_the_same_bytes_as_on_one(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    corpus = synthetic_corpus(tmp_path / "claims", MIN_ITEMS + 6)
    one = claimsdb.build(corpus, tmp_path / "one.db", jobs=1)
    two = claimsdb.build(corpus, tmp_path / "two.db", jobs=2)
    assert one.sources == two.sources >= MIN_ITEMS
    assert (tmp_path / "one.db").read_bytes() == (tmp_path / "two.db").read_bytes()


def test_coverage_the_main_process_finds_itself_is_written_as_the_other_processes_would(tmp_path, monkeypatch):
    from claimsdb import shards
    from claimsdb.parallel import MIN_ITEMS

    corpus = synthetic_corpus(tmp_path / "claims", MIN_ITEMS + 6)
    one = claimsdb.build(corpus, tmp_path / "one.db", jobs=1).db_path.read_bytes()
    monkeypatch.setattr(shards, "ATTACHED", 0)  # no shard can be attached, so no coverage process starts: the main process takes every run
    assert claimsdb.build(corpus, tmp_path / "two.db", jobs=2).db_path.read_bytes() == one


def test_a_build_on_several_processes_finds_coverage_while_it_writes_and_leaves_nothing_when_stopped(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    corpus = synthetic_corpus(tmp_path / "claims", MIN_ITEMS + 6)
    db_path = tmp_path / "claims.db"
    previous = claimsdb.build(corpus, db_path, jobs=1).db_path.read_bytes()
    edited = sorted(corpus.glob("synthetic-source-*.yml"))[3]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    shards = []

    class Stopped(Exception):
        pass

    for point in ("rows:claims", "rows:not_claims", "rows:coverage", "fts"):
        def stop(name, point=point):
            if name == "rows:not_claims":  # every table but coverage written: the coverage processes' files are there
                shards.append(sorted(tmp_path.glob(".claims.db.*.coverage.tmp/*.db")))
            if name == point:
                raise Stopped(point)

        with pytest.raises(Stopped):
            claimsdb.build(corpus, db_path, full=True, jobs=2, checkpoint=stop)
        assert db_path.read_bytes() == previous
        assert sorted(path.name for path in tmp_path.iterdir()) == ["claims", "claims.db"], point
    assert len(shards) == 3 and all(shards)
    # Refused after the coverage processes started (they start once the quotes are found).
    with pytest.raises(claimsdb.WarningsAsErrors):
        claimsdb.build(corpus, db_path, jobs=2, strict=True)
    assert db_path.read_bytes() == previous
    assert sorted(path.name for path in tmp_path.iterdir()) == ["claims", "claims.db"]


def test_problems_found_on_several_processes_are_those_found_on_one(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    corpus = synthetic_corpus(tmp_path / "claims", MIN_ITEMS + 6)
    files = sorted(corpus.glob("synthetic-source-*.yml"))
    for path in files[::9]:  # some files early, some late
        path.write_text(path.read_text(encoding="utf-8").replace("\nclaims:\n", "\nclaims: [\n", 1), encoding="utf-8")
    for path in files[4::9]:  # quotes, found on the process that read the file
        path.write_text(path.read_text(encoding="utf-8").replace('quote: "', 'quote: "not in the archive: ', 1), encoding="utf-8")
    found = []
    for jobs in (1, 2):
        with pytest.raises(claimsdb.ProblemsFound) as raised:
            claimsdb.build(corpus, tmp_path / "claims.db", jobs=jobs)
        found.append([str(problem) for problem in raised.value.problems])
    assert len(found[0]) >= 16 and found[0] == found[1]
    assert sum("does not occur in" in problem for problem in found[0]) >= 8
    assert not (tmp_path / "claims.db").exists()


def test_jobs_must_be_one_or_more(tmp_path):
    with pytest.raises(ValueError, match="jobs must be 1 or more"):
        claimsdb.build(CLAIMS_DIR, tmp_path / "claims.db", jobs=0)


def test_a_cached_build_on_several_processes_writes_the_same_bytes_and_reads_the_cache(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    corpus = synthetic_corpus(tmp_path / "claims", MIN_ITEMS + 6)
    fresh = claimsdb.build(corpus, tmp_path / "fresh.db", jobs=1).db_path.read_bytes()
    cache_dir = tmp_path / "cache"
    claimsdb.build(corpus, tmp_path / "first.db", jobs=2, cache_dir=cache_dir)
    edited = sorted(corpus.glob("synthetic-source-*.yml"))[MIN_ITEMS // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8")
    fresh_edited = claimsdb.build(corpus, tmp_path / "fresh-edited.db", jobs=1).db_path.read_bytes()
    assert fresh_edited != fresh
    assert claimsdb.build(corpus, tmp_path / "cached.db", jobs=2, cache_dir=cache_dir).db_path.read_bytes() == fresh_edited

    # A valid entry of the wrong file in place of one that is read: the build goes wrong only if it reads it.
    cache = FileCache(cache_dir)
    files = sorted(corpus.glob("synthetic-source-*.yml"))
    shutil.copyfile(cache.path(cache.key(files[1].read_bytes())), cache.path(cache.key(files[0].read_bytes())))
    with pytest.raises(claimsdb.ProblemsFound):
        claimsdb.build(corpus, tmp_path / "wrong.db", jobs=2, cache_dir=cache_dir)


def test_each_stage_records_the_resident_memory_as_it_ends(tmp_path):
    from claimsdb.progress import Stages

    stages = Stages()
    claimsdb.build(CLAIMS_DIR, tmp_path / "claims.db", stages=stages)
    ended = [name for name, _ in stages.resident]
    assert ended[:2] == ["inputs", "read"] and {"relations", "write", "indexes"} <= set(ended)
    assert set(ended) <= set(stages.seconds)
    assert all(megabytes > 1 for _, megabytes in stages.resident)


def test_check_on_several_processes_reports_the_very_lines_it_reports_on_one(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from claimsdb import cli

    corpus = synthetic(tmp_path / "claims", 240)
    monkeypatch.setattr(cli, "REPORT_BATCH", 3)  # enough batches to word them on other processes
    reported = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli.cli, ["check", "--claims", str(corpus), "--no-cache", "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        reported.append(result.stderr.splitlines())
    assert reported[0] == reported[1]
    assert all(": warning: " in line for line in reported[0])
    places = {line.split(": warning: ")[0] for line in reported[0]}
    assert len(places) >= 8 * 3  # batches enough for claimsdb.parallel to fork (min_items=8)
