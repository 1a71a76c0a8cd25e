"""Originals and their working text: a saved page, a PDF and web-archive
captures (WARC, WACZ) added with `claimsdb add-source`, kept byte for byte
and pinned by their own hash; the text extracted from them; the checks of
both hashes; `claimsdb verify-sources`; the original served and linked."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import sqlite3
import zipfile

import pytest

from claimsdb import files, originals
from claimsdb.db import write_database
from claimsdb.load import load_corpus
from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT
from .fixtures.make_fixtures import ARTICLE_URL, pdf, saved_page, seed_paragraphs, warc

COMMON = ["--publisher", "arabnews-today", "--language", "en"]
PDF_PAGES = [
    ["Report on the burial sites", "The Working Group received reports from families.", "Around 30,000 people were executed"],
    ["in the summer of 1988, according to the families.", "Graves were identified in at least 36 cities."],
]

PAGE_TWO_CLAIM = """\
  - id: report-36-cities
    kind: quantity
    subject: burial-sites-1988
    measure: cities-with-identified-gravesites
    speaker: arabnews-today
    mode: own-voice
    statement: The report states that graves were identified in at least 36 cities.
    quote: Graves were identified in at least 36 cities.
    value: at least 36
"""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_yml(workdir, source_id: str) -> str:
    return (workdir / "claims" / f"{source_id}.yml").read_text(encoding="utf-8")


def add_claims(workdir, source_id: str, claims: str) -> None:
    path = workdir / "claims" / f"{source_id}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("claims: []\n", "claims:\n" + claims), encoding="utf-8")


@pytest.fixture
def page(workdir):
    title, paragraphs = seed_paragraphs()
    data = saved_page(title, paragraphs)
    (workdir / "page.html").write_bytes(data)
    return data


@pytest.fixture
def two_pages(workdir):
    data = pdf(PDF_PAGES, title="Report on the burial sites")
    (workdir / "report.pdf").write_bytes(data)
    return data


# A saved page ------------------------------------------------------------------


def test_a_saved_page_keeps_its_original_and_archives_the_article_alone(page, workdir, claimsdb):
    result = claimsdb("add-source", "page.html", *COMMON, "--published", "2021-09-03", "--id", "saved-page")
    assert result.exit_code == 0, result.output
    kept = workdir / "claims" / "sources" / "originals" / "saved-page.html"
    assert kept.read_bytes() == page
    text = (workdir / "claims" / "sources" / "saved-page.txt").read_text(encoding="utf-8")
    title, paragraphs = seed_paragraphs()
    assert text.startswith(title + "\n")
    for paragraph in paragraphs:  # trafilatura writes a no-break space as a space
        assert " ".join(paragraph.split()) in text
    for chrome in ("cookies", "Accept all", "Home", "World News", "You May Also Like", "Markets rally", "80,000", "Copyright", "Advertise", "dataLayer", "<p>"):
        assert chrome not in text, chrome
    yml = source_yml(workdir, "saved-page")
    assert f"original: sources/originals/saved-page.html\noriginal_sha256: {sha(page)}\noriginal_format: html\n" in yml
    assert f"sha256: {sha(text.encode())}\n" in yml
    assert f"extractor: {originals.version('trafilatura')}\n" in yml
    # What the page says of itself fills the options not given.
    assert f"title: {title}\n" in yml and f"url: {ARTICLE_URL}\n" in yml
    assert f"  url: {ARTICLE_URL} (from the page's canonical address)" in result.output
    assert claimsdb("check").exit_code == 0


def test_a_quote_from_the_seed_article_anchors_in_the_saved_pages_text(page, workdir, claimsdb):
    assert claimsdb("add-source", "page.html", *COMMON, "--id", "saved-page").exit_code == 0
    add_claims(workdir, "saved-page", """\
  - id: saved-page-more-than-30000
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speaker: arabnews-today
    mode: own-voice
    statement: arabnews.today states that the regime executed more than 30,000 political prisoners in 1988.
    quote: the regime executed more than 30,000 political prisoners in the span of a few months
    value: more than 30,000
