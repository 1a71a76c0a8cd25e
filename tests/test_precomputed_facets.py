"""Default facets counted once per build (claimsdb.instance.inspect_data, under
"facets") and served by plugins/precomputed_facets.py for pages that filter
nothing: the same results as Datasette's own column facet, on the seed
corpus and on a synthetic corpus with relations, and Datasette's own facet
for every other page."""

from __future__ import annotations

import asyncio
import copy
import re
import sqlite3

import pytest

import claimsdb
from claimsdb.instance import default_facets, inspect_data, make_datasette

from .conftest import PROJECT_ROOT, nest_subjects, synthetic

FACETS = default_facets(PROJECT_ROOT)


@pytest.fixture(scope="module", params=["seed", "synthetic with parts"])
def any_db(request, built_db, tmp_path_factory):
    if request.param == "seed":
        return built_db
    directory = tmp_path_factory.mktemp("facets")
    corpus = synthetic(directory / "claims", claims=600, seed=11)
    nest_subjects(corpus)
    return claimsdb.build(corpus, directory / "claims.db").db_path


@pytest.fixture(scope="module")
def kept(any_db):
    return inspect_data(any_db, FACETS)


def get(datasette, path: str):
    response = asyncio.run(datasette.client.get(path))
    assert response.status_code == 200, f"GET {path} -> {response.status_code}: {response.text[:500]}"
    return response


def test_default_facets_are_those_of_metadata_yml():
    assert FACETS["claims"] == ["kind", "speaker_id", "subject_id", "measure_id", "mode", "source_id"]
    assert {"relations", "conflicts", "coverage", "estimates"} <= set(FACETS)


def test_the_kept_counts_are_sqlites_and_a_views_count_is_its_rows(any_db, kept):
    entry = kept["claims"]
    conn = sqlite3.connect(any_db)
    try:
        for name, columns in FACETS.items():
            for column in columns:
                expected = conn.execute(f"select [{column}], count(*) as n from [{name}] where [{column}] is not null "
                                        f"group by [{column}] order by n desc, [{column}]").fetchall()
                assert [tuple(row) for row in entry["facets"]["tables"][name][column]] == expected[:entry["facets"]["rows"]], (name, column)
        for view in entry["views"]:
            assert entry["tables"][view]["count"] == conn.execute(f"select count(*) from [{view}]").fetchone()[0], view
    finally:
        conn.close()


@pytest.mark.parametrize("query", ["", "?_facet_size=max", "?_facet_size=2", "?_size=1"])
def test_an_unfiltered_page_shows_the_facets_datasette_computes(any_db, kept, query):
    ours = make_datasette(any_db, PROJECT_ROOT, inspect=kept)
    datasettes = make_datasette(any_db, PROJECT_ROOT, inspect=inspect_data(any_db))  # no kept facets: ColumnFacet itself
    for name in FACETS:
        for suffix in (".json", ""):
            path = f"/claims/{name}{suffix}{query}"
            got, expected = get(ours, path), get(datasettes, path)
            if suffix == ".json":
                assert got.json()["facet_results"] == expected.json()["facet_results"], path
                assert got.json()["facet_results"], path
            else:  # the whole page, but for how long its queries took
                assert untimed(got.text) == untimed(expected.text), path


def untimed(html: str) -> str:
    return re.sub(r"took [0-9.]+ ?ms", "took", html)


def tampered(kept: dict) -> dict:
    """The kept counts with one count no query would give, to tell where a page took its counts from."""
    data = copy.deepcopy(kept)
    data["claims"]["facets"]["tables"]["claims"]["kind"][0][1] += 1000
    return data


def kind_counts(datasette, path: str) -> dict:
    return {value["value"]: value["count"] for value in get(datasette, path).json()["facet_results"]["kind"]["results"]}


def test_an_unfiltered_page_takes_its_counts_from_the_kept_ones(any_db, kept):
    data = tampered(kept)
    datasette = make_datasette(any_db, PROJECT_ROOT, inspect=data)
    value, count = data["claims"]["facets"]["tables"]["claims"]["kind"][0]
    assert kind_counts(datasette, "/claims/claims.json")[value] == count


@pytest.mark.parametrize("query", ["kind=quantity", "mode__not=own-voice", "_search=executed", "_where=line > 1", "_facet=label", "_facet_size=1001"])
def test_any_other_page_counts_with_sql(any_db, kept, query):
    data = tampered(kept)
    datasette = make_datasette(any_db, PROJECT_ROOT, inspect=data)
    plain = make_datasette(any_db, PROJECT_ROOT, inspect=inspect_data(any_db))
    path = f"/claims/claims.json?{query}"
    if query == "_facet_size=1001":
        # More values than were kept: for a column with that many the page asks SQL.
        data["claims"]["facets"]["rows"] = 2
    got, expected = get(datasette, path).json(), get(plain, path).json()
    assert got["facet_results"] == expected["facet_results"]
    assert got["filtered_table_rows_count"] == expected["filtered_table_rows_count"]


def test_a_later_page_of_a_table_counts_with_sql_as_datasette_does(any_db, kept):
    datasette = make_datasette(any_db, PROJECT_ROOT, inspect=tampered(kept))
    plain = make_datasette(any_db, PROJECT_ROOT, inspect=inspect_data(any_db))
    first = get(plain, "/claims/claims.json?_size=5").json()
    path = f"/claims/claims.json?_size=5&_next={first['next']}"
    assert get(datasette, path).json()["facet_results"] == get(plain, path).json()["facet_results"]
