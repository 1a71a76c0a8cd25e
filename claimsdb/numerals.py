"""Figures written in Persian or Arabic-Indic digits, read as the same numbers.

"۵٬۰۰۰" (Persian digits, U+066C ARABIC THOUSANDS SEPARATOR) and "٥٬٠٠٠"
(Arabic-Indic digits) are 5,000; "۲٫۵" (U+066B ARABIC DECIMAL SEPARATOR) is
2.5. Latin separators between such digits read as they do between Latin
digits. Only the digits and the two separators change: every other character
of a value stays as written, so the wordings of the table still match.
"""

from __future__ import annotations

import re

DIGITS = {chr(0x06F0 + n): str(n) for n in range(10)} | {chr(0x0660 + n): str(n) for n in range(10)}
# The separators are figures' only between digits: U+066C elsewhere is no comma.
SEPARATOR = re.compile(r"(?<=[0-9\u06f0-\u06f9\u0660-\u0669])([\u066c\u066b])(?=[0-9\u06f0-\u06f9\u0660-\u0669])")
TO_LATIN = str.maketrans(DIGITS)


def latin_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits as Latin digits, and the
    Arabic thousands and decimal separators between digits as ',' and '.'."""
    if text.isascii():
        return text
    text = SEPARATOR.sub(lambda m: "," if m.group(1) == "\u066c" else ".", text)
    return text.translate(TO_LATIN)
