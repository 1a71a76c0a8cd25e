"""Wording as data in every language of the corpus: Persian and Arabic
comparators, multipliers and vague quantities in value_semantics (a
`language` column), each with both readings; a claim's figure read with the
wordings of its source's language, and detected against the English figures
without declarations."""

from __future__ import annotations

import sqlite3

import pytest

from claimsdb.load import load_corpus
from claimsdb.readings import reading_of, wordings_language

from .conftest import CLAIMS_DIR

PERSIAN = "fixture-fa-report"


@pytest.fixture(scope="module")
def semantics():
    return load_corpus(CLAIMS_DIR).semantics


@pytest.mark.parametrize("written, language, entailed, suggested, rule", [
    ("حدود ۵٬۰۰۰", "fa", "[4,500, 5,500]", "[4,500, 5,500]", "about"),
    ("در حدود ۵٬۰۰۰", "fa", "[4,500, 5,500]", "[4,500, 5,500]", "about"),
    ("۵٬۰۰۰", "fa", "[5,000, 5,000]", "[5,000, 5,000]", "exactly"),
    ("بیش از ۳۰٬۰۰۰", "fa", "(30,000, ∞)", "(30,000, 60,000)", "more than"),
    ("بیش از ۳۰ هزار", "fa", "(30,000, ∞)", "(30,000, 60,000)", "more than"),
    ("دست‌کم ۴٬۰۰۰", "fa", "[4,000, ∞)", "[4,000, 8,000)", "at least"),
    ("دست کم ۴٬۰۰۰", "fa", "[4,000, ∞)", "[4,000, 8,000)", "at least"),  # a space for the ZWNJ
    ("حداقل ۴۰۰۰", "fa", "[4,000, ∞)", "[4,000, 8,000)", "at least"),
    ("تا ۵٬۰۰۰", "fa", "[0, 5,000]", "[2,500, 5,000]", "at most"),
    ("بین ۱٬۸۷۹ تا ۴٬۴۸۲", "fa", "[1,879, 4,482]", "[1,879, 4,482]", "between"),
    ("هزاران", "fa", "[2,000, ∞)", "[2,000, 10,000)", "هزاران"),
    ("چندین هزار", "fa", "[2,000, ∞)", "[2,000, 10,000)", "چندین هزار"),
    ("ده‌ها هزار", "fa", "[20,000, ∞)", "[20,000, 100,000)", "ده‌ها هزار"),
    ("صدها", "fa", "[200, ∞)", "[200, 1,000)", "صدها"),
    ("حوالي ٥٬٠٠٠", "ar", "[4,500, 5,500]", "[4,500, 5,500]", "about"),
    ("حوالی ٥٬٠٠٠", "ar", "[4,500, 5,500]", "[4,500, 5,500]", "about"),  # typed with the Persian yeh
    ("أكثر من ٣٠ ألف", "ar", "(30,000, ∞)", "(30,000, 60,000)", "more than"),
    ("ما لا يقل عن ٥٠٠٠", "ar", "[5,000, ∞)", "[5,000, 10,000)", "at least"),
    ("حتى ٥٠٠٠", "ar", "[0, 5,000]", "[2,500, 5,000]", "at most"),
    ("بين ٣٠٠٠ و٥٠٠٠", "ar", "[3,000, 5,000]", "[3,000, 5,000]", "between"),
    ("آلاف", "ar", "[2,000, ∞)", "[2,000, 10,000)", "آلاف"),
    ("عشرات الآلاف", "ar", "[20,000, ∞)", "[20,000, 100,000)", "عشرات الآلاف"),
    ("مئات", "ar", "[200, ∞)", "[200, 1,000)", "مئات"),
    ("حدود ۵٬۰۰۰", "fa-IR", "[4,500, 5,500]", "[4,500, 5,500]", "about"),
])
def test_persian_and_arabic_wordings_have_both_readings(semantics, written, language, entailed, suggested, rule):
    reading = reading_of(written, semantics, language)
    assert (str(reading.entailed), str(reading.suggested), reading.rule) == (entailed, suggested, rule)


def test_a_figure_is_read_with_its_own_languages_wordings(semantics):
    from claimsdb.readings import ValueNotUnderstood

    with pytest.raises(ValueNotUnderstood):
        reading_of("حدود ۵٬۰۰۰", semantics, "en")
    with pytest.raises(ValueNotUnderstood):
        reading_of("more than 30,000", semantics, "fa")
    # A language the table has no wordings for is read with the English ones.
    assert wordings_language(semantics, "fr") == "en"
    assert str(reading_of("more than 30,000", semantics, "fr").entailed) == "(30,000, ∞)"


def test_about_5000_in_persian_is_read_and_contradicts_the_30000_figures_undeclared(persian_db):
    with sqlite3.connect(persian_db) as db:
        claim = db.execute("select value_text, value_low, value_high, value_rule from claims where id = 'fixture-fa-about-5000-executed'").fetchone()
        relations = dict(db.execute(
            "select case when claim_id = 'fixture-fa-about-5000-executed' then other_claim_id else claim_id end, relation || ' ' || origin"
            " from relations where 'fixture-fa-about-5000-executed' in (claim_id, other_claim_id)"))
        declared = db.execute("select count(*) from declared_relations where 'fixture-fa-about-5000-executed' in (claim_id, other_claim_id)").fetchone()[0]
    assert claim == ("حدود ۵٬۰۰۰", 4500, 5500, "about")
    assert relations["ant-executed-more-than-30000"] == "contradicts detected"
    assert relations["inu-executed-around-30000"] == "contradicts detected"
    assert declared == 0


def test_the_table_publishes_each_wording_with_its_language(persian_db):
    with sqlite3.connect(persian_db) as db:
        rows = set(db.execute("select category, language, wording, name from value_semantics"))
    assert ("comparator", "fa", "حدود", "about") in rows
    assert ("comparator", "ar", "حوالي", "about") in rows
    assert ("comparator", "en", "", "exactly") in rows and ("comparator", "fa", "", "exactly") in rows
    assert ("multiplier", "fa", "هزار", "هزار") in rows
    assert ("vague-quantity", "fa", "هزاران", "هزاران") in rows
    assert ("period-qualifier", "fa", "تابستان", "تابستان") in rows


def test_an_english_wording_in_a_persian_source_is_refused_with_the_language(persian_workdir, claimsdb):
    path = persian_workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8").replace('value: "حدود ۵٬۰۰۰"', 'value: "about ۵٬۰۰۰"')
    path.write_text(text, encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if 'value: "about ۵٬۰۰۰"' in content)
    result = claimsdb("check")
    assert result.stderr.splitlines()[0] == (
        f"claims/{PERSIAN}.yml:{line}: cannot read the figure 'about ۵٬۰۰۰' with the table in measures.yml (its fa wordings, the language of the source)"
        " — give `low:`/`high:` explicitly, or add the wording to value_semantics with `language: fa`"
    )


def test_a_wording_given_twice_in_one_language_is_refused_but_not_across_languages(persian_workdir, claimsdb):
    path = persian_workdir / "claims" / "measures.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('wordings: ["دست‌کم", "حداقل", "لااقل", "لا اقل"]', 'wordings: ["دست‌کم", "حداقل", "لااقل", "لا اقل", "حدود"]')
    path.write_text(text, encoding="utf-8")
    result = claimsdb("check")
    assert result.exit_code == 1
    [problem] = [line for line in result.stderr.splitlines() if "comparator wording" in line]
    assert "the comparator wording 'حدود'" in problem
