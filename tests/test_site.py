"""The landing page, the database page and the one search across the corpus
(plugins/site.py, templates/index.html, database-claims.html, search.html),
on the seed corpus served by the real Datasette."""

from __future__ import annotations

import asyncio
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest


def get(ds, path: str):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.text


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.forms: list[dict] = []
        self.bars: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "form":
            self.forms.append(attrs)
        if tag == "g" and "bar" in (attrs.get("class") or "").split():
            self.bars.append(attrs["data-claim"])


def links(html: str) -> Links:
    parsed = Links()
    parsed.feed(html)
    return parsed


def test_landing_page_says_what_the_instance_is_and_that_it_never_adjudicates(claims_datasette):
    html = get(claims_datasette, "/")
    assert "never adjudicates" in html and "How to read it" in html
    assert "speaker" in html and "reporter" in html and "verbatim quote" in html


def test_landing_page_charts_every_measure_and_links_each_chart_to_its_page(claims_datasette, db):
    page = links(get(claims_datasette, "/"))
    measures = [row[0] for row in db.execute("select distinct measure_id from claims where kind = 'quantity'")]
    assert measures
    for measure in measures:
        assert f"/claims/measures/{measure}" in page.hrefs
    quantity = sorted(row[0] for row in db.execute("select id from claims where kind = 'quantity'"))
    assert sorted(page.bars) == quantity
    assert {f"/claims/claims/{claim}" for claim in quantity} <= set(page.hrefs)


def test_landing_page_shows_the_latest_conflicts_and_links_to_all_of_them(claims_datasette, db):
    html = get(claims_datasette, "/")
    page = links(html)
    assert "/claims/conflicts" in page.hrefs
    pairs = db.execute("select claim_id, other_claim_id from relations where relation in ('contradicts', 'in-tension')").fetchall()
    assert pairs
    shown = [pair for pair in pairs if f"/claims/claims/{pair[0]}" in page.hrefs and f"/claims/claims/{pair[1]}" in page.hrefs]
    assert len(shown) == min(len(pairs), 6)
    assert f"{len(pairs)} pair" in html


def test_landing_page_links_every_way_in_and_every_canned_query(claims_datasette):
    page = links(get(claims_datasette, "/"))
    for table in ("conflicts", "estimates", "sources", "agents", "subjects", "measures", "claims"):
        assert f"/claims/{table}" in page.hrefs, table
    for name in claims_datasette.metadata("queries", database="claims"):
        assert f"/claims/{name}" in page.hrefs, name
    assert {"action": "/-/search", "method": "get", "class": "site-search", "role": "search"} in page.forms


def test_database_page_starts_the_sql_box_on_the_claims_and_leads_to_the_ways_in(claims_datasette):
    html = get(claims_datasette, "/claims")
    assert re.search(r'<textarea id="sql-editor" name="sql">select \* from claims</textarea>', html)
    assert "Start here" in html and 'href="/claims/conflicts"' in html and 'href="/-/search"' in html


def search(ds, typed: str) -> str:
    return get(ds, "/-/search?" + urlencode({"q": typed}))


def test_search_finds_claims_by_their_quote_and_statement(claims_datasette, db):
    claim_id, quote = db.execute("select id, quote from claims where quote like '% genocide%' order by id").fetchone()
    page = links(search(claims_datasette, "genocide"))
    assert f"/claims/claims/{claim_id}" in page.hrefs
    assert "<mark>genocide</mark>" in search(claims_datasette, "genocide").lower()


def test_search_finds_sources_agents_and_subjects(claims_datasette, db):
    source_id, title = db.execute("select id, title from sources order by id").fetchone()
    word = max(re.findall(r"[A-Za-z]{5,}", title), key=len)
    assert f"/claims/sources/{source_id}" in links(search(claims_datasette, word)).hrefs
    agent_id, name = db.execute("select id, name from agents where id in (select speaker_id from claims) order by id").fetchone()
    assert f"/claims/agents/{agent_id}" in links(search(claims_datasette, name)).hrefs
    subject_id, name = db.execute("select id, name from subjects order by id").fetchone()
    assert f"/claims/subjects/{subject_id}" in links(search(claims_datasette, name)).hrefs


@pytest.mark.parametrize("typed", ["", " ", '"', '""', '"a" "', "%", "_", "\\"])
def test_an_empty_or_malformed_search_is_a_friendly_page(claims_datasette, typed):
    html = search(claims_datasette, typed)
    if not typed.replace('"', "").strip():
        assert "Type one or more words" in html


def test_a_search_that_finds_nothing_says_so(claims_datasette):
    assert "Nothing matches" in search(claims_datasette, "zzzyxq")
