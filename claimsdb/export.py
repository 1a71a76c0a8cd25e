"""Write a built database back to claim files: `claimsdb export DIR`.

Everything an editor enters is in the database (the SQL contract holds each
field of every file), so the files can be written back from it, and building
them again gives the same database byte for byte. Comments and the order of
keys are not data and are not kept: the export writes the house order.

Claims, relations and not-a-claim marks keep their line: the database records
`path:line` for each, so the export places each at the line it came from
(padding with blank lines). A line it cannot keep, because the original held
more on fewer lines, is reported.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .yamlfile import scalar

SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/{}.schema.json"
CLAIM_FIELDS = [
    # (key in the file, column of claims)
    ("id", "id"), ("kind", "kind"), ("subject", "subject_id"), ("measure", "measure_id"), ("speaker", "speaker_id"),
    ("mode", "mode"), ("statement", "statement"), ("quote", "quote"), ("occurrence", "occurrence"),
    ("period", "period_text"), ("calendar", "period_calendar"), ("start", "period_start_bound"), ("end", "period_end_bound"), ("value", "value_text"),
]
CLAIM_FIELDS_AFTER = [
    ("label", "label"), ("modality", "modality"), ("agent", "role_agent_id"), ("role", "role"), ("demand", "demand"),
    ("addressed_to", "addressed_to"), ("scope", "scope"), ("note", "note"), ("withdrawn", "withdrawn"), ("revision", "revision"),
]


@dataclass
class Lines:
    """A file being written, line by line, that can place an item at a line."""

    path: str
    lines: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)

    @property
    def next(self) -> int:
        return len(self.lines) + 1

    def at(self, line: int | None, what: str) -> None:
        """Pad with blank lines so the next line written is ``line``."""
        if line is None:
            return
        if line < self.next:
            self.moved.append(f"{self.path}:{line}: {what} is written at line {self.next} of the export — the original held more on fewer lines")
        while self.next < line:
            self.lines.append("")

    def mapping(self, fields: list[tuple[str, object]], indent: int, item: bool = False) -> None:
        """key: value lines; the first as a list item ('- ') when ``item``;
        a dict value as a nested mapping."""
        for index, (key, value) in enumerate(fields):
            lead = " " * indent + ("- " if item and index == 0 else "  " if item else "")
            if isinstance(value, dict):
                self.lines.append(f"{lead}{key}:")
                self.mapping(list(value.items()), indent + (4 if item else 2))
                continue
            self.lines.append(f"{lead}{key}: {scalar(value)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def language_of(row) -> list[tuple[str, str]]:
    """A wording's language, written only when it is not the default English."""
    return [("language", row["language"])] if row["language"] != "en" else []


def present(pairs) -> list[tuple[str, object]]:
    return [(key, value) for key, value in pairs if value is not None]


def rows(conn: sqlite3.Connection, sql: str, params=()) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def agents_file(conn) -> str:
    out = Lines("agents.yml", [SCHEMA_COMMENT.format("agents"), "agents:"])
    for agent in rows(conn, "select * from agents order by rowid"):
        out.mapping(present([("id", agent["id"]), ("name", agent["name"]), ("kind", agent["kind"]), ("description", agent["description"])]), 2, item=True)
        aliases = json.loads(agent["aliases"] or "[]")
        if aliases:
            out.lines.append("    aliases:")
            out.lines += [f"      - {scalar(alias)}" for alias in aliases]
        affiliations = rows(conn, "select * from agent_affiliations where agent_id = ? order by rowid", [agent["id"]])
        if affiliations:
            out.lines.append("    affiliations:")
            for affiliation in affiliations:
                out.mapping(present([("agent", affiliation["affiliated_with_id"]), ("role", affiliation["role"]), ("note", affiliation["note"])]), 6, item=True)
    if out.lines[-1] == "agents:":
        out.lines[-1] = "agents: []"
    return out.text()


def subjects_file(conn) -> str:
    out = Lines("subjects.yml", [SCHEMA_COMMENT.format("subjects"), "subjects:"])
    for subject in rows(conn, "select * from subjects order by rowid"):
        out.mapping(present([("id", subject["id"]), ("name", subject["name"]), ("kind", subject["kind"]),
                             ("description", subject["description"]), ("part_of", subject["part_of_id"])]), 2, item=True)
    if out.lines[-1] == "subjects:":
        out.lines[-1] = "subjects: []"
    return out.text()


def comparator_notation(published: str) -> str:
    """The interval as measures.yml writes it, from its published form
    (the inverse of db.comparator_interval_text)."""
    notation = published.split(" with ")[0]
    return notation.replace("n - t", "n-t").replace("n + t", "n+t").replace("∞", "inf").replace("r × n", "r*n").replace("n ÷ r", "n/r")


