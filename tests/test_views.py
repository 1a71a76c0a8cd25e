"""The views hold what their descriptions say, whatever SQL serves them
fast: each is compared, row for row and in its order, with a plain query
written the obvious way (joins, ORDER BY), on the seed corpus and on a
synthetic corpus with parts and wholes."""

from __future__ import annotations

import sqlite3

import pytest

import claimsdb
from claimsdb.relations import CONFLICTING, LOOK_ALIKE
from claimsdb.tables import VIEWS

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


@pytest.fixture(scope="module", params=["seed", "synthetic with parts", "synthetic with declared conflicts"])
def any_db(request, built_db, tmp_path_factory):
    if request.param == "seed":
        return built_db
    directory = tmp_path_factory.mktemp("views")
    corpus = synthetic(directory / "claims", claims=600, seed=11)
    if request.param == "synthetic with parts":
        nest_subjects(corpus)
    else:
        # The generator declares corroborates and differs-in-scope only: make
        # them contradictions, declared from the smaller id and from the larger.
        for path in sorted(corpus.glob("synthetic-source-*.yml")):
            path.write_text(path.read_text(encoding="utf-8").replace("relation: corroborates", "relation: contradicts"), encoding="utf-8")
    db_path = claimsdb.build(corpus, directory / "claims.db").db_path
    if request.param == "synthetic with declared conflicts":
        declared = rows(db_path, "select claim_id < other_claim_id from declared_relations where relation = 'contradicts'")
        assert {smaller for smaller, in declared} == {0, 1}, "declared both ways round"
    return db_path


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


def canned(name: str) -> str:
    import yaml

    from .conftest import PROJECT_ROOT

    metadata = yaml.safe_load((PROJECT_ROOT / "metadata.yml").read_text(encoding="utf-8"))
    return metadata["databases"]["claims"]["queries"][name]["sql"]


def test_claims_nobody_corroborates_counts_a_claim_of_the_same_figure_elsewhere(any_db):
    """A claim another source or speaker corroborates, gives compatible
    figures for or refines is not listed; claims of one figure are compatible,
    though relations does not pair them."""
    claims = {row[0]: row[1:] for row in rows(any_db, "select id, source_id, speaker_id, figure_id, withdrawn from claims")}
    corroborated = set()

    def elsewhere(a, b):
        return claims[a][0] != claims[b][0] or claims[a][1] != claims[b][1]

    by_figure: dict = {}
    for claim_id, (_, _, figure_id, _) in claims.items():
        if figure_id is not None:
            by_figure.setdefault(figure_id, []).append(claim_id)
    for members in by_figure.values():
        corroborated |= {a for a in members for b in members if a != b and elsewhere(a, b)}
    for a, b, relation in rows(any_db, "select claim_id, other_claim_id, relation from relations"):
        if relation in ("corroborates", "compatible", "refines") and elsewhere(a, b):
            corroborated |= {a, b}
    expected = sorted((source, claim_id) for claim_id, (source, _, _, withdrawn) in claims.items()
                      if not withdrawn and claim_id not in corroborated)
    listed = [(source, claim_id) for claim_id, _, _, _, _, source, _ in rows(any_db, canned("claims_nobody_corroborates"))]
    assert listed == expected
    assert any(len(members) > 1 for members in by_figure.values())


# The conflicts view's pairs once each, first claim the smaller id, in relation
# then first-claim order: the canned query conflicts_side_by_side written the
# obvious way (a sort of every pair, past the time limit at a million claims).
SIDE_BY_SIDE = """
select relation, origin, rationale, claim_value_text, other_value_text, claim_value_interval, other_value_interval,
  claim_speaker, other_speaker, claim_reporter, other_reporter, claim_source_id, other_source_id, claim_quote, other_quote,
  claim_id, other_id
from conflicts where claim_id < other_id
order by relation, claim_id
"""


def test_conflicts_side_by_side_lists_each_conflict_once_by_relation_then_first_claim(any_db):
    expected = rows(any_db, SIDE_BY_SIDE)
    assert expected, "the corpus has no conflicts to compare"
    listed = rows(any_db, canned("conflicts_side_by_side"))
    assert sorted(listed, key=repr) == sorted(expected, key=repr)
    # The same order: pairs of one first claim may come in any order among themselves.
    assert [(row[0], row[15]) for row in listed] == [(row[0], row[15]) for row in expected]
