"""The pages in a real browser: Debian's headless Chromium driven by
Playwright (pytest-playwright's fixtures, the browser launched from its
executable path: nothing is downloaded), against the server as `make serve`
starts it (the `server` fixture). Screenshots of every kind of page at a
desktop and a phone width are written to tests/artifacts/ (git-ignored) for a
person to compare with the database."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

import pytest

from .conftest import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CLAIM = "ant-executed-more-than-30000"
SOURCE = "arabnews-today-2021-09-03-un-workgroup-investigation"
MEASURE = "people-executed-1988"

# Where an element is drawn once scrolled into view, whether something covers
# it, and its colours.
VISIBILITY = """
element => {
  element.scrollIntoView({block: "center"});
  const box = element.getClientRects()[0];
  const style = getComputedStyle(element);
  const atCentre = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2);
  return {
    text: element.textContent, width: box.width, height: box.height,
    inViewport: box.top >= 0 && box.bottom <= innerHeight && box.left >= 0 && box.right <= innerWidth,
    uncovered: element.contains(atCentre), visibility: style.visibility, opacity: style.opacity,
    background: style.backgroundColor, parentBackground: getComputedStyle(element.parentElement).backgroundColor,
  };
}
"""


@pytest.fixture(autouse=True, scope="module")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)


@pytest.fixture
def page(browser):
    """A desktop-sized page (1280 × 900) in a fresh context."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def assert_visible_highlight(found: dict, what: str) -> None:
    assert found["width"] > 0 and found["height"] > 0, f"{what} has no size: {found}"
    assert found["inViewport"] and found["uncovered"], f"{what} is off screen or covered: {found}"
    assert found["visibility"] == "visible" and float(found["opacity"]) == 1, found
    assert found["background"] not in ("rgba(0, 0, 0, 0)", "transparent", found["parentBackground"]), f"{what} is not highlighted: {found}"


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_claim_page_shows_the_quote_highlighted_in_its_sentence(server, page, db):
    claim = db.execute("""
        select c.*, s.text, s.title, s.credited_to_id, sp.name as speaker, rp.name as reporter
        from claims c join sources s on s.id = c.source_id join agents sp on sp.id = c.speaker_id join agents rp on rp.id = c.reporter_id
        where c.id = ?""", [CLAIM]).fetchone()
    page.goto(f"{server}/claims/claims/{CLAIM}")
    page.screenshot(path=ARTIFACTS / "claim.png")

    mark = page.locator("blockquote.context mark.quote").first.evaluate(VISIBILITY)
    assert mark["text"] == claim["quote"] == "the regime executed more than 30,000 political prisoners"
    assert_visible_highlight(mark, "the quote")
    context = page.evaluate("document.querySelector('blockquote.context').textContent")
    assert context in claim["text"] and claim["quote"] in context and context != claim["quote"]
    assert context.endswith("in the span of a few months.")

    chain = page.evaluate("[...document.querySelectorAll('.chain .agent-name a')].map(a => [a.textContent, new URL(a.href).pathname])")
    assert chain[:3] == [
        [claim["speaker"], f"/claims/agents/{claim['speaker_id']}"],
        [claim["reporter"], f"/claims/agents/{claim['reporter_id']}"],
        [claim["title"], f"/claims/sources/{claim['source_id']}"],
    ]

    rows = page.evaluate("""[...document.querySelectorAll('table.side-by-side tbody tr')].map(tr => [
        (tr.querySelector('th code') || tr.querySelector('th')).textContent.trim(),
        tr.cells[1].textContent, tr.cells[2].textContent, tr.cells[3].textContent])""")
    assert rows[0][0] == "this claim"
    expected = db.execute("""
        select o.id, o.value_text, sp.name, o.quote from relations r
        join claims o on o.id = case when r.claim_id = :id then r.other_claim_id else r.claim_id end
        join agents sp on sp.id = o.speaker_id
        where :id in (r.claim_id, r.other_claim_id)""", {"id": CLAIM}).fetchall()
    assert len(expected) == 3 and sorted(row[0] for row in rows[1:]) == sorted(row[0] for row in expected)
    shown = {row[0]: row for row in rows[1:]}
    for other, value, speaker, quote in expected:
        _, figure_cell, who_cell, quote_cell = shown[other]
        assert f"“{value}”" in figure_cell and speaker in who_cell and quote_cell == f"“{quote}”", shown[other]

    # The link to the source opens it at the quote, the quote outlined.
    page.goto(page.evaluate("document.querySelector('a.to-source').href"))
    assert page.evaluate("document.querySelector(':target').id") == f"quote-{CLAIM}"
    focused = page.evaluate("[...document.querySelectorAll('.archived-text mark.focus')].map(m => m.textContent).join('')")
    assert focused == claim["quote"]
    first = page.evaluate("(() => { const r = document.querySelector('.archived-text mark.focus').getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; })()")
    assert 0 <= first[0] and first[1] <= first[2], f"the quote is not in view after following the link: {first}"
    page.screenshot(path=ARTIFACTS / "claim-in-source.png")