""")
    result = claimsdb("check")
    assert result.exit_code == 0, result.output


# A PDF -------------------------------------------------------------------------


def test_a_pdf_records_where_each_page_starts_and_each_quote_its_pages(two_pages, workdir, claimsdb, tmp_path):
    result = claimsdb("add-source", "report.pdf", *COMMON, "--url", "https://example.org/report.pdf", "--id", "report")
    assert result.exit_code == 0, result.output
    assert (workdir / "claims" / "sources" / "originals" / "report.pdf").read_bytes() == two_pages
    text = (workdir / "claims" / "sources" / "report.txt").read_text(encoding="utf-8")
    first_page = "\n".join(PDF_PAGES[0]) + "\n"
    assert text == first_page + "\n" + "\n".join(PDF_PAGES[1]) + "\n"
    yml = source_yml(workdir, "report")
    assert f"pages: [0, {len(first_page) + 1}]\n" in yml
    assert f"extractor: {originals.version('pypdfium2')}\n" in yml
    assert "title: Report on the burial sites\n" in yml
    add_claims(workdir, "report", PAGE_TWO_CLAIM + """\
  - id: report-30000-across-the-page-break
    kind: quantity
    subject: executions-1988
    measure: people-executed-1988
    speaker: arabnews-today
    mode: own-voice
    statement: The report states that around 30,000 people were executed in the summer of 1988.
    quote: "Around 30,000 people were executed\\n\\nin the summer of 1988"
    value: around 30,000
  - id: report-families
    kind: event
    subject: burial-sites-1988
    speaker: arabnews-today
    mode: own-voice
    statement: The report states that the Working Group received reports from families.
    quote: The Working Group received reports from families.
