"""The server as `make serve` starts it: a real process on loopback, serving
the build in claims.db and each build that replaces it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from claimsdb.instance import SETTINGS
from claimsdb.serve import server_command

from .conftest import CLAIMS_DIR, PROJECT_ROOT, free_port
from .test_checks import ARCHIVE, PROBE_TEXT
from .test_datasette import get_json


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    status, _, body = fetch_with_headers(url, data)
    return status, body


def fetch_with_headers(url: str, data: bytes | None = None):
    try:
        with urllib.request.urlopen(url, data=data, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_server_answers_on_loopback_with_the_claims_table(server):
    status, body = fetch(server + "/claims/claims")
    assert status == 200
    assert b"claims" in body


def test_server_serves_the_database_immutable(server):
    status, body = fetch(server + "/-/databases.json")
    assert status == 200
    [database] = [d for d in json.loads(body) if d["name"] == "claims"]
    assert database["is_mutable"] is False


@pytest.mark.parametrize("page", ["/-/settings.json", "/-/plugins.json"])
def test_server_has_the_settings_and_plugins_of_make_datasette(server, claims_datasette, page):
    status, body = fetch(server + page)
    assert status == 200
    assert json.loads(body) == get_json(claims_datasette, page)


def test_server_has_the_metadata_of_metadata_yml(server):
    # Datasette adds to the metadata as it serves pages: the descriptions are compared.
    status, body = fetch(server + "/-/metadata.json")
    assert status == 200
    served = json.loads(body)["databases"]["claims"]["tables"]
    expected = yaml.safe_load((PROJECT_ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["claims"]["tables"]
    assert {name: table.get("description") for name, table in served.items()} == {name: table.get("description") for name, table in expected.items()}


@pytest.mark.parametrize("sql", ["delete from claims", "update claims set quote = 'x'", "drop table claims"])
def test_server_refuses_sql_that_writes(server, sql):
    status, _ = fetch(server + "/claims.json?" + urllib.parse.urlencode({"sql": sql}))
    assert status >= 400
    status, body = fetch(server + "/claims.json?sql=select+count(*)+as+n+from+claims&_shape=array")
    assert status == 200 and json.loads(body)[0]["n"] > 0


# A server that follows its rebuilds ----------------------------------------------------

# The rebuild adds a source with one claim: the probe of test_checks.py, cut
# to its first claim.
NEW_CLAIM = "probe-figure"
NEW_SOURCE = PROBE_TEXT[:PROBE_TEXT.index("  - id: probe-period")]
NEW_QUOTE = b"executed more than 30,000 political prisoners"


@dataclass
class Following:
    """A project directory with its own claims/ and claims.db, served by a
    real server process; what the server writes to stderr, line by line."""

    directory: Path
    base: str
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)

    def build(self, *options: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "claimsdb", "build", *options], cwd=self.directory, capture_output=True, text=True, timeout=120)

    def add_claim(self) -> None:
        shutil.copyfile(ARCHIVE, self.directory / "claims" / "sources" / "probe.txt")
        (self.directory / "claims" / "probe.yml").write_text(NEW_SOURCE, encoding="utf-8")

    def wait_for_line(self, text: str, count: int = 1, timeout: float = 60) -> str:
        """The ``count``-th line of the server holding ``text`` (bounded wait)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if len(found) >= count:
                return found[count - 1]
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"no line with {text!r} from the server; it wrote:\n" + "\n".join(self.lines))

    def served(self) -> tuple[int, str]:
        """The claim count and download ETag the server answers with now."""
        status, body = fetch(self.base + "/claims.json?sql=select+count(*)+as+n+from+claims&_shape=array")
        assert status == 200
        status, headers, data = fetch_with_headers(self.base + "/claims.db")
        assert status == 200
        assert headers["etag"] == f'"{sha256(data)}"'
        return json.loads(body)[0]["n"], headers["etag"].strip('"')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def start_server(directory: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*server_command(Path("claims.db"), PROJECT_ROOT, port=port), *extra], cwd=directory,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@contextlib.contextmanager
