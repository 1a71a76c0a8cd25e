"""Incremental builds: the previous claims.db as the cache of the next build.

Every build records in its database what it was built from: the fingerprint
of the code and libraries that built it, and the SHA-256 of every file of
the corpus (claimsdb.tables.BUILD_RECORD, hidden from the published
instance). The next build compares. When only source files changed, it copies the previous database, reads again the changed sources and the
sources whose rows depend on them, replaces their rows, and renames the copy
into place. What depends on a changed source:

- its own rows (the source, its claims, speakers, chain, credits, revisions,
  marked words, coverage and full-text rows);
- the figures of every comparison group its claims are in, before or after
  the edit, which need every claim of the group; and their relations, which
  need the figures of the groups of the wider and narrower subjects;
- the declared relations and reviews that name one of those claims, which
  need the claims at both ends.

Those sources are read again in full; every other row is kept as it is. The
content equals a full build's, table by table and row by row
(tests/test_incremental.py); the bytes need not. The build records the key
of every row it deleted or inserted, and the build key of the database it
copied (``changes_since``), for the downloads to write only the chunks those
rows are in (claimsdb.chunks). Whatever the build cannot
follow (no previous database, another fingerprint, a shared file changed, a
problem in the files) makes it full, and the report says why.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .cache import fingerprint
from .problems import ProblemsFound
from .tables import BUILD_TABLE, CHANGES_TABLE, INPUTS_TABLE, TABLES

class FullBuild(Exception):
    """The previous database cannot be used as a cache; the message says why."""


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def input_hashes(claims_dir: Path) -> dict[str, str]:
    """The SHA-256 of every visible file of the corpus, by its path in it:
    the claim files and everything in the directories beside them (sources/).
    A claim file that is not a regular file is not hashed: the build reads
    and refuses it by name."""
    from .load import SHARED_FILES, source_file_paths

    found = {}
    for path in [*(claims_dir / name for name in SHARED_FILES), *source_file_paths(claims_dir)]:
        if path.is_file():
            found[path.name] = file_sha256(path)
    for directory, subdirectories, files in os.walk(claims_dir):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        if Path(directory) == claims_dir:
            continue
        for name in sorted(files):
            path = Path(directory) / name
            if not name.startswith(".") and path.is_file():
                found[path.relative_to(claims_dir).as_posix()] = file_sha256(path)
    return found


def record(inputs: dict[str, str], since: str | None = None, changes: dict[str, set] | None = None) -> dict[str, list[tuple]]:
    """The rows of the build record (claimsdb.tables.BUILD_RECORD) of a build
    of ``inputs``; for an incremental build, the keys of the rows it changed
    (``changes``, by table) since the database with build key ``since``."""
    changed = sorted((since, table, json.dumps(list(key), ensure_ascii=False)) for table, keys in (changes or {}).items() for key in keys)
    return {BUILD_TABLE: sorted(fingerprint().items()), INPUTS_TABLE: sorted(inputs.items()), CHANGES_TABLE: changed}


def build_key(conn: sqlite3.Connection) -> str | None:
    """What the database was built from, as one SHA-256: the code and
    libraries, and every file of the corpus. Two databases with the same
    key have the same content, however they were built; None when it holds
    no build record."""
    try:
        rows = [*conn.execute(f"select key, value from [{BUILD_TABLE}] order by key"), None,
                *conn.execute(f"select path, sha256 from [{INPUTS_TABLE}] order by path")]
    except sqlite3.Error:
        return None
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


def changes_since(conn: sqlite3.Connection) -> tuple[str | None, dict[str, list[tuple]]]:
    """The build key of the database this one was copied from, and the keys
    of the rows changed since, by table, each table's sorted; (None, {})
    after a full build or without a record."""
    since, changed = None, {}
    try:
        rows = conn.execute(f"select since, table_name, key from [{CHANGES_TABLE}]").fetchall()
    except sqlite3.Error:
        return None, {}
    for since, table, key in rows:
        changed.setdefault(table, []).append(tuple(json.loads(key)))
    return since, {table: sorted(keys) for table, keys in changed.items()}


@dataclass
class Plan:
    """What changed since the previous build."""

    inputs: dict[str, str]  # every file now, as input_hashes gives it
    changed: list[str] = field(default_factory=list)  # source ids whose files were added or edited, or whose archives changed
    removed: list[str] = field(default_factory=list)  # source ids whose files are gone
    replaced: list[str] = field(default_factory=list)  # SHA-256 of the earlier versions of the changed and removed files


def plan(claims_dir: Path, db_path: Path, inputs: dict[str, str]) -> Plan:
    """What an incremental build from ``db_path`` has to read again; raises
    FullBuild saying why when the previous database cannot be used."""
    from .load import SHARED_FILES, misnamed_files, source_file_paths

    if not db_path.is_file():
        raise FullBuild(f"there is no previous {db_path.name}")
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            built_with = dict(conn.execute(f"select key, value from [{BUILD_TABLE}]"))
            previous = dict(conn.execute(f"select path, sha256 from [{INPUTS_TABLE}]"))
            referenced = conn.execute("""
                select id, archive from sources
                union all select id, original from sources where original is not null
                union all select source_id, archive from source_revisions
                union all select source_id, original from source_revisions where original is not null
            """).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        raise FullBuild(f"the previous {db_path.name} holds no record of what it was built from") from None
    now = fingerprint()
    for key in now:
        if built_with.get(key) != now[key]:
            if key == "code":
                raise FullBuild("the code that builds the database changed")
            raise FullBuild(f"{key} changed ({built_with.get(key, 'unknown')} → {now[key]})")
    for name in SHARED_FILES:
        if inputs.get(name) != previous.get(name):
            raise FullBuild(f"{name} changed")
    if misnamed_files(claims_dir):
        raise FullBuild("a claim file is misnamed")
    for path in source_file_paths(claims_dir):
        if not path.is_file():
            raise FullBuild(f"{path.name} is not a regular file")
    result = Plan(inputs)
    source_files = lambda files: {p[:-4] for p in files if p.endswith(".yml") and "/" not in p and p not in SHARED_FILES}  # noqa: E731
    before, after = source_files(previous), source_files(inputs)
    changed = {s for s in after if s not in before or inputs[f"{s}.yml"] != previous[f"{s}.yml"]}
    # A source whose archive, original or earlier capture changed is read again (its hashes no longer match).
    sources_of = {}
    for source_id, path in referenced:
        sources_of.setdefault(path, set()).add(source_id)
    for path in set(inputs) | set(previous):
        if "/" in path and inputs.get(path) != previous.get(path):
            changed |= {s for s in sources_of.get(path, ()) if s in after}
    result.changed = sorted(changed)
    result.removed = sorted(before - after)
    result.replaced = sorted(previous[f"{s}.yml"] for s in [*result.changed, *result.removed] if f"{s}.yml" in previous)
    if len(result.changed) + len(result.removed) > max(1, len(after)) // 2:
        raise FullBuild(f"{len(result.changed) + len(result.removed)} of {len(after)} source files changed")
    return result


# Which rows a source's edit touches ---------------------------------------------

# Tables keyed by source, by claim, and derived from groups of claims; the rest
# (agents, subjects, measures, value_semantics, text_folding) come from the
# shared files alone, which an incremental build never sees changed.
BY_SOURCE = {"sources": "id", "claims": "source_id", "source_revisions": "source_id", "source_credits": "source_id",
             "not_claims": "source_id", "coverage": "source_id"}
BY_CLAIM = ("claim_speakers", "claim_chain")
BY_DECLARING_CLAIM = ("declared_relations", "reviews")
BY_FIGURE = ("figures", "figure_relations")
SHARED = ("agents", "agent_affiliations", "subjects", "measures", "value_semantics", "text_folding")


def group_keys_of(claims, units: dict) -> set[tuple]:
    """The comparison groups (kind, subject, measure, unit) the claims fall
    in, as claimsdb.relations.build_figures forms them, whatever their values."""
    keys = set()
    for claim in claims:
        subject = claim.scope or claim.subject
        if claim.kind == "quantity":
            keys.add(("quantity", subject, claim.measure, units.get(claim.measure)))
        elif claim.kind == "period":
            keys.add(("period", subject, None, None))
    return keys


def with_relatives(keys: set[tuple], parents: dict) -> set[tuple]:
    """The groups and those of the wider and narrower subjects, with which
    detection compares a part's figures (claimsdb.relations.detect)."""
    from .checks import wider_than

    narrower: dict = {}
    for subject in parents:
        for wider in wider_than(parents, subject):
            narrower.setdefault(wider, set()).add(subject)
    found = set(keys)
    for kind, subject, measure, unit in keys:
        if kind == "quantity":
            for other in [*wider_than(parents, subject), *narrower.get(subject, ())]:
                found.add((kind, other, measure, unit))
    return found


