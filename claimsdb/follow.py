"""Serving claims.db while it is rebuilt: every build in a Datasette instance
of its own, switched in whole.

`claimsdb build` writes a new file and renames it over claims.db. A server
that opens claims.db by name mixes builds: its old connections keep reading
the old file, new ones read the new, and one page runs queries on both (a
claim found by one query and missing from the next), while the download
streams the new bytes under the old ETag. So the server never reads claims.db
itself. It serves a snapshot: a hard link to the build, in a private
directory beside it, which no later rename can change. A watcher looks at
claims.db every POLL_SECONDS; when a new build is there (and unchanged for a
poll), it links it, opens it in a new immutable Datasette instance and does
that instance's first-request work (startup hooks, table counts, schemas, the
SHA-256 that is the download's ETag) away from the requests. Then it switches:
requests wait while the pages in flight on the old build finish, and every
request after that goes to the new build. Nothing else changes: a file that
cannot be served (not SQLite, broken) is reported and the old build stays.
The old instance is closed, and its snapshot removed, once its last request
(a download, a CSV stream) has finished.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import click

from .downloads import downloads_dir
from .instance import default_facets, inspect_data, make_datasette

POLL_SECONDS = 1.0
# How long new requests wait, at a switch, for the pages in flight on the
# old build: a page is a few queries of at most sql_time_limit_ms (3 s) each
# and takes 100 ms or less (bench/results/load.md). Downloads and CSV streams
# are not waited for: they finish on the build they started on.
DRAIN_SECONDS = 5.0
# Datasette names a database after its file's stem: /claims, and the
# `claims` of metadata.yml and templates/row-claims-*.html, whatever the
# name of the file that is followed.
SNAPSHOT_NAME = "claims.db"
SNAPSHOTS_PREFIX = ".claimsdb-serve-"


class Unservable(Exception):
    """A file that cannot be served, as one line: `path: what — what to do`."""


def identity(path: Path) -> tuple | None:
    """What tells one build of the file from the next: a rename brings a new
    inode, a change in place a new size or modification time."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def is_long(scope: dict) -> bool:
    """Requests that may take minutes, for which a switch does not wait: the
    database download and streamed CSV."""
    return scope["path"].endswith(".db") or b"_stream=" in scope.get("query_string", b"")


@dataclass(eq=False)
class Build:
    """One snapshot of the followed file and the Datasette instance serving it."""

    number: int
    identity: tuple
    snapshot: Path
    datasette: object
    app: object = None
    in_flight: int = 0  # every request on this build
    pages: int = 0  # the requests a switch waits for
    pages_done: asyncio.Event = field(default_factory=asyncio.Event)
    retired: bool = False

    @property
    def database(self):
        return self.datasette.get_database(Path(SNAPSHOT_NAME).stem)

    def describe(self) -> str:
        counts = self.database.cached_table_counts or {}
        return f"build {self.number} (SHA-256 {self.database.hash[:12]}, {counts.get('sources')} source(s), {counts.get('claims')} claim(s))"


