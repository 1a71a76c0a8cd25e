"""Releases and bulk downloads (claimsdb.downloads): what `claimsdb build`
writes beside the database, what the instance serves, and `claimsdb diff`.
Built with the real command line from a copy of the test corpus."""

from __future__ import annotations

import asyncio
import csv
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess

import pytest
import yaml

from claimsdb.tables import TABLES, VIEWS
from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT, copy_as_new, edit_value, move_subject, remove_a_source, rename, source_files, synthetic

SOURCE = "arabnews-today-2021-09-03-un-workgroup-investigation"
NAMES = [table.name for table in TABLES]


@pytest.fixture
def built(workdir, claimsdb):
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    assert "Release " in result.output
    return workdir


def in_order(conn, name: str) -> str:
    """A table's primary key: the order downloads list rows in."""
    return ", ".join(next(table for table in TABLES if table.name == name).key_columns)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_build_writes_every_table_as_gzipped_csv_with_its_rows(built):
    conn = sqlite3.connect(built / "claims.db")
    for name in NAMES:
        with gzip.open(built / "downloads" / "csv" / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        cursor = conn.execute(f"select * from {name} order by {in_order(conn, name)}")
        assert header == [d[0] for d in cursor.description], name
        expected = [["" if v is None else str(v) for v in row] for row in cursor]
        assert rows == expected, name


def test_the_build_writes_every_table_as_parquet_with_its_rows_and_types(built):
    import pyarrow.parquet as pq

    conn = sqlite3.connect(built / "claims.db")
    for name in NAMES:
        table = pq.read_table(built / "downloads" / "parquet" / f"{name}.parquet")
        cursor = conn.execute(f"select * from {name} order by {in_order(conn, name)}")
        assert table.column_names == [d[0] for d in cursor.description], name
        assert [tuple(row.values()) for row in table.to_pylist()] == [tuple(row) for row in cursor], name
    claims = pq.read_table(built / "downloads" / "parquet" / "claims.parquet")
    assert str(claims.schema.field("quote_start").type) == "int64" and str(claims.schema.field("quote").type) == "string"


def test_every_claim_is_a_web_annotation_anchored_in_its_archived_text(built):
    downloads = built / "downloads"
    collection = json.loads((downloads / "annotations.jsonld").read_text(encoding="utf-8"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld" and collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]
    conn = sqlite3.connect(built / "claims.db")
    conn.row_factory = sqlite3.Row
    claims = {row["id"]: row for row in conn.execute("select c.*, s.url from claims c join sources s on s.id = c.source_id")}
    assert collection["total"] == len(items) == len(claims)
    for item in items:
        claim = claims[item["id"].rsplit("/", 1)[1]]
        assert item["type"] == "Annotation" and item["body"]["value"] == claim["statement"]
        archived, published = item["target"]
        quote, position = archived["selector"]
        assert quote == {"type": "TextQuoteSelector", "exact": claim["quote"], "prefix": claim["quote_prefix"], "suffix": claim["quote_suffix"]}
        text = (downloads / archived["source"]["id"]).read_bytes().decode("utf-8")
        assert text[position["start"]:position["end"]] == claim["quote"]
        assert text[:position["start"]].endswith(quote["prefix"]) and text[position["end"]:].startswith(quote["suffix"])
        assert published["source"] == claim["url"] and published["selector"] == quote
        assert published["state"]["cached"] == archived["source"]["id"]


def test_views_are_not_downloads_but_queries_served_live(built):
    manifest = json.loads((built / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    for view in VIEWS:
        assert f"csv/{view.name}.csv.gz" not in listed and f"parquet/{view.name}.parquet" not in listed


def test_downloads_written_on_two_processes_are_the_bytes_written_on_one(built, tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from claimsdb import downloads

    writers = tmp_path / "writers"
    write_table = downloads.write_table

    def write_table_noting_the_process(*args):
        with open(writers, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return write_table(*args)

    monkeypatch.setattr(downloads, "write_table", write_table_noting_the_process)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    downloads.write_downloads(built / "claims.db", tmp_path / "one", built=at, reuse=False)
    writers.unlink()
    downloads.write_downloads(built / "claims.db", tmp_path / "two", built=at, reuse=False, jobs=2)
    assert len(set(writers.read_text().split())) == 2, "files written by this process and the one forked"

    def files(directory):
        return {path.relative_to(directory).as_posix(): path.read_bytes() for path in directory.rglob("*") if path.is_file()}

    assert files(tmp_path / "two") == files(tmp_path / "one")


def test_the_manifest_lists_every_file_with_its_sha256(built):
    downloads = built / "downloads"
    manifest = json.loads((downloads / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(downloads).as_posix() for p in downloads.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    for path, entry in listed.items():
        data = (downloads / path).read_bytes()
        assert entry["sha256"] == sha256(data) and entry["bytes"] == len(data), path
    release = json.loads((downloads / "release.json").read_text(encoding="utf-8"))
    assert manifest["release"] == release["id"]


def test_the_release_id_is_a_hash_of_the_content_alone(built, claimsdb, tmp_path, monkeypatch):
    release = json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))
    assert len(release["id"]) == 64 and release["built"].endswith("Z")
    # The same files built elsewhere, later, from nothing: the same release.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(built / "claims", elsewhere / "claims")
    monkeypatch.chdir(elsewhere)
    assert claimsdb("build", "--no-cache").exit_code == 0
    monkeypatch.chdir(built)
    assert json.loads((elsewhere / "downloads" / "release.json").read_text(encoding="utf-8"))["id"] == release["id"]
    # One word of one statement changed: another release.
    path = built / "claims" / f"{SOURCE}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("the UN Working Group", "the United Nations Working Group", 1), encoding="utf-8")
    assert claimsdb("build").exit_code == 0
    assert json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))["id"] != release["id"]


def test_an_edit_undone_gives_the_release_of_the_files_before_it_whatever_the_builds_in_between(built, claimsdb):
    # Incremental builds delete the rows of the sources they read again and
    # append their replacements: the rows' order in the file changes, the
    # downloads' order (and so the release) must not.
    before = json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))["id"]
    path = built / "claims" / f"{SOURCE}.yml"
    original = path.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    data["claims"][0]["statement"] += " (Edited for the test.)"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edited = claimsdb("build", "--no-cache")
    assert edited.exit_code == 0 and "from the previous build" in edited.output, edited.output
    assert json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))["id"] != before
    path.write_text(original, encoding="utf-8")
    undone = claimsdb("build", "--no-cache")
    assert undone.exit_code == 0 and "from the previous build" in undone.output, undone.output
    assert json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))["id"] == before