def running_server(directory: Path, *extra: str):
    """The server on directory/claims.db until the block ends: a Following."""
    port = free_port()
    serving = Following(directory, f"http://127.0.0.1:{port}", start_server(directory, port, *extra))
    reader = threading.Thread(target=lambda: serving.lines.extend(serving.process.stderr), daemon=True)
    reader.start()
    try:
        serving.wait_for_line("Application startup complete")
        yield serving
    finally:
        serving.process.terminate()
        serving.process.wait(timeout=30)
        reader.join(timeout=10)
        serving.process.stderr.close()
    assert not list(directory.glob(".claimsdb-serve-*")), "the server left its snapshots behind"


@pytest.fixture
def following(tmp_path):
    directory = tmp_path / "project"
    shutil.copytree(CLAIMS_DIR, directory / "claims")
    built = subprocess.run([sys.executable, "-m", "claimsdb", "build"], cwd=directory, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    with running_server(directory) as serving:
        yield serving


def database_sha(directory: Path) -> str:
    return sha256((directory / "claims.db").read_bytes())


@dataclass
class Answer:
    started: float
    ended: float
    path: str
    status: int
    build: str | None  # "old", "new", or None where both builds answer alike


def classify(path: str, status: int, headers, body: bytes, builds: dict) -> str | None:
    """Which build gave this answer; fails on an answer neither could give."""
    if path == "/claims.db":
        assert status == 200, status
        etag = headers["etag"].strip('"')
        assert sha256(body) == etag, "the download's bytes are not those of its ETag's build"
        return builds[("sha", etag)]
    if path.startswith("/claims/claims/" + NEW_CLAIM):
        assert status in (200, 404), (path, status)
        if status == 200:
            assert NEW_QUOTE in body
        return "new" if status == 200 else "old"
    assert status == 200, (path, status, body[:300])
    if path.startswith("/claims.json?sql="):
        return builds[("claims", json.loads(body)[0]["n"])]
    if path.startswith("/claims/claims.json"):
        return builds[("claims", json.loads(body)["filtered_table_rows_count"])]
    return None


def test_a_rebuild_under_load_switches_every_answer_at_once(following):
    directory = following.directory
    old_claims, old_sha = following.served()
    old_claim = json.loads(fetch(following.base + "/claims.json?sql=select+id+from+claims+order+by+id+limit+1&_shape=array")[1])[0]["id"]
    paths = [
        "/claims.json?sql=select+count(*)+as+n+from+claims&_shape=array",
        f"/claims/claims/{NEW_CLAIM}",
        "/claims/claims.json?_size=1",
        f"/claims/claims/{old_claim}",
        f"/claims/claims/{NEW_CLAIM}.json",
        "/claims.db",
    ]
    answers: list[Answer] = []
    failures: list[str] = []
    responses = []  # (client, started, ended, path, status, headers, body), classified once both builds are known
    stop = threading.Event()

    def each_client_asked_every_path(since: float, deadline: float = 60) -> None:
        """Wait until every client has sent every path after ``since`` (bounded)."""
        end = time.monotonic() + deadline
        while time.monotonic() < end and not failures:
            done = [sum(1 for r in list(responses) if r[0] == offset and r[1] > since) for offset in range(len(clients))]
            if min(done) >= len(paths):
                return
            time.sleep(0.05)

    def client(offset: int) -> None:
        for number in range(4000):  # bounded by count, and by the time the main thread allows
            if stop.is_set():
                return
            path = paths[(offset + number) % len(paths)]
            started = time.monotonic()
            try:
                status, headers, body = fetch_with_headers(following.base + path)
            except Exception as error:  # a refused or broken connection is an answer too: a failure
                failures.append(f"{path}: {error!r}")
                return
            responses.append((offset, started, time.monotonic(), path, status, headers, body))

    clients = [threading.Thread(target=client, args=(offset,)) for offset in range(6)]
    for thread in clients:
        thread.start()
    try:
        each_client_asked_every_path(since=0)  # answers from the old build first
        following.add_claim()
        rebuilt = following.build()
        assert rebuilt.returncode == 0, rebuilt.stderr
        new_sha = database_sha(directory)
        following.wait_for_line("serving build 2")
        each_client_asked_every_path(since=time.monotonic())  # and from the new one
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=120)
    assert not failures, failures[:5]

    builds = {("sha", old_sha): "old", ("sha", new_sha): "new", ("claims", old_claims): "old", ("claims", old_claims + 1): "new"}
    for _, started, ended, path, status, headers, body in responses:
        answers.append(Answer(started, ended, path, status, classify(path, status, headers, body, builds)))
    old = [a for a in answers if a.build == "old"]
    new = [a for a in answers if a.build == "new"]
    assert old and new, (len(old), len(new))
    first_new = min(a.ended for a in new)
    late_old = [a for a in old if a.started > first_new]
    assert not late_old, f"{len(late_old)} answer(s) from the old build asked for after the first from the new one: {late_old[:3]}"
    # Every kind of request was answered by both builds (the old claim's page alike by both).
    assert {a.path for a in new} == {a.path for a in old} == set(paths) - {f"/claims/claims/{old_claim}"}
    assert {a.status for a in answers if a.build is None} == {200}


