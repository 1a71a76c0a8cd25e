"""The published instance: the real claims/ built into a real SQLite file and
served by a real Datasette with the project's metadata.yml, plugins and
settings (claimsdb.instance.make_datasette).

Every test that concerns a table is parametrized over claimsdb.tables.TABLES and
claimsdb.tables.VIEWS, so a new table or view is covered without editing this
file. The tests hold for any corpus: expected values are read from the built
SQLite file, and assertions that need data are skipped, saying so, only when
the corpus has none.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from markupsafe import escape

from claimsdb.cli import cli
from claimsdb.tables import BUILD_RECORD, TABLES, VIEWS
from claimsdb.instance import SETTINGS, make_datasette

from .conftest import PROJECT_ROOT

METADATA = yaml.safe_load((PROJECT_ROOT / "metadata.yml").read_text(encoding="utf-8"))
DATABASE = "claims"
DATABASE_METADATA = METADATA["databases"][DATABASE]
TABLE_METADATA = DATABASE_METADATA.get("tables", {})
QUERIES = DATABASE_METADATA.get("queries", {})

TABLE_BY_NAME = {table.name: table for table in TABLES}
NAMES = [table.name for table in TABLES] + [view.name for view in VIEWS]
FTS_TABLES = [table.name for table in TABLES if table.fts]
FTS_KEYWORDS = {"and", "or", "not", "near"}

PAGE_SIZE = SETTINGS["default_page_size"]
MAX_ROWS = SETTINGS["max_returned_rows"]


# Helpers ----------------------------------------------------------------------


def get(ds, path: str):
    """GET a path from the in-process Datasette (its client is async)."""
    return asyncio.run(ds.client.get(path))


def get_ok(ds, path: str):
    response = get(ds, path)
    assert response.status_code == 200, f"GET {path} -> {response.status_code}: {response.text[:1000]}"
    return response


def get_json(ds, path: str):
    return get_ok(ds, path).json()


def local(url: str) -> str:
    """An absolute next_url as a path for the test client."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def connect(db_path) -> sqlite3.Connection:
    from datasette.utils import escape_fts

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    # The SQL function Datasette registers on its own connections (canned queries use it).
    conn.create_function("escape_fts", 1, escape_fts)
    return conn


def query(db_path, sql: str, params=()) -> list[tuple]:
    conn = connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def row_count(db_path, name: str) -> int:
    return query(db_path, f"select count(*) from [{name}]")[0][0]


def columns_of(db_path, name: str) -> list[str]:
    return [row[1] for row in query(db_path, f"pragma table_info([{name}])")]


def primary_key(name: str) -> list[str] | None:
    table = TABLE_BY_NAME.get(name)
    if table is None:
        return None
    return [table.pk] if isinstance(table.pk, str) else list(table.pk)


def csv_text(value) -> str:
    """A SQLite value as Datasette writes it in a CSV cell."""
    return "" if value is None else str(value)


def parse_csv(text: str) -> list[list[str]]:
    # newline="" keeps the newlines inside quoted fields for the csv module.
    return list(csv.reader(io.StringIO(text, newline="")))


def facet_configs(name: str) -> list[tuple[str, str]]:
    """(facet type, column) for each default facet of a table in metadata.yml."""
    configs = []
    for facet in TABLE_METADATA.get(name, {}).get("facets", []) or []:
        if isinstance(facet, str):
            configs.append(("column", facet))
        else:
            ((kind, column),) = facet.items()
            configs.append((kind, column))
    return configs


def word_from(texts, min_length: int = 5) -> str | None:
    """The first plain word of min_length letters or more in the texts."""
    for text in texts:
        for word in re.findall(rf"\b[A-Za-z]{{{min_length},}}\b", text or ""):
            if word.lower() not in FTS_KEYWORDS:
                return word
    return None


def quote_word(db_path) -> tuple[str, str] | None:
    """(claim id, word) for a word taken from a real quote, or None without claims."""
    for claim_id, quote in query(db_path, "select id, quote from claims order by id"):
        word = word_from([quote])
        if word:
            return claim_id, word
    return None


def agent_with_claims(db_path) -> str | None:
    rows = query(db_path, "select speaker_id from claims group by speaker_id order by count(*) desc, speaker_id limit 1")
    return rows[0][0] if rows else None


def measure_with_quantity_claims(db_path) -> str | None:
    rows = query(
        db_path,
        "select measure_id from claims where kind = 'quantity' and measure_id is not null "
        "group by measure_id order by count(*) desc, measure_id limit 1",
    )
    return rows[0][0] if rows else None


