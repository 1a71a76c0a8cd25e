"""Who says what: joint speakers, a chain of attribution between speaker and
reporter, several credited authors, a host apart from the publisher,
publication dates known within bounds, an independent archive address, and
the own voice enforced; each in the files, the database and the pages, and
each mistake with its one line."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3

import pytest

from claimsdb.db import write_database
from claimsdb.load import load_corpus
from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT

TEXT = """Joint statement on the 1988 prison massacres

Example Wiki, citing Example Watch and a news agency, reports that the two organisations said at least 5,000 prisoners were executed.

Example Wiki states that the statement was issued in August 2022.
"""
NEW_AGENTS = """
  - id: justice-for-iran
    name: Justice for Iran
    kind: ngo
    description: Human rights organisation; used in the tests only.
  - id: example-wiki
    name: Example Wiki
    kind: media-outlet
    description: Made up for the tests.
  - id: example-watch
    name: Example Watch
    kind: ngo
    description: Made up for the tests.
  - id: example-agency
    name: Example Agency
    kind: media-outlet
    description: Made up for the tests.
  - id: example-archive
    name: Example Archive
    kind: organisation
    description: An archive site; made up for the tests.
"""
SOURCE = """\
id: joint
title: Joint statement on the 1988 prison massacres
url: https://example.org/joint
publisher: example-wiki
credited_to: [amnesty-international, justice-for-iran]
host: example-archive
hosted: 2023-01
published_not_before: 2022-08
undated: true
published_note: The page gives no date; it refers to a statement of August 2022.
retrieved: 2024-05-01
archived_url: https://web.archive.org/web/20240501000000/https://example.org/joint
language: en
archive: sources/joint.txt
sha256: {sha}
claims:
  - id: joint-at-least-5000
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speakers: [amnesty-international, justice-for-iran]
    via:
      - agent: example-watch
        how: cites
        note: citing a joint statement
      - agent: example-agency
        how: reports
      - agent: example-wiki
        how: summarises
    mode: reported
    statement: Example Wiki reports that Amnesty International and Justice for Iran said jointly that at least 5,000 prisoners were executed.
    quote: at least 5,000 prisoners were executed
    value: at least 5,000
  - id: joint-issued-august-2022
    kind: event
    subject: executions-1988
    speaker: example-wiki
    mode: own-voice
    statement: Example Wiki states that the statement was issued in August 2022.
    quote: Example Wiki states that the statement was issued in August 2022.
