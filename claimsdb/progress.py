"""Stages of a build: their times (for the benchmark) and, on a terminal,
a progress bar per stage (quiet in CI and when output is piped)."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

import click

# Fewer claims than this build in a moment: no bars.
PROGRESS_THRESHOLD = 5_000


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def resident_mb() -> float | None:
    """This process's resident set in MB, where Linux's /proc tells it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Stages:
    """Wall time of each named stage, and the resident memory as each ends
    (``resident``: (stage, MB) in the order they end, where the system
    tells it; bench/bench_memory.py); ``show`` draws progress bars."""

    def __init__(self, show: bool = False):
        self.show = show
        self.seconds: dict[str, float] = {}
        self.resident: list[tuple[str, float]] = []

    @contextmanager
    def stage(self, name: str, total: int | None = None):
        """Time a stage; yields ``advance(n)`` to report progress."""
        start = time.perf_counter()
        if self.show and total:
            with click.progressbar(length=total, label=f"{name:<10}", file=sys.stderr, show_eta=False, show_pos=True) as bar:
                yield bar.update
        else:
            yield lambda n=1: None
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        if (resident := resident_mb()) is not None:
            self.resident.append((name, resident))

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a build holds millions of
    young, acyclic objects: otherwise each collection rescans them all and
    parsing slows to half speed at 100k claims (bench/results/build.md)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
