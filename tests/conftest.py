"""Shared fixtures: a private copy of the real claims/ directory to break, and
the command line run as a user runs it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
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


# Datasette ------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """claims.db built once per session from the real claims/ directory, in a
    private directory (named claims.db so Datasette serves it as /claims)."""
    from claimsdb.db import write_database
    from claimsdb.load import load_corpus

    corpus = load_corpus(CLAIMS_DIR)
    return write_database(corpus, tmp_path_factory.mktemp("built") / "claims.db")


@pytest.fixture(scope="session")
def claims_datasette(built_db):
    """The published instance, in process: built_db with the project's
    metadata.yml, templates/, plugins/ and settings (claimsdb.serve)."""
    from claimsdb.serve import make_datasette

    return make_datasette(built_db, PROJECT_ROOT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(built_db):
    """The server as `make serve` starts it (claimsdb.serve.datasette_command),
    serving built_db on a free loopback port: its base URL."""
    from claimsdb.serve import datasette_command

    port = free_port()
    process = subprocess.Popen(datasette_command(built_db, PROJECT_ROOT, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)