def claim_in_conflict(db_path) -> str | None:
    """A claim that conflicts with another, else any claim."""
    rows = query(db_path, "select claim_id from conflicts order by claim_id limit 1") or query(db_path, "select id from claims order by id limit 1")
    return rows[0][0] if rows else None


def first_id_of(table: str):
    """For a parameter <thing>_id: the first id of the table <thing>s."""

    def first(db_path):
        rows = query(db_path, f"select id from [{table}] order by id limit 1")
        return rows[0][0] if rows else None

    return first


def require_claims(db_path) -> None:
    if row_count(db_path, "claims") == 0:
        pytest.skip("the corpus has no claims yet (claims/ holds no source files with claims): nothing to search or filter")


# How each named parameter of a canned query is filled from the database. A
# canned query with a parameter not listed here fails, asking for an entry.
PARAMETER_VALUES = {
    "agent_id": agent_with_claims,
    "measure_id": measure_with_quantity_claims,
    "q": lambda db_path: (quote_word(db_path) or (None, None))[1],
    "claim_id": claim_in_conflict,
}
PLACEHOLDER = "placeholder"


def canned_parameters(sql: str) -> list[str]:
    """The named parameters of a canned query, as Datasette derives them."""
    sql = re.sub(r"--.*", "", sql)
    sql = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    sql = re.sub(r"'(?:[^']|'')*'", "", sql)
    sql = re.sub(r'"(?:[^"]|"")*"', "", sql)
    return list(dict.fromkeys(re.findall(r":(\w+)", sql)))


def fill_parameters(db_path, name: str) -> dict:
    """The canned query's parameters, each a real value from the database (a
    placeholder only when the corpus has nothing to take it from)."""
    params = {}
    for parameter in canned_parameters(QUERIES[name]["sql"]):
        fill = PARAMETER_VALUES.get(parameter)
        if fill is None and parameter.endswith("_id") and parameter[:-3] + "s" in NAMES:
            fill = first_id_of(parameter[:-3] + "s")
        if fill is None:
            pytest.fail(f"canned query {name!r} takes :{parameter}, which this test cannot fill: add it to PARAMETER_VALUES")
        value = fill(db_path)
        params[parameter] = PLACEHOLDER if value is None else value
    return params


@pytest.fixture(scope="module")
def small_pages_datasette(built_db):
    """The published instance with max_returned_rows lowered to 3, so that
    every table with more than 3 rows needs several internal pages to stream
    its full CSV -- as the real tables will once they outgrow the real limit."""
    return make_datasette(built_db, PROJECT_ROOT, max_returned_rows=3, default_page_size=2)


def test_built_database_is_served_as_claims(built_db):
    assert built_db.name == "claims.db"
    names = set(sqlite_utils.Database(built_db).table_names()) | set(sqlite_utils.Database(built_db).view_names())
    assert set(NAMES) <= names


# 1. Pages and JSON --------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_page_renders_as_html_with_its_description(claims_datasette, name):
    response = get_ok(claims_datasette, f"/{DATABASE}/{name}")
    assert response.headers["content-type"].startswith("text/html")
    description = TABLE_METADATA[name]["description"]
    assert str(escape(description)) in response.text


@pytest.mark.parametrize("name", NAMES)
def test_json_answers_with_every_column_and_the_row_count(claims_datasette, built_db, name):
    count = row_count(built_db, name)
    columns = columns_of(built_db, name)

    objects = get_json(claims_datasette, f"/{DATABASE}/{name}.json?_shape=objects")
    assert isinstance(objects["rows"], list)
    assert len(objects["rows"]) == min(count, PAGE_SIZE)
    for row in objects["rows"]:
        assert list(row) == columns

    default = get_json(claims_datasette, f"/{DATABASE}/{name}.json")
    assert default["columns"] == columns
    assert default["filtered_table_rows_count"] == count
    # The page carries the metadata's provenance.
    assert default["source"] == TABLE_METADATA[name]["source"]
    assert default["license"] == TABLE_METADATA[name]["license"]


