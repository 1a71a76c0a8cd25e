"""A Persian source page and claim page in headless Chromium (Playwright,
see tests/test_browser.py), at 1280 and 390 px: the text runs right to left, a Latin name inside a Persian quote
keeps its order, nothing overflows the narrow window. Screenshots go to
tests/artifacts/ (git-ignored) for a person to look at."""

from __future__ import annotations

import pytest

from .conftest import PROJECT_ROOT, serving

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
SOURCE = "fixture-fa-report"
CLAIM = "fixture-fa-rapporteur-names-it"
WIDTHS = [1280, 390]

# Where each word of a text node is drawn: [word, left, right].
WORD_BOXES = """
((element, words) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const found = {};
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of words) {
      const at = node.data.indexOf(word);
      if (at < 0 || word in found) continue;
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + word.length);
      const box = range.getClientRects()[0];
      found[word] = [box.left, box.right, box.top];
    }
  }
  return found;
})(%s, %s)
"""


@pytest.fixture(scope="module")
def persian_server(persian_db):
    with serving(persian_db) as base:
        yield base


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser, request):
    """A page of the given width in a fresh Playwright context."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    page.width = request.param
    yield page
    context.close()


def assert_fits(page) -> None:
    overflow = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert overflow[0] <= overflow[1], f"the page is wider than the window: {overflow}"


def test_a_persian_source_page_reads_right_to_left(persian_server, page):
    page.goto(f"{persian_server}/claims/sources/{SOURCE}")
    page.screenshot(path=ARTIFACTS / f"persian-source-{page.width}.png")
    text = "document.querySelector('.archived-text')"
    assert page.evaluate(f"getComputedStyle({text}).direction") == "rtl"
    box = page.evaluate(f"(() => {{ const r = {text}.getBoundingClientRect(); return [r.left, r.right]; }})()")
    words = page.evaluate(WORD_BOXES % (text, '["به گفته", "Javaid", "Rehman", "گزارشگر"]'))
    # A paragraph starts at the right edge of the text ...
    assert box[1] - words["به گفته"][1] < 40, (box, words)
    assert box[1] - words["گزارشگر"][1] < 40, (box, words)
    # ... and a Latin name inside it keeps its own order, left to right.
    if words["Javaid"][2] == words["Rehman"][2]:
        assert words["Javaid"][1] <= words["Rehman"][0], words
    assert_fits(page)


def test_a_persian_claim_page_shows_its_quote_right_to_left_inside_an_english_page(persian_server, page):
    page.goto(f"{persian_server}/claims/claims/{CLAIM}")
    page.screenshot(path=ARTIFACTS / f"persian-claim-{page.width}.png")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    quote = "document.querySelector('blockquote.context')"
    assert page.evaluate(f"getComputedStyle({quote}).direction") == "rtl"
    box = page.evaluate(f"(() => {{ const r = {quote}.getBoundingClientRect(); return [r.left, r.right]; }})()")
    words = page.evaluate(WORD_BOXES % (quote, '["گزارشگر", "Javaid", "Rehman", "کشتار"]'))
    assert box[1] - words["گزارشگر"][1] < 60, (box, words)
    if words["Javaid"][2] == words["Rehman"][2]:
        assert words["Javaid"][1] <= words["Rehman"][0], words
    # The Persian publisher's name, isolated in the English chain of attribution.
    assert "نشریه نمونه" in page.evaluate("[...document.querySelectorAll('.chain .agent-name bdi')].map(b => b.textContent).join('|')")
    assert_fits(page)
