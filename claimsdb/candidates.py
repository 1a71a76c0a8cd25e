"""Find the expressions in an archived text that may carry a claim.

Four categories, matching what a claim records:

- ``figure``: a number or vague quantity with what it counts ("more than
  30,000 political prisoners", "at least 36 cities", "tens of thousands",
  "33 years");
- ``date``: a date or period, absolute ("between July and early September
  1988", "the summer of 1988", "August 4, 2021", "in 1988") or relative
  ("the past 33 years", "in recent years", "the following week");
- ``characterisation``: a legal characterisation ("genocide", "crime against
  humanity", "forcibly disappeared");
- ``reporting``: a reporting verb ("said", "according to", "the report
  reads"), which says someone other than the outlet speaks.

The finder proposes; editors decide. It errs towards finding too much, since
an expression an editor decides carries no claim is marked as such in the
source file with a reason, while a missed one would never be seen. Comparator
and vague wordings come from the published value_semantics table, so a
wording added there is found here too.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from .model import ValueSemantics
from .numerals import latin_digits
from .readings import NUMBER_LIKE

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
MONTH_NUMBER = {name.lower(): f"{number:02d}" for number, name in enumerate(MONTHS, 1)}
MONTH = "(?:" + "|".join(MONTHS) + ")"
YEAR = r"(?:1[5-9]\d\d|20\d\d)(?![\d,]\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
PART_OF_MONTH = r"(?:early|mid|late)"
SEASONS = r"(?:spring|summer|autumn|fall|winter)"
# The Solar Hijri (Iranian) calendar as Persian texts write it: its months,
# years of the 13th and 14th centuries (1300–1499, 1921–2121 AD), and days,
# in Persian or Latin digits.
SOLAR_HIJRI_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
SH_MONTH = "(?:" + "|".join(SOLAR_HIJRI_MONTHS) + ")"
SH_YEAR = r"[1۱][34۳۴][0-9۰-۹]{2}(?![0-9۰-۹])"
SH_DAY = r"(?:[0-3۰-۳]?[0-9۰-۹])"
TIME_UNITS = {"day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades", "century", "centuries", "hour", "hours"}

WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12, "a hundred": 100,
    "one hundred": 100, "a thousand": 1000, "one thousand": 1000, "a million": 1_000_000,
}
# Vague quantities beyond those value_semantics gives an interval for: found,
# so that no figure is missed, though the table cannot read them.
MORE_VAGUE_QUANTITIES = [
    "hundreds of thousands", "millions", "scores", "several", "many", "numerous", "a few", "a handful",
    "a number", "countless", "a majority", "a minority",
]
# \d matches Persian and Arabic-Indic digits too; the Arabic thousands (U+066C)
# and decimal (U+066B) separators join them into one figure ("۵٬۰۰۰").
# Persian and Arabic multipliers as well: '۳۰ هزار' (30 thousand), '٣٠ ألف'.
NUMBER = r"(?:\d{1,3}(?:[,\u066c]\d{3})+|\d+)(?:[.\u066b]\d+)?(?:\s+(?:thousand|million|billion|هزار|میلیون|میلیارد|ألف|آلاف|مليون|ملايين))?(?:\s*(?:%|per\s?cent|\u066a))?"
# A number after these words names something ("article 2"), it counts nothing.
IDENTIFIER_BEFORE = re.compile(r"(?:article|section|paragraph|chapter|resolution|no\.|number|item|pages?|pp?\.|clause|rule|protocol|volume|vol\.)\s+$", re.I)
# Wikipedia-like pages: a reference marker ("[15]", "[note 3]") is no figure;
# nor is the second number of an infobox label run into its value
# ("Deaths2,800 to 30,000": the label's last letter touches the first number).
REFERENCE_MARKER = re.compile(r"\[(?:(?:note|n|nb|lower-alpha)\s*)?\d{1,4}\]", re.I)
RUN_IN_RANGE = re.compile(rf"[^\W\d_]{NUMBER_LIKE.pattern}\s*(?:to|and|-|–|—)\s*$")
RANGE_JOIN_ENDS = ("o", "d", "-", "–", "—")  # the last character of each joining word of RUN_IN_RANGE
COUNTED_STOP = {
    "and", "or", "but", "nor", "in", "on", "at", "by", "to", "from", "for", "with", "without", "of", "who", "whom",
    "whose", "which", "that", "were", "was", "is", "are", "be", "been", "being", "have", "has", "had", "will",
    "would", "could", "should", "may", "might", "can", "do", "did", "does", "as", "than", "since", "until",
    "after", "before", "during", "alongside", "across", "over", "under", "into", "onto", "about", "around",
    "per", "each", "the", "a", "an", "this", "these", "those", "their", "its", "his", "her", "it", "they",
    "he", "she", "we", "there", "here", "when", "where", "while", "if", "not", "no", "so", "also", "both",
    "all", "such", "between", "among", "within", "through", "later", "ago", "earlier", "more", "less",
}
DETERMINERS = r"(?:the|a|an|its|their|his|her|this|that|these|those|whose|our)"

LEGAL_TERMS = [
    r"genocid(?:e|al)",
    r"crimes?\s+against\s+humanity",
    r"war\s+crimes?",
    r"crimes?\s+of\s+aggression",
    r"ethnic\s+cleansing",
    r"(?:enforced|forced|involuntary)\s+disappearances?",
    r"forcibly\s+disappeared",
    r"extrajudicial(?:ly)?\s+(?:executed|executions?|killings?|killed)",
    r"summar(?:y|ily)\s+(?:executed|executions?)",
    r"arbitrar(?:y|ily)\s+(?:detention|detained|executions?|executed|arrests?|arrested)",
    r"tortured?",
    r"persecution",
    r"apartheid",
    r"illegal(?:ly)?",
    r"unlawful(?:ly)?",
]
LEGAL = re.compile(r"\b(?:" + "|".join(LEGAL_TERMS) + r")\b", re.I)
# The first word of every match of LEGAL_TERMS (kept beside them: a term added there needs its first word here).
LEGAL_LEADS = ("genocide", "genocidal", "crime", "crimes", "war", "ethnic", "enforced", "forced", "involuntary", "forcibly",
               "extrajudicial", "extrajudicially", "summary", "summarily", "arbitrary", "arbitrarily", "torture", "tortured",
               "persecution", "apartheid", "illegal", "illegally", "unlawful", "unlawfully")

# Lower case only: "States" in "United States" is a name, "states" mid-sentence a verb.
REPORTING_VERBS = [
    "according to", "said", "says", "say", "stated", "stressed", "stresses", "warned", "warns", "added", "adds",
    "wrote", "writes", "reads", "told", "claimed", "believe", "believes", "believed", "called on", "called for",
    "calls on", "calls for", "urged", "urges", "noted", "highlighted", "highlights", "reiterated", "reiterates",
    "described", "describes", "indicated", "indicates", "announced", "insisted", "insists", "argued", "argues",
    "confirmed", "confirms", "denied", "denies", "alleged", "alleges", "accused", "accuses", "recalled",
    "recalls", "cited", "concluded", "explained", "acknowledged", "acknowledges", "declared", "demanded",
    "emphasised", "emphasized", "asserted", "testified", "reported that", "estimated", "estimates that",
    # Persian: according to, said, says, announced, wrote, called for
    "به گفته", "گفت", "می‌گوید", "می گوید", "اعلام کرد", "نوشت", "خواستار",
]
REPORTING = re.compile(
    r"(?<![\w’'-])(?:" + "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(REPORTING_VERBS, key=len, reverse=True))
    + r"|According\s+to)(?![\w’'-])"
)

ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "st", "no", "gen", "jr", "sr", "u.s", "u.n", "u.k", "e.g", "i.e", "vs", "mt", "col", "lt", "gov", "rev", "sen", "rep", "art", "para"}
SENTENCE_END = re.compile(r"[.!?]+[”\"’')\]]*(?=\s|$)")
LINE = re.compile(r"[^\n]+")
NOT_SPACE = re.compile(r"\S")  # \s is str.isspace(), which str.strip() strips
ASCII_LOWERCASE = frozenset("abcdefghijklmnopqrstuvwxyz")


# A named tuple, not a frozen dataclass: a text has a candidate every few
# words, and a frozen dataclass sets each field through object.__setattr__
# (four times the cost of making a tuple). Nothing compares it with a plain tuple.
class Candidate(NamedTuple):
    category: str  # figure, date, characterisation or reporting
    start: int  # the expression's span in the text, code points, half-open
    end: int
    text: str  # the expression as written
    sentence_start: int
    sentence_end: int
    figure: str | None = None  # figure: the figure as written ("more than 30,000", "33 years")
    counts: str | None = None  # figure: what it counts, as written ("political prisoners")
    bounds: tuple[str, str] | None = None  # date: start and end bounds, when the text fixes them
    calendar: str | None = None  # date: the calendar of the bounds, when not the Gregorian ('solar-hijri')
    verb: str | None = None  # reporting: the verb as written

    @property
    def relative(self) -> bool:
        return self.category == "date" and self.bounds is None

    def sentence(self, text: str) -> str:
        return text[self.sentence_start:self.sentence_end]


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``; a line break always ends one."""
    spans = []
    for line in LINE.finditer(text):
        start = line.start()
        for end_mark in SENTENCE_END.finditer(text, line.start(), line.end()):
            word = word_before(text, start, end_mark.start()).lower()
            # The first character after the mark on its line (not the rest of the line, sliced at every mark).
            after = NOT_SPACE.search(text, end_mark.end(), line.end())
            if word in ABBREVIATIONS or (len(word) == 1 and word in ASCII_LOWERCASE) or (after and after[0].islower()):
                continue
            spans.append((start, end_mark.end()))
            start = end_mark.end()
        spans.append((start, line.end()))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            offset = start + len(piece) - len(piece.lstrip())
            trimmed.append((offset, offset + len(stripped)))
    return trimmed


