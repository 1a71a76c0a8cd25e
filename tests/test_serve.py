"""The server as `make serve` starts it: a real Datasette process on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_server_answers_on_loopback_with_the_claims_table(server):
    status, body = fetch(server + "/claims/claims")
    assert status == 200
    assert b"claims" in body


def test_server_serves_the_database_immutable(server):
    status, body = fetch(server + "/-/databases.json")
    assert status == 200
    [database] = [d for d in json.loads(body) if d["name"] == "claims"]
    assert database["is_mutable"] is False


@pytest.mark.parametrize("sql", ["delete from claims", "update claims set quote = 'x'", "drop table claims"])
def test_server_refuses_sql_that_writes(server, sql):
    status, _ = fetch(server + "/claims.json?" + urllib.parse.urlencode({"sql": sql}))
    assert status >= 400
    status, body = fetch(server + "/claims.json?sql=select+count(*)+as+n+from+claims&_shape=array")
    assert status == 200 and json.loads(body)[0]["n"] > 0