""")
    (tmp_path / "built").mkdir()
    db = write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db")
    pages = dict(sqlite3.connect(db).execute("select id, pages from claims where source_id = 'report'").fetchall())
    assert pages == {"report-36-cities": "2", "report-30000-across-the-page-break": "1-2", "report-families": "1"}
    assert sqlite3.connect(db).execute("select pages, original_format from sources where id = 'report'").fetchone() == (f"[0, {len(first_page) + 1}]", "pdf")


def test_the_instance_serves_the_original_and_the_pages_link_to_it(two_pages, workdir, claimsdb, tmp_path):
    assert claimsdb("add-source", "report.pdf", *COMMON, "--url", "https://example.org/report.pdf", "--id", "report").exit_code == 0
    add_claims(workdir, "report", PAGE_TWO_CLAIM)
    (tmp_path / "built").mkdir()
    db = write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db")
    datasette = make_datasette(db, PROJECT_ROOT, claims_dir=workdir / "claims")

    async def fetch():
        return [await datasette.client.get(path) for path in
                ("/claims/sources/report", "/claims/claims/report-36-cities", "/originals/report.pdf", "/originals/..%2Freport.txt")]

    source_page, claim_page, original, outside = asyncio.run(fetch())
    assert source_page.status_code == 200
    assert '<a href="/originals/report.pdf" download>report.pdf</a>' in source_page.text
    assert "(pdf, 2 pages; kept byte for byte as captured)" in source_page.text
    assert sha(two_pages) in source_page.text
    assert "Page 2 of the PDF" in claim_page.text and '(<a href="/originals/report.pdf">the original</a>)' in claim_page.text
    assert original.status_code == 200 and original.content == two_pages
    assert outside.status_code == 404


def test_a_pdf_without_text_or_that_is_no_pdf_is_refused(workdir, claimsdb):
    (workdir / "scan.pdf").write_bytes(pdf([[], []]))
    (workdir / "fake.pdf").write_bytes(b"<html>a viewer page</html>")
    result = claimsdb("add-source", "scan.pdf", "fake.pdf", *COMMON)
    assert result.exit_code == 1
    assert sorted(result.stderr.splitlines()) == [
        "2 problem(s); nothing was written.",
        "fake.pdf:1: the file does not start with %PDF-, so it is not a PDF — give the PDF itself (a .pdf saved from a browser's viewer may be an HTML page)",
        "scan.pdf:1: the PDF has no text layer (a scan?) — add a PDF with a text layer (run OCR on it, e.g. with ocrmypdf) or a transcription as .txt",
    ]


# Captures ----------------------------------------------------------------------


CSS = ("https://arabnews.today/style.css", "text/css", b"body { color: black }", "2024-05-01T10:00:00Z")


def capture(date: str = "2024-05-01T10:00:02Z", gzip: bool = True) -> bytes:
    title, paragraphs = seed_paragraphs()
    return warc([CSS, (ARTICLE_URL, "text/html; charset=utf-8", saved_page(title, paragraphs), date)], gzip=gzip)


def test_a_warc_capture_gives_its_target_address_and_date_to_the_source(workdir, claimsdb):
    data = capture()
    (workdir / "capture.warc.gz").write_bytes(data)
    result = claimsdb("add-source", "capture.warc.gz", *COMMON, "--id", "captured")
    assert result.exit_code == 0, result.output
    assert (workdir / "claims" / "sources" / "originals" / "captured.warc.gz").read_bytes() == data
    yml = source_yml(workdir, "captured")
    assert f"url: {ARTICLE_URL}\n" in yml and "retrieved: '2024-05-01'\n" in yml and "original_format: warc\n" in yml
    assert f"extractor: {originals.version('warcio')}, {originals.version('trafilatura')}\n" in yml
    text = (workdir / "claims" / "sources" / "captured.txt").read_text(encoding="utf-8")
    assert seed_paragraphs()[1][0] in text and "color: black" not in text and "Accept all" not in text
    assert claimsdb("check").exit_code == 0


def test_a_capture_is_read_at_the_address_given(workdir, claimsdb):
    other = ("https://arabnews.today/other", "text/html", saved_page("Another page", seed_paragraphs()[1][:3], "https://arabnews.today/other"), "2024-05-02T00:00:00Z")
    (workdir / "capture.warc").write_bytes(warc([other, (ARTICLE_URL, "text/html", saved_page(*seed_paragraphs()), "2024-05-03T00:00:00Z")], gzip=False))
    result = claimsdb("add-source", "capture.warc", *COMMON, "--id", "captured", "--url", ARTICLE_URL)
    assert result.exit_code == 0, result.output
    assert "retrieved: '2024-05-03'\n" in source_yml(workdir, "captured")
    result = claimsdb("add-source", "capture.warc", *COMMON, "--id", "captured-2", "--url", "https://arabnews.today/missing")
    assert result.stderr.splitlines()[0] == (
        "capture.warc:1: the capture holds no response for https://arabnews.today/missing — give --url as one of the captured addresses "
        f"(https://arabnews.today/other, {ARTICLE_URL})")


def test_a_wacz_is_read_at_the_page_it_lists(workdir, claimsdb):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as wacz:
        wacz.writestr("archive/data.warc.gz", capture())
        wacz.writestr("pages/pages.jsonl", '{"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}\n'
                      + json.dumps({"id": "1", "url": ARTICLE_URL, "ts": "2024-05-01T10:00:02Z"}) + "\n")
        wacz.writestr("datapackage.json", "{}")
    (workdir / "capture.wacz").write_bytes(buffer.getvalue())
    result = claimsdb("add-source", "capture.wacz", *COMMON, "--id", "wacz")
    assert result.exit_code == 0, result.output
    yml = source_yml(workdir, "wacz")
    assert f"url: {ARTICLE_URL}\n" in yml and "original: sources/originals/wacz.wacz\n" in yml and "original_format: wacz\n" in yml
    assert claimsdb("check").exit_code == 0


# Several files -----------------------------------------------------------------


def test_several_files_are_archived_all_or_none(page, two_pages, workdir, claimsdb):
    (workdir / "capture.warc.gz").write_bytes(capture())
    before = sorted(p.name for p in (workdir / "claims").rglob("*"))
    result = claimsdb("add-source", "page.html", "report.pdf", "capture.warc.gz", *COMMON)
    assert result.exit_code == 1
    # The PDF states no address, so nothing is written, not even the page.
    assert "report.pdf:1: missing field `url`" not in result.stderr
    assert "claims/arabnews-today-report-burial-sites.yml:2: missing field `url` — give --url (Address the document was published at)" in result.stderr.splitlines()
    assert sorted(p.name for p in (workdir / "claims").rglob("*")) == before
    result = claimsdb("add-source", "page.html", "report.pdf", *COMMON, "--url", "https://example.org")
    assert result.stderr.splitlines() == [
        "page.html:1: --url names one document, but 2 files are given — add the files one at a time to give these, or leave them out (taken from each document where it states them)",
        "1 problem(s); nothing was written.",
    ]
    (workdir / "report.pdf").unlink()
    result = claimsdb("add-source", "page.html", "capture.warc.gz", *COMMON, "--published", "2021-09-03")
    # Both derive the same id from the same title and date: refused, not overwritten.
    assert "is also derived for page.html in this run" in result.stderr
    result = claimsdb("add-source", "page.html", "capture.warc.gz", *COMMON)
    assert "is also derived for page.html in this run" in result.stderr


# Checks ------------------------------------------------------------------------


@pytest.fixture
def added_page(page, workdir, claimsdb):
    assert claimsdb("add-source", "page.html", *COMMON, "--id", "saved-page").exit_code == 0
    return workdir / "claims" / "sources" / "originals" / "saved-page.html"


def test_check_verifies_the_originals_hash(added_page, page, claimsdb):
    added_page.write_bytes(page.replace(b"Copyright 2021", b"Copyright 2022"))
    result = claimsdb("check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"claims/saved-page.yml:10: sources/originals/saved-page.html has SHA-256 {sha(added_page.read_bytes())}, but the source file pins {sha(page)}"
        " — restore the original byte for byte (it is the evidence); a newer capture of the document is added with `claimsdb reanchor`")


def test_check_reports_a_missing_original(added_page, claimsdb):
    added_page.unlink()
    result = claimsdb("check")
    assert result.stderr.splitlines()[0] == (
        "claims/saved-page.yml:9: original sources/originals/saved-page.html does not exist"
        " — restore the original to claims/sources/originals/saved-page.html (it is the evidence the archived text was extracted from)")


@pytest.mark.parametrize("edit, expected", [
    (lambda y: y.replace("original_format: html\n", ""),
     "claims/saved-page.yml:2: `original` without `original_format` — add `original_format:` (claimsdb add-source writes it), or remove `original`"),
    (lambda y: y.replace("original: sources/originals/saved-page.html\n", "original: ../../etc/passwd\n"),
     "claims/saved-page.yml:9: `original`: '../../etc/passwd' points outside claims/sources/originals/ — keep the original as claims/sources/originals/<source-id>.<html|pdf|warc.gz|wacz> (claimsdb add-source does) and write that path relative to claims/"),
    (lambda y: y.replace("original_format: html", "original_format: docx"),
     "claims/saved-page.yml:11: `original_format` is 'docx' — use one of 'html', 'pdf', 'warc' or 'wacz'"),
    (lambda y: y.replace("original_characters:", "pages: [5, 3]\noriginal_characters:"),
     "claims/saved-page.yml:2: `pages` must start with 0, where the first page starts — write the page starts that claimsdb add-source recorded"),
    (lambda y: y.replace("original_characters:", "pages: [0, 9999999]\noriginal_characters:"),
     "claims/saved-page.yml:13: `pages` starts a page at 9999999, beyond the 6500 characters of sources/saved-page.txt — write the page starts that claimsdb add-source recorded (claimsdb verify-sources shows them)"),
])
def test_bad_original_fields_get_one_line_each(added_page, workdir, claimsdb, edit, expected):
    path = workdir / "claims" / "saved-page.yml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = claimsdb("check")
    assert result.exit_code == 1
    assert expected in result.stderr.splitlines(), result.stderr


def test_an_original_larger_than_the_text_limit_is_hashed_as_a_stream(workdir, claimsdb, monkeypatch):
    title, paragraphs = seed_paragraphs()
    big = saved_page(title, paragraphs).replace(b"<style>", b"<style>/*" + b"x" * (files.MAX_FILE_BYTES * 2) + b"*/", 1)
    (workdir / "big.html").write_bytes(big)
    result = claimsdb("add-source", "big.html", *COMMON, "--id", "big")
    assert result.exit_code == 0, result.output
    assert claimsdb("check").exit_code == 0
    monkeypatch.setattr(files, "MAX_ORIGINAL_BYTES", files.MAX_FILE_BYTES)
    result = claimsdb("check")
    assert result.stderr.splitlines()[0] == (
        f"claims/big.yml:9: original sources/originals/big.html is {len(big):,} bytes, over the limit of {files.MAX_FILE_BYTES:,} bytes for an original"
        " — keep the document itself without embedded media, or raise MAX_ORIGINAL_BYTES in claimsdb/files.py (README: Limits)")


# verify-sources ----------------------------------------------------------------


def test_verify_sources_extracts_every_original_again(added_page, workdir, claimsdb):
    result = claimsdb("verify-sources")
    assert result.exit_code == 0, result.output
    assert result.output == "claims: 1 original(s) extracted again, each giving its archived text; 2 source(s) archived as text, with no original to extract.\n"


def test_verify_sources_notes_another_version_that_gives_the_same_text(added_page, workdir, claimsdb):
    yml = workdir / "claims" / "saved-page.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace(f"extractor: {originals.version('trafilatura')}", "extractor: trafilatura 2.0.0"), encoding="utf-8")
    result = claimsdb("verify-sources")
    assert result.exit_code == 0
    assert result.stderr == f"note: saved-page was extracted by trafilatura 2.0.0; {originals.version('trafilatura')} gives the same text\n"


def test_verify_sources_reports_a_text_the_extractor_no_longer_gives(added_page, workdir, claimsdb):
    archive = workdir / "claims" / "sources" / "saved-page.txt"
    edited = archive.read_text(encoding="utf-8").replace("more than 30,000", "more than 3,000")
    archive.write_text(edited, encoding="utf-8")
    yml = workdir / "claims" / "saved-page.yml"
    text = yml.read_text(encoding="utf-8")
    old = text.split("sha256: ", 1)[1].split("\n", 1)[0]
    yml.write_text(text.replace(old, sha(edited.encode())), encoding="utf-8")
    line = edited[:edited.index("more than 3,000")].count("\n") + 1
    result = claimsdb("verify-sources")
    assert result.exit_code == 1
    [problem, summary] = result.stderr.splitlines()
    assert problem.startswith(f"claims/saved-page.yml:8: sources/saved-page.txt is not what {originals.version('trafilatura')} extracts from "
                              f"sources/originals/saved-page.html: first difference at line {line}: archived 'The warning comes")
    assert problem.endswith("— find what changed in the original or the extractor, or archive the new text as a revision with "
                            "`claimsdb reanchor saved-page claims/sources/originals/saved-page.html`")
    assert summary == "1 problem(s); 1 original(s) extracted again."


# The cut-off check -------------------------------------------------------------


def test_a_text_that_ends_mid_sentence_or_is_far_shorter_than_its_page_is_flagged():
    assert originals.cut_off_warnings("A whole sentence.\n", 20) == []
    assert originals.cut_off_warnings("The report said that the\n", None) == ["the working text ends mid-sentence (“…The report said that the”)"]
    assert originals.cut_off_warnings("Short.\n", 1000) == ["the working text is 6 characters, under 20% of the 1,000 characters of text in the original"]


def test_add_source_warns_of_a_text_that_looks_cut_off(workdir, claimsdb):
    title, paragraphs = seed_paragraphs()
    (workdir / "cut.html").write_bytes(saved_page(title, paragraphs[:-1] + [paragraphs[-1][:-40]]))
    result = claimsdb("add-source", "cut.html", *COMMON, "--id", "cut")
    assert result.exit_code == 0
    assert ("warning: claims/sources/cut.txt: the working text ends mid-sentence (“…isi in their countries. They must prosec”)"
            " — compare it with the original; the extraction may have cut the document short") in result.stderr.splitlines()


def test_the_source_page_says_when_the_text_may_be_cut_off(workdir, claimsdb, tmp_path):
    title, paragraphs = seed_paragraphs()
    (workdir / "cut.html").write_bytes(saved_page(title, paragraphs[:-1] + [paragraphs[-1][:-40]]))
    assert claimsdb("add-source", "cut.html", *COMMON, "--id", "cut").exit_code == 0
    (tmp_path / "built").mkdir()
    db = write_database(load_corpus(workdir / "claims"), tmp_path / "built" / "claims.db")
    page = asyncio.run(make_datasette(db, PROJECT_ROOT).client.get("/claims/sources/cut"))
    assert "<dt>May be cut off</dt>" in page.text
    assert "the working text ends mid-sentence (“…isi in their countries. They must prosec”)" in page.text


# Refusals ----------------------------------------------------------------------


def test_an_original_left_where_the_new_one_would_go_is_never_overwritten(page, workdir, claimsdb):
    left = workdir / "claims" / "sources" / "originals" / "saved-page.html"
    left.parent.mkdir()
    left.write_bytes(b"<html>an earlier page</html>")
    result = claimsdb("add-source", "page.html", *COMMON, "--id", "saved-page")
    assert result.exit_code == 1
    assert result.stderr == (
        "claims/sources/originals/saved-page.html:1: an original with the id `saved-page` already exists — choose another --id; add-source never overwrites a file\n"
        "1 problem(s); nothing was written.\n"
    )
    assert left.read_bytes() == b"<html>an earlier page</html>"
    assert not (workdir / "claims" / "saved-page.yml").exists() and not (workdir / "claims" / "sources" / "saved-page.txt").exists()


def test_a_page_whose_working_text_is_over_the_text_limit_is_refused(workdir, claimsdb):
    title, paragraphs = seed_paragraphs()
    long_paragraph = " ".join(["The Working Group received reports from families of the victims."] * 32_000)
    data = saved_page(title, paragraphs + [long_paragraph])
    (workdir / "long.html").write_bytes(data)
    size = len(originals.extract(data, "html", None).text.encode("utf-8"))
    assert size > files.MAX_FILE_BYTES
    result = claimsdb("add-source", "long.html", *COMMON, "--id", "long")
    assert result.exit_code == 1
    assert result.stderr == (
        f"long.html:1: the working text extracted from it is {size:,} bytes, over the limit of {files.MAX_FILE_BYTES:,} bytes for an archived text"
        " — add the document in parts (one source per part), or raise MAX_FILE_BYTES in claimsdb/files.py (README: Limits)\n"
        "1 problem(s); nothing was written.\n"
    )
    assert not (workdir / "claims" / "long.yml").exists() and not (workdir / "claims" / "sources" / "originals").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_original_that_cannot_be_read_is_refused(page, workdir, claimsdb):
    (workdir / "page.html").chmod(0)
    try:
        result = claimsdb("add-source", "page.html", *COMMON, "--id", "saved-page")
    finally:
        (workdir / "page.html").chmod(0o644)
    assert result.exit_code == 1
    assert result.stderr == "page.html:1: page.html cannot be read (Permission denied) — check that the file is readable\n1 problem(s); nothing was written.\n"
    assert not (workdir / "claims" / "saved-page.yml").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_check_reports_an_original_that_cannot_be_read(added_page, claimsdb):
    added_page.chmod(0)
    try:
        result = claimsdb("check")
    finally:
        added_page.chmod(0o644)
    assert result.exit_code == 1
    assert result.stderr == (
        "claims/saved-page.yml:9: original sources/originals/saved-page.html cannot be read (Permission denied) — check that the file is readable\n"
        "1 problem(s); nothing was built.\n"
    )
