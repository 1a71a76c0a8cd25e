"""The inspect data `claimsdb serve` reads once for each build it serves:
the file's hash, size and table counts, so that table pages count no rows."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3

from claimsdb.instance import inspect_data, make_datasette

from .conftest import PROJECT_ROOT


def test_the_inspect_data_holds_the_builds_hash_size_and_every_tables_count(built_db):
    data = inspect_data(built_db)["claims"]
    assert data["hash"] == hashlib.sha256(built_db.read_bytes()).hexdigest()
    assert data["size"] == built_db.stat().st_size
    with sqlite3.connect(built_db) as conn:
        tables = [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]
        assert {name: data["tables"][name]["count"] for name in tables} == {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in tables}


def test_a_table_page_takes_its_count_from_the_inspect_data(built_db):
    data = inspect_data(built_db)
    # A count no query would give: the page can only have it from the inspect data.
    data["claims"]["tables"]["claims"]["count"] += 1000
    datasette = make_datasette(built_db, PROJECT_ROOT, inspect=data)
    response = asyncio.run(datasette.client.get("/claims/claims.json?_size=1"))
    assert response.status_code == 200
    assert response.json()["filtered_table_rows_count"] == data["claims"]["tables"]["claims"]["count"]
    filtered = asyncio.run(datasette.client.get("/claims/claims.json?_size=1&kind=figure"))  # a filter is counted by SQL
    with sqlite3.connect(built_db) as conn:
        figures = conn.execute("select count(*) from claims where kind = 'figure'").fetchone()[0]
    assert filtered.json()["filtered_table_rows_count"] == figures


def test_a_view_page_takes_its_count_from_the_inspect_data_and_the_database_page_lists_only_tables(built_db):
    data = inspect_data(built_db)
    with sqlite3.connect(built_db) as conn:
        views = [row[0] for row in conn.execute("select name from sqlite_master where type = 'view'")]
        assert {"relations", "conflicts", "estimates"} <= set(views) and data["claims"]["views"] == sorted(views)
        assert {name: data["claims"]["tables"][name]["count"] for name in views} == {
            name: conn.execute(f"select count(*) from [{name}]").fetchone()[0] for name in views}
        tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    data["claims"]["tables"]["conflicts"]["count"] += 1000  # a count only the inspect data can give
    datasette = make_datasette(built_db, PROJECT_ROOT, inspect=data)
    response = asyncio.run(datasette.client.get("/claims/conflicts.json?_size=1"))
    assert response.status_code == 200
    assert response.json()["filtered_table_rows_count"] == data["claims"]["tables"]["conflicts"]["count"]
    database = asyncio.run(datasette.client.get("/claims.json"))
    assert database.status_code == 200
    assert {t["name"] for t in database.json()["tables"]} == tables
    assert {v["name"] for v in database.json()["views"]} == set(views)
    assert asyncio.run(datasette.client.get("/claims")).status_code == 200
    assert asyncio.run(datasette.client.get("/")).status_code == 200
