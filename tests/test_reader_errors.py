"""Nothing a reader sends makes the published instance answer 500: bad sorts,
parameters and searches get 400 (or a friendly 200) with a sentence, every
method but GET and HEAD gets 405, every answer says nosniff, and text that
runs right to left, or holds bidirectional controls, never reorders a page."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from claimsdb.tables import TABLES, VIEWS
from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT

NAMES = [table.name for table in TABLES] + [view.name for view in VIEWS]
QUERIES = ["search_quotes", "claims_by_agent", "conflicts_with_claim", "figures_for_measure"]
RIGHT_TO_LEFT_OVERRIDE = "\u202e"


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


# What a reader can put in the address of any table or view page.
BAD_PARAMETERS = [
    {"_sort": "nonexistent"},
    {"_sort_desc": "nonexistent"},
    {"_sort": "rowid", "_sort_desc": "rowid"},
    {"_through": "not json"},
    {"_through": '{"table": "nonexistent", "column": "x", "value": "y"}'},
    {"_through": "[1, 2]"},
    {"_facet": "nonexistent"},
    {"_facet_array": "nonexistent"},
    {"_facet_date": "nonexistent"},
    {"_col": "nonexistent"},
    {"_nocol": "nonexistent"},
    {"_size": "abc"},
    {"_size": "-1"},
    {"_next": "abc"},
    {"_search": ""},
    {"_search": '"'},
    {"_where": "1="},
    {"nonexistent__gt": "1"},
]


@pytest.mark.parametrize("name", NAMES)
def test_no_parameter_a_reader_sends_to_a_table_or_view_answers_500(claims_datasette, name):
    for parameters in BAD_PARAMETERS:
        for suffix in ("", ".json"):
            response = get(claims_datasette, f"/claims/{name}{suffix}?" + urlencode(parameters))
            assert response.status_code < 500, (name, parameters, response.text[:300])
            if response.status_code == 400 and suffix == ".json":
                assert response.json()["error"].strip().endswith("."), (name, parameters, response.json()["error"])


def test_a_sort_by_a_column_that_does_not_exist_says_so(claims_datasette):
    response = get(claims_datasette, "/claims/claims?_sort=nonexistent")
    assert response.status_code == 400
    assert "cannot be sorted by “nonexistent”" in response.text


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/claims/claims", "/claims/conflicts", "/claims/search_quotes?q=genocide",
                                  "/claims/claims/ant-executed-more-than-30000", "/claims", "/", "/claims/claims/-/insert"])
def test_every_method_but_get_and_head_is_refused_with_a_sentence(claims_datasette, method, path):
    response = asyncio.run(getattr(claims_datasette.client, method)(path))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.text.startswith("This instance is read-only")


@pytest.mark.parametrize("path", ["/claims/claims.csv", "/claims/claims.csv?_dl=1", "/claims/claims.json",
                                  "/claims/claims", "/claims.csv?sql=select+1", "/", "/claims/claims?_sort=nonexistent"])
def test_every_answer_says_nosniff(claims_datasette, path):
    assert get(claims_datasette, path).headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("typed", ["", " ", '"', '""', '"" ""', '"a" "', "\t"])
def test_an_empty_or_malformed_search_of_the_quotes_is_a_friendly_page(claims_datasette, typed):
    response = get(claims_datasette, "/claims/search_quotes?" + urlencode({"q": typed}))
    assert response.status_code == 200
    if not typed.replace('"', "").strip():
        assert "Type one or more words" in response.text
    assert get(claims_datasette, "/claims/search_quotes.json?" + urlencode({"q": typed})).status_code == 200


def test_search_quotes_opened_without_a_search_is_a_friendly_page(claims_datasette):
    response = get(claims_datasette, "/claims/search_quotes")
    assert response.status_code == 200 and "Type one or more words" in response.text


@pytest.mark.parametrize("typed", ["", '"', "  "])
def test_an_empty_table_search_lists_every_row(claims_datasette, built_db, typed):
    data = get(claims_datasette, "/claims/claims.json?" + urlencode({"_search": typed})).json()
    assert data["filtered_table_rows_count"] == sqlite3.connect(built_db).execute("select count(*) from claims").fetchone()[0]


# Bidirectional text ---------------------------------------------------------------------


class Isolation(HTMLParser):
    """Where each bidirectional control of the body stands: inside a <bdi> or not."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "wbr", "col", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.in_title = False
        self.title = ""
        self.bare: list[str] = []
        self.isolated = 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif RIGHT_TO_LEFT_OVERRIDE in data:
            # A table cell of Datasette's own row table is a paragraph of its
            # own to the bidirectional algorithm: nothing in it reaches out.
            if "bdi" in self.stack or (self.stack and self.stack[-1] in ("td", "th")):
                self.isolated += data.count(RIGHT_TO_LEFT_OVERRIDE)
            elif "script" not in self.stack:
                self.bare.append(f"{'/'.join(self.stack[-3:])}: {data.strip()[:60]!r}")


@pytest.fixture(scope="module")
def overridden_db(built_db, tmp_path_factory):
    """The built database with U+202E in every editor-written field of one
    claim, its speaker, reporter, source, subject and measure (edited in SQLite:
    the checks refuse such files, the pages must not trust that they did)."""
    edited = tmp_path_factory.mktemp("bidi") / "claims.db"
    shutil.copy(built_db, edited)
    with sqlite3.connect(edited) as conn:
        claim = conn.execute("select * from claims where kind = 'quantity' and id in (select claim_id from relations) order by id limit 1").fetchone()
        columns = [d[0] for d in conn.execute("select * from claims limit 0").description]
        claim = dict(zip(columns, claim))
        o = RIGHT_TO_LEFT_OVERRIDE
        conn.execute("update claims set statement = ?, note = ? where id = ?", (f"{o}The speaker says so", f"{o}read so", claim["id"]))
        conn.execute("update agents set name = ?, description = ? where id in (?, ?)", (f"{o}Name", f"{o}described", claim["speaker_id"], claim["reporter_id"]))
        conn.execute("update sources set title = ? where id = ?", (f"{o}Title", claim["source_id"]))
        conn.execute("update subjects set name = ? where id = ?", (f"{o}Subject", claim["subject_id"]))
        conn.execute("update measures set name = ? where id = ?", (f"{o}Measure", claim["measure_id"]))
        conn.execute("update declared_relations set rationale = ? where ? in (claim_id, other_claim_id)", (f"{o}because", claim["id"]))
        conn.execute("update figure_relations set rationale = ? where ? in (figure_id, other_figure_id)", (f"{o}because", claim["figure_id"]))
    return edited, claim


def test_bidirectional_controls_stay_inside_an_isolate_on_every_evidence_page(overridden_db):
    edited, claim = overridden_db
    ds = make_datasette(edited, PROJECT_ROOT)
    for path in (f"/claims/claims/{claim['id']}", f"/claims/sources/{claim['source_id']}", f"/claims/measures/{claim['measure_id']}"):
        response = get(ds, path)
        assert response.status_code == 200, path
        page = Isolation()
        page.feed(response.text)
        assert page.isolated, f"{path} shows none of the edited fields"
        assert not page.bare, f"{path}: bidirectional controls outside <bdi>: {page.bare}"
        assert RIGHT_TO_LEFT_OVERRIDE not in page.title, path
