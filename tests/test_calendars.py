"""Dates in their calendar: a period written in the Solar Hijri calendar is
kept as written, converted to Gregorian days with jdatetime, shown in both on
the claim page, and refused with path:line when the date does not exist."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date

import pytest

from claimsdb import calendars
from claimsdb.export import export_database
from claimsdb.model import PeriodQualifier
from claimsdb.relations import period_for_bounds
from claimsdb.load import load_corpus

from .conftest import CLAIMS_DIR

PERSIAN = "fixture-fa-report"


@pytest.fixture(scope="module")
def semantics():
    return load_corpus(CLAIMS_DIR).semantics


def with_bounds(workdir, start: str, end: str) -> int:
    """Give the Persian fixture's period claim these bounds; the line of `start`."""
    path = workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('start: "1367-05"', f"start: {start}").replace('end: "1367-06"', f"end: {end}")
    path.write_text(text, encoding="utf-8")
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("start:"))


def test_mordad_to_shahrivar_1367_is_stored_in_gregorian_days_and_as_written(persian_workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    with sqlite3.connect("claims.db") as db:
        row = db.execute(
            "select period_start, period_end, period_start_bound, period_end_bound, period_calendar, period_in_calendar"
            " from claims where id = 'fixture-fa-executions'"
        ).fetchone()
        gregorian = db.execute("select distinct period_calendar from claims where source_id != ? and period_start is not null", [PERSIAN]).fetchall()
    assert row == ("1988-07-23", "1988-09-22", "1367-05", "1367-06", "solar-hijri", "Mordad–Shahrivar 1367")
    assert gregorian == [("gregorian",)]


@pytest.mark.parametrize(
    "start, end, first, last, in_words",
    [
        ("1367-05-24", "1367-05-24", date(1988, 8, 15), date(1988, 8, 15), "24 Mordad 1367"),
        ("1367", "1367", date(1988, 3, 21), date(1989, 3, 20), "1367"),
        ("1366-12-30", "1366-12-30", date(1988, 3, 20), date(1988, 3, 20), "30 Esfand 1366"),  # 1366 is a leap year
        ("1366-12", "1367-01", date(1988, 2, 20), date(1988, 4, 20), "Esfand 1366 – Farvardin 1367"),
        ("تابستان 1367", "تابستان 1367", date(1988, 6, 22), date(1988, 9, 22), "تابستان 1367"),
        ("زمستان 1366", "زمستان 1366", date(1987, 12, 22), date(1988, 3, 20), "زمستان 1366"),  # to Esfand 30
        ("زمستان 1367", "زمستان 1367", date(1988, 12, 22), date(1989, 3, 20), "زمستان 1367"),  # to Esfand 29
        ("اوایل 1367-05", "اواخر 1367-06", date(1988, 7, 23), date(1988, 9, 22), "اوایل Mordad 1367 – اواخر Shahrivar 1367"),
    ],
)
def test_solar_hijri_bounds_denote_these_gregorian_days(semantics, start, end, first, last, in_words):
    period = period_for_bounds(start, end, semantics, calendars.SOLAR_HIJRI)
    assert (period.first, period.last, period.in_calendar()) == (first, last, in_words)


def test_gregorian_bounds_are_read_as_before(semantics):
    period = period_for_bounds("late 1988-07", "early 1988-09", semantics)
    assert (period.first, period.last, period.calendar) == (date(1988, 7, 21), date(1988, 9, 10), "gregorian")


@pytest.mark.parametrize(
    "start, end, message",
    [
        ('"1367-05"', '"1367-12-30"', "`end`: 1367-12-30 does not exist in the Solar Hijri calendar (Esfand 1367 has 29 days) — give a date that exists"),
        ('"1367-07-31"', '"1367-07-31"', "`start`: 1367-07-31 does not exist in the Solar Hijri calendar (Mehr 1367 has 30 days) — give a date that exists"),
        ('"1367-13"', '"1367-13"', "`start`: month 13 does not exist — give a month from 01 to 12"),
    ],
)
def test_a_date_the_solar_hijri_calendar_does_not_have_is_refused_with_its_line(persian_workdir, claimsdb, start, end, message):
    line = with_bounds(persian_workdir, start, end)
    field_line = line if "`start`" in message else line + 1
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"claims/{PERSIAN}.yml:{field_line}: {message}"


def test_a_gregorian_qualifier_is_refused_in_a_solar_hijri_bound(persian_workdir, claimsdb):
    line = with_bounds(persian_workdir, '"summer 1367"', '"summer 1367"')
    result = claimsdb("check")
    assert result.stderr.splitlines()[0] == (
        f"claims/{PERSIAN}.yml:{line}: period bounds: the qualifier 'summer' is not for the Solar Hijri calendar "
        "(known for it: اواخر, اواسط, اوایل, بهار, تابستان, زمستان, پاییز) — write bounds as YYYY[-MM[-DD]], optionally after a qualifier from measures.yml"
    )


def test_a_calendar_without_bounds_is_refused(persian_workdir, claimsdb):
    path = persian_workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8").replace(
        "    mode: reported\n    statement: The fixture outlet reports that the Special Rapporteur",
        "    mode: reported\n    calendar: solar-hijri\n    statement: The fixture outlet reports that the Special Rapporteur",
    )
    path.write_text(text, encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if "id: fixture-fa-rapporteur-names-it" in content)
    result = claimsdb("check")
    assert result.stderr.splitlines()[0] == (
        f"claims/{PERSIAN}.yml:{line}: `calendar` without `start`/`end` — give the bounds in that calendar, or remove `calendar`"
    )


