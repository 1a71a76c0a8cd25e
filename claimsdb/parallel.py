"""Work spread over the cores, merged in the order it was given.

The stages that treat one file (or one source) at a time, with nothing
shared between files, run in a pool of forked processes: parsing and
validating the source files, and finding each source's candidates. Results
come back in input order (``Pool.imap``), so a build on four cores writes the
very bytes a build on one does. Forked workers inherit the corpus read so
far, so only each item's index goes out and only its result comes back.
"""

from __future__ import annotations

import multiprocessing
import signal
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

# Below this many items a pool costs more (starting the processes, sending
# results back) than it saves.
MIN_ITEMS = 64

_work: Callable | None = None  # the function forked workers apply (inherited, never pickled)


def resolve_jobs(jobs: int | None) -> int:
    """None: one process, the default, which needs no more memory than the
    corpus. Each further process is forked from the build and copies the
    pages of the corpus it touches (bench/results/build.md measures both
    time and memory on 2 processes); give jobs=N where N cores and the
    memory are free."""
    if jobs is None:
        return 1
    if jobs < 1:
        raise ValueError(f"jobs must be 1 or more, not {jobs}")
    return jobs


def worth_forking(jobs: int, items: int, min_items: int = MIN_ITEMS) -> bool:
    """Whether ``items`` are enough to spread over ``jobs`` forked processes (and fork is available)."""
    return jobs > 1 and items >= min_items and "fork" in multiprocessing.get_all_start_methods()


def chunk_size(items: int, jobs: int) -> int:
    """Items handed out at a time: about eight chunks a process, so that a
    process slowed by other work leaves its share to the others."""
    return max(1, min(64, items // (jobs * 8)))


def ignore_interrupts() -> None:
    """In a forked process: Ctrl-C, sent to the whole process group, is the
    build's to handle. It stops this process, which says nothing (else each
    would print its own traceback beside the build's one line)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _apply(item):
    return _work(item)


@contextmanager
def ordered_map(work: Callable, jobs: int, items: int, min_items: int = MIN_ITEMS) -> Iterator[Callable[[Iterable], Iterator]]:
    """Yield ``map(items)``: ``work`` applied to each item, in order, on
    ``jobs`` processes when there are enough items to be worth it (at least
    ``min_items``, and fork is available); in this process otherwise."""
    global _work
    if not worth_forking(jobs, items, min_items):
        yield lambda each: map(work, each)
        return
    _work = work
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=ignore_interrupts) as pool:
            yield lambda each: pool.imap(_apply, each, chunksize=chunk_size(items, jobs))
    finally:
        _work = None
