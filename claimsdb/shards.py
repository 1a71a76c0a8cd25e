"""Coverage found in forked processes while the main process writes the other tables.

Coverage is the build's largest stage, and it needs nothing the other
tables' rows need: the sources, their texts and their quotes' spans, all
known once every quote is found. So a full build on ``jobs`` processes
forks ``jobs - 1`` of them then; they take runs of sources (in id order)
one at a time, and each writes the rows it finds into its own SQLite file
(a shard), a transaction a run. The main process meanwhile checks
references and values, computes the relations and writes every other
table and its indexes, then takes the runs left itself, and copies every
run into ``coverage`` in source order, in one transaction.
The rows, and the order they are inserted in, are those of a build on one
process: the database is the same byte for byte.

Rows cross between processes as SQLite records, never pickled, and are
copied by SQLite itself (``insert … select`` from the attached shards).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .corpus import Corpus
from .parallel import MIN_ITEMS
from .progress import Stages
from .rows import coverage_inputs, coverage_rows
from .tables import TABLES

COVERAGE = next(table for table in TABLES if table.name == "coverage")
NAMES = [column.name for column in COVERAGE.columns]
COLUMNS = ", ".join(f"[{name}]" for name in NAMES)
INSERT = f"insert into coverage ({COLUMNS}) values ({', '.join('?' for _ in NAMES)})"

ATTACHED = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)

# What forked workers read (inherited at the fork, never pickled).
_corpus: Corpus | None = None
_runs: list[list] = []
_semantics = ""


def shards_directory(db_path: Path) -> Path:
    """Beside the database, named as its temporary file is, so that what a
    killed build leaves is removed by the next (claimsdb.db.remove_stale_temporaries)."""
    return db_path.with_name(f".{db_path.name}.{os.getpid()}.coverage.tmp")


def runs_of(sources: list, jobs: int) -> list[list]:
    """The sources in runs of a few dozen, about eight a process, so that a
    process slowed by other work leaves its share to the others."""
    size = max(1, min(64, len(sources) // (jobs * 8)))
    return [sources[at:at + size] for at in range(0, len(sources), size)]


def taken(counter) -> Iterator[int]:
    """The runs no process has taken yet, one at a time, for this one."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(_runs):
            return
        yield index


def rows_of_run(index: int) -> Iterator[tuple]:
    empty = dict.fromkeys(NAMES)
    for source in _runs[index]:
        for row in coverage_rows(_corpus, source, _semantics):
            yield tuple((empty | row).values())


def write_shard(path: Path, counter) -> None:
    """A forked process: the rows of each run it takes, into its own file,
    with where each run stands (rowids, inclusive)."""
    # Ctrl-C is the build's to handle: it stops this process (and says nothing twice).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    shard = sqlite3.connect(path, isolation_level=None)
    shard.execute("PRAGMA journal_mode = OFF")
    shard.execute("PRAGMA synchronous = OFF")
    # No types and no key: values are kept exactly as given, and the
    # coverage table applies its own when they are copied in.
    shard.execute(f"create table coverage ({COLUMNS})")
    shard.execute("create table runs (run integer primary key, first integer, last integer)")
    for index in taken(counter):
        first = shard.execute("select coalesce(max(rowid), 0) + 1 from coverage").fetchone()[0]
        shard.execute("begin")
        shard.executemany(INSERT, rows_of_run(index))
        shard.execute("insert into runs select ?, ?, coalesce(max(rowid), 0) from coverage", (index, first))
        shard.execute("commit")
    shard.close()


@contextmanager
def coverage_shards(corpus: Corpus, db_path: Path, stages: Stages) -> Iterator:
    """Start finding coverage on ``corpus.jobs - 1`` forked processes (at most
    as many as SQLite can attach); yield
    ``copy(conn)``, which takes the runs left, waits for the processes and
    inserts every row into the coverage table of ``conn``, or None when one
    process is to do everything (one job, few sources, no fork). The
    processes are stopped and their files removed whatever happens."""
    global _corpus, _runs, _semantics
    sources = sorted(corpus.sources, key=lambda s: s.id)
    if corpus.jobs <= 1 or len(sources) < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    semantics = repr(corpus.semantics.model_dump())
    if corpus.cache is not None:  # looked up (or kept) in the workers: kept by this build
        corpus.cache.used.update(corpus.cache.key(coverage_inputs(source, semantics)) for source in sources)
    directory = shards_directory(db_path)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    _corpus, _runs, _semantics = corpus, runs_of(sources, corpus.jobs), semantics
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    # The main process attaches every shard to copy it: SQLite attaches at most ten files.
    paths = [directory / f"{n}.db" for n in range(min(corpus.jobs - 1, ATTACHED))]
    workers = [context.Process(target=write_shard, args=(path, counter), daemon=True) for path in paths]
    try:
        for worker in workers:
            worker.start()

        def copy(conn: sqlite3.Connection) -> None:
            with stages.stage("coverage"):
                # The main process, its own tables written, takes its share of what is left.
                mine = {index: list(rows_of_run(index)) for index in taken(counter)}
                for worker in workers:
                    worker.join()
                    if worker.exitcode != 0:
                        raise OSError(f"a process finding coverage stopped with exit status {worker.exitcode}")
                # Attached, and copied by SQLite in one transaction (as on one
                # process: the file's change counter is the same too).
                for n, path in enumerate(paths):
                    conn.execute(f"attach database ? as shard{n}", (str(path),))
                try:
                    runs = sorted((index, n, first, last) for n in range(len(paths))
                                  for index, first, last in conn.execute(f"select run, first, last from shard{n}.runs"))
                    if len(runs) + len(mine) != len(_runs):  # unreachable: a process that took a run and died exits with a status
                        raise RuntimeError(f"{len(_runs) - len(runs) - len(mine)} run(s) of coverage were not written")
                    at = iter(runs)
                    with conn:
                        for index in range(len(_runs)):
                            if index in mine:
                                conn.executemany(INSERT, mine.pop(index))
                                continue
                            _, n, first, last = next(at)
                            conn.execute(f"insert into coverage ({COLUMNS}) select {COLUMNS} from shard{n}.coverage where rowid between ? and ? order by rowid",
                                         (first, last))
                finally:
                    for n in range(len(paths)):
                        conn.execute(f"detach database shard{n}")

        yield copy
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        _corpus, _runs = None, []
        shutil.rmtree(directory, ignore_errors=True)
