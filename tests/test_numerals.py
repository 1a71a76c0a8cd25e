"""Figures in Persian and Arabic-Indic digits, with the Arabic thousands and
decimal separators or Latin ones, read exactly as the same figures in Latin
digits."""

from __future__ import annotations

import pytest

from claimsdb.load import load_corpus
from claimsdb.numerals import latin_digits
from claimsdb.readings import ValueNotUnderstood, reading_of

from .conftest import CLAIMS_DIR


@pytest.fixture(scope="module")
def semantics():
    return load_corpus(CLAIMS_DIR).semantics


@pytest.mark.parametrize("written, latin", [
    ("۵٬۰۰۰", "5,000"),  # Persian digits, U+066C
    ("٥٬٠٠٠", "5,000"),  # Arabic-Indic digits, U+066C
    ("۵,۰۰۰", "5,000"),  # Persian digits, a Latin comma
    ("۳۰۰۰۰", "30000"),
    ("۲٫۵", "2.5"),  # U+066B
    ("٢٫٥", "2.5"),
    ("1,879", "1,879"),
    ("۱٬۸۷۹ نفر", "1,879 نفر"),
    ("٬۵", "٬5"),  # a separator not between digits is not a figure's
])
def test_digits_and_separators_become_latin(written, latin):
    assert latin_digits(written) == latin


@pytest.mark.parametrize("written, low, high", [
    ("۵٬۰۰۰", 5000, 5000),
    ("٥٬٠٠٠", 5000, 5000),
    ("۵,۰۰۰", 5000, 5000),
    ("more than ۳۰٬۰۰۰", 30000, None),
    ("between ۱٬۸۷۹ and ۴٬۴۸۲", 1879, 4482),
    ("۲٫۵ million", 2_500_000, 2_500_000),
])
def test_figures_in_other_digits_read_exactly(semantics, written, low, high):
    reading = reading_of(written, semantics)
    assert (reading.entailed.low, reading.entailed.high) == (low, high)
    assert reading == reading_of(latin_digits(written), semantics)


def test_a_misplaced_separator_is_not_read(semantics):
    with pytest.raises(ValueNotUnderstood):
        reading_of("۵٬", semantics)


@pytest.mark.parametrize("text, figure", [
    ("در این سال حدود ۵٬۰۰۰ زندانی اعدام شدند", "حدود ۵٬۰۰۰"),  # with its Persian comparator
    ("بین ۱٬۸۷۹ نفر", "۱٬۸۷۹"),
    ("نرخ ۲٫۵ درصد", "۲٫۵"),
])
def test_a_figure_in_persian_digits_is_one_candidate(semantics, text, figure):
    from claimsdb.candidates import find_candidates

    assert [c.figure for c in find_candidates(text, semantics) if c.category == "figure"] == [figure]


@pytest.mark.parametrize("text, verb", [
    ("به گفته گروه نمونه حقوق بشر، اعدام‌ها ادامه داشت", "به گفته"),
    ("منتظری خواستار توقف کشتارها شد", "خواستار"),
])
def test_persian_reporting_words_are_candidates(semantics, text, verb):
    from claimsdb.candidates import find_candidates

    assert [c.verb for c in find_candidates(text, semantics) if c.category == "reporting"] == [verb]
