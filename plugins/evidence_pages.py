"""The evidence pages: the row pages of claims, sources and measures.

Datasette renders ``row-<database>-<table>.html`` for a row page when that
template exists (templates/row-claims-claims.html and its siblings); this
plugin gives those templates what they show (``extra_template_vars``), links
claim and measure ids in the views to their pages (``render_cell``) and
serves the pages' stylesheet (``register_routes``). The HTML itself comes
from claimsdb.evidence and claimsdb.spread, which escape everything taken
from the claim files.
"""

from __future__ import annotations

import json

from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_encode, to_css_class, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup

from claimsdb.evidence import (
    QuotedClaim,
    date_at_precision,
    quote_in_context,
    render_annotated_text,
    render_context,
    safe_href,
)
from claimsdb.spread import SCALES, Figure, choose_scale, render_spread

STYLESHEET = Path(__file__).with_name("evidence.css")
STYLESHEET_PATH = "/-/claimsdb/evidence.css"
# Marked red on pages; look-alikes (differs-in-scope) are shown apart, in a neutral style.
CONFLICTING = ("contradicts", "in-tension")
LOOK_ALIKE = "differs-in-scope"
# Related claims are listed conflicts first.
RELATION_ORDER = {"contradicts": 0, "in-tension": 1, "differs-in-scope": 2, "refines": 3, "corroborates": 4, "compatible": 5}


def row_url(datasette, database: str, table: str, key: str) -> str:
    return datasette.urls.row(database, table, tilde_encode(key))


async def rows(db, sql: str, params: dict | None = None) -> list[dict]:
    return [dict(row) for row in (await db.execute(sql, params or {})).rows]


async def affiliations_of(db, agent_ids: list[str]) -> dict[str, list[dict]]:
    """Each agent's recorded affiliations, with the name of the agent it is affiliated with."""
    found: dict[str, list[dict]] = {agent_id: [] for agent_id in agent_ids if agent_id}
    if not found:
        return found
    marks = ", ".join(f":a{i}" for i in range(len(found)))
    for row in await rows(db, f"""
        select a.agent_id, a.affiliated_with_id, w.name as affiliated_with, a.role, a.note
        from agent_affiliations a join agents w on w.id = a.affiliated_with_id
        where a.agent_id in ({marks}) order by a.agent_id, w.name, a.role""",
            {f"a{i}": agent_id for i, agent_id in enumerate(found)}):
        found[row["agent_id"]].append(row)
    return found


def agent_card(datasette, database: str, agent_id: str | None, name: str | None, kind: str | None,
               description: str | None, affiliations: dict[str, list[dict]]) -> dict | None:
    if not agent_id:
        return None
    return {
        "id": agent_id, "name": name, "kind": kind, "description": description,
        "url": row_url(datasette, database, "agents", agent_id),
        "affiliations": [{**a, "url": row_url(datasette, database, "agents", a["affiliated_with_id"])}
                         for a in affiliations.get(agent_id, [])],
    }


# The claim page ---------------------------------------------------------------------


def relation_from(claim_id: str, relation: dict) -> str:
    """The relation as read from this claim: refines points from the narrower
    claim to the wider one, so the wider one is 'refined by' the other."""
    if relation["relation"] == "refines" and relation["other_claim_id"] == claim_id:
        return "refined by"
    return relation["relation"]