def test_the_release_names_the_commit_of_the_claim_files(workdir, claimsdb):
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
    subprocess.run([*git, "init", "-q", str(workdir)], check=True)
    subprocess.run([*git, "-C", str(workdir), "add", "claims"], check=True)
    subprocess.run([*git, "-C", str(workdir), "commit", "-qm", "claims"], check=True)
    head = subprocess.run(["git", "-C", str(workdir), "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert claimsdb("build").exit_code == 0
    release = json.loads((workdir / "downloads" / "release.json").read_text(encoding="utf-8"))
    assert release["commit"] == head and release["uncommitted_changes"] is False


def edit_claims(workdir, change) -> None:
    path = workdir / "claims" / f"{SOURCE}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["claims"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_diff_lists_the_claims_added_changed_and_withdrawn(built, claimsdb):
    old = built / "old.db"
    shutil.copy(built / "claims.db", old)
    first, second, third = None, None, None

    def change(claims):
        nonlocal first, second, third
        first, second = claims[0]["id"], claims[1]["id"]
        claims[0]["statement"] = claims[0]["statement"] + " (reworded)"
        claims[1]["withdrawn"] = "Withdrawn for the test: the editors read the quote again."
        added = dict(claims[2], id=claims[2]["id"] + "-again")
        added.pop("relations", None)
        third = added["id"]
        claims.append(added)

    edit_claims(built, change)
    assert claimsdb("build").exit_code == 0
    changes = json.loads(claimsdb("diff", str(old), str(built / "claims.db"), "--json").output)
    assert [c["id"] for c in changes["added"]] == [third]
    assert [(c["id"], c["columns"]) for c in changes["changed"]] == [(first, ["statement"])]
    assert [c["id"] for c in changes["withdrawn"]] == [second]
    assert changes["removed"] == []
    shown = claimsdb("diff", str(old), str(built / "claims.db")).output
    assert f"Added: 1 claim(s)\n  {third}:" in shown and f"  {first}: changed statement" in shown and f"  {second}: Withdrawn for the test" in shown
    # The build wrote the same changes for the landing page.
    written = json.loads((built / "downloads" / "changes.json").read_text(encoding="utf-8"))
    assert {k: written[k] for k in ("added", "changed", "withdrawn", "removed")} == changes
    assert written["first_release"] is False


def test_diff_of_a_file_that_is_not_a_database_is_one_line(built, claimsdb):
    (built / "not.db").write_text("not a database", encoding="utf-8")
    result = claimsdb("diff", str(built / "not.db"), str(built / "claims.db"))
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "not a claims database" in result.output


def files_of(directory) -> dict:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_after_an_edit_only_what_changed_is_written_and_the_result_is_what_writing_everything_gives(built, claimsdb, tmp_path):
    from datetime import datetime, timezone

    from claimsdb.downloads import write_downloads

    downloads = built / "downloads"
    before = {p.relative_to(downloads).as_posix(): p.stat().st_ino for p in downloads.rglob("*") if p.is_file()}
    old_db, old_downloads = tmp_path / "old.db", tmp_path / "from-nothing"
    shutil.copy(built / "claims.db", old_db)
    shutil.copytree(downloads, old_downloads)
    path = built / "claims" / f"{SOURCE}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("the UN Working Group", "the United Nations Working Group", 1), encoding="utf-8")
    result = claimsdb("build")
    assert result.exit_code == 0 and "from the previous build" in result.output, result.output
    # The files of the tables no row of which changed, and the unchanged texts, are the files already there.
    with sqlite3.connect(built / "claims.db") as conn:
        changed = {row[0] for row in conn.execute("select distinct table_name from _claimsdb_changes")}
    conn.close()
    assert "claims" in changed and "agents" not in changed
    for name in set(NAMES) - changed:
        for kept in (f"csv/{name}.csv.gz", f"parquet/{name}.parquet"):
            assert (downloads / kept).stat().st_ino == before[kept], kept
    assert (downloads / "csv" / "claims.csv.gz").stat().st_ino != before["csv/claims.csv.gz"]
    assert (downloads / "texts" / f"{SOURCE}.txt").stat().st_ino == before[f"texts/{SOURCE}.txt"]
    # The same database's downloads written from nothing, over the previous ones: the same bytes.
    release = json.loads((downloads / "release.json").read_text(encoding="utf-8"))
    built_at = datetime.strptime(release["built"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    write_downloads(built / "claims.db", old_downloads, claims_dir=built / "claims", previous_db=old_db, built=built_at, reuse=False)
    assert files_of(old_downloads) == files_of(downloads)


def test_a_file_of_the_previous_downloads_that_is_not_what_its_manifest_says_is_written_again(built, claimsdb):
    downloads = built / "downloads"
    expected = (downloads / "csv" / "agents.csv.gz").read_bytes()
    (downloads / "csv" / "agents.csv.gz").unlink()
    (downloads / "csv" / "agents.csv.gz").write_bytes(b"not the agents")
    (downloads / "texts" / f"{SOURCE}.txt").unlink()
    result = claimsdb("build")
    assert result.exit_code == 0 and "unchanged" in result.output, result.output
    assert (downloads / "csv" / "agents.csv.gz").read_bytes() == expected
    manifest = {f["path"]: f["sha256"] for f in json.loads((downloads / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert manifest[f"texts/{SOURCE}.txt"] == sha256((downloads / "texts" / f"{SOURCE}.txt").read_bytes())


def test_a_table_changed_in_the_database_itself_is_written_again(built, claimsdb):
    with sqlite3.connect(built / "claims.db") as conn:
        conn.execute("update agents set name = name || ' (renamed in SQL)' where rowid = (select min(rowid) from agents)")
    conn.close()
    result = claimsdb("build")
    assert result.exit_code == 0 and "unchanged" in result.output, result.output
    with gzip.open(built / "downloads" / "csv" / "agents.csv.gz", "rt", encoding="utf-8") as handle:
        assert "(renamed in SQL)" in handle.read()


def test_downloads_that_cannot_be_written_leave_the_previous_database_and_downloads(built, claimsdb):
    import os

    previous_db, previous = (built / "claims.db").read_bytes(), files_of(built / "downloads")
    path = built / "claims" / f"{SOURCE}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("the UN Working Group", "the United Nations Working Group", 1), encoding="utf-8")
    # Where this build writes its downloads first, a file: the directory cannot be made.
    (built / f".downloads.{os.getpid()}.tmp").write_text("in the way", encoding="utf-8")
    result = claimsdb("build")
    assert result.exit_code == 1
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("downloads:1: cannot be written (") and " — check that the directory is writable" in line, result.output
    assert (built / "claims.db").read_bytes() == previous_db and files_of(built / "downloads") == previous
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".claims.db.")) == []
    (built / f".downloads.{os.getpid()}.tmp").unlink()
    release = json.loads(previous["release.json"])["id"]
    assert claimsdb("build").exit_code == 0
    assert json.loads((built / "downloads" / "changes.json").read_text(encoding="utf-8"))["previous_release"] == release
    assert json.loads((built / "downloads" / "release.json").read_text(encoding="utf-8"))["id"] != release


def test_no_downloads_writes_none(workdir, claimsdb):
    assert claimsdb("build", "--no-downloads").exit_code == 0
    assert not (workdir / "downloads").exists()


# Served --------------------------------------------------------------------------


def get(ds, path: str):
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, (path, response.status_code)
    return response


def test_the_landing_page_links_the_downloads_and_names_its_release(claims_datasette, built_db):
    release = json.loads((built_db.parent / "downloads" / "release.json").read_text(encoding="utf-8"))
    html = get(claims_datasette, "/").text
    for path in ("parquet/claims.parquet", "csv/claims.csv.gz", "annotations.jsonld", "manifest.json"):
        assert f'href="/downloads/{path}"' in html, path
    assert release["id"] in html and release["id"][:12] in html
    assert "How to cite" in html and "What changed in this release" in html


def test_every_file_the_manifest_lists_is_served_with_its_hash(claims_datasette):
    manifest = get(claims_datasette, "/downloads/manifest.json").json()
    for entry in manifest["files"]:
        response = get(claims_datasette, f"/downloads/{entry['path']}")
        assert sha256(response.content) == entry["sha256"], entry["path"]
    assert get(claims_datasette, "/downloads/csv/claims.csv.gz").headers["content-type"] == "application/gzip"
    assert get(claims_datasette, "/downloads/annotations.jsonld").headers["content-type"] == "application/ld+json"


@pytest.mark.parametrize("name", ["claims", "sources", "figure_relations"])
def test_a_table_page_links_its_whole_table_as_the_static_downloads(claims_datasette, name):
    manifest = {f["path"]: f for f in get(claims_datasette, "/downloads/manifest.json").json()["files"]}
    html = get(claims_datasette, f"/claims/{name}").text
    for path in (f"csv/{name}.csv.gz", f"parquet/{name}.parquet"):
        assert path in manifest and f'href="/downloads/{path}"' in html, path
    # a filtered page too: the static files are the whole table, its export links the filtered rows
    assert f'href="/downloads/csv/{name}.csv.gz"' in get(claims_datasette, f"/claims/{name}?_size=1").text


def test_a_view_page_links_its_rows_as_datasette_exports_them_and_no_static_download(claims_datasette):
    html = get(claims_datasette, "/claims/conflicts").text
    assert "/downloads/csv/" not in html and "/claims/conflicts.csv" in html


@pytest.mark.parametrize("path", ["/", "/claims", "/claims/claims", "/claims/claims/ant-executed-more-than-30000", "/-/search?q=x"])
def test_every_page_names_the_release_in_its_footer(claims_datasette, built_db, path):
    release = json.loads((built_db.parent / "downloads" / "release.json").read_text(encoding="utf-8"))
    html = get(claims_datasette, path).text
    footer = html[html.index('<footer class="ft">'):]
    assert f"<code>{release['id'][:12]}</code>" in footer and release["built"][:10] in footer


def test_the_release_is_in_the_instance_metadata(claims_datasette, built_db):
    release = json.loads((built_db.parent / "downloads" / "release.json").read_text(encoding="utf-8"))
    metadata = get(claims_datasette, "/-/metadata.json").json()
    assert metadata["release"]["id"] == release["id"] and release["id"][:12] in metadata["release"]["citation"]


def test_an_instance_without_downloads_still_serves_every_page(built_db, tmp_path):
    bare = tmp_path / "claims.db"
    shutil.copy(built_db, bare)
    ds = make_datasette(bare, PROJECT_ROOT)
    for path in ("/", "/claims/claims"):
        assert "Release " not in get(ds, path).text.split('<footer class="ft">')[1]


# Patched downloads: after an edit, the chunks no changed row falls in are copied -------------------


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of a few rows, so that a small corpus has many."""
    from claimsdb import chunks

    monkeypatch.setattr(chunks, "AVERAGE_ROWS", 4)
    monkeypatch.setattr(chunks, "MAXIMUM_ROWS", 8)


def chunks_written(output: str) -> tuple[int, int]:
    """The chunks the build's last line says it wrote, and how many there are."""
    found = re.search(r"\((\d+) of (\d+) chunk\(s\) written, the others copied", output) or re.search(r"\(((\d+)) chunk\(s\) written\)", output)
    return int(found[1]), int(found[2])


CHANGES = {
    "an edited figure": lambda corpus: next(path for path in source_files(corpus)[4:] if edit_value(path)),
    "a claim moved to another subject": lambda corpus: next(path for path in source_files(corpus)[9:] if move_subject(path)),
    "an added source": lambda corpus: copy_as_new(source_files(corpus)[2], 1),
    "a renamed source": lambda corpus: rename(source_files(corpus)[7]),
    "a removed source": lambda corpus: remove_a_source(corpus, reversed(source_files(corpus))),
    "the first source removed": lambda corpus: (corpus / "synthetic-source-0000000.yml").rename(corpus / "kept"),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_downloads_patched_after_a_change_are_the_bytes_written_from_nothing(tmp_path, monkeypatch, claimsdb, small_chunks, change):
    from datetime import datetime, timezone

    from claimsdb.downloads import diff, write_downloads

    corpus = synthetic(tmp_path / "claims")
    monkeypatch.chdir(tmp_path)
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    written, total = chunks_written(result.output)
    assert written == total > 100  # from nothing: every chunk written
    shutil.copy(tmp_path / "claims.db", tmp_path / "previous.db")
    shutil.copytree(tmp_path / "downloads", tmp_path / "from-nothing")  # for changes.json to name the same previous release
    CHANGES[change](corpus)
    result = claimsdb("build")
    assert result.exit_code == 0 and "from the previous build" in result.output, result.output
    written, total = chunks_written(result.output)
    assert 0 < written < total / 4, result.output  # the chunks of the changed rows, not the rest
    release = json.loads((tmp_path / "downloads" / "release.json").read_text(encoding="utf-8"))
    built_at = datetime.strptime(release["built"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    write_downloads(tmp_path / "claims.db", tmp_path / "from-nothing", claims_dir=corpus, previous_db=tmp_path / "previous.db",
                    built=built_at, reuse=False)
    assert files_of(tmp_path / "from-nothing") == files_of(tmp_path / "downloads")
    # changes.json compared only the claims the build changed: what comparing every claim gives
    changes = json.loads((tmp_path / "downloads" / "changes.json").read_text(encoding="utf-8"))
    every = diff(tmp_path / "previous.db", tmp_path / "claims.db")
    assert {key: changes[key] for key in every} == every and any(every.values())
