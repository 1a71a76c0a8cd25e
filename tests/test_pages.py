"""The evidence pages as Datasette serves them (templates/row-claims-*.html,
plugins/evidence_pages.py), for every claim, source, measure, agent and
subject of the test corpus; expected values are read from the built SQLite
file."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from claimsdb.evidence import date_at_precision, paragraph_ranges


class Page(HTMLParser):
    """Every element of a page: (tag, attributes)."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def hrefs(self) -> list[str]:
        return [attrs["href"] for tag, attrs in self.elements if tag == "a" and attrs.get("href")]

    def with_class(self, tag: str, name: str) -> list[dict]:
        return [attrs for t, attrs in self.elements if t == tag and name in (attrs.get("class") or "").split()]


def get(ds, path: str):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, f"GET {path} -> {response.status_code}: {response.text[:500]}"
    return response


def text(value) -> str:
    """A value as it appears in an autoescaped page."""
    return str(escape(value))


# The claim page ---------------------------------------------------------------------


def test_every_claim_page_shows_the_claim_its_chain_and_its_quote_in_context(claims_datasette, db):
    claims = db.execute("select c.*, s.credited_to_id from claims c join sources s on s.id = c.source_id").fetchall()
    assert claims
    for claim in claims:
        html = get(claims_datasette, f"/claims/claims/{claim['id']}").text
        page = Page(html)
        hrefs = set(page.hrefs())
        assert f"<h1><bdi>{text(claim['statement'])}</bdi></h1>" in html
        [quote] = re.findall(r'<mark class="quote">(.*?)</mark>', html, re.S)
        assert quote == text(claim["quote"])
        for agent in {claim["speaker_id"], claim["reporter_id"], claim["credited_to_id"]} - {None}:
            assert f"/claims/agents/{agent}" in hrefs
            for (other,) in db.execute("select affiliated_with_id from agent_affiliations where agent_id = ?", [agent]):
                assert f"/claims/agents/{other}" in hrefs, (claim["id"], agent, other)
        assert f"/claims/sources/{claim['source_id']}" in hrefs
        assert f"/claims/sources/{claim['source_id']}?claim={claim['id']}#quote-{claim['id']}" in hrefs
        if claim["kind"] == "quantity":
            assert text(claim["value_text"]) in html and text(claim["value_interval"]) in html
            assert f"/claims/measures/{claim['measure_id']}" in hrefs
        if claim["period_start"]:
            assert f"{claim['period_start']} to {claim['period_end']}" in html
        elif claim["period_text"]:
            assert re.search(r'<dt>Period it denotes</dt><dd><span class="unknown">unknown</span>', html)
        related = db.execute(
            "select case when claim_id = :id then other_claim_id else claim_id end, relation, rationale from relations where :id in (claim_id, other_claim_id)",
            {"id": claim["id"]}).fetchall()
        rows = page.with_class("tr", "this-claim") + [attrs for tag, attrs in page.elements if tag == "tr" and (attrs.get("class") or "").startswith("relation-")]
        assert len(rows) == (1 + len(related) if related else 0), claim["id"]
        for other, relation, rationale in related:
            assert f"/claims/claims/{other}" in hrefs
            assert text(rationale) in html


def test_related_claims_read_from_this_claim(claims_datasette):
    html = get(claims_datasette, "/claims/claims/ant-executed-more-than-30000").text
    rows = re.findall(r'<tr class="relation-([a-z-]+)">\s*<th scope="row"><span class="relation">([a-z -]+)</span>.*?<code>([a-z0-9-]+)</code>', html, re.S)
    assert rows == [
        ("in-tension", "in-tension", "ant-un-experts-thousands-executed"),
        ("refines", "refined by", "inu-survivors-toll-much-higher"),
        ("corroborates", "corroborates", "inu-executed-around-30000"),
    ]
    context = re.search(r'<blockquote class="context"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    assert context == (
        "The warning comes as in the past year, there have been several reports that Iranian authorities are trying to "
        "destroy evidence of the 1988 massacre, in which <mark class=\"quote\">the regime executed more than 30,000 political "
        "prisoners</mark> in the span of a few months."
    )


