"""JSON Schema for every kind of claim file, generated from the models.

Each YAML file names its schema in a first-line comment
(``# yaml-language-server: $schema=../schema/source.schema.json``) so editors
with a YAML language server get completion and errors as they type.
"""

from __future__ import annotations

import json
from pathlib import Path

from .model import AgentsFile, MeasuresFile, Source, SubjectsFile

SCHEMAS = {
    "source.schema.json": (Source, "A source file, claims/<source-id>.yml: its metadata and every claim in it."),
    "agents.schema.json": (AgentsFile, "claims/agents.yml: people and organisations that speak, report and publish."),
    "subjects.schema.json": (SubjectsFile, "claims/subjects.yml: events, places and things claims are about."),
    "measures.schema.json": (MeasuresFile, "claims/measures.yml: measures and the value_semantics table."),
}


def schema_documents() -> dict[str, str]:
    documents = {}
    for name, (model, description) in SCHEMAS.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": name, "description": description, **schema}
        documents[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return documents


def write_schemas(directory: Path) -> list[Path]:
    """Write the schemas that changed; returns their paths."""
    directory.mkdir(exist_ok=True)
    changed = []
    for name, text in schema_documents().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
