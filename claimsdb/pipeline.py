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
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ContextManager

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
    # Why the build started from nothing (None: it started from the previous
    # database, claimsdb.incremental).
    full_because: str | None = None
    # The sources an incremental build read again (and whose rows it
    # replaced or took from them); empty when nothing changed.
    read_again: list = field(default_factory=list)


def check(claims_dir: Path | str, *, jobs: int | None = None, strict: bool = False, cache_dir: Path | str | None = None,
          full: bool = False, stages=None, quotes_found: Callable | None = None,
          checkpoint: Callable[[str], None] | None = None) -> CheckReport:
    """Validate every file of ``claims_dir``; raise ProblemsFound carrying
    every problem, or return what was found.

    ``jobs`` processes parse and validate the source files (None: one;
    the result does not depend on it). ``cache_dir`` keeps what was parsed and validated, keyed by file content
    (claimsdb.cache); ``full`` parses every file again, refreshing the cache.
    ``strict`` raises WarningsAsErrors when there are warnings. ``stages``
    (claimsdb.progress.Stages) times each stage and may draw progress bars;
    ``quotes_found(corpus)`` is called once every file is read and every
    quote found, if no problem is found so far, before the cross-file checks
    and relations (claimsdb.load.load_corpus); ``checkpoint(name)`` with
    "read:<file name>" before each source file is parsed, in the process
    that parses it."""
    from .cache import FileCache
    from .load import load_corpus
    from .progress import Stages, gc_paused

    claims_dir = Path(claims_dir)
    stages = stages if stages is not None else Stages()
    start = time.perf_counter()
    cache = FileCache(cache_dir, read=not full) if cache_dir is not None else None
    with gc_paused():
        corpus = load_corpus(claims_dir, stages, cache, jobs=jobs, quotes_found=quotes_found, checkpoint=checkpoint)
    if strict and corpus.warnings:
        raise WarningsAsErrors(list(corpus.warnings))
    stages.seconds["check"] = time.perf_counter() - start
    return CheckReport(claims_dir, len(corpus.sources), sum(1 for _ in corpus.claims()), len(corpus.relations),
                       corpus.warnings, corpus, stages.seconds)


def build(claims_dir: Path | str, db_path: Path | str, *, full: bool = False, jobs: int | None = None, strict: bool = False,
          cache_dir: Path | str | None = None, stages=None,
          checkpoint: Callable[[str], None] | None = None,
          alongside: Callable[[Path], ContextManager] | None = None) -> BuildReport:
    """Validate ``claims_dir`` and write it to the SQLite file ``db_path``;
    raise ProblemsFound carrying every problem, leaving a previous
    ``db_path`` untouched, or return what was built.

    ``jobs`` processes parse, validate and find each source's candidates
    (None: one); the database is the same byte for byte whatever it is.
    Unless ``full``, the previous ``db_path`` is the cache: only the sources
    whose files changed, and those whose rows depend on them, are read again
    (claimsdb.incremental); the report's ``full_because`` says why a build
    started from nothing instead. ``checkpoint(name)`` is called before each source file is parsed
    ("read:<file name>", in the process that parses it) and at each named point of writing ("schema",
    "rows:<table>", "fts", "replace": claimsdb.db.checkpoints()); an exception
    it raises stops the build there, leaving the previous database as it was
    and no temporary file. ``alongside(tmp)``, a context manager given the
    complete new database before it is renamed into place, puts in place
    what goes with it (the command line's downloads) and puts the previous
    back if the rename fails; what it raises leaves the previous database
    (it is not called when nothing changed: no database is written). The
    other arguments are those of `check`."""
    from .cache import FileCache
    from .db import remove_stale_temporaries, write_database
    from .shards import coverage_shards
    from .files import display_path
    from .incremental import FullBuild, input_hashes, plan, record, update
    from .progress import Stages, gc_paused

    claims_dir, db_path = Path(claims_dir), Path(db_path)
    stages = stages if stages is not None else Stages()
    start = time.perf_counter()
    # Hashed before anything is read: a file edited during the build differs
    # from the record, and the next build reads it again.
    with stages.stage("inputs"):
        inputs = input_hashes(claims_dir) if claims_dir.is_dir() else {}
    full_because = "--full" if full else "--strict checks every file" if strict else None
    if full_because is None:
        try:
            the_plan = plan(claims_dir, db_path, inputs)
            cache = FileCache(cache_dir) if cache_dir is not None else None
            if not the_plan.changed and not the_plan.removed:
                remove_stale_temporaries(db_path)  # what killed builds left, though this one writes nothing
                return counted(claims_dir, db_path, stages, start, None, [], [])
            with gc_paused():
                corpus, read = update(claims_dir, db_path, the_plan, stages, cache, checkpoint, jobs, alongside)
            if cache is not None:
                for sha256 in the_plan.replaced:
                    cache.forget(sha256)
            warnings = [w for w in corpus.warnings if Path(w.path).stem in set(the_plan.changed)]
            return counted(claims_dir, db_path, stages, start, corpus, read, warnings)
        except FullBuild as why:
            full_because = str(why)
        except ProblemsFound:
            # Checked again as a whole, for every problem with the same words a full build gives.
            check(claims_dir, jobs=jobs, cache_dir=cache_dir, stages=Stages())
            full_because = "the files read again did not check on their own"
        except (OSError, sqlite3.Error) as error:
            full_because = f"the previous database cannot be read ({error})"
    with ExitStack() as coverage:
        # On several processes coverage is found from the moment the quotes
        # are, while this process computes the relations and writes the other tables.
        found = []
        start_coverage = lambda corpus: found.append(coverage.enter_context(coverage_shards(corpus, db_path, stages)))
        checked = check(claims_dir, jobs=jobs, strict=strict, cache_dir=cache_dir, full=full, stages=stages, quotes_found=start_coverage,
                        checkpoint=checkpoint)
        corpus = checked.corpus
        try:
            with gc_paused():
                write_database(corpus, db_path, stages, checkpoint, record(inputs), alongside, copy_coverage=next(iter(found), None))
        except (OSError, sqlite3.Error) as error:
            raise ProblemsFound([Problem(display_path(db_path), 1, f"cannot be written ({error})",
                                         "check that its directory exists and is writable")]) from None
    if corpus.cache is not None:
        corpus.cache.prune()  # after the build has used (or added) everything it needs
    stages.seconds["total"] = time.perf_counter() - start
    return BuildReport(checked.claims_dir, checked.sources, checked.claims, checked.relations,
                       checked.warnings, corpus, stages.seconds, db_path=db_path, full_because=full_because)


def counted(claims_dir: Path, db_path: Path, stages, start: float, corpus, read: list, warnings: list) -> BuildReport:
    """The report of an incremental build, its counts read from the database it wrote."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        sources, claims, relations = conn.execute("""
            select (select count(*) from sources), (select count(*) from claims),
                   (select count(*) from declared_relations) + (select count(*) from figure_relations)
        """).fetchone()
    finally:
        conn.close()
    stages.seconds["total"] = time.perf_counter() - start
    return BuildReport(claims_dir, sources, claims, relations, warnings, corpus, stages.seconds, db_path=db_path, read_again=read)