def word_before(text: str, start: int, end: int) -> str:
    """The word characters and dots (``[\\w.]*``) that end ``text[start:end]``:
    walked back from ``end``, where a search for ``[\\w.]*$`` tries every
    position of a long line."""
    at = end
    while at > start and (text[at - 1].isalnum() or text[at - 1] in "._"):
        at -= 1
    return text[at:end]


def word_pattern(words) -> str:
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)) + ")"


def bound(year: str, month: str | None = None, day: str | None = None, qualifier: str | None = None) -> str:
    value = year
    if month:
        value += "-" + MONTH_NUMBER[month.lower()]
    if day:
        value += f"-{int(re.match(r'[0-9]+', day)[0]):02d}"
    return f"{qualifier.lower()} {value}" if qualifier else value


Q = rf"(?i:{PART_OF_MONTH})"
# (pattern, bounds of a match given part(word) -> qualifier or None and the
# table's qualifiers); compiled once, not once a text.
DATE_PATTERNS = [
    (re.compile(pattern), bounds_of) for pattern, bounds_of in [
        # between July and early September 1988; from March to May 2020
        (rf"\b(?i:between|from)\s+(?:(?P<q1>{Q})[- ])?(?P<m1>{MONTH})(?:\s+(?P<y1>{YEAR}))?\s+(?i:and|to|until|through)\s+(?:(?P<q2>{Q})[- ])?(?P<m2>{MONTH})\s+(?P<y2>{YEAR})\b",
         lambda m, part, qualifiers: (bound(m["y1"] or m["y2"], m["m1"], qualifier=part(m["q1"])), bound(m["y2"], m["m2"], qualifier=part(m["q2"])))),
        # between 1988 and 1990
        (rf"\b(?i:between|from)\s+(?P<y1>{YEAR})\s+(?i:and|to|until|through)\s+(?P<y2>{YEAR})\b", lambda m, part, qualifiers: (m["y1"], m["y2"])),
        # August 4, 2021 / 4 August 2021
        (rf"\b(?P<m>{MONTH})\s+(?P<d>{DAY}),?\s+(?P<y>{YEAR})\b", lambda m, part, qualifiers: (bound(m["y"], m["m"], m["d"]),) * 2),
        (rf"\b(?P<d>{DAY})\s+(?P<m>{MONTH}),?\s+(?P<y>{YEAR})\b", lambda m, part, qualifiers: (bound(m["y"], m["m"], m["d"]),) * 2),
        # early September 1988 / September 1988
        (rf"\b(?:(?P<q>{Q})[- ])?(?P<m>{MONTH})(?:\s+of)?\s+(?P<y>{YEAR})\b", lambda m, part, qualifiers: (bound(m["y"], m["m"], qualifier=part(m["q"])),) * 2),
        # the summer of 1988
        (rf"\b(?i:(?:the\s+)?(?P<s>{SEASONS})\s+(?:of\s+)?)(?P<y>{YEAR})\b",
         lambda m, part, qualifiers: (bound(m["y"], qualifier=m["s"].lower()),) * 2 if m["s"].lower() in qualifiers else None),
        # relative: the past 33 years, the following week, in recent years, for decades, at the time
        (r"(?i)\b(?:(?:in|for|over|during|within)\s+)?the\s+(?:past|last|previous|following|next|coming|preceding)\s+(?:(?:\d+|" + word_pattern(WORD_NUMBERS) + r"|few|several)\s+)?(?:days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b", None),
        (r"(?i)\b(?:in\s+)?recent\s+(?:days|weeks|months|years|decades)\b", None),
        (r"(?i)\b(?:for|over)\s+(?:decades|years|months|weeks|centuries)\b", None),
        (r"(?i)\b(?:earlier|later)\s+(?:this|that|last)\s+(?:week|month|year)\b", None),
        (r"(?i)\b(?:last|this|next)\s+(?:week|month|year)\b", None),
        (r"(?i)\bat\s+(?:the|that)\s+time\b", None),
        # a month without its year: in December, on May 4
        (rf"\b(?i:in|since|until|by|during|from|on|of)\s+(?:{Q}[- ])?{MONTH}\b", None),
        (rf"(?<![-–])\b{MONTH}\s+{DAY}\b(?!,?\s+\d)", None),
    ]
]
MONTH_WORDS = tuple(month.casefold() for month in MONTHS)
# The first word of every match of each of DATE_PATTERNS, in their order
# (DIGITS: a number): each pattern is tried only where its first word stands.
DIGITS = "0123456789"
DATE_LEADS = [
    ("between", "from"), ("between", "from"), MONTH_WORDS, (DIGITS,), ("early", "mid", "late", *MONTH_WORDS),
    ("the", "spring", "summer", "autumn", "fall", "winter"), ("in", "for", "over", "during", "within", "the"),
    ("in", "recent"), ("for", "over"), ("earlier", "later"), ("last", "this", "next"), ("at",),
    ("in", "since", "until", "by", "during", "from", "on", "of"), MONTH_WORDS,
]
WORD = re.compile(r"\w+")