@pytest.mark.parametrize("name", NAMES)
def test_json_pages_list_every_row_exactly_once(claims_datasette, built_db, name):
    """Following next_url page by page, at the default page size and with the
    table's default sort from metadata.yml, yields the table, no row missing
    and none repeated."""
    path = f"/{DATABASE}/{name}.json"
    served: list[tuple] = []
    pages = 0
    while path:
        page = get_json(claims_datasette, path)
        served += [tuple(row) for row in page["rows"]]
        pages += 1
        assert pages <= row_count(built_db, name) // PAGE_SIZE + 2, "pagination does not end"
        path = local(page["next_url"]) if page["next_url"] else None
    expected = Counter(query(built_db, f"select * from [{name}]"))
    got = Counter(served)
    missing = expected - got
    repeated = Counter({row: n - 1 for row, n in got.items() if n > 1})
    assert (sum(missing.values()), sum(repeated.values()), len(served)) == (0, 0, sum(expected.values())), (
        f"{name}: {len(served)} rows served over {pages} pages for {sum(expected.values())} in the table; "
        f"{sum(missing.values())} never served (e.g. {[row[0] for row in list(missing)[:3]]}), "
        f"{sum(repeated.values())} served twice (e.g. {[row[0] for row in list(repeated)[:3]]}); "
        f"default sort in metadata.yml: {TABLE_METADATA[name].get('sort') or TABLE_METADATA[name].get('sort_desc')!r}"
    )


# 2. Default facets ---------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_default_facets_count_every_value(claims_datasette, built_db, name):
    configs = facet_configs(name)
    data = get_json(claims_datasette, f"/{DATABASE}/{name}.json?_facet_size=max&_size=0")
    results = data["facet_results"]
    if not configs:
        assert results == {}, f"{name} has no default facets in metadata.yml, yet facets were computed"
        return
    count = row_count(built_db, name)
    columns = columns_of(built_db, name)
    table = TABLE_BY_NAME.get(name)
    not_null = {column.name for column in table.columns if column.not_null} if table else set()
    foreign = {fk[0]: (fk[1], fk[2]) for fk in table.foreign_keys} if table else {}

    for kind, column in configs:
        assert column in columns, f"metadata.yml facets {name} on {column!r}, which is not a column"
        assert column in results, f"default facet {column!r} of {name} missing from facet_results (timed out?): {list(results)}"
        facet = results[column]
        assert facet["type"] == kind
        assert not facet["truncated"], f"facet {column!r} of {name} truncated even at _facet_size=max"
        assert all(value["count"] > 0 for value in facet["results"])
        if kind != "column":
            continue
        got = {value["value"]: value["count"] for value in facet["results"]}
        expected = dict(query(built_db, f"select [{column}], count(*) from [{name}] where [{column}] is not null group by [{column}]"))
        assert got == expected
        non_null = row_count(built_db, name) - query(built_db, f"select count(*) from [{name}] where [{column}] is null")[0][0]
        # A single-valued column: every non-null row is counted exactly once.
        assert sum(got.values()) == non_null
        if column in not_null:
            assert sum(got.values()) == count
        if column in foreign and got:
            other, other_column = foreign[column]
            label_column = TABLE_METADATA[other].get("label_column")
            if label_column:
                labels = dict(query(built_db, f"select [{other_column}], [{label_column}] from [{other}]"))
                for value in facet["results"]:
                    assert value["label"] == labels[value["value"]], f"facet {column!r} of {name} not labelled from {other}.{label_column}"


# 3. SQL ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_sql_count_equals_sqlite_count(claims_datasette, built_db, name):
    params = urlencode({"sql": f"select count(*) from [{name}]"})
    data = get_json(claims_datasette, f"/{DATABASE}.json?{params}")
    assert data["ok"] is True and data["error"] is None
    assert data["rows"] == [[row_count(built_db, name)]]


# 4. CSV ------------------------------------------------------------------------------


def assert_full_csv(ds, built_db, name):
    response = get_ok(ds, f"/{DATABASE}/{name}.csv?_stream=on&_labels=on&_size=max")
    rows = parse_csv(response.text)
    assert rows, f"{name}.csv is empty: no header"
    header, data = rows[0], rows[1:]
    columns = columns_of(built_db, name)
    assert [column for column in header if column in columns] == columns
    count = row_count(built_db, name)
    assert len(data) == count, f"{name}.csv has {len(data)} data rows for {count} rows in the table"
    assert all(len(row) == len(header) for row in data)
    # The rows themselves: every row once (labels columns aside).
    positions = [header.index(column) for column in columns]
    got = Counter(tuple(row[i] for i in positions) for row in data)
    expected = Counter(tuple(csv_text(value) for value in row) for row in query(built_db, f"select * from [{name}]"))
    missing, extra = expected - got, got - expected
    assert (sum(missing.values()), sum(extra.values())) == (0, 0), (
        f"{name}.csv: {sum(missing.values())} rows missing (e.g. {[row[0] for row in list(missing)[:3]]}), "
        f"{sum(extra.values())} rows extra or repeated (e.g. {[row[0] for row in list(extra)[:3]]})"
    )


