"""How the database is published: one set of Datasette settings for the
server (``claimsdb serve``, ``make serve``) and for the tests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .files import MAX_FILE_BYTES

# Every setting is explicit: the instance is public, read-only and small,
# and must keep answering whatever anyone sends it.
SETTINGS = {
    # A query that runs longer is interrupted with "SQL query took too long".
    # For one client a page or a query takes 100 ms or less
    # (bench/results/load.md), so 3 s only ever cuts runaway SQL.
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    # Rows in one JSON or HTML response, and in the result of one SQL query.
    # With the widest rows (sources carry their archived text, up to
    # claimsdb.files.MAX_FILE_BYTES) a page stays a bounded size; a whole
    # table is downloaded as a CSV stream, which pages through this limit.
    "max_returned_rows": 1000,
    # A streamed CSV stops at 1 GB: the full CSV of claims with labels is
    # about 480 MB at a million claims (bench/results/serve.md; 100 MB cut
    # it at a fifth), so every full download of a corpus of that size is
    # complete, while no single client can hold a connection streaming
    # without end.
    "max_csv_mb": 1024,
    "default_page_size": 50,
    # Three SQL threads: a runaway query holds one for at most
    # sql_time_limit_ms while the others keep answering.
    "num_sql_threads": 3,
    # The whole SQLite file is the published data: downloading it is meant.
    "allow_download": True,
    "default_cache_ttl": 60,
    # Facets are chosen in metadata.yml. Suggesting more means a grouping query
    # per column per page, and Datasette 0.65 counts a view's rows for it
    # outside the facet time limit: a view of a million claims then answers
    # 400 (bench/results/serve.md).
    "suggest_facets": False,
    # Debugging output that would show internals to anyone: kept off.
    "template_debug": False,
    "trace_debug": False,
}

# The longest string, blob or row any SQL may build (SQLITE_LIMIT_LENGTH, set
# by plugins/sqlite_limits.py): four times the largest archived text the
# build accepts, so every stored row fits with room to combine a few.
MAX_VALUE_BYTES = 2 * MAX_FILE_BYTES


# The server process's ceiling on memory (its address space, RLIMIT_AS). The
# time limit cuts a runaway query after 3 s, but in those seconds one query
# can build gigabytes of values (select hex(zeroblob(1999999)) from claims a,
# claims b reached 3 GB); under the ceiling it fails with MemoryError, which
# plugins/limits.py answers with a clear 400, and the server keeps
# answering. Idle, the server maps about 280 MB; under the load benchmark
# (bench/results/load.md) it stays far below the ceiling.
# CLAIMSDB_MEMORY_LIMIT_MB changes it (0: no ceiling).
MEMORY_LIMIT_MB = 1024
MEMORY_LIMIT_VARIABLE = "CLAIMSDB_MEMORY_LIMIT_MB"


def limit_memory() -> None:
    """Apply the memory ceiling to this process (POSIX only)."""
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


# Where the originals (saved pages, PDFs, captures) are served: a static
# mount of claims/sources/originals/, so the source page links to the
# evidence byte for byte as kept.
ORIGINALS_MOUNT = "originals"


# Where the release's bulk downloads are served: a static mount of the
# directory the build writes beside the database (claimsdb.downloads).
DOWNLOADS_MOUNT = "downloads"


def static_mounts(db_path: Path, claims_dir: Path | None) -> list[tuple[str, str]]:
    """Every static mount of the instance: the originals of ``claims_dir``
    and the downloads of ``db_path``, where they exist."""
    from .downloads import downloads_dir

    mounts = [(ORIGINALS_MOUNT, originals_dir(claims_dir)), (DOWNLOADS_MOUNT, downloads_dir(db_path))]
    return [(mount, str(directory)) for mount, directory in mounts if directory is not None and directory.is_dir()]


def originals_dir(claims_dir: Path | None) -> Path | None:
    directory = claims_dir / "sources" / "originals" if claims_dir is not None else None
    return directory if directory is not None and directory.is_dir() else None


def datasette_command(db_path: Path, root: Path, host: str = "127.0.0.1", port: int = 8001, claims_dir: Path | None = None) -> list[str]:
    """The ``datasette serve`` command line, run under the memory ceiling:
    immutable database, explicit settings, the originals of ``claims_dir``."""
    command = [sys.executable, "-m", "claimsdb.serve", "serve", "--immutable", str(db_path),
               "--metadata", str(root / "metadata.yml"), "--host", host, "--port", str(port)]
    for mount, directory in static_mounts(db_path, claims_dir):
        command += ["--static", f"{mount}:{directory}"]
    for option, directory in (("--template-dir", root / "templates"), ("--plugins-dir", root / "plugins")):
        if directory.is_dir():
            command += [option, str(directory)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return command


def make_datasette(db_path: Path, root: Path, claims_dir: Path | None = None, **overrides):
    """The same instance as ``datasette_command`` builds, in process (for
    tests); ``overrides`` replace settings."""
    import yaml
    from datasette.app import Datasette

    metadata = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        template_dir=str(root / "templates") if (root / "templates").is_dir() else None,
        plugins_dir=str(root / "plugins") if (root / "plugins").is_dir() else None,
        settings={**SETTINGS, **overrides},
        static_mounts=static_mounts(db_path, claims_dir) or None,
    )


if __name__ == "__main__":
    # python -m claimsdb.serve ARGS: `datasette ARGS` under the memory ceiling.
    limit_memory()
    from datasette.cli import cli

    cli(prog_name="datasette")
