"""The build cache: unchanged files are not parsed again, and whatever depends
on another file (archives, the value_semantics table, references) is checked
again on every build."""

from __future__ import annotations

import sqlite3

from claimsdb.cache import FileCache

INU = "claims/irannewsupdate-2021-officials-yet-to-face-accountability.yml"
ANT = "claims/arabnews-today-2021-09-03-un-workgroup-investigation.yml"


def edit(workdir, name, old, new):
    path = workdir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_cached_build_is_byte_identical_to_a_fresh_one(workdir, claimsdb):
    assert claimsdb("build", "--db", "fresh.db", "--no-cache").exit_code == 0
    assert claimsdb("build", "--db", "first.db").exit_code == 0  # fills the cache
    assert any((workdir / ".claimsdb-cache").glob("*.pickle"))
    assert claimsdb("build", "--db", "cached.db").exit_code == 0
    assert (workdir / "cached.db").read_bytes() == (workdir / "fresh.db").read_bytes() == (workdir / "first.db").read_bytes()


def test_unchanged_files_come_from_the_cache(workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    cache = FileCache(workdir / ".claimsdb-cache")
    data = (workdir / INU).read_bytes()
    assert cache.get(data) is not None
    edit(workdir, INU, "title: Iranian", "title: Edited, Iranian")
    assert cache.get((workdir / INU).read_bytes()) is None  # an edited file is parsed again
    assert claimsdb("build").exit_code == 0
    title = sqlite3.connect(workdir / "claims.db").execute("select title from sources where id like 'irannewsupdate%'").fetchone()[0]
    assert title.startswith("Edited, Iranian")
    # the entry of the file as it was is pruned
    assert cache.get(data) is None or not any(p.stem == cache.key(data) for p in (workdir / ".claimsdb-cache").glob("*.pickle"))


def test_a_changed_archive_is_checked_again_though_its_source_file_is_cached(workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    archive = workdir / "claims/sources/irannewsupdate-2021-officials-yet-to-face-accountability.txt"
    archive.write_bytes(archive.read_bytes().replace(b"Exit mobile version", b"Exit mobile versions"))
    result = claimsdb("build")
    assert result.exit_code == 1
    assert "has SHA-256" in result.stderr and "but the source file pins" in result.stderr


def test_a_changed_value_table_recomputes_intervals_of_cached_claims(workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    edit(workdir, "claims/measures.yml", "about_tolerance: 0.1", "about_tolerance: 0.2")
    assert claimsdb("build").exit_code == 0
    interval = sqlite3.connect(workdir / "claims.db").execute("select value_interval from claims where id = 'inu-executed-around-30000'").fetchone()[0]
    assert interval == "[24,000, 36,000]"


def test_a_relation_to_a_claim_removed_from_another_file_is_reported_though_its_file_is_cached(workdir, claimsdb):
    assert claimsdb("build").exit_code == 0
    edit(workdir, INU, "id: inu-executed-around-30000", "id: inu-executed-around-30000-renamed")
    result = claimsdb("build")
    assert result.exit_code == 1
    assert f"{ANT}:" in result.stderr and "unknown claim `inu-executed-around-30000`" in result.stderr


def test_an_entry_is_not_read_after_python_or_a_library_changes(workdir, claimsdb, monkeypatch):
    """The key holds the fingerprint of the code, Python, SQLite and the
    libraries (claimsdb.cache.fingerprint), as the database's build record does."""
    from claimsdb import cache

    assert claimsdb("build").exit_code == 0
    data = (workdir / INU).read_bytes()
    assert FileCache(workdir / ".claimsdb-cache").get(data) is not None
    changed = {**cache.fingerprint(), "library pydantic": "0.0"}
    monkeypatch.setattr(cache, "fingerprint", lambda: changed)
    cache.fingerprint_key.cache_clear()
    try:
        assert FileCache(workdir / ".claimsdb-cache").get(data) is None
    finally:
        monkeypatch.undo()
        cache.fingerprint_key.cache_clear()
    assert FileCache(workdir / ".claimsdb-cache").get(data) is not None
