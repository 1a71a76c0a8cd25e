"""The views hold what their descriptions say, whatever SQL serves them
fast: each is compared, row for row and in its order, with a plain query
written the obvious way (joins, ORDER BY), on the seed corpus and on a
synthetic corpus with parts and wholes."""

from __future__ import annotations

import sqlite3

import pytest

import claimsdb
from claimsdb.relations import CONFLICTING, LOOK_ALIKE

from .conftest import nest_subjects, synthetic

SIDE = """
  {s}.id, {s}.value_text, {s}.value_interval, {s}.value_suggested_interval, {s}.hedges,
  {s}.period_text, {s}.period_start, {s}.period_end, {s}_speaker.name, {s}.mode,
  {s}_reporter.name, {s}.source_id, {s}_source.title, {s}_source.published, {s}.quote"""

SIDE_JOINS = """
join claims {s} on {s}.id = {id}
join agents {s}_speaker on {s}_speaker.id = {s}.speaker_id
join agents {s}_reporter on {s}_reporter.id = {s}.reporter_id
join sources {s}_source on {s}_source.id = {s}.source_id"""


def pairs_in_both_directions(relations: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{r}'" for r in relations)
    return f"""
select r.relation, r.origin, r.rationale, a.measure_id, a.subject_id, {SIDE.format(s='a')}, {SIDE.format(s='b')}
from relations r
join (select 0 as flipped union all select 1 as flipped) d
{SIDE_JOINS.format(s='a', id='iif(d.flipped, r.other_claim_id, r.claim_id)')}
{SIDE_JOINS.format(s='b', id='iif(d.flipped, r.claim_id, r.other_claim_id)')}
where r.relation in ({listed})
"""


COVERAGE_BY_SOURCE = """
select s.id, s.title, count(c.category),
  coalesce(sum(c.status = 'claim'), 0), coalesce(sum(c.status = 'not-a-claim'), 0), coalesce(sum(c.status = 'uncovered'), 0),
  case when count(c.category) = 0 then 100.0 else round(100.0 * sum(c.status != 'uncovered') / count(c.category), 1) end
from sources s
left join coverage c on c.source_id = s.id
group by s.id
order by s.id
"""

ESTIMATES = """
select c.measure_id, m.name, c.unit, c.value_low, c.value_high, c.value_interval, c.value_suggested_interval, c.value_text, c.hedges,
  c.figure_id, c.id, speaker.name, c.mode, reporter.name, s.title, s.published, c.quote, c.withdrawn
from claims c
join measures m on m.id = c.measure_id
join agents speaker on speaker.id = c.speaker_id
join agents reporter on reporter.id = c.reporter_id
join sources s on s.id = c.source_id
where c.kind = 'quantity'
order by c.measure_id, c.value_low, ifnull(c.value_high, 9e999), c.id
"""


@pytest.fixture(scope="module", params=["seed", "synthetic with parts"])
def any_db(request, built_db, tmp_path_factory):
    if request.param == "seed":
        return built_db
    directory = tmp_path_factory.mktemp("views")
    corpus = synthetic(directory / "claims", claims=600, seed=11)
    nest_subjects(corpus)
    return claimsdb.build(corpus, directory / "claims.db").db_path


def rows(db_path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("view, relations", [("conflicts", CONFLICTING), ("look_alikes", (LOOK_ALIKE,))])
def test_a_side_by_side_view_holds_every_pair_in_both_directions(any_db, view, relations):
    expected = rows(any_db, pairs_in_both_directions(relations))
    assert expected, f"the corpus has no {view} to compare"
    assert sorted(rows(any_db, f"select * from {view}"), key=repr) == sorted(expected, key=repr)


def test_coverage_by_source_counts_each_source_in_id_order(any_db):
    assert rows(any_db, "select * from coverage_by_source") == rows(any_db, COVERAGE_BY_SOURCE)


def test_estimates_list_every_quantity_claim_lowest_first_within_each_measure(any_db):
    assert rows(any_db, "select * from estimates") == rows(any_db, ESTIMATES)
