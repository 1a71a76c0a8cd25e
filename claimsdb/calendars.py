"""Dates in the calendar a source writes them in.

A bound is kept as written (``1367-05`` in the Solar Hijri calendar) and
converted to Gregorian days for comparison. The Solar Hijri (Iranian)
calendar is converted with jdatetime; adding another calendar means adding
it to CALENDARS with its month lengths, conversion and month names.
"""

from __future__ import annotations

import calendar as gregorian_calendar
from datetime import date

import jdatetime

GREGORIAN = "gregorian"
SOLAR_HIJRI = "solar-hijri"
CALENDARS = (GREGORIAN, SOLAR_HIJRI)
TITLES = {GREGORIAN: "Gregorian", SOLAR_HIJRI: "Solar Hijri"}
MONTH_NAMES = {
    GREGORIAN: list(gregorian_calendar.month_name)[1:],
    SOLAR_HIJRI: list(jdatetime.date.j_months_en),
}
# The shortest length of each month over all years, for qualifiers that must
# hold in every year (no 02-29, no Esfand 30).
SHORTEST_MONTHS = {
    GREGORIAN: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
    SOLAR_HIJRI: [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, 30, 29],
}


def days_in_month(calendar: str, year: int, month: int) -> int:
    if calendar == SOLAR_HIJRI:
        if month == 12:
            return 30 if jdatetime.date(year, 1, 1).isleap() else 29
        return jdatetime.j_days_in_month[month - 1]
    return gregorian_calendar.monthrange(year, month)[1]


def to_gregorian(calendar: str, year: int, month: int, day: int) -> date:
    if calendar == SOLAR_HIJRI:
        return jdatetime.date(year, month, day).togregorian()
    return date(year, month, day)


def check_date_parts(calendar: str, year: str, month: str | None, day: str | None) -> None:
    """Raise ValueError unless the (partial) date exists in ``calendar``."""
    if month is None:
        return
    m = int(month)
    if not 1 <= m <= 12:
        raise ValueError(f"month {month} does not exist — give a month from 01 to 12")
    if day is None:
        return
    last = days_in_month(calendar, int(year), m)
    if not 1 <= int(day) <= last:
        where = "" if calendar == GREGORIAN else f" in the {TITLES[calendar]} calendar"
        raise ValueError(
            f"{year}-{month}-{day} does not exist{where} ({MONTH_NAMES[calendar][m - 1]} {year} has {last} days) — give a date that exists"
        )


def bound_in_words(calendar: str, qualifier: str | None, year: int, month: int | None, day: int | None) -> str:
    """'24 Mordad 1367', 'Mordad 1367', 'early Mordad 1367', '1367'."""
    words = str(year) if month is None else f"{MONTH_NAMES[calendar][month - 1]} {year}"
    if day is not None:
        words = f"{day} {words}"
    return f"{qualifier} {words}" if qualifier else words


def period_in_words(calendar: str, start: tuple, end: tuple) -> str:
    """A period as its calendar names it: 'Mordad–Shahrivar 1367', '24 Mordad 1367',
    'Esfand 1366 – Farvardin 1367'. ``start`` and ``end`` are (qualifier, year, month, day)."""
    first, last = bound_in_words(calendar, *start), bound_in_words(calendar, *end)
    if first == last:
        return first
    (q1, y1, m1, d1), (q2, y2, m2, d2) = start, end
    if y1 == y2 and not q1 and not q2 and m1 and m2 and d1 is None and d2 is None:
        return f"{MONTH_NAMES[calendar][m1 - 1]}–{MONTH_NAMES[calendar][m2 - 1]} {y1}"
    return f"{first} – {last}"


def gregorian_days(calendar: str, value: str) -> tuple[date, date]:
    """The first and last Gregorian day a YYYY, YYYY-MM or YYYY-MM-DD date
    written in ``calendar`` can denote."""
    parts = [int(part) for part in value.split("-")]
    year, month, day = (parts + [None, None])[:3]
    if day is not None:
        one = to_gregorian(calendar, year, month, day)
        return one, one
    first_month, last_month = (month, month) if month is not None else (1, 12)
    return to_gregorian(calendar, year, first_month, 1), to_gregorian(calendar, year, last_month, days_in_month(calendar, year, last_month))


def date_in_words(calendar: str, value: str) -> str:
    """'Mordad 1367', '24 Mordad 1367', '1367'."""
    parts = [int(part) for part in value.split("-")]
    year, month, day = (parts + [None, None])[:3]
    return bound_in_words(calendar, None, year, month, day)
