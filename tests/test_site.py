"""The landing page, the database page and the one search across the corpus
(plugins/site.py, templates/index.html, database-claims.html, search.html),
on the seed corpus served by the real Datasette."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

import claimsdb
from claimsdb.instance import LATEST_CONFLICTS, default_facets, inspect_data, make_datasette

from .conftest import PROJECT_ROOT, synthetic


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


def plugin(name: str):
    """The module Datasette loaded from plugins/ (once per process, by the
    first instance made), whose constants the pages read when they render."""
    from datasette.plugins import pm

    return pm.get_plugin(name)


def test_a_measure_of_more_claims_than_a_small_multiple_draws_is_counted_and_left_to_its_page(claims_datasette, db, monkeypatch):
    counts = dict(db.execute("select measure_id, count(*) from claims where kind = 'quantity' group by measure_id").fetchall())
    largest = max(counts.values())
    assert len(counts) > 1 and largest > min(counts.values()), "the seed corpus has measures of different sizes"
    monkeypatch.setattr(plugin("site.py"), "SMALL_MULTIPLE_CLAIMS", largest - 1)
    html = get(claims_datasette, "/")
    page = links(html)
    for measure, count in counts.items():
        drawn = {row[0] for row in db.execute("select id from claims where kind = 'quantity' and measure_id = ?", (measure,))} & set(page.bars)
        assert f"/claims/measures/{measure}" in page.hrefs
        if count > largest - 1:
            assert not drawn
            assert f"all {count:,} on the measure&#39;s page" in html or f"all {count:,} on the measure's page" in html
        else:
            assert len(drawn) == count
    assert f"A measure of more than {largest - 1} claims is drawn on its own page only." in html


def test_the_landing_page_lists_the_files_of_a_kind_by_name_only_up_to_a_bound(claims_datasette, built_db, monkeypatch):
    manifest = json.loads((built_db.parent / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    texts = [f["path"] for f in manifest["files"] if f["path"].startswith("texts/")]
    assert len(texts) > 1
    monkeypatch.setattr(plugin("releases.py"), "LISTED_FILES", len(texts) - 1)
    html = get(claims_datasette, "/")
    hrefs = links(html).hrefs
    assert not [path for path in texts if f"/downloads/{path}" in hrefs]
    assert f"{len(texts)} files, each listed with its path and SHA-256 in the" in html
    assert "/downloads/annotations.jsonld" in hrefs and "/downloads/manifest.json" in hrefs


@pytest.fixture(scope="module")
def conflicted_db(tmp_path_factory) -> Path:
    """A synthetic corpus with many conflicts between sources of many dates."""
    directory = tmp_path_factory.mktemp("conflicted")
    return claimsdb.build(synthetic(directory / "claims", claims=600, seed=5), directory / "claims.db").db_path


def latest_pairs_in_python(db_path: Path) -> list[tuple[str, str]]:
    """The conflicting pairs whose later source is the most recent first (the
    first Gregorian day a date can denote), then by ids: the landing page's
    order, worked out from the rows rather than by its SQL."""
    conn = sqlite3.connect(db_path)
    day = {source: (gregorian or "")[:10] or published or "" for source, published, gregorian in conn.execute("select id, published, published_gregorian from sources")}
    source_of = dict(conn.execute("select id, source_id from claims"))
    pairs = conn.execute("select claim_id, other_claim_id from relations where relation in ('contradicts', 'in-tension')").fetchall()
    conn.close()
    latest = lambda pair: max(day[source_of[pair[0]]], day[source_of[pair[1]]])
    ordered = sorted(sorted(pairs), key=latest, reverse=True)  # stable: ids ascending within a day
    return ordered


def shown_pairs(html: str) -> list[tuple[str, str]]:
    section = html.split('<section class="latest-conflicts">')[1].split("</section>")[0]
    claims = re.findall(r'<p class="pair-figure"><a href="/claims/claims/([^"]+)"', section)
    return list(zip(claims[::2], claims[1::2]))


def test_the_latest_conflicts_are_chosen_once_per_build_in_the_order_of_their_later_source(conflicted_db):
    expected = latest_pairs_in_python(conflicted_db)
    assert len(expected) > 2 * LATEST_CONFLICTS, "enough conflicts to choose among"
    kept = inspect_data(conflicted_db)
    claims_db = kept["claims"]
    assert [tuple(pair) for pair in claims_db["latest_conflicts"]] == expected[:LATEST_CONFLICTS]
    with_kept = get(make_datasette(conflicted_db, PROJECT_ROOT, inspect=kept), "/")
    without = get(make_datasette(conflicted_db, PROJECT_ROOT), "/")  # chosen on the request, by the same SQL
    assert shown_pairs(with_kept) == shown_pairs(without) == expected[:LATEST_CONFLICTS]
    assert f"{len(expected):,} pair" in with_kept and f"{len(expected):,} pair" in without
    assert section(with_kept, "measures-overview") == section(without, "measures-overview")


def section(html: str, name: str) -> str:
    return html.split(f'<section class="{name}">')[1].split("</section>")[0]


def test_the_landing_page_shows_the_pairs_the_build_chose(conflicted_db):
    kept = inspect_data(conflicted_db)
    later = latest_pairs_in_python(conflicted_db)[-2:]  # not among the latest: shown only if read from the kept list
    kept["claims"]["latest_conflicts"] = [list(pair) for pair in later]
    assert shown_pairs(get(make_datasette(conflicted_db, PROJECT_ROOT, inspect=kept), "/")) == later


def test_the_landing_page_counts_each_measures_claims_from_the_facet_counted_once_per_build(conflicted_db):
    kept = inspect_data(conflicted_db, default_facets(PROJECT_ROOT))
    [measure, count] = kept["claims"]["facets"]["tables"]["estimates"]["measure_id"][0]
    kept["claims"]["facets"]["tables"]["estimates"]["measure_id"][0] = [measure, 9999]
    html = get(make_datasette(conflicted_db, PROJECT_ROOT, inspect=kept), "/")
    caption = re.search(rf'href="/claims/measures/{measure}">.*?</a> <span class="muted">· ([\d,]+) figures', section(html, "measures-overview"))
    assert count != 9999 and caption[1] == "9,999"


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