def test_claim_row_json_is_unchanged(claims_datasette, db):
    data = get(claims_datasette, "/claims/claims/ant-executed-more-than-30000.json?_shape=objects").json()
    assert data["rows"][0]["quote"] == db.execute("select quote from claims where id = 'ant-executed-more-than-30000'").fetchone()[0]


# The source page --------------------------------------------------------------------


def conflicting_claims(db, source_id: str) -> set[str]:
    """Claims of the source that contradict or are in tension with a claim of another source (look-alikes are not marked)."""
    return {row[0] for row in db.execute("""
        select c.id from claims c join relations r on c.id in (r.claim_id, r.other_claim_id)
        join claims o on o.id = (case when r.claim_id = c.id then r.other_claim_id else r.claim_id end)
        where c.source_id = ? and r.relation in ('contradicts', 'in-tension') and o.source_id != c.source_id""", [source_id])}


def test_every_source_page_shows_its_metadata_and_every_quoted_span(claims_datasette, db):
    sources = db.execute("select * from sources").fetchall()
    assert sources
    for source in sources:
        html = get(claims_datasette, f"/claims/sources/{source['id']}").text
        page = Page(html)
        hrefs = page.hrefs()
        assert f'<h1 dir="auto" lang="{source["language"]}"><bdi>{text(source["title"])}</bdi></h1>' in html
        assert source["sha256"] in html and f"claims/{source['archive']}" in html
        assert f'href="{text(source["url"])}"' in html
        assert f"/claims/agents/{source['publisher_id']}" in hrefs
        published = date_at_precision(source["published"]) if source["published"] else "unknown"
        assert text(published) in html
        if source["retrieved"] is None:
            assert re.search(r'<dt>Retrieved</dt><dd><span class="unknown">unknown</span>', html)

        claims = db.execute("select id, quote_start, quote_end from claims where source_id = ?", [source["id"]]).fetchall()
        marks = [mark for mark in page.with_class("mark", "span") if "data-claims" in mark]  # (the legend has marks too)
        marked = {claim_id for mark in marks for claim_id in mark["data-claims"].split()}
        assert marked == {claim_id for claim_id, _, _ in claims}
        for claim_id, _, _ in claims:
            assert f'id="quote-{claim_id}"' in html
            assert f"/claims/claims/{claim_id}" in hrefs
        # Conflict marks are those of claims in conflict with another source, and only those.
        conflicting = conflicting_claims(db, source["id"])
        for mark in marks:
            in_conflict = bool(set(mark["data-claims"].split()) & conflicting)
            assert ("conflict" in mark["class"].split()) == in_conflict, mark
        # One paragraph per block of text between blank lines.
        text_block = re.search(r'<div class="archived-text"[^>]*>(.*?)</div>', html, re.S).group(1)
        assert text_block.count("<p>") == len(paragraph_ranges(source["text"]))
        # Nothing of the text is lost: without the markup, the text itself.
        shown = re.sub(r'<a class="marker"[^>]*>\d+</a>', "", text_block)
        shown = re.sub(r"<[^>]+>", "", shown)
        assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", text(source["text"]))


def test_the_second_seed_marks_its_conflicts_with_the_first(claims_datasette, db):
    source = "arabnews-today-2021-09-03-un-workgroup-investigation"
    assert conflicting_claims(db, source) == {"ant-un-experts-thousands-executed"}
    html = get(claims_datasette, f"/claims/sources/{source}").text
    assert re.search(r'<mark class="span depth-1 conflict" data-claims="ant-un-experts-thousands-executed"', html)
    # the 32 cities differ in scope from the 36: a look-alike, shown in a neutral style, never marked as a conflict
    assert not re.search(r'<mark class="[^"]*conflict[^"]*" data-claims="ant-executions-32-cities"', html)
    assert re.search(r'<span class="look-alike-note">differs in scope from <a href="[^"]+"><code>inu-gravesites-at-least-36-cities</code></a>', html)


