"""The published instance: the Datasette settings, metadata, templates,
plugins, static mounts and inspect data of claims.db, one set for the server
(claimsdb.serve, claimsdb.follow) and for the tests."""

from __future__ import annotations

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


# Where the originals (saved pages, PDFs, captures) are served: a static
# mount of claims/sources/originals/, so the source page links to the
# evidence byte for byte as kept.
ORIGINALS_MOUNT = "originals"


# Where the release's bulk downloads are served: a static mount of the
# directory the build writes beside the database (claimsdb.downloads).
DOWNLOADS_MOUNT = "downloads"


def static_mounts(downloads: Path, claims_dir: Path | None) -> list[tuple[str, str]]:
    """Every static mount of the instance: the originals of ``claims_dir``
    where there are any, and the release's ``downloads`` (mounted even before
    a build writes them: until then each answers 404)."""
    mounts = [(ORIGINALS_MOUNT, originals_dir(claims_dir)), (DOWNLOADS_MOUNT, downloads)]
    return [(mount, str(directory)) for mount, directory in mounts if directory is not None]


def originals_dir(claims_dir: Path | None) -> Path | None:
    directory = claims_dir / "sources" / "originals" if claims_dir is not None else None
    return directory if directory is not None and directory.is_dir() else None


# The landing page's latest conflicts (plugins/site.py): how many it shows,
# and which, chosen once per build like the counts below. Ordering every
# conflicting pair by its later source's date reads every pair (0.7 s at
# 100,000 synthetic claims, past the SQL time limit at a million), which a
# page cannot afford on each request.
LATEST_CONFLICTS = 6

# A publication date as ISO text that sorts with the others: in another
# calendar (1399-05, Solar Hijri) the first Gregorian day it can denote, not
# its digits; a partial Gregorian date ('2021') sorts as its first day does.
PUBLISHED_FIRST_DAY = "coalesce(substr(published_gregorian, 1, 10), published)"


def latest_conflicts_sql() -> str:
    """The pairs in conflict (claim_id, other_claim_id), those whose later
    source is the most recent first (in Gregorian days, whatever calendar
    the source dates itself in), at most :limit."""
    from .relations import CONFLICTING
    from .tables import sql_list

    def day(claim: str) -> str:
        return f"coalesce((select {PUBLISHED_FIRST_DAY} from sources where id = (select source_id from claims where id = {claim})), '')"

    return f"""
select r.claim_id, r.other_claim_id
from relations r
where r.relation in ({sql_list(CONFLICTING)})
order by max({day("r.claim_id")}, {day("r.other_claim_id")}) desc, r.claim_id, r.other_claim_id
limit :limit"""


def inspect_data(db_path: Path, facets: dict[str, list[str]] | None = None) -> dict:
    """What `datasette inspect` records of an immutable file: its SHA-256,
    size and every table's row count; and here every view's row count too
    (under "tables", where Datasette's table page looks a count up, and named
    in "views"). Computed once for a build, it spares each table and view page
    a count of every row (at a million claims, the slowest query of the page:
    counting the claim pairs of relations or conflicts takes longer than the
    SQL time limit, so without it those pages waited 3 s for a count that
    never came). Under "latest_conflicts", the LATEST_CONFLICTS pairs the
    landing page shows (latest_conflicts_sql).

    ``facets`` (table or view: its default column facets, default_facets())
    adds, under "facets", each one's counts over every row, as Datasette's
    column facet counts them, for the pages that filter nothing
    (plugins/precomputed_facets.py): at a million claims the facets were
    most of a table page's time, the whole of a view's."""
    import asyncio
    import sqlite3

    from datasette.cli import inspect_

    data = asyncio.run(inspect_([str(db_path)], None))
    conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        kinds = dict(conn.execute("select name, type from sqlite_master where type in ('table', 'view')").fetchall())
        views = sorted(name for name, kind in kinds.items() if kind == "view")
        for entry in data.values():
            entry["views"] = views
            counted = {}
            if facets is not None:
                entry["facets"] = {"rows": FACET_ROWS, "tables": {}}
                for name, columns in facets.items():
                    if name in kinds and columns:
                        counts, total = facet_counts(conn, name, columns, name in views)
                        entry["facets"]["tables"][name] = counts
                        if total is not None:
                            counted[name] = total
            for view in views:
                count = counted[view] if view in counted else conn.execute(f'select count(*) from "{view}"').fetchone()[0]
                entry["tables"][view] = {"count": count}
            if {"relations", "claims", "sources"} <= kinds.keys():
                entry["latest_conflicts"] = [list(pair) for pair in conn.execute(latest_conflicts_sql(), {"limit": LATEST_CONFLICTS})]
    finally:
        conn.close()
    return data


