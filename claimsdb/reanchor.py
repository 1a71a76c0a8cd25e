"""`claimsdb reanchor SOURCE FILE`: a newer capture of a known document.

Every quote of the source (and every not-a-claim text) is looked for in the
new capture's working text. An exact match that is as unique as it was
(once, or the same occurrence among as many) is `moved`, with its new
offsets. Anything else is `proposed` with candidate passages, each with a
similarity score (rapidfuzz's partial ratio, 0 to 100) and the margin to the
next candidate, or `orphaned` when no passage is similar enough. A quote
never moves to a look-alike: only an editor can change a quote.

Nothing is written unless ``apply`` is given; then the new capture becomes
the source's current one, the old capture is kept as a revision of the same
source (its text, original and hashes under `revisions:`), moved quotes
anchor in the new text, and every quote that did not move exactly is kept
anchored where it was (`revision: N`), for an editor to decide.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from . import quotes
from .yamlfile import yaml_quoted
from .problems import Problem, ProblemsFound

# A passage at least this similar (rapidfuzz partial ratio) is proposed;
# below it the quote is orphaned. 80 keeps a quote with one word in ten
# changed, and drops passages that only share common words.
PROPOSE_AT = 80.0
CANDIDATES = 3
# The keys of the current capture in a source file, in the order add-source writes them.
CAPTURE_KEYS = ["archive", "sha256", "original", "original_sha256", "original_format", "extractor", "original_characters", "pages"]


@dataclass
class Candidate:
    start: int
    end: int
    score: float


@dataclass
class Anchoring:
    what: str  # "claim" or "not-claim"
    name: str  # the claim's id, or the not-a-claim text
    index: int  # position in the source file's list
    status: str  # moved, proposed or orphaned
    old: quotes.Span
    new: quotes.Span | None = None
    candidates: list[Candidate] = field(default_factory=list)
    margin: float | None = None
    best: float | None = None  # orphaned: the best similarity found


def windows(text: str, lines_per_window: int) -> list[tuple[int, str]]:
    """(start, text) of every run of ``lines_per_window`` consecutive lines."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n" and i + 1 < len(text)]
    found = []
    for index, start in enumerate(starts):
        end_index = index + lines_per_window
        end = starts[end_index] - 1 if end_index < len(starts) else len(text)
        if text[start:end].strip():
            found.append((start, text[start:end]))
    return found


def similar_passages(text: str, words: str) -> list[Candidate]:
    """Passages of ``text`` most like ``words``, best first, overlapping ones merged."""
    from rapidfuzz import fuzz, process

    pieces = windows(text, words.count("\n") + 1)
    if not pieces:
        return []
    best = process.extract(words, [piece for _, piece in pieces], scorer=fuzz.partial_ratio, limit=CANDIDATES * 3)
    found: list[Candidate] = []
    for _, score, index in best:
        start, piece = pieces[index]
        alignment = fuzz.partial_ratio_alignment(words, piece)
        span = Candidate(start + alignment.dest_start, start + alignment.dest_end, round(score, 1))
        if not any(span.start < other.end and other.start < span.end for other in found):
            found.append(span)
    return found[:CANDIDATES]


def anchor(text: str, old_text: str, words: str, occurrence: int | None, what: str, name: str, index: int, old: quotes.Span) -> Anchoring:
    found = quotes.occurrences(text, words)
    before = quotes.occurrences(old_text, words)
    if occurrence is None and len(found) == 1:
        return Anchoring(what, name, index, "moved", old, quotes.Span(found[0], found[0] + len(words)))
    if occurrence is not None and len(found) == len(before) and occurrence <= len(found):
        start = found[occurrence - 1]
        return Anchoring(what, name, index, "moved", old, quotes.Span(start, start + len(words)))
    if found:  # exact, but no longer as unique as it was: which one is meant is the editor's call
        candidates = [Candidate(start, start + len(words), 100.0) for start in found[:CANDIDATES]]
        return Anchoring(what, name, index, "proposed", old, candidates=candidates, margin=0.0)
    candidates = similar_passages(text, words)
    if not candidates or candidates[0].score < PROPOSE_AT:
        return Anchoring(what, name, index, "orphaned", old, best=candidates[0].score if candidates else 0.0)
    kept = [c for c in candidates if c.score >= PROPOSE_AT]
    margin = candidates[0].score - candidates[1].score if len(candidates) > 1 else candidates[0].score
    return Anchoring(what, name, index, "proposed", old, candidates=kept, margin=round(margin, 1))


