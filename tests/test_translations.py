"""Translations beside the original: a claim gives an English translation of
its quote with who made it; the claim page shows both; search_quotes finds
the claim by words of either."""

from __future__ import annotations

import asyncio
import sqlite3
from urllib.parse import urlencode

import pytest

from .conftest import PROJECT_ROOT
from .test_export import round_trip

PERSIAN = "fixture-fa-report"
EDITORS = "fixture-fa-rapporteur-names-it"
PUBLISHED = "fixture-fa-executions"


@pytest.fixture(scope="module")
def persian_datasette(persian_db):
    from claimsdb.instance import make_datasette

    return make_datasette(persian_db, PROJECT_ROOT)


def get(datasette, path: str):
    async def fetch():
        return await datasette.client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, path
    return response


def test_translations_are_stored_with_who_made_them(persian_db):
    with sqlite3.connect(persian_db) as db:
        rows = db.execute("select id, translation, translated_by, translation_published_in from claims where translation is not null order by id").fetchall()
    assert rows == [
        (PUBLISHED, "in Mordad and Shahrivar 1367 about 5,000 political prisoners were executed in Iran's prisons", "fixture-fa-rights-group", "https://example.org/en/report"),
        (EDITORS, 'the Special Rapporteur, Javaid Rehman, named the "killing of 67" in his report', "editor", None),
    ]


def test_the_claim_page_shows_the_quote_in_its_script_beside_the_editors_translation(persian_datasette):
    html = get(persian_datasette, f"/claims/claims/{EDITORS}").text
    quote_at = html.index('<blockquote class="context"')
    translation_at = html.index('<figure class="translation" lang="en" dir="ltr">')
    assert html.index('<div class="quote-and-translation">') < quote_at < translation_at
    assert "translated by the editors of this database</figcaption>" in html
    assert "<p>“<bdi>the Special Rapporteur, Javaid Rehman, named the &#34;killing of 67&#34; in his report</bdi>”</p>" in html


def test_a_published_translation_names_its_translator_and_where_it_appeared(persian_datasette):
    html = get(persian_datasette, f"/claims/claims/{PUBLISHED}").text
    assert ('a translation published by <a href="/claims/agents/fixture-fa-rights-group"><bdi>گروه نمونه حقوق بشر</bdi></a>'
            ' (<a href="https://example.org/en/report" rel="nofollow noopener">where it was published</a>)') in html


def test_an_english_claim_has_no_translation_block(persian_datasette):
    html = get(persian_datasette, "/claims/claims/ant-executed-more-than-30000").text
    assert 'class="translation"' not in html and "quote-and-translation" not in html


@pytest.mark.parametrize("words, column", [("گزارشگر", "quote_snippet"), ("his", "translation_snippet")])
def test_search_quotes_finds_a_claim_by_its_quote_or_its_translation(persian_datasette, words, column):
    data = get(persian_datasette, "/claims/search_quotes.json?_shape=objects&" + urlencode({"q": words})).json()
    found = {row["id"]: row for row in data["rows"]}
    assert EDITORS in found, data
    assert f"[[{words}]]" in found[EDITORS][column]
    page = get(persian_datasette, "/claims/search_quotes?" + urlencode({"q": words})).text
    assert f"<mark>{words}</mark>" in page


def edit(workdir, old: str, new: str) -> None:
    path = workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("      by: editor\n", "      by: editor\n      published_in: https://example.org/x\n",
         "`translation`: `published_in` with `by: editor` — the editors' own translation was not published elsewhere: remove `published_in`, or name the translator in `by`"),
        ("      published_in: https://example.org/en/report\n", "",
         "`translation`: a translation by `fixture-fa-rights-group` without `published_in` — give the address where it was published, or write `by: editor` if the editors translated it"),
        ("      by: editor\n", "      by: nobody-known\n      published_in: https://example.org/x\n", "unknown agent `nobody-known`"),
    ],
)
def test_a_translation_without_its_translator_is_refused(persian_workdir, claimsdb, old, new, message):
    edit(persian_workdir, old, new)
    result = claimsdb("check")
    assert result.exit_code == 1
    [line, summary] = result.stderr.splitlines()
    assert line.startswith(f"claims/{PERSIAN}.yml:") and message in line, line


def test_a_persian_corpus_survives_files_database_files_database(persian_workdir, tmp_path):
    before, after, moved = round_trip(persian_workdir, tmp_path / "b")
    assert before == after and moved == []
    exported = (tmp_path / "b" / "claims" / f"{PERSIAN}.yml").read_text(encoding="utf-8")
    assert "    translation:\n      text: the Special Rapporteur" in exported
    assert "    calendar: solar-hijri\n" in exported


def test_an_excerpt_says_so_on_its_source_page(persian_datasette, persian_db):
    with sqlite3.connect(persian_db) as db:
        [(excerpt,)] = db.execute("select excerpt from sources where id = ?", [PERSIAN]).fetchall()
    assert excerpt == "A made-up excerpt for the tests, standing for the first lines of a longer report."
    html = get(persian_datasette, f"/claims/sources/{PERSIAN}").text
    assert f'<dt>Excerpt</dt><dd class="excerpt"><strong>Only part of the document is archived:</strong> <bdi>{excerpt}</bdi></dd>' in html
    assert "<dt>Excerpt</dt>" not in get(persian_datasette, "/claims/sources/arabnews-today-2021-09-03-un-workgroup-investigation").text
