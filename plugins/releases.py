"""Each build is a release: its id (a hash of its content), build date and
commit on every page's footer (templates/_footer.html) and in the instance's
metadata (/-/metadata.json), with a suggested citation; the landing page
lists the release's downloads and what changed since the previous build.

The downloads are files the build writes beside the database
(claimsdb.downloads), served by Datasette's static mount that
claimsdb.instance configures (DOWNLOADS_MOUNT); this plugin finds them through
that mount and gives each file the content type its format has (Datasette
would send a .csv.gz as text/csv).
"""

from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl

from claimsdb.instance import DOWNLOADS_MOUNT

CONTENT_TYPES = {
    ".csv.gz": "application/gzip",
    ".parquet": "application/vnd.apache.parquet",
    ".jsonld": "application/ld+json",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
}
# What the landing page calls each kind of file, in the order it lists them.
KINDS = [
    ("parquet/", "Parquet", "every table and view, typed (pyarrow, pandas, DuckDB, R)"),
    ("csv/", "CSV, gzipped", "every table and view, UTF-8 with a header row"),
    ("annotations.jsonld", "Web Annotations", "every claim as a W3C Web Annotation (JSON-LD): its quote in the archived text and at the source's address"),
    ("texts/", "Archived texts", "each source's archived text, byte for byte: the text the quote positions index into"),
    ("manifest.json", "Manifest", "every file of this release with its size and SHA-256"),
    ("release.json", "Release", "this release's id, build date and commit"),
    ("changes.json", "Changes", "the claims added, changed and withdrawn since the previous build"),
]
# The most files of one kind the landing page lists by name (the archived
# texts are one a source): past it, it gives their count and leaves them to
# the manifest, so that the page stays small at any corpus size (5,000 texts
# made 0.7 MB of links at 100,000 synthetic claims).
LISTED_FILES = 100
_cache: dict[str, tuple[float, object]] = {}


def downloads_directory(datasette) -> Path | None:
    directory = dict(datasette.static_mounts).get(DOWNLOADS_MOUNT)
    return Path(directory) if directory else None


def read_json(path: Path):
    """A JSON file of the downloads, read again only when it changes (a rebuild)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _cache.get(str(path))
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _cache[str(path)] = (stamp, value)
    return value


def current_release(datasette) -> dict | None:
    directory = downloads_directory(datasette)
    release = read_json(directory / "release.json") if directory else None
    if not release:
        return None
    title = (datasette._metadata_local or {}).get("title") or "Claims database"
    commit = release.get("commit")
    return {
        **release,
        "short": release["id"][:12],
        "date": release["built"][:10],
        "commit_short": commit[:10] if commit else None,
        "citation": f"{title}. Release {release['id'][:12]} (built {release['built'][:10]}"
                    + (f", commit {commit[:10]}" if commit else "") + ").",
    }


def downloads(datasette) -> dict | None:
    directory = downloads_directory(datasette)
    manifest = read_json(directory / "manifest.json") if directory else None
    if not manifest:
        return None
    base = datasette.urls.path(f"/{DOWNLOADS_MOUNT}/")
    # One pass over the manifest (at a million claims it lists 50,000 texts),
    # each file under the first kind it is of; only the kinds listed by name
    # get a link made for each file.
    of_kind: dict[str, list[dict]] = {prefix: [] for prefix, _, _ in KINDS}
    for f in manifest["files"]:
        path = f["path"]
        for prefix in of_kind:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                of_kind[prefix].append(f)
                break
    of_kind["manifest.json"] = [{"path": "manifest.json", "bytes": None, "sha256": None}]
    groups = []
    for prefix, title, about in KINDS:
        found = of_kind[prefix]
        if found:
            files = [{**f, "url": base + f["path"], "name": f["path"].split("/")[-1]} for f in found] if len(found) <= LISTED_FILES else []
            groups.append({"title": title, "about": about, "count": len(found), "files": files})
    return {"groups": groups, "changes": read_json(directory / "changes.json"), "base": base}


@hookimpl
def get_metadata(datasette, key, database, table):
    if database is None and table is None:
        release = current_release(datasette)
        if release:
            return {"release": {k: release[k] for k in ("id", "built", "commit", "uncommitted_changes", "citation")}}
    return None


def table_downloads(datasette, table: str | None) -> list[dict]:
    """The release's static files of one table (its whole CSV and Parquet;
    a view has none, its rows are a query), as the manifest lists them: a table page links to them, since
    at a million claims the static CSV arrives in a small fraction of the time
    of streaming the same rows through Datasette (bench/results/serve.md)."""
    directory = downloads_directory(datasette)
    manifest = read_json(directory / "manifest.json") if directory and table else None
    if not manifest:
        return []
    base = datasette.urls.path(f"/{DOWNLOADS_MOUNT}/")
    wanted = {f"csv/{table}.csv.gz": "CSV, gzipped", f"parquet/{table}.parquet": "Parquet"}
    return [{"title": wanted[f["path"]], "url": base + f["path"], "size": size(f["bytes"]), "sha256": f["sha256"]}
            for f in manifest["files"] if f["path"] in wanted]


def size(count: int) -> str:
    return f"{count / 2**20:,.1f} MB" if count >= 2**20 / 10 else f"{count:,} bytes"


@hookimpl
def extra_template_vars(datasette, view_name, table):
    values = {"release": current_release(datasette)}
    if view_name == "index":
        values["downloads"] = downloads(datasette)
    if view_name == "table":
        values["table_downloads"] = table_downloads(datasette, table)
    return values


def content_type(path: str) -> str | None:
    return next((kind for ending, kind in CONTENT_TYPES.items() if path.endswith(ending)), None)


@hookimpl
def asgi_wrapper(datasette):
    prefix = f"/{DOWNLOADS_MOUNT}/"

    def wrap(app):
        async def typed(scope, receive, send):
            kind = content_type(scope.get("path", "")) if scope["type"] == "http" and scope.get("path", "").startswith(prefix) else None
            if kind is None:
                return await app(scope, receive, send)

            async def send_typed(message):
                if message["type"] == "http.response.start" and message.get("status") == 200:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-type"]
                    message = {**message, "headers": [*headers, (b"content-type", kind.encode())]}
                await send(message)

            await app(scope, receive, send_typed)

        return typed

    return wrap