def anchorings(corpus, source, new_text: str) -> list[Anchoring]:
    old_text = corpus.texts[source.id]
    found = []
    for index, claim in enumerate(source.claims):
        if claim is None or claim.revision is not None:
            continue  # a quote of an earlier capture stays where it is
        found.append(anchor(new_text, old_text, claim.quote, claim.occurrence, "claim", claim.id, index, corpus.spans[claim.id]))
    for index, marked in enumerate(corpus.not_claims.get(source.id, [])):
        found.append(anchor(new_text, old_text, marked.not_claim.text, marked.not_claim.occurrence, "not-claim", marked.not_claim.text, index, marked.span))
    return found


def describe(result: Anchoring, text: str) -> list[str]:
    """The report of one quote: its status line, then one line per candidate."""
    name = f"claim {result.name}" if result.what == "claim" else f"not-a-claim text {result.name!r}"
    if result.status == "moved":
        return [f"moved {name}: {result.old.start}–{result.old.end} → {result.new.start}–{result.new.end}"]
    if result.status == "orphaned":
        return [f"orphaned {name}: no passage of the new capture is similar enough (best similarity {result.best:g}, under {PROPOSE_AT:g})"]
    head = f"proposed {name}: {len(result.candidates)} candidate(s), margin {result.margin:g} to the next"
    lines = [head]
    for candidate in result.candidates:
        lines.append(f"    similarity {candidate.score:g} at {candidate.start}–{candidate.end}: {yaml_quoted(text[candidate.start:candidate.end])}")
    return lines


# Applying -----------------------------------------------------------------------


def top_level_lines(lines: list[str]) -> dict[str, int]:
    """Index of the line of each top-level key (YAML written one key a line)."""
    found = {}
    for number, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith(("#", "-")) and ":" in line:
            found.setdefault(line.split(":", 1)[0], number)
    return found


def block_end(lines: list[str], start: int) -> int:
    """The line after the block that the top-level key at ``start`` opens."""
    end = start + 1
    while end < len(lines) and (not lines[end] or lines[end][0].isspace() or lines[end].startswith("-") or lines[end].startswith("#")):
        end += 1
    return end


def edited_source_file(text: str, source, parsed, results: list[Anchoring], capture: dict, revision: dict, number: int) -> tuple[str, list[str]]:
    """The source file with the new capture current, the old one under
    `revisions:`, and `revision: N` on every claim that did not move; and
    what was dropped (not-a-claim marks that did not move)."""
    from .yamlfile import scalar

    lines = text.split("\n")
    dropped = []
    keep_at_revision = {r.index for r in results if r.what == "claim" and r.status != "moved"}
    drop_marks = {r.index for r in results if r.what == "not-claim" and r.status != "moved"}
    # Bottom up, so earlier line numbers stay right.
    edits: list[tuple[int, str, object]] = []  # (line index, action, payload)
    for index in keep_at_revision:
        line = parsed.line_of(("claims", index, "id")) - 1
        indent = len(lines[line]) - len(lines[line].lstrip(" -"))
        edits.append((line + 1, "insert", [" " * indent + f"revision: {number - 1}"]))
    for index in drop_marks:
        start = parsed.line_of(("not_claims", index)) - 1
        dash = len(lines[start]) - len(lines[start].lstrip(" "))
        end = start + 1
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > dash):
            end += 1
        edits.append((start, "delete", end))
        dropped.append(source.not_claims[index].text)
    keys = top_level_lines(lines)
    capture_lines = [keys[key] for key in CAPTURE_KEYS + ["retrieved"] if key in keys]
    for line in capture_lines:
        edits.append((line, "delete", line + 1))
    first = min(capture_lines)
    edits.append((first, "insert", [f"{key}: {scalar(value)}" for key, value in capture.items() if value is not None]))
    item = [f"{key}: {scalar(value)}" for key, value in revision.items() if value is not None]
    item = ["  - " + item[0]] + ["    " + line for line in item[1:]]
    if "revisions" in keys:
        edits.append((block_end(lines, keys["revisions"]), "insert", item))
    else:
        at = keys.get("not_claims", keys.get("claims", len(lines)))
        edits.append((at, "insert", ["revisions:"] + item))
    for line, action, payload in sorted(edits, key=lambda e: (e[0], e[1] == "delete"), reverse=True):
        if action == "delete":
            del lines[line:payload]
        else:
            lines[line:line] = payload
    return "\n".join(lines), dropped


