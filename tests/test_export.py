"""`claimsdb export`: the database written back to claim files, so that files
→ database → files → database gives the same claims.db byte for byte: nothing
an editor enters is lost by the build. Checked on the seed corpus and on
corpora hypothesis generates (every claim kind, relations, repeated quotes,
explicit intervals, not-a-claim marks, typography YAML must quote)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimsdb.db import write_database
from claimsdb.export import export_database
from claimsdb.load import load_corpus

from .conftest import CLAIMS_DIR

SCHEMAS = {"agents.yml": "agents", "subjects.yml": "subjects", "measures.yml": "measures"}


def build(root: Path) -> bytes:
    """Build root/claims into root/claims.db from root, as `claimsdb build` does."""
    with contextlib.chdir(root):
        return write_database(load_corpus(Path("claims")), Path("claims.db")).read_bytes()


def round_trip(first: Path, second: Path) -> tuple[bytes, bytes, list[str]]:
    before = build(first)
    moved = export_database(first / "claims.db", second / "claims")
    return before, build(second), moved


def test_the_seed_corpus_survives_files_database_files_database(tmp_path):
    shutil.copytree(CLAIMS_DIR, tmp_path / "a" / "claims")
    before, after, moved = round_trip(tmp_path / "a", tmp_path / "b")
    assert moved == []
    assert before == after
    # ... and the exported files are a fixed point of the export.
    export_database(tmp_path / "b" / "claims.db", tmp_path / "c" / "claims")
    for path in sorted((tmp_path / "b" / "claims").rglob("*.*")):
        assert path.read_bytes() == (tmp_path / "c" / "claims" / path.relative_to(tmp_path / "b" / "claims")).read_bytes(), path.name


def test_exported_files_name_their_schema_and_keep_the_archives(tmp_path):
    shutil.copytree(CLAIMS_DIR, tmp_path / "a" / "claims")
    round_trip(tmp_path / "a", tmp_path / "b")
    for path in (tmp_path / "b" / "claims").glob("*.yml"):
        schema = SCHEMAS.get(path.name, "source")
        assert path.read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema=../schema/{schema}.schema.json"
    for archive in (CLAIMS_DIR / "sources").glob("*.txt"):
        assert (tmp_path / "b" / "claims" / "sources" / archive.name).read_bytes() == archive.read_bytes()


def test_export_refuses_a_directory_with_files_and_a_missing_database(workdir, claimsdb):
    result = claimsdb("export", "claims")
    assert result.exit_code == 1
    assert result.stderr == "claims.db:1: the database does not exist — run `claimsdb build` first, or give --db\n1 problem(s); nothing was written.\n"
    assert claimsdb("build").exit_code == 0
    result = claimsdb("export", "claims")
    assert result.exit_code == 1
    assert result.stderr == "claims:1: the directory is not empty — export into a new or empty directory; export never overwrites claim files\n1 problem(s); nothing was written.\n"
    result = claimsdb("export", "exported")
    assert result.exit_code == 0, result.output
    assert result.output == "Wrote 5 claim file(s) and their archives to exported.\n"


def test_a_line_the_export_cannot_keep_is_reported(workdir, claimsdb):
    # A relation declared before the claim's other fields: the export writes
    # fields first, so the relation cannot stay at its line.
    path = workdir / "claims" / "irannewsupdate-2021-officials-yet-to-face-accountability.yml"
    text = path.read_text(encoding="utf-8")
    declared = """    relations:
      - relation: contradicts
        claim: inu-executed-around-30000
        rationale: Iran News Update gives around 30,000 executed in its own voice and in the same sentence reports that some survivors believe the true figure is much higher.
