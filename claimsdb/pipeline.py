"""The build as a Python API, which the command line mirrors.

    import claimsdb

    report = claimsdb.build("claims", "claims.db")   # raises ProblemsFound
    report = claimsdb.check("claims")                # validates, writes nothing

Files → models → cross-file checks → one corpus (claimsdb.load) → rows and
one SQLite file written to a temporary path and renamed into place
(claimsdb.db). Every problem found is raised at once, in one ProblemsFound;
nothing here prints or exits: the command line (claimsdb.cli) does both.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .problems import Problem, ProblemsFound, WarningsAsErrors


@dataclass
class CheckReport:
    """What `check` found in a valid corpus."""

    claims_dir: Path
    sources: int
    claims: int
    relations: int  # declared (between claims) and detected (between figures): rows of declared_relations and figure_relations
    warnings: list  # Problems (or Deferred problems) that do not stop a build
    corpus: object = field(repr=False)  # claimsdb.load.Corpus, for the commands that read it further
    seconds: dict = field(default_factory=dict)  # wall time of each stage


@dataclass
class BuildReport(CheckReport):
    """What `build` wrote: the counts of `check` and the database's path."""

    db_path: Path = None
    # Why the build started from nothing. Always a full build for now: the
    # previous claims.db is not yet read as a cache (DESIGN.md, "The house").
    full_because: str = "builds are always full"


def check(claims_dir: Path | str, *, jobs: int | None = None, strict: bool = False, cache_dir: Path | str | None = None,
          full: bool = False, stages=None) -> CheckReport:
    """Validate every file of ``claims_dir``; raise ProblemsFound carrying
    every problem, or return what was found.

    ``jobs`` processes parse and validate the source files (None: one;
    the result does not depend on it). ``cache_dir`` keeps what was parsed and validated, keyed by file content
    (claimsdb.cache); ``full`` parses every file again, refreshing the cache.
    ``strict`` raises WarningsAsErrors when there are warnings. ``stages``
    (claimsdb.progress.Stages) times each stage and may draw progress bars."""
    from .cache import FileCache
    from .load import load_corpus
    from .progress import Stages, gc_paused

    claims_dir = Path(claims_dir)
    stages = stages if stages is not None else Stages()
    start = time.perf_counter()
    cache = FileCache(cache_dir, read=not full) if cache_dir is not None else None
    with gc_paused():
        corpus = load_corpus(claims_dir, stages, cache, jobs=jobs)
    if strict and corpus.warnings:
        raise WarningsAsErrors(list(corpus.warnings))
    stages.seconds["check"] = time.perf_counter() - start
    return CheckReport(claims_dir, len(corpus.sources), sum(1 for _ in corpus.claims()), len(corpus.relations),
                       corpus.warnings, corpus, stages.seconds)


def build(claims_dir: Path | str, db_path: Path | str, *, full: bool = False, jobs: int | None = None, strict: bool = False,
          cache_dir: Path | str | None = None, stages=None,
          checkpoint: Callable[[str], None] | None = None) -> BuildReport:
    """Validate ``claims_dir`` and write it to the SQLite file ``db_path``;
    raise ProblemsFound carrying every problem, leaving a previous
    ``db_path`` untouched, or return what was built.

    ``jobs`` processes parse, validate and find each source's candidates
    (None: one); the database is the same byte for byte whatever it is.
    ``checkpoint(name)`` is called at each named point of writing ("schema",
    "rows:<table>", "fts", "replace": claimsdb.db.CHECKPOINTS); an exception
    it raises stops the build there, leaving the previous database as it was
    and no temporary file. The other arguments are those of `check`."""
    from .db import write_database
    from .files import display_path
    from .progress import Stages, gc_paused

    db_path = Path(db_path)
    stages = stages if stages is not None else Stages()
    start = time.perf_counter()
    checked = check(claims_dir, jobs=jobs, strict=strict, cache_dir=cache_dir, full=full, stages=stages)
    corpus = checked.corpus
    try:
        with gc_paused():
            write_database(corpus, db_path, stages, checkpoint)
    except (OSError, sqlite3.Error) as error:
        raise ProblemsFound([Problem(display_path(db_path), 1, f"cannot be written ({error})",
                                     "check that its directory exists and is writable")]) from None
    if corpus.cache is not None:
        corpus.cache.prune()  # after the build has used (or added) everything it needs
    stages.seconds["total"] = time.perf_counter() - start
    return BuildReport(checked.claims_dir, checked.sources, checked.claims, checked.relations,
                       checked.warnings, corpus, stages.seconds, db_path=db_path)
