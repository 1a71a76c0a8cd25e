"""The command line: ``claimsdb check | build | serve | metadata``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .problems import ProblemsFound

claims_option = click.option(
    "--claims", "claims_dir", default="claims", show_default=True,
    type=click.Path(file_okay=False, path_type=Path), help="Directory of claim files.",
)
db_option = click.option(
    "--db", "db_path", default="claims.db", show_default=True,
    type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to write.",
)


cache_option = click.option(
    "--cache", "cache_dir", default=".claimsdb-cache", show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory keeping what was parsed and validated, keyed by file content, so unchanged files are not parsed again.",
)
no_cache_option = click.option("--no-cache", is_flag=True, help="Parse and validate every file again.")


strict_option = click.option("--strict", is_flag=True, help="Treat warnings (unacknowledged conflicts, declarations the intervals disagree with) as errors.")


def report(problems) -> None:
    """Every problem on its own line, in file and line order."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line, p.message))
    for start in range(0, len(ordered), 1000):  # in batches: one write per line is slow, one for all is big
        click.echo("\n".join(map(str, ordered[start:start + 1000])), err=True)


def load_or_exit(claims_dir: Path, strict: bool = False, stages=None, cache_dir: Path | None = None):
    from .cache import FileCache
    from .load import load_corpus
    from .progress import gc_paused

    try:
        with gc_paused():
            corpus = load_corpus(claims_dir, stages, FileCache(cache_dir) if cache_dir else None)
    except ProblemsFound as found:
        report(found.problems)
        click.echo(f"{len(found.problems)} problem(s); nothing was built.", err=True)
        sys.exit(1)
    report(corpus.warnings)
    if strict and corpus.warnings:
        click.echo(f"{len(corpus.warnings)} warning(s), which --strict treats as errors; nothing was built.", err=True)
        sys.exit(1)
    return corpus


@click.group()
@click.version_option(package_name="claimsdb")
def cli():
    """A provenance-tracking claims database: claim files in, SQLite and Datasette out."""


@cli.command()
@claims_option
@strict_option
@cache_option
@no_cache_option
def check(claims_dir: Path, strict: bool, cache_dir: Path, no_cache: bool):
    """Validate the claim files without building."""
    from .progress import PROGRESS_THRESHOLD, Stages, interactive

    stages = Stages(show=interactive() and estimated_claims(claims_dir) >= PROGRESS_THRESHOLD)
    corpus = load_or_exit(claims_dir, strict, stages, None if no_cache else cache_dir)
    count = sum(1 for _ in corpus.claims())
    warned = f"{len(corpus.warnings)} warning(s)" if corpus.warnings else "no problems"
    click.echo(f"{claims_dir}: {len(corpus.sources)} source(s), {count} claim(s), {len(corpus.relations)} relation(s), {warned}.")


def build_database(claims_dir: Path, db_path: Path, strict: bool = False, cache_dir: Path | None = None, timings: Path | None = None) -> None:
    import json
    import time

    from .db import write_database
    from .progress import PROGRESS_THRESHOLD, Stages, gc_paused, interactive

    start = time.perf_counter()
    stages = Stages(show=interactive() and estimated_claims(claims_dir) >= PROGRESS_THRESHOLD)
    corpus = load_or_exit(claims_dir, strict, stages, cache_dir)
    with gc_paused():
        write_database(corpus, db_path, stages)
    count = sum(1 for _ in corpus.claims())
    click.echo(f"Built {db_path}: {len(corpus.sources)} source(s), {count} claim(s).")
    if timings:
        stages.seconds["total"] = time.perf_counter() - start
        timings.write_text(json.dumps(stages.seconds, indent=2) + "\n", encoding="utf-8")


def estimated_claims(claims_dir: Path) -> int:
    """A cheap guess of the corpus size (about 500 bytes of YAML a claim), to
    decide whether progress bars are worth drawing."""
    return sum(path.stat().st_size for path in claims_dir.glob("*.yml")) // 500 if claims_dir.is_dir() else 0


@cli.command()
@claims_option
@db_option
@strict_option
@cache_option
@no_cache_option
@click.option("--timings", type=click.Path(dir_okay=False, path_type=Path), help="Write the seconds of each stage to this JSON file.")
def build(claims_dir: Path, db_path: Path, strict: bool, cache_dir: Path, no_cache: bool, timings: Path | None):
    """Validate the claim files and build the SQLite database."""
    build_database(claims_dir, db_path, strict, None if no_cache else cache_dir, timings)


@cli.command()
@claims_option
@db_option
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path), help="Directory holding metadata.yml, templates/ and plugins/.")
@cache_option
def serve(claims_dir: Path, db_path: Path, host: str, port: int, root: Path, cache_dir: Path):
    """Build, then serve the database read-only with Datasette."""
    from .serve import datasette_command

    build_database(claims_dir, db_path, cache_dir=cache_dir)
    command = datasette_command(db_path, root, host=host, port=port)
    click.echo(" ".join(command[2:]), err=True)
    os.execv(command[0], command)


@cli.command()
@click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", "only_check", is_flag=True, help="Exit 1 if metadata.yml is stale instead of writing it.")
def metadata(root: Path, only_check: bool):
    """Regenerate the table and column descriptions in metadata.yml from the models."""
    from .metadata import regenerate

    path = root / "metadata.yml"
    current = path.read_text(encoding="utf-8")
    fresh = regenerate(current)
    if only_check:
        if fresh != current:
            click.echo(f"{path}:1: the descriptions are stale — run `claimsdb metadata`", err=True)
            sys.exit(1)
        click.echo(f"{path} is up to date.")
        return
    if fresh != current:
        path.write_text(fresh, encoding="utf-8")
        click.echo(f"Updated {path}.")
    else:
        click.echo(f"{path} is up to date.")


@cli.command()
@click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--check", "only_check", is_flag=True, help="Exit 1 if a schema in schema/ is stale instead of writing it.")
def schema(root: Path, only_check: bool):
    """Write the JSON Schema of every claim file kind to schema/ (from the models)."""
    from .schema import schema_documents, write_schemas

    directory = root / "schema"
    if only_check:
        stale = [name for name, text in schema_documents().items()
                 if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text]
        for name in stale:
            click.echo(f"{directory / name}:1: stale or missing — run `claimsdb schema`", err=True)
        if stale:
            sys.exit(1)
        click.echo(f"{directory} is up to date.")
        return
    for path in write_schemas(directory):
        click.echo(f"Wrote {path}.")