class WordStarts:
    """Where each word of a text starts, found in one scan: the patterns
    whose matches all begin with one of a few words are tried there only,
    and not at every position of the text."""

    def __init__(self, text: str):
        self.at: dict[str, list[int]] = {}
        for match in WORD.finditer(text):
            word = match[0]
            # casefold: at least every word that (?i) matches (the long s, the Kelvin sign)
            key = DIGITS if word[0].isdecimal() else word.casefold()  # any digit \d matches, Persian ones too
            self.at.setdefault(key, []).append(match.start())

    def of(self, words) -> list[int] | None:
        if words is None:  # wordings that start with no word: every position
            return None
        found = [self.at[word] for word in words if word in self.at]
        return found[0] if len(found) == 1 else sorted(set().union(*found))


def matches_at(pattern: re.Pattern, text: str, positions: list[int] | None):
    """``pattern.finditer(text)``, given every position a match may start at
    (in order): the same matches, trying only those positions."""
    if positions is None:
        yield from pattern.finditer(text)
        return
    end = 0
    for at in positions:
        if at < end:
            continue
        match = pattern.match(text, at)
        if match:
            yield match
            end = max(match.end(), at + 1)


LONE_YEAR = re.compile(rf"(?<![\d,.$£€])\b{YEAR}\b(?![\d.,]\d)")
NAMING_DETERMINER = re.compile(rf"\b{DETERMINERS}\s+$", re.I)
NAME_AFTER = re.compile(r"\s+[A-Za-z]")
DATE_PREPOSITION = re.compile(r"\b(?:in|since|until|by|during|from|of|before|after|around|circa|throughout)\s+$", re.I)