"""
    assert declared in text
    text = text.replace(declared, "").replace("  - id: inu-survivors-toll-much-higher\n", "  - id: inu-survivors-toll-much-higher\n" + declared)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("      - relation: contradicts") + 1
    assert claimsdb("build").exit_code == 0
    result = claimsdb("export", "exported")
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"warning: claims/irannewsupdate-2021-officials-yet-to-face-accountability.yml:{line}: the relation of "
        "`inu-survivors-toll-much-higher` to `inu-executed-around-30000` is written at line "
    )
    assert result.stderr.endswith(" of the export — the original held more on fewer lines\n")


# Generated corpora ------------------------------------------------------------------

# Text an editor may type: YAML-significant characters, typography, accents,
# an emoji, a no-break space. Markers (§) are kept out so quotes stay unique.
TEXT = st.text(st.sampled_from(list("abcXY z09:#-'\"“”’,.—é\u00a0😀!?[]{}&*%@`|>")), min_size=1, max_size=24).filter(lambda s: s.strip() == s and s.strip())
SLUGS = st.text(st.sampled_from(list("abcdefgh")), min_size=3, max_size=8)
AGENT_KINDS = ["person", "organisation", "government-body", "intergovernmental-body", "ngo", "media-outlet", "court", "unnamed-group"]
MODES = ["own-voice", "quoted", "reported", "attributed-belief"]
READABLE_VALUES = ["around 30,000", "more than 5", "at least 36", "thousands", "tens of thousands", "between 10 and 20", "12", "fewer than 7", "up to 1,000"]
PERIODS = [("1988-07", "early 1988-09"), ("summer 1988", "summer 1988"), ("1988", "1990"), ("2021-08-04", "2021-08-04"), ("late 1988-07", "1988-09")]
RELATIONS = ["contradicts", "differs-in-scope", "corroborates", "refines"]
# Filler an archive holds besides the quotes: candidates for the coverage table.
FILLER = "In July 1988, more than 300 people were held. Some said it was genocide, according to reports.\n"


@st.composite
def claims_of(draw, n: int, prefix: str, agents, subjects, measures):
    claims = []
    for index in range(n):
        kind = draw(st.sampled_from(["quantity", "period", "characterisation", "role", "event", "demand"]))
        claim = {"id": f"{prefix}-{index}", "kind": kind, "subject": draw(st.sampled_from(subjects))}
        if kind == "quantity":
            claim["measure"] = draw(st.sampled_from(measures))
        claim |= {"speaker": draw(st.sampled_from(agents)), "mode": draw(st.sampled_from(MODES)), "statement": draw(TEXT)}
        if kind == "period" or draw(st.booleans()):
            start, end = draw(st.sampled_from(PERIODS))
            claim |= {"period": draw(TEXT), "start": start, "end": end}
        elif draw(st.booleans()):
            claim["period"] = draw(TEXT)  # as written, without bounds
        if kind == "quantity":
            if draw(st.booleans()):
                claim["value"] = draw(st.sampled_from(READABLE_VALUES))
            else:
                claim["value"] = draw(TEXT)
                low = draw(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)))
                high = draw(st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)))
                if low is None and high is None:
                    low = draw(st.floats(0, 1e6, allow_nan=False))
                if low is not None and high is not None and low > high:
                    low, high = high, low
                # Bounds are exact decimals of at most 15 significant digits.
                low, high = (None if v is None else round(v, 3) for v in (low, high))
                claim |= {k: v for k, v in (("low", low), ("high", high)) if v is not None}
                empty_if_excluded = high is not None and (low or 0) == high  # a single number, or zero for a count
                if low is not None and not empty_if_excluded and draw(st.booleans()):
                    claim["low_exclusive"] = True
                if high is not None and not empty_if_excluded and draw(st.booleans()):
                    claim["high_exclusive"] = True
        elif kind == "characterisation":
            claim |= {"label": draw(TEXT), "modality": draw(st.sampled_from(["is", "meets-criteria", "may-amount-to", "denies"]))}
        elif kind == "role":
            claim |= {"agent": draw(st.sampled_from(agents)), "role": draw(TEXT)}
        elif kind == "demand":
            claim["demand"] = draw(TEXT)
            if draw(st.booleans()):
                claim["addressed_to"] = draw(TEXT)
        for optional in ("note", "withdrawn"):
            if draw(st.integers(0, 3)) == 0:
                claim[optional] = draw(TEXT)
        claims.append(claim)
    return claims


@st.composite
def corpora(draw):
    agent_ids = sorted(draw(st.sets(SLUGS, min_size=2, max_size=4)))
    agents = []
    for agent_id in agent_ids:
        agent = {"id": agent_id, "name": draw(TEXT), "kind": draw(st.sampled_from(AGENT_KINDS))}
        if draw(st.booleans()):
            agent["aliases"] = draw(st.lists(TEXT, max_size=2))
        if draw(st.booleans()):
            agent["description"] = draw(TEXT)
        others = [a for a in agent_ids if a != agent_id]
        affiliations = draw(st.lists(st.tuples(st.sampled_from(others), TEXT), max_size=2, unique=True))
        if affiliations:
            agent["affiliations"] = [{"agent": other, "role": role, **({"note": draw(TEXT)} if draw(st.booleans()) else {})} for other, role in affiliations]
        agents.append(agent)
    subject_ids = [f"subject-{n}" for n in range(draw(st.integers(1, 3)))]
    subjects = [{"id": s, "name": draw(TEXT), "kind": draw(st.sampled_from(["event", "place", "person", "document", "group", "topic"])),
                 **({"part_of": subject_ids[0]} if i and draw(st.booleans()) else {})} for i, s in enumerate(subject_ids)]
    measure_ids = [f"measure-{n}" for n in range(draw(st.integers(1, 2)))]
    measures = [{"id": m, "name": draw(TEXT), "unit": draw(st.sampled_from(["people", "cities", "months"])),
                 **({"description": draw(TEXT)} if draw(st.booleans()) else {})} for m in measure_ids]
    semantics = yaml.safe_load((CLAIMS_DIR / "measures.yml").read_text(encoding="utf-8"))["value_semantics"]
    semantics["about_tolerance"] = round(draw(st.floats(0.01, 0.5, allow_nan=False)), 4)
    semantics["vague_quantities"].append({"wording": "scores", "low": round(draw(st.floats(20, 40)), 3), "high": draw(st.one_of(st.none(), st.floats(50, 500).map(lambda v: round(v, 3)))), "description": draw(TEXT)})
    sources = []
    all_claims = []
    for s in range(draw(st.integers(1, 2))):
        claims = draw(claims_of(draw(st.integers(0, 5)), f"c{s}", agent_ids, subject_ids, measure_ids))
        # Each claim's quote is unique in the archive, or a repeated phrase with its occurrence.
        pieces = [FILLER]
        for index, claim in enumerate(claims):
            if draw(st.integers(0, 3)) == 0:
                claim["quote"] = "§same§ words"
                claim["occurrence"] = draw(st.integers(1, 2))
            else:
                claim["quote"] = f"§{index}§ {draw(TEXT)}"
                pieces.append(claim["quote"] + "\n")
        pieces += ["§same§ words once.\n", "§same§ words twice.\n", "Exit mobile version\n"]
        text = "".join(pieces)
        not_claims = [{"text": "Exit mobile version", "reason": draw(TEXT)}] if draw(st.booleans()) else []
        if draw(st.booleans()):
            not_claims.append({"text": "§same§ words", "reason": draw(TEXT), "occurrence": 2})
        source = {"id": f"source-{s}", "title": draw(TEXT), "url": f"https://example.org/{s}", "publisher": draw(st.sampled_from(agent_ids))}
        for key, values in (("credited_to", agent_ids + [agent_ids[:2]]), ("published", ["2021", "2021-09", "2021-09-03"]), ("retrieved", ["2024-01-02"]),
                            ("host", agent_ids), ("archived_url", ["https://web.archive.org/web/2021/https://example.org/"])):
            if draw(st.booleans()):
                source[key] = draw(st.sampled_from(values))
        if "host" in source and draw(st.booleans()):
            source["hosted"] = "2022-01"
        if "published" not in source and draw(st.booleans()):
            source |= {"published_not_before": "2022-08", **({"published_not_after": "2023"} if draw(st.booleans()) else {}), "undated": True}
        credited = source.get("credited_to", [])
        for claim in claims:
            # Joint speakers and chains of attribution; the own voice is the publisher's or a credited agent's.
            if claim["mode"] == "own-voice":
                claim["speaker"] = draw(st.sampled_from([source["publisher"], *([credited] if isinstance(credited, str) else credited)]))
            elif draw(st.booleans()):
                claim.pop("speaker")
                claim["speakers"] = agent_ids[:2]
            if draw(st.booleans()):
                claim["via"] = [{"agent": draw(st.sampled_from(agent_ids)), "how": draw(st.sampled_from(["cites", "quotes", "reports"])),
                                 **({"note": draw(TEXT)} if draw(st.booleans()) else {})} for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            source["published_note"] = draw(TEXT)
        # The generated values are English wordings, read with the English table
        # (French has no wordings of its own); Persian is round-tripped in test_translations.
        source |= {"language": draw(st.sampled_from(["en", "fr", "en-GB"])), "archive": f"sources/source-{s}.txt", "sha256": None}
        if not_claims:
            source["not_claims"] = not_claims
        source["claims"] = claims
        sources.append((source, text))
        all_claims += claims
    # Relations between distinct pairs; none to a withdrawn claim from a current one.
    pairs = set()
    for claim in all_claims:
        for other in draw(st.lists(st.sampled_from(all_claims), max_size=2)) if len(all_claims) > 1 else []:
            pair = frozenset((claim["id"], other["id"]))
            if other is claim or pair in pairs or (other.get("withdrawn") and not claim.get("withdrawn")):
                continue
            pairs.add(pair)
            claim.setdefault("relations", []).append({"relation": draw(st.sampled_from(RELATIONS)), "claim": other["id"], "rationale": draw(TEXT)})
    return {"agents": agents, "subjects": subjects, "measures": measures, "value_semantics": semantics,
            "sources": sources, "blank_lines": draw(st.lists(st.integers(0, 2), min_size=40, max_size=40))}


def dump(data) -> str:
    # PyYAML's own style (folding long strings over several lines), unlike
    # the export's, so the round trip does not test a writer against itself.
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=40)


def spaced(text: str, blanks: list[int]) -> str:
    """Blank lines and comments between the claims, as editors leave them."""
    out, n = [], 0
    for line in text.splitlines():
        if line.startswith("- id: c"):
            out += [""] * blanks[n % len(blanks)] + (["# an editor's comment"] if blanks[n % len(blanks)] == 2 else [])
            n += 1
        out.append(line)
    return "\n".join(out) + "\n"


def write_corpus(corpus: dict, claims_dir: Path) -> None:
    import hashlib

    (claims_dir / "sources").mkdir(parents=True)
    (claims_dir / "agents.yml").write_text("# people\n" + dump({"agents": corpus["agents"]}), encoding="utf-8")
    (claims_dir / "subjects.yml").write_text(dump({"subjects": corpus["subjects"]}), encoding="utf-8")
    (claims_dir / "measures.yml").write_text(dump({"measures": corpus["measures"], "value_semantics": corpus["value_semantics"]}), encoding="utf-8")
    for source, text in corpus["sources"]:
        (claims_dir / source["archive"]).write_text(text, encoding="utf-8")
        source = dict(source, sha256=hashlib.sha256(text.encode()).hexdigest())
        (claims_dir / f"{source['id']}.yml").write_text("# a source\n\n" + spaced(dump(source), corpus["blank_lines"]), encoding="utf-8")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(corpus=corpora())
def test_generated_corpora_survive_files_database_files_database(tmp_path_factory, corpus):
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(corpus, root / "a" / "claims")
    before, after, moved = round_trip(root / "a", root / "b")
    assert moved == []
    assert before == after


def test_export_refuses_a_database_without_the_whole_contract(workdir, claimsdb):
    import sqlite3

    assert claimsdb("build").exit_code == 0
    conn = sqlite3.connect(workdir / "claims.db")
    conn.execute("drop table not_claims")
    conn.commit()
    conn.close()
    result = claimsdb("export", "exported")
    assert result.exit_code == 1
    assert result.stderr == (
        "claims.db:1: the database lacks not_claims.source_id, not_claims.text, not_claims.reason and 5 more of the SQL contract "
        "(not a claims.db, or built by an older claimsdb) — run `claimsdb build` to rebuild it from the claim files\n"
        "1 problem(s); nothing was written.\n"
    )
    assert not (workdir / "exported").exists()