def temporary_ids(conn: sqlite3.Connection, name: str, ids) -> None:
    conn.execute(f"create temp table [{name}] (id text primary key)")
    conn.executemany(f"insert or ignore into temp.[{name}] values (?)", ((i,) for i in ids))


def temporary_groups(conn: sqlite3.Connection, name: str, keys) -> None:
    conn.execute(f"create temp table [{name}] (kind text, subject text, measure text, unit text)")
    conn.executemany(f"insert into temp.[{name}] values (?, ?, ?, ?)", sorted(keys, key=repr))


FIGURES_IN = """
    select figures.id from figures join temp.[{groups}] as g
      on figures.kind = g.kind and figures.subject_id = g.subject
     and figures.measure_id is g.measure and figures.unit is g.unit
"""


def mark_affected(conn: sqlite3.Connection, groups: set[tuple]) -> None:
    """Given temp.edited (the ids of the edited sources): temp.touched (the
    groups), temp.old_figures (their figures as the database holds them) and
    temp.affected (the claims whose derived rows may change: those of the
    edited sources and of the touched groups)."""
    temporary_groups(conn, "touched", groups)
    conn.execute("create temp table old_figures as " + FIGURES_IN.format(groups="touched"))
    conn.execute("""
        create temp table affected as
        select id from claims where source_id in temp.edited
         union select id from claims where figure_id in temp.old_figures
    """)