def find_dates(text: str, semantics: ValueSemantics | None, words: WordStarts | None = None) -> tuple[list[tuple[int, int, tuple | None]], list[tuple[int, int]]]:
    """(start, end, bounds or None) of each date expression, and the spans of
    years that are part of a name ("the 1988 massacre"), which are no date.

    Month names match only capitalised ("May", not "may"); every other word
    in any case, since it may start a sentence."""
    qualifiers = {q.qualifier for q in semantics.period_qualifiers} if semantics else set()
    found: list[tuple[int, int, tuple | None]] = []
    solar_hijri: set[tuple[int, int]] = set()
    taken = bytearray(len(text) + 1)

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def take(start: int, end: int, bounds) -> None:
        if free(start, end):
            taken[start:end] = b"\1" * (end - start)
            found.append((start, end, bounds))

    def part(word):
        return word.lower() if word and word.lower() in qualifiers else None

    words = words if words is not None else WordStarts(text)
    for (pattern, bounds_of), lead in zip(DATE_PATTERNS, DATE_LEADS):
        for match in matches_at(pattern, text, words.of(lead)):
            take(*match.span(), bounds_of(match, part, qualifiers) if bounds_of else None)
    for start, end, bounds in solar_hijri_dates(text, qualifiers):
        if free(start, end):
            take(start, end, bounds)
            solar_hijri.add((start, end))
    names = []
    for match in matches_at(LONE_YEAR, text, words.of((DIGITS,))):
        start, end = match.span()
        if not free(start, end):
            continue
        if NAMING_DETERMINER.search(text[max(0, start - 8):start]) and NAME_AFTER.match(text[end:end + 2]):
            names.append((start, end))
            continue
        # "in 1988": the preposition belongs to the date as written.
        preposition = DATE_PREPOSITION.search(text[max(0, start - 12):start])
        take(start - len(preposition[0]) if preposition else start, end, (match[0], match[0]))
    found.sort()
    return found, names, solar_hijri


