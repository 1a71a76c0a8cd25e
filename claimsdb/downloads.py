"""Bulk downloads and the release they make: written by the build beside the
database (``downloads/`` next to ``claims.db``) and served as static files.

- ``csv/<table>.csv.gz``: every table as CSV (RFC 4180, UTF-8, a header
  row) in primary-key order, gzipped one member a chunk of rows
  (claimsdb.chunks) without a timestamp, so the same rows give the same
  bytes; the views are queries, served live, not files;
- ``parquet/<table>.parquet``: the same rows as Parquet (pyarrow), typed from
  the SQLite columns;
- ``texts/<source>.txt``: each archived text byte for byte, the text every
  quote position indexes into;
- ``annotations.jsonld``: every claim as a W3C Web Annotation (JSON-LD): its
  quote in the archived text (TextQuoteSelector with prefix and suffix,
  TextPositionSelector) and in the source's own address, the claim as body;
- ``release.json``: the release: an id that is the SHA-256 of the content of
  every table (not of the build's date or machine), the build date and the
  git commit the claim files were built from;
- ``changes.json``: the claims added, changed, withdrawn and removed since the
  previous build (``claimsdb diff OLD.db NEW.db`` says the same of any two);
- ``chunks.json``: where each chunk of each table's CSV and of the
  annotations is, for the next downloads to copy;
- ``manifest.json``: every file above with its size and SHA-256; for each
  table and the annotations the hash of the content they were written from
  (``contents``); and the build key of the database they were written from
  (``database``).

The downloads are incremental. A file whose content hash is the one the
downloads on disk were written from is taken from them (hard-linked), not
written again. When the database was built incrementally from the one the
downloads on disk were written from, its record of the rows it changed
(claimsdb.incremental.changes_since) says which chunks to write; the others
are copied. What results is byte for byte what writing every file from
nothing gives.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

from .chunks import ChunkedFile, Recorded, chunked, patch
from .incremental import build_key, changes_since, temporary_ids
from .parallel import ordered_map
from .tables import TABLES

DIRECTORY = "downloads"
BATCH = 10_000
# Columns that say where a claim stands in its file, not what it claims: a
# claim added above another moves it without changing it.
NOT_CONTENT = {"path", "line"}
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ANNOTATIONS = "annotations.jsonld"


def downloads_dir(db_path: Path) -> Path:
    """Where the build writes the downloads of ``db_path``: beside it."""
    return Path(db_path).parent / DIRECTORY


def public_names() -> list[str]:
    return [table.name for table in TABLES]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# CSV and Parquet ------------------------------------------------------------------


def write_table(conn: sqlite3.Connection, name: str, csv_path: Path, parquet_path: Path,
                previous: "PreviousTable | None" = None) -> tuple[dict, int]:
    """The table as gzipped CSV, one gzip member a chunk (claimsdb.chunks),
    and as Parquet, from one pass over its rows in key order; with
    ``previous`` (the table's files in the previous downloads and the keys
    of the rows changed since), only the chunks a changed row falls in are
    read and written, the others copied. Returns the table's entry in the
    manifest's contents (the digest of its CSV, claimsdb.chunks.ChunkedFile.digest,
    its rows and its chunks) and how many chunks were written, not copied."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(conn, name)
    columns = [field.name for field in schema]
    keys = next(table for table in TABLES if table.name == name).key_columns
    order = ", ".join(f'"{key}"' for key in keys)
    at = [columns.index(key) for key in keys]

    def key_of(row: tuple) -> tuple:
        return tuple(row[index] for index in at)

    def batch_of(rows: list):
        return pa.record_batch([arrow_array(values, field.type) for values, field in zip(zip(*rows), schema)], schema=schema)

    with open(csv_path, "wb") as raw, pq.ParquetWriter(parquet_path, schema, compression="zstd") as parquet:
        out = ChunkedFile(raw, gzipped)
        out.head(csv_text([columns]))
        if previous is None:
            pending: list = []
            for chunk in chunked(each_row(conn.execute(f'select * from "{name}" order by {order}')), key_of):
                out.write(key_of(chunk[0]), key_of(chunk[-1]), len(chunk), csv_text(chunk))
                pending.extend(chunk)
                while len(pending) >= BATCH:
                    parquet.write_batch(batch_of(pending[:BATCH]))
                    del pending[:BATCH]
            if pending:
                parquet.write_batch(batch_of(pending))
        else:
            old_rows = pq.read_table(previous.parquet_path)
            if old_rows.schema != schema:
                raise NotPatchable(f"{name}: the columns changed")
            pieces = []

            def rows_in(after: tuple | None, through: tuple | None) -> list:
                where, values = key_range(order, len(keys), after, through)
                return conn.execute(f'select * from "{name}" where {where} order by {order}', values).fetchall()

            with open(previous.csv_path, "rb") as handle:
                patch(out, Recorded(handle, previous.chunks), previous.changed, rows_in, key_of, lambda rows, first: csv_text(rows),
                      copied=lambda row, rows: pieces.append(old_rows.slice(row, rows)),
                      read=lambda rows: pieces.append(pa.Table.from_batches([batch_of(rows)], schema=schema)))
            if pieces:
                whole = pa.concat_tables(pieces)
                for start in range(0, whole.num_rows, BATCH):
                    parquet.write_table(whole.slice(start, BATCH).combine_chunks())
    rows = sum(chunk["rows"] for chunk in out.chunks)
    return {"csv_sha256": out.digest(), "rows": rows, "chunks": out.chunks}, out.written


