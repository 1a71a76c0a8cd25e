"""The JSON Schemas editors' YAML language servers read are derived from the
models and committed; a stale one fails here."""

from __future__ import annotations

import json

from click.testing import CliRunner

from claimsdb.cli import cli
from claimsdb.jsonschemas import SCHEMAS, schema_documents

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
    assert quantity["oneOf"] == [{"required": ["speaker"]}, {"required": ["speakers"]}]


def test_a_stale_or_missing_schema_fails_the_check_until_regenerated(tmp_path):
    import shutil

    shutil.copytree(PROJECT_ROOT / "schema", tmp_path / "schema")
    stale = tmp_path / "schema" / "source.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace('"not_claims"', '"not_claimz"'), encoding="utf-8")
    (tmp_path / "schema" / "agents.schema.json").unlink()
    result = CliRunner().invoke(cli, ["schema", "--check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{tmp_path}/schema/source.schema.json:1: stale or missing — run `claimsdb schema`\n"
        f"{tmp_path}/schema/agents.schema.json:1: stale or missing — run `claimsdb schema`\n"
    )
    assert CliRunner().invoke(cli, ["schema", "--root", str(tmp_path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["schema", "--check", "--root", str(tmp_path)]).exit_code == 0


def test_there_is_a_schema_for_every_kind_of_claim_file():
    from claimsdb.load import SHARED_FILES
    from claimsdb.model import Source

    assert {model for model, _ in SCHEMAS.values()} == {Source, *SHARED_FILES.values()}
    for name in SHARED_FILES:
        assert f"{name.removesuffix('.yml')}.schema.json" in SCHEMAS


def test_the_source_schema_describes_not_claims():
    source = json.loads(schema_documents()["source.schema.json"])
    assert source["properties"]["not_claims"]["description"].startswith("Words of the archive that an editor decides need no claim")
    not_claim = source["$defs"]["NotClaim"]
    assert set(not_claim["required"]) == {"text", "reason"} and not_claim["additionalProperties"] is False