def solar_hijri_dates(text: str, qualifiers: set[str]):
    """(start, end, bounds) of the Solar Hijri dates of a Persian text: 'مرداد و
    شهریور ۱۳۶۷', '۲۴ مرداد ۱۳۶۷', 'تابستان ۱۳۶۷', 'سال ۱۳۶۷', with the bounds
    in that calendar ('1367-05', '1367-06')."""

    def month(name: str) -> str:
        return f"{SOLAR_HIJRI_MONTHS.index(name) + 1:02d}"

    def day(digits: str) -> str:
        return f"{int(latin_digits(digits)):02d}"

    spans = []
    if not ARABIC_SCRIPT.search(text):  # every match has a Persian month, season or سال: most texts need no scan at all
        return spans
    for m in SOLAR_HIJRI_DATE.finditer(text):
        year = latin_digits(m["y"])
        first = f"{year}-{month(m['m1'])}" + (f"-{day(m['d1'])}" if m["d1"] else "")
        last = f"{year}-{month(m['m2'] or m['m1'])}" + (f"-{day(m['d2'])}" if m["d2"] else (f"-{day(m['d1'])}" if m["d1"] and not m["m2"] else ""))
        spans.append((m.start(), m.end(), (first, last)))
    seasons = [q for q in qualifiers if q in ("بهار", "تابستان", "پاییز", "زمستان")]
    if seasons:
        for m in solar_hijri_season(tuple(seasons)).finditer(text):
            spans.append((m.start(), m.end(), (f"{m['s']} {latin_digits(m['y'])}",) * 2))
    for m in SOLAR_HIJRI_YEAR.finditer(text):
        spans.append((m.start(), m.end(), (latin_digits(m["y"]),) * 2))
    return spans


# The Arabic block, which holds every letter of the Persian months, seasons and سال.
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
# (۲۴) مرداد (و (۳۱) شهریور) (ماه) (سال) ۱۳۶۷
SOLAR_HIJRI_DATE = re.compile(
    rf"(?<!\w)(?:(?P<d1>{SH_DAY})\s+)?(?P<m1>{SH_MONTH})(?:\s+ماه)?(?:\s+(?:و|تا)\s+(?:(?P<d2>{SH_DAY})\s+)?(?P<m2>{SH_MONTH})(?:\s+ماه)?)?"
    rf"(?:\s*،)?\s+(?:سال\s+)?(?P<y>{SH_YEAR})"
)
SOLAR_HIJRI_YEAR = re.compile(rf"(?<!\w)(?:در\s+)?سال\s+(?P<y>{SH_YEAR})")


@lru_cache(maxsize=8)
def solar_hijri_season(seasons: tuple[str, ...]) -> re.Pattern:
    return re.compile(rf"(?<!\w)(?P<s>{'|'.join(seasons)})(?:\s+سال)?\s+(?P<y>{SH_YEAR})")


