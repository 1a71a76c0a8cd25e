"""The command line: ``claimsdb check | build | serve | metadata``."""

from __future__ import annotations

import os
import sqlite3
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


strict_option = click.option("--strict", is_flag=True, help="Treat warnings (unacknowledged conflicts, declarations the intervals disagree with) as errors.")


def load_or_exit(claims_dir: Path, strict: bool = False):
    from .load import load_corpus

    try:
        corpus = load_corpus(claims_dir)
    except ProblemsFound as found:
        for problem in found.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(found.problems)} problem(s); nothing was built.", err=True)
        sys.exit(1)
    for warning in sorted(corpus.warnings):
        click.echo(str(warning), err=True)
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
def check(claims_dir: Path, strict: bool):
    """Validate the claim files without building."""
    corpus = load_or_exit(claims_dir, strict)
    count = sum(1 for _ in corpus.claims())
    warned = f"{len(corpus.warnings)} warning(s)" if corpus.warnings else "no problems"
    click.echo(f"{claims_dir}: {len(corpus.sources)} source(s), {count} claim(s), {len(corpus.relations)} relation(s), {warned}.")


def build_database(claims_dir: Path, db_path: Path, strict: bool = False) -> None:
    from .db import write_database

    corpus = load_or_exit(claims_dir, strict)
    try:
        write_database(corpus, db_path)
    except (OSError, sqlite3.Error) as error:
        click.echo(f"{db_path}: cannot be written ({error}) — check that its directory exists and is writable; nothing was built.", err=True)
        sys.exit(1)
    count = sum(1 for _ in corpus.claims())
    click.echo(f"Built {db_path}: {len(corpus.sources)} source(s), {count} claim(s).")


@cli.command()
@claims_option
@db_option
@strict_option
def build(claims_dir: Path, db_path: Path, strict: bool):
    """Validate the claim files and build the SQLite database."""
    build_database(claims_dir, db_path, strict)


@cli.command()
@claims_option
@db_option
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path), help="Directory holding metadata.yml, templates/ and plugins/.")
def serve(claims_dir: Path, db_path: Path, host: str, port: int, root: Path):
    """Build, then serve the database read-only with Datasette."""
    from .serve import datasette_command

    build_database(claims_dir, db_path)
    command = datasette_command(db_path, root, host=host, port=port)
    click.echo(" ".join(["python", *command[1:]]), err=True)
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
