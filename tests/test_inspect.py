"""The inspect data `claimsdb serve` reads once for each build it serves:
the file's hash, size and table counts, so that table pages count no rows."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3

from claimsdb.serve import inspect_data, make_datasette

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
