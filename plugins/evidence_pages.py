"""The evidence pages: the row pages of claims, sources, measures, agents and subjects.

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
from urllib.parse import quote

from datasette import hookimpl
from datasette.utils import tilde_encode, to_css_class, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup

from claimsdb.evidence import (
    direction,
    QuotedClaim,
    date_at_precision,
    publication_calendars,
    quote_in_context,
    render_annotated_text,
    render_context,
    safe_href,
    without_bidi_controls,
)
from claimsdb.relations import LOOK_ALIKE
from claimsdb.instance import ORIGINALS_MOUNT
from claimsdb.spread import SCALES, choose_scale, figure_from_row, render_spread

STYLESHEET = Path(__file__).with_name("evidence.css")
STYLESHEET_PATH = "/-/claimsdb/evidence.css"
# Related claims are listed conflicts first.
RELATION_ORDER = {"contradicts": 0, "in-tension": 1, "differs-in-scope": 2, "refines": 3, "corroborates": 4, "compatible": 5}


def row_url(datasette, database: str, table: str, key: str) -> str:
    return datasette.urls.row(database, table, tilde_encode(key))


async def pairs_of(db, view: str, columns: str, claim_ids: list[str]) -> list[dict]:
    """The rows of a side-by-side view (conflicts, look_alikes) for these
    claims, one claim at a time: `claim_id = :id` reads the pairs by index,
    where `claim_id in (...)` or a join makes SQLite expand every relation
    (seconds at a million claims)."""
    found = []
    for claim_id in claim_ids:
        found += await rows(db, f"select {columns} from {view} where claim_id = :id", {"id": claim_id})
    return found


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


async def translator_card(datasette, database: str, db, agent_id: str | None) -> dict | None:
    """The agent whose published translation a claim gives; None for the editors' own."""
    if agent_id in (None, "editor"):
        return None
    [agent] = await rows(db, "select id, name from agents where id = :id", {"id": agent_id})
    return {"name": agent["name"], "url": row_url(datasette, database, "agents", agent["id"])}


