"""The folding table, letter by letter: a quote that differs from its archive
only by one folded character fails with the exact archived text to paste,
`locate` finds it, and matching itself is never loosened."""

from __future__ import annotations

import sqlite3

import pytest

from claimsdb import quotes
from claimsdb.folding import FOLDINGS, KINDS, code_points, table_rows
from claimsdb.yamlfile import yaml_quoted

ROWS = [pytest.param(row, id=f"{row.kind}-{code_points(row.character)}") for row in FOLDINGS]
PERSIAN = "fixture-fa-report"


def words_with(char: str) -> str:
    # A Persian word around the character, so letters, marks and digits each
    # stand where they would in a text.
    return f"ابر{char}دل"


@pytest.mark.parametrize("row", ROWS)
def test_a_quote_typed_with_the_folded_form_shows_the_archived_text(row):
    archived = words_with(row.character)
    text = f"آغاز متن {archived} پایان متن"
    typed = words_with(row.folds_to)
    with pytest.raises(quotes.QuoteNotFound) as raised:
        quotes.locate_quote(text, typed, None, "claims/sources/x.txt")
    assert raised.value.fix == f"paste the archived text exactly: quote: {yaml_quoted(archived)}"
    assert "it matches only after folding" in raised.value.message
    if row.kind != "typography":
        assert KINDS[row.kind] in raised.value.message
        assert code_points(row.character) in raised.value.message
    # What the message says to paste is found exactly.
    assert quotes.locate_quote(text, archived, None, "claims/sources/x.txt") == quotes.Span(text.index(archived), text.index(archived) + len(archived))


@pytest.mark.parametrize("row", ROWS)
def test_a_quote_typed_with_the_character_shows_the_archived_folded_form(row):
    archived = words_with(row.folds_to)
    text = f"آغاز متن {archived} پایان متن"
    with pytest.raises(quotes.QuoteNotFound) as raised:
        quotes.locate_quote(text, words_with(row.character), None, "claims/sources/x.txt")
    assert raised.value.fix == f"paste the archived text exactly: quote: {yaml_quoted(archived)}"
    if row.kind != "typography":
        assert KINDS[row.kind] in raised.value.message


@pytest.mark.parametrize("row", ROWS)
def test_locate_finds_words_across_the_folded_character(row):
    archived = words_with(row.character)
    text = f"آغاز متن {archived} پایان متن"
    hits = quotes.find_words(text, words_with(row.folds_to))
    assert [(hit.words(text), hit.exact) for hit in hits] == [(archived, False)]


def test_a_word_that_differs_by_a_letter_the_table_does_not_fold_is_not_found():
    # ب and پ are different letters: folding never makes them one.
    text = "آغاز متن کتاب پایان"
    with pytest.raises(quotes.QuoteNotFound) as raised:
        quotes.locate_quote(text, "کتاپ", None, "claims/sources/x.txt")
    assert raised.value.message == "the quote does not occur in claims/sources/x.txt"
    assert quotes.find_words(text, "کتاپ") == []


def test_a_quote_in_mixed_letter_forms_names_the_ones_that_differ():
    text = "آغاز ياری پایان"  # the archive mixes Arabic and Persian yeh
    with pytest.raises(quotes.QuoteNotFound) as raised:
        quotes.locate_quote(text, "یاری", None, "claims/sources/x.txt")
    assert "Arabic-script letter forms (ی U+06CC for ي U+064A)" in raised.value.message


def test_marks_after_the_last_letter_stay_with_it():
    text = "آغاز سلامٌ پایان"
    assert [hit.words(text) for hit in quotes.find_words(text, "سلامً")] == ["سلامٌ"]


def test_the_folding_table_is_published(persian_workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    with sqlite3.connect("claims.db") as db:
        published = [dict(zip(("character", "code_point", "name", "folds_to", "folds_to_code_point", "kind", "description"), row))
                     for row in db.execute("select character, code_point, name, folds_to, folds_to_code_point, kind, description from text_folding order by rowid")]
    assert published == table_rows()
    yeh = next(row for row in published if row["character"] == "\u064a")
    assert (yeh["code_point"], yeh["name"], yeh["folds_to"], yeh["kind"]) == ("U+064A", "ARABIC LETTER YEH", "\u06cc", "letter-form")


def test_a_quote_typed_with_the_arabic_yeh_fails_with_the_text_to_paste(persian_workdir, claimsdb):
    path = persian_workdir / "claims" / f"{PERSIAN}.yml"
    archived = "در مرداد و شهریور ۱۳۶۷ حدود ۵٬۰۰۰ زندانی سیاسی در زندان‌های ایران اعدام شدند"
    typed = archived.replace("\u06cc", "\u064a")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'quote: "{archived}"', f'quote: "{typed}"'), encoding="utf-8")
    line = next(n for n, content in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if typed in content)
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"claims/{PERSIAN}.yml:{line}: the quote is not in claims/sources/{PERSIAN}.txt as written; it matches only after folding "
        f"Arabic-script letter forms (ي U+064A for ی U+06CC) — paste the archived text exactly: quote: {yaml_quoted(archived)}",
        "1 problem(s); nothing was built.",
    ]


def test_locate_names_the_letter_forms_it_folded(persian_workdir, claimsdb):
    result = claimsdb("locate", PERSIAN, "زنداني سياسي")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"claims/sources/{PERSIAN}.txt: 1 place(s), matched only with typography, Arabic-script letter forms (ي U+064A for ی U+06CC) and case folded:\n"
    )
    assert '  quote: "زندانی سیاسی"\n' in result.output


def test_locate_finds_latin_digits_in_persian_ones(persian_workdir, claimsdb):
    result = claimsdb("locate", PERSIAN, "حدود 5,000")
    assert result.exit_code == 0, result.output
    assert '  quote: "حدود ۵٬۰۰۰"\n' in result.output