def measures_file(conn) -> str:
    out = Lines("measures.yml", [SCHEMA_COMMENT.format("measures"), "measures:"])
    for measure in rows(conn, "select * from measures order by rowid"):
        out.mapping(present([("id", measure["id"]), ("name", measure["name"]), ("unit", measure["unit"]), ("description", measure["description"])]), 2, item=True)
    if out.lines[-1] == "measures:":
        out.lines[-1] = "measures: []"
    semantics = rows(conn, "select * from value_semantics order by rowid")
    comparators = [row for row in semantics if row["category"] == "comparator"]
    out.lines += ["value_semantics:", f"  about_tolerance: {scalar(comparators[0]['tolerance'])}",
                  f"  suggestion_ratio: {scalar(comparators[0]['ratio'])}", "  comparators:"]
    # Consecutive wordings of one comparator were one entry of the file.
    groups: list[list[sqlite3.Row]] = []
    for row in comparators:
        same = ("name", "language", "interval", "suggests", "description")
        if groups and [groups[-1][0][key] for key in same] == [row[key] for key in same]:
            groups[-1].append(row)
        else:
            groups.append([row])
    for group in groups:
        out.lines.append(f"    - comparator: {scalar(group[0]['name'])}")
        if group[0]["language"] != "en":
            out.lines.append(f"      language: {scalar(group[0]['language'])}")
        out.lines.append("      wordings:")
        out.lines += [f"        - {scalar(row['wording'])}" for row in group]
        suggests = group[0]["suggests"] and comparator_notation(group[0]["suggests"])
        out.mapping(present([("interval", comparator_notation(group[0]["interval"])), ("suggests", suggests), ("description", group[0]["description"])]), 6)
    multipliers = [row for row in semantics if row["category"] == "multiplier"]
    out.lines.append("  multipliers:" + ("" if multipliers else " []"))
    for row in multipliers:
        out.mapping([("wording", row["wording"]), *language_of(row), ("factor", row["factor"])], 4, item=True)
    vague = [row for row in semantics if row["category"] == "vague-quantity"]
    out.lines.append("  vague_quantities:" + ("" if vague else " []"))
    for row in vague:
        out.mapping(present([("wording", row["wording"]), *language_of(row), ("low", row["low"]), ("high", row["high"]), ("suggested_low", row["suggested_low"]),
                             ("suggested_high", row["suggested_high"]), ("description", row["description"])]), 4, item=True)
    qualifiers = [row for row in semantics if row["category"] == "period-qualifier"]
    out.lines.append("  period_qualifiers:" + ("" if qualifiers else " []"))
    for row in qualifiers:
        calendar = [("calendar", row["calendar"])] if row["calendar"] != "gregorian" else []
        out.mapping([("qualifier", row["wording"]), ("applies_to", row["applies_to"]), ("first", row["first"]), ("last", row["last"]), *calendar, ("description", row["description"])], 4, item=True)
    return out.text()


def claim_fields(claim: sqlite3.Row, speakers: list[str], chain: list[dict]) -> list[tuple[str, object]]:
    # The Gregorian calendar is the default, written only when another is meant.
    fields = present((key, claim[column]) for key, column in CLAIM_FIELDS if (key, claim[column]) != ("calendar", "gregorian"))
    if len(speakers) > 1:  # a joint statement
        fields = [("speakers", speakers) if key == "speaker" else (key, value) for key, value in fields]
    if claim["translation"] is not None:
        translation = dict(present([("text", claim["translation"]), ("by", claim["translated_by"]), ("published_in", claim["translation_published_in"])]))
        at = next(i for i, (key, _) in enumerate(fields) if key in ("quote", "occurrence")) + 1
        at += fields[at][0] == "occurrence" if at < len(fields) else 0
        fields.insert(at, ("translation", translation))
    if chain:
        fields.append(("via", chain))
    if claim["value_rule"] == "explicit":
        # The editor gave the interval; value_low/value_high hold it as given.
        # A count starts at zero: `low: 0` below a `high` is what the editor left out.
        implied_zero = claim["value_low"] == 0 and claim["value_low_inclusive"] == 1 and claim["value_high"] is not None
        fields += present([("low", None if implied_zero else claim["value_low"]), ("high", claim["value_high"])])
        if claim["value_low"] is not None and claim["value_low_inclusive"] == 0:
            fields.append(("low_exclusive", True))
        if claim["value_high"] is not None and claim["value_high_inclusive"] == 0:
            fields.append(("high_exclusive", True))
    return fields + present((key, claim[column]) for key, column in CLAIM_FIELDS_AFTER)


