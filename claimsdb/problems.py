"""A problem found in the claim files: one line, ``path:line: what — what to do``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    fix: str
    warning: bool = False

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        text = f"{self.path}:{self.line}: {kind}{self.message} — {self.fix}"
        # One problem is one line, whatever the input contained.
        return " ".join(text.split())


class ProblemsFound(Exception):
    """Raised when the corpus cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.message))


class WarningsAsErrors(ProblemsFound):
    """Raised by a strict check or build of a corpus that has warnings (and no errors)."""


class Deferred(NamedTuple):
    """A problem whose message is formatted only when it is shown: a corpus
    of a million claims may carry a million warnings."""

    path: str
    line: int
    template: str
    args: tuple
    fix: str
    warning: bool = True

    @property
    def message(self) -> str:
        return self.template.format(*self.args)

    def __str__(self) -> str:
        return str(Problem(self.path, self.line, self.message, self.fix, self.warning))
