"""The JSON Schemas editors' YAML language servers read are derived from the
models and committed; a stale one fails here."""

from __future__ import annotations

import json

from click.testing import CliRunner

from claimsdb.cli import cli
from claimsdb.schema import SCHEMAS, schema_documents

from .conftest import CLAIMS_DIR, PROJECT_ROOT


def test_committed_schemas_are_the_ones_the_models_generate():
    result = CliRunner().invoke(cli, ["schema", "--check", "--root", str(PROJECT_ROOT)])
    assert result.exit_code == 0, result.output + "\nrun `claimsdb schema` and commit schema/"


def test_every_claim_file_names_its_schema():
    for path in sorted(CLAIMS_DIR.glob("*.yml")):
        expected = f"{path.stem}.schema.json" if f"{path.stem}.schema.json" in SCHEMAS else "source.schema.json"
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# yaml-language-server: $schema=../schema/{expected}", path.name


def test_schema_carries_the_model_descriptions_and_forbids_unknown_fields():
    source = json.loads(schema_documents()["source.schema.json"])
    assert source["properties"]["sha256"]["description"].startswith("SHA-256")
    assert source["additionalProperties"] is False
    quantity = source["$defs"]["QuantityClaim"]
    assert quantity["additionalProperties"] is False
    assert "speaker" in quantity["required"]
