"""The published instance under hostile use: nothing written, runaway SQL cut
while the server keeps answering, limits set on purpose, nothing exposed
beyond the data. In process (Datasette's test client, the project's
settings and plugins) and on a real server on loopback, as `make serve`
runs it."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import threading
import urllib.parse

import pytest

from claimsdb.instance import MAX_VALUE_BYTES, SETTINGS, make_datasette

from .conftest import PROJECT_ROOT
from .test_serve import fetch

TIME_LIMIT_MESSAGE = "SQL query took too long. The time limit is controlled by the"


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def sql_json(ds, sql: str):
    return get(ds, "/claims.json?" + urllib.parse.urlencode({"sql": sql}))


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Nothing is written ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql, error",
    [
        ("insert into claims (id) values ('x')", "Statement must be a SELECT"),
        ("replace into claims (id) values ('x')", "Statement must be a SELECT"),
        ("update claims set quote = 'x'", "Statement must be a SELECT"),
        ("delete from claims", "Statement must be a SELECT"),
        ("drop table claims", "Statement must be a SELECT"),
        ("create table x (y)", "Statement must be a SELECT"),
        ("create temp table x (y)", "Statement must be a SELECT"),
        ("alter table claims rename to x", "Statement must be a SELECT"),
        ("attach database '{tmp}/attached.db' as attached", "Statement must be a SELECT"),
        ("pragma journal_mode = delete", "Statement must be a SELECT"),
        ("pragma user_version = 5", "Statement must be a SELECT"),
        ("vacuum into '{tmp}/copy.db'", "Statement must be a SELECT"),
        ("reindex", "Statement must be a SELECT"),
        ("analyze", "Statement must be a SELECT"),
        ("begin immediate", "Statement must be a SELECT"),
        ("/* a comment first */ delete from claims", "Statement must be a SELECT"),
        # These pass Datasette's check on the first word; the read-only,
        # immutable connection refuses them.
        ("with x as (select 1) insert into claims (id) select * from x", "attempt to write a readonly database"),
        ("with x as (select 1) delete from claims", "attempt to write a readonly database"),
        ("with x as (select 1) update claims set quote = 'x'", "attempt to write a readonly database"),
        ("select 1; delete from claims", "You can only execute one statement at a time."),
        ("select * from pragma_user_version", "Statement contained a disallowed PRAGMA."),
    ],
)
def test_sql_that_writes_is_refused_and_the_file_is_unchanged(claims_datasette, built_db, tmp_path, sql, error):
    before = sha256(built_db)
    response = sql_json(claims_datasette, sql.format(tmp=tmp_path))
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["error"].startswith(error)
    assert sha256(built_db) == before
    assert list(tmp_path.iterdir()) == []  # neither attached nor vacuumed into


def test_there_is_no_write_api_and_no_post(claims_datasette):
    # Refused before Datasette sees it (plugins/reader_errors.py): the instance only reads.
    assert asyncio.run(claims_datasette.client.post("/claims/claims/-/insert", json={"row": {"id": "x"}})).status_code == 405
    assert asyncio.run(claims_datasette.client.post("/claims", data={"sql": "delete from claims"})).status_code == 405
    assert not any(query.get("write") for query in claims_datasette.metadata("queries", database="claims").values())


def test_only_the_claims_database_is_served_and_it_is_immutable(claims_datasette):
    databases = get(claims_datasette, "/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("claims", False)]
    assert get(claims_datasette, "/_internal").status_code == 403
    assert get(claims_datasette, "/_memory").status_code == 404


def test_downloading_the_database_gives_exactly_the_published_file(claims_datasette, built_db):
    response = get(claims_datasette, "/claims.db")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256(built_db)


def test_debugging_output_is_off(claims_datasette):
    page = get(claims_datasette, "/claims/claims?_context=1")
    assert page.headers["content-type"].startswith("text/html")
    assert "_trace" not in get(claims_datasette, "/claims/claims.json?_trace=1").json()


# Functions that escape the time limit or reach into the server ------------------------------


@pytest.mark.parametrize(
    "sql, error",
    [
        ("select fts3_tokenizer('simple')", "not authorized to use function: fts3_tokenizer"),
        ("select FTS3_TOKENIZER('simple', x'4141414141414141')", "not authorized to use function: FTS3_TOKENIZER"),
        ("select printf('%.*c', 999999999, 'x')", "not authorized to use function: printf"),
        ("select format('%.*c', 999999999, 'x')", "not authorized to use function: format"),
        ("select length(zeroblob(999999999))", "string or blob too big"),
        ("select length(randomblob(999999999))", "string or blob too big"),
        (f"select length(hex(zeroblob({MAX_VALUE_BYTES // 2 + 1})))", "string or blob too big"),
    ],
)
def test_sql_that_would_run_or_grow_past_the_limits_in_one_step_is_refused(claims_datasette, sql, error):
    response = sql_json(claims_datasette, sql)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert sql_json(claims_datasette, "select count(*) as n from claims").status_code == 200


def test_the_longest_stored_value_fits_under_the_length_limit(claims_datasette):
    [[longest]] = sql_json(claims_datasette, "select max(length(cast(text as blob))) from sources").json()["rows"]
    assert longest < MAX_VALUE_BYTES
    assert sql_json(claims_datasette, "select * from sources order by title").status_code == 200


# Runaway queries, on the real server -------------------------------------------------------------

RUNAWAY = [
    pytest.param("with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c", id="recursive-cte"),
    pytest.param("select count(*) from claims a, claims b, claims c, claims d, claims e", id="cross-join"),
]


def fetch_sql(base: str, sql: str) -> tuple[int, dict]:
    status, body = fetch(base + "/claims.json?" + urllib.parse.urlencode({"sql": sql}))
    return status, json.loads(body)


@pytest.mark.parametrize("sql", RUNAWAY)
def test_runaway_query_is_cut_at_the_time_limit_while_the_server_keeps_answering(server, sql):
    outcome = {}
    runaway = threading.Thread(target=lambda: outcome.update(runaway=fetch_sql(server, sql)))
    runaway.start()
    # Asked while the runaway query holds one SQL thread: the others answer.
    status, body = fetch_sql(server, "select count(*) as n from claims")
    runaway.join(timeout=60)
    assert status == 200 and body["rows"][0][0] > 0
    status, body = outcome["runaway"]
    assert status == 400
    assert TIME_LIMIT_MESSAGE in body["error"] and "sql_time_limit_ms" in body["error"]
    assert fetch_sql(server, "select count(*) as n from claims")[0] == 200


def test_a_query_that_builds_more_values_than_the_memory_ceiling_is_refused_and_the_server_survives(server):  # noqa: F811
    # Each value is under the length limit; together they would be gigabytes.
    status, body = fetch_sql(server, f"select hex(zeroblob({MAX_VALUE_BYTES // 2 - 1})) from claims a, claims b")
    assert status == 400
    assert body["error"] == "The query needed more memory than this instance allows. Ask for fewer rows or smaller values."
    assert fetch(server + "/claims/claims.json")[0] == 200


def test_refused_writes_over_http_leave_the_served_file_unchanged(server, built_db):  # noqa: F811
    before = sha256(built_db)
    for sql in ["pragma user_version = 5", "pragma journal_mode = delete", "with x as (select 1) delete from claims"]:
        assert fetch_sql(server, sql)[0] == 400
    assert sha256(built_db) == before


# Limits chosen on purpose ---------------------------------------------------------------------------


def test_sql_results_stop_at_max_returned_rows(claims_datasette):
    limit = SETTINGS["max_returned_rows"]
    data = sql_json(claims_datasette, f"with recursive c(x) as (select 1 union all select x + 1 from c limit {limit * 5}) select x from c").json()
    assert len(data["rows"]) == limit
    assert data["truncated"] is True
    response = get(claims_datasette, f"/claims/claims.json?_size={limit + 1}")
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"_size= can ask for at most {limit} rows at once")


def test_every_full_csv_fits_the_csv_limit_ten_times_over(claims_datasette):
    names = [row[0] for row in sql_json(claims_datasette, "select name from sqlite_master where type in ('table', 'view') and name not like '%fts%'").json()["rows"]]
    for name in names:
        response = get(claims_datasette, f"/claims/{name}.csv?_stream=on&_labels=on")
        assert response.status_code == 200
        assert len(response.content) * 10 < SETTINGS["max_csv_mb"] * 1024 * 1024, name


def test_a_csv_over_the_limit_is_cut_with_datasettes_message(built_db):
    ds = make_datasette(built_db, PROJECT_ROOT, max_csv_mb=1)
    response = get(ds, "/claims.csv?" + urllib.parse.urlencode({"sql": "select hex(zeroblob(100000)) as filler from claims"}))
    assert response.text.endswith(f"CSV contains more than {1024 * 1024} bytes")
    assert len(response.content) < 2 * 1024 * 1024


# CSV: the data as it is -------------------------------------------------------------------------------

FORMULA_LIKE = {"equals": "=1+1", "plus": "+1", "minus": "-5", "at": "@SUM(A1)", "hyperlink": '=HYPERLINK("https://example.invalid/?leak=1", "x")'}


def test_csv_cells_that_look_like_spreadsheet_formulas_are_exported_as_they_are(claims_datasette):
    # Policy (README, "CSV downloads"): CSV carries the data byte for byte,
    # since quotes are evidence and -5 is a number; nothing is prefixed.
    sql = "select " + ", ".join(f"'{value.replace(chr(39), chr(39) * 2)}' as {name}" for name, value in FORMULA_LIKE.items()) + ", -5 as number"
    response = get(claims_datasette, "/claims.csv?" + urllib.parse.urlencode({"sql": sql}))
    assert response.status_code == 200
    header, row = list(csv.reader(io.StringIO(response.text, newline="")))
    assert dict(zip(header, row)) == {**FORMULA_LIKE, "number": "-5"}


def test_csv_is_shown_as_text_unless_asked_for_as_a_download(claims_datasette):
    shown = get(claims_datasette, "/claims/claims.csv")
    assert shown.headers["content-type"] == "text/plain; charset=utf-8"
    assert "content-disposition" not in shown.headers
    downloaded = get(claims_datasette, "/claims/claims.csv?_dl=1")
    assert downloaded.headers["content-type"] == "text/csv; charset=utf-8"
    assert downloaded.headers["content-disposition"] == 'attachment; filename="claims.csv"'
