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
from claimsdb.instance import LATEST_CONFLICTS, latest_conflicts_sql
from claimsdb.relations import CONFLICTING
from claimsdb.spread import figure_from_row, render_small_spread
from claimsdb.tables import sql_list

STYLESHEET = Path(__file__).with_name("site.css")
DATABASE = "claims"
SEARCH_LIMIT = 50
# The most claims a measure's small multiple draws, one line each (22 px):
# past it the landing page says how many there are and leaves them to the
# measure's own page, so that the page costs the same at any corpus size
# (every line of every measure made it 21 MB and 4.5 s at 100,000 claims).
# A count, not a choice among the figures: a measure is drawn whole or not at all.
SMALL_MULTIPLE_CLAIMS = 50
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
    the measure page's chart, linked to that page; a measure of more than
    SMALL_MULTIPLE_CLAIMS claims with its count only (chart None)."""
    counts = await quantity_claims_by_measure(datasette, db)
    calendars_of = await publication_calendars(db)
    charts = []
    for measure in await rows(db, "select id, name, unit from measures order by name"):
        count = counts.get(measure["id"], 0)
        if not count:
            continue
        chart = None
        if count <= SMALL_MULTIPLE_CLAIMS:
            figures = []
            for row in await rows(db, """
                select e.*, c.value_low_inclusive, c.value_high_inclusive, c.value_rule, c.source_id from estimates e join claims c on c.id = e.id
                where e.measure_id = :measure
                order by e.value_low is null, e.value_low, e.value_high is null, e.value_high, e.id""", {"measure": measure["id"]}):
                published = date_at_precision(row["source_published"], calendars_of.get(row["source_id"])) if row["source_published"] else None
                figures.append(figure_from_row(row, row_url(datasette, "claims", row["id"]), published))
            chart = render_small_spread(figures, without_bidi_controls(measure["name"]), without_bidi_controls(measure["unit"]))
        charts.append({**measure, "count": count, "url": row_url(datasette, "measures", measure["id"]), "chart": chart})
    return charts


async def quantity_claims_by_measure(datasette, db) -> dict[str, int]:
    """How many quantity claims each measure has: the estimates view's
    measure_id facet, counted once per build where metadata.yml keeps it as
    a default facet and it lists every measure, else counted here."""
    facets = kept(datasette, "facets") or {}
    listed = ((facets.get("tables") or {}).get("estimates") or {}).get("measure_id")
    if listed is not None and len(listed) < facets["rows"]:
        return dict(listed)
    return {row["measure_id"]: row["claims"] for row in await rows(db, """
        select measure_id, count(*) as claims from claims where kind = 'quantity' and measure_id is not null group by measure_id""")}


def kept(datasette, name: str):
    """What the build's inspect data keeps for the claims database under
    ``name`` (claimsdb.instance.inspect_data), or None without it."""
    return ((datasette.inspect_data or {}).get(DATABASE) or {}).get(name)


async def conflict_pairs(datasette, db) -> int:
    """How many pairs of claims are in conflict: half the rows of the
    conflicts view (each pair both ways), counted once per build, or counted
    here where no inspect data was given."""
    counted = (kept(datasette, "tables") or {}).get("conflicts")
    if counted is not None:
        return counted["count"] // 2
    [row] = await rows(db, f"select count(*) as n from relations where relation in ({sql_list(CONFLICTING)})")
    return row["n"]


async def latest_conflicts(datasette, db, limit: int = LATEST_CONFLICTS) -> list[dict]:
    """Pairs in conflict, those whose later source is the most recent first
    (in Gregorian days, whatever calendar the source dates itself in): the
    pairs chosen once per build, else chosen here, each read by its ids."""
    pairs = kept(datasette, "latest_conflicts")
    if pairs is None:
        pairs = [(row["claim_id"], row["other_claim_id"]) for row in await rows(db, latest_conflicts_sql(), {"limit": limit})]
    found = []
    for claim_id, other_claim_id in pairs[:limit]:
        found += await rows(db, f"""
            select r.relation, r.origin, r.rationale,
              a.id as a_id, a.statement as a_statement, a.value_text as a_value, a.period_text as a_period, a.label as a_label,
              a.speaker as a_speaker, a.reporter as a_reporter, a.source_id as a_source_id, a.source_title as a_source, a.source_published as a_published,
              b.id as b_id, b.statement as b_statement, b.value_text as b_value, b.period_text as b_period, b.label as b_label,
              b.speaker as b_speaker, b.reporter as b_reporter, b.source_id as b_source_id, b.source_title as b_source, b.source_published as b_published
            from relations r
            join claims_with_provenance a on a.id = r.claim_id
            join claims_with_provenance b on b.id = r.other_claim_id
            where r.claim_id = :claim and r.other_claim_id = :other and r.relation in ({sql_list(CONFLICTING)})""",
            {"claim": claim_id, "other": other_claim_id})
    calendars_of = await publication_calendars(db)
    for pair in found:
        for side in ("a", "b"):
            pair[f"{side}_url"] = row_url(datasette, "claims", pair[f"{side}_id"])
            pair[f"{side}_source_url"] = row_url(datasette, "sources", pair[f"{side}_source_id"])
            pair[f"{side}_published"] = date_at_precision(pair[f"{side}_published"], calendars_of.get(pair[f"{side}_source_id"]))
    return found


async def landing(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    [counts] = await rows(db, """
        select (select count(*) from claims) as claims, (select count(*) from sources) as sources,
          (select count(*) from agents) as agents, (select count(*) from measures) as measures""")
    counts["conflicts"] = await conflict_pairs(datasette, db)
    return {
        "counts": counts,
        "measures": await measure_charts(datasette, db),
        "small_multiple_claims": SMALL_MULTIPLE_CLAIMS,
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