async def claim_page(datasette, database: str, claim_id: str, request) -> dict:
    db = datasette.get_database(database)
    [claim] = await rows(db, """
        select c.*, sp.name as speaker_name, sp.kind as speaker_kind, sp.description as speaker_description,
          rp.name as reporter_name, rp.kind as reporter_kind, rp.description as reporter_description,
          s.title as source_title, s.url as source_url, s.published as source_published,
          s.published_note as source_published_note, s.credited_to_id, s.text as source_text,
          cr.name as credited_to_name, cr.kind as credited_to_kind, cr.description as credited_to_description,
          sb.name as subject_name, m.name as measure_name, ra.name as role_agent_name
        from claims c
        join agents sp on sp.id = c.speaker_id
        join agents rp on rp.id = c.reporter_id
        join sources s on s.id = c.source_id
        left join agents cr on cr.id = s.credited_to_id
        left join subjects sb on sb.id = c.subject_id
        left join measures m on m.id = c.measure_id
        left join agents ra on ra.id = c.role_agent_id
        where c.id = :id""", {"id": claim_id})
    affiliations = await affiliations_of(db, list(dict.fromkeys([claim["speaker_id"], claim["reporter_id"], claim["credited_to_id"]])))
    related = await rows(db, """
        select r.claim_id, r.other_claim_id, r.relation, r.origin, r.rationale, r.detected_relation,
          r.detected_rationale, o.id as other_id, o.kind as other_kind, o.statement as other_statement,
          o.value_text as other_value_text, o.value_interval as other_value_interval,
          o.value_suggested_interval as other_value_suggested_interval, o.hedges as other_hedges,
          o.period_text as other_period_text, o.period_start as other_period_start, o.period_end as other_period_end,
          o.label as other_label, o.modality as other_modality, o.speaker as other_speaker, o.mode as other_mode,
          o.reporter as other_reporter, o.source_id as other_source_id, o.source_title as other_source_title,
          o.source_published as other_source_published, o.quote as other_quote, o.withdrawn as other_withdrawn
        from relations r
        join claims_with_provenance o on o.id = case when r.claim_id = :id then r.other_claim_id else r.claim_id end
        where r.claim_id = :id or r.other_claim_id = :id""", {"id": claim_id})
    for relation in related:
        relation["as_read"] = relation_from(claim_id, relation)
        relation["url"] = row_url(datasette, database, "claims", relation["other_id"])
        relation["source_url"] = row_url(datasette, database, "sources", relation["other_source_id"])
        relation["other_source_published"] = date_at_precision(relation["other_source_published"])
        relation["same_source"] = relation["other_source_id"] == claim["source_id"]
        relation["other_hedges"] = json.loads(relation["other_hedges"] or "[]")
    related.sort(key=lambda r: (RELATION_ORDER.get(r["relation"], 9), r["other_id"]))
    context = quote_in_context(claim["source_text"], claim["quote_start"], claim["quote_end"])
    source_url = row_url(datasette, database, "sources", claim["source_id"])
    claim["hedges"] = json.loads(claim["hedges"] or "[]")
    figure = None
    if claim["figure_id"]:
        [figure] = await rows(db, "select * from figures where id = :id", {"id": claim["figure_id"]})
        figure["url"] = row_url(datasette, database, "figures", figure["id"])
        figure["others_url"] = datasette.urls.table(database, "claims") + "?figure_id=" + tilde_encode(figure["id"])
        figure["hedges"] = json.loads(figure["hedges"] or "[]")
    return {
        "claim": claim,
        "speaker": agent_card(datasette, database, claim["speaker_id"], claim["speaker_name"], claim["speaker_kind"], claim["speaker_description"], affiliations),
        "reporter": agent_card(datasette, database, claim["reporter_id"], claim["reporter_name"], claim["reporter_kind"], claim["reporter_description"], affiliations),
        "credited_to": agent_card(datasette, database, claim["credited_to_id"], claim["credited_to_name"], claim["credited_to_kind"], claim["credited_to_description"], affiliations),
        "source": {
            "id": claim["source_id"], "title": claim["source_title"], "url": source_url,
            "address": claim["source_url"], "href": safe_href(claim["source_url"]),
            "published": date_at_precision(claim["source_published"]), "published_note": claim["source_published_note"],
        },
        "quote_html": render_context(context),
        "quote_in_source_url": f"{source_url}?claim={tilde_encode(claim_id)}#quote-{claim_id}",
        "subject_url": row_url(datasette, database, "subjects", claim["subject_id"]),
        "measure_url": row_url(datasette, database, "measures", claim["measure_id"]) if claim["measure_id"] else None,
        "role_agent_url": row_url(datasette, database, "agents", claim["role_agent_id"]) if claim["role_agent_id"] else None,
        "related": related,
        "figure": figure,
    }


# The source page -------------------------------------------------------------------


async def source_page(datasette, database: str, source_id: str, request) -> dict:
    db = datasette.get_database(database)
    [source] = await rows(db, """
        select s.*, p.name as publisher_name, p.kind as publisher_kind, p.description as publisher_description,
          cr.name as credited_to_name, cr.kind as credited_to_kind, cr.description as credited_to_description
        from sources s join agents p on p.id = s.publisher_id left join agents cr on cr.id = s.credited_to_id
        where s.id = :id""", {"id": source_id})
    affiliations = await affiliations_of(db, list(dict.fromkeys([source["publisher_id"], source["credited_to_id"]])))
    claims = await rows(db, """
        select c.id, c.kind, c.statement, c.quote_start, c.quote_end, c.value_text, c.period_text, c.withdrawn, c.hedges,
          sp.name as speaker, c.mode
        from claims c join agents sp on sp.id = c.speaker_id
        where c.source_id = :id order by c.quote_start, c.quote_end desc, c.id""", {"id": source_id})
    conflicts = await rows(db, """
        select c.id as claim_id, r.relation, o.id as other_id, o.source_id as other_source_id
        from claims c
        join relations r on c.id in (r.claim_id, r.other_claim_id)
        join claims o on o.id = case when r.claim_id = c.id then r.other_claim_id else r.claim_id end
        where c.source_id = :id and r.relation in ('contradicts', 'in-tension', 'differs-in-scope') and o.source_id != c.source_id
        order by c.id, r.relation, o.id""", {"id": source_id})
    conflicts_of: dict[str, list[dict]] = {}
    look_alikes_of: dict[str, list[dict]] = {}
    for conflict in conflicts:
        conflict["url"] = row_url(datasette, database, "claims", conflict["other_id"])
        (look_alikes_of if conflict["relation"] == LOOK_ALIKE else conflicts_of).setdefault(conflict["claim_id"], []).append(conflict)
    quoted = []
    for number, claim in enumerate(claims, start=1):
        claim["number"] = number
        claim["url"] = row_url(datasette, database, "claims", claim["id"])
        claim["conflicts"] = conflicts_of.get(claim["id"], [])
        claim["look_alikes"] = look_alikes_of.get(claim["id"], [])
        claim["hedges"] = json.loads(claim["hedges"] or "[]")
        quoted.append(QuotedClaim(claim["id"], claim["quote_start"], claim["quote_end"], number,
                                  claim["statement"], claim["url"], bool(claim["conflicts"])))
    focus = request.args.get("claim") if request else None
    return {
        "source": source,
        "publisher": agent_card(datasette, database, source["publisher_id"], source["publisher_name"], source["publisher_kind"], source["publisher_description"], affiliations),
        "credited_to": agent_card(datasette, database, source["credited_to_id"], source["credited_to_name"], source["credited_to_kind"], source["credited_to_description"], affiliations),
        "published": date_at_precision(source["published"]),
        "retrieved": date_at_precision(source["retrieved"]),
        "href": safe_href(source["url"]),
        "claims": claims,
        "claims_url": datasette.urls.table(database, "claims") + "?source_id=" + tilde_encode(source_id),
        "text_html": render_annotated_text(source["text"], quoted, focus=focus),
        "quoted_characters": quoted_characters(source["text"], quoted),
        "in_conflict": sum(1 for claim in claims if claim["conflicts"]),
    }