async def claim_page(datasette, database: str, claim_id: str, request) -> dict:
    db = datasette.get_database(database)
    [claim] = await rows(db, """
        select c.*, sp.name as speaker_name, sp.kind as speaker_kind, sp.description as speaker_description,
          rp.name as reporter_name, rp.kind as reporter_kind, rp.description as reporter_description,
          s.title as source_title, s.url as source_url, s.published as source_published,
          s.published_note as source_published_note, s.credited_to_id, s.text as source_text, s.language as source_language, s.published_calendar as source_published_calendar,
          s.original as source_original, s.original_format as source_original_format, s.original_sha256 as source_original_sha256,
          s.extractor as source_extractor, s.pages as source_pages,
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
    speakers = await rows(db, """
        select a.id, a.name, a.kind, a.description from claim_speakers cs join agents a on a.id = cs.speaker_id
        where cs.claim_id = :id order by cs.position""", {"id": claim_id})
    chain = await rows(db, """
        select a.id, a.name, a.kind, a.description, ch.how, ch.note from claim_chain ch join agents a on a.id = ch.agent_id
        where ch.claim_id = :id order by ch.position""", {"id": claim_id})
    credits = await credited_agents(db, claim["source_id"])
    affiliations = await affiliations_of(db, list(dict.fromkeys(
        [claim["reporter_id"], *(a["id"] for a in speakers + chain + credits)])))
    # One side at a time: each is read by index (through the claim's figure for
    # detected relations), where `claim_id = :id or other_claim_id = :id`
    # scans every figure relation (15 s at a million claims).
    related = await rows(db, " union all ".join(f"""
        select r.claim_id, r.other_claim_id, r.relation, r.origin, r.rationale, r.detected_relation,
          r.detected_rationale, o.id as other_id, o.kind as other_kind, o.statement as other_statement,
          o.value_text as other_value_text, o.value_interval as other_value_interval,
          o.value_suggested_interval as other_value_suggested_interval, o.hedges as other_hedges,
          o.period_text as other_period_text, o.period_start as other_period_start, o.period_end as other_period_end,
          o.label as other_label, o.modality as other_modality, o.speaker as other_speaker, o.mode as other_mode,
          o.reporter as other_reporter, o.source_id as other_source_id, o.source_title as other_source_title,
          o.source_published as other_source_published, o.quote as other_quote, o.withdrawn as other_withdrawn
        from relations r
        join claims_with_provenance o on o.id = r.{other}
        where r.{this} = :id""" for this, other in (("claim_id", "other_claim_id"), ("other_claim_id", "claim_id"))), {"id": claim_id})
    calendars_of = await publication_calendars(db)
    for relation in related:
        relation["as_read"] = relation_from(claim_id, relation)
        relation["url"] = row_url(datasette, database, "claims", relation["other_id"])
        relation["source_url"] = row_url(datasette, database, "sources", relation["other_source_id"])
        relation["other_source_published"] = date_at_precision(relation["other_source_published"], calendars_of.get(relation["other_source_id"]))
        relation["same_source"] = relation["other_source_id"] == claim["source_id"]
        relation["other_hedges"] = json.loads(relation["other_hedges"] or "[]")
    related.sort(key=lambda r: (RELATION_ORDER.get(r["relation"], 9), r["other_id"]))
    quoted_text = claim["source_text"]
    if claim.get("revision"):  # the quote stands in an earlier capture of the source
        [earlier] = await rows(db, "select text from source_revisions where source_id = :s and revision = :r",
                               {"s": claim["source_id"], "r": claim["revision"]})
        quoted_text = earlier["text"]
    context = quote_in_context(quoted_text, claim["quote_start"], claim["quote_end"])
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
        "speakers": [agent_card(datasette, database, a["id"], a["name"], a["kind"], a["description"], affiliations) for a in speakers],
        "chain": [{**agent_card(datasette, database, a["id"], a["name"], a["kind"], a["description"], affiliations), "how": a["how"], "note": a["note"]} for a in chain],
        "credits": [agent_card(datasette, database, a["id"], a["name"], a["kind"], a["description"], affiliations) for a in credits],
        "reporter": agent_card(datasette, database, claim["reporter_id"], claim["reporter_name"], claim["reporter_kind"], claim["reporter_description"], affiliations),
        "credited_to": agent_card(datasette, database, claim["credited_to_id"], claim["credited_to_name"], claim["credited_to_kind"], claim["credited_to_description"], affiliations),
        "source": {
            "id": claim["source_id"], "title": claim["source_title"], "url": source_url,
            "address": claim["source_url"], "href": safe_href(claim["source_url"]),
            "published": date_at_precision(claim["source_published"], claim["source_published_calendar"]), "published_note": claim["source_published_note"],
            "language": claim["source_language"], "direction": direction(claim["source_language"]),
        },
        "original": original_of(datasette, {"original": claim["source_original"], "original_format": claim["source_original_format"],
                                            "original_sha256": claim["source_original_sha256"], "extractor": claim["source_extractor"],
                                            "pages": claim["source_pages"]}),
        "quote_html": render_context(context),
        "translator": await translator_card(datasette, database, db, claim["translated_by"]),
        "translation_href": safe_href(claim["translation_published_in"]),
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
    credits = await credited_agents(db, source_id)
    host = (await rows(db, "select id, name, kind, description from agents where id = :id", {"id": source["host_id"]})) if source.get("host_id") else []
    affiliations = await affiliations_of(db, list(dict.fromkeys([source["publisher_id"], *(a["id"] for a in credits + host)])))
    claims = await rows(db, """
        select c.id, c.kind, c.statement, c.quote_start, c.quote_end, c.value_text, c.period_text, c.withdrawn, c.hedges,
          sp.name as speaker, c.mode
        from claims c join agents sp on sp.id = c.speaker_id
        where c.source_id = :id and c.revision is null order by c.quote_start, c.quote_end desc, c.id""", {"id": source_id})
    conflicts = []
    for view in ("conflicts", "look_alikes"):
        conflicts += [pair for pair in await pairs_of(db, view, "claim_id, relation, other_id, other_source_id", [c["id"] for c in claims])
                      if pair["other_source_id"] != source_id]
    conflicts.sort(key=lambda pair: (pair["claim_id"], pair["relation"], pair["other_id"]))
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
        "original": original_of(datasette, source),
        "text_warnings": json.loads(source["text_warnings"]) if source.get("text_warnings") else [],
        "publisher": agent_card(datasette, database, source["publisher_id"], source["publisher_name"], source["publisher_kind"], source["publisher_description"], affiliations),
        "credited_to": agent_card(datasette, database, source["credited_to_id"], source["credited_to_name"], source["credited_to_kind"], source["credited_to_description"], affiliations),
        "revisions": await rows(db, """
            select r.revision, r.archive, r.sha256, r.original, r.original_format, r.retrieved, r.replaced,
              (select count(*) from claims c where c.source_id = r.source_id and c.revision = r.revision) as claims
            from source_revisions r where r.source_id = :id order by r.revision""", {"id": source_id}),
        "credits": [agent_card(datasette, database, a["id"], a["name"], a["kind"], a["description"], affiliations) for a in credits],
        "host": agent_card(datasette, database, host[0]["id"], host[0]["name"], host[0]["kind"], host[0]["description"], affiliations) if host else None,
        "hosted": date_at_precision(source["hosted"]) if source.get("hosted") else None,
        "published_bounds": published_bounds(source, source["published_calendar"]),
        "archived_href": safe_href(source["archived_url"]) if source.get("archived_url") else None,
        "published": date_at_precision(source["published"], source["published_calendar"]),
        "retrieved": date_at_precision(source["retrieved"]),
        "href": safe_href(source["url"]),
        "direction": direction(source["language"]),
        "claims": claims,
        "claims_url": datasette.urls.table(database, "claims") + "?source_id=" + tilde_encode(source_id),
        "text_html": render_annotated_text(source["text"], quoted, focus=focus),
        "quoted_characters": quoted_characters(source["text"], quoted),
        "in_conflict": sum(1 for claim in claims if claim["conflicts"]),
    }


async def credited_agents(db, source_id: str) -> list[dict]:
    return await rows(db, """
        select a.id, a.name, a.kind, a.description from source_credits sc join agents a on a.id = sc.agent_id
        where sc.source_id = :id order by sc.position""", {"id": source_id})


def published_bounds(source: dict, calendar: str | None = None) -> str | None:
    """'not before August 2022', 'between 2021 and March 2022': what is known of an undated document's date."""
    low, high = source.get("published_not_before"), source.get("published_not_after")
    if low and high:
        return f"between {date_at_precision(low, calendar)} and {date_at_precision(high, calendar)}"
    if low:
        return f"not before {date_at_precision(low, calendar)}"
    if high:
        return f"not after {date_at_precision(high, calendar)}"
    return None


def original_of(datasette, source: dict) -> dict | None:
    """The original a source's text was extracted from, with the address the
    instance serves it at (when claims/sources/originals/ is mounted)."""
    if not source.get("original"):
        return None
    name = source["original"].rsplit("/", 1)[-1]
    mounted = any(mount == ORIGINALS_MOUNT for mount, _ in datasette.static_mounts)
    return {
        "path": source["original"], "name": name, "format": source["original_format"], "sha256": source["original_sha256"],
        "extractor": source["extractor"], "pages": len(json.loads(source["pages"])) if source.get("pages") else None,
        "href": datasette.urls.path(f"/{ORIGINALS_MOUNT}/{quote(name)}") if mounted else None,
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
        select e.*, c.value_low_inclusive, c.value_high_inclusive, c.source_id, c.value_rule
        from estimates e join claims c on c.id = e.id
        where e.measure_id = :id
        order by e.value_low is null, e.value_low, e.value_high is null, e.value_high, e.id""", {"id": measure_id})
    calendars_of = await publication_calendars(db)
    figures = []
    for row in estimates:
        row["url"] = row_url(datasette, database, "claims", row["id"])
        row["source_url"] = row_url(datasette, database, "sources", row["source_id"])
        row["published"] = date_at_precision(row["source_published"], calendars_of.get(row["source_id"]))
        row["hedges"] = json.loads(row["hedges"] or "[]")
        figures.append(figure_from_row(row, row["url"], row["published"] if row["source_published"] else None))
    asked = request.args.get("scale") if request else None
    scale = asked if asked in SCALES else choose_scale(figures)
    page_url = row_url(datasette, database, "measures", measure_id)
    return {
        "measure": measure,
        "estimates": estimates,
        "scale": scale,
        "scale_chosen": asked not in SCALES,
        "scale_urls": {name: f"{page_url}?scale={name}" for name in SCALES},
        "chart": render_spread(figures, without_bidi_controls(measure["name"]), without_bidi_controls(measure["unit"]), scale) if figures else Markup(""),
        "estimates_url": datasette.urls.table(database, "estimates") + "?measure_id=" + tilde_encode(measure_id),
    }


# The agent and subject pages -----------------------------------------------------------

KIND_ORDER = ["quantity", "period", "characterisation", "role", "event", "demand"]


def by_kind(claims: list[dict]) -> list[dict]:
    """Claims grouped by kind, in the order of KIND_ORDER (any other kind after)."""
    groups: dict[str, list[dict]] = {}
    for claim in claims:
        groups.setdefault(claim["kind"], []).append(claim)
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return [{"kind": kind, "claims": groups[kind]} for kind in sorted(groups, key=lambda k: (order.get(k, len(order)), k))]


async def claims_where(datasette, database: str, db, condition: str, params: dict) -> list[dict]:
    """Claims with their provenance named, linked to their pages."""
    found = await rows(db, f"""
        select p.*, c.value_low_inclusive, c.value_high_inclusive, c.scope, c.value_rule
        from claims_with_provenance p join claims c on c.id = p.id
        where {condition}
        order by p.source_published desc, p.source_id, p.id""", params)
    for claim in found:
        claim["url"] = row_url(datasette, database, "claims", claim["id"])
        claim["source_url"] = row_url(datasette, database, "sources", claim["source_id"])
        claim["speaker_url"] = row_url(datasette, database, "agents", claim["speaker_id"])
        claim["subject_url"] = row_url(datasette, database, "subjects", claim["subject_id"])
        claim["published"] = date_at_precision(claim["source_published"])
    return found


def charts_of(datasette, database: str, claims: list[dict], measures: dict[str, dict]) -> list[dict]:
    """The quantity claims among ``claims``, one chart per measure."""
    grouped: dict[str, list[dict]] = {}
    for claim in claims:
        if claim["kind"] == "quantity" and claim["measure_id"]:
            grouped.setdefault(claim["measure_id"], []).append(claim)
    charts = []
    for measure_id, group in grouped.items():
        group.sort(key=lambda c: (c["value_low"] is None, c["value_low"] or 0, c["value_high"] is None, c["value_high"] or 0, c["id"]))
        figures = [figure_from_row(c, c["url"], c["published"] if c["source_published"] else None) for c in group]
        measure = measures[measure_id]
        plain = without_bidi_controls
        charts.append({"measure": measure, "url": row_url(datasette, database, "measures", measure_id),
                       "chart": render_spread(figures, plain(measure["name"]), plain(measure["unit"]), choose_scale(figures))})
    return charts


async def conflicts_of(datasette, database: str, db, claim_ids: list[str]) -> list[dict]:
    """Every conflict one of ``claim_ids`` is part of, with the other side named."""
    if not claim_ids:
        return []
    found = []
    for claim_id in dict.fromkeys(claim_ids):  # one claim at a time: read by its id
        found += await rows(db, """
            select r.relation, r.origin, r.rationale, m.id as claim_id, m.value_text as claim_value_text,
              m.period_text as claim_period_text, m.statement as claim_statement,
              o.id as other_id, o.value_text as other_value_text, o.period_text as other_period_text, o.statement as other_statement,
              o.speaker as other_speaker, o.speaker_id as other_speaker_id, o.reporter as other_reporter,
              o.source_id as other_source_id, o.source_title as other_source_title, o.quote as other_quote
            from conflicts r
            join claims_with_provenance m on m.id = r.claim_id
            join claims_with_provenance o on o.id = r.other_id
            where r.claim_id = :id""", {"id": claim_id})
    found.sort(key=lambda conflict: (conflict["relation"], conflict["claim_id"], conflict["other_id"]))
    for conflict in found:
        conflict["url"] = row_url(datasette, database, "claims", conflict["claim_id"])
        conflict["other_url"] = row_url(datasette, database, "claims", conflict["other_id"])
        conflict["other_speaker_url"] = row_url(datasette, database, "agents", conflict["other_speaker_id"])
        conflict["other_source_url"] = row_url(datasette, database, "sources", conflict["other_source_id"])
    return found


async def measures_by_id(db) -> dict[str, dict]:
    return {m["id"]: m for m in await rows(db, "select id, name, unit from measures")}


async def agent_page(datasette, database: str, agent_id: str, request) -> dict:
    db = datasette.get_database(database)
    [agent] = await rows(db, "select * from agents where id = :id", {"id": agent_id})
    try:
        aliases = json.loads(agent["aliases"] or "[]")
    except ValueError:
        aliases = [agent["aliases"]]
    affiliated_with = await rows(db, """
        select a.role, a.note, w.id, w.name, w.kind from agent_affiliations a join agents w on w.id = a.affiliated_with_id
        where a.agent_id = :id order by w.name, a.role""", {"id": agent_id})
    affiliated = await rows(db, """
        select a.role, a.note, w.id, w.name, w.kind from agent_affiliations a join agents w on w.id = a.agent_id
        where a.affiliated_with_id = :id order by w.name, a.role""", {"id": agent_id})
    for other in affiliated_with + affiliated:
        other["url"] = row_url(datasette, database, "agents", other["id"])
    asserts = await claims_where(datasette, database, db, "p.speaker_id = :id", {"id": agent_id})
    reporters: dict[str, dict] = {}
    for claim in asserts:
        reporter = reporters.setdefault(claim["reporter_id"], {
            "id": claim["reporter_id"], "name": claim["reporter"], "count": 0,
            "url": row_url(datasette, database, "agents", claim["reporter_id"])})
        reporter["count"] += 1
    sources = await rows(db, """
        select s.id, s.title, s.published, s.publisher_id = :id as publishes, s.credited_to_id = :id as credited,
          (select count(*) from claims where source_id = s.id) as claims
        from sources s where s.publisher_id = :id or s.credited_to_id = :id
        order by s.published desc, s.id""", {"id": agent_id})
    for source in sources:
        source["url"] = row_url(datasette, database, "sources", source["id"])
        source["published"] = date_at_precision(source["published"])
    [reported] = await rows(db, "select count(*) as n, count(distinct speaker_id) as speakers from claims where reporter_id = :id and speaker_id != :id", {"id": agent_id})
    return {
        "agent": agent,
        "aliases": aliases,
        "affiliated_with": affiliated_with,
        "affiliated": affiliated,
        "asserts": asserts,
        "asserts_by_kind": by_kind(asserts),
        "charts": charts_of(datasette, database, asserts, await measures_by_id(db)),
        "reporters": sorted(reporters.values(), key=lambda r: (-r["count"], r["name"])),
        "sources": sources,
        "reported": reported,
        "reported_url": datasette.urls.table(database, "claims_with_provenance") + "?reporter_id=" + tilde_encode(agent_id),
        "asserts_url": datasette.urls.table(database, "claims_with_provenance") + "?speaker_id=" + tilde_encode(agent_id),
        "conflicts": await conflicts_of(datasette, database, db, [c["id"] for c in asserts]),
    }


async def subject_page(datasette, database: str, subject_id: str, request) -> dict:
    db = datasette.get_database(database)
    [subject] = await rows(db, """
        select s.*, w.name as part_of_name from subjects s left join subjects w on w.id = s.part_of_id where s.id = :id""", {"id": subject_id})
    parts = await rows(db, """
        select s.id, s.name, s.kind, (select count(*) from claims where subject_id = s.id) as claims
        from subjects s where s.part_of_id = :id order by s.name""", {"id": subject_id})
    for part in parts:
        part["url"] = row_url(datasette, database, "subjects", part["id"])
    claims = await claims_where(datasette, database, db, "p.subject_id = :id", {"id": subject_id})
    periods = [c for c in claims if c["period_text"]]
    periods.sort(key=lambda c: (c["period_start"] is None, c["period_start"] or "", c["period_end"] or "", c["id"]))
    return {
        "subject": subject,
        "part_of_url": row_url(datasette, database, "subjects", subject["part_of_id"]) if subject["part_of_id"] else None,
        "parts": parts,
        "claims": claims,
        "claims_by_kind": by_kind(claims),
        "periods": periods,
        "charts": charts_of(datasette, database, claims, await measures_by_id(db)),
        "claims_url": datasette.urls.table(database, "claims_with_provenance") + "?subject_id=" + tilde_encode(subject_id),
        "conflicts": await conflicts_of(datasette, database, db, [c["id"] for c in claims]),
    }


PAGES = {"claims": claim_page, "sources": source_page, "measures": measure_page, "agents": agent_page, "subjects": subject_page}


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
    ("claims_with_provenance", "speaker_id"): "agents",
    ("claims_with_provenance", "reporter_id"): "agents",
    ("claims_with_provenance", "source_id"): "sources",
    ("claims_with_provenance", "subject_id"): "subjects",
    ("claims_with_provenance", "measure_id"): "measures",
    ("conflicts", "claim_id"): "claims",
    ("conflicts", "other_id"): "claims",
    ("conflicts", "claim_source_id"): "sources",
    ("conflicts", "other_source_id"): "sources",
    ("conflicts", "subject_id"): "subjects",
    ("conflicts", "measure_id"): "measures",
    ("look_alikes", "claim_id"): "claims",
    ("look_alikes", "other_id"): "claims",
    ("relations", "claim_id"): "claims",
    ("relations", "other_claim_id"): "claims",
    ("estimates", "figure_id"): "figures",
}


# In the result of a query (a canned query or the SQL box), a column's name
# says whose id it holds, by the names of the public SQL contract; an "id"
# beside a statement or a quote is a claim's.
LINKED_IN_QUERIES = {
    "claim_id": "claims", "other_id": "claims", "other_claim_id": "claims",
    "speaker_id": "agents", "reporter_id": "agents", "publisher_id": "agents", "credited_to_id": "agents", "agent_id": "agents",
    "source_id": "sources", "claim_source_id": "sources", "other_source_id": "sources",
    "subject_id": "subjects", "measure_id": "measures",
}


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if table is None:
        keys = row.keys() if hasattr(row, "keys") else ()
        target = LINKED_IN_QUERIES.get(column) or ("claims" if column == "id" and ("statement" in keys or "quote" in keys) else None)
    else:
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