def source_file(conn, source: sqlite3.Row) -> Lines:
    credited = [row[0] for row in conn.execute("select agent_id from source_credits where source_id = ? order by position", [source["id"]])]
    # The database names the file as its claims directory does; warnings as a
    # reader of the project sees it, under claims/ (as the pages do).
    out = Lines(f"claims/{source['path']}", [SCHEMA_COMMENT.format("source")])
    out.mapping(present([
        ("id", source["id"]), ("title", source["title"]), ("url", source["url"]), ("publisher", source["publisher_id"]),
        ("credited_to", credited[0] if len(credited) == 1 else credited or None), ("host", source["host_id"]), ("hosted", source["hosted"]),
        ("published_calendar", source["published_calendar"]), ("published", source["published"]), ("published_not_before", source["published_not_before"]),
        ("published_not_after", source["published_not_after"]), ("undated", True if source["undated"] else None),
        ("published_note", source["published_note"]), ("retrieved", source["retrieved"]), ("excerpt", source["excerpt"]), ("archived_url", source["archived_url"]), ("language", source["language"]), ("archive", source["archive"]), ("sha256", source["sha256"]),
        ("original", source["original"]), ("original_sha256", source["original_sha256"]), ("original_format", source["original_format"]),
        ("extractor", source["extractor"]), ("original_characters", source["original_characters"]),
        ("pages", json.loads(source["pages"]) if source["pages"] else None),
    ]), 0)
    revisions = rows(conn, "select * from source_revisions where source_id = ? order by revision", [source["id"]])
    if revisions:
        out.lines.append("revisions:")
        for revision in revisions:
            out.mapping(present([(key, json.loads(revision[key]) if key == "pages" and revision[key] else revision[key])
                                 for key in ("archive", "sha256", "original", "original_sha256", "original_format", "extractor", "original_characters", "pages", "retrieved", "replaced")]), 2, item=True)
    not_claims = rows(conn, "select * from not_claims where source_id = ? order by line", [source["id"]])
    if not_claims:
        out.lines.append("not_claims:")
        for mark in not_claims:
            out.at(mark["line"], f"the not-a-claim mark {mark['text']!r}")
            out.mapping(present([("text", mark["text"]), ("reason", mark["reason"]), ("occurrence", mark["occurrence"])]), 2, item=True)
    claims = rows(conn, "select * from claims where source_id = ? order by line, rowid", [source["id"]])
    out.lines.append("claims:" if claims else "claims: []")
    for claim in claims:
        out.at(claim["line"], f"claim `{claim['id']}`")
        speakers = [row[0] for row in conn.execute("select speaker_id from claim_speakers where claim_id = ? order by position", [claim["id"]])]
        chain = [{key: link[key] for key in ("agent", "how", "note") if link[key] is not None}
                 for link in rows(conn, "select agent_id as agent, how, note from claim_chain where claim_id = ? order by position", [claim["id"]])]
        out.mapping(claim_fields(claim, speakers, chain), 2, item=True)
        hedges = json.loads(claim["hedges"] or "[]")
        if hedges:
            out.lines.append("    hedges:")
            out.lines += [f"      - {scalar(hedge)}" for hedge in hedges]
        relations = rows(conn, "select * from declared_relations where claim_id = ? order by line", [claim["id"]])
        if relations:
            out.lines.append("    relations:")
            for relation in relations:
                out.at(relation["line"], f"the relation of `{claim['id']}` to `{relation['other_claim_id']}`")
                out.mapping([("relation", relation["relation"]), ("claim", relation["other_claim_id"]), ("rationale", relation["rationale"])], 6, item=True)
        reviews = rows(conn, "select * from reviews where claim_id = ? order by line", [claim["id"]])
        if reviews:
            out.lines.append("    reviewed:")
            for review in reviews:
                out.at(review["line"], f"the review of `{claim['id']}` and `{review['other_claim_id']}`")
                out.mapping([("claim", review["other_claim_id"]), ("rationale", review["rationale"])], 6, item=True)
    return out


def missing_contract(db_path: Path | str) -> list[str]:
    """The tables and columns of the SQL contract the file lacks (all of them
    when it is not a SQLite database): a database built by an older claimsdb."""
    from .tables import TABLES

    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
        try:
            present = {table.name: {row[1] for row in conn.execute(f"pragma table_info([{table.name}])")} for table in TABLES}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return [table.name for table in TABLES]
    return [f"{table.name}.{column.name}" for table in TABLES for column in table.columns if column.name not in present[table.name]]


def export_database(db_path: Path | str, out_dir: Path | str) -> list[str]:
    """Write the claim files of the database at ``db_path`` into ``out_dir``;
    returns the lines it could not keep (see Lines.at)."""
    out_dir = Path(out_dir)
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        (out_dir / "sources").mkdir(parents=True, exist_ok=True)
        (out_dir / "agents.yml").write_text(agents_file(conn), encoding="utf-8")
        (out_dir / "subjects.yml").write_text(subjects_file(conn), encoding="utf-8")
        (out_dir / "measures.yml").write_text(measures_file(conn), encoding="utf-8")
        moved = []
        for source in rows(conn, "select * from sources order by rowid"):
            # The archive is written byte for byte: the build refused any
            # text that UTF-8 encoding would not give back exactly.
            (out_dir / source["archive"]).write_bytes(source["text"].encode("utf-8"))
            for revision in rows(conn, "select archive, text from source_revisions where source_id = ?", [source["id"]]):
                (out_dir / revision["archive"]).write_bytes(revision["text"].encode("utf-8"))
            written = source_file(conn, source)
            (out_dir / f"{source['id']}.yml").write_text(written.text(), encoding="utf-8")
            moved += written.moved
            if source["original"]:
                # Originals are evidence kept beside the claim files, not in the database.
                moved.append(f"claims/{source['path']}: the original {source['original']} is not in the database — copy claims/{source['original']} "
                             f"to {out_dir / source['original']} for the export to check")
        return moved
    finally:
        conn.close()
