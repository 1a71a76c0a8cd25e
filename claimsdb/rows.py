"""The rows of every table, from the corpus: one dict (or tuple in column order) per row, in the order written."""

from __future__ import annotations

import json
import os
from typing import Iterable

from . import calendars, folding
from .corpus import Corpus
from .model import Source
from .originals import cut_off_warnings, pages_of
from .parallel import ordered_map
from .progress import Stages
from .quotes import context
from .tables import TABLES, Table


def semantics_rows(corpus: Corpus):
    from .readings import Interval, in_words

    semantics = corpus.semantics
    t, r = float(semantics.about_tolerance), float(semantics.suggestion_ratio)
    for comparator in semantics.comparators:
        interval = comparator_interval_text(comparator.interval, t)
        suggests = comparator_interval_text(comparator.suggests, t, r) if comparator.suggests else None
        for wording in comparator.wordings:
            yield {"category": "comparator", "wording": wording, "language": comparator.language, "name": comparator.comparator, "interval": interval, "suggests": suggests,
                   "description": comparator.description, "tolerance": t, "ratio": r}
    for multiplier in semantics.multipliers:
        yield {"category": "multiplier", "wording": multiplier.wording, "language": multiplier.language, "name": multiplier.wording, "interval": f"n × {multiplier.factor:,f}",
               "description": f"'{multiplier.wording}' after a number multiplies it by {multiplier.factor:,f}.", "factor": float(multiplier.factor)}
    for vague in semantics.vague_quantities:
        entailed = Interval(vague.low, vague.high, True, False)
        suggested = Interval(vague.low if vague.suggested_low is None else vague.suggested_low,
                             vague.high if vague.suggested_high is None else vague.suggested_high, True, False)
        yield {"category": "vague-quantity", "wording": vague.wording, "language": vague.language, "name": vague.wording, "interval": f"{entailed} ({in_words(entailed)})",
               "suggests": f"{suggested} ({in_words(suggested)})" if suggested != entailed else None, "description": vague.description,
               "low": as_float(vague.low), "high": as_float(vague.high), "suggested_low": as_float(vague.suggested_low), "suggested_high": as_float(vague.suggested_high)}
    for qualifier in semantics.period_qualifiers:
        what = "days" if qualifier.applies_to == "month" else "from–to"
        interval = f"{what} {qualifier.first}–{qualifier.last} of the {qualifier.applies_to}"
        if qualifier.calendar != "gregorian":
            interval += f" ({qualifier.calendar})"
        yield {"category": "period-qualifier", "wording": qualifier.qualifier, "language": "fa" if qualifier.calendar == "solar-hijri" else "en", "name": qualifier.qualifier, "interval": interval, "description": qualifier.description,
               "applies_to": qualifier.applies_to, "first": qualifier.first, "last": qualifier.last, "calendar": qualifier.calendar}


def as_float(value):
    return None if value is None else float(value)


def comparator_interval_text(notation: str, tolerance: float, ratio: float | None = None) -> str:
    """'[n-t, n+t]' as published: '[n - t, n + t] with t = 0.1 × n'; '(n, r*n)': '(n, r × n) with r = 2'."""
    interval = notation.replace("n-t", "n - t").replace("n+t", "n + t").replace("inf", "∞").replace("r*n", "r × n").replace("n/r", "n ÷ r")
    if "t" in notation:
        interval += f" with t = {tolerance:g} × n"
    if "r" in notation:
        interval += f" with r = {ratio:g}"
    return interval