def flow_mapping_problems(text: str, parsed, shown: str, results: list[Anchoring], source, number: int) -> list[Problem]:
    """One problem for each claim that stays anchored in the old capture but
    is written as a flow mapping (`- {id: ..., quote: ...}`): the source file
    is edited line by line, and a `revision:` line cannot go inside braces."""
    lines = text.split("\n")
    problems = []
    for index in sorted({r.index for r in results if r.what == "claim" and r.status != "moved"}):
        key_line = lines[parsed.line_of(("claims", index, "id")) - 1]
        before_key = key_line[:key_line.find("id")]
        if "{" in before_key or "[" in before_key:
            problems.append(Problem(
                shown, parsed.line_of(("claims", index)),
                f"claim `{source.claims[index].id}` is written as a flow mapping ({{...}}), and reanchor cannot add `revision: {number - 1}` to it line by line",
                "write the claim as a block mapping, one key a line, and run reanchor again: nothing was changed",
            ))
    return problems


def apply(corpus, source, results: list[Anchoring], prepared, retrieved: str | None) -> tuple[Path, list[str]]:
    """Make the new capture current; returns the rewritten source file and the dropped marks.
    ``prepared``: (text bytes, extraction or None, original bytes or None, original extension);
    ``retrieved``: when the new capture was retrieved, if known."""
    from .files import display_path
    from .load import load_corpus, read_file

    claims_dir = corpus.claims_dir
    yml = claims_dir / f"{source.id}.yml"
    problems: list[Problem] = []
    parsed = read_file(yml, problems, claims_dir)
    if parsed is None:
        raise ProblemsFound(problems)
    number = len(source.revisions) + 2  # the new capture's number: the current one becomes revision number - 1
    text = yml.read_text(encoding="utf-8")
    flow = flow_mapping_problems(text, parsed, display_path(yml), results, source, number)
    if flow:
        raise ProblemsFound(flow)
    data, extraction, original_bytes, extension = prepared
    archive = f"sources/{source.id}.{number}.txt"
    original = f"sources/originals/{source.id}.{number}{extension}" if extraction else None
    for relative in filter(None, (archive, original)):
        if (claims_dir / relative).exists():
            raise ProblemsFound([Problem(display_path(claims_dir / relative), 1, "the file for the new capture already exists", "move it away; reanchor never overwrites a file")])
    capture = {"retrieved": retrieved, "archive": archive, "sha256": quotes.sha256_of(data)}
    if extraction:
        capture |= {"original": original, "original_sha256": quotes.sha256_of(original_bytes), "original_format": extraction.format,
                    "extractor": extraction.extractor, "original_characters": extraction.original_characters, "pages": extraction.pages}
    revision = {key: getattr(source, key) for key in CAPTURE_KEYS}
    revision |= {"retrieved": source.retrieved, "replaced": datetime.date.today().isoformat()}
    edited, dropped = edited_source_file(text, source, parsed, results, capture, revision, number)
    written = [claims_dir / archive] + ([claims_dir / original] if original else [])
    (claims_dir / archive).write_bytes(data)
    if original:
        (claims_dir / original).parent.mkdir(parents=True, exist_ok=True)
        (claims_dir / original).write_bytes(original_bytes)
    yml.write_text(edited, encoding="utf-8")
    try:
        load_corpus(claims_dir)
    except ProblemsFound as found:
        yml.write_text(text, encoding="utf-8")
        for path_written in written:
            path_written.unlink(missing_ok=True)
        raise ProblemsFound(found.problems + [Problem(display_path(yml), 1, "the source file with the new capture does not check, so nothing was changed",
                                                      "correct the other problems listed (their lines are those of the file as reanchor would have written it; some may be elsewhere in the corpus) and run reanchor again")]) from None
    return yml, dropped
