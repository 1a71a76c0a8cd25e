"""The server (``claimsdb serve``, ``make serve``): a process of its own,
under a memory ceiling, listening on one address and serving each build of
claims.db as it replaces the last (claimsdb.follow) in the published
instance (claimsdb.instance)."""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

# The server process's ceiling on memory (its address space, RLIMIT_AS). The
# time limit cuts a runaway query after 3 s, but in those seconds one query
# can build gigabytes of values (select hex(zeroblob(1999999)) from claims a,
# claims b reached 3 GB); under the ceiling it fails with MemoryError, which
# plugins/limits.py answers with a clear 400, and the server keeps
# answering. Idle, the server maps about 165 MB (with two malloc arenas,
# below); under the load benchmark
# (bench/results/load.md) it stays far below the ceiling.
# CLAIMSDB_MEMORY_LIMIT_MB changes it (0: no ceiling).
MEMORY_LIMIT_MB = 1024
MEMORY_LIMIT_VARIABLE = "CLAIMSDB_MEMORY_LIMIT_MB"


def limit_memory() -> None:
    """Apply the memory ceiling to this process (POSIX only)."""
    few_malloc_arenas()
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: no ceiling
        return
    megabytes = int(os.environ.get(MEMORY_LIMIT_VARIABLE, MEMORY_LIMIT_MB))
    if megabytes <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


# glibc's malloc gives threads arenas of their own, up to eight per core, and
# each reserves 64 MB of address space, which the ceiling counts though
# little of it is used. The server starts threads with every build it
# serves (claimsdb.follow): with the default, 15 rebuilds took its address
# space from 430 MB to 800 MB, close to the ceiling; with two arenas it
# stays near 210 MB.
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


def few_malloc_arenas() -> None:
    """Limit glibc's malloc to MALLOC_ARENAS arenas (elsewhere: nothing to do)."""
    import ctypes
    import ctypes.util

    if sys.platform != "linux" or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):  # not glibc (musl has no arenas)
        pass


def server_command(db_path: Path, root: Path, host: str = "127.0.0.1", port: int = 8001, settings=(),
                   claims_dir: Path | None = None) -> list[str]:
    """The server's command line (``python -m claimsdb.serve``): a process of
    its own, so the memory ceiling counts only what serving takes.
    ``settings``: (name, value) pairs of Datasette settings over claimsdb.instance.SETTINGS;
    ``claims_dir``: the originals of its sources are served too."""
    command = [sys.executable, "-m", "claimsdb.serve", str(db_path), "--root", str(root), "--host", host, "--port", str(port)]
    if claims_dir is not None:
        command += ["--claims", str(claims_dir)]
    for name, value in settings:
        command += ["--setting", name, str(value)]
    return command


# Host and port ---------------------------------------------------------------


class CannotListen(Exception):
    """Why the server cannot listen on a host and port, as one line."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (as uvicorn binds one), or CannotListen
    saying what to do."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            other = free_port_after(host, family, port)
            raise CannotListen(f"{shown}: the port is in use (another server?) — stop it, or serve on another port: "
                               f"make serve PORT={other} (claimsdb serve --port {other})") from None
        if error.errno == errno.EACCES:
            raise CannotListen(f"{shown}: not allowed to listen on port {port} — choose a port above 1023: make serve PORT=8001 (claimsdb serve --port 8001)") from None
        reason = error.strerror or str(error)
        raise CannotListen(f"{shown}: cannot listen there ({reason}) — choose an address of this machine: "
                           f"make serve HOST=127.0.0.1 (claimsdb serve --host 127.0.0.1)") from None
    return sock


def free_port_after(host: str, family: int, port: int) -> int:
    """The first port after ``port`` that is free now (the next one if none is near)."""
    for candidate in range(port + 1, min(port + 50, 65536)):
        with socket.socket(family) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return port + 1


def serve(db_path: Path, root: Path, host: str, port: int, settings: dict | None = None, claims_dir: Path | None = None) -> None:
    """Serve db_path and each build that replaces it (claimsdb.follow) on
    host:port until interrupted. Exits 1 with one line when it cannot."""
    import asyncio

    import click

    from .follow import Unservable

    try:
        sock = listening_socket(host, port)
        asyncio.run(serve_on(sock, db_path, root, settings or {}, claims_dir))
    except (CannotListen, Unservable) as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)
    except KeyboardInterrupt:  # uvicorn stops cleanly on Ctrl-C, then raises it again
        pass


async def serve_on(sock: socket.socket, db_path: Path, root: Path, settings: dict, claims_dir: Path | None) -> None:
    import click
    import uvicorn

    from .follow import Follower

    follower = Follower(db_path, root, settings, claims_dir)
    await follower.start()  # before listening: a file that cannot be served is one line
    config = uvicorn.Config(follower, log_level="info", lifespan="on")
    host, port = sock.getsockname()[:2]
    click.echo(f"Serving on http://{f'[{host}]' if ':' in host else host}:{port}/ (Ctrl-C to stop)", err=True)
    await uvicorn.Server(config).serve(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    """python -m claimsdb.serve DB [--root DIR] [--host HOST] [--port PORT] [--setting NAME VALUE]..."""
    import click

    limit_memory()  # before Datasette is imported: the ceiling covers all of it
    from datasette.cli import Setting

    @click.command(help=serve.__doc__)
    @click.argument("db_path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path), help="Directory holding metadata.yml, templates/ and plugins/.")
    @click.option("-h", "--host", default="127.0.0.1", show_default=True)
    @click.option("-p", "--port", default=8001, show_default=True, type=int)
    @click.option("--setting", "settings", type=Setting(), multiple=True, help="A Datasette setting over claimsdb's own: --setting NAME VALUE.")
    @click.option("--claims", "claims_dir", type=click.Path(file_okay=False, path_type=Path), help="Directory of claim files, whose originals are served.")
    def command(db_path: Path, root: Path, host: str, port: int, settings, claims_dir: Path | None):
        serve(db_path, root, host, port, dict(settings), claims_dir)

    command(argv, prog_name="python -m claimsdb.serve")


if __name__ == "__main__":
    main()