class Follower:
    """An ASGI application serving the latest build of ``db_path`` with the
    project's Datasette (claimsdb.instance.make_datasette), one build per
    response."""

    def __init__(self, db_path: Path, root: Path, settings: dict | None = None, claims_dir: Path | None = None,
                 poll_seconds: float = POLL_SECONDS, drain_seconds: float = DRAIN_SECONDS):
        self.db_path = Path(db_path)
        self.root = Path(root)
        self.settings = settings or {}  # Datasette settings over claimsdb.instance.SETTINGS
        self.claims_dir = claims_dir  # its originals are served (claimsdb.instance.originals_dir)
        self.poll_seconds = poll_seconds
        self.drain_seconds = drain_seconds
        # One secret for every instance, so what one build signed (a CSRF
        # token, a cookie) is still good after a switch.
        self.secret = os.environ.get("DATASETTE_SECRET") or secrets.token_hex(32)
        self.snapshots = self.db_path.parent / f"{SNAPSHOTS_PREFIX}{os.getpid()}"
        self.current: Build | None = None
        self.builds = 0
        self.open: asyncio.Event | None = None  # cleared while a switch waits for pages in flight
        self.watcher: asyncio.Task | None = None
        self.closing: set[asyncio.Task] = set()

    # Starting and stopping ------------------------------------------------------

    async def start(self) -> None:
        """Serve the build in ``db_path`` now (Unservable if it cannot be) and follow it."""
        if self.current is None:
            remove_abandoned_snapshots(self.db_path.parent)
            try:
                self.snapshots.mkdir(exist_ok=True)
            except OSError as error:
                raise Unservable(f"{self.snapshots}: cannot be created ({error.strerror}) — serve from a directory you can write to: "
                                 f"the server keeps its snapshots of {self.db_path.name} beside it") from None
            now = identity(self.db_path)
            if now is None:
                raise Unservable(f"{self.db_path}: does not exist — build it first: claimsdb build")
            self.current = await self.prepare(now)
            self.open = asyncio.Event()
            self.open.set()
            say(f"{self.db_path}: serving {self.current.describe()}; a new build is served within seconds of `claimsdb build`.")
        if self.watcher is None:
            self.watcher = asyncio.create_task(self.watch())

    async def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.cancel()
            self.watcher = None
        await asyncio.gather(*self.closing, return_exceptions=True)
        shutil.rmtree(self.snapshots, ignore_errors=True)

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except Unservable as problem:
                    await send({"type": "lifespan.startup.failed", "message": str(problem)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # Requests ---------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        await self.open.wait()
        build = self.current  # no await between the wait and here: the switch cannot come in between
        page = not is_long(scope)
        build.in_flight += 1
        if page:
            build.pages += 1
            build.pages_done.clear()
        try:
            await build.app(scope, receive, send)
        finally:
            build.in_flight -= 1
            if page:
                build.pages -= 1
                if build.pages == 0:
                    build.pages_done.set()
            if build.retired and build.in_flight == 0:
                self.close_later(build)

    # Builds -----------------------------------------------------------------------

    async def watch(self) -> None:
        seen = self.current.identity
        refused = None
        while True:
            await asyncio.sleep(self.poll_seconds)
            now = identity(self.db_path)
            if now is None and seen is not None:
                say(f"{self.db_path}: gone — build it again: claimsdb build; still serving {self.current.describe()}.")
            settled, seen = now == seen, now  # unchanged for a poll: not being written
            if now is None or not settled or now == self.current.identity or now == refused:
                continue
            try:
                build = await self.prepare(now)
            except Unservable as problem:
                refused = now
                say(f"{problem}; still serving {self.current.describe()}.")
                continue
            await self.switch(build)

    async def prepare(self, now: tuple) -> Build:
        """The build whose file has identity ``now``, ready to answer."""
        self.builds += 1
        directory = self.snapshots / str(self.builds)
        directory.mkdir()
        snapshot = directory / SNAPSHOT_NAME
        build = None
        try:
            try:
                os.link(self.db_path, snapshot)
            except OSError:  # a file system without hard links
                shutil.copyfile(self.db_path, snapshot)
            # Were claims.db replaced again since `now`, the snapshot holds the
            # newer file, and the next polls serve it again as a build of its own.
            # The snapshot's hash, table counts and default facets' counts, read
            # once for this build (datasette inspect) rather than counted on
            # every table page.
            inspect = await asyncio.to_thread(inspect_data, snapshot, default_facets(self.root))
            # The release's downloads are the ones the build wrote beside the followed file.
            datasette = await asyncio.to_thread(make_datasette, snapshot, self.root, self.claims_dir, secret=self.secret, inspect=inspect,
                                                downloads=downloads_dir(self.db_path), **self.settings)
            build = Build(self.builds, now, snapshot, datasette)
            build.app = datasette.app()
            await first_request_work(build)
        except Exception as error:  # whatever it is, the build in service stays
            if build is not None:
                await self.close(build)
            shutil.rmtree(directory, ignore_errors=True)
            if isinstance(error, FileNotFoundError):
                raise Unservable(f"{self.db_path}: disappeared while being read — build it again: claimsdb build") from None
            raise Unservable(f"{self.db_path}: cannot be served ({describe_error(error)}) — build it again: claimsdb build") from None
        return build

    async def switch(self, build: Build) -> None:
        old = self.current
        self.open.clear()
        if old.pages:
            try:
                await asyncio.wait_for(old.pages_done.wait(), self.drain_seconds)
            except TimeoutError:
                pass  # such a page finishes on its build, after the first answers from the new one
        self.current = build
        old.retired = True
        self.open.set()
        if old.in_flight == 0:
            self.close_later(old)
        say(f"{self.db_path}: serving {build.describe()}, in place of build {old.number}.")

    def close_later(self, build: Build) -> None:
        if build.app is None:
            return
        build.app = None  # closed once
        task = asyncio.create_task(self.close(build))
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    async def close(self, build: Build) -> None:
        """Free what the instance holds: its threads, connections and snapshot."""
        datasette = build.datasette
        for database in datasette.databases.values():
            # Datasette 0.65 keeps a thread per database it has written to
            # (its _internal catalogue, at least), waiting for writes without
            # end; a write that raises SystemExit ends it.
            if database._write_thread is not None:
                await database.execute_write_fn(end_thread, block=False)
        if datasette.executor is not None:
            await asyncio.to_thread(datasette.executor.shutdown, wait=True, cancel_futures=True)
        for database in datasette.databases.values():
            database.close()
        shutil.rmtree(build.snapshot.parent, ignore_errors=True)


async def first_request_work(build: Build) -> None:
    """What Datasette does on its first request and on `datasette serve`,
    done before any request comes: check the file, run the startup hooks,
    count the tables, read the schemas, hash the file (the ETag)."""
    from datasette.utils import check_connection

    database = build.database
    await database.execute_fn(check_connection)
    await build.datasette.invoke_startup()
    await database.table_counts(limit=3600 * 1000)
    await build.datasette.refresh_schemas()
    await asyncio.to_thread(lambda: database.hash)


def end_thread(connection):
    raise SystemExit


def describe_error(error: Exception) -> str:
    if isinstance(error, sqlite3.Error):
        return f"SQLite: {error}"
    return f"{type(error).__name__}: {error}"


def remove_abandoned_snapshots(directory: Path) -> None:
    """The snapshot directories of servers that ended without removing them (killed)."""
    if os.name != "posix":  # where os.kill(pid, 0) only asks whether the process is there
        return
    for path in directory.glob(SNAPSHOTS_PREFIX + "*"):
        pid = path.name[len(SNAPSHOTS_PREFIX):]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except PermissionError:  # another user's live process
            pass


def say(line: str) -> None:
    click.echo(line, err=True)
