"""The instance as a whole: the landing page (templates/index.html), the
database page's starting points (templates/database-claims.html), one search
across claims, quotes, sources, agents, subjects and measures (/-/search,
templates/search.html), and the stylesheet every page links (metadata.yml's
extra_css_urls)."""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils import escape_fts, tilde_encode
from datasette.utils.asgi import Response

from claimsdb.evidence import date_at_precision, publication_calendars, without_bidi_controls
from claimsdb.relations import CONFLICTING
from claimsdb.spread import figure_from_row, render_small_spread

STYLESHEET = Path(__file__).with_name("site.css")
DATABASE = "claims"
LATEST_CONFLICTS = 6
SEARCH_LIMIT = 50
# The tables and views a reader starts from, in the order offered, with what each holds.
STARTING_POINTS = [
    ("conflicts", "Conflicts", "every pair of claims in conflict, both sides' figures, speakers and sources"),
    ("figures", "Figures", "each distinct interval given for a measure, with the claims that carry it"),
    ("look_alikes", "Look-alikes", "claims that look alike but differ in scope"),
    ("estimates", "Estimates", "every figure for every measure, lowest first"),
    ("claims_with_provenance", "Claims with their provenance", "each claim with its speaker, outlet, source and subject named"),
    ("sources", "Sources", "the documents, each with its archived text"),
    ("agents", "Agents", "who speaks, reports and publishes"),
    ("subjects", "Subjects", "what the claims are about"),
    ("measures", "Measures", "what the figures count"),
    ("value_semantics", "How wording is read", "the published table mapping words such as “thousands” to intervals"),
]


def row_url(datasette, table: str, key: str) -> str:
    return datasette.urls.row(DATABASE, table, tilde_encode(key))


async def rows(db, sql: str, params: dict | None = None) -> list[dict]:
    return [dict(row) for row in (await db.execute(sql, params or {})).rows]


async def starting_points(datasette, db) -> list[dict]:
    present = set(await db.table_names()) | set(await db.view_names())
    return [{"name": name, "title": title, "about": about, "url": datasette.urls.table(DATABASE, name)}
            for name, title, about in STARTING_POINTS if name in present]


def canned_queries(datasette) -> list[dict]:
    queries = datasette.metadata("queries", database=DATABASE) or {}
    return [{"name": name, "title": query.get("title", name), "description": query.get("description"),
             "url": datasette.urls.database(DATABASE) + "/" + tilde_encode(name)} for name, query in queries.items()]


async def measure_charts(datasette, db) -> list[dict]:
    """Each measure with quantity claims: its figures as a small multiple of
    the measure page's chart, linked to that page."""
    measures = {m["id"]: {**m, "figures": []} for m in await rows(db, "select id, name, unit from measures order by name")}
    calendars_of = await publication_calendars(db)
    for row in await rows(db, """
        select e.*, c.value_low_inclusive, c.value_high_inclusive, c.value_rule, c.source_id from estimates e join claims c on c.id = e.id
        order by e.measure_id, e.value_low is null, e.value_low, e.value_high is null, e.value_high, e.id"""):
        published = date_at_precision(row["source_published"], calendars_of.get(row["source_id"])) if row["source_published"] else None
        measures[row["measure_id"]]["figures"].append(figure_from_row(row, row_url(datasette, "claims", row["id"]), published))
    return [{"id": m["id"], "name": m["name"], "unit": m["unit"], "count": len(m["figures"]),
             "url": row_url(datasette, "measures", m["id"]),
             "chart": render_small_spread(m["figures"], without_bidi_controls(m["name"]), without_bidi_controls(m["unit"]))}
            for m in measures.values() if m["figures"]]


# A publication date as ISO text that sorts with the others: in another
# calendar (1399-05, Solar Hijri) the first Gregorian day it can denote, not
# its digits; a partial Gregorian date ('2021') sorts as its first day does.
PUBLISHED_FIRST_DAY = "coalesce(substr(published_gregorian, 1, 10), published)"