def claim_row(corpus: Corpus, source: Source, claim, units: dict) -> dict:
    place = corpus.where[("claim", claim.id)][0]
    span = corpus.spans[claim.id]
    capture = source if claim.revision is None else source.revisions[claim.revision - 1]
    text = corpus.texts[source.id] if claim.revision is None else corpus.revision_texts[(source.id, claim.revision)]
    prefix, suffix = context(text, span)
    fields = claim.__dict__  # kind-specific fields, without pydantic's slow getattr fallback
    row = {
        "id": claim.id,
        "pages": pages_of(capture.pages, span.start, span.end) if capture.pages else None,
        "revision": claim.revision,
        "source_id": source.id,
        "kind": claim.kind,
        "subject_id": claim.subject,
        "measure_id": fields.get("measure"),
        "statement": claim.statement,
        "speaker_id": claim.speaker,
        "reporter_id": source.publisher,
        "mode": claim.mode,
        "value_text": fields.get("value"),
        "scope": claim.scope,
        "period_text": claim.period,
        "period_start_bound": claim.start,
        "period_end_bound": claim.end,
        "label": fields.get("label"),
        "modality": fields.get("modality"),
        "role": fields.get("role"),
        "role_agent_id": fields.get("agent"),
        "demand": fields.get("demand"),
        "addressed_to": fields.get("addressed_to"),
        "quote": claim.quote,
        "occurrence": claim.occurrence,
        "translation": claim.translation.text if claim.translation else None,
        "translated_by": claim.translation.by if claim.translation else None,
        "translation_published_in": claim.translation.published_in if claim.translation else None,
        "quote_start": span.start,
        "quote_end": span.end,
        "quote_prefix": prefix,
        "quote_suffix": suffix,
        "note": claim.note,
        "withdrawn": claim.withdrawn,
        "path": place.path,
        "line": place.line,
    }
    if claim.hedges:
        row["hedges"] = json.dumps(claim.hedges, ensure_ascii=False)
    row["figure_id"] = corpus.relations.figure_of.get(claim.id)
    if claim.id in corpus.intervals:
        interval, suggested, rule = corpus.intervals[claim.id]
        row.update(
            value_low=as_float(interval.low),
            value_high=as_float(interval.high),
            value_low_inclusive=int(interval.low_closed) if interval.low is not None else None,
            value_high_inclusive=int(interval.high_closed) if interval.high is not None else None,
            value_interval=str(interval),
            value_suggested_interval=str(suggested),
            value_rule=rule,
            unit=units[claim.measure],
        )
    if claim.id in corpus.periods:
        period = corpus.periods[claim.id]
        row.update(period_start=period.first.isoformat(), period_end=period.last.isoformat(),
                   period_calendar=period.calendar, period_in_calendar=period.in_calendar())
    return row


def published_gregorian(source: Source) -> str | None:
    """The Gregorian days of a publication date written in another calendar."""
    calendar = source.published_calendar or calendars.GREGORIAN
    if calendar == calendars.GREGORIAN:
        return None
    low = source.published or source.published_not_before
    high = source.published or source.published_not_after
    first = calendars.gregorian_days(calendar, low)[0].isoformat() if low else ""
    last = calendars.gregorian_days(calendar, high)[1].isoformat() if high else ""
    return f"{first}/{last}" if (first or last) else None


def rows_for(corpus: Corpus, stages: Stages | None = None, coverage: bool = True) -> dict[str, Iterable]:
    """The rows of every table (``coverage``: with those of the coverage
    table, found as they are written; claimsdb.shards finds them otherwise)."""
    rows: dict[str, list[dict]] = {table.name: [] for table in TABLES}
    units = {measure.id: measure.unit for measure in corpus.measures}
    for agent in sorted(corpus.agents, key=lambda a: a.id):
        rows["agents"].append({"id": agent.id, "name": agent.name, "kind": agent.kind, "description": agent.description, "aliases": json.dumps(agent.aliases, ensure_ascii=False)})
        for affiliation in agent.affiliations:
            rows["agent_affiliations"].append({"agent_id": agent.id, "affiliated_with_id": affiliation.agent, "role": affiliation.role, "note": affiliation.note})
    for subject in sorted(corpus.subjects, key=lambda s: s.id):
        rows["subjects"].append({"id": subject.id, "name": subject.name, "kind": subject.kind, "description": subject.description, "part_of_id": subject.part_of})
    for measure in sorted(corpus.measures, key=lambda m: m.id):
        rows["measures"].append(measure.model_dump())
    rows["value_semantics"] = list(semantics_rows(corpus))
    rows["text_folding"] = folding.table_rows()
    rows["figures"] = figure_rows(corpus)
    rows["figure_relations"] = corpus.relations.rows()
    rows["declared_relations"] = corpus.relations.declared
    rows["reviews"] = corpus.relations.reviews
    rows["claims"] = claim_rows(corpus, units)
    rows["claim_speakers"] = ((claim.id, n, speaker) for _, claim in corpus.claims() for n, speaker in enumerate(claim.all_speakers, 1))
    rows["claim_chain"] = ((claim.id, n, link.agent, link.how, link.note) for _, claim in corpus.claims() for n, link in enumerate(claim.via, 1))
    sources = sorted(corpus.sources, key=lambda s: s.id)
    rows["sources"] = (source_row(corpus, source) for source in sources)
    rows["source_revisions"] = (
        {"source_id": source.id, "revision": n, "archive": r.archive, "sha256": r.sha256, "original": r.original,
         "original_sha256": r.original_sha256, "original_format": r.original_format, "extractor": r.extractor,
         "original_characters": r.original_characters, "retrieved": r.retrieved, "replaced": r.replaced, "pages": json.dumps(r.pages) if r.pages else None,
         "text": corpus.revision_texts[(source.id, n)]}
        for source in sources for n, r in enumerate(source.revisions, 1))
    rows["source_credits"] = ({"source_id": source.id, "position": n, "agent_id": agent} for source in sources for n, agent in enumerate(source.credited, 1))
    rows["not_claims"] = (
        {"source_id": source.id, "text": marked.not_claim.text, "reason": marked.not_claim.reason,
         "occurrence": marked.not_claim.occurrence, "text_start": marked.span.start, "text_end": marked.span.end,
         "path": marked.path, "line": marked.line}
        for source in sources for marked in corpus.not_claims.get(source.id, []))
    rows["coverage"] = all_coverage_rows(corpus, stages or Stages()) if coverage else []
    return {table.name: corpus_relative_paths(table, rows[table.name]) for table in TABLES}


