"""`claimsdb add-agent`: refusals in the house format, with nothing written."""

from __future__ import annotations

from .test_add_source import snapshot


def test_an_affiliation_that_is_not_agent_colon_role_is_refused(workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("add-agent", "example-group", "--name", "Example Group", "--kind", "ngo", "--affiliation", "ncri", "--affiliation", "ncri: ")
    assert result.exit_code == 1
    assert result.stderr == (
        "claims/agents.yml:1: --affiliation 'ncri' is not AGENT:ROLE — write it as agent-id:role, e.g. --affiliation ncri:member of\n"
        "claims/agents.yml:1: --affiliation 'ncri: ' is not AGENT:ROLE — write it as agent-id:role, e.g. --affiliation ncri:member of\n"
        "2 problem(s); nothing was written.\n"
    )
    assert snapshot(workdir / "claims") == before


def test_add_agent_without_agents_yml_is_refused(workdir, claimsdb):
    (workdir / "claims" / "agents.yml").unlink()
    before = snapshot(workdir / "claims")
    result = claimsdb("add-agent", "example-group", "--name", "Example Group", "--kind", "ngo")
    assert result.exit_code == 1
    assert result.stderr == "claims/agents.yml:1: agents.yml is missing — create claims/agents.yml (see README)\n1 problem(s); nothing was written.\n"
    assert snapshot(workdir / "claims") == before