def test_source_page_links_every_quoted_span_to_a_claim_that_resolves(server, page, db):
    page.goto(f"{server}/claims/sources/{SOURCE}")
    page.screenshot(path=ARTIFACTS / "source.png")
    claims = {row[0]: row[1] for row in db.execute("select id, quote from claims where source_id = ?", [SOURCE])}
    assert claims

    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    claim_links = {urlunsplit(urlsplit(href)._replace(fragment="")) for href in hrefs if urlsplit(href).path.startswith("/claims/claims/")}
    linked = {urlsplit(link).path.rsplit("/", 1)[1] for link in claim_links}
    assert set(claims) <= linked
    broken = {link: status for link in sorted(claim_links) if (status := status_of(link)) != 200}
    assert not broken, f"claim links that do not resolve: {broken}"

    marks = page.evaluate("""[...document.querySelectorAll('.archived-text mark')].map(m => {
        const box = m.getBoundingClientRect();
        return {claims: m.dataset.claims.split(' '), href: m.querySelector('a').href, width: box.width, height: box.height,
                conflict: m.classList.contains('conflict'), underline: getComputedStyle(m).borderBottomStyle,
                background: getComputedStyle(m).backgroundColor, text: m.textContent};
    })""")
    assert {c for mark in marks for c in mark["claims"]} == set(claims)
    for mark in marks:
        assert mark["width"] > 0 and mark["height"] > 0, mark
        assert urlsplit(mark["href"]).path.rsplit("/", 1)[1] in mark["claims"]
        assert mark["background"] != "rgba(0, 0, 0, 0)"
        # Conflicts are drawn differently: underlined, in another colour.
        assert (mark["underline"] == "solid") == mark["conflict"], mark
    plain = {m["background"] for m in marks if not m["conflict"]}
    assert plain and not plain & {m["background"] for m in marks if m["conflict"]}
    # Each claim's quote is the text of the marks that carry it, in order.
    for claim_id, quote in claims.items():
        assert "".join(m["text"] for m in marks if claim_id in m["claims"]).replace("\n", "") == quote.replace("\n", ""), claim_id

    one = page.locator(".archived-text mark").first.evaluate(VISIBILITY)
    assert_visible_highlight(one, "a quoted span")
    legend = page.evaluate("document.querySelector('.text-legend').textContent")
    assert "no claim recorded" in legend and "in conflict" in legend


@pytest.mark.parametrize("scale", ["", "linear", "log"])
def test_measure_page_draws_one_bar_per_figure(server, page, db, scale):
    figures = {row["id"]: row for row in db.execute("select * from claims where kind = 'quantity' and measure_id = ?", [MEASURE])}
    assert len(figures) >= 2
    page.goto(f"{server}/claims/measures/{MEASURE}" + (f"?scale={scale}" if scale else ""))
    page.screenshot(path=ARTIFACTS / f"measure{'-' + scale if scale else ''}.png")

    bars = page.evaluate("""[...document.querySelectorAll('svg.spread g.bar')].map(g => {
        const shape = g.querySelector('.range, .point').getBoundingClientRect();
        return {claim: g.dataset.claim, width: shape.width, height: shape.height, point: !!g.querySelector('.point'),
                arrow: g.querySelectorAll('.arrow').length, openCaps: g.querySelectorAll('.cap.open').length,
                closedCaps: g.querySelectorAll('.cap.closed').length, label: g.querySelector('a').getAttribute('aria-label'),
                href: g.querySelector('a').getAttribute('href')};
    })""")
    assert sorted(bar["claim"] for bar in bars) == sorted(figures)
    for bar in bars:
        figure = figures[bar["claim"]]
        assert bar["width"] > 0 and bar["height"] > 0, bar
        assert bar["point"] == (figure["value_low"] is not None and figure["value_low"] == figure["value_high"])
        assert bar["arrow"] == (figure["value_high"] is None) + (figure["value_low"] is None), bar
        ends = [(value, inclusive) for value, inclusive in ((figure["value_low"], figure["value_low_inclusive"]), (figure["value_high"], figure["value_high_inclusive"])) if value is not None]
        if not bar["point"]:
            assert bar["openCaps"] == sum(1 for _, inclusive in ends if not inclusive), bar
            assert bar["closedCaps"] == sum(1 for _, inclusive in ends if inclusive), bar
        assert figure["value_text"] in bar["label"]
        assert urlsplit(bar["href"]).path == f"/claims/claims/{bar['claim']}"
    svg = page.evaluate("(() => { const s = document.querySelector('svg.spread'); return [s.querySelector('title').textContent, s.querySelector('desc').textContent, s.dataset.scale, s.getBoundingClientRect().width]; })()")
    name = db.execute("select name from measures where id = ?", [MEASURE]).fetchone()[0]
    assert svg[0] == f"Every figure given for “{name}”" and svg[1].startswith(f"{len(figures)} figure(s) for “{name}”")
    assert svg[2] == (scale or "linear") and svg[3] > 0


