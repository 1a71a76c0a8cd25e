"""Right to left: a Persian or Arabic source's text runs right to left, text
in another script than the page's is isolated, and editors' text refuses
bidirectional control characters, which quotes may hold."""

from __future__ import annotations

import asyncio
import re

import pytest

from claimsdb.evidence import direction, isolated
from claimsdb.spread import Figure, render_spread

from .conftest import PROJECT_ROOT

PERSIAN = "fixture-fa-report"
ENGLISH = "arabnews-today-2021-09-03-un-workgroup-investigation"
CONTROLS = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.fixture(scope="module")
def persian_datasette(persian_db):
    from claimsdb.instance import make_datasette

    return make_datasette(persian_db, PROJECT_ROOT)


def get(datasette, path: str) -> str:
    async def fetch():
        return await datasette.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, path
    return response.text


@pytest.mark.parametrize("language, expected", [
    ("fa", "rtl"), ("ar", "rtl"), ("fa-IR", "rtl"), ("ur", "rtl"), ("ku-Arab", "rtl"), ("az-Arab-IR", "rtl"),
    ("en", "ltr"), ("en-GB", "ltr"), ("fr", "ltr"), ("ku", "ltr"), ("", "auto"),
])
def test_direction_comes_from_the_language_tag(language, expected):
    assert direction(language) == expected


def test_a_persian_source_page_lays_its_text_right_to_left(persian_datasette):
    html = get(persian_datasette, f"/claims/sources/{PERSIAN}")
    assert '<div class="archived-text" lang="fa" dir="rtl">' in html
    assert '<h1 dir="auto" lang="fa"><bdi>گزارش نمونه درباره اعدام‌های ۱۳۶۷</bdi></h1>' in html
    # The speaker's Persian name in the English list of claims is isolated.
    assert "<bdi>گروه نمونه حقوق بشر</bdi>, reported" in html


def test_an_english_source_page_runs_left_to_right(persian_datasette):
    assert '<div class="archived-text" lang="en" dir="ltr">' in get(persian_datasette, f"/claims/sources/{ENGLISH}")


def test_a_persian_quote_on_its_claim_page_is_isolated_with_its_direction(persian_datasette):
    html = get(persian_datasette, "/claims/claims/fixture-fa-rapporteur-names-it")
    assert '<blockquote class="context" cite="https://example.org/fa/report" lang="fa" dir="rtl">' in html
    # The quote holds the source's own embedding (U+202B … U+202C), kept inside its isolated blockquote.
    blockquote = re.search(r'<blockquote class="context"[^>]*>(.*?)</blockquote>', html, re.S)[1]
    assert "\u202bکشتار ۶۷\u202c" in blockquote
    assert '<p class="agent-name"><a href="/claims/agents/fixture-fa-outlet"><bdi>نشریه نمونه</bdi></a></p>' in html


def test_the_chart_isolates_names_figures_and_titles():
    figure = Figure("c", "/claims/claims/c", 4500, 5500, True, True, "حدود ۵٬۰۰۰", "[4,500, 5,500]",
                    "گروه نمونه حقوق بشر", "نشریه نمونه", "گزارش نمونه", "2021")
    svg = str(render_spread([figure], "people", "people"))
    assert f'<text class="who" x="' in svg
    assert f"{isolated('گروه نمونه حقوق بشر')}: “{isolated('حدود ۵٬۰۰۰')}”" in svg
    assert f"reported by {isolated('نشریه نمونه')}, 2021, in “{isolated('گزارش نمونه')}”" in svg


def write_with(path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return next(n for n, line in enumerate(text.splitlines(), 1) if new.strip().splitlines()[0] in line)


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_a_statement_with_a_bidirectional_control_is_refused_at_its_line(persian_workdir, claimsdb, char):
    import unicodedata

    path = persian_workdir / "claims" / f"{PERSIAN}.yml"
    line = write_with(path, "statement: The fixture outlet reports that the Special Rapporteur,",
                      f'statement: "The fixture outlet reports that the Special{char} Rapporteur,')
    text = path.read_text(encoding="utf-8").replace("named the killings of 1367 in a report.", 'named the killings of 1367 in a report."')
    path.write_text(text, encoding="utf-8")
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"claims/{PERSIAN}.yml:{line}: `statement` holds the bidirectional control character U+{ord(char):04X} {unicodedata.name(char)}"
        " — remove it: editors' text needs none, and the pages isolate text in another script themselves",
        "1 problem(s); nothing was built.",
    ]


@pytest.mark.parametrize(
    "file, old, new, field",
    [
        (f"{PERSIAN}.yml", "title: گزارش نمونه درباره اعدام‌های ۱۳۶۷", 'title: "\\u2067گزارش نمونه درباره اعدام‌های ۱۳۶۷"', "title"),  # as a YAML escape
        (f"{PERSIAN}.yml", "reason: The made-up report's headline;", "reason: \u202eThe made-up report's headline;", "reason"),
        ("agents.yml", "    name: نشریه نمونه", "    name: \u202bنشریه نمونه", "name"),
        ("subjects.yml", "    name: 1988 executions of political prisoners in Iran", "    name: \u20661988 executions of political prisoners in Iran", "name"),
    ],
)
def test_other_editor_fields_refuse_bidirectional_controls(persian_workdir, claimsdb, file, old, new, field):
    line = write_with(persian_workdir / "claims" / file, old, new)
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"claims/{file}:{line}: `{field}` holds the bidirectional control character U+")


def test_quotes_may_hold_bidirectional_controls(persian_workdir, claimsdb):
    # The fixture's second quote holds U+202B … U+202C, as its archive does.
    assert "\u202b" in (persian_workdir / "claims" / f"{PERSIAN}.yml").read_text(encoding="utf-8")
    result = claimsdb("check")
    assert result.exit_code == 0, result.output
