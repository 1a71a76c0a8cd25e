"""Keep metadata.yml's descriptions in step with the models and the schema.

metadata.yml is Datasette's one configuration file. Its titles, facets and
canned queries are written by hand; each table's description, column
descriptions and label column are derived from ``claimsdb.tables`` (and through
it from the pydantic models) by ``claimsdb metadata``, and a test fails when
the file is stale.
"""

from __future__ import annotations

import yaml

from .tables import BUILD_RECORD, TABLES, VIEWS

DATABASE = "claims"
HEADER = (
    "# Datasette metadata for claims.db. Titles, facets and canned queries are\n"
    "# edited here; table and column descriptions and label columns are generated\n"
    "# from claimsdb/db.py and claimsdb/model.py by `claimsdb metadata`.\n"
)


class Dumper(yaml.SafeDumper):
    pass


def _string(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _string)


def generated_tables() -> dict:
    tables = {}
    for table in TABLES:
        entry = {"description": table.description}
        if table.label_column:
            entry["label_column"] = table.label_column
        entry["columns"] = {column.name: column.description for column in table.columns}
        tables[table.name] = entry
    for view in VIEWS:
        tables[view.name] = {"description": view.description, "columns": dict(view.columns)}
    for table in BUILD_RECORD:  # not published data: hidden
        tables[table.name] = {"description": table.description, "hidden": True,
                              "columns": {column.name: column.description for column in table.columns}}
    return tables


def regenerate(text: str) -> str:
    metadata = yaml.safe_load(text) or {}
    database = metadata.setdefault("databases", {}).setdefault(DATABASE, {})
    tables = database.setdefault("tables", {})
    provenance = {key: metadata[key] for key in ("source", "source_url", "license", "license_url") if key in metadata}
    for name, generated in generated_tables().items():
        generated.update(provenance)
        entry = tables.setdefault(name, {})
        for key in ("description", "label_column", "columns", *provenance):
            entry.pop(key, None)
        # Generated keys first, hand-written ones (facets, sort ...) after.
        tables[name] = {**generated, **entry}
    database["tables"] = {name: tables[name] for name in [*generated_tables(), *[t for t in tables if t not in generated_tables()]]}
    body = yaml.dump(metadata, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body