class NotPatchable(Exception):
    """The previous downloads of a table cannot be patched: it is written whole."""


@dataclass
class PreviousTable:
    """A table's files in the previous downloads, their chunks, and the keys
    of the rows changed since they were written (sorted)."""

    csv_path: Path
    parquet_path: Path
    chunks: list[dict]
    changed: list[tuple]


def key_range(columns: str, width: int, after: tuple | None, through: tuple | None) -> tuple[str, list]:
    """The SQL condition, and its values, for keys (``columns``, ``width``
    of them) after ``after`` and up to ``through`` (None: no bound)."""
    bound = ", ".join("?" * width)
    where = [f"({columns}) > ({bound})" if after is not None else "1", f"({columns}) <= ({bound})" if through is not None else "1"]
    return " and ".join(where), [*(after or ()), *(through or ())]


def each_row(cursor: sqlite3.Cursor) -> Iterator[tuple]:
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def csv_text(rows: list) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode("utf-8")


def gzipped(data: bytes) -> bytes:
    """One gzip member, without a timestamp (the same rows, the same bytes);
    a file of members is one gzip stream to every reader of gzip."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def arrow_array(values, kind):
    import pyarrow as pa

    try:
        return pa.array(values, type=kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return pa.array([cast(v, kind) for v in values], type=kind)


def arrow_type(declared: str, sample: str | None):
    import pyarrow as pa

    kind = (declared or sample or "").upper()
    if "INT" in kind:
        return pa.int64()
    if any(word in kind for word in ("REAL", "FLOA", "DOUB", "NUMERIC")):
        return pa.float64()
    if "BLOB" in kind:
        return pa.binary()
    return pa.string()


def arrow_schema(conn: sqlite3.Connection, name: str):
    """Each column's type from its declaration, or (a view's computed column)
    from the SQLite type of its first value."""
    import pyarrow as pa

    fields = []
    for _, column, declared, *_ in conn.execute(f'pragma table_info("{name}")'):
        sample = None
        if not declared:
            found = conn.execute(f'select typeof("{column}") from "{name}" where "{column}" is not null limit 1').fetchone()
            sample = found[0] if found else None
        fields.append(pa.field(column, arrow_type(declared, sample)))
    return pa.schema(fields)


def cast(value, kind):
    """A SQLite value as the column's Arrow type (SQLite lets a column hold
    any type; a value of another type is written as its text)."""
    import pyarrow as pa

    if value is None:
        return None
    if kind == pa.string() and not isinstance(value, str):
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if kind == pa.int64() and not isinstance(value, int):
        return None if not str(value).lstrip("-").isdigit() else int(value)
    if kind == pa.float64() and not isinstance(value, (int, float)):
        try:
            return float(value)
        except ValueError:
            return None
    return value


# Web Annotations ------------------------------------------------------------------


def claim_page(claim_id: str) -> str:
    """The claim's page, relative to the downloads (served at /downloads/)."""
    from datasette.utils import tilde_encode

    return f"../claims/claims/{tilde_encode(claim_id)}"


