"""A build killed with SIGKILL while it writes: the previous claims.db is
intact, the next build succeeds, and it removes what the killed one left.

The build is stopped at named points of writing (claimsdb.db.checkpoints())
by the command line's debugging hook (CLAIMSDB_STOP_AT), so each kill lands
exactly there. In one process, the build API's ``checkpoint`` callback does
the same without a kill (tests/test_pipeline.py)."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from claimsdb.cli import STOP_AT
from claimsdb.tables import TABLES

STATEMENT = "statement: arabnews.today states that the UN Working Group on Enforced Disappearances made these points"
CHANGED = "statement: arabnews.today states that the UN Working Group on Enforced Disappearances (changed) made these points"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "claimsdb", "build"], cwd=directory, capture_output=True, text=True, timeout=120)


def start_build_stopped_at(directory: Path, point: str) -> subprocess.Popen:
    """A build that has stopped itself (SIGSTOP) at ``point``."""
    process = subprocess.Popen(
        [sys.executable, "-m", "claimsdb", "build"], cwd=directory,
        env={**os.environ, STOP_AT: point}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    assert process.stderr.readline() == f"claimsdb: stopped at {point}\n"
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    return process


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    process.stderr.close()


def temporaries(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.startswith(".claims.db."))


@pytest.fixture
def rebuilt(workdir) -> str:
    """A previous build, then a change to the claims the next build will
    carry; returns the previous build's SHA-256."""
    assert build(workdir).returncode == 0
    claim_file = workdir / "claims" / "arabnews-today-2021-09-03-un-workgroup-investigation.yml"
    text = claim_file.read_text(encoding="utf-8")
    assert STATEMENT in text
    claim_file.write_text(text.replace(STATEMENT, CHANGED), encoding="utf-8")
    return sha256(workdir / "claims.db")


def statement_of(db: Path) -> str:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        return conn.execute("select statement from claims where id = 'ant-wgeid-report-to-human-rights-council'").fetchone()[0]


POINTS = ["schema", f"rows:{TABLES[0].name}", "rows:claims", f"rows:{TABLES[-1].name}", "fts", "replace"]


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_while_writing_leaves_the_previous_database_intact(workdir, rebuilt, point):
    process = start_build_stopped_at(workdir, point)
    assert temporaries(workdir) == [f".claims.db.{process.pid}.tmp"]
    kill(process)
    assert sha256(workdir / "claims.db") == rebuilt
    assert statement_of(workdir / "claims.db").startswith(STATEMENT.removeprefix("statement: "))
    assert temporaries(workdir) == [f".claims.db.{process.pid}.tmp"]

    result = build(workdir)
    assert result.returncode == 0, result.stderr
    assert statement_of(workdir / "claims.db").startswith(CHANGED.removeprefix("statement: "))
    assert temporaries(workdir) == []


def test_a_running_build_keeps_its_temporary_file_while_another_build_runs(workdir, rebuilt):
    stopped = start_build_stopped_at(workdir, "rows:claims")
    mine = f".claims.db.{stopped.pid}.tmp"
    try:
        result = build(workdir)
        assert result.returncode == 0, result.stderr
        assert temporaries(workdir) == [mine]  # its builder is alive: not stale
    finally:
        kill(stopped)
    assert build(workdir).returncode == 0
    assert temporaries(workdir) == []


def test_a_build_killed_while_writing_its_downloads_leaves_the_previous_database_and_downloads(workdir, rebuilt):
    downloads = workdir / "downloads"
    previous = {p.relative_to(downloads).as_posix(): sha256(p) for p in downloads.rglob("*") if p.is_file()}
    process = start_build_stopped_at(workdir, "downloads")
    kill(process)
    assert sha256(workdir / "claims.db") == rebuilt
    assert {p.relative_to(downloads).as_posix(): sha256(p) for p in downloads.rglob("*") if p.is_file()} == previous
    assert (workdir / f".downloads.{process.pid}.tmp").is_dir()

    result = build(workdir)
    assert result.returncode == 0, result.stderr
    assert statement_of(workdir / "claims.db").startswith(CHANGED.removeprefix("statement: "))
    assert sorted(p.name for p in workdir.iterdir() if p.name.startswith(".")) == [".claimsdb-cache"]