def test_source_page_focuses_the_claim_it_was_opened_for(claims_datasette):
    html = get(claims_datasette, "/claims/sources/arabnews-today-2021-09-03-un-workgroup-investigation?claim=ant-executed-more-than-30000").text
    focused = re.findall(r'<mark class="[^"]*\bfocus\b[^"]*" data-claims="([^"]*)"', html)
    assert focused and all("ant-executed-more-than-30000" in claims.split() for claims in focused)


# The measure page -------------------------------------------------------------------


def test_every_measure_page_charts_each_of_its_quantity_claims(claims_datasette, db):
    for (measure_id,) in db.execute("select id from measures"):
        expected = [row[0] for row in db.execute(
            "select id from claims where kind = 'quantity' and measure_id = ? order by value_low is null, value_low, value_high is null, value_high, id", [measure_id])]
        html = get(claims_datasette, f"/claims/measures/{measure_id}").text
        page = Page(html)
        bars = [attrs["data-claim"] for attrs in page.with_class("g", "bar")]
        assert bars == expected, measure_id
        if expected:
            assert f"/claims/estimates?measure_id={measure_id}" in page.hrefs()
            for claim_id in expected:
                assert f"/claims/claims/{claim_id}" in page.hrefs()
        else:
            assert "No quantity claim counts this measure yet." in html


@pytest.mark.parametrize("asked, drawn", [("log", "log"), ("linear", "linear"), ("", "linear"), ("<script>", "linear")])
def test_measure_page_scale_from_the_query_string(claims_datasette, asked, drawn):
    html = get(claims_datasette, f"/claims/measures/people-executed-1988?scale={asked}").text
    assert re.search(rf'<svg class="spread"[^>]*data-scale="{drawn}"', html)
    assert "<script>" not in html.split("<svg", 1)[1].split("</svg>")[0]


def test_estimates_link_each_measure_and_claim_to_its_page(claims_datasette, db):
    html = get(claims_datasette, "/claims/estimates?_size=max").text
    for measure_id, claim_id in db.execute("select measure_id, id from estimates"):
        assert f'<a href="/claims/measures/{measure_id}">{measure_id}</a>' in html
        assert f'<a href="/claims/claims/{claim_id}">{claim_id}</a>' in html


def test_stylesheet_is_served_by_the_plugin(claims_datasette):
    response = get(claims_datasette, "/-/claimsdb/evidence.css")
    assert response.headers["content-type"].startswith("text/css")
    assert ".evidence" in response.text
    html = get(claims_datasette, "/claims/claims/ant-executed-more-than-30000").text
    assert '<link rel="stylesheet" href="/-/claimsdb/evidence.css">' in html


def test_pages_need_nothing_from_the_network(claims_datasette):
    for path in ("/claims/claims/ant-executed-more-than-30000",
                 "/claims/sources/arabnews-today-2021-09-03-un-workgroup-investigation",
                 "/claims/measures/people-executed-1988"):
        page = Page(get(claims_datasette, path).text)
        for tag, attrs in page.elements:
            if tag in ("script", "img", "iframe") or (tag == "link" and attrs.get("rel") == "stylesheet"):
                address = attrs.get("src") or attrs.get("href") or ""
                assert not re.match(r"(https?:)?//", address), (path, tag, address)


def test_a_table_named_claims_in_another_database_keeps_datasettes_row_page(built_db, tmp_path):
    from datasette.database import Database

    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table claims (id text primary key, note text)")
        conn.execute("insert into claims values ('a', 'not a claims.db claim')")
    ds = make_datasette(built_db, PROJECT_ROOT)
    ds.add_database(Database(ds, path=str(other), is_mutable=False), name="other")
    html = get(ds, "/other/claims/a").text
    assert "not a claims.db claim" in html and "evidence" not in html


# The agent and subject pages ---------------------------------------------------------


