"""The command line: ``claimsdb check | build | serve | review | metadata | schema | add-source | locate | suggest | coverage | export``."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .problems import Problem, ProblemsFound, WarningsAsErrors

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


def report(problems, jobs: int = 1) -> None:
    """Every problem on its own line, in file, line and message order,
    worded on ``jobs`` processes (a million claims carry some 470,000
    warnings, each worded only here)."""
    from itertools import groupby

    from .parallel import ordered_map
    from .progress import gc_paused

    def place(problem) -> tuple:
        return problem.path, problem.line

    def worded(batch: list) -> str:
        # Each problem once, however many ways it was found (or sources named
        # twice), a deferred message worded once, not for sorting and again
        # for showing.
        lines = []
        for at_line in batch:
            shown = dict.fromkeys(Problem(p.path, p.line, p.message, p.fix, p.warning) for p in at_line)
            lines += map(str, sorted(shown, key=lambda p: p.message))
        return "\n".join(lines)

    # In batches of lines: one write per line is slow, one for all is big
    # (the messages of a million claims held at once took 230 MB). The
    # collector paused: tens of thousands of new objects beside a corpus of
    # millions would have it scan them all (1.8 s against 0.4 at 100,000 claims).
    with gc_paused():
        at_lines = [list(group) for _, group in groupby(sorted(problems, key=place), key=place)]
        batches = [at_lines[start:start + REPORT_BATCH] for start in range(0, len(at_lines), REPORT_BATCH)]
        with ordered_map(worded, jobs, len(batches), min_items=8) as each:
            for text in each(batches):
                click.echo(text, err=True)


REPORT_BATCH = 500  # lines of the claim files, each with its problems


def refuse(found: ProblemsFound, what_happened: str = "nothing was built.") -> None:
    report(found.problems)
    if isinstance(found, WarningsAsErrors):
        click.echo(f"{len(found.problems)} warning(s), which --strict treats as errors; {what_happened}", err=True)
    else:
        click.echo(f"{len(found.problems)} problem(s); {what_happened}", err=True)
    sys.exit(1)


def load_or_exit(claims_dir: Path, strict: bool = False, stages=None, cache_dir: Path | None = None, full: bool = False, jobs: int | None = None):
    """The checked corpus, its warnings reported; or every problem reported and exit 1."""
    from .parallel import resolve_jobs
    from .pipeline import check as check_corpus

    try:
        checked = check_corpus(claims_dir, jobs=jobs, strict=strict, cache_dir=cache_dir, full=full, stages=stages)
    except ProblemsFound as found:
        refuse(found)
    report(checked.warnings, resolve_jobs(jobs))
    return checked


# A debugging hook for the crash-safety tests, which kill a build running in
# another process: with CLAIMSDB_STOP_AT=<point> (read:<file name> of
# claimsdb.load.load_corpus, one of claimsdb.db.checkpoints(), or
# downloads:<name> of claimsdb.downloads.prepare_downloads) the build stops
# itself (SIGSTOP) at that point, in the process that reaches it, after
# saying so on stderr, so that a test can kill it there.
STOP_AT = "CLAIMSDB_STOP_AT"


def stop_at_requested_point():
    point = os.environ.get(STOP_AT)
    if not point:
        return None

    def stop(name: str) -> None:
        if name == point:
            sys.stderr.write(f"claimsdb: stopped at {name}\n")
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGSTOP)

    return stop


@click.group()
@click.version_option(package_name="claimsdb")
def cli():
    """A provenance-tracking claims database: claim files in, SQLite and Datasette out."""


jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), help="Processes that parse, validate, find candidates and write the downloads (for idle cores; results are the same)  [default: 1]")
full_option = click.option("--full", is_flag=True, help="Parse and validate every file again, refreshing the cache rather than reading it; a build starts from nothing, not from the previous database.")


def progress_stages(claims_dir: Path):
    from .progress import PROGRESS_THRESHOLD, Stages, interactive

    return Stages(show=interactive() and estimated_claims(claims_dir) >= PROGRESS_THRESHOLD)


@cli.command()
@claims_option
@strict_option
@cache_option
@no_cache_option
@full_option
@jobs_option
def check(claims_dir: Path, strict: bool, cache_dir: Path, no_cache: bool, full: bool, jobs: int | None):
    """Validate the claim files without building."""
    checked = load_or_exit(claims_dir, strict, progress_stages(claims_dir), None if no_cache else cache_dir, full, jobs)
    warned = f"{len(checked.warnings)} warning(s)" if checked.warnings else "no problems"
    click.echo(f"{claims_dir}: {checked.sources} source(s), {checked.claims} claim(s), {len(checked.corpus.relations.figures)} figure(s), {checked.relations} relation(s), {warned}.")


def build_database(claims_dir: Path, db_path: Path, strict: bool = False, cache_dir: Path | None = None,
                   timings: Path | None = None, full: bool = False, jobs: int | None = None, downloads: bool = True) -> None:
    """`claimsdb build`: the build API, its problems and warnings reported, exit 1 on problems;
    the release's downloads, written from the new database, put in place
    before it (a failure to write them leaves the previous database and downloads)."""
    import json

    from .parallel import resolve_jobs
    from .pipeline import build as build_corpus

    stages = progress_stages(claims_dir)
    release = Release(db_path, claims_dir, stages, stop_at_requested_point(), resolve_jobs(jobs))
    try:
        built = build_corpus(claims_dir, db_path, full=full, jobs=jobs, strict=strict, cache_dir=cache_dir, stages=stages,
                             checkpoint=stop_at_requested_point(), alongside=release.beside if downloads else None)
    except ProblemsFound as found:
        refuse(found)
    except DownloadsFailed as failed:
        click.echo(str(failed), err=True)
        sys.exit(1)
    report(built.warnings, resolve_jobs(jobs))
    if built.full_because is not None:
        how = f"a full build, because {built.full_because}"
    elif built.read_again:
        how = f"from the previous build, {len(built.read_again)} source(s) read again"
    else:
        how = "unchanged: no file changed since the previous build"
    click.echo(f"Built {db_path}: {built.sources} source(s), {built.claims} claim(s) ({how}).")
    if downloads:
        if release.written is None:  # nothing was built (nothing changed): the downloads of the database there
            try:
                with release.beside(db_path):
                    pass
            except DownloadsFailed as failed:
                click.echo(str(failed), err=True)
                sys.exit(1)
        written, copied = release.written["chunks"]["written"], release.written["chunks"]["copied"]
        how = f"{written} of {written + copied} chunk(s) written, the others copied from the previous downloads" if copied else f"{written} chunk(s) written"
        click.echo(f"Release {release.written['id'][:12]}: downloads in {release.directory} ({how}).")
    if timings:
        timings.write_text(json.dumps(built.seconds, indent=2) + "\n", encoding="utf-8")


class DownloadsFailed(Exception):
    """The downloads could not be written; the message is the line to show."""


class Release:
    """The downloads of a build, written from its new database (before it
    is renamed over the previous one, which they name as the previous release)."""

    def __init__(self, db_path: Path, claims_dir: Path, stages, stop, jobs: int = 1):
        from .downloads import downloads_dir

        self.db_path, self.claims_dir, self.stages, self.jobs = db_path, claims_dir, stages, jobs
        self.stop = stop or (lambda name: None)
        self.directory = downloads_dir(db_path)
        self.written: dict | None = None

    @contextmanager
    def beside(self, new_db: Path):
        from .downloads import installed, prepare_downloads
        from .files import display_path

        try:
            with self.stages.stage("downloads"):
                work, release = prepare_downloads(new_db, self.directory, claims_dir=self.claims_dir,
                                                  previous_db=self.db_path if self.db_path.is_file() else None, jobs=self.jobs,
                                                  checkpoint=self.stop)
        except (OSError, sqlite3.Error) as error:
            raise DownloadsFailed(f"{display_path(self.directory)}:1: cannot be written ({error}) — check that the directory is writable "
                                  f"and has room; {display_path(self.db_path)} and its downloads are as they were") from None
        self.stop("downloads")
        with installed(work, self.directory):
            yield
        self.written = release


def estimated_claims(claims_dir: Path) -> int:
    """A cheap guess of the corpus size (about 500 bytes of YAML a claim), to
    decide whether progress bars are worth drawing."""
    from .load import source_file_paths

    def size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:  # a link to nothing, or a loop: the build says so
            return 0

    return sum(map(size, source_file_paths(claims_dir))) // 500 if claims_dir.is_dir() else 0


@cli.command()
@claims_option
@db_option
@strict_option
@cache_option
@no_cache_option
@full_option
@jobs_option
@click.option("--timings", type=click.Path(dir_okay=False, path_type=Path), help="Write the seconds of each stage to this JSON file.")
@click.option("--downloads/--no-downloads", default=True, show_default=True,
              help="Write the release's bulk downloads (CSV, Parquet, Web Annotations, manifest) beside the database.")
def build(claims_dir: Path, db_path: Path, strict: bool, cache_dir: Path, no_cache: bool, full: bool, jobs: int | None,
          timings: Path | None, downloads: bool):
    """Validate the claim files and build the SQLite database and its downloads."""
    build_database(claims_dir, db_path, strict, None if no_cache else cache_dir, timings, full, jobs, downloads)


@cli.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(old: Path, new: Path, as_json: bool):
    """List the claims added, changed and withdrawn from release OLD.db to NEW.db."""
    import json

    from .downloads import diff as diff_claims
    from .downloads import format_diff

    try:
        changes = diff_claims(old, new)
    except sqlite3.Error as error:
        click.echo(f"{old} or {new}: not a claims database ({error}) — give two files built by claimsdb build.", err=True)
        sys.exit(1)
    click.echo(json.dumps(changes, indent=2, ensure_ascii=False) if as_json else format_diff(changes))


@cli.command()
@claims_option
@db_option
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", default=8001, show_default=True, type=int)
@click.option("--root", default=".", type=click.Path(file_okay=False, path_type=Path), help="Directory holding metadata.yml, templates/ and plugins/.")
@click.option("--setting", "settings", nargs=2, multiple=True, metavar="NAME VALUE",
              help="A Datasette setting over claimsdb's own (behind an https proxy: --setting force_https_urls 1).")
@cache_option
def serve(claims_dir: Path, db_path: Path, host: str, port: int, root: Path, settings, cache_dir: Path):
    """Build, then serve the database read-only with Datasette, following
    every later `claimsdb build` of it."""
    from .serve import CannotListen, listening_socket, server_command

    if settings:  # checked as Datasette checks them, before the build
        from datasette.cli import Setting

        for setting in settings:
            Setting().convert(setting, None, None)
    try:  # before the build, which takes a while: a port in use is found at once
        listening_socket(host, port).close()
    except CannotListen as problem:
        click.echo(str(problem), err=True)
        sys.exit(1)
    build_database(claims_dir, db_path, cache_dir=cache_dir)
    command = server_command(db_path, root, host=host, port=port, settings=settings, claims_dir=claims_dir)
    click.echo(" ".join(["python", *command[1:]]), err=True)
    os.execv(command[0], command)  # a fresh process: the build's memory is not the server's


@cli.command()
@claims_option
@cache_option
@no_cache_option
@click.option("--strict", is_flag=True, help="Exit 1 while anything is left to review.")
def review(claims_dir: Path, cache_dir: Path, no_cache: bool, strict: bool):
    """List the detected conflicts no editor has acknowledged, once per pair of figures, side by side."""
    from .pipeline import check as check_corpus
    from .review import pending_pairs, render

    try:
        corpus = check_corpus(claims_dir, cache_dir=None if no_cache else cache_dir).corpus
    except ProblemsFound as found:
        report(found.problems)
        click.echo(f"{len(found.problems)} problem(s); nothing to review until they are fixed.", err=True)
        sys.exit(1)
    pending = pending_pairs(corpus)
    click.echo(render(corpus, pending), nl=False)
    if strict and pending:
        sys.exit(1)


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
    from .jsonschemas import schema_documents, write_schemas

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


def report_problems(problems, what_happened: str) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s); {what_happened}", err=True)
    sys.exit(1)


def source_id_of(argument: str) -> str:
    """A source is named by its id, or by the path of its .yml or archive."""
    return Path(argument).stem if argument.endswith((".yml", ".txt")) or "/" in argument else argument


def corpus_source(corpus, claims_dir: Path, argument: str):
    from .files import display_path

    source_id = source_id_of(argument)
    for source in corpus.sources:
        if source.id == source_id:
            return source
    known = ", ".join(source.id for source in corpus.sources) or "none yet"
    report_problems([Problem(display_path(claims_dir / f"{source_id}.yml"), 1, f"no source `{source_id}` in {claims_dir}",
                             f"name a source by its id (sources: {known}), or add it with `claimsdb add-source`")], "nothing to show.")


@cli.command("add-source")
@claims_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "source_id", help="Id of the new source, a lower-case slug; default: the publisher, the date and the first six words of the title that are not articles or prepositions.")
@click.option("--title", help="Title of the document as published; default for a page or PDF: the title it gives itself.")
@click.option("--url", help="Address the document was published at; default for a page: its canonical address; for a capture: the address of the response read (give it to choose one).")
@click.option("--publisher", help="Id of the agent that published it (in agents.yml).")
@click.option("--published", help="Publication date at the precision the document gives: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--retrieved", help="When the copy was retrieved: YYYY, YYYY-MM or YYYY-MM-DD; default for a capture: the date of its response record.")
@click.option("--published-not-before", help="When only bounds are known: the earliest the document can have been published ('after July 2022': 2022-08).")
@click.option("--published-not-after", help="When only bounds are known: the latest the document can have been published.")
@click.option("--undated", is_flag=True, help="The document carries no publication date.")
@click.option("--archived-url", help="Address of an independent archived copy (a web-archive snapshot).")
@click.option("--credited-to", multiple=True, help="Id of an agent the document credits as its author or origin; repeat for several, in the document's order.")
@click.option("--host", help="Id of the agent whose site carries the copy archived, when it is not the publisher (an archive or mirror site).")
@click.option("--hosted", help="When the host put up its copy: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--language", help="Language of the text, a BCP 47 tag ('en').")
def add_source_command(claims_dir: Path, files: tuple, source_id, title, url, publisher, published, retrieved, published_not_before,
                       published_not_after, undated, archived_url, credited_to, host, hosted, language):
    """Archive each FILE and write its source file with no claims yet.

    FILE is a plain text (archived byte for byte), a saved web page (.html,
    .htm), a PDF, or a web-archive capture (.warc, .warc.gz, .wacz): the
    original is kept byte for byte under claims/sources/originals/ and its
    working text, extracted with trafilatura, pypdfium2 or warcio, is archived
    as the text quotes are anchored in. Several files are archived all or none."""
    from .addsource import add_sources
    from .files import display_path

    options = {"id": source_id, "title": title, "url": url, "publisher": publisher, "published": published,
               "retrieved": retrieved, "credited_to": (credited_to[0] if len(credited_to) == 1 else list(credited_to)) or None,
               "host": host, "hosted": hosted, "published_not_before": published_not_before, "published_not_after": published_not_after,
               "undated": True if undated else None, "archived_url": archived_url, "language": language}
    try:
        prepared = add_sources(list(files), claims_dir, options)
    except ProblemsFound as found:
        report_problems(found.problems, "nothing was written.")
    for each in prepared:
        if each.original is not None:
            click.echo(f"Kept the original {display_path(each.original)} (SHA-256 {each.original_sha}).")
        for note in each.notes:
            click.echo(f"  {note}")
        click.echo(f"Archived {display_path(each.archive)} (SHA-256 {each.sha}).")
        for warning in each.warnings:
            click.echo(f"warning: {display_path(each.archive)}: {warning} — compare it with the original; the extraction may have cut the document short", err=True)
        click.echo(f"Wrote {display_path(each.yml)}. Next: claimsdb suggest {each.yml.stem}")


@cli.command("add-agent")
@claims_option
@click.argument("agent_id", metavar="ID")
@click.option("--name", help="The agent's name as commonly written.")
@click.option("--kind", help="person, organisation, government-body, intergovernmental-body, ngo, media-outlet, court or unnamed-group.")
@click.option("--alias", "aliases", multiple=True, help="Another name the sources use for the agent; repeat for several.")
@click.option("--description", help="A neutral one-line description.")
@click.option("--affiliation", "affiliations", multiple=True, help="AGENT:ROLE, an agent this one belongs to or is aligned with ('ncri:member of'); repeat for several.")
def add_agent_command(claims_dir: Path, agent_id: str, name, kind, aliases, description, affiliations):
    """Add the agent ID (a lower-case slug) to agents.yml, checked like every other agent."""
    from .addagent import add_agent
    from .files import display_path

    try:
        path = add_agent(claims_dir, agent_id, name, kind, list(aliases), description, list(affiliations))
    except ProblemsFound as found:
        report_problems(found.problems, "nothing was written.")
    click.echo(f"Added `{agent_id}` to {display_path(path)}.")


@cli.command()
@claims_option
@click.argument("source")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--apply", "apply_moves", is_flag=True, help="Make FILE the source's current capture: moved quotes anchor in it, the others stay anchored in the old capture (kept as a revision).")
@click.option("--url", help="For a capture: the address whose response to read (default: the source's url).")
@click.option("--retrieved", help="When FILE was retrieved: YYYY, YYYY-MM or YYYY-MM-DD (a capture gives its own date).")
def reanchor(claims_dir: Path, source: str, file: Path, apply_moves: bool, url: str | None, retrieved: str | None):
    """Locate every quote of SOURCE in FILE, a newer capture of the same document (text, page, PDF or capture).

    Each quote is `moved` (found exactly, as unique as before), `proposed`
    (candidate passages with their similarity and the margin to the next), or
    `orphaned`. Nothing is changed without --apply, which applies only the moves."""
    from . import originals
    from .addsource import working_text
    from .files import display_path
    from .model import validate_partial_date
    from .quotes import decode_archive
    from .reanchor import anchorings, apply, describe

    corpus = load_or_exit(claims_dir).corpus
    found = corpus_source(corpus, claims_dir, source)
    shown = display_path(file)
    problems: list = []
    if not file.is_file():
        report_problems([Problem(shown, 1, "the file does not exist", "give the path of the newer capture (text, .html, .pdf, .warc, .warc.gz, .wacz)")], "nothing was changed.")
    data, extraction, original_bytes = working_text(file, shown, {"url": url or found.url}, problems)
    text = None
    if data is not None:
        text, what, fix = decode_archive(data, shown)
        if text is None:
            problems.append(Problem(shown, 1, what, fix))
    if retrieved is not None:
        try:
            validate_partial_date(retrieved)
        except ValueError as error:
            what, _, fix = str(error).partition(" — ")
            problems.append(Problem(shown, 1, f"--retrieved: {what}", fix))
    if problems:
        report_problems(problems, "nothing was changed.")
    if data == corpus.texts[found.id].encode("utf-8"):
        report_problems([Problem(shown, 1, f"this capture gives the same text as {found.archive}", "nothing to reanchor: every quote stands where it stood")], "nothing was changed.")
    results = anchorings(corpus, found, text)
    path = display_path(claims_dir / f"{found.id}.yml")
    where = corpus.where[("source", found.id)][0]
    for result in results:
        keys = ("claims", result.index) if result.what == "claim" else ("not_claims", result.index)
        lines = describe(result, text)
        click.echo(f"{path}:{where.line_of(*keys)}: {lines[0]}")
        for line in lines[1:]:
            click.echo(line)
    counts = {status: sum(1 for r in results if r.status == status) for status in ("moved", "proposed", "orphaned")}
    summary = f"{counts['moved']} moved, {counts['proposed']} proposed, {counts['orphaned']} orphaned"
    if not apply_moves:
        click.echo(f"{summary}. Nothing was changed: run again with --apply to make {shown} the current capture (only the moves are applied).")
        return
    prepared = (data, extraction, original_bytes, originals.extension_of(file.name).lower())
    try:
        yml, dropped = apply(corpus, found, results, prepared, retrieved or (extraction.retrieved if extraction else None))
    except ProblemsFound as failed:
        report_problems(failed.problems, "nothing was changed.")
    for text_dropped in dropped:
        click.echo(f"warning: {path}: the not-a-claim mark {text_dropped!r} was removed: its words are not in the new capture as they were", err=True)
    kept = sum(1 for r in results if r.what == "claim" and r.status != "moved")
    click.echo(f"{summary}. Applied: {display_path(yml)} now has {shown} as its current capture, the old one kept as revision {len(found.revisions) + 1}; "
               f"{counts['moved']} quote(s) moved, {kept} claim(s) still anchored in the old capture (`revision: {len(found.revisions) + 1}`) for an editor to decide.")


@cli.command("verify-sources")
@claims_option
@click.argument("sources", nargs=-1)
def verify_sources(claims_dir: Path, sources: tuple):
    """Extract the working text of every original again (or of SOURCES) and report any the recorded extractor no longer reproduces."""
    from .originals import verify_source

    corpus = load_or_exit(claims_dir).corpus
    chosen = [corpus_source(corpus, claims_dir, s) for s in sources] if sources else sorted(corpus.sources, key=lambda s: s.id)
    with_original = [source for source in chosen if source.original is not None or any(r.original for r in source.revisions)]
    problems = []
    for source in with_original:
        problems += verify_source(claims_dir, source, corpus.where[("source", source.id)][0], corpus.texts[source.id],
                                  revision_texts=corpus.revision_texts)
    if problems:
        report_problems(problems, f"{len(with_original)} original(s) extracted again.")
    from .originals import installed_extractor

    for source in with_original:
        if source.original is not None and source.extractor != installed_extractor(source.original_format, source.extractor):
            click.echo(f"note: {source.id} was extracted by {source.extractor}; {installed_extractor(source.original_format, source.extractor)} gives the same text", err=True)
    click.echo(f"{claims_dir}: {len(with_original)} original(s) extracted again, each giving its archived text; "
               f"{len(chosen) - len(with_original)} source(s) archived as text, with no original to extract.")


@cli.command()
@claims_option
@click.argument("source")
@click.argument("words")
def locate(claims_dir: Path, source: str, words: str):
    """Every place WORDS occur in the archived text of SOURCE, with the exact text to paste into `quote:`."""
    from . import quotes
    from .folding import KINDS, differences, in_words
    from .files import display_path
    from .load import read_file, source_file_paths
    from .yamlfile import yaml_quoted

    source_id = source_id_of(source)
    path = claims_dir / f"{source_id}.yml"
    problems: list = []
    if not path.is_file():
        known = ", ".join(p.stem for p in source_file_paths(claims_dir)) or "none yet"
        report_problems([Problem(display_path(path), 1, f"no source `{source_id}` in {claims_dir}", f"name a source by its id (sources: {known})")], "nothing to show.")
    parsed = read_file(path, problems, claims_dir)
    if parsed is None:
        report_problems(problems, "nothing to show.")
    archive = parsed.data.get("archive")
    if not isinstance(archive, str):
        report_problems([Problem(display_path(path), parsed.line_of(("archive",)), "the source file names no archive", "add `archive: sources/<id>.txt`")], "nothing to show.")
    data, what, fix = quotes.archive_problem(claims_dir, archive)
    text = None
    if data is not None:
        text, what, fix = quotes.decode_archive(data, archive)
    if text is None:
        report_problems([Problem(display_path(path), parsed.line_of(("archive",)), what, fix)], "nothing to show.")
    shown = display_path(claims_dir / archive)
    if not words.strip():
        report_problems([Problem(shown, 1, "no words to locate", "give the words to look for, in quotes")], "nothing to show.")
    hits = quotes.find_words(text, words)
    if not hits:
        report_problems([Problem(shown, 1, f"{words!r} does not occur, even with typography, letter forms and case folded",
                                 "check the words, or locate a shorter part of them")], "nothing found.")
    # "typography" alone says it briefly, as before Arabic script was folded.
    folded_away = [p for p in differences(words, hits[0].words(text)) if p != KINDS["typography"]]
    how = "exactly" if hits[0].exact else f"only with {in_words(['typography', *folded_away, 'case'])} folded"
    click.echo(f"{shown}: {len(hits)} place(s), matched {how}:")
    for hit in hits:
        # Forty characters each side, cut at a space so no word is broken.
        before = text[max(0, hit.start - 40):hit.start]
        before = before.split(" ", 1)[-1] if hit.start > 40 and " " in before else before
        after = text[hit.end:hit.end + 40]
        after = after.rsplit(" ", 1)[0] if hit.end + 40 < len(text) and " " in after else after
        context = " ".join(f"…{before}»{hit.words(text)}«{after}…".replace("\n", " ⏎ ").split(" "))
        click.echo(f"\n{shown}:{quotes.line_number(text, hit.start)}:")
        click.echo(f"  {context}")
        click.echo(f"  quote: {yaml_quoted(hit.words(text))}")
        if hit.of > 1:
            click.echo(f"  occurrence: {hit.occurrence}")


@cli.command()
@claims_option
@click.argument("source")
def suggest(claims_dir: Path, source: str):
    """Claim stubs for every candidate expression in SOURCE that no claim covers yet (prints; writes nothing)."""
    from .files import display_path
    from .suggest import suggestions

    corpus = load_or_exit(claims_dir).corpus
    found = corpus_source(corpus, claims_dir, source)
    stubs = suggestions(corpus, found)
    path = display_path(claims_dir / f"{found.id}.yml")
    if not stubs:
        click.echo(f"# {path}: every candidate expression is covered by a claim or marked as not a claim.")
        return
    click.echo(f"# {path}: {len(stubs)} candidate expression(s) no claim covers yet.")
    click.echo("# Each stub is a proposal: check every field against the archived text, replace each TODO,")
    click.echo("# lengthen the quote until it carries the whole claim, then paste the stub under `claims:`.")
    click.echo("# Words that carry no claim go under `not_claims:` with the reason instead.\n")
    click.echo("\n\n".join(stubs))


@cli.command()
@claims_option
@click.argument("sources", nargs=-1)
@click.option("--strict", is_flag=True, help="Exit 1 when any candidate expression is uncovered.")
def coverage(claims_dir: Path, sources: tuple, strict: bool):
    """Per source: candidate expressions found, how many claims cover, how many are marked not a claim, and each uncovered one."""
    from .coverage import NOT_A_CLAIM, UNCOVERED, Summary, source_coverage, summarise
    from .files import display_path
    from .quotes import line_number

    corpus = load_or_exit(claims_dir).corpus
    chosen = list({id(found): found for found in (corpus_source(corpus, claims_dir, s) for s in sources)}.values()) if sources else sorted(corpus.sources, key=lambda s: s.id)
    totals = [0, 0, 0]
    for source in chosen:
        text = corpus.texts[source.id]
        results = source_coverage(corpus, source)
        summary = summarise(source.id, results)
        totals = [totals[0] + summary.candidates, totals[1] + summary.claims, totals[2] + summary.not_claims]
        click.echo(f"{source.id}: {summary.candidates} candidate expression(s): {summary.claims} covered by claims, "
                   f"{summary.not_claims} marked not a claim, {summary.uncovered} uncovered — {summary.percent:g}%")
        archive = display_path(claims_dir / source.archive)
        for result in results:
            if result.status in (UNCOVERED, NOT_A_CLAIM):
                candidate = result.candidate
                why = f"not a claim: {result.reason}" if result.status == NOT_A_CLAIM else "UNCOVERED in: " + " ".join(candidate.sentence(text).split())
                click.echo(f"  {archive}:{line_number(text, candidate.start)}: {candidate.category} {' '.join(candidate.text.split())!r} — {why}")
    total = Summary("all", *totals)
    click.echo(f"All: {total.candidates} candidate expression(s): {total.claims} covered by claims, {total.not_claims} marked not a claim, "
               f"{total.uncovered} uncovered — {total.percent:g}%")
    if strict and total.uncovered:
        click.echo(f"{total.uncovered} uncovered candidate expression(s), which --strict treats as errors: run `claimsdb suggest SOURCE`.", err=True)
        sys.exit(1)


@cli.command()
@db_option
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export(db_path: Path, directory: Path):
    """Write the database back to claim files in DIRECTORY (agents.yml, subjects.yml, measures.yml, one file per source, sources/)."""
    from .export import export_database, missing_contract
    from .files import display_path

    if not db_path.is_file():
        report_problems([Problem(display_path(db_path), 1, "the database does not exist", "run `claimsdb build` first, or give --db")], "nothing was written.")
    missing = missing_contract(db_path)
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        report_problems([Problem(display_path(db_path), 1, f"the database lacks {shown} of the SQL contract (not a claims.db, or built by an older claimsdb)",
                                 "run `claimsdb build` to rebuild it from the claim files")], "nothing was written.")
    if directory.exists() and any(directory.iterdir()):
        report_problems([Problem(display_path(directory), 1, "the directory is not empty", "export into a new or empty directory; export never overwrites claim files")], "nothing was written.")
    moved = export_database(db_path, directory)
    for note in moved:
        click.echo(f"warning: {note}", err=True)
    count = len(list(directory.glob("*.yml")))
    click.echo(f"Wrote {count} claim file(s) and their archives to {display_path(directory)}.")