def quoted_characters(text: str, quoted: list[QuotedClaim]) -> int:
    covered = set()
    for claim in quoted:
        covered.update(range(claim.start, claim.end))
    return len(covered)


# The measure page ------------------------------------------------------------------


async def measure_page(datasette, database: str, measure_id: str, request) -> dict:
    db = datasette.get_database(database)
    [measure] = await rows(db, "select * from measures where id = :id", {"id": measure_id})
    estimates = await rows(db, """
        select e.*, c.value_low_inclusive, c.value_high_inclusive, c.source_id
        from estimates e join claims c on c.id = e.id
        where e.measure_id = :id
        order by e.value_low is null, e.value_low, e.value_high is null, e.value_high, e.id""", {"id": measure_id})
    figures = []
    for row in estimates:
        row["url"] = row_url(datasette, database, "claims", row["id"])
        row["source_url"] = row_url(datasette, database, "sources", row["source_id"])
        row["published"] = date_at_precision(row["source_published"])
        figures.append(Figure(
            row["id"], row["url"], row["value_low"], row["value_high"], bool(row["value_low_inclusive"]),
            bool(row["value_high_inclusive"]), row["value_text"], row["value_interval"], row["speaker"],
            row["reporter"], row["source_title"], row["published"] if row["source_published"] else None, row["withdrawn"],
            tuple(json.loads(row["hedges"] or "[]"))))
        row["hedges"] = json.loads(row["hedges"] or "[]")
    asked = request.args.get("scale") if request else None
    scale = asked if asked in SCALES else choose_scale(figures)
    page_url = row_url(datasette, database, "measures", measure_id)
    return {
        "measure": measure,
        "estimates": estimates,
        "scale": scale,
        "scale_chosen": asked not in SCALES,
        "scale_urls": {name: f"{page_url}?scale={name}" for name in SCALES},
        "chart": render_spread(figures, measure["name"], measure["unit"], scale) if figures else Markup(""),
        "estimates_url": datasette.urls.table(database, "estimates") + "?measure_id=" + tilde_encode(measure_id),
    }


PAGES = {"claims": claim_page, "sources": source_page, "measures": measure_page}


@hookimpl
def extra_template_vars(template, view_name, database, table, request, datasette):
    # Only for the project's own row templates: another database served
    # alongside, with a table of the same name, keeps Datasette's row page.
    if view_name != "row" or table not in PAGES or request is None or template != f"row-{to_css_class(database)}-{to_css_class(table)}.html":
        return {}

    async def evidence():
        [key] = urlsafe_components(request.url_vars["pks"])
        return {"evidence": await PAGES[table](datasette, database, key, request),
                "evidence_css": datasette.urls.path(STYLESHEET_PATH)}

    return evidence


# Links from the views to the pages ------------------------------------------------------

# (table or view, column) -> the table whose row page the value is the key of
LINKED = {
    ("estimates", "measure_id"): "measures",
    ("estimates", "id"): "claims",
    ("claims_with_provenance", "id"): "claims",
    ("conflicts", "claim_id"): "claims",
    ("conflicts", "other_id"): "claims",
    ("look_alikes", "claim_id"): "claims",
    ("look_alikes", "other_id"): "claims",
    ("relations", "claim_id"): "claims",
    ("relations", "other_claim_id"): "claims",
    ("estimates", "figure_id"): "figures",
}


@hookimpl
def render_cell(value, column, table, database, datasette):
    target = LINKED.get((table, column))
    if target is None or not isinstance(value, str) or not value:
        return None
    return Markup('<a href="{}">{}</a>').format(row_url(datasette, database, target, value), value)


@hookimpl
def register_routes():
    async def stylesheet():
        return Response(STYLESHEET.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8",
                        headers={"cache-control": "max-age=3600"})

    return [(r"^/-/claimsdb/evidence\.css$", stylesheet)]
