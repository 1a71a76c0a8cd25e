"""Default facets of an unfiltered page, counted once per build.

Datasette's column facet counts each faceted column over the page's rows on
every request: at a million claims, six group-bys over the claims table
(most of the claims page's second) and, on the relations and conflicts
views, a pass over every claim pair per facet, past the facet time limit.
The database is immutable, so those counts never change while it is served:
`claimsdb serve` computes them with the build's inspect data
(claimsdb.instance.inspect_data, under "facets") and this facet class answers
from them when the page filters nothing. Any other page (a filter, a search,
_where, a later page of a table, a facet metadata.yml does not set, a larger
_facet_size than was kept) is Datasette's own ColumnFacet, unchanged, and so
is every page of an instance without those counts.

The results are Datasette's: the same values and counts in the same order,
the same labels, toggle links and `truncated`, built by the code below,
which follows ColumnFacet.facet_results of Datasette 0.65.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class PrecomputedColumnFacet(ColumnFacet):
    async def facet_results(self):
        counts = await self.precomputed()
        if counts is None:
            return await super().facet_results()
        qs_pairs = self.get_querystring_pairs()
        facet_size = self.get_facet_size()
        facet_results = []
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            source = source_and_config["source"]
            column = config.get("column") or config["simple"]
            rows = counts[column][: facet_size + 1]
            facet_rows = rows[:facet_size]
            values = []
            facet_results.append({
                "name": column,
                "type": self.type,
                "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
                "results": values,
                "truncated": len(rows) > facet_size,
            })
            expanded = await self.ds.expand_foreign_keys(self.database, self.table, column, [value for value, _ in facet_rows])
            for value, count in facet_rows:
                column_qs = f"{column}__exact" if column.startswith("_") else column
                selected = (column_qs, str(value)) in qs_pairs
                if selected:
                    toggle_path = path_with_removed_args(self.request, {column_qs: str(value)})
                else:
                    toggle_path = path_with_added_args(self.request, {column_qs: value})
                values.append({
                    "value": value,
                    "label": expanded.get((column, value), value),
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle_path)),
                    "selected": selected,
                })
        return facet_results, []

    async def precomputed(self) -> dict | None:
        """The kept counts of this page's facets, by column, when they are
        its whole answer: the page is the table's every row (the SQL the
        table view builds with no WHERE, no parameters), every facet asked
        for was kept, and as many values were kept as the page shows."""
        facets = ((self.ds.inspect_data or {}).get(self.database) or {}).get("facets")
        if not facets or self.table is None or self.params:
            return None
        kept = facets["tables"].get(self.table)
        columns = [config["config"].get("column") or config["config"].get("simple") for config in self.get_configs()]
        if kept is None or not columns or any(column not in kept for column in columns):
            return None
        if self.get_facet_size() + 1 > facets["rows"] and any(len(kept[column]) >= facets["rows"] for column in columns):
            return None
        if self.sql != await self.unfiltered_sql():
            return None
        return kept

    async def unfiltered_sql(self) -> str:
        """The SQL Datasette 0.65's table view gives its facets when nothing
        filters the page (views/table.py: sql_no_order_no_limit)."""
        database = self.ds.get_database(self.database)
        columns = ", ".join(escape_sqlite(column) for column in await database.table_columns(self.table))
        is_view = bool(await database.get_view_definition(self.table))
        if not is_view and not await database.primary_keys(self.table):
            columns = f"rowid, {columns}"
        return f"select {columns} from {escape_sqlite(self.table)} "


@hookimpl(wrapper=True)
def register_facet_classes():
    """Datasette's facet classes, with its column facet in this one's place."""
    classes = yield
    return [[PrecomputedColumnFacet if klass is ColumnFacet else klass for klass in group] for group in classes]