def figure_comparators(semantics: ValueSemantics | None) -> tuple[str, ...]:
    """The wordings that may stand before a number: a range's wording ('{a} to
    {b}') is a template, found by the pattern's range, not as words."""
    return tuple(w for c in (semantics.comparators if semantics else []) for w in c.wordings
                 if w and "{a}" not in w and "{b}" not in w)


def find_figures(text: str, semantics: ValueSemantics | None, skip: list[tuple[int, int]], words: WordStarts | None = None) -> list[tuple[int, int, str, str | None]]:
    """(start, end, figure as written, what it counts) of each figure."""
    comparators = figure_comparators(semantics)
    vague = tuple(v.wording for v in (semantics.vague_quantities if semantics else [])) + tuple(MORE_VAGUE_QUANTITIES)
    pattern = figure_pattern(comparators, vague)
    leads = first_words((*comparators, *WORD_NUMBERS, *vague, "between"))
    found = []
    # The spans to skip (dates, names, reference markers: matches, never
    # empty) marked once: a figure overlaps one when a mark lies within it.
    blocked = bytearray(len(text) + 1)
    for a, b in skip:
        blocked[a:b] = b"\1" * (b - a)
    every = pattern.finditer(text) if leads is None else matches_at(pattern, text, (words or WordStarts(text)).of((*leads, DIGITS)))
    for match in every:
        start, end = match.span()
        if blocked.find(1, start, end) >= 0:
            continue
        # IDENTIFIER_BEFORE ends in whitespace, RUN_IN_RANGE in its joining word
        # or dash and maybe whitespace: the searches are needed only after those.
        if (match["number"] and not match["comparator"] and FULL_YEAR.fullmatch(match["number"])) or (
                text[start - 1:start].isspace() and IDENTIFIER_BEFORE.search(text[max(0, start - 12):start])):
            continue
        before = text[max(0, start - 30):start]
        if (text[start - 1:start] == "[" and text[end:end + 1] == "]") or (
                before.rstrip()[-1:] in RANGE_JOIN_ENDS and RUN_IN_RANGE.search(before)):
            continue
        counts = counted(text, end, after_vague=bool(match["vague"]))
        if match["vague"] and counts is None and match["vague"].isascii():
            continue  # "many" alone counts nothing that can be named (what Persian or Arabic counts is not parsed)
        figure, expression_end = match[0], end
        if counts:
            counts_start, expression_end = counts
            counts = text[counts_start:expression_end]
            unit = counts.split()[0]
            if unit.lower() in TIME_UNITS:
                # A duration is written with its unit ("33 years", "a few months").
                figure = text[start:counts_start + len(unit)]
        found.append((start, expression_end, figure, counts))
    return found


FULL_YEAR = re.compile(YEAR)


@lru_cache(maxsize=8)
def first_words(wordings: tuple[str, ...]) -> tuple[str, ...] | None:
    """The first word of each wording, as WordStarts keys it (the run of word
    characters it starts with: a zero-width non-joiner ends a word, as in
    'می‌گوید'), or DIGITS for a range that starts with its number; None when a
    wording does not start with a word character (the text is then scanned
    whole)."""
    firsts = set()
    for wording in wordings:
        if wording.startswith("{"):  # a range of the table, '{a} to {b}': it starts with a number
            firsts.add(DIGITS)
            continue
        first = WORD.match(wording)
        if first is None:
            return None
        firsts.add(first[0].casefold())
    return tuple(sorted(firsts))


@lru_cache(maxsize=8)
def figure_pattern(comparators: tuple[str, ...], vague: tuple[str, ...]) -> re.Pattern:
    """Figures as the table words them; compiled once a table, not once a text."""
    comparator = word_pattern(comparators) if comparators else "(?!)"
    return re.compile(
        rf"(?<![\w,.$£€-])(?:(?P<range>(?:between\s+)?{NUMBER}\s*(?:and|to|-|–|—)\s*{NUMBER})"
        rf"|(?:(?P<comparator>{comparator})\s+)?(?:(?P<number>{NUMBER})|(?P<word>{word_pattern(WORD_NUMBERS)}))|(?P<vague>{word_pattern(vague)}))"
        rf"(?![\w’'-]|[.,]\d)",
        re.I,
    )


