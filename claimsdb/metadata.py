"""Keep metadata.yml's descriptions in step with the models and the schema.

metadata.yml is Datasette's one configuration file. Its titles, facets and
canned queries are written by hand; each table's description, column
descriptions and label column are derived from ``claimsdb.tables`` (and through
it from the pydantic models) by ``claimsdb metadata``, and a test fails when
the file is stale.
"""

from __future__ import annotations

import yaml

from .incremental import BUILD_TABLE, INPUTS_TABLE
from .tables import TABLES, VIEWS

# What the build records for the next one (claimsdb.incremental): not part of the published data.
RECORD_TABLES = {
    BUILD_TABLE: {
        "description": "What built this database, for the next build to compare with (claimsdb.incremental); not published data.",
        "columns": {"key": "`code` (the SHA-256 of the package's code), `python`, `sqlite`, or `library NAME`.",
                    "value": "The code's fingerprint, or the version of Python, SQLite or the library."},
    },
    INPUTS_TABLE: {
        "description": "Every file of the corpus this database was built from, for the next build to compare with (claimsdb.incremental); not published data.",
        "columns": {"path": "The file's path in the claims directory.", "sha256": "The SHA-256 of the file's bytes."},
    },
}

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
    for name, entry in RECORD_TABLES.items():
        tables[name] = {**entry, "hidden": True}
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