def test_estimates_link_to_the_chart_of_each_measure(server, page):
    page.goto(f"{server}/claims/estimates?measure_id={MEASURE}")
    links = page.evaluate("[...document.querySelectorAll('td.col-measure_id a')].map(a => a.href)")
    assert links and {urlsplit(link).path for link in links} == {f"/claims/measures/{MEASURE}"}
    page.goto(links[0])
    assert page.evaluate("document.querySelectorAll('svg.spread g.bar').length") == len(links)


# Every kind of page at a desktop and a phone width ---------------------------------------

PAGE_KINDS = {
    "landing": "/",
    "database": "/claims",
    "table-claims": "/claims/claims",
    "view-conflicts": "/claims/conflicts",
    "view-estimates": "/claims/estimates",
    "claim": f"/claims/claims/{CLAIM}",
    "source": f"/claims/sources/{SOURCE}",
    "measure": f"/claims/measures/{MEASURE}",
    "agent": "/claims/agents/amnesty-international",
    "subject": "/claims/subjects/executions-1988",
    "canned-query": "/claims/search_quotes?q=genocide",
    "empty-search": "/claims/search_quotes?q=",
    "search": "/-/search?q=genocide",
    "search-empty": "/-/search?q=",
    "sql": "/claims?sql=select+id%2C+statement+from+claims+limit+5",
    "bad-sort": "/claims/claims?_sort=nonexistent",
}
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_every_kind_of_page_at_desktop_and_phone_width(server, browser, kind, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    try:
        response = page.goto(server + PAGE_KINDS[kind])
        assert response.status == (400 if kind == "bad-sort" else 200), kind
        page.screenshot(path=ARTIFACTS / f"page-{kind}-{WIDTHS[width]}.png", full_page=True)
        # The page itself never scrolls sideways: a wide table or chart
        # scrolls inside its own box, which says so.
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{kind} at {WIDTHS[width]} px is {overflow} px wider than the screen"
    finally:
        context.close()


def test_a_canned_query_offers_its_few_values_as_a_list_and_runs_on_the_choice(server, page, db):
    page.goto(f"{server}/claims/claims_by_agent")
    choice = page.locator("form.sql select[name=agent_id]")
    assert choice.count() == 1
    assert "Amnesty International (amnesty-international)" in choice.inner_text()
    choice.select_option("amnesty-international")
    page.locator("form.sql input[type=submit], form.sql button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "agent_id=amnesty-international" in page.url
    linked = page.evaluate("[...document.querySelectorAll('td.col-id a')].map(a => new URL(a.href).pathname)")
    expected = {f"/claims/claims/{row[0]}" for row in db.execute("select id from claims where speaker_id = 'amnesty-international'")}
    assert set(linked) == expected
    page.screenshot(path=ARTIFACTS / "canned-query-choice.png")


def test_a_phone_sees_the_whole_scale_of_the_measure_chart(server, browser, db):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/claims/measures/{MEASURE}")
        boxes = page.evaluate("""[...document.querySelectorAll('svg.spread g.bar')].map(g => {
            const r = g.querySelector('.range, .point').getBoundingClientRect(); return [g.dataset.claim, r.left, r.right]; })""")
        assert len(boxes) == db.execute("select count(*) from claims where kind = 'quantity' and measure_id = ?", [MEASURE]).fetchone()[0]
        for claim, left, right in boxes:
            assert 0 <= left and right <= 390, (claim, left, right)
        assert page.locator(".narrow-note").first.is_visible()
        page.screenshot(path=ARTIFACTS / "measure-phone.png", full_page=True)
    finally:
        context.close()


def test_an_interval_the_editor_read_is_drawn_dashed_and_the_claim_page_says_so(server, page, db):
    claim = db.execute("select id, measure_id from claims where value_rule = 'explicit' and kind = 'quantity' and measure_id is not null order by id").fetchone()
    if claim is None:
        pytest.skip("no quantity claim whose interval the editor gave")
    page.goto(f"{server}/claims/measures/{claim['measure_id']}")
    dash = page.evaluate(f"getComputedStyle(document.querySelector('svg.spread g.bar[data-claim=\"{claim['id']}\"] .range')).strokeDasharray")
    assert dash not in ("", "none"), dash
    others = page.evaluate("[...document.querySelectorAll('svg.spread g.bar:not(.editor) .range')].map(r => getComputedStyle(r).strokeDasharray)")
    assert all(d in ("", "none") for d in others), others
    page.goto(f"{server}/claims/claims/{claim['id']}")
    assert "read by the editor" in page.locator(".read-by-editor").inner_text()
