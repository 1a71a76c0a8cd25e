"""`claimsdb add-source`: the text archived byte for byte, the source file
written with its SHA-256 and no claims, and every refusal in the house
format with nothing written."""

from __future__ import annotations

import hashlib
import os

import pytest

from .conftest import CLAIMS_DIR

# A made-up article, with the typography real pages have (curly quotes, a
# no-break space, an em dash).
ARTICLE = "Rights groups meet in Geneva\n\nExample Outlet, May 1, 2022\u2014“At least 25 cities,” its\u00a0director said.\n".encode()
SEED = "arabnews-today-2021-09-03-un-workgroup-investigation"
OPTIONS = ["--title", "Rights groups meet in Geneva", "--url", "https://example.org/2022/05/01/geneva",
           "--publisher", "arabnews-today", "--published", "2022-05-01", "--language", "en"]


@pytest.fixture
def article(workdir):
    path = workdir / "article.txt"
    path.write_bytes(ARTICLE)
    return path


def snapshot(directory):
    return {path.relative_to(directory): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def refused(result, workdir, before) -> list[str]:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].endswith("problem(s); nothing was written.")
    assert snapshot(workdir / "claims") == before, "add-source wrote something although it refused"
    return lines[:-1]


def test_archives_the_text_byte_for_byte_and_writes_its_source_file(article, workdir, claimsdb):
    result = claimsdb("add-source", "article.txt", *OPTIONS)
    assert result.exit_code == 0, result.output
    source_id = "arabnews-today-2022-05-01-rights-groups-meet-geneva"
    sha = hashlib.sha256(ARTICLE).hexdigest()
    assert (workdir / "claims" / "sources" / f"{source_id}.txt").read_bytes() == ARTICLE
    assert (workdir / "claims" / f"{source_id}.yml").read_text(encoding="utf-8") == f"""\
# yaml-language-server: $schema=../schema/source.schema.json
id: {source_id}
title: Rights groups meet in Geneva
url: https://example.org/2022/05/01/geneva
publisher: arabnews-today
published: '2022-05-01'
language: en
archive: sources/{source_id}.txt
sha256: {sha}
claims: []
"""
    assert result.output == (
        f"Archived claims/sources/{source_id}.txt (SHA-256 {sha}).\n"
        f"Wrote claims/{source_id}.yml. Next: claimsdb suggest {source_id}\n"
    )
    check = claimsdb("check")
    assert check.exit_code == 0, check.output
    assert "3 source(s)" in check.output


def test_id_and_credited_agent_can_be_given(article, workdir, claimsdb):
    result = claimsdb("add-source", "article.txt", *OPTIONS, "--id", "example-geneva", "--credited-to", "pmoi-mek")
    assert result.exit_code == 0, result.output
    text = (workdir / "claims" / "example-geneva.yml").read_text(encoding="utf-8")
    assert "id: example-geneva\n" in text and "credited_to: pmoi-mek\n" in text
    assert claimsdb("check").exit_code == 0


