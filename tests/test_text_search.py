"""A text with many quotes is indexed by its words (quotes.TextSearch): it
must find exactly what scanning the whole text for each quote finds."""

from hypothesis import given, settings
from hypothesis import strategies as st

from claimsdb import quotes

# Words and what separates them, in the scripts the corpus holds: Latin,
# Persian (with a zero-width non-joiner inside a word), digits, figures'
# punctuation and no-break spaces, so that words run into each other.
PIECES = ["executed", "execute", "d", "30,000", "3", "0", "at least", " ", "  ", "\u00a0", ", ", ".", "\n",
          "اعدام", "می\u200cشود", "ها", "«", "»", "(", ")", "’", "-"]


def indexed(text: str) -> quotes.TextSearch:
    search = quotes.TextSearch(text)
    search.SCANS, search.LONG = 0, 0  # indexed from the first needle, however short the text
    return search


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=80), st.data())
def test_the_word_index_finds_every_occurrence_that_scanning_finds(pieces, data):
    text = "".join(pieces)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    needles = [text[start:end], "".join(data.draw(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6)))]
    search = indexed(text)
    for needle in needles:
        assert search(needle) == quotes.occurrences(text, needle)
    assert search.words is not None


def test_overlapping_occurrences_and_words_inside_longer_words_are_found():
    text = "executed executed executed; re-executed (executed)"
    search = indexed(text)
    assert search("executed executed") == quotes.occurrences(text, "executed executed") == [0, 9]
    assert search("-executed (") == [30]
    assert search("ecuted exec") == [2, 11]  # no whole word: scanned for
    assert search("d (e") == [38]
    assert search("missing word here") == []


def test_a_long_text_is_indexed_after_a_few_quotes_and_a_short_one_never():
    long_text = "word " * 10_000
    search = quotes.TextSearch(long_text)
    for _ in range(quotes.TextSearch.SCANS):
        search("word word")
    assert search.words is None
    assert len(search("word word")) == 9_999
    assert search.words is not None
    short = quotes.TextSearch("word " * 100)
    for _ in range(100):
        short("word word")
    assert short.words is None


def test_a_quote_located_with_the_index_gives_the_same_span_and_the_same_problem():
    text = "".join(f"Item {n}: at least {n * 10} people were executed.\n" for n in range(2_000))
    search = indexed(text)
    assert quotes.locate_quote(text, "at least 12340 people", None, "x.txt", search=search) == \
        quotes.locate_quote(text, "at least 12340 people", None, "x.txt")
    for quote, occurrence in (("people were executed", None), ("at least 10 people", 3)):
        problems = []
        for found in (search, None):
            try:
                quotes.locate_quote(text, quote, occurrence, "x.txt", search=found)
            except quotes.QuoteNotFound as error:
                problems.append((error.message, error.fix))
        assert len(problems) == 2 and problems[0] == problems[1]
