"""The candidate expressions found in a text: figures with what they count,
dates and periods with their bounds, legal characterisations and reporting
verbs; and the words that look like them but name something."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb.candidates import find_candidates, sentences
from claimsdb.load import load_corpus

from .conftest import CLAIMS_DIR

SEMANTICS = load_corpus(CLAIMS_DIR).semantics


def found(text: str, category: str) -> list:
    return [c for c in find_candidates(text, SEMANTICS) if c.category == category]


@pytest.mark.parametrize(
    "text, expression, figure, counts",
    [
        ("the regime executed more than 30,000 political prisoners in the span", "more than 30,000 political prisoners", "more than 30,000", "political prisoners"),
        ("has identified similar gravesites in at least 36 cities, but", "at least 36 cities", "at least 36", "cities"),
        ("tens of thousands of people were held", "tens of thousands of people", "tens of thousands", "people"),
        ("Around 30,000 people were executed, however", "Around 30,000 people", "Around 30,000", "people"),
        ("For the past 33 years, officials", "33 years", "33 years", "years"),
        ("Over a period of three months in the summer", "three months", "three months", "months"),
        ("in the span of a few months.", "a few months", "a few months", "months"),
        ("thousands of political dissidents who were", "thousands of political dissidents", "thousands", "political dissidents"),
        ("More than 200 people attended the meeting.", "More than 200 people", "More than 200", "people"),
        ("between 2,800 and 5,000 prisoners died", "between 2,800 and 5,000 prisoners", "between 2,800 and 5,000", "prisoners"),
    ],
)
def test_figures_are_found_with_what_they_count(text, expression, figure, counts):
    [candidate] = found(text, "figure")
    assert (candidate.text, candidate.figure, candidate.counts) == (expression, figure, counts)


@pytest.mark.parametrize(
    "text, expression, bounds",
    [
        ("executed between July and early September 1988 in 32 cities", "between July and early September 1988", ("1988-07", "early 1988-09")),
        ("what happened in the summer of 1988 due to", "the summer of 1988", ("summer 1988", "summer 1988")),
        ("issued on August 4, 2021. In the report", "August 4, 2021", ("2021-08-04", "2021-08-04")),
        ("issued a fatwa in July 1988 ordering", "July 1988", ("1988-07", "1988-07")),
        ("were interred in 1988. Regime authorities", "in 1988", ("1988", "1988")),
        ("In an October 2020 report, the", "October 2020", ("2020-10", "2020-10")),
        ("For the past 33 years, officials", "For the past 33 years", None),
        ("In recent years, as the issue", "In recent years", None),
        ("The following week, the NCRI hosted", "The following week", None),
        ("on the eve of the day in December.", "in December", None),
        ("Early September 1988 was the end.", "Early September 1988", ("early 1988-09", "early 1988-09")),
        ("In December, the letter was made public.", "In December", None),
    ],
)
def test_dates_and_periods_are_found_with_their_bounds(text, expression, bounds):
    [candidate] = found(text, "date")
    assert (candidate.text, candidate.bounds) == (expression, bounds)


@pytest.mark.parametrize(
    "text, expressions",
    [
        ("recognize the 1988 massacre in Iran as genocide and a crime against humanity", ["genocide", "crime against humanity"]),
        ("the situation may amount to crimes against humanity", ["crimes against humanity"]),
        ("who were forcibly disappeared and then extrajudicially executed", ["forcibly disappeared", "extrajudicially executed"]),
        ("Genocide is the charge they bring.", ["Genocide"]),
    ],
)
def test_legal_characterisations_are_found(text, expressions):
    assert [c.text for c in found(text, "characterisation")] == expressions


@pytest.mark.parametrize(
    "text, expressions",
    [
        ("“They must prosecute him,” she said.", ["said"]),
        ("According to the Example Rights Group, the executions took place", ["According to"]),
        ("“The Working Group reiterates the concerns,” the report reads in part.", ["reiterates", "the report reads"]),
        ("some survivors of the massacre believe that true estimates are much higher", ["believe"]),
        ("Amnesty International called on the international community to act", ["called on"]),
    ],
)
def test_reporting_verbs_are_found(text, expressions):
    assert [c.text for c in found(text, "reporting")] == expressions


@pytest.mark.parametrize(
    "text",
    [
        "the consistent lack of accountability regarding the 1988 massacre.",  # a year in a name
        "the definition of article 2 of the 1948 Genocide Convention.",  # an article number, a convention's name
        "the Working Group on Enforced Disappearances",  # a body's name
        "the United States and Europe",  # 'States' is a name, not the verb 'states'
        "it may be so",  # 'may' is not the month
    ],
)
def test_words_that_name_something_are_not_candidates(text):
    assert find_candidates(text, SEMANTICS) == []


def test_a_vague_quantity_with_what_it_counts_is_a_candidate():
    [candidate] = found("many survivors, who remember", "figure")
    assert (candidate.text, candidate.figure, candidate.counts) == ("many survivors", "many", "survivors")


def test_a_vague_word_alone_counts_nothing():
    assert found("There were many, and more.", "figure") == []


def test_sentences_break_at_sentence_ends_and_lines_but_not_at_abbreviations():
    text = "Mrs. Maryam Rajavi spoke. The U.S. and Europe must act.\nA new line. “Quoted.” Next"
    assert [text[a:b] for a, b in sentences(text)] == [
        "Mrs. Maryam Rajavi spoke.", "The U.S. and Europe must act.", "A new line.", "“Quoted.”", "Next",
    ]


def test_each_candidate_knows_its_sentence_and_position():
    text = "First sentence here. It says at least 36 cities, no more."
    [candidate] = found(text, "figure")
    assert text[candidate.start:candidate.end] == candidate.text == "at least 36 cities"
    assert candidate.sentence(text) == "It says at least 36 cities, no more."


# Each pattern is tried only where one of its first words stands (WordStarts):
# tried there, it must find exactly what a scan of the whole text finds.
LEAD_VOCABULARY = [
    "between", "From", "from", "FROM", "and", "to", "until", "the", "The", "summer", "Winter", "of", "in", "In", "for", "over", "during",
    "within", "past", "last", "next", "recent", "years", "decades", "week", "earlier", "later", "this", "that", "at", "time", "since", "by",
    "on", "May", "may", "July", "September", "early", "mid-September", "4", "4th", "19", "1988", "2021", "1,988", "30,000", "5.5", "2-3",
    "ſince", "said", "says", "according", "According", "genocide", "Genocidal", "crimes", "against", "humanity", "war", "enforced",
    "disappearances", "forcibly", "disappeared", "tortured", "illegally", "a", "few", "dozen", "one", "hundred", "thousand", "tens",
    "thousands", "more", "than", "least", "around", "nearly", "up", "excess", "people", "prisoners", "reads", "report", "%", "article",
    "many", "stated", "reported", "estimates", "called", "urged", "’s", "_said", "x1988", "$1988", "۱۳۶۷", "۳۰٬۰۰۰", "٣٠", "اعدام", "در",
    "—", ",", ".", "\n", "-", "–", "’", "'",
    # whole expressions, so that every pattern matches often
    "at the time", "At that time", "in recent years", "for decades", "later this year", "the following week", "the past 33 years",
    "between July and early September 1988", "from 1988 to 1990", "August 4, 2021", "4 August 2021", "the summer of 1988",
    "late-September 1988", "in December", "May 4", "crimes against humanity", "according to", "the report reads",
    "more than 30,000 people", "tens of thousands of prisoners", "a dozen cities", "called on", "last week", "ethnic cleansing",
    "گفت", "می‌گوید", "می گوید", "به گفته", "اعلام کرد", "نوشت", "خواستار", "۳۰٬۰۰۰", "٣٠٫٥", "[12]", "[note 3]",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LEAD_VOCABULARY), st.sampled_from([" ", "  ", "\n", "", ", ", ". "])), max_size=30))
def test_a_pattern_tried_only_at_its_first_words_finds_what_a_whole_scan_finds(pieces):
    from claimsdb.candidates import (DATE_LEADS, DATE_PATTERNS, DIGITS, LEGAL, LEGAL_LEADS, LONE_YEAR, MORE_VAGUE_QUANTITIES,
                                     REPORTING, REPORTING_VERBS, WORD_NUMBERS, WordStarts, figure_comparators, figure_pattern, first_words,
                                     matches_at)

    text = "".join(word + gap for word, gap in pieces)
    words = WordStarts(text)
    semantics = SEMANTICS
    comparators = figure_comparators(semantics)
    vague = tuple(v.wording for v in semantics.vague_quantities) + tuple(MORE_VAGUE_QUANTITIES)
    figure_leads = first_words((*comparators, *WORD_NUMBERS, *vague, "between"))
    tried = [(pattern, lead) for (pattern, _), lead in zip(DATE_PATTERNS, DATE_LEADS)] + [
        (LONE_YEAR, (DIGITS,)), (LEGAL, LEGAL_LEADS), (REPORTING, first_words((*REPORTING_VERBS, "according"))),
        # None: a wording starts with no word character, and the text is scanned whole
        (figure_pattern(comparators, vague), None if figure_leads is None else (*figure_leads, DIGITS)),
    ]
    assert len(DATE_LEADS) == len(DATE_PATTERNS)
    for pattern, lead in tried:
        if lead is None:
            continue
        assert [m.span() for m in matches_at(pattern, text, words.of(lead))] == [m.span() for m in pattern.finditer(text)], pattern.pattern[:60]


def test_the_cheap_gates_before_a_scan_or_search_hold_for_every_match():
    """What find_candidates checks before it scans or searches: every letter a
    Solar Hijri match needs is in ARABIC_SCRIPT; every joining word of
    RUN_IN_RANGE ends with one of RANGE_JOIN_ENDS."""
    from claimsdb.candidates import ARABIC_SCRIPT, RANGE_JOIN_ENDS, RUN_IN_RANGE, SOLAR_HIJRI_MONTHS

    for word in [*SOLAR_HIJRI_MONTHS, "بهار", "تابستان", "پاییز", "زمستان", "سال"]:
        assert all(ARABIC_SCRIPT.fullmatch(char) for char in word), word
    joins = RUN_IN_RANGE.pattern.rsplit(r"\s*(?:", 1)[1].split(r")\s*$")[0].split("|")
    assert joins == ["to", "and", "-", "–", "—"] and {join[-1] for join in joins} == set(RANGE_JOIN_ENDS)
