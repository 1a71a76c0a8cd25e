"""Shared fixtures: a private copy of the real claims/ directory to break, and
the command line run as a user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimsdb.cli import cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLAIMS_DIR = PROJECT_ROOT / "claims"


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A directory holding a copy of claims/, made the current directory so
    problems are reported as claims/<file>:<line> just as for an editor."""
    shutil.copytree(CLAIMS_DIR, tmp_path / "claims")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def claimsdb():
    """Run `claimsdb ARGS...` in the current directory; returns the click Result."""

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=True)

    return run
