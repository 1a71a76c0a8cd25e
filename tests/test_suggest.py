"""`claimsdb suggest`: a ready claim stub for every candidate expression no
claim covers, which proposes and never writes, validates once an editor
replaces its placeholders, and builds into claims that show up in Datasette
with their conflicts."""

from __future__ import annotations

import asyncio
import re

import pydantic
import yaml

from claimsdb.load import CLAIM_ADAPTER

from .conftest import EXAMPLE_ID
from .test_add_source import snapshot

ARCHIVE = f"claims/sources/{EXAMPLE_ID}.txt"


def stubs(output: str) -> list[dict]:
    """The stubs as the claim file reads them once pasted under `claims:`."""
    return yaml.safe_load("claims:\n" + output)["claims"]


def by_quote(parsed: list[dict]) -> dict:
    return {stub["quote"]: stub for stub in parsed}


def test_suggest_lists_the_figures_dates_and_characterisations_of_a_new_document(example_source, claimsdb):
    result = claimsdb("suggest", example_source)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"# claims/{EXAMPLE_ID}.yml: 8 candidate expression(s) no claim covers yet.\n")
    found = by_quote(stubs(result.output))
    assert sorted(found) == sorted([
        "May 1, 2022", "April 28, 2022", "25 cities", "between late July and September 1988", "genocide",
        "The killings amount to genocide", "More than 200 people",
        "According to the Example Rights Group, the executions took place in 25 cities between late July and September 1988",
    ])
    statement = "TODO: one neutral sentence saying who asserts what, like: Example Outlet reports that Example Rights Group says that …"
    assert found["25 cities"] == {
        "id": "TODO-25-cities", "kind": "quantity", "subject": "TODO", "measure": "TODO",
        "speaker": "example-rights-group", "mode": "reported", "statement": statement,
        "quote": "25 cities", "value": "25",
    }
    assert found["between late July and September 1988"] == {
        "id": "TODO-between-late-july-and-september-1988", "kind": "period", "subject": "TODO",
        "speaker": "example-rights-group", "mode": "reported", "statement": statement,
        "quote": "between late July and September 1988", "period": "between late July and September 1988",
        "start": "late 1988-07", "end": "1988-09",
    }
    assert found["More than 200 people"] == {
        "id": "TODO-more-than-200-people", "kind": "quantity", "subject": "TODO", "measure": "TODO",
        "speaker": "example-outlet", "mode": "own-voice",
        "statement": "TODO: one neutral sentence saying who asserts what, like: Example Outlet states in its own voice that …",
        "quote": "More than 200 people", "value": "More than 200",
    }
    assert found["April 28, 2022"]["start"] == found["April 28, 2022"]["end"] == "2022-04-28"
    genocide = found["genocide"]
    assert (genocide["kind"], genocide["label"], genocide["modality"], genocide["speaker"], genocide["mode"]) == (
        "characterisation", "genocide", "is", "TODO", "quoted")


def test_each_stub_says_where_it_comes_from_and_why_it_proposes_what_it_does(example_source, claimsdb):
    output = claimsdb("suggest", example_source).output
    assert (
        f"  # {ARCHIVE}:5: figure '25 cities'\n"
        "  # sentence: According to the Example Rights Group, the executions took place in 25 cities between late July and September 1988.\n"
        "  # measure: measures in 'cities': cities-with-identified-gravesites, cities-where-executions-took-place (or add one to measures.yml)\n"
        "  # interval [25, 25]: 'exactly' in value_semantics\n"
        "  # speaker: example-rights-group (reported), proposed: the sentence names 'Example Rights Group' with 'According to'\n"
        '  # not a claim? list "25 cities" under not_claims: with the reason\n'
        "  - id: TODO-25-cities\n"
    ) in output
    assert "  # period [1988-07-21, 1988-09-30]\n" in output
    assert "  # speaker: TODO (quoted), proposed: 'said' names no agent of agents.yml in this sentence (a pronoun, or an agent to add)\n" in output


def test_figures_the_table_cannot_read_get_an_explicit_interval_to_check(workdir, claimsdb, example_source):
    text = (workdir / "claims" / "sources" / f"{EXAMPLE_ID}.txt").read_text(encoding="utf-8")
    assert "three months" not in text
    # The seeds' duration: 'three months' is proposed as [3, 3], with a note to write.
    from claimsdb.candidates import find_candidates
    from claimsdb.load import load_corpus
    from claimsdb.suggest import quantity_fields

    corpus = load_corpus(workdir / "claims")
    [candidate] = [c for c in find_candidates("Over a period of three months in the summer", corpus.semantics) if c.category == "figure"]
    fields, comments = quantity_fields(candidate, corpus)
    assert fields == [("value", "three months"), ("low", 3.0), ("high", 3.0),
                      ("note", "TODO: say why low/high are given (e.g. the table does not read 'three months')")]
    assert comments == ["interval [3, 3], proposed from '3' ('exactly' in value_semantics); the table cannot read 'three months' itself"]


def test_suggest_writes_nothing(example_source, workdir, claimsdb):
    before = snapshot(workdir)
    assert claimsdb("suggest", example_source).exit_code == 0
    assert snapshot(workdir) == before