def annotation(claim: sqlite3.Row) -> dict:
    """One claim as a W3C Web Annotation: the claim (its editor's statement,
    its page) is the body; the quote in the archived text, and in the
    document at its address, is the target."""
    text = f"texts/{quote(claim['source_id'])}.txt"
    quote_selector = {"type": "TextQuoteSelector", "exact": claim["quote"],
                      "prefix": claim["quote_prefix"] or "", "suffix": claim["quote_suffix"] or ""}
    position = {"type": "TextPositionSelector", "start": claim["quote_start"], "end": claim["quote_end"]}
    state = {"type": "TimeState", "cached": text}
    if claim["retrieved"]:
        state["sourceDate"] = claim["retrieved"]
    return {
        "id": claim_page(claim["id"]),
        "type": "Annotation",
        "motivation": "describing",
        "body": {
            "id": claim_page(claim["id"]), "type": "TextualBody", "purpose": "describing", "format": "text/plain",
            "language": "en", "value": claim["statement"],
        },
        "target": [
            {"type": "SpecificResource", "source": {"id": text, "type": "Text", "format": "text/plain",
                                                    "language": claim["language"]},
             "selector": [quote_selector, position]},
            {"type": "SpecificResource", "source": claim["url"], "selector": quote_selector, "state": state},
        ],
    }


ANNOTATED = """
    select c.id, c.statement, c.quote, c.quote_prefix, c.quote_suffix, c.quote_start, c.quote_end, c.source_id,
      s.url, s.retrieved, s.language
    from claims c join sources s on s.id = c.source_id
"""


def write_annotations(conn: sqlite3.Connection, path: Path, previous: PreviousTable | None = None) -> tuple[dict, int]:
    """Every claim, in id order, as one AnnotationCollection whose single
    page holds them all; one line a claim, in chunks as a table's CSV is
    (claimsdb.chunks), so that with ``previous`` (the previous file, the
    ids of the claims changed since) only the chunks of changed claims are
    written. Returns the entry in the manifest's contents and how many
    chunks were written."""
    count = conn.execute("select count(*) from claims").fetchone()[0]

    def lines(rows: list, first_in_file: bool) -> bytes:
        return "".join(("" if first_in_file and index == 0 else ",") + json.dumps(annotation(row), ensure_ascii=False) + "\n"
                       for index, row in enumerate(rows)).encode("utf-8")

    with open(path, "wb") as raw:
        out = ChunkedFile(raw)
        out.head(('{"@context": "%s", "id": "annotations.jsonld", "type": "AnnotationCollection", '
                  '"label": "Every claim, anchored in its archived text", "total": %d, '
                  '"first": {"id": "annotations.jsonld#page-1", "type": "AnnotationPage", "startIndex": 0, "items": [\n'
                  % (ANNOTATION_CONTEXT, count)).encode("utf-8"))
        cursor = conn.cursor()
        cursor.row_factory = sqlite3.Row
        if previous is None:
            for chunk in chunked(each_row(cursor.execute(ANNOTATED + " order by c.id")), lambda row: (row["id"],)):
                out.write((chunk[0]["id"],), (chunk[-1]["id"],), len(chunk), lines(chunk, not out.chunks))
        else:
            def rows_in(after: tuple | None, through: tuple | None) -> list:
                where, values = key_range("c.id", 1, after, through)
                return cursor.execute(f"{ANNOTATED} where {where} order by c.id", values).fetchall()

            with open(previous.csv_path, "rb") as handle:
                patch(out, Recorded(handle, previous.chunks), previous.changed, rows_in, lambda row: (row["id"],), lines)
        raw.write(b"]}}\n")
    return {"chunks": out.chunks}, out.written


