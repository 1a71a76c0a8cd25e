"""A build killed with SIGKILL while it writes, or stopped with Ctrl-C: the
previous claims.db is intact, the next build succeeds, and it removes what
the killed one left.

The build is stopped at named points (a file read, claimsdb.db.checkpoints(),
a download) by the command line's debugging hook (CLAIMSDB_STOP_AT), so each
kill lands exactly there. In one process, the build API's ``checkpoint``
callback does the same without a kill (tests/test_pipeline.py)."""

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


def ctrl_c_at(point: str, command: list[str], directory: Path, forked: int, holds_when_stopped=lambda: True) -> None:
    """Run ``command`` until the build (or one of its forked processes)
    stops itself at ``point``, with ``forked`` processes forked from it and
    ``holds_when_stopped()`` true; then Ctrl-C as a terminal sends it, to
    the whole group. The build must end as Ctrl-C ends it (Aborted!, exit
    1, no traceback, not one from a forked process) and leave no process
    behind."""
    with subprocess.Popen(command, cwd=directory, env={**os.environ, STOP_AT: point}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, start_new_session=True,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) as process:
        try:
            assert process.stderr.readline() == f"claimsdb: stopped at {point}\n"
            children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
            assert len(children) == forked, children
            assert holds_when_stopped()
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)  # a stopped build would keep the test waiting for it
            raise
        os.killpg(process.pid, signal.SIGINT)
        os.killpg(process.pid, signal.SIGCONT)
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 1
    assert "Aborted!" in stderr and "Traceback" not in stderr and "ForkProcess" not in stderr, stderr
    with pytest.raises(subprocess.CalledProcessError):  # no process of the build is left
        subprocess.run(["pgrep", "-s", str(process.pid)], check=True, capture_output=True)


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


def test_ctrl_c_during_a_build_on_several_processes_stops_every_process_and_leaves_the_previous_database(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    from .conftest import synthetic

    corpus = synthetic(tmp_path / "claims", claims=(MIN_ITEMS + 6) * 4, per_source=4)
    # The first source's archive made long, so that the coverage process is still at it when Ctrl-C comes.
    first = sorted(corpus.glob("synthetic-source-*.yml"))[0]
    archive = corpus / "sources" / (first.stem + ".txt")
    text = archive.read_text(encoding="utf-8") + "\nIn 1988, at least 30,000 prisoners were executed, Amnesty said.\n" * 20_000
    old_sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    archive.write_text(text, encoding="utf-8")
    first.write_text(first.read_text(encoding="utf-8").replace(old_sha256, hashlib.sha256(text.encode()).hexdigest()), encoding="utf-8")
    command = [sys.executable, "-m", "claimsdb", "build", "--jobs", "2", "--full"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120).returncode == 0
    previous = sha256(tmp_path / "claims.db")
    # Stopped while the coverage process runs (its shard written to).
    ctrl_c_at("rows:claims", command, tmp_path, forked=1,
              holds_when_stopped=lambda: any(tmp_path.glob(".claims.db.*.coverage.tmp/*.db")))
    assert sha256(tmp_path / "claims.db") == previous
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".claims.db")) == []


def test_ctrl_c_while_the_files_are_read_on_several_processes_stops_every_process_and_leaves_the_previous_database(tmp_path):
    from claimsdb.parallel import MIN_ITEMS

    from .conftest import synthetic

    corpus = synthetic(tmp_path / "claims", claims=(MIN_ITEMS + 6) * 4, per_source=4)
    command = [sys.executable, "-m", "claimsdb", "build", "--jobs", "2", "--full"]
    assert subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=120).returncode == 0
    previous = sha256(tmp_path / "claims.db")
    # The process that parses the tenth file stops itself there, while the
    # other parses the files after it, made long (and invalid: this build
    # never ends); Ctrl-C then comes as a terminal sends it: to the whole group.
    files = sorted(corpus.glob("synthetic-source-*.yml"))
    for later in files[10:30]:
        later.write_text(later.read_text(encoding="utf-8") + "padding:\n" + "- a\n" * 250_000, encoding="utf-8")
    ctrl_c_at(f"read:{files[9].name}", command, tmp_path, forked=1)
    assert sha256(tmp_path / "claims.db") == previous
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".claims.db")) == []


def test_ctrl_c_while_the_downloads_are_written_on_several_processes_stops_every_process_and_leaves_the_previous_release(workdir, rebuilt):
    downloads = workdir / "downloads"
    previous = {p.relative_to(downloads).as_posix(): sha256(p) for p in downloads.rglob("*") if p.is_file()}
    # The process that writes the claims table stops itself there, the other writes on.
    ctrl_c_at("downloads:claims", [sys.executable, "-m", "claimsdb", "build", "--jobs", "2"], workdir, forked=1)
    assert sha256(workdir / "claims.db") == rebuilt
    assert {p.relative_to(downloads).as_posix(): sha256(p) for p in downloads.rglob("*") if p.is_file()} == previous
    assert sorted(p.name for p in workdir.iterdir() if p.name.startswith(".") and p.name != ".claimsdb-cache") == []