def test_missing_options_are_named_from_the_model(article, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("add-source", "article.txt", "--id", "x", "--publisher", "arabnews")
    assert refused(result, workdir, before) == [
        "claims/x.yml:2: missing field `language` — give --language (Language of the text, as a BCP 47 tag ('en'))",
        "claims/x.yml:2: missing field `title` — give --title (Title of the document as published)",
        "claims/x.yml:2: missing field `url` — give --url (Address the document was published at)",
        "claims/x.yml:3: unknown agent `arabnews` — did you mean `arabnews-today`? use an id from agents.yml or add the agent there (option --publisher)",
    ]


def test_invalid_options_are_reported_all_at_once(article, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("add-source", "article.txt", "--id", "Bad Id", "--title", "T", "--url", "example.org", "--publisher", "arabnews-today",
                      "--published", "2021-13", "--language", "english", "--credited-to", "nobody")
    assert refused(result, workdir, before) == [
        "claims/Bad Id.yml:2: `id` 'Bad Id' is not a valid id — use lower-case letters, digits and hyphens only (option --id)",
        "claims/Bad Id.yml:4: `url` 'example.org' is not in the expected form — write url as: Address the document was published at. (option --url)",
        "claims/Bad Id.yml:6: unknown agent `nobody` — use an id from agents.yml or add the agent there (option --credited-to)",
        "claims/Bad Id.yml:7: `published`: month 13 does not exist — give a month from 01 to 12 (option --published)",
        "claims/Bad Id.yml:8: `language` 'english' is not in the expected form — write language as: Language of the text, as a BCP 47 tag ('en'). (option --language)",
    ]


def test_refuses_an_id_that_exists(article, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    result = claimsdb("add-source", "article.txt", *OPTIONS, "--id", SEED)
    assert refused(result, workdir, before) == [
        f"claims/{SEED}.yml:1: a source with the id `{SEED}` already exists — choose another --id; add-source never overwrites a file",
        f"claims/sources/{SEED}.txt:1: an archive with the id `{SEED}` already exists — choose another --id; add-source never overwrites a file",
    ]


def test_refuses_an_archive_left_without_its_source_file(article, workdir, claimsdb):
    (workdir / "claims" / "sources" / "example-geneva.txt").write_bytes(b"an orphan\n")
    before = snapshot(workdir / "claims")
    result = claimsdb("add-source", "article.txt", *OPTIONS, "--id", "example-geneva")
    assert refused(result, workdir, before) == [
        "claims/sources/example-geneva.txt:1: an archive with the id `example-geneva` already exists — choose another --id; add-source never overwrites a file",
    ]


def test_reports_a_text_already_archived_under_another_id(workdir, claimsdb):
    (workdir / "copy.txt").write_bytes((CLAIMS_DIR / "sources" / f"{SEED}.txt").read_bytes())
    sha = hashlib.sha256((workdir / "copy.txt").read_bytes()).hexdigest()
    before = snapshot(workdir / "claims")
    result = claimsdb("add-source", "copy.txt", *OPTIONS, "--id", "a-second-copy")
    assert refused(result, workdir, before) == [
        f"copy.txt:1: this text is already archived as claims/sources/{SEED}.txt (SHA-256 {sha}) — add its claims to claims/{SEED}.yml instead of archiving it twice",
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"line one\r\nline two\r\n", "article.txt:1: article.txt has CRLF line ends — archive the text with LF line ends (quote positions count code points)"),
        (b"\xef\xbb\xbfwith a byte-order mark\n", "article.txt:1: article.txt starts with a byte-order mark — archive the text as UTF-8 without a byte-order mark"),
        (b"caf\xe9 in Latin-1\n", "article.txt:1: article.txt is not UTF-8 (byte 0xe9 at line 1 of the archive) — archive the text as UTF-8"),
    ],
)
def test_refuses_a_text_that_cannot_be_evidence(workdir, claimsdb, data, expected):
    (workdir / "article.txt").write_bytes(data)
    before = snapshot(workdir / "claims")
    assert refused(claimsdb("add-source", "article.txt", *OPTIONS), workdir, before) == [expected]


def test_a_missing_text_file_or_no_way_to_name_the_source(article, workdir, claimsdb):
    before = snapshot(workdir / "claims")
    assert refused(claimsdb("add-source", "missing.txt", *OPTIONS), workdir, before) == [
        "missing.txt:1: the file does not exist — give the path of a text, saved page (.html), PDF or capture (.warc, .warc.gz, .wacz) to archive",
    ]
    assert refused(claimsdb("add-source", "article.txt", "--url", "https://example.org"), workdir, before) == [
        "article.txt:1: no id for the source, and none can be derived without --publisher and --title — give --id, or --publisher and --title",
    ]


def test_add_source_without_agents_yml_is_refused(article, workdir, claimsdb):
    (workdir / "claims" / "agents.yml").unlink()
    before = snapshot(workdir / "claims")
    assert refused(claimsdb("add-source", "article.txt", *OPTIONS), workdir, before) == [
        "claims/agents.yml:1: agents.yml is missing — create claims/agents.yml (see README)",
    ]


def test_a_text_over_the_size_limit_is_refused(workdir, claimsdb):
    from claimsdb.files import MAX_FILE_BYTES

    (workdir / "article.txt").write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    before = snapshot(workdir / "claims")
    assert refused(claimsdb("add-source", "article.txt", *OPTIONS), workdir, before) == [
        f"article.txt:1: the text is {MAX_FILE_BYTES + 1:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for an archived text — archive a text of the document alone (README: Limits)",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_text_that_cannot_be_read_is_refused(article, workdir, claimsdb):
    article.chmod(0)
    before = snapshot(workdir / "claims")
    try:
        assert refused(claimsdb("add-source", "article.txt", *OPTIONS), workdir, before) == [
            "article.txt:1: the file cannot be read (Permission denied) — check that it is readable",
        ]
    finally:
        article.chmod(0o644)