@pytest.mark.parametrize(
    "last, message",
    [
        ("12-30", "`last` '12-30' is not a day of every year — write MM-DD, such as 06-01 (12-30 is not in every year; write MM-end for the last day of a month)"),
        ("06-32", "`last` '06-32' is not a day of every year — write MM-DD, such as 06-01 (12-30 is not in every year; write MM-end for the last day of a month)"),
    ],
)
def test_a_solar_hijri_qualifier_must_hold_in_every_year(last, message):
    with pytest.raises(ValueError) as raised:
        PeriodQualifier(qualifier="زمستان", applies_to="year", first="10-01", last=last, calendar="solar-hijri", description="d")
    assert message in str(raised.value)
    # The same days are fine where they are: the end of Esfand, and Shahrivar 31.
    PeriodQualifier(qualifier="زمستان", applies_to="year", first="10-01", last="12-end", calendar="solar-hijri", description="d")
    PeriodQualifier(qualifier="تابستان", applies_to="year", first="04-01", last="06-31", calendar="solar-hijri", description="d")


def test_the_claim_page_shows_both_calendars(persian_workdir, claimsdb):
    from datasette.app import Datasette

    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    assert claimsdb("build").exit_code == 0
    datasette: Datasette = make_datasette(persian_workdir / "claims.db", PROJECT_ROOT)
    import asyncio

    async def page():
        return await datasette.client.get("/claims/claims/fixture-fa-executions")

    response = asyncio.run(page())
    assert response.status_code == 200
    assert '<span class="in-calendar"><bdi>Mordad–Shahrivar 1367</bdi></span> <span class="muted">(solar-hijri)</span> = 1988-07-23 to 1988-09-22' in response.text


def test_a_solar_hijri_period_survives_export(persian_workdir, claimsdb, tmp_path):
    assert claimsdb("build").exit_code == 0
    export_database(persian_workdir / "claims.db", tmp_path / "claims")
    exported = (tmp_path / "claims" / f"{PERSIAN}.yml").read_text(encoding="utf-8")
    assert "calendar: solar-hijri" in exported
    assert "calendar: gregorian" not in "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "claims").glob("*.yml"))
    corpus = load_corpus(tmp_path / "claims")
    assert corpus.periods["fixture-fa-executions"].in_calendar() == "Mordad–Shahrivar 1367"
    assert [q.qualifier for q in corpus.semantics.period_qualifiers if q.calendar == "solar-hijri"] == ["بهار", "تابستان", "پاییز", "زمستان", "اوایل", "اواسط", "اواخر"]


def date_the_source(workdir, *lines: str) -> int:
    """Give the Persian fixture source these publication lines; the line of the first."""
    path = workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8").replace("publisher: fixture-fa-outlet\n", "publisher: fixture-fa-outlet\n" + "".join(f"{line}\n" for line in lines), 1)
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index(lines[0]) + 1


def test_a_publication_date_in_the_solar_hijri_calendar_is_kept_and_converted(persian_workdir, claimsdb):
    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    date_the_source(persian_workdir, "published_calendar: solar-hijri", 'published: "1399-05"')
    assert claimsdb("build").exit_code == 0
    with sqlite3.connect("claims.db") as db:
        row = db.execute("select published, published_calendar, published_gregorian from sources where id = ?", [PERSIAN]).fetchone()
    assert row == ("1399-05", "solar-hijri", "2020-07-22/2020-08-21")
    datasette = make_datasette(persian_workdir / "claims.db", PROJECT_ROOT)

    async def page():
        return (await datasette.client.get(f"/claims/sources/{PERSIAN}")).text

    assert "Mordad 1399 (Solar Hijri; 2020-07-22 to 2020-08-21)" in asyncio.run(page())


def test_the_landing_page_names_a_solar_hijri_publication_date_in_its_calendar(persian_workdir, claimsdb):
    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    date_the_source(persian_workdir, "published_calendar: solar-hijri", 'published: "1399-05"')
    assert claimsdb("build", "--no-downloads").exit_code == 0
    datasette = make_datasette(persian_workdir / "claims.db", PROJECT_ROOT)

    async def page():
        response = await datasette.client.get("/")
        assert response.status_code == 200
        return response.text

    html = asyncio.run(page())
    # The Persian figure in its measure's chart, dated as the source page dates it (not read as Gregorian: "May 1399").
    assert "Mordad 1399 (Solar Hijri; 2020-07-22 to 2020-08-21)" in html and "May 1399" not in html


