"""How the database is published: one set of Datasette settings for the
server (``claimsdb serve``, ``make serve``) and for the tests."""

from __future__ import annotations

import sys
from pathlib import Path

# Explicit limits: a public instance must cut runaway SQL and slow facets.
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 500,
    "max_returned_rows": 1000,
    "max_csv_mb": 100,
    "default_page_size": 50,
    "num_sql_threads": 3,
    "allow_download": True,
    "default_cache_ttl": 60,
    # Facets are chosen in metadata.yml. Suggesting more means a grouping query
    # per column per page, and Datasette 0.65 counts a view's rows for it
    # outside the facet time limit: a view of a million claims then answers
    # 400 (bench/results/serve.md).
    "suggest_facets": False,
}


def datasette_command(db_path: Path, root: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line: immutable database, explicit settings."""
    command = [sys.executable, "-m", "datasette", "serve", "--immutable", str(db_path),
               "--metadata", str(root / "metadata.yml"), "--host", host, "--port", str(port)]
    for option, directory in (("--template-dir", root / "templates"), ("--plugins-dir", root / "plugins")):
        if directory.is_dir():
            command += [option, str(directory)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return command


def make_datasette(db_path: Path, root: Path, **overrides):
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
    )