# How many values of each facet are kept: the most a page asks for
# (_facet_size=max is max_returned_rows), and one more, by which Datasette
# tells that a facet has more values than it shows.
FACET_ROWS = SETTINGS["max_returned_rows"] + 1


def default_facets(root: Path) -> dict[str, list[str]]:
    """The default column facets of each table and view in root's metadata.yml."""
    import yaml

    metadata = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8")) or {}
    tables = ((metadata.get("databases") or {}).get("claims") or {}).get("tables") or {}
    return {name: [facet for facet in entry.get("facets") or [] if isinstance(facet, str)]
            for name, entry in tables.items() if entry and entry.get("facets")}


def facet_counts(conn, name: str, columns: list[str], is_view: bool) -> tuple[dict[str, list[list]], int | None]:
    """Each column's first FACET_ROWS values and how many rows hold each, in
    the order of Datasette 0.65's column facet (count descending, then value)
    and without NULL; and, for a view, its row count (None for a table).

    A table's facet is Datasette's own query, which an index answers. A view
    is read once for all its facets and its count: its rows grouped by every
    faceted column together, each column's counts summed from the groups
    (counting relations or conflicts reads every claim pair, seconds at a
    million claims, which this does once, not once per facet)."""
    from datasette.utils import escape_sqlite

    if not is_view:
        counts = {}
        for column in columns:
            col = escape_sqlite(column)
            counts[column] = [list(row) for row in conn.execute(
                f"select {col} as value, count(*) as count from (select * from {escape_sqlite(name)}) "
                f"where {col} is not null group by {col} order by count desc, value limit {FACET_ROWS}")]
        return counts, None
    listed = ", ".join(escape_sqlite(column) for column in columns)
    groups = conn.execute(f"select {listed}, count(*) from {escape_sqlite(name)} group by {listed}").fetchall()
    counts = {}
    for position, column in enumerate(columns):
        summed: dict = {}
        for group in groups:
            if group[position] is not None:
                summed[group[position]] = summed.get(group[position], 0) + group[-1]
        ordered = sorted(summed.items(), key=lambda item: (-item[1], sqlite_order(item[0])))
        counts[column] = [list(item) for item in ordered[:FACET_ROWS]]
    return counts, sum(group[-1] for group in groups)


def sqlite_order(value) -> tuple:
    """A sort key that orders values as SQLite's ORDER BY does with the
    default (BINARY) collation: numbers by value, then text by its UTF-8
    bytes, then blobs by their bytes."""
    if isinstance(value, (int, float)):
        return (0, value, b"")
    if isinstance(value, str):
        return (1, 0, value.encode("utf-8", "surrogatepass"))
    return (2, 0, bytes(value))


def counts_of_tables(datasette) -> None:
    """Datasette 0.65 lists every name of an inspect file's "tables" as a
    table on the database page; the views' counts are there for their own
    pages only, so each database's list of table counts leaves them out."""
    for name, entry in (datasette.inspect_data or {}).items():
        database = datasette.databases.get(name)
        if database is not None and entry.get("views"):
            database._cached_table_counts = {table: value["count"] for table, value in entry["tables"].items() if table not in entry["views"]}


def make_datasette(db_path: Path, root: Path, claims_dir: Path | None = None, secret: str | None = None, inspect: dict | None = None,
                   downloads: Path | None = None, **overrides):
    """The published instance on ``db_path``: immutable, with root's
    metadata.yml, templates/ and plugins/, the settings above (``overrides``
    replace settings), the originals of ``claims_dir`` and ``inspect``, the
    file's inspect_data (table counts read once, not on every table page)
    and ``downloads``, the release's files (by default the downloads the
    build wrote beside ``db_path``). The server makes one per build
    (claimsdb.follow); the tests use it in process."""
    import yaml
    from datasette.app import Datasette

    from .downloads import downloads_dir

    metadata = yaml.safe_load((root / "metadata.yml").read_text(encoding="utf-8"))
    datasette = Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        template_dir=str(root / "templates") if (root / "templates").is_dir() else None,
        plugins_dir=str(root / "plugins") if (root / "plugins").is_dir() else None,
        settings={**SETTINGS, **overrides},
        secret=secret,
        static_mounts=static_mounts(downloads or downloads_dir(db_path), claims_dir) or None,
        inspect_data=inspect,
    )
    counts_of_tables(datasette)
    return datasette
