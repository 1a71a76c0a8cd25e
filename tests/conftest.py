"""Shared fixtures: a private copy of the seed corpus (tests/seed_corpus) to break, and
the command line run as a user runs it."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimsdb.cli import cli

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The corpus the tests own: a frozen copy of the seed corpus as it stood when
# the live claims/ held only the two seed documents. Behaviour is tested on it
# (and on corpora built in the tests); the live claims/ only in
# test_live_corpus.py, for what holds of every valid corpus.
CLAIMS_DIR = PROJECT_ROOT / "tests" / "seed_corpus"
LIVE_CLAIMS_DIR = PROJECT_ROOT / "claims"


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    """A directory holding a copy of claims/, made the current directory so
    problems are reported as claims/<file>:<line> just as for an editor."""
    shutil.copytree(CLAIMS_DIR, tmp_path / "claims")
    monkeypatch.chdir(tmp_path)
    return tmp_path


PERSIAN_CORPUS = PROJECT_ROOT / "tests" / "persian_corpus"


def copy_persian_corpus(root: Path) -> Path:
    """root/claims: the seed corpus with a small made-up Persian report added
    (tests/persian_corpus: its source file, archive and agents)."""
    claims = root / "claims"
    shutil.copytree(CLAIMS_DIR, claims)
    for path in PERSIAN_CORPUS.rglob("*"):
        if path.is_file() and path.name != "agents.yml":
            target = claims / path.relative_to(PERSIAN_CORPUS)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    with open(claims / "agents.yml", "a", encoding="utf-8") as agents:
        agents.write((PERSIAN_CORPUS / "agents.yml").read_text(encoding="utf-8"))
    return claims


@pytest.fixture
def persian_workdir(tmp_path, monkeypatch) -> Path:
    """A working directory (the current one) holding the Persian corpus as claims/."""
    copy_persian_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def persian_db(tmp_path_factory) -> Path:
    """claims.db built once per session from the Persian corpus."""
    from claimsdb.db import write_database
    from claimsdb.load import load_corpus

    root = tmp_path_factory.mktemp("persian")
    return write_database(load_corpus(copy_persian_corpus(root)), root / "claims.db")


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
    import claimsdb

    from claimsdb.downloads import write_downloads

    built = claimsdb.build(CLAIMS_DIR, tmp_path_factory.mktemp("built") / "claims.db").db_path
    write_downloads(built)  # downloads/ beside it, as `claimsdb build` writes them
    return built


@pytest.fixture(scope="module")
def db(built_db):
    """built_db opened read-only in SQLite, rows as sqlite3.Row."""
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def claims_datasette(built_db):
    """The published instance, in process: built_db with the project's
    metadata.yml, templates/, plugins/ and settings (claimsdb.instance)."""
    from claimsdb.instance import make_datasette

    return make_datasette(built_db, PROJECT_ROOT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(db_path: Path):
    """The server as `make serve` starts it (claimsdb.serve.server_command),
    serving ``db_path`` on a free loopback port: its base URL."""
    from claimsdb.serve import server_command

    port = free_port()
    process = subprocess.Popen(server_command(db_path, PROJECT_ROOT, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.1)
    else:
        process.terminate()
        pytest.fail(f"the server did not answer on {base} within 30 seconds")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


@pytest.fixture(scope="session")
def server(built_db):
    """built_db served as `make serve` serves it: its base URL."""
    with serving(built_db) as base:
        yield base


# The browser ----------------------------------------------------------------

CHROMIUM_INSTALL_HINT = (
    "headless Chromium is needed for the browser tests and `chromium` is not on PATH: "
    "install Debian's package (as root: apt-get update && apt-get install -y chromium; "
    "`make test` does this when run as root)"
)


def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's sync API keeps an event loop
    running from the first test that uses it to the end of the session, and
    asyncio.run (Datasette's test client) refuses to start inside one."""
    items.sort(key=lambda item: "playwright" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium from its executable path:
    Playwright's own browser download is neither needed nor possible here."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(CHROMIUM_INSTALL_HINT)
    # --no-sandbox: the tests run as root in a container.
    return {**browser_type_launch_args, "executable_path": executable, "args": ["--no-sandbox", "--disable-gpu"]}


# A document the project has never seen ---------------------------------------

# Made up for the tests (never added to claims/): a short report with a
# figure, dates at several precisions, a legal characterisation and
# reporting verbs, as a new editor would bring one.
EXAMPLE_TEXT = """\
Rights groups meet in Geneva on the 1988 executions

Example Outlet, May 1, 2022

Rights groups met in Geneva on April 28, 2022 to discuss the 1988 executions of political prisoners in Iran. \
According to the Example Rights Group, the executions took place in 25 cities between late July and September 1988. \
“The killings amount to genocide,” its director said.

More than 200 people attended the meeting.
"""
EXAMPLE_AGENTS = """
  - id: example-outlet
    name: Example Outlet
    kind: media-outlet
    description: A made-up outlet of the test suite.

  - id: example-rights-group
    name: Example Rights Group
    kind: ngo
    description: A made-up organisation of the test suite.
"""
EXAMPLE_SUBJECTS = """
  - id: example-geneva-meeting
    name: A made-up meeting in Geneva
    kind: event
    description: The meeting of the test suite's made-up report.
"""
EXAMPLE_MEASURES = """
  - id: example-meeting-attendance
    name: People attending the made-up Geneva meeting
    unit: people
    description: Attendance of the meeting of the test suite's made-up report.
"""
EXAMPLE_ID = "example-outlet-2022-05-01-rights-groups-meet-geneva-1988-executions"


@pytest.fixture
def example_source(workdir, claimsdb) -> str:
    """The made-up report added with `claimsdb add-source`, its agents,
    subject and measure added to the copied claims/; returns its id."""
    claims = workdir / "claims"
    with open(claims / "agents.yml", "a", encoding="utf-8") as handle:
        handle.write(EXAMPLE_AGENTS)
    with open(claims / "subjects.yml", "a", encoding="utf-8") as handle:
        handle.write(EXAMPLE_SUBJECTS)
    measures = (claims / "measures.yml").read_text(encoding="utf-8")
    (claims / "measures.yml").write_text(measures.replace("\nvalue_semantics:", EXAMPLE_MEASURES + "\nvalue_semantics:", 1), encoding="utf-8")
    (workdir / "example.txt").write_text(EXAMPLE_TEXT, encoding="utf-8")
    result = claimsdb("add-source", "example.txt", "--title", "Rights groups meet in Geneva on the 1988 executions",
                      "--url", "https://example.org/2022/05/01/geneva", "--publisher", "example-outlet",
                      "--published", "2022-05-01", "--language", "en")
    assert result.exit_code == 0, result.output
    return EXAMPLE_ID


def synthetic(directory: Path, claims: int = 240, seed: int = 1988, per_source: int = 6) -> Path:
    """A corpus from the benchmarks' generator (bench/synthetic.py) in ``directory``."""
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    try:
        from synthetic import generate
    finally:
        sys.path.remove(str(PROJECT_ROOT / "bench"))
    generate(directory, claims, seed=seed, per_source=per_source)
    return directory


def nest_subjects(corpus: Path) -> None:
    """Make subjects 1–9 parts of subject 0 and 11–19 parts of subject 10, and
    count three measures only, so that detection compares parts' figures with
    their wholes'."""
    text = (corpus / "subjects.yml").read_text(encoding="utf-8")
    for part in [*range(1, 10), *range(11, 20)]:
        whole = 0 if part < 10 else 10
        text = text.replace(f"  - id: subject-{part}\n", f"  - id: subject-{part}\n    part_of: subject-{whole}\n", 1)
    (corpus / "subjects.yml").write_text(text, encoding="utf-8")
    for path in sorted(corpus.glob("synthetic-source-*.yml")):  # three measures only, so parts and wholes share some
        path.write_text(re.sub(r"measure: measure-(\d+)", lambda m: f"measure: measure-{int(m[1]) % 3}", path.read_text(encoding="utf-8")), encoding="utf-8")


# Edits of a synthetic corpus, as an editor makes them --------------------------------


def source_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("synthetic-source-*.yml"))