async def latest_conflicts(datasette, db, limit: int = LATEST_CONFLICTS) -> list[dict]:
    """Pairs in conflict, those whose later source is the most recent first
    (in Gregorian days, whatever calendar the source dates itself in)."""
    found = await rows(db, f"""
        select r.relation, r.origin, r.rationale,
          a.id as a_id, a.statement as a_statement, a.value_text as a_value, a.period_text as a_period, a.label as a_label,
          a.speaker as a_speaker, a.reporter as a_reporter, a.source_id as a_source_id, a.source_title as a_source, a.source_published as a_published,
          b.id as b_id, b.statement as b_statement, b.value_text as b_value, b.period_text as b_period, b.label as b_label,
          b.speaker as b_speaker, b.reporter as b_reporter, b.source_id as b_source_id, b.source_title as b_source, b.source_published as b_published
        from relations r
        join claims_with_provenance a on a.id = r.claim_id
        join claims_with_provenance b on b.id = r.other_claim_id
        where r.relation in ({", ".join(f"'{r}'" for r in CONFLICTING)})
        order by max(coalesce((select {PUBLISHED_FIRST_DAY} from sources where id = a.source_id), ''),
                     coalesce((select {PUBLISHED_FIRST_DAY} from sources where id = b.source_id), '')) desc, r.claim_id, r.other_claim_id
        limit :limit""", {"limit": limit})
    calendars_of = await publication_calendars(db)
    for pair in found:
        for side in ("a", "b"):
            pair[f"{side}_url"] = row_url(datasette, "claims", pair[f"{side}_id"])
            pair[f"{side}_source_url"] = row_url(datasette, "sources", pair[f"{side}_source_id"])
            pair[f"{side}_published"] = date_at_precision(pair[f"{side}_published"], calendars_of.get(pair[f"{side}_source_id"]))
    return found