def source_row(corpus: Corpus, source: Source) -> dict:
    place = corpus.where[("source", source.id)][0]
    return {
        "id": source.id, "title": source.title, "url": source.url, "publisher_id": source.publisher,
        "credited_to_id": (source.credited or [None])[0], "published": source.published, "published_note": source.published_note,
        "retrieved": source.retrieved, "excerpt": source.excerpt,
        "published_calendar": source.published_calendar, "published_gregorian": published_gregorian(source), "language": source.language, "archive": source.archive,
        "sha256": source.sha256, "text": corpus.texts[source.id], "path": place.path,
        "original": source.original, "original_sha256": source.original_sha256, "original_format": source.original_format,
        "extractor": source.extractor, "original_characters": source.original_characters,
        "pages": json.dumps(source.pages) if source.pages else None,
        "host_id": source.host, "hosted": source.hosted, "published_not_before": source.published_not_before,
        "published_not_after": source.published_not_after, "undated": int(source.undated), "archived_url": source.archived_url,
        "text_warnings": json.dumps(warnings, ensure_ascii=False) if (warnings := cut_off_warnings(corpus.texts[source.id], source.original_characters)) else None,
    }


def corpus_relative_paths(table: Table, rows):
    """Claim-file paths as the corpus names them: problems name a file as the
    shell that ran the build reaches it (claims/x.yml, ../corpus/x.yml), the
    database by its name in the claims directory, so a build from any working
    directory is byte-identical."""
    names = [column.name for column in table.columns]
    if "path" not in names:
        return rows
    at = names.index("path")

    def relative(path):
        return os.path.basename(path) if path is not None else None

    def relative_row(row):
        if isinstance(row, tuple):  # relations, in column order
            return row[:at] + (relative(row[at]),) + row[at + 1:]
        row["path"] = relative(row.get("path"))
        return row

    return map(relative_row, rows)


def all_coverage_rows(corpus: Corpus, stages: Stages):
    """Coverage rows source by source, as they are written: a million claims
    have some three million candidates, which never sit in memory at once.
    Sources are treated on ``corpus.jobs`` processes, their rows written in
    source order."""
    # Timed on its own, though it runs inside the write stage (no bar of its own there).
    semantics = repr(corpus.semantics.model_dump())  # once a build, not once a source
    sources = sorted(corpus.sources, key=lambda s: s.id)
    cache = corpus.cache
    # What the cache holds is read here, as it is written (through a worker it
    # would be unpickled, pickled and unpickled again); the rest is computed
    # on every core.
    kept = [cache is not None and cache.read and cache.path(cache.key(coverage_inputs(s, semantics))).exists() for s in sources]
    missing = [index for index, is_kept in enumerate(kept) if not is_kept]
    with stages.stage("coverage"):
        with ordered_map(lambda index: coverage_rows(corpus, sources[index], semantics), corpus.jobs, len(missing)) as each:
            computed = each(missing)
            for source, is_kept in zip(sources, kept):
                if is_kept:
                    yield from coverage_rows(corpus, source, semantics)
                else:
                    if cache is not None:
                        cache.used.add(cache.key(coverage_inputs(source, semantics)))  # looked up in another process
                    yield from next(computed)


