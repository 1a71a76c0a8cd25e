"""Readable tables and canned queries: the columns a reader needs first,
column descriptions folded, ids linked to their pages, parameters that take
a name or an id and offer a list (templates/table.html, templates/query.html,
plugins/site.py, plugins/evidence_pages.py, metadata.yml)."""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import urlencode

import pytest
import yaml

from .conftest import PROJECT_ROOT

METADATA = yaml.safe_load((PROJECT_ROOT / "metadata.yml").read_text(encoding="utf-8"))
TABLES = METADATA["databases"]["claims"]["tables"]


def get(ds, path: str):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.text


def header(html: str) -> list[str]:
    return re.findall(r'<th [^>]*data-column="([^"]+)"', html)


@pytest.mark.parametrize("name", [name for name, table in TABLES.items() if table.get("reader_columns")])
def test_a_table_shows_the_columns_a_reader_needs_first_and_every_other_after(claims_datasette, db, name):
    html = get(claims_datasette, f"/claims/{name}")
    shown = header(html)
    # A table without a primary key keeps Datasette's link to each row first.
    links = shown[:1] if shown[:1] == ["Link"] else []
    labels = re.findall(r'td:nth-of-type\((\d+)\):before \{ content: "([^"]+)"', html)
    assert [label for _, label in labels] == shown  # the phone layout labels each cell in the same order
    shown = shown[len(links):]
    stored = [row[1] for row in db.execute(f"pragma table_info({name})")]
    first = [column for column in TABLES[name]["reader_columns"] if column in stored]
    assert sorted(shown) == sorted(stored)
    assert shown[:len(first)] == first


def test_the_cells_of_a_row_follow_the_reordered_header(claims_datasette, db):
    html = get(claims_datasette, "/claims/claims?_size=1&_sort=id")
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="col-([^ "]+)', first_row)
    assert cells == [re.sub(r"[^a-z0-9_-]", "", column) for column in header(html)]


def test_conflicts_put_both_figures_speakers_and_sources_side_by_side(claims_datasette):
    shown = header(get(claims_datasette, "/claims/conflicts"))
    for left, right in (("claim_value_text", "other_value_text"), ("claim_speaker", "other_speaker"), ("claim_source_title", "other_source_title")):
        assert shown.index(right) == shown.index(left) + 1, shown


@pytest.mark.parametrize("name", ["claims", "conflicts", "sources", "agents"])
def test_column_descriptions_are_folded_behind_a_control(claims_datasette, name):
    html = get(claims_datasette, f"/claims/{name}")
    folded = re.search(r'<details class="column-descriptions-folded">(.*?)</details>', html, re.S)
    assert folded and '<dl class="column-descriptions">' in folded.group(1)
    assert html.count('<dl class="column-descriptions">') == 1
    for column, description in TABLES[name]["columns"].items():
        assert f"<dt>{column}</dt>" in folded.group(1)


@pytest.mark.parametrize("given", ["amnesty-international", "Amnesty International", "amnesty international", "  AMNESTY INTERNATIONAL "])
def test_claims_by_agent_takes_an_id_or_a_name_in_any_case(claims_datasette, db, given):
    expected = {row[0] for row in db.execute("select id from claims where speaker_id = 'amnesty-international'")}
    data = json.loads(get(claims_datasette, "/claims/claims_by_agent.json?_shape=objects&" + urlencode({"agent_id": given})))
    assert expected and {row["id"] for row in data["rows"]} == expected


def test_claims_by_agent_takes_an_alias(claims_datasette, db):
    found = db.execute("select a.id, j.value from agents a, json_each(a.aliases) j where a.id in (select speaker_id from claims) order by a.id").fetchone()
    if found is None:
        pytest.skip("no speaker has an alias in this corpus")
    agent_id, alias = found
    data = json.loads(get(claims_datasette, "/claims/claims_by_agent.json?_shape=objects&" + urlencode({"agent_id": alias})))
    assert {row["speaker_id"] for row in data["rows"]} == {agent_id}


def test_figures_for_measure_takes_a_name(claims_datasette, db):
    measure_id, name = db.execute("select id, name from measures where id in (select measure_id from claims) order by id").fetchone()
    by_id = json.loads(get(claims_datasette, "/claims/figures_for_measure.json?_shape=objects&" + urlencode({"measure_id": measure_id})))
    by_name = json.loads(get(claims_datasette, "/claims/figures_for_measure.json?_shape=objects&" + urlencode({"measure_id": name.upper()})))
    assert by_id["rows"] and by_id["rows"] == by_name["rows"]


def test_canned_queries_link_ids_to_their_pages_and_show_names(claims_datasette, db):
    html = get(claims_datasette, "/claims/claims_by_agent?agent_id=amnesty-international")
    for claim_id, source_id in db.execute("select id, source_id from claims where speaker_id = 'amnesty-international'"):
        assert f'<a href="/claims/claims/{claim_id}">{claim_id}</a>' in html
        assert f'<a href="/claims/sources/{source_id}">{source_id}</a>' in html
    assert '<a href="/claims/agents/amnesty-international">amnesty-international</a>' in html
    assert "Amnesty International" in html
    html = get(claims_datasette, "/claims/conflicts_side_by_side")
    claim_id, other_id = db.execute("select claim_id, other_claim_id from relations where relation = 'contradicts' order by 1").fetchone()
    assert f'href="/claims/claims/{min(claim_id, other_id)}"' in html and f'href="/claims/claims/{max(claim_id, other_id)}"' in html


def test_an_id_in_the_sql_box_links_only_when_it_is_a_claims(claims_datasette):
    html = get(claims_datasette, "/claims?" + urlencode({"sql": "select id, name from agents order by id limit 1"}))
    assert 'href="/claims/claims/' not in html


def test_a_parameter_with_few_values_offers_them_by_name(claims_datasette, db):
    html = get(claims_datasette, "/claims/claims_by_agent")
    choices = json.loads(re.search(r'<script type="application/json" id="parameter-choices">(.*?)</script>', html, re.S).group(1))
    speakers = {row[0]: row[1] for row in db.execute("select id, name from agents where id in (select speaker_id from claims)")}
    assert dict(map(tuple, choices["agent_id"])) == speakers
    html = get(claims_datasette, "/claims/search_quotes?q=genocide")
    assert "parameter-choices" not in html