def update(claims_dir: Path, db_path: Path, the_plan: Plan, stages, cache, checkpoint, jobs: int | None = 1, alongside=None):
    """Copy the previous database, replace the rows the plan's sources touch,
    rename the copy into place (with what ``alongside`` puts beside it,
    claimsdb.db.replacing); the corpus of the sources read again, and the
    ids of the sources their rows were taken for. Raises ProblemsFound (the
    caller checks every file then, for the full list) or FullBuild."""
    from .db import insert_rows, replacing, scratch_database, write_record
    from .rows import rows_for
    from .load import load_corpus
    from .model import MeasuresFile, SubjectsFile
    from .yamlfile import parse_yaml

    stop_point = checkpoint or (lambda name: None)
    known_tables = set(BY_SOURCE) | set(BY_CLAIM) | set(BY_DECLARING_CLAIM) | set(BY_FIGURE) | set(SHARED)
    if {table.name for table in TABLES} != known_tables:  # a table this module does not know how to update
        raise FullBuild("the database has tables an incremental build does not know")
    changed, removed = set(the_plan.changed), set(the_plan.removed)
    measures = MeasuresFile.model_validate(parse_yaml((claims_dir / "measures.yml").read_text(encoding="utf-8")).data)
    subjects = SubjectsFile.model_validate(parse_yaml((claims_dir / "subjects.yml").read_text(encoding="utf-8")).data)
    units = {m.id: m.unit for m in measures.measures}
    parents = {s.id: s.part_of for s in subjects.subjects if s.part_of}

    # The changed sources as they are now: their groups and the claims they name.
    with stages.stage("plan"):
        new = load_corpus(claims_dir, None, cache, only=[claims_dir / f"{s}.yml" for s in sorted(changed)],
                          elsewhere=(_all_claim_ids(db_path), set()))
        new_claims = [claim for _, claim in new.claims()]
        named = {ref.claim for claim in new_claims for ref in (*claim.relations, *claim.reviewed)}

        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            temporary_ids(conn, "edited", changed | removed)
            groups = group_keys_of(new_claims, units) | set(conn.execute("""
                select figures.kind, figures.subject_id, figures.measure_id, figures.unit
                  from claims join figures on figures.id = claims.figure_id
                 where claims.source_id in temp.edited
            """).fetchall())
            mark_affected(conn, groups)
            temporary_groups(conn, "compared", with_relatives(groups, parents))
            needed = {row[0] for row in conn.execute(f"""
                select source_id from claims where figure_id in ({FIGURES_IN.format(groups='compared')})
                 union
                select claims.source_id from claims join (
                    select claim_id as id from declared_relations where claim_id in temp.affected or other_claim_id in temp.affected
                     union select other_claim_id from declared_relations where claim_id in temp.affected or other_claim_id in temp.affected
                     union select claim_id from reviews where claim_id in temp.affected or other_claim_id in temp.affected
                     union select other_claim_id from reviews where claim_id in temp.affected or other_claim_id in temp.affected
                ) as linked on linked.id = claims.id
            """)}
            temporary_ids(conn, "named", named)
            needed |= {row[0] for row in conn.execute("select source_id from claims where id in temp.named")}
            read = sorted((needed | changed) - removed)
            temporary_ids(conn, "read", set(read) | removed)
            elsewhere = {row[0] for row in conn.execute("select id from claims where source_id not in temp.read")}
            withdrawn = {row[0] for row in conn.execute("select id from claims where withdrawn and source_id not in temp.read")}
        finally:
            conn.close()

    # The sources read again, checked as a full build checks them, against the ids of the rest.
    corpus = load_corpus(claims_dir, stages, cache, jobs=jobs, only=[claims_dir / f"{s}.yml" for s in read],
                         elsewhere=(elsewhere, withdrawn), checkpoint=checkpoint)
    if elsewhere & {claim.id for _, claim in corpus.claims()}:
        raise ProblemsFound([])  # an id given twice: the full check says where
    rows = rows_for(corpus, stages)

    with replacing(db_path, stop_point, alongside) as tmp:
        with stages.stage("copy"):
            shutil.copyfile(db_path, tmp)
        db = scratch_database(tmp)
        conn = db.conn
        stop_point("schema")
        with stages.stage("write", total=len(TABLES)) as advance, conn:
            temporary_ids(conn, "edited", changed | removed)
            mark_affected(conn, groups)
            new_figures = {figure.id for figure in corpus.relations.figures.values() if figure.group in groups}
            edited_claims = {claim.id for source, claim in corpus.claims() if source.id in changed}
            affected = edited_claims | {claim.id for _, claim in corpus.claims() if corpus.relations.figure_of.get(claim.id) in new_figures}
            fts = {table.name: table.fts for table in TABLES if table.fts}
            since = build_key(conn)
            keys = {table.name: ", ".join(f"[{column}]" for column in table.key_columns) for table in TABLES}
            changes: dict[str, set] = {table.name: set() for table in TABLES}

            def delete(name: str, where: str) -> None:
                changes[name].update(conn.execute(f"delete from [{name}] where {where} returning {keys[name]}").fetchall())

            # Out first, the full-text rows while the rows they index are still there ...
            for name, columns in fts.items():
                _delete_fts(conn, name, columns)
            for name in BY_CLAIM:
                delete(name, "claim_id in (select id from claims where source_id in temp.edited)")
            for name in BY_DECLARING_CLAIM:
                delete(name, "claim_id in temp.affected or other_claim_id in temp.affected")
            delete("figure_relations", "figure_id in temp.old_figures or other_figure_id in temp.old_figures")
            delete("figures", "id in temp.old_figures")
            for name, key in BY_SOURCE.items():
                delete(name, f"[{key}] in temp.edited")
            # ... then in, table by table in the order of a full build.
            for table in TABLES:
                name = table.name
                if name in BY_SOURCE:
                    key = BY_SOURCE[name]
                    kept = (row for row in rows[name] if row[key] in changed)
                elif name in BY_CLAIM:
                    kept = (row for row in rows[name] if row[0] in edited_claims)
                elif name in BY_DECLARING_CLAIM:
                    kept = (row for row in rows[name] if row[0] in affected or row[1] in affected)
                elif name == "figures":
                    kept = (row for row in rows[name] if row["id"] in new_figures)
                elif name == "figure_relations":
                    kept = (row for row in rows[name] if row[0] in new_figures or row[1] in new_figures)
                else:  # the shared tables: unchanged
                    kept = ()
                last = conn.execute(f"select ifnull(max(rowid), 0) from [{name}]").fetchone()[0]
                insert_rows(db, table, kept)
                changes[name].update(conn.execute(f"select {keys[name]} from [{name}] where rowid > ?", [last]).fetchall())
                stop_point(f"rows:{name}")
                advance(1)
            for name, columns in fts.items():
                _insert_fts(conn, name, columns)
            write_record(db, record(the_plan.inputs, since, changes))
        stop_point("fts")
        db.close()
    return corpus, read


def _all_claim_ids(db_path: Path) -> set:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {row[0] for row in conn.execute("select id from claims")}
    finally:
        conn.close()


def _delete_fts(conn, table: str, columns: list[str]) -> None:
    """Take the edited sources' rows out of the table's external-content
    full-text index (FTS5 needs the values it indexed to remove them)."""
    names = ", ".join(f"[{c}]" for c in columns)
    conn.execute(f"insert into [{table}_fts] ([{table}_fts], rowid, {names}) "
                 f"select 'delete', rowid, {names} from [{table}] where [{BY_SOURCE[table]}] in temp.edited")


def _insert_fts(conn, table: str, columns: list[str]) -> None:
    names = ", ".join(f"[{c}]" for c in columns)
    conn.execute(f"insert into [{table}_fts] (rowid, {names}) "
                 f"select rowid, {names} from [{table}] where [{BY_SOURCE[table]}] in temp.edited")