def coverage_inputs(source: Source, semantics: str) -> bytes:
    """What a source's coverage depends on: the archive, the claims' quotes,
    the marked words and the table the figures are read with."""
    return b"coverage\0" + repr((source.sha256, [(c.id, c.quote, c.occurrence, c.period, c.__dict__.get("value"), c.mode) for c in source.claims],
                                 [(n.text, n.occurrence, n.reason) for n in source.not_claims], semantics)).encode()


def coverage_rows(corpus: Corpus, source: Source, semantics: str) -> list[dict]:
    text = corpus.texts[source.id]
    if corpus.cache is not None:
        return corpus.cache.memo(coverage_inputs(source, semantics), lambda: compute_coverage_rows(corpus, source, text))
    return compute_coverage_rows(corpus, source, text)


def compute_coverage_rows(corpus: Corpus, source: Source, text: str) -> list[dict]:
    from .coverage import source_coverage
    from .quotes import line_numbers

    line_number = line_numbers(text)
    return [
        {
            "source_id": source.id, "expression_start": result.candidate.start, "expression_end": result.candidate.end,
            "category": result.candidate.category, "expression": result.candidate.text,
            "line": line_number(result.candidate.start), "sentence": result.candidate.sentence(text),
            "status": result.status, "claim_ids": json.dumps(list(result.claim_ids)) if result.claim_ids else None,
            "not_claim_reason": result.reason,
        }
        for result in source_coverage(corpus, source)
    ]


def figure_rows(corpus: Corpus):
    """Figure rows one at a time: bench/'s million synthetic claims carry
    400,161 figures, whose rows held at once took some 430 MB."""
    from .readings import normalise_wording
    from .relations import affiliation_groups

    origin_of = affiliation_groups(corpus.agents)
    # Each claim found where it stands (no map of every claim: 100 MB at a million).
    source_in = {file.place.path: file.source for file in corpus.claim_files}

    def source_and_claim(claim_id: str) -> tuple:
        place = corpus.where[("claim", claim_id)][0]
        source = source_in[place.path]
        return source, source.claims[place.prefix[1]]

    for figure in sorted(corpus.relations.figures.values(), key=lambda f: f.id):
        carried = [source_and_claim(claim_id) for claim_id in figure.claims]
        entailed, suggested = figure.reading.entailed, figure.reading.suggested
        hedges = list(dict.fromkeys(h for _, claim in carried for h in claim.hedges))
        publishers = {source.publisher for source, _ in carried}
        row = {
            "id": figure.id, "kind": figure.kind, "subject_id": figure.subject, "measure_id": figure.measure, "unit": figure.unit,
            "label": figure.wordings[0] if normalise_wording(figure.wordings[0]) == figure.words() else f"{figure.wordings[0]} ({figure.words()})", "entailed": figure.words(), "suggested": figure.words(True),
            "rule": figure.reading.rule, "wordings": json.dumps(figure.wordings, ensure_ascii=False),
            "hedges": json.dumps(hedges, ensure_ascii=False) if hedges else None,
            "claims": len(carried), "speakers": len({speaker for _, claim in carried for speaker in claim.all_speakers}),
            "sources": len({source.id for source, _ in carried}),
            "origins": len({origin_of.get(publisher, publisher) for publisher in publishers}),
        }
        if figure.kind == "period":
            period = corpus.periods[figure.claims[0]]
            row.update(period_start=period.first.isoformat(), period_end=period.last.isoformat(),
                       entailed_interval=f"[{period.first.isoformat()}, {period.last.isoformat()}]")
            row["suggested_interval"] = row["entailed_interval"]
        else:
            row.update(
                entailed_low=as_float(entailed.low), entailed_high=as_float(entailed.high),
                entailed_low_inclusive=int(entailed.low_closed) if entailed.low is not None else None,
                entailed_high_inclusive=int(entailed.high_closed) if entailed.high is not None else None,
                entailed_interval=str(entailed), suggested_interval=str(suggested),
            )
        yield row


def claim_rows(corpus: Corpus, units: dict):
    """Claim rows one at a time: a million of them never sit in memory at once."""
    for source in sorted(corpus.sources, key=lambda s: s.id):
        for claim in source.claims:
            yield claim_row(corpus, source, claim, units)
