"""Authoring at the pace of dozens of documents: `add-agent`, did-you-mean
through aliases and case, `suggest` finding speakers in any case and never
giving quoted words to the outlet, Wikipedia-like page remnants not taken
for figures, and each warning printed once."""

from __future__ import annotations

import pytest

from claimsdb.candidates import find_candidates

STATEMENT = """Statement on the prisons

AMNESTY INTERNATIONAL said that at least 5,000 prisoners were executed.

One survivor's account: “more than 200 graves were destroyed in Khavaran.”
"""


def figures(text: str) -> list[str]:
    return [c.text for c in find_candidates(text) if c.category == "figure"]


def test_reference_markers_page_ranges_and_run_in_infobox_labels_are_no_figures():
    text = ("1988 executions of Iranian political prisoners\nDeaths2,800 to 30,000\nLocation32 cities\n"
            "Amnesty International reported that 4,482 prisoners disappeared.[15][16] See pp. 12–15 and pages 20-22 of the report.[note 3]\n")
    assert figures(text) == ["4,482 prisoners"]


def test_add_agent_appends_a_checked_agent(workdir, claimsdb):
    result = claimsdb("add-agent", "human-rights-watch", "--name", "Human Rights Watch", "--kind", "ngo", "--alias", "HRW",
                      "--description", "International human rights organisation.", "--affiliation", "amnesty-international:works alongside")
    assert result.exit_code == 0, result.output
    assert result.output == "Added `human-rights-watch` to claims/agents.yml.\n"
    text = (workdir / "claims" / "agents.yml").read_text(encoding="utf-8")
    assert text.endswith("""
  - id: human-rights-watch
    name: Human Rights Watch
    kind: ngo
    aliases: [HRW]
    description: International human rights organisation.
    affiliations:
      - agent: amnesty-international
        role: works alongside
""")
    assert text.startswith("# yaml-language-server")  # the editors' comments are kept
    assert claimsdb("check").exit_code == 0


def test_add_agent_refuses_what_would_be_wrong_and_writes_nothing(workdir, claimsdb):
    before = (workdir / "claims" / "agents.yml").read_bytes()
    lines = before.decode().count("\n") + 1
    result = claimsdb("add-agent", "amnesty-international", "--name", "AMNESTY international", "--kind", "charity", "--affiliation", "amnesty:member")
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == sorted([
        f"claims/agents.yml:{lines + 1}: an agent with the id `amnesty-international` already exists (first at claims/agents.yml:131) — choose another id, or edit the existing agent",
        f"claims/agents.yml:{lines + 3}: `kind` is 'charity' — use one of 'person', 'organisation', 'government-body', 'intergovernmental-body', 'ngo', 'media-outlet', 'court' or 'unnamed-group' (--kind)",
        f"claims/agents.yml:{lines + 5}: unknown agent `amnesty` — did you mean `amnesty-international`? use an id from agents.yml, or add that agent first (--affiliation)",
        "3 problem(s); nothing was written.",
    ])
    result = claimsdb("add-agent", "ai", "--name", "Amnesty", "--kind", "ngo", "--alias", "amnesty international")
    assert result.stderr.splitlines()[0] == (
        f"claims/agents.yml:{lines + 4}: 'amnesty international' already names `amnesty-international` — use `amnesty-international` for that agent, "
        "or give this one a name or alias that tells them apart")
    assert (workdir / "claims" / "agents.yml").read_bytes() == before


@pytest.mark.parametrize("typed, meant", [("hrw", "human-rights-watch"), ("humanrightswatch", "human-rights-watch"), ("human-rights-wach", "human-rights-watch"), ("amnesty", "amnesty-international")])
def test_did_you_mean_goes_through_aliases_and_case(workdir, claimsdb, typed, meant):
    assert claimsdb("add-agent", "human-rights-watch", "--name", "Human Rights Watch", "--kind", "ngo", "--alias", "HRW").exit_code == 0
    path = workdir / "claims" / "arabnews-today-2021-09-03-un-workgroup-investigation.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    speaker: un-wgeid\n", f"    speaker: {typed}\n", 1), encoding="utf-8")
    result = claimsdb("check")
    [problem, _] = result.stderr.splitlines()
    assert problem.endswith(f"unknown agent `{typed}` — did you mean `{meant}`? use an id from agents.yml or add it there")


def test_suggest_finds_speakers_in_any_case_and_never_gives_quoted_words_to_the_outlet(workdir, claimsdb):
    (workdir / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    assert claimsdb("add-source", "statement.txt", "--id", "statement", "--title", "Statement on the prisons", "--url", "https://example.org/s",
                    "--publisher", "arabnews-today", "--language", "en").exit_code == 0
    result = claimsdb("suggest", "statement")
    assert result.exit_code == 0, result.output
    stubs = result.output.split("\n\n")
    [five_thousand] = [s for s in stubs if "value: at least 5,000" in s]
    assert "    speaker: amnesty-international\n" in five_thousand and "the sentence names 'AMNESTY INTERNATIONAL' with 'said'" in five_thousand
    [graves] = [s for s in stubs if "value: more than 200" in s]
    assert "    speaker: TODO\n    mode: quoted\n" in graves
    assert "the words stand in quotation marks, so someone other than the outlet speaks" in graves
    assert "arabnews-today" not in graves.split("statement:")[0]


def test_coverage_prints_each_source_and_warning_once(workdir, claimsdb):
    seed = "arabnews-today-2021-09-03-un-workgroup-investigation"
    result = claimsdb("coverage", seed, seed)
    assert result.exit_code == 0, result.output
    assert result.output.count(f"{seed}: ") == 1
    assert len(result.stderr.splitlines()) == len(set(result.stderr.splitlines()))