def test_every_agent_page_shows_its_record_and_everything_it_asserts(claims_datasette, db):
    agents = db.execute("select * from agents").fetchall()
    assert agents
    for agent in agents:
        html = get(claims_datasette, f"/claims/agents/{agent['id']}").text
        hrefs = set(Page(html).hrefs())
        assert f"<h1><bdi>{text(agent['name'])}</bdi></h1>" in html
        if agent["description"]:
            assert text(agent["description"]) in html
        for other, role in db.execute("select affiliated_with_id, role from agent_affiliations where agent_id = ?", [agent["id"]]):
            assert f"/claims/agents/{other}" in hrefs and text(role) in html, (agent["id"], other)
        for other, role in db.execute("select agent_id, role from agent_affiliations where affiliated_with_id = ?", [agent["id"]]):
            assert f"/claims/agents/{other}" in hrefs and text(role) in html, (agent["id"], other)
        for claim_id, quote, reporter, source in db.execute("select id, quote, reporter_id, source_id from claims where speaker_id = ?", [agent["id"]]):
            assert f"/claims/claims/{claim_id}" in hrefs, (agent["id"], claim_id)
            assert text(quote) in html, (agent["id"], claim_id)
            assert f"/claims/agents/{reporter}" in hrefs and f"/claims/sources/{source}" in hrefs
        for (source,) in db.execute("select id from sources where ? in (publisher_id, credited_to_id)", [agent["id"]]):
            assert f"/claims/sources/{source}" in hrefs, (agent["id"], source)
        bars = Page(html).with_class("g", "bar")
        quantity = [row[0] for row in db.execute("select id from claims where speaker_id = ? and kind = 'quantity'", [agent["id"]])]
        assert sorted(bar["data-claim"] for bar in bars) == sorted(quantity)
        for claim_id, other_id in db.execute("""
                select c.id, case when r.claim_id = c.id then r.other_claim_id else r.claim_id end from claims c
                join relations r on c.id in (r.claim_id, r.other_claim_id)
                where c.speaker_id = ? and r.relation in ('contradicts', 'in-tension')""", [agent["id"]]):
            assert f"/claims/claims/{other_id}" in hrefs, (agent["id"], claim_id, other_id)


def test_the_amnesty_international_page_shows_the_quotes_of_its_claims(claims_datasette, db):
    quotes = [row[0] for row in db.execute("select quote from claims where speaker_id = 'amnesty-international'")]
    assert quotes
    html = get(claims_datasette, "/claims/agents/amnesty-international").text
    for quote in quotes:
        assert f"<blockquote class=\"claim-quote\">“<bdi>{text(quote)}</bdi>”</blockquote>" in html


def test_every_subject_page_shows_its_claims_periods_figures_and_parts(claims_datasette, db):
    subjects = db.execute("select * from subjects").fetchall()
    assert subjects
    for subject in subjects:
        html = get(claims_datasette, f"/claims/subjects/{subject['id']}").text
        hrefs = set(Page(html).hrefs())
        assert f"<h1><bdi>{text(subject['name'])}</bdi></h1>" in html
        if subject["part_of_id"]:
            assert f"/claims/subjects/{subject['part_of_id']}" in hrefs
        for (part,) in db.execute("select id from subjects where part_of_id = ?", [subject["id"]]):
            assert f"/claims/subjects/{part}" in hrefs, (subject["id"], part)
        for claim_id, quote, speaker in db.execute("select id, quote, speaker_id from claims where subject_id = ?", [subject["id"]]):
            assert f"/claims/claims/{claim_id}" in hrefs and text(quote) in html and f"/claims/agents/{speaker}" in hrefs
        for (period_text,) in db.execute("select period_text from claims where subject_id = ? and period_text is not null", [subject["id"]]):
            assert f"“<bdi>{text(period_text)}</bdi>”" in html
        bars = Page(html).with_class("g", "bar")
        quantity = [row[0] for row in db.execute("select id from claims where subject_id = ? and kind = 'quantity'", [subject["id"]])]
        assert sorted(bar["data-claim"] for bar in bars) == sorted(quantity)


def test_agent_and_subject_row_json_is_datasettes(claims_datasette, db):
    agent_id = db.execute("select id from agents order by id").fetchone()[0]
    data = get(claims_datasette, f"/claims/agents/{agent_id}.json?_shape=objects").json()
    assert data["rows"][0]["id"] == agent_id