def test_a_failed_build_changes_nothing_the_server_shows(following):
    before = following.served()
    (following.directory / "claims" / "broken.yml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    failed = following.build()
    assert failed.returncode == 1
    time.sleep(3)  # three polls of the watcher
    assert following.served() == before
    assert not [line for line in following.lines if "serving build 2" in line]
    # The server was following all along: the next good build is served.
    (following.directory / "claims" / "broken.yml").unlink()
    following.add_claim()
    assert following.build().returncode == 0
    following.wait_for_line("serving build 2")
    assert following.served() == (before[0] + 1, database_sha(following.directory))


def test_a_file_that_is_not_a_database_is_reported_and_the_build_served_stays(following):
    before = following.served()
    garbage = following.directory / "garbage.tmp"
    garbage.write_bytes(b"not SQLite at all " * 1000)
    os.replace(garbage, following.directory / "claims.db")
    line = following.wait_for_line("cannot be served")
    assert line.rstrip("\n") == (
        "claims.db: cannot be served (SQLite: file is not a database) — build it again: claimsdb build; "
        f"still serving build 1 (SHA-256 {before[1][:12]}, 2 source(s), {before[0]} claim(s))."
    )
    assert following.served() == before
    assert following.build().returncode == 0
    following.wait_for_line("serving build 3")  # 2 was the refused file
    assert following.served() == (before[0], database_sha(following.directory))


def test_a_removed_database_is_reported_and_the_build_served_stays(following):
    before = following.served()
    (following.directory / "claims.db").unlink()
    line = following.wait_for_line(": gone")
    assert line.rstrip("\n") == (
        "claims.db: gone — build it again: claimsdb build; "
        f"still serving build 1 (SHA-256 {before[1][:12]}, 2 source(s), {before[0]} claim(s))."
    )
    assert following.served() == before
    assert following.build().returncode == 0
    following.wait_for_line("serving build 2")


def test_rebuilds_leave_no_threads_or_snapshots_behind(following):
    def threads_of_builds() -> tuple[set[str], int]:
        """The SQL thread pools (one per Datasette instance) and the write threads."""
        names = [t["name"] for t in json.loads(fetch(following.base + "/-/threads.json")[1])["threads"]]
        return {n.split("_")[0] for n in names if n.startswith("ThreadPoolExecutor-")}, sum("_execute_writes" in n for n in names)

    for number in range(2, 6):
        assert following.build("--full").returncode == 0  # the same files: only a full build writes a new file
        following.wait_for_line(f"serving build {number}")
        fetch(following.base + "/claims/claims")
    def closed() -> bool:
        pools, writers = threads_of_builds()
        return (len(pools), writers, snapshots(following.directory)) == (1, 1, ["5"])

    # The retired builds close in the background, once their last request is answered.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not closed():
        time.sleep(0.1)
    assert threads_of_builds()[1] == 1
    assert len(threads_of_builds()[0]) == 1
    assert snapshots(following.directory) == ["5"]


def snapshots(directory: Path) -> list[str]:
    [own] = directory.glob(".claimsdb-serve-*")
    return sorted(path.name for path in own.iterdir())


# Host and port ----------------------------------------------------------------------------


@pytest.fixture
def port_in_use():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def assert_port_refused(result, port: int) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    [line] = result.stderr.splitlines()
    prefix = f"127.0.0.1:{port}: the port is in use (another server?) — stop it, or serve on another port: make serve PORT="
    assert line.startswith(prefix), line
    other = int(line[len(prefix):].split(" ")[0])
    assert line == f"{prefix}{other} (claimsdb serve --port {other})"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", other))  # the port it names is free


def test_claimsdb_serve_on_a_port_in_use_says_so_before_building(workdir, port_in_use):
    result = subprocess.run([sys.executable, "-m", "claimsdb", "serve", "--port", str(port_in_use)],
                            cwd=workdir, capture_output=True, text=True, timeout=120)
    assert_port_refused(result, port_in_use)
    assert not (workdir / "claims.db").exists()


def test_the_server_on_a_port_in_use_says_so(workdir, built_db, port_in_use):
    shutil.copyfile(built_db, workdir / "claims.db")
    result = subprocess.run(server_command(Path("claims.db"), PROJECT_ROOT, port=port_in_use),
                            cwd=workdir, capture_output=True, text=True, timeout=120)
    assert_port_refused(result, port_in_use)


def test_the_server_on_an_address_not_of_this_machine_says_so(workdir, built_db):
    shutil.copyfile(built_db, workdir / "claims.db")
    # 192.0.2.1 is reserved for documentation (RFC 5737): no machine has it.
    result = subprocess.run(server_command(Path("claims.db"), PROJECT_ROOT, host="192.0.2.1", port=free_port()),
                            cwd=workdir, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("192.0.2.1:") and line.endswith(
        ": cannot listen there (Cannot assign requested address) — choose an address of this machine: make serve HOST=127.0.0.1 (claimsdb serve --host 127.0.0.1)")


def test_the_server_without_a_database_says_to_build_it(workdir):
    result = subprocess.run(server_command(Path("claims.db"), PROJECT_ROOT, port=free_port()),
                            cwd=workdir, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["claims.db: does not exist — build it first: claimsdb build"]


def test_the_server_takes_datasette_settings_over_its_own(workdir, built_db):
    shutil.copyfile(built_db, workdir / "claims.db")
    with running_server(workdir, "--setting", "force_https_urls", "1", "--setting", "default_page_size", "20") as serving:
        settings = json.loads(fetch(serving.base + "/-/settings.json")[1])
    assert (settings["force_https_urls"], settings["default_page_size"]) == (True, 20)
    assert settings["sql_time_limit_ms"] == SETTINGS["sql_time_limit_ms"]


def test_the_server_serves_the_originals_of_its_claims_directory(workdir, built_db):
    shutil.copyfile(built_db, workdir / "claims.db")
    originals = workdir / "claims" / "sources" / "originals"
    originals.mkdir()
    (originals / "page.html").write_bytes(b"<p>kept byte for byte</p>")
    with running_server(workdir, "--claims", "claims") as serving:
        assert fetch(serving.base + "/originals/page.html") == (200, b"<p>kept byte for byte</p>")


def test_make_serve_passes_host_and_port():
    # --no-print-directory: under `make test` this make is a sub-make, which would say where it works
    result = subprocess.run(["make", "--no-print-directory", "-n", "serve", "HOST=0.0.0.0", "PORT=8002"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == ".venv/bin/claimsdb serve --host 0.0.0.0 --port 8002"
