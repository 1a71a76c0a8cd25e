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
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from .corpus import Corpus
from .db import COVERAGE, insert_rows
from .parallel import chunk_size, ignore_interrupts, worth_forking
from .progress import Stages
from .rows import coverage_inputs, coverage_rows

COLUMNS = ", ".join(f"[{column.name}]" for column in COVERAGE.columns)
ATTACHED = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)

# What forked workers read (inherited at the fork, never pickled).
_corpus: Corpus | None = None
_runs: list[list] = []
_semantics = ""


def shards_directory(db_path: Path) -> Path:
    """Beside the database, named as its temporary file is, so that what a
    killed build leaves is removed by the next (claimsdb.db.remove_stale_temporaries)."""
    return db_path.with_name(f".{db_path.name}.{os.getpid()}.coverage.tmp")


def taken(counter) -> Iterator[int]:
    """The runs no process has taken yet, one at a time, for this one."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= len(_runs):
            return
        yield index


def rows_of_run(index: int) -> Iterator[dict]:
    for source in _runs[index]:
        yield from coverage_rows(_corpus, source, _semantics)


def write_shard(path: Path, counter) -> None:
    """A forked process: the rows of each run it takes, into its own file,
    with where each run stands (rowids, inclusive)."""
    ignore_interrupts()
    shard = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    shard.execute("PRAGMA journal_mode = OFF")
    shard.execute("PRAGMA synchronous = OFF")
    # No types and no key: values are kept exactly as given, and the
    # coverage table applies its own when they are copied in.
    shard.execute(f"create table coverage ({COLUMNS})")
    shard.execute("create table runs (run integer primary key, first integer, last integer)")
    for index in taken(counter):
        first = shard.execute("select coalesce(max(rowid), 0) + 1 from coverage").fetchone()[0]
        shard.execute("begin")
        insert_rows(shard, COVERAGE, rows_of_run(index))
        shard.execute("insert into runs select ?, ?, coalesce(max(rowid), 0) from coverage", (index, first))
        shard.execute("commit")
    shard.close()


@contextmanager
def coverage_shards(corpus: Corpus, db_path: Path, stages: Stages) -> Iterator:
    """Start finding coverage on ``corpus.jobs - 1`` forked processes (at most
    as many as SQLite can attach); yield ``copy(db)``, which takes the runs
    left, waits for the processes and inserts every row into the coverage
    table of ``db``, or None when one process is to do everything (one job,
    few sources, no fork). The processes are stopped and their files
    removed whatever happens."""
    global _corpus, _runs, _semantics
    sources = sorted(corpus.sources, key=lambda s: s.id)
    if not worth_forking(corpus.jobs, len(sources)):
        yield None
        return
    semantics = repr(corpus.semantics.model_dump())
    if corpus.cache is not None:  # looked up (or kept) in the workers: kept by this build
        corpus.cache.used.update(corpus.cache.key(coverage_inputs(source, semantics)) for source in sources)
    directory = shards_directory(db_path)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    size = chunk_size(len(sources), corpus.jobs)
    _corpus, _runs, _semantics = corpus, [sources[at:at + size] for at in range(0, len(sources), size)], semantics
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
    # The main process attaches every shard to copy it: SQLite attaches at most ten files.
    paths = [directory / f"{n}.db" for n in range(min(corpus.jobs - 1, ATTACHED))]
    workers = [context.Process(target=write_shard, args=(path, counter), daemon=True) for path in paths]
    try:
        for worker in workers:
            worker.start()

        def copy(db: sqlite_utils.Database) -> None:
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
                    db.execute(f"attach database ? as shard{n}", (str(path),))
                try:
                    written = {index: (n, first, last) for n in range(len(paths))
                               for index, first, last in db.execute(f"select run, first, last from shard{n}.runs")}
                    with db.conn:
                        for index in range(len(_runs)):
                            if index in mine:
                                insert_rows(db, COVERAGE, mine.pop(index))
                                continue
                            n, first, last = written[index]
                            # db.conn's, not db.execute: sqlite-utils commits a write begun outside a transaction.
                            db.conn.execute(f"insert into coverage ({COLUMNS}) select {COLUMNS} from shard{n}.coverage where rowid between ? and ? order by rowid",
                                            (first, last))
                finally:
                    for n in range(len(paths)):
                        db.execute(f"detach database shard{n}")

        yield copy
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
        _corpus, _runs = None, []
        shutil.rmtree(directory, ignore_errors=True)