@pytest.mark.parametrize("name", NAMES)
def test_full_csv_has_every_row(claims_datasette, built_db, name):
    assert_full_csv(claims_datasette, built_db, name)


@pytest.mark.parametrize("name", NAMES)
def test_csv_stream_is_complete_when_rows_exceed_max_returned_rows(small_pages_datasette, built_db, name):
    assert_full_csv(small_pages_datasette, built_db, name)


# 5. Metadata -------------------------------------------------------------------------


def published_tables(db_path) -> tuple[set[str], set[str]]:
    """Tables and views of the SQLite file, without the full-text index
    tables (the FTS virtual tables and their shadow tables, hidden by Datasette)."""
    db = sqlite_utils.Database(db_path)
    fts = {name for (name,) in db.execute("select name from sqlite_master where type = 'table' and sql like 'create virtual table%using fts%'").fetchall()}
    tables = {
        name for name in db.table_names()
        if name not in fts and not any(name.startswith(f"{index}_") for index in fts) and not name.startswith("sqlite_")
    }
    return tables, set(db.view_names())


def test_sqlite_file_holds_exactly_the_public_tables_and_views(built_db):
    tables, views = published_tables(built_db)
    # Beside them, hidden, the record of what the database was built from (for the next build).
    assert tables == {table.name for table in TABLES} | {table.name for table in BUILD_RECORD}
    assert views == {view.name for view in VIEWS}


def test_every_table_and_column_in_the_sqlite_file_is_described(built_db):
    tables, views = published_tables(built_db)
    db = sqlite_utils.Database(built_db)
    undescribed = []
    for name in sorted(tables | views):
        entry = TABLE_METADATA.get(name) or {}
        if not (entry.get("description") or "").strip():
            undescribed.append(name)
        described = entry.get("columns") or {}
        for column in db[name].columns:
            if not (described.get(column.name) or "").strip():
                undescribed.append(f"{name}.{column.name}")
    assert not undescribed, f"no description in metadata.yml for: {undescribed}"


@pytest.mark.parametrize("name", NAMES)
def test_columns_are_described_in_metadata(built_db, name):
    described = TABLE_METADATA[name].get("columns") or {}
    for column in columns_of(built_db, name):
        assert (described.get(column) or "").strip(), f"{name}.{column} has no description in metadata.yml"
    # No description for a column that does not exist.
    assert set(described) <= set(columns_of(built_db, name))


def test_foreign_key_targets_have_a_label_column(built_db):
    tables, _ = published_tables(built_db)
    targets = {}
    for name in tables:
        for fk in query(built_db, f"pragma foreign_key_list([{name}])"):
            targets.setdefault(fk[2], []).append(f"{name}.{fk[3]}")
    assert targets, "no foreign keys in the SQLite file"
    for target, referrers in sorted(targets.items()):
        label_column = TABLE_METADATA.get(target, {}).get("label_column")
        assert label_column, f"{target} is referenced by {referrers} but has no label_column in metadata.yml"
        assert label_column in columns_of(built_db, target)


def test_instance_has_title_license_and_source():
    assert METADATA.get("title") or METADATA.get("description") or METADATA.get("description_html")
    assert METADATA.get("license")
    assert METADATA.get("source")


@pytest.mark.parametrize("name", NAMES)
def test_table_has_title_or_description_license_and_source(name):
    entry = TABLE_METADATA.get(name)
    assert entry, f"{name} has no entry in metadata.yml"
    assert entry.get("title") or entry.get("description")
    assert entry.get("license")
    assert entry.get("source")