def test_stubs_are_refused_until_their_placeholders_are_replaced(example_source, workdir, claimsdb):
    output = claimsdb("suggest", example_source).output
    [stub_text] = [block for block in output.split("\n\n") if "- id: TODO-25-cities" in block]
    path = workdir / "claims" / f"{EXAMPLE_ID}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("claims: []\n", "claims:\n" + stub_text + "\n"), encoding="utf-8")
    result = claimsdb("check")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"claims/{EXAMPLE_ID}.yml:17: `id`: still the placeholder 'TODO-25-cities' that `claimsdb suggest` writes — replace it with stable identifier of the claim, unique across the corpus; never changes once published.",
        f"claims/{EXAMPLE_ID}.yml:19: `subject`: still the placeholder 'TODO' that `claimsdb suggest` writes — replace it with id of what the claim is about (in subjects.yml).",
        f"claims/{EXAMPLE_ID}.yml:20: `measure`: still the placeholder 'TODO' that `claimsdb suggest` writes — replace it with id of what the figure counts (in measures.yml).",
        f"claims/{EXAMPLE_ID}.yml:23: `statement`: still the placeholder 'TODO: one neutral sentence sa…' that `claimsdb suggest` writes — replace it with one plain sentence, written by the editor, saying who asserts what.",
        "4 problem(s); nothing was built.",
    ]


def test_every_stub_validates_once_an_editor_fills_ids_subject_and_statement(example_source, claimsdb):
    for stub in stubs(claimsdb("suggest", example_source).output):
        assert stub["statement"].startswith("TODO"), "a stub never asserts anything itself"
        with_placeholders = dict(stub)
        try:
            CLAIM_ADAPTER.validate_python(with_placeholders)
        except pydantic.ValidationError:
            pass
        else:
            raise AssertionError(f"a stub with placeholders validated: {stub}")
        filled = fill(stub)
        CLAIM_ADAPTER.validate_python(filled)


def fill(stub: dict) -> dict:
    """What an editor decides, for the made-up report."""
    filled = dict(stub)
    filled["id"] = "ex-" + stub["id"].removeprefix("TODO-")
    filled["subject"] = "example-geneva-meeting" if "2022" in stub["quote"] or "200" in stub["quote"] else "executions-1988"
    if filled.get("measure") == "TODO":
        filled["measure"] = "cities-where-executions-took-place" if "cities" in stub["quote"] else "example-meeting-attendance"
    if filled["speaker"] == "TODO":
        filled["speaker"] = "example-rights-group"
    speaker = {"example-outlet": "Example Outlet", "example-rights-group": "the Example Rights Group"}[filled["speaker"]]
    filled["statement"] = f"Example Outlet reports that {speaker} says what the quote '{stub['quote'][:40]}' says."
    for key in ("note", "demand"):
        if str(filled.get(key, "")).startswith("TODO"):
            filled[key] = "Filled by the test editor."
    return filled


def test_filled_stubs_build_verify_and_show_up_in_datasette_with_their_conflicts(example_source, workdir, claimsdb):
    from claimsdb.instance import make_datasette

    from .conftest import PROJECT_ROOT

    parsed = stubs(claimsdb("suggest", example_source).output)
    claims = [fill(stub) for stub in parsed if not re.fullmatch(r"May 1, 2022", stub["quote"])]
    path = workdir / "claims" / f"{EXAMPLE_ID}.yml"
    text = path.read_text(encoding="utf-8").replace(
        "claims: []\n",
        "not_claims:\n  - text: Example Outlet, May 1, 2022\n    reason: Dateline; recorded as the source's published date.\n"
        + yaml.safe_dump({"claims": claims}, sort_keys=False, allow_unicode=True, width=1000),
    )
    path.write_text(text, encoding="utf-8")
    check = claimsdb("check")
    assert check.exit_code == 0, check.output
    assert "'25' (`ex-25-cities`) contradicts '32' (`ant-executions-32-cities`) ('25' (exactly 25) and '32' (exactly 32) do not overlap) and no editor has acknowledged the pair" in check.stderr
    assert claimsdb("coverage", "--strict", EXAMPLE_ID).exit_code == 0
    assert claimsdb("build").exit_code == 0
    datasette = make_datasette(workdir / "claims.db", PROJECT_ROOT)
    response = asyncio.run(datasette.client.get("/claims/conflicts.json?_shape=array&claim_id=ex-25-cities"))
    assert response.status_code == 200
    [conflict] = response.json()
    assert (conflict["relation"], conflict["origin"], conflict["other_id"], conflict["claim_value_text"]) == (
        "contradicts", "detected", "ant-executions-32-cities", "25")
    page = asyncio.run(datasette.client.get("/claims/claims/ex-25-cities"))
    assert page.status_code == 200 and "25 cities" in page.text


def test_the_seed_corpus_needs_no_stub(workdir, claimsdb):
    for source in ("arabnews-today-2021-09-03-un-workgroup-investigation", "irannewsupdate-2021-officials-yet-to-face-accountability"):
        result = claimsdb("suggest", source)
        assert result.output == f"# claims/{source}.yml: every candidate expression is covered by a claim or marked as not a claim.\n"


def test_suggest_for_an_unknown_source(workdir, claimsdb):
    result = claimsdb("suggest", "no-such-source")
    assert result.exit_code == 1
    assert result.stderr == (
        "claims/no-such-source.yml:1: no source `no-such-source` in claims — name a source by its id (sources: "
        "arabnews-today-2021-09-03-un-workgroup-investigation, irannewsupdate-2021-officials-yet-to-face-accountability), "
        "or add it with `claimsdb add-source`\n"
        "1 problem(s); nothing to show.\n"
    )
