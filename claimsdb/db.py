"""Write the rows of a corpus to SQLite: a temporary file, renamed into place only when complete."""

from __future__ import annotations

import operator
import os
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Callable, ContextManager, Iterator

import sqlite_utils

from .corpus import Corpus
from .progress import Stages
from .rows import rows_for
from .tables import BUILD_RECORD, EXTRA_INDEXES, TABLES, VIEWS, Table

COVERAGE = next(table for table in TABLES if table.name == "coverage")


def create_tables(db: sqlite_utils.Database, tables=TABLES, views=VIEWS) -> None:
    for table in tables:
        db[table.name].create(
            {column.name: column.type for column in table.columns},
            pk=table.pk,
            not_null={column.name for column in table.columns if column.not_null},
            foreign_keys=table.foreign_keys,
        )
    for view in views:
        db.create_view(view.name, view.sql.strip())


def write_record(db: sqlite_utils.Database, record: dict[str, list[tuple]]) -> None:
    """Replace the build record (tables.BUILD_RECORD) with ``record``, its rows by table name."""
    create_tables(db, [table for table in BUILD_RECORD if not db[table.name].exists()], [])
    for table in BUILD_RECORD:
        db.execute(f"delete from [{table.name}]")
        insert_rows(db, table, record[table.name])


def insert_rows(db: sqlite_utils.Database, table: Table, rows: list[dict]) -> None:
    """Bulk insert with one prepared statement: sqlite-utils' insert_all
    checks and converts every value, about six times slower for rows the
    models have already validated (see bench/results/build.md)."""
    names = [column.name for column in table.columns]
    sql = f"insert into [{table.name}] ({', '.join(f'[{n}]' for n in names)}) values ({', '.join('?' for _ in names)})"
    empty = dict.fromkeys(names)
    values = operator.itemgetter(*names)
    # Rows are dicts, or tuples already in column order (relations).
    db.conn.executemany(sql, (row if isinstance(row, tuple) else values(empty | row) for row in rows))


def create_indexes(db: sqlite_utils.Database, advance=lambda n=1: None, tables=TABLES) -> None:
    names = {table.name for table in tables}
    for name, table, columns, where in EXTRA_INDEXES:
        if table in names:
            db.execute(f"create index [{name}] on [{table}] ({columns})" + (f" where {where}" if where else ""))
    for table in tables:
        advance(1)
        for column in table.indexes:
            db[table.name].create_index([column])
        if table.fts:
            db[table.name].enable_fts(table.fts, tokenize="porter")


def temporary_path(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")


def remove_stale_temporaries(path: Path) -> None:
    """Temporary files (or directories: the downloads) left beside ``path``
    by builds that were killed; running builds keep theirs. A previous
    version set aside (``.old``) by a build killed before it put the new one
    in place goes back there."""
    import shutil

    for suffix in (".tmp", ".old"):
        for stale in path.parent.glob(f".{path.name}.*{suffix}"):
            pid = stale.name[len(path.name) + 2:-len(suffix)].split(".")[0]  # .claims.db.PID[.what].tmp
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                if suffix == ".old" and not path.exists():
                    os.replace(stale, path)
                elif stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
                else:
                    stale.unlink(missing_ok=True)
            except PermissionError:
                pass


@contextmanager
def replacing(db_path: Path, stop_point: Callable[[str], None],
              alongside: Callable[[Path], ContextManager] | None = None) -> Iterator[Path]:
    """A temporary file beside ``db_path`` for the block to write, synced
    and renamed over ``db_path`` (after the "replace" stop point) once the
    block has completed it; removed whatever happens, so a failed or stopped
    build leaves the previous database as it was. ``alongside(tmp)``, a
    context manager, puts in place what goes with the new database (its
    downloads) before the rename, and puts the previous back if the rename
    fails; what it raises leaves the previous database."""
    remove_stale_temporaries(db_path)
    tmp = temporary_path(db_path)
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        stop_point("replace")
        with alongside(tmp) if alongside is not None else nullcontext():
            os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)


def scratch_database(path: Path) -> sqlite_utils.Database:
    """The temporary file as a database. It is thrown away on any failure,
    so it needs no rollback journal (and leaves no -journal file behind when
    the build is killed) and no syncing before the one fsync at the end."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


def checkpoints() -> list[str]:
    """The named points of writing, in order, at which ``write_database``
    calls its ``checkpoint``: "schema" (tables created), "rows:<table>"
    (after each table's rows), "fts" (full-text indexes built), "replace"
    (file complete, not yet renamed over the previous build)."""
    return ["schema", *(f"rows:{table.name}" for table in TABLES), "fts", "replace"]


def write_database(corpus: Corpus, db_path: Path | str, stages: Stages | None = None,
                   checkpoint: Callable[[str], None] | None = None, record: dict[str, list[tuple]] | None = None,
                   alongside: Callable[[Path], ContextManager] | None = None,
                   copy_coverage: Callable[[sqlite_utils.Database], None] | None = None) -> Path:
    """Write the corpus to a temporary file, then rename it over ``db_path``.

    ``checkpoint(name)`` is called at each of ``checkpoints()``: what it
    raises stops the build there, with the temporary file removed.
    ``record`` (claimsdb.incremental.record) is written to the build record
    for the next build to compare with; ``alongside`` is that of ``replacing``;
    ``copy_coverage`` is what ``claimsdb.shards.coverage_shards`` yielded,
    when the build started finding coverage on other processes (None:
    found in this process as its rows are written)."""
    stages = stages or Stages()
    stop_point = checkpoint or (lambda name: None)
    db_path = Path(db_path)
    with replacing(db_path, stop_point, alongside) as tmp:
        db = scratch_database(tmp)
        create_tables(db)
        stop_point("schema")
        # Coverage is written last: on several processes it is found while
        # the other tables and their indexes are written (claimsdb.shards).
        others = [table for table in TABLES if table is not COVERAGE]
        rows = rows_for(corpus, stages, coverage=copy_coverage is None)
        with stages.stage("write", total=len(TABLES)) as advance:
            with db.conn:
                for table in others:
                    insert_rows(db, table, rows[table.name])
                    stop_point(f"rows:{table.name}")
                    advance(1)
        with stages.stage("indexes", total=len(TABLES)) as advance:
            create_indexes(db, advance, others)
        with stages.stage("write"):
            if copy_coverage is None:
                with db.conn:
                    insert_rows(db, COVERAGE, rows["coverage"])
            else:
                copy_coverage(db)
            stop_point("rows:coverage")
        # Coverage rows are found while they are written: count them once, as coverage.
        stages.seconds["write"] -= stages.seconds.get("coverage", 0.0)
        with stages.stage("indexes"):
            create_indexes(db, tables=[COVERAGE])
        stop_point("fts")
        violations = db.execute("PRAGMA foreign_key_check").fetchall()
        if violations:  # the loader's reference checks make this unreachable
            raise RuntimeError(f"foreign key violations: {violations[:5]}")
        if record is not None:
            with db.conn:
                write_record(db, record)
        db.conn.commit()
        db.close()
    return db_path