async def landing(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    [counts] = await rows(db, f"""
        select (select count(*) from claims) as claims, (select count(*) from sources) as sources,
          (select count(*) from agents) as agents, (select count(*) from measures) as measures,
          (select count(*) from relations where relation in ({", ".join(f"'{r}'" for r in CONFLICTING)})) as conflicts""")
    return {
        "counts": counts,
        "measures": await measure_charts(datasette, db),
        "conflicts": await latest_conflicts(datasette, db),
        "starting_points": await starting_points(datasette, db),
        "queries": canned_queries(datasette),
        "search_url": datasette.urls.path("/-/search"),
        "conflicts_url": datasette.urls.table(DATABASE, "conflicts"),
    }


@hookimpl
def extra_template_vars(template, view_name, database, datasette, request):
    canned = request.url_vars.get("table") if request is not None and database == DATABASE else None
    if canned and (template == "query.html" or template.startswith("query-")) and DATABASE in datasette.databases:
        async def choices():
            return {"parameter_choices": await parameter_choices(datasette, canned)}
        return choices
    if view_name == "index" or (view_name == "database" and database == DATABASE):
        async def site():
            if DATABASE not in datasette.databases:
                return {}
            return {"site": await landing(datasette) if view_name == "index" else {
                "starting_points": await starting_points(datasette, datasette.get_database(DATABASE)),
                "search_url": datasette.urls.path("/-/search")}}
        return site
    return {}


# Readable tables -----------------------------------------------------------------------


def reader_first(columns: list, rows: list, first: list[str]) -> tuple[list, list]:
    """The table's columns with those a reader needs first (metadata.yml's
    reader_columns for the table) in front, in that order, the rest after in
    the table's own order; each row's cells reordered alike."""
    names = [column["name"] for column in columns]
    wanted = [name for name in first if name in names]
    if not wanted:
        return columns, rows
    # Datasette's link column (a table without a primary key) stays first.
    order = [i for i, name in enumerate(names) if name in ("Link", "rowid") and i == 0]
    order += [names.index(name) for name in wanted if names.index(name) not in order]
    order += [i for i in range(len(names)) if i not in order]
    return [columns[i] for i in order], [[list(row)[i] for i in order] for row in rows]


# A canned query's parameter -> the values it takes, with their names: shown
# as a list when there are at most CHOICES_LIMIT of them.
PARAMETER_CHOICES = {
    "agent_id": "select id, name from agents where id in (select speaker_id from claims) order by name",
    "measure_id": "select id, name from measures where id in (select measure_id from claims) order by name",
}
CHOICES_LIMIT = 60


async def parameter_choices(datasette, query_name: str) -> dict:
    query = (datasette.metadata("queries", database=DATABASE) or {}).get(query_name) or {}
    db = datasette.get_database(DATABASE)
    choices = {}
    for parameter, sql in PARAMETER_CHOICES.items():
        if f":{parameter}" in (query.get("sql") or ""):
            values = [(row[0], row[1]) for row in (await db.execute(sql)).rows]
            if len(values) <= CHOICES_LIMIT:
                choices[parameter] = values
    return choices


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["reader_first"] = reader_first


# One search across the corpus --------------------------------------------------------


def like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def search(datasette, typed: str) -> dict:
    db = datasette.get_database(DATABASE)
    query = escape_fts(typed)
    found = {"claims": [], "sources": [], "agents": [], "subjects": [], "measures": []}
    if not query:
        return found
    found["claims"] = await rows(db, """
        select p.id, p.statement, p.speaker, p.reporter, p.source_id, p.source_title, p.kind,
          snippet(claims_fts, 1, '[[', ']]', '…', 24) as quote_snippet
        from claims_fts join claims c on c.rowid = claims_fts.rowid join claims_with_provenance p on p.id = c.id
        where claims_fts match :query order by rank limit :limit""", {"query": query, "limit": SEARCH_LIMIT})
    found["sources"] = await rows(db, """
        select s.id, s.title, s.published, p.name as publisher, snippet(sources_fts, 1, '[[', ']]', '…', 24) as text_snippet
        from sources_fts join sources s on s.rowid = sources_fts.rowid join agents p on p.id = s.publisher_id
        where sources_fts match :query order by rank limit :limit""", {"query": query, "limit": SEARCH_LIMIT})
    like = {"pattern": like_pattern(typed.strip().strip('"')), "limit": SEARCH_LIMIT}
    found["agents"] = await rows(db, r"""
        select id, name, kind, description, (select count(*) from claims where speaker_id = agents.id) as claims
        from agents where name like :pattern escape '\' or aliases like :pattern escape '\' or description like :pattern escape '\'
        order by name limit :limit""", like)
    found["subjects"] = await rows(db, r"""
        select id, name, kind, description from subjects
        where name like :pattern escape '\' or description like :pattern escape '\' order by name limit :limit""", like)
    found["measures"] = await rows(db, r"""
        select id, name, unit, description from measures
        where name like :pattern escape '\' or description like :pattern escape '\' order by name limit :limit""", like)
    for table, items in found.items():
        for item in items:
            item["url"] = row_url(datasette, table, item["id"])
            if "published" in item:
                item["published"] = date_at_precision(item["published"])
    return found


@hookimpl
def register_routes():
    async def stylesheet():
        return Response(STYLESHEET.read_text(encoding="utf-8"), content_type="text/css; charset=utf-8",
                        headers={"cache-control": "max-age=3600"})

    async def search_page(datasette, request):
        typed = request.args.get("q", "")
        found = await search(datasette, typed) if DATABASE in datasette.databases else {}
        return Response.html(await datasette.render_template("search.html", {
            "typed": typed, "asked": bool(escape_fts(typed)), "found": found,
            "total": sum(len(items) for items in found.values()), "limit": SEARCH_LIMIT,
            "search_quotes_url": datasette.urls.database(DATABASE) + "/search_quotes",
        }, request=request))

    return [(r"^/-/claimsdb/site\.css$", stylesheet), (r"^/-/search$", search_page)]