COUNTED_LEAD = re.compile(r"\s+")
COUNTED_LEAD_AFTER_VAGUE = re.compile(r"\s+(?:of\s+(?:(?:the|these|those|them|its|their)\s+)?)?")
COUNTED_WORD = re.compile(r"[A-Za-z][\w’'-]*")
COUNTED_GAP = re.compile(r"[ \t\u00a0]+")


def counted(text: str, position: int, after_vague: bool) -> tuple[int, int] | None:
    """Where the words a figure counts stand: up to four words after it,
    stopping at a function word or punctuation ("political prisoners").

    Matched in place, within the 80 characters after the figure (none of
    these patterns looks behind, so ``endpos`` limits them as a slice
    would), a word where the previous one ends or after a gap of blanks."""
    limit = position + 80
    lead = (COUNTED_LEAD_AFTER_VAGUE if after_vague else COUNTED_LEAD).match(text, position, limit)
    if not lead:
        return None
    words: list[tuple[int, str]] = []  # (end, word) of each word counted
    at = lead.end()
    while len(words) < 4:
        word = COUNTED_WORD.match(text, at, limit)
        if not word or word[0].lower() in COUNTED_STOP:
            break
        words.append((word.end(), word[0]))
        gap = COUNTED_GAP.match(text, word.end(), limit)  # a word starts with a letter: none starts inside a gap
        if not gap:
            break
        at = gap.end()
    # A participle ends the phrase only as its verb ("200 people attended"),
    # not inside it ("executed prisoners").
    while words and words[-1][1].lower().endswith(("ed", "ing")):
        words.pop()
    if not words:
        return None
    return lead.end(), words[-1][0]


def find_characterisations(text: str, sentence_starts: set[int], words: WordStarts | None = None) -> list[tuple[int, int]]:
    found = []
    for match in matches_at(LEGAL, text, (words or WordStarts(text)).of(LEGAL_LEADS)):
        start = match.start()
        # Capitalised mid-sentence, it is part of a name ("Working Group on
        # Enforced Disappearances", "the 1948 Genocide Convention").
        opening = start - len(re.search(r"[“\"‘'(]*$", text[max(0, start - 3):start])[0])
        if match[0][0].isupper() and opening not in sentence_starts:
            continue
        found.append(match.span())
    return found


BY_POSITION = itemgetter(1, 2, 0)  # (start, end, category) of a Candidate


def find_candidates(text: str, semantics: ValueSemantics | None = None) -> list[Candidate]:
    """Every candidate expression of ``text``, in order of position."""
    spans = sentences(text)
    starts = {start for start, _ in spans}

    span_starts = [start for start, _ in spans]

    def sentence_of(position: int) -> tuple[int, int]:
        at = bisect_right(span_starts, position) - 1  # spans are in order and do not overlap
        if at >= 0 and position < spans[at][1]:
            return spans[at]
        return position, position

    candidates = []
    words = WordStarts(text)  # one scan of the text's words; each pattern is tried only where its first word stands
    dates, names, solar_hijri = find_dates(text, semantics, words)
    absolute = [(start, end) for start, end, bounds in dates if bounds is not None]
    names += [marker.span() for marker in REFERENCE_MARKER.finditer(text)]
    for start, end, bounds in dates:
        calendar = "solar-hijri" if (start, end) in solar_hijri else None
        candidates.append(Candidate("date", start, end, text[start:end], *sentence_of(start), bounds=bounds, calendar=calendar))
    for start, end, figure, counts in find_figures(text, semantics, absolute + names, words):
        candidates.append(Candidate("figure", start, end, text[start:end], *sentence_of(start), figure=figure, counts=counts))
    for start, end in find_characterisations(text, starts, words):
        candidates.append(Candidate("characterisation", start, end, text[start:end], *sentence_of(start)))
    leads = first_words((*REPORTING_VERBS, "according"))
    for match in (REPORTING.finditer(text) if leads is None else matches_at(REPORTING, text, words.of(leads))):
        start, end = match.span()
        verb = text[start:end]
        if verb == "reads":
            # "the report reads": the document named before the verb speaks
            named = re.search(r"\b(?:the|a|its|their)\s+(?:report|letter|statement|document|resolution|text|decree)\s+$", text[max(0, start - 30):start], re.I)
            if not named:
                continue
            start -= len(named[0])
        candidates.append(Candidate("reporting", start, end, text[start:end], *sentence_of(start), verb=verb))
    candidates.sort(key=BY_POSITION)
    return candidates
