"""Work spread over the cores, merged in the order it was given.

The stages that treat one file (or one source) at a time, with nothing
shared between files, run on ``jobs`` processes: this one and ``jobs - 1``
forked from it. Parsing and validating the source files, finding each
source's candidates and writing each download are spread so. The items are
cut into chunks, which every process takes in turn from a shared counter,
this one too between taking in the results; results are given back in input
order, so a build on four cores writes the very bytes a build on one does.
Forked processes inherit the corpus read so far and the items, so only each
chunk's results travel, and only those the other processes found (this
process's own are never pickled).
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import signal
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

# Below this many items, other processes cost more (starting them, sending
# results back) than they save.
MIN_ITEMS = 64


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
    """Whether ``items`` are enough to spread over ``jobs`` processes (and fork is available)."""
    return jobs > 1 and items >= min_items and "fork" in multiprocessing.get_all_start_methods()


def chunk_size(items: int, jobs: int) -> int:
    """Items taken at a time: about eight chunks a process, so that a
    process slowed by other work leaves its share to the others."""
    return max(1, min(64, items // (jobs * 8)))


def ignore_interrupts() -> None:
    """In a forked process: Ctrl-C, sent to the whole process group, is the
    build's to handle. It stops this process, which says nothing (else each
    would print its own traceback beside the build's one line)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class WorkerFailed(RuntimeError):
    """A forked process stopped without giving its results back."""


def sendable(error: BaseException) -> BaseException:
    """``error``, or a stand-in saying what it was, when it cannot be pickled."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return WorkerFailed(f"{type(error).__name__}: {error}")


@contextmanager
def ordered_map(work: Callable, jobs: int, items: int, min_items: int = MIN_ITEMS) -> Iterator[Callable[[Iterable], Iterator]]:
    """Yield ``map(items)``: ``work`` applied to each item, in order, on
    ``jobs`` processes (this one among them) when there are enough items to
    be worth it (at least ``min_items``, and fork is available); in this
    process alone otherwise."""
    if not worth_forking(jobs, items, min_items):
        yield lambda each: map(work, each)
        return
    forked: list = []
    try:
        yield lambda each: spread(work, list(each), jobs, forked)
    finally:
        for process in forked:
            if process.is_alive():
                process.terminate()
            process.join()


def spread(work: Callable, items: list, jobs: int, forked: list) -> Iterator:
    """The results of ``work`` over ``items`` in order, computed here and on
    ``jobs - 1`` processes forked now (appended to ``forked``, which the
    caller ends), each taking the next chunk from a shared counter."""
    context = multiprocessing.get_context("fork")
    size = chunk_size(len(items), jobs)
    chunks = [items[start:start + size] for start in range(0, len(items), size)]
    taken = context.Value("i", 0)
    results = context.Queue()

    def take() -> int:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
        return index

    def compute(index: int) -> list:
        return [work(item) for item in chunks[index]]

    def serve() -> None:  # in a forked process: until every chunk is taken
        ignore_interrupts()
        while (index := take()) < len(chunks):
            try:
                results.put((index, compute(index), None))
            except BaseException as error:
                results.put((index, None, sendable(error)))
                break
        results.close()
        results.join_thread()  # every result sent before the process ends

    for _ in range(jobs - 1):
        process = context.Process(target=serve, daemon=True)
        process.start()
        forked.append(process)

    done: dict = {}
    for index in range(len(chunks)):
        while index not in done:
            # Results already sent are taken in first (the other processes'
            # queues stay short), then the next chunk nobody took is computed
            # here; with none left, this process waits for the others'.
            try:
                received = results.get(block=False)
            except queue.Empty:
                mine = take()
                if mine < len(chunks):
                    done[mine] = compute(mine)
                    continue
                received = wait_for(results, forked)
            got, found, error = received
            if error is not None:
                raise error
            done[got] = found
        yield from done.pop(index)


def wait_for(results, forked: list) -> tuple:
    """The next result another process sends; WorkerFailed if they all end without one."""
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if not any(process.is_alive() for process in forked):
                try:
                    return results.get(timeout=1)
                except queue.Empty:
                    raise WorkerFailed("a forked process ended without giving its results back (killed, or out of memory?)") from None