def test_the_latest_conflicts_put_a_solar_hijri_source_by_its_gregorian_date(persian_workdir, claimsdb):
    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    # 1402-05 (Solar Hijri) is 2023-07-23 to 2023-08-22: later than the seed sources (2021), though its digits sort earlier.
    date_the_source(persian_workdir, "published_calendar: solar-hijri", 'published: "1402-05"')
    assert claimsdb("build", "--no-downloads").exit_code == 0
    with sqlite3.connect("claims.db") as db:
        persian = {row[0] for row in db.execute("""
            select id from claims where source_id = ? and id in (
                select claim_id from relations where relation in ('contradicts', 'in-tension')
                 union select other_claim_id from relations where relation in ('contradicts', 'in-tension'))""", [PERSIAN])}
    assert persian, "the fixture's claims should conflict with the seed's"
    datasette = make_datasette(persian_workdir / "claims.db", PROJECT_ROOT)

    async def page():
        return (await datasette.client.get("/")).text

    section = asyncio.run(page()).split('<section class="latest-conflicts">')[1].split("</section>")[0]
    first = re.findall(r'href="/claims/claims/([^"]+)"', section)[:2]
    assert persian & set(first), first


def test_publication_bounds_in_the_solar_hijri_calendar(persian_workdir, claimsdb):
    date_the_source(persian_workdir, "published_calendar: solar-hijri", 'published_not_before: "1399-12-30"')
    assert claimsdb("build").exit_code == 0, claimsdb("check").output  # 1399 is a leap year
    with sqlite3.connect("claims.db") as db:
        assert db.execute("select published_gregorian from sources where id = ?", [PERSIAN]).fetchone() == ("2021-03-20/",)


@pytest.mark.parametrize(
    "lines, message",
    [
        (("published_calendar: solar-hijri", 'published: "1400-12-30"'),
         "`published`: 1400-12-30 does not exist in the Solar Hijri calendar (Esfand 1400 has 29 days) — give a date that exists"),
        (("published_calendar: solar-hijri",),
         "`published_calendar` without a publication date — give `published` (or its bounds) in that calendar, or remove `published_calendar`"),
    ],
)
def test_an_impossible_publication_date_is_refused_at_its_line(persian_workdir, claimsdb, lines, message):
    line = date_the_source(persian_workdir, *lines)
    result = claimsdb("check")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.endswith(message), first
    assert first.startswith(f"claims/{PERSIAN}.yml:"), first
    if len(lines) > 1:
        assert first.startswith(f"claims/{PERSIAN}.yml:{line + 1}:"), first


@pytest.mark.parametrize("text, expression, bounds", [
    ("اعدام‌ها در مرداد و شهریور ۱۳۶۷ انجام شد", "مرداد و شهریور ۱۳۶۷", ("1367-05", "1367-06")),
    ("اعدام‌ها در مرداد و شهریور سال ۱۳۶۷ انجام شد", "مرداد و شهریور سال ۱۳۶۷", ("1367-05", "1367-06")),
    ("در ۲۴ مرداد ۱۳۶۷، منتظری گفت", "۲۴ مرداد ۱۳۶۷", ("1367-05-24", "1367-05-24")),
    ("از ۱ مرداد تا ۳۱ شهریور 1367", "۱ مرداد تا ۳۱ شهریور 1367", ("1367-05-01", "1367-06-31")),
    ("در تابستان ۱۳۶۷ بود", "تابستان ۱۳۶۷", ("تابستان 1367", "تابستان 1367")),
    ("در سال ۱۳۶۶ آغاز شد", "در سال ۱۳۶۶", ("1366", "1366")),
])
def test_solar_hijri_dates_of_a_persian_text_are_candidates_with_their_bounds(semantics, text, expression, bounds):
    from claimsdb.candidates import find_candidates

    dates = [(c.text, c.bounds, c.calendar) for c in find_candidates(text, semantics) if c.category == "date"]
    assert dates == [(expression, bounds, "solar-hijri")]
    period_for_bounds(*bounds, semantics, calendars.SOLAR_HIJRI)  # the bounds are readable


def test_suggest_proposes_a_solar_hijri_period(persian_workdir, claimsdb):
    path = persian_workdir / "claims" / f"{PERSIAN}.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: fixture-fa-executions")
    end = text.index("  - id: fixture-fa-rapporteur-names-it")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = claimsdb("suggest", PERSIAN)
    assert result.exit_code == 0, result.output
    assert "    period: مرداد و شهریور ۱۳۶۷\n    calendar: solar-hijri\n    start: 1367-05\n    end: 1367-06\n" in result.output
    assert "period [1988-07-23, 1988-09-22] (Mordad–Shahrivar 1367, solar-hijri)" in result.output