def write_texts(conn: sqlite3.Connection, directory: Path, previous: "Previous | None" = None) -> dict[str, str]:
    """Each archived text; one the previous downloads hold with the same
    bytes is taken from them. Returns the files taken (path → SHA-256)."""
    taken = {}
    for source_id, text in conn.execute("select id, text from sources order by id"):
        data = text.encode("utf-8")
        path = f"{directory.name}/{source_id}.txt"
        if previous is not None and previous.files.get(path) == hashlib.sha256(data).hexdigest() \
                and previous.take(directory.parent, [path]):
            taken[path] = previous.files[path]
            continue
        (directory / f"{source_id}.txt").write_bytes(data)
    return taken


# The release ----------------------------------------------------------------------


def git_commit(directory: Path) -> tuple[str | None, bool]:
    """The commit checked out where the claim files are, and whether they
    differ from it; (None, False) outside a git work tree."""
    try:
        commit = subprocess.run(["git", "-C", str(directory), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return None, False
        status = subprocess.run(["git", "-C", str(directory), "status", "--porcelain", "--", "."], capture_output=True, text=True, timeout=30)
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None, False


def release_id(table_digests: dict[str, str]) -> str:
    """The SHA-256 of every table's CSV digest, table by table in name order:
    the same rows give the same id, whenever and wherever they are built."""
    lines = "".join(f"{name} {digest}\n" for name, digest in sorted(table_digests.items()))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


# What was written from what -----------------------------------------------------


def writer_key() -> str:
    """What decides the bytes written beyond the rows: this package's code,
    Python, SQLite, the libraries (claimsdb.cache.fingerprint) and pyarrow."""
    from importlib import metadata

    from .cache import fingerprint_key

    try:
        pyarrow = metadata.version("pyarrow")
    except metadata.PackageNotFoundError:
        pyarrow = "not installed"
    return hashlib.sha256(f"{fingerprint_key()}\0pyarrow {pyarrow}".encode()).hexdigest()


class ContentHashes:
    """The content hash of each table of the database at ``db_path``,
    computed when first asked: from its columns and the bytes of its
    B-tree's pages in the order SQLite walks them (the same pages hold the
    same rows, whatever order its files list them in; an incremental build
    leaves the pages of a table it does not touch as they were), or, where
    SQLite has no ``dbstat`` or the file has a write-ahead log, from its
    rows themselves."""

    def __init__(self, conn: sqlite3.Connection, key: str, db_path: Path | None = None):
        self.conn, self.key = conn, key
        self.sql = {name: (kind, sql or "") for kind, name, sql in conn.execute("select type, name, sql from sqlite_master where type in ('table', 'view')")}
        self.found: dict[str, str] = {}
        self.db_path = db_path if db_path is not None and not Path(f"{db_path}-wal").exists() else None
        if self.db_path is not None:
            try:
                conn.execute("select 1 from dbstat limit 1").fetchall()
            except sqlite3.Error:
                self.db_path = None
        self.page_size = conn.execute("pragma page_size").fetchone()[0]
        self.encoding = conn.execute("pragma encoding").fetchone()[0]

    def __call__(self, name: str) -> str:
        if name not in self.found:
            self.found[name] = self.table(name)
        return self.found[name]

    def table(self, name: str) -> str:
        digest = hashlib.sha256(f"{self.key}\0table {name}\0{self.sql[name][1]}\0".encode())
        digest.update(repr(self.conn.execute(f'pragma table_info("{name}")').fetchall()).encode())
        pages = self.conn.execute("select pgoffset, pgsize from dbstat where name = ?", [name]).fetchall() \
            if self.db_path is not None and "virtual table" not in self.sql[name][1].lower() else []
        if pages:
            digest.update(f"pages {self.page_size} {self.encoding}\0".encode())
            with open(self.db_path, "rb") as handle:
                for offset, size in pages:
                    handle.seek(offset)
                    digest.update(handle.read(size))
            return digest.hexdigest()
        cursor = self.conn.execute(f'select * from "{name}"')
        while batch := cursor.fetchmany(BATCH):
            digest.update(repr(batch).encode())  # repr of str, int, float, bytes and None is exact
        return digest.hexdigest()

    def of(self, what: str, names: list[str]) -> str:
        """The hash of something written from the tables and views ``names``."""
        lines = "".join(f"{other} {self(other)}\n" for other in names)
        return hashlib.sha256(f"{self.key}\0{what}\0{lines}".encode()).hexdigest()


class Previous:
    """The downloads on disk, as their manifest lists them: files to take
    instead of writing them again, each checked against its SHA-256."""

    def __init__(self, directory: Path):
        self.directory = directory
        try:
            manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
            self.files = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
            self.contents = dict(manifest.get("contents", {}))
            self.database = manifest.get("database")
            for name, chunks in read_chunks(directory / CHUNKS, self.files.get(CHUNKS)).items():
                if isinstance(self.contents.get(name), dict):
                    self.contents[name]["chunks"] = chunks
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.files, self.contents, self.database = {}, {}, None

    def intact(self, paths: list[str]) -> bool:
        """Whether each file is there with the SHA-256 the manifest gives it."""
        return all(path in self.files and (self.directory / path).is_file() and sha256_of(self.directory / path) == self.files[path] for path in paths)

    def take(self, work: Path, paths: list[str]) -> bool:
        """Link (or copy) the files at ``paths`` into ``work``, if each is
        there with the SHA-256 the manifest gives it; False (nothing taken) if not."""
        if not self.intact(paths):
            return False
        for path in paths:
            try:
                os.link(self.directory / path, work / path)
            except OSError:
                shutil.copyfile(self.directory / path, work / path)
        return True

    def reused(self, work: Path, name: str, content: str, paths: list[str], patchable: bool, changed: list[tuple]) -> tuple[dict, "PreviousTable | None | bool"]:
        """What the previous downloads give of ``name``: its entry in the
        manifest's contents (with ``content``, its content hash now), and
        False if its files were taken whole (the same content hash, or, with
        ``patchable``, no row changed since), else the files to patch
        (PreviousTable) or None (to be written from nothing)."""
        entry = self.contents.get(name)
        if not isinstance(entry, dict) or "chunks" not in entry:
            return {"content": content}, None
        if (entry.get("content") == content or (patchable and not changed)) and self.take(work, paths):
            return {**entry, "content": content}, False
        if patchable and self.intact(paths):
            parquet = self.directory / paths[1] if len(paths) > 1 else None
            return {"content": content}, PreviousTable(self.directory / paths[0], parquet, entry["chunks"], changed)
        return {"content": content}, None


CHUNKS = "chunks.json"
CHUNK_FIELDS = ("first", "last", "rows", "offset", "bytes", "sha256")


def write_chunks(path: Path, chunks: dict[str, list[dict]]) -> None:
    """Where each chunk of each file is, for the next downloads to copy
    (claimsdb.chunks): one line a file, each chunk a list of CHUNK_FIELDS."""
    lines = [f"{json.dumps(name)}: {json.dumps([[chunk[f] for f in CHUNK_FIELDS] for chunk in found], ensure_ascii=False, separators=(',', ':'))}"
             for name, found in chunks.items()]
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def read_chunks(path: Path, sha256: str | None) -> dict[str, list[dict]]:
    """The chunks ``write_chunks`` wrote, if the file has the SHA-256 the manifest gives it; none otherwise."""
    if sha256 is None or not path.is_file() or sha256_of(path) != sha256:
        return {}
    return {name: [dict(zip(CHUNK_FIELDS, chunk)) for chunk in found] for name, found in json.loads(path.read_text(encoding="utf-8")).items()}


def write_downloads(db_path: Path, directory: Path | None = None, claims_dir: Path | None = None,
                    previous_db: Path | sqlite3.Connection | None = None, built: datetime | None = None,
                    reuse: bool = True, jobs: int = 1) -> dict:
    """Write every download of ``db_path`` into ``directory`` (replaced whole,
    only once complete), on ``jobs`` processes; returns the release. Unless
    ``reuse`` is False, the files whose content is unchanged are taken from
    the downloads already in ``directory``."""
    directory = Path(directory or downloads_dir(db_path))
    work, release = prepare_downloads(db_path, directory, claims_dir, previous_db, built, reuse, jobs)
    with installed(work, directory):
        pass
    return release


def prepare_downloads(db_path: Path, directory: Path, claims_dir: Path | None = None,
                      previous_db: Path | sqlite3.Connection | None = None, built: datetime | None = None,
                      reuse: bool = True, jobs: int = 1, checkpoint: Callable[[str], None] | None = None) -> tuple[Path, dict]:
    """Every download of ``db_path`` written into a temporary directory
    beside ``directory``, for ``installed`` to put in its place; returns it
    and the release. Nothing is left behind if this fails.
    ``checkpoint(f"downloads:{name}")`` is called before each table, view
    and the annotations (``name`` annotations.jsonld) are written, in the
    process that writes them (the crash tests stop there)."""
    from .db import remove_stale_temporaries

    directory = Path(directory)
    remove_stale_temporaries(directory)
    work = directory.with_name(f".{directory.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    try:
        release = write_into(work, db_path, directory, claims_dir, previous_db, built, reuse, jobs, checkpoint)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return work, release


TEXTS = "texts"


def write_outputs(db_path: Path, work: Path, names: list[str], previous: "Previous", patchable: bool, changed: dict[str, list[tuple]],
                  jobs: int, checkpoint: Callable[[str], None] | None = None) -> Iterator[tuple[str, dict, int, dict]]:
    """Each of ``names`` (tables, the annotations, the texts) into ``work``
    from the database at ``db_path``: taken whole from the ``previous``
    downloads, patched from them (``patchable``: they were written from the
    database this one was copied from, with the rows ``changed`` since) or
    written from nothing. Yields, name by name: its entry in the
    manifest's contents, the chunks written, and the files taken (path →
    SHA-256). On ``jobs`` processes when more than one is given: each output
    is one process's, the same bytes whichever."""
    key = writer_key()

    def write(name: str) -> tuple[str, dict, int, dict]:
        if checkpoint is not None:
            checkpoint(f"downloads:{name}")
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            if name == TEXTS:
                return name, {}, 0, write_texts(conn, work / TEXTS, previous)
            hashes = ContentHashes(conn, key, Path(db_path))
            if name == ANNOTATIONS:
                content, paths, rows_changed = hashes.of("annotations", ["claims", "sources"]), [ANNOTATIONS], changed_claims(conn, changed)
            else:
                content, paths, rows_changed = hashes(name), [f"csv/{name}.csv.gz", f"parquet/{name}.parquet"], changed.get(name, [])
            entry, files = previous.reused(work, name, content, paths, patchable, rows_changed)
            if files is False:
                return name, entry, 0, {path: previous.files[path] for path in paths}
            for files in ([files, None] if files is not None else [None]):
                try:
                    if name == ANNOTATIONS:
                        written, chunks_written = write_annotations(conn, work / ANNOTATIONS, files)
                    else:
                        written, chunks_written = write_table(conn, name, work / "csv" / f"{name}.csv.gz", work / "parquet" / f"{name}.parquet", files)
                    return name, {**entry, **written}, chunks_written, {}
                except NotPatchable:
                    continue
        finally:
            conn.close()

    # The largest first: a process that takes one last would keep the others waiting.
    largest = sorted(names, key=lambda name: name not in ("claims", "coverage", ANNOTATIONS, "figure_relations", TEXTS))
    with ordered_map(write, jobs, len(largest), min_items=2) as each:
        yield from each(largest)


def changed_claims(conn: sqlite3.Connection, changed: dict[str, list[tuple]]) -> list[tuple]:
    """The claims whose annotations may have changed: those changed, and those of the sources changed."""
    temporary_ids(conn, "changed_sources", [key[0] for key in changed.get("sources", [])])
    return sorted({*changed.get("claims", []), *conn.execute("select id from claims where source_id in temp.changed_sources")})


def write_into(work: Path, db_path: Path, directory: Path, claims_dir: Path | None,
               previous_db: Path | sqlite3.Connection | None, built: datetime | None, reuse: bool, jobs: int = 1,
               checkpoint: Callable[[str], None] | None = None) -> dict:
    (work / "csv").mkdir(parents=True)
    (work / "parquet").mkdir()
    (work / TEXTS).mkdir()
    previous = Previous(directory) if reuse else Previous(work / "none")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        database = build_key(conn)
        since, changed = changes_since(conn)
        present = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    finally:
        conn.close()
    # The previous downloads were written from the database this one was
    # copied from: what changed since is what its changes record lists.
    patchable = since is not None and since == previous.database
    names = [name for name in public_names() if name in present] + [ANNOTATIONS]
    contents, taken, written = {}, {}, 0
    for name, entry, chunks_written, files_taken in write_outputs(db_path, work, [*names, TEXTS], previous, patchable, changed, jobs, checkpoint):
        if name != TEXTS:
            contents[name] = entry
        taken.update(files_taken)
        written += chunks_written
    contents = {name: contents[name] for name in names}
    digests = {name: entry["csv_sha256"] for name, entry in contents.items() if name != ANNOTATIONS}
    rows = {name: entry["rows"] for name, entry in contents.items() if name != ANNOTATIONS}
    commit, dirty = git_commit(claims_dir) if claims_dir is not None else (None, False)
    release = {
        "id": release_id(digests),
        "built": (built or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": commit,
        "uncommitted_changes": dirty,
        "rows": rows,
    }
    changes = None
    if previous_db is not None and (isinstance(previous_db, sqlite3.Connection) or Path(previous_db).exists()):
        try:
            old = previous_db if isinstance(previous_db, sqlite3.Connection) else open_database(previous_db)
            try:
                # After an incremental build from it, only the claims it changed can differ.
                among = [key[0] for key in changed.get("claims", [])] if since is not None and build_key(old) == since else None
                changes = diff(old, db_path, among)
            finally:
                if old is not previous_db:
                    old.close()
        except sqlite3.Error:  # the file replaced was not a claims database: nothing to compare with
            changes = None
    if changes is not None:
        changes["previous_release"] = previous_release_id(directory)
    (work / "changes.json").write_text(json.dumps({"release": release["id"], "first_release": changes is None, **(changes or {})},
                                                  indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (work / "release.json").write_text(json.dumps(release, indent=2) + "\n", encoding="utf-8")
    write_chunks(work / CHUNKS, {name: entry["chunks"] for name, entry in contents.items()})
    chunks = sum(len(entry["chunks"]) for entry in contents.values())
    contents = {name: {key: value for key, value in entry.items() if key != "chunks"} for name, entry in contents.items()}
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    manifest = {"release": release["id"], "database": database, "files": [
        {"path": p, "bytes": (work / p).stat().st_size, "sha256": taken.get(p) or sha256_of(work / p)} for p in files],
        "contents": contents}
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {**release, "chunks": {"written": written, "copied": chunks - written}}


def previous_release_id(directory: Path) -> str | None:
    try:
        return json.loads((directory / "release.json").read_text(encoding="utf-8"))["id"]
    except (OSError, ValueError, KeyError):
        return None


@contextmanager
def installed(new: Path, directory: Path):
    """``new`` takes the place of ``directory`` for the block (a reader sees
    the old or the new downloads, each whole); if the block raises, the
    previous ``directory`` is put back and ``new`` removed."""
    old = directory.with_name(f".{directory.name}.{os.getpid()}.old")
    shutil.rmtree(old, ignore_errors=True)
    had = directory.exists()
    if had:
        os.replace(directory, old)
    try:
        os.replace(new, directory)
        yield
    except BaseException:
        if not new.exists() and directory.exists():  # it was put in place: out again
            os.replace(directory, new)
        if had:
            os.replace(old, directory)
        shutil.rmtree(new, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_release(directory: Path) -> dict | None:
    try:
        return json.loads((Path(directory) / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# What changed between two releases ---------------------------------------------------


def open_database(path: Path) -> sqlite3.Connection:
    """A read-only connection that keeps reading this file even after a build
    renames another over it (the connection holds the old file open)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    conn.execute("select count(*) from sqlite_master").fetchone()  # opens it now; fails if it is not a database
    return conn


def diff(old_db: Path | sqlite3.Connection, new_db: Path, among: list[str] | None = None) -> dict:
    """The claims added, changed (with the columns that changed), withdrawn and
    removed (a published claim is never deleted: removed ones are a mistake
    to report) from ``old_db`` (a path, or a connection from open_database)
    to ``new_db``; only ``among`` these claim ids, if given (the claims an
    incremental build changed: no other can differ)."""
    conn = old_db if isinstance(old_db, sqlite3.Connection) else open_database(old_db)
    conn.execute("attach database ? as new", (f"file:{new_db}?mode=ro", ))
    if among is not None:
        conn.execute("drop table if exists temp.among")
        temporary_ids(conn, "among", among)
        conn.commit()  # no transaction left open: it would keep ``new`` from being detached
    try:
        new_columns = [row[1] for row in conn.execute("pragma new.table_info(claims)")]
        old_columns = {row[1] for row in conn.execute("pragma main.table_info(claims)")}
        compared = [c for c in new_columns if c in old_columns and c not in NOT_CONTENT and c != "id"]

        def only(column: str) -> str:
            return "" if among is None else f"{column} in temp.among and"

        added = [dict(id=r[0], statement=r[1]) for r in conn.execute(
            "select id, statement from new.claims where {} id not in (select id from main.claims) order by id".format(only("id")))]
        removed = [dict(id=r[0], statement=r[1]) for r in conn.execute(
            "select id, statement from main.claims where {} id not in (select id from new.claims) order by id".format(only("id")))]
        withdrawn = [dict(id=r[0], statement=r[1], withdrawn=r[2]) for r in conn.execute(f"""
            select n.id, n.statement, n.withdrawn from new.claims n join main.claims o on o.id = n.id
            where {only("n.id")} n.withdrawn is not null and o.withdrawn is null order by n.id""")]
        differs = [f'n."{c}" is not o."{c}"' for c in compared] or ["0"]
        changed = []
        for row in conn.execute(f"""
                select n.id, n.statement, {", ".join(differs)}
                from new.claims n join main.claims o on o.id = n.id
                where {only("n.id")} ({" or ".join(differs)}) and not (n.withdrawn is not null and o.withdrawn is null) order by n.id"""):
            changed.append({"id": row[0], "statement": row[1], "columns": [c for c, d in zip(compared, row[2:]) if d]})
    finally:
        conn.execute("detach database new")
        if not isinstance(old_db, sqlite3.Connection):
            conn.close()
    return {"added": added, "changed": changed, "withdrawn": withdrawn, "removed": removed}


def format_diff(changes: dict) -> str:
    """The diff as a reader reads it: one line a claim, under a heading a kind of change."""
    lines = []
    for key, heading in (("added", "Added"), ("changed", "Changed"), ("withdrawn", "Withdrawn"), ("removed", "Removed (published claims are never deleted: this is a mistake)")):
        items = changes.get(key) or []
        if key == "removed" and not items:
            continue
        lines.append(f"{heading}: {len(items)} claim(s)")
        for item in items:
            detail = {"changed": lambda i: "changed " + ", ".join(i["columns"]), "withdrawn": lambda i: i["withdrawn"]}.get(key, lambda i: i["statement"])(item)
            lines.append(f"  {item['id']}: {detail}")
    return "\n".join(lines)