def edit_value(path: Path) -> bool:
    """Change a quantity's figure (moving it to another figure of its group)."""
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'(\n    value: "[^"\d]*)(\d)', lambda m: m[1] + str((int(m[2]) % 9) + 1), text, count=1)
    path.write_text(edited, encoding="utf-8")
    return edited != text


def move_subject(path: Path) -> bool:
    """Move a claim to another subject (out of its comparison group, into another)."""
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"\n    subject: subject-(\d+)", lambda m: f"\n    subject: subject-{(int(m[1]) + 1) % 20}", text, count=1)
    path.write_text(edited, encoding="utf-8")
    return edited != text


def edit_period(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'\n    start: "(\d{4})-(\d\d)"', lambda m: f'\n    start: "{m[1]}-01"', text, count=1)
    path.write_text(edited, encoding="utf-8")
    return edited != text


def rename(path: Path) -> Path:
    """The source under a new id (its file, id and claim ids), keeping its archive."""
    number = path.stem.rsplit("-", 1)[1]
    new_id = f"renamed-source-{number}"
    text = path.read_text(encoding="utf-8").replace(f"id: {path.stem}\n", f"id: {new_id}\n", 1)
    text = re.sub(rf"(id|claim): s{int(number)}-c", rf"\1: r{int(number)}-c", text)
    path.unlink()
    target = path.with_name(f"{new_id}.yml")
    target.write_text(text, encoding="utf-8")
    return target


def copy_as_new(path: Path, number: int) -> Path:
    """A new source: a copy of one under new ids, with the same archive."""
    new_id = f"added-source-{number}"
    text = path.read_text(encoding="utf-8").replace(f"id: {path.stem}\n", f"id: {new_id}\n", 1)
    text = re.sub(r"(id|claim): s\d+-c", rf"\1: a{number}-c", text)
    target = path.with_name(f"{new_id}.yml")
    target.write_text(text, encoding="utf-8")
    return target


def remove_a_source(corpus: Path, candidates) -> Path:
    """The first of ``candidates`` whose removal leaves a valid corpus
    (no other file names its claims), removed: kept beside as .yml.kept."""
    import claimsdb

    for path in candidates:
        path.rename(path.with_suffix(".yml.kept"))
        try:
            claimsdb.check(corpus)
            return path
        except claimsdb.ProblemsFound:
            path.with_suffix(".yml.kept").rename(path)
    raise AssertionError("no source can be removed")