"""


@pytest.fixture
def joint(workdir):
    claims = workdir / "claims"
    agents = claims / "agents.yml"
    agents.write_text(agents.read_text(encoding="utf-8") + NEW_AGENTS, encoding="utf-8")
    (claims / "sources" / "joint.txt").write_text(TEXT, encoding="utf-8")

    def write(*replacements: tuple[str, str]):
        text = SOURCE.format(sha=hashlib.sha256(TEXT.encode()).hexdigest())
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new, 1)
        (claims / "joint.yml").write_text(text, encoding="utf-8")

    write()
    return write


def test_joint_speakers_a_chain_credits_a_host_and_date_bounds_reach_the_database(joint, workdir, tmp_path):
    (tmp_path / "built").mkdir()
    db = sqlite3.connect(write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db"))
    assert db.execute("select position, speaker_id from claim_speakers where claim_id = 'joint-at-least-5000' order by position").fetchall() == [
        (1, "amnesty-international"), (2, "justice-for-iran")]
    assert db.execute("select speaker_id from claims where id = 'joint-at-least-5000'").fetchone() == ("amnesty-international",)
    assert db.execute("select position, agent_id, how, note from claim_chain where claim_id = 'joint-at-least-5000' order by position").fetchall() == [
        (1, "example-watch", "cites", "citing a joint statement"), (2, "example-agency", "reports", None), (3, "example-wiki", "summarises", None)]
    assert db.execute("select count(*) from claim_speakers where claim_id = 'joint-issued-august-2022'").fetchone() == (1,)
    assert db.execute("select position, agent_id from source_credits where source_id = 'joint' order by position").fetchall() == [
        (1, "amnesty-international"), (2, "justice-for-iran")]
    assert db.execute("select credited_to_id, host_id, hosted, published, published_not_before, published_not_after, undated, retrieved, archived_url "
                      "from sources where id = 'joint'").fetchone() == (
        "amnesty-international", "example-archive", "2023-01", None, "2022-08", None, 1, "2024-05-01",
        "https://web.archive.org/web/20240501000000/https://example.org/joint")
    # Every claim an agent asserts, alone or jointly, is one query.
    assert db.execute("select claim_id from claim_speakers where speaker_id = 'justice-for-iran'").fetchall() == [("joint-at-least-5000",)]


def test_the_claim_and_source_pages_show_who_says_what(joint, workdir, tmp_path):
    (tmp_path / "built").mkdir()
    db = write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db")
    datasette = make_datasette(db, PROJECT_ROOT)

    async def fetch(path):
        response = await datasette.client.get(path)
        assert response.status_code == 200
        return response.text

    claim = asyncio.run(fetch("/claims/claims/joint-at-least-5000"))
    order = ["Joint speaker 1 of 2", "Amnesty International", "Joint speaker 2 of 2", "Justice for Iran",
             "Link 1 of the chain: cites", "Example Watch", "citing a joint statement", "Link 2 of the chain: reports", "Example Agency",
             "Link 3 of the chain: summarises", "Example Wiki", "reported by", "Reporter (the outlet)"]
    at = claim.index('<section class="chain">')
    for text in order:  # each after the one before
        at = claim.index(text, at)
    assert ('credits <a href="/claims/agents/amnesty-international"><bdi>Amnesty International</bdi></a>, '
            '<a href="/claims/agents/justice-for-iran"><bdi>Justice for Iran</bdi></a>') in claim
    source = asyncio.run(fetch("/claims/sources/joint"))
    assert '<ol class="credited-authors"><li><a href="/claims/agents/amnesty-international"><bdi>Amnesty International</bdi></a>' in source
    assert "Example Archive</bdi></a> <span class=\"muted\">(organisation; the archived copy is the host's, the document the publisher's)</span>, hosted January 2023" in source
    assert "not before August 2022 (month only) <span class=\"muted\">(the document is undated)</span>" in source
    assert '<a href="https://web.archive.org/web/20240501000000/https://example.org/joint" rel="nofollow noopener">' in source


@pytest.mark.parametrize("replacements, expected", [
    ([("    speakers: [amnesty-international, justice-for-iran]\n", "    speakers: [amnesty-international, justice-for-iran]\n    speaker: example-watch\n")],
     "claims/joint.yml:17: both `speaker` and `speakers` — give `speaker` for one agent, or `speakers` (all of them, the first leading) for a joint statement"),
    ([("    speakers: [amnesty-international, justice-for-iran]\n", "    speakers: [amnesty-international]\n")],
     "claims/joint.yml:17: `speakers` names one agent — write `speaker: amnesty-international`; `speakers` is for a joint statement of two or more"),
    ([("    speakers: [amnesty-international, justice-for-iran]\n", "")],
     "claims/joint.yml:17: missing field `speaker` — add `speaker:` (Id of the agent who asserts the claim (in agents.yml)), or `speakers:` for a joint statement"),
    ([("    speakers: [amnesty-international, justice-for-iran]\n", "    speakers: [amnesty-international, justice-for-irn]\n")],
     "claims/joint.yml:21: unknown agent `justice-for-irn` — did you mean `justice-for-iran`? use an id from agents.yml or add it there"),
    ([("      - agent: example-agency\n", "      - agent: example-agncy\n")],
     "claims/joint.yml:26: unknown agent `example-agncy` — did you mean `example-agency`? use an id from agents.yml or add it there"),
    ([("        how: reports\n", "        how: reported\n")],
     "claims/joint.yml:27: `how` is 'reported' — did you mean `reports`? use one of 'quotes', 'cites', 'reports', 'summarises', 'translates' or 'republishes'"),
    ([("    speaker: example-wiki\n", "    speaker: example-watch\n")],
     "claims/joint.yml:37: `mode: own-voice`, but the speaker `example-watch` is not the publisher `example-wiki` or the agents it credits "
     "(`amnesty-international`, `justice-for-iran`) — if the source asserts it itself, write `speaker: example-wiki`; if it carries "
     "example-watch's words, give the mode it does so in (quoted, reported or attributed-belief)"),
    ([("credited_to: [amnesty-international, justice-for-iran]\n", "credited_to: [amnesty-international, amnesty-international]\n")],
     "claims/joint.yml:1: `credited_to` names an agent twice — name each credited agent once"),
    ([("credited_to: [amnesty-international, justice-for-iran]\n", "credited_to: [amnesty-international, justice-for-irn]\n")],
     "claims/joint.yml:5: unknown agent `justice-for-irn` — did you mean `justice-for-iran`? use an id from agents.yml or add it there"),
    ([("host: example-archive\n", "")],
     "claims/joint.yml:1: `hosted` without `host` — add `host:` (the agent whose site carries the copy), or remove `hosted`"),
    ([("undated: true\n", "published: 2022-08-10\n")],
     "claims/joint.yml:1: both `published` and `published_not_before` — give the date when the document states it, or bounds when only they are known"),
    ([("published_not_before: 2022-08\n", "published: 2022-08\n")],
     "claims/joint.yml:1: `undated: true` with a `published` date — remove one: `undated` says the document gives no date"),
    ([("published_not_before: 2022-08\n", "published_not_before: 2022-08\npublished_not_after: 2022-07-31\n")],
     "claims/joint.yml:1: `published_not_after` (2022-07-31) is before `published_not_before` (2022-08) — swap them or correct one"),
    ([("published_not_before: 2022-08\n", "published_not_before: 2022-13\n")],
     "claims/joint.yml:8: `published_not_before`: month 13 does not exist — give a month from 01 to 12"),
    ([("archived_url: https://web.archive.org", "archived_url: web.archive.org")],
     "claims/joint.yml:12: `archived_url` 'web.archive.org/web/20240501000000/https://example.org/j... is not in the expected form — write "
     "archived_url as: Address of an independent archived copy of the document (a web-archive snapshot, e.g. https://web.archive.org/web/20210903000000/https://example.org/...)."),
])
def test_each_mistake_in_who_says_what_gets_its_line(joint, claimsdb, replacements, expected):
    joint(*replacements)
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [expected]


def test_old_files_with_one_speaker_stay_valid(workdir, claimsdb):
    result = claimsdb("check")
    assert result.exit_code == 0, result.output


def test_add_source_takes_every_attribution_option(workdir, claimsdb):
    agents = workdir / "claims" / "agents.yml"
    agents.write_text(agents.read_text(encoding="utf-8") + NEW_AGENTS, encoding="utf-8")
    (workdir / "statement.txt").write_text(TEXT, encoding="utf-8")
    result = claimsdb("add-source", "statement.txt", "--id", "statement", "--title", "Joint statement", "--url", "https://example.org/joint",
                      "--publisher", "example-wiki", "--credited-to", "amnesty-international", "--credited-to", "justice-for-iran",
                      "--host", "example-archive", "--hosted", "2023-01", "--published-not-before", "2022-08", "--published-not-after", "2022-12",
                      "--undated", "--retrieved", "2024-05-01", "--archived-url", "https://web.archive.org/web/2024/https://example.org/joint",
                      "--language", "en")
    assert result.exit_code == 0, result.output
    yml = (workdir / "claims" / "statement.yml").read_text(encoding="utf-8")
    assert ("credited_to: [amnesty-international, justice-for-iran]\nhost: example-archive\nhosted: 2023-01\n"
            "published_not_before: 2022-08\npublished_not_after: 2022-12\nundated: true\nretrieved: '2024-05-01'\n"
            "archived_url: https://web.archive.org/web/2024/https://example.org/joint\n") in yml
    assert claimsdb("check").exit_code == 0
    result = claimsdb("add-source", "statement.txt", "--id", "statement-2", "--title", "T", "--url", "https://example.org/j",
                      "--publisher", "example-wiki", "--credited-to", "amnesty-international", "--credited-to", "justice-for-irn",
                      "--host", "example-archiv", "--language", "en")
    assert result.stderr.splitlines()[:2] == [
        "claims/statement-2.yml:6: unknown agent `justice-for-irn` — did you mean `justice-for-iran`? use an id from agents.yml or add the agent there (option --credited-to)",
        "claims/statement-2.yml:7: unknown agent `example-archiv` — did you mean `example-archive`? use an id from agents.yml or add the agent there (option --host)",
    ]
