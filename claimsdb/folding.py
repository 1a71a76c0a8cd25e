"""The folding table: characters an editor's keyboard and a published page
write differently while meaning the same letter, digit or mark.

A quote must match its archive exactly. Folding is used only to explain a
miss (the error shows the archived text to paste), by `claimsdb locate` to
find words, and by coverage to see whether a claim covers an expression. The
table is data: the build writes it to the ``text_folding`` table, and each
row is tested letter by letter.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple


class Folding(NamedTuple):
    character: str
    folds_to: str  # '' when folding drops the character
    kind: str
    description: str


KINDS = {
    "typography": "typography (quotes, dashes, spaces)",
    "letter-form": "Arabic-script letter forms",
    "joiner": "zero-width non-joiners and spaces",
    "tatweel": "tatweel (kashida)",
    "diacritic": "diacritics",
    "digit": "digits (Persian, Arabic-Indic, Latin)",
    "punctuation": "Arabic and Latin punctuation",
}


def _rows(kind: str, characters: str, folds_to: str, description: str) -> list[Folding]:
    return [Folding(character, folds_to, kind, description) for character in characters]


FOLDINGS: list[Folding] = [
    *_rows("typography", "\u2018\u2019\u201a\u201b\u2032", "'", "A curly or prime single quote is typed as a straight apostrophe."),
    *_rows("typography", "\u201c\u201d\u201e\u201f\u2033", '"', "A curly or prime double quote is typed as a straight double quote."),
    *_rows("typography", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-", "A hyphen, dash or minus sign is typed as a hyphen-minus."),
    *_rows("typography", "\u00a0\u2007\u2009\u200a\u202f", " ", "A no-break, figure, thin or hair space is typed as a space."),
    *_rows("letter-form", "\u064a\u0649", "\u06cc", "Arabic yeh and alef maksura are the Persian yeh (ی) on a Persian keyboard, and the other way round on an Arabic one."),
    *_rows("letter-form", "\u0643\u06aa", "\u06a9", "Arabic kaf and swash kaf are the Persian keheh (ک) on a Persian keyboard."),
    *_rows("letter-form", "\u06be\u06c1\u06d5", "\u0647", "Heh doachashmee, heh goal and ae are written for heh (ه) by some keyboards and fonts."),
    *_rows("letter-form", "\u06c0\u06c2", "\u0647", "Heh with yeh or hamza above (ۀ) is typed as heh, with the mark left out or as a separate character."),
    *_rows("letter-form", "\u0629\u06c3", "\u0647", "Teh marbuta (ة) is written as heh (ه) in Persian spelling of Arabic words."),
    *_rows("joiner", "\u200c", " ", "A zero-width non-joiner (as in می‌شود) is often typed as a space."),
    *_rows("tatweel", "\u0640", "", "Tatweel (kashida) stretches a word for layout and carries no letter."),
    *_rows("diacritic", "".join(map(chr, range(0x064B, 0x0660))) + "\u0670", "", "Short vowels, tanwin, shadda, sukun and hamza marks are written in some copies of a text and left out in others."),
    *[Folding(chr(0x06F0 + n), str(n), "digit", "A Persian digit is the same figure as its Latin digit.") for n in range(10)],
    *[Folding(chr(0x0660 + n), str(n), "digit", "An Arabic-Indic digit is the same figure as its Latin digit.") for n in range(10)],
    Folding("\u066c", ",", "punctuation", "The Arabic thousands separator (٬) is typed as a comma."),
    Folding("\u066b", ".", "punctuation", "The Arabic decimal separator (٫) is typed as a full stop."),
    Folding("\u066a", "%", "punctuation", "The Arabic percent sign (٪) is typed as a percent sign."),
    Folding("\u060c", ",", "punctuation", "The Arabic comma (،) is typed as a comma."),
    Folding("\u061b", ";", "punctuation", "The Arabic semicolon (؛) is typed as a semicolon."),
    Folding("\u061f", "?", "punctuation", "The Arabic question mark (؟) is typed as a question mark."),
]

FOLD = {row.character: row.folds_to for row in FOLDINGS}
KIND_OF = {row.character: row.kind for row in FOLDINGS}


def code_points(text: str) -> str:
    return " ".join(f"U+{ord(char):04X}" for char in text)


def name_of(char: str) -> str:
    return unicodedata.name(char, code_points(char))


def table_rows() -> list[dict]:
    """The folding table as published in the database."""
    return [
        {
            "character": row.character,
            "code_point": code_points(row.character),
            "name": name_of(row.character),
            "folds_to": row.folds_to,
            "folds_to_code_point": code_points(row.folds_to),
            "kind": row.kind,
            "description": row.description,
        }
        for row in FOLDINGS
    ]


def differences(typed: str, archived: str) -> list[str]:
    """What folding had to do to match ``typed`` to ``archived``, in words:
    'typography (quotes, dashes, spaces)', and the letters and marks that
    differ ('Arabic-script letter forms (ي U+064A for ی U+06CC)')."""
    typed_chars, archived_chars = set(typed), set(archived)
    found: dict[str, list[str]] = {}

    def note(kind: str, shown: str) -> None:
        if shown not in found.setdefault(kind, []):
            found[kind].append(shown)

    def same(a: str, b: str) -> bool:
        return a != b and FOLD.get(a, a) == FOLD.get(b, b) != ""

    # Typed where the archive has: "ي U+064A for ی U+06CC".
    for char in sorted(typed_chars - archived_chars):
        kind = KIND_OF.get(char)
        counterparts = [a for a in sorted(archived_chars) if same(char, a)]
        for a in counterparts:
            kind_of_pair = kind if kind not in (None, "typography") else KIND_OF.get(a)
            if kind_of_pair not in (None, "typography"):
                note(kind_of_pair, f"{char} {code_points(char)} for {a} {code_points(a)}")
        if not counterparts and kind not in (None, "typography"):
            note(kind, f"{char} {code_points(char)}")
    for char in sorted(archived_chars - typed_chars):
        kind = KIND_OF.get(char)
        if kind in (None, "typography"):
            continue
        counterparts = [t for t in sorted(typed_chars) if same(t, char)]
        for t in counterparts:
            note(kind, f"{t} {code_points(t)} for {char} {code_points(char)}")
        if not counterparts:
            note(kind, f"{char} {code_points(char)} in the archive")
    phrases = [f"{KINDS[kind]} ({'; '.join(found[kind])})" for kind in KINDS if kind in found]
    if not phrases or any(KIND_OF.get(c) == "typography" for c in typed_chars ^ archived_chars):
        phrases.insert(0, KINDS["typography"])
    return phrases


def in_words(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