def test_metadata_yml_is_not_stale():
    result = CliRunner().invoke(cli, ["metadata", "--check", "--root", str(PROJECT_ROOT)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


# 6. Canned queries ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(QUERIES))
def test_canned_query_runs_with_real_parameters(claims_datasette, built_db, name):
    params = fill_parameters(built_db, name)
    suffix = ("&" + urlencode(params)) if params else ""
    data = get_json(claims_datasette, f"/{DATABASE}/{name}.json?_shape=objects{suffix}")
    assert data["ok"] is True and data["error"] is None, data.get("error")
    expected = query(built_db, QUERIES[name]["sql"], params)
    assert [tuple(row.values()) for row in data["rows"]] == expected[:MAX_ROWS]
    assert data["truncated"] == (len(expected) > MAX_ROWS)
    page = get_ok(claims_datasette, f"/{DATABASE}/{name}" + ("?" + urlencode(params) if params else ""))
    assert page.headers["content-type"].startswith("text/html")


def test_claims_by_agent_lists_the_speakers_claims(claims_datasette, built_db):
    require_claims(built_db)
    agent = agent_with_claims(built_db)
    data = get_json(claims_datasette, f"/{DATABASE}/claims_by_agent.json?_shape=objects&" + urlencode({"agent_id": agent}))
    ids = [row["id"] for row in data["rows"]]
    expected = {claim_id for (claim_id,) in query(built_db, "select id from claims where speaker_id = ?", (agent,))}
    assert ids and set(ids) == expected and len(ids) == len(expected)


def test_figures_for_measure_lists_its_quantity_claims_lowest_first(claims_datasette, built_db):
    require_claims(built_db)
    measure = measure_with_quantity_claims(built_db)
    if measure is None:
        pytest.skip("the corpus has no quantity claims with a measure yet")
    data = get_json(claims_datasette, f"/{DATABASE}/figures_for_measure.json?_shape=objects&" + urlencode({"measure_id": measure}))
    rows = data["rows"]
    expected = {claim_id for (claim_id,) in query(built_db, "select id from claims where kind = 'quantity' and measure_id = ?", (measure,))}
    assert rows and {row["id"] for row in rows} == expected and len(rows) == len(expected)
    lows = [row["value_low"] for row in rows]
    bounded = [low for low in lows if low is not None]
    assert bounded == sorted(bounded)
    assert lows == bounded + [None] * (len(lows) - len(bounded)), "unbounded-below figures must come last"


def test_search_quotes_marks_the_matched_words(claims_datasette, built_db):
    require_claims(built_db)
    claim_id, word = quote_word(built_db)
    data = get_json(claims_datasette, f"/{DATABASE}/search_quotes.json?_shape=objects&" + urlencode({"q": word}))
    snippets = {row["id"]: row["quote_snippet"] for row in data["rows"]}
    assert claim_id in snippets, f"searching the quotes for {word!r} did not find claim {claim_id}, whose quote holds it"
    assert "[[" in snippets[claim_id] and "]]" in snippets[claim_id], snippets[claim_id]
    marked = {m for snippet in snippets.values() for m in re.findall(r"\[\[(.*?)\]\]", snippet or "", re.S)}

    page = get_ok(claims_datasette, f"/{DATABASE}/search_quotes?" + urlencode({"q": word}))
    assert "<mark>" in page.text, f"no <mark> in the search_quotes page for q={word!r}"
    for m in marked:
        assert f"<mark>{escape(m)}</mark>" in page.text
    # Only the markers become HTML: the rest of the snippet is escaped.
    assert "&lt;mark&gt;" not in page.text


@pytest.mark.parametrize("typed", ["death-commission", "Raisi's", '"genocide', "AND", "crimes against humanity"])
def test_search_quotes_takes_what_a_reader_types(claims_datasette, built_db, typed):
    require_claims(built_db)
    data = get_json(claims_datasette, f"/{DATABASE}/search_quotes.json?_shape=objects&" + urlencode({"q": typed}))
    if typed in ("death-commission", "Raisi's", "crimes against humanity"):
        assert data["rows"], typed


# 7. Immutable, with the server's settings -------------------------------------------------


def test_database_is_served_immutable(claims_datasette):
    databases = {entry["name"]: entry for entry in get_json(claims_datasette, "/-/databases.json")}
    assert DATABASE in databases
    assert databases[DATABASE]["is_mutable"] is False


def test_settings_are_the_servers(claims_datasette):
    settings = get_json(claims_datasette, "/-/settings.json")
    assert {key: settings.get(key) for key in SETTINGS} == SETTINGS


# 8. Full-text search ------------------------------------------------------------------------


@pytest.mark.parametrize("name", FTS_TABLES)
def test_full_text_search_finds_matches(claims_datasette, built_db, name):
    table = TABLE_BY_NAME[name]
    texts = [row[0] for row in query(built_db, f"select [{table.fts[0]}] from [{name}] order by rowid")]
    word = word_from(texts)
    if word is None:
        pytest.skip(f"{name} has no rows with text to search yet")
    expected = {row[0] for row in query(built_db, f"select [{table.pk}] from [{name}] where rowid in (select rowid from [{name}_fts] where [{name}_fts] match ?)", (f'"{word}"',))}
    assert expected
    data = get_json(claims_datasette, f"/{DATABASE}/{name}.json?_shape=objects&_size=max&" + urlencode({"_search": word}))
    assert {row[table.pk] for row in data["rows"]} == expected
    counted = get_json(claims_datasette, f"/{DATABASE}/{name}.json?" + urlencode({"_search": word}))
    assert counted["filtered_table_rows_count"] == len(expected)
