"""The checks of the corpus beyond each file's model: ids, references, values, quotes and originals.

Each returns its problems; none stops at the first. Those that need one
source file and the shared files only (check_quotes, resolve_values,
check_file_references) are given one file at a time by claimsdb.load, on
the process that read it; the others take the corpus as read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from . import quotes
from .corpus import ClaimFile, Corpus, Located, MarkedNotClaim
from .errors import agent_aliases, suggest
from .files import Unreadable, display_path
from .model import ARCHIVE_PATTERN, EDITOR, Source, ValueSemantics
from .problems import Problem
from .readings import wordings_language
from .relations import FigureRefused, ValueNotUnderstood, explicit_reading, period_for_bounds, reading_of, units_of


def first(corpus: Corpus, kind: str, id_: str) -> Located:
    return corpus.where[(kind, id_)][0]


def check_unique(corpus: Corpus) -> list[Problem]:
    problems = []
    for (kind, id_), places in corpus.where.items():
        for place in places[1:]:
            original = places[0]
            problems.append(Problem(
                place.path, place.line_of("id"),
                f"duplicate {kind} id `{id_}` (first at {original.path}:{original.line_of('id')})",
                "give each a unique id",
            ))
    return problems


def check_repeated_rows(corpus: Corpus) -> list[Problem]:
    """What the database keys by content must be given once: a wording of
    value_semantics, an agent's affiliation in one role."""
    problems = []

    def once(seen: dict, key, place: Located, keys: tuple, what: str, fix: str):
        line = place.line_of(*keys)
        if key in seen:
            problems.append(Problem(place.path, line, f"{what} is given twice (first at line {seen[key]})", fix))
        else:
            seen[key] = line

    if corpus.semantics is not None:
        place = corpus.where[("semantics", "")][0]
        seen: dict = {}
        for c_index, comparator in enumerate(corpus.semantics.comparators):
            for w_index, wording in enumerate(comparator.wordings):
                once(seen, ("comparator", comparator.language, wording.lower()), place, ("comparators", c_index, "wordings", w_index),
                     f"the comparator wording {wording!r}", "keep it under one comparator")
        for index, vague in enumerate(corpus.semantics.vague_quantities):
            once(seen, ("vague", vague.language, vague.wording.lower()), place, ("vague_quantities", index, "wording"), f"the vague quantity {vague.wording!r}", "keep one of the two")
        for index, qualifier in enumerate(corpus.semantics.period_qualifiers):
            once(seen, ("qualifier", qualifier.qualifier), place, ("period_qualifiers", index, "qualifier"), f"the period qualifier {qualifier.qualifier!r}", "keep one of the two")
    for agent in corpus.agents:
        place = first(corpus, "agent", agent.id)
        seen = {}
        for index, affiliation in enumerate(agent.affiliations):
            once(seen, (affiliation.agent, affiliation.role), place, ("affiliations", index, "agent"),
                 f"the affiliation of `{agent.id}` with `{affiliation.agent}` as {affiliation.role!r}", "keep one of the two")
    return problems


class Known(NamedTuple):
    """What the shared files give each source file's checks: the ids of each
    kind, the kinds checked (a reference into a shared file that failed to
    load is not: its own problems are reported), the agents' aliases for
    did-you-mean, each subject's wider one, each measure's unit (its
    figures are grouped by it), and measures.yml's table of wordings
    (None when that file is invalid: figures are not read then)."""

    ids: dict  # kind -> set of ids
    checked: set
    aliases: dict
    parents: dict
    units: dict  # measure id -> unit
    semantics: ValueSemantics | None


def known_ids(corpus: Corpus) -> Known:
    """The shared files' ids: what a source file may name without any other source file."""
    kinds = ("agent", "subject", "measure")
    return Known({kind: {id_ for (k, id_) in corpus.where if k == kind} for kind in kinds},
                 {kind for kind in kinds if f"{kind}s.yml" in corpus.loaded},
                 agent_aliases(corpus.agents), {s.id: s.part_of for s in corpus.subjects if s.part_of}, units_of(corpus.measures), corpus.semantics)


def need(problems: list[Problem], known: Known, kind: str, value, place: Located, *keys) -> None:
    """A problem when ``value`` names no known ``kind``."""
    if kind in known.checked and value is not None and value not in known.ids[kind]:
        hint = suggest(value, known.ids[kind], known.aliases if kind == "agent" else None)
        problems.append(Problem(
            place.path, place.line_of(*keys),
            f"unknown {kind} `{value}`",
            (hint + " " if hint else "") + f"use an id from {'the source files' if kind == 'claim' else kind + 's.yml'} or add it there",
        ))


def check_file_references(file: ClaimFile, known: Known) -> list[Problem]:
    """A source file's references to agents, subjects and measures: they need
    the shared files and no other source file (claimsdb.load checks them
    on the process that read the file)."""
    problems = []
    ids = known.ids
    place = file.place
    if file.source is not None:
        need(problems, known, "agent", file.source.publisher, place, "publisher")
        for c_index, credited in enumerate(file.source.credited):
            need(problems, known, "agent", credited, place, *(("credited_to", c_index) if isinstance(file.source.credited_to, list) else ("credited_to",)))
        need(problems, known, "agent", file.source.host, place, "host")
        own_voices = {file.source.publisher, *file.source.credited}
    for index, claim in enumerate(file.claims):
        if claim is None:
            continue
        fields = claim.__dict__  # kind-specific fields, without pydantic's slow getattr fallback
        measure, holder = fields.get("measure"), fields.get("agent")
        resolved = (
            claim.subject in ids["subject"] and claim.speaker in ids["agent"]
            and (measure is None or measure in ids["measure"])
            and (holder is None or holder in ids["agent"])
        )
        at = Located(place.path, place.parsed, ("claims", index))
        if not resolved:  # the common case skips the four lookups with messages
            need(problems, known, "subject", claim.subject, at, "subject")
            if claim.speakers is None:
                need(problems, known, "agent", claim.speaker, at, "speaker")
            need(problems, known, "measure", measure, at, "measure")
            need(problems, known, "agent", holder, at, "agent")
        translator = claim.translation.by if claim.translation is not None else EDITOR
        if translator != EDITOR and translator not in ids["agent"]:
            need(problems, known, "agent", translator, at, "translation", "by")
        if claim.speakers is not None:
            for s_index, speaker in enumerate(claim.speakers):
                need(problems, known, "agent", speaker, at, "speakers", s_index)
        for v_index, link in enumerate(claim.via):
            need(problems, known, "agent", link.agent, at, "via", v_index, "agent")
        if claim.mode == "own-voice" and file.source is not None:
            problems += own_voice_problems(claim, file.source, own_voices, ids["agent"], at)
        if claim.scope is not None:
            need(problems, known, "subject", claim.scope, at, "scope")
            if claim.scope in ids["subject"] and claim.subject in ids["subject"] and claim.subject not in wider_than(known.parents, claim.scope):
                problems.append(Problem(
                    at.path, at.line_of("scope"), f"the scope `{claim.scope}` is not part of the claim's subject `{claim.subject}`",
                    f"give `part_of: {claim.subject}` to `{claim.scope}` in subjects.yml (directly or through a wider part), or give the scope as the subject",
                ))
    return problems


def check_references(corpus: Corpus, known: Known) -> list[Problem]:
    """The references that cross files: agents' affiliations, subjects'
    parts, and claims' relations and reviews to other claims (each source
    file's own are check_file_references'); ``known``: known_ids(corpus)."""
    claims = {id_ for (k, id_) in corpus.where if k == "claim"} | corpus.elsewhere_claims
    known = known._replace(ids={**known.ids, "claim": claims}, checked=known.checked | {"claim"})
    problems = []

    for agent in corpus.agents:
        place = first(corpus, "agent", agent.id)
        for index, affiliation in enumerate(agent.affiliations):
            need(problems, known, "agent", affiliation.agent, place, "affiliations", index, "agent")
            if affiliation.agent == agent.id:
                problems.append(Problem(place.path, place.line_of("affiliations", index, "agent"), f"agent `{agent.id}` is affiliated with itself", "name another agent"))
    for subject in corpus.subjects:
        place = first(corpus, "subject", subject.id)
        need(problems, known, "subject", subject.part_of, place, "part_of")
        if subject.part_of == subject.id:
            problems.append(Problem(place.path, place.line_of("part_of"), f"subject `{subject.id}` is part of itself", "name a wider subject or remove part_of"))
        elif subject.id in (wider := wider_than(known.parents, subject.id)):
            through = " → ".join([subject.id, *wider[: wider.index(subject.id) + 1]])
            problems.append(Problem(place.path, place.line_of("part_of"), f"subject `{subject.id}` is part of itself through a cycle ({through})", "make part_of name only wider subjects"))

    withdrawn = {claim.id for file in corpus.claim_files for claim in file.claims if claim is not None and claim.withdrawn} | corpus.elsewhere_withdrawn
    declared_pairs: dict = {}
    for file in corpus.claim_files:
        place = file.place
        for index, claim in enumerate(file.claims):
            if claim is None or not claim.reviewed and not claim.relations:
                continue
            at = Located(place.path, place.parsed, ("claims", index))
            for r_index, review in enumerate(claim.reviewed):
                keys = ("reviewed", r_index, "claim")
                if review.claim == claim.id:
                    problems.append(Problem(at.path, at.line_of(*keys), f"claim `{claim.id}` records a review of itself", "name a claim of the other figure"))
                else:
                    need(problems, known, "claim", review.claim, at, *keys)
            for r_index, relation in enumerate(claim.relations):
                keys = ("relations", r_index, "claim")
                if relation.claim == claim.id:
                    problems.append(Problem(at.path, at.line_of(*keys), f"claim `{claim.id}` is related to itself", "relate it to another claim or remove the relation"))
                    continue
                need(problems, known, "claim", relation.claim, at, *keys)
                if relation.claim in withdrawn and not claim.withdrawn:
                    problems.append(Problem(at.path, at.line_of(*keys), f"relation to withdrawn claim `{relation.claim}`", "remove the relation or relate to a current claim"))
                pair = frozenset((claim.id, relation.claim))
                if pair in declared_pairs:
                    other, other_keys = declared_pairs[pair]
                    problems.append(Problem(at.path, at.line_of(*keys), f"the relation between `{claim.id}` and `{relation.claim}` is declared twice (also at {other.path}:{other.line_of(*other_keys)})", "declare it once, on one of the two claims"))
                else:
                    declared_pairs[pair] = (at, keys)
    return problems


def own_voice_problems(claim, source: Source, own_voices: set, agents: set, at: Located) -> list[Problem]:
    """An outlet speaks in its own voice only as itself: the speaker of an
    own-voice claim is the publisher or an agent the source credits."""
    problems = []
    for s_index, speaker in enumerate(claim.all_speakers):
        if speaker in own_voices or speaker not in agents:  # an unknown agent is reported as such
            continue
        credited = f" or the agents it credits ({', '.join(f'`{c}`' for c in source.credited)})" if source.credited else ""
        keys = ("speakers", s_index) if claim.speakers is not None else ("speaker",)
        problems.append(Problem(
            at.path, at.line_of(*keys),
            f"`mode: own-voice`, but the speaker `{speaker}` is not the publisher `{source.publisher}`{credited}",
            f"if the source asserts it itself, write `speaker: {source.publisher}`; if it carries {speaker}'s words, give the mode it does so in (quoted, reported or attributed-belief)",
        ))
    return problems


def wider_than(parents: dict, subject_id: str) -> list[str]:
    """The subjects ``subject_id`` is part of, nearest first (``parents``: subject -> part_of)."""
    found, current = [], parents.get(subject_id)
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def resolve_values(corpus: Corpus) -> list[Problem]:
    """Intervals of figures and periods, through the published table."""
    problems = []
    semantics = corpus.semantics
    # A figure is read with the wordings of its source's language.
    languages = {file.place.path: file.source.language for file in corpus.claim_files if file.source is not None}
    for at, claim in corpus.located_claims():
        if claim.kind == "quantity":
            if claim.low is not None or claim.high is not None:
                corpus.intervals[claim.id] = explicit_reading(claim.low, claim.high, claim.low_exclusive, claim.high_exclusive)
            else:
                try:
                    corpus.intervals[claim.id] = reading_of(claim.value, semantics, languages.get(at.path))
                except FigureRefused as refused:
                    problems.append(Problem(at.path, at.line_of("value"), refused.what, refused.fix))
                except ValueNotUnderstood:
                    language = wordings_language(semantics, languages.get(at.path))
                    problems.append(Problem(
                        at.path, at.line_of("value"),
                        f"cannot read the figure {claim.value!r} with the table in measures.yml"
                        + ("" if language == "en" else f" (its {language} wordings, the language of the source)"),
                        "give `low:`/`high:` explicitly, or add the wording to value_semantics"
                        + ("" if language == "en" else f" with `language: {language}`"),
                    ))
        if claim.start is not None:
            try:
                corpus.periods[claim.id] = period_for_bounds(claim.start, claim.end, semantics, claim.calendar)
            except ValueNotUnderstood as error:
                problems.append(Problem(at.path, at.line_of("start"), f"period bounds: {error}", "write bounds as YYYY[-MM[-DD]], optionally after a qualifier from measures.yml"))
    return problems


def check_quotes(corpus: Corpus) -> list[Problem]:
    """Read each file's archive and find its quotes (``corpus.texts``,
    ``revision_texts``, ``spans``, ``not_claims``); claimsdb.load gives it
    one file at a time, on the process that read it."""
    problems = []
    for file in corpus.claim_files:
        place = file.place
        # From the file's data when the source is invalid, so quotes are
        # checked even when another field of the source is wrong.
        if file.source is not None:
            archive, pinned = file.source.archive, file.source.sha256
        else:
            archive, pinned = place.parsed.data.get("archive"), place.parsed.data.get("sha256")
        if not isinstance(archive, str) or not isinstance(pinned, str) or not re.fullmatch(ARCHIVE_PATTERN, archive):
            continue  # the model reports the field
        data, what, fix = quotes.archive_problem(corpus.claims_dir, archive)
        if data is None:
            problems.append(Problem(place.path, place.line_of("archive"), what, fix))
            continue
        actual = quotes.sha256_of(data)
        if actual != pinned:
            problems.append(Problem(
                place.path, place.line_of("sha256"),
                f"{archive} has SHA-256 {actual}, but the source file pins {pinned}",
                "restore the archived text byte for byte, or, if the archive is the intended evidence, set `sha256: " + actual + "`",
            ))
            continue
        text, what, fix = quotes.decode_archive(data, archive)
        if text is None:
            problems.append(Problem(place.path, place.line_of("archive"), what, fix))
            continue
        texts = {None: text}  # revision -> text
        if file.source is not None:
            problems += check_original(corpus.claims_dir, file.source, place, text)
            corpus.texts[file.source.id] = text
            for r_index, revision in enumerate(file.source.revisions):
                texts[r_index + 1] = read_revision(corpus, file.source, r_index, place, problems)
        searches = {revision: quotes.TextSearch(in_text) for revision, in_text in texts.items() if in_text is not None}
        shown = display_path(corpus.claims_dir / archive)
        for index, claim in enumerate(file.claims):
            if claim is None:
                continue
            if claim.revision not in texts:
                count = len(texts) - 1
                problems.append(Problem(place.path, place.line_of("claims", index, "revision"), f"`revision: {claim.revision}`, but the source lists {count} earlier capture(s) under `revisions`",
                                        f"give a revision from 1 to {count}, or remove `revision` if the quote stands in the current capture" if count else "remove `revision`: the quote stands in the current capture"))
                continue
            in_text = texts[claim.revision]
            if in_text is None:
                continue  # the revision's own problem is reported
            where = shown if claim.revision is None else display_path(corpus.claims_dir / file.source.revisions[claim.revision - 1].archive)
            try:
                corpus.spans[claim.id] = quotes.locate_quote(in_text, claim.quote, claim.occurrence, where, search=searches[claim.revision])
            except quotes.QuoteNotFound as error:
                problems.append(Problem(place.path, place.line_of("claims", index, "quote"), error.message, error.fix))
        if file.source is not None:
            problems += locate_not_claims(corpus, file, text, shown, searches[None])
    return problems


def read_revision(corpus: Corpus, source: Source, r_index: int, place: Located, problems: list[Problem]) -> str | None:
    """The text of an earlier capture, checked as the current one is (kept in corpus.revision_texts)."""
    revision = source.revisions[r_index]
    keys = ("revisions", r_index)
    data, what, fix = quotes.archive_problem(corpus.claims_dir, revision.archive)
    if data is None:
        problems.append(Problem(place.path, place.line_of(*keys, "archive"), what, fix))
        return None
    actual = quotes.sha256_of(data)
    if actual != revision.sha256:
        problems.append(Problem(place.path, place.line_of(*keys, "sha256"), f"{revision.archive} has SHA-256 {actual}, but the source file pins {revision.sha256}",
                                "restore the earlier capture's text byte for byte: it is the evidence its claims quote"))
        return None
    text, what, fix = quotes.decode_archive(data, revision.archive)
    if text is None:
        problems.append(Problem(place.path, place.line_of(*keys, "archive"), what, fix))
        return None
    problems += check_original(corpus.claims_dir, revision, place, text, keys)
    corpus.revision_texts[(source.id, r_index + 1)] = text
    return text


def check_original(claims_dir: Path, source, place: Located, text: str, keys: tuple = ()) -> list[Problem]:
    """The original of a capture (the source, or one of its revisions) is
    there, byte for byte as pinned; PDF page starts lie in the text."""
    problems = []
    if source.original is not None:
        try:
            actual = quotes.original_sha256(claims_dir, source.original)
        except Unreadable as error:
            problems.append(Problem(place.path, place.line_of(*keys, "original"), error.what, error.fix))
        else:
            if actual != source.original_sha256:
                problems.append(Problem(
                    place.path, place.line_of(*keys, "original_sha256"),
                    f"{source.original} has SHA-256 {actual}, but the source file pins {source.original_sha256}",
                    "restore the original byte for byte (it is the evidence); a newer capture of the document is added with `claimsdb reanchor`",
                ))
    if source.pages and source.pages[-1] >= len(text):
        problems.append(Problem(place.path, place.line_of(*keys, "pages"), f"`pages` starts a page at {source.pages[-1]}, beyond the {len(text)} characters of {source.archive}",
                                "write the page starts that claimsdb add-source recorded (claimsdb verify-sources shows them)"))
    return problems


def locate_not_claims(corpus: Corpus, file: ClaimFile, text: str, shown: str, search: quotes.TextSearch) -> list[Problem]:
    """Not-a-claim texts are evidence too: found in the archive like quotes
    (``search``: the TextSearch of ``text`` its quotes were found with)."""
    problems, marked, first_at = [], [], {}
    place = file.place
    for index, not_claim in enumerate(file.source.not_claims):
        try:
            span = quotes.locate_quote(text, not_claim.text, not_claim.occurrence, shown, what="the not-a-claim text", field="text", search=search)
        except quotes.QuoteNotFound as error:
            problems.append(Problem(place.path, place.line_of("not_claims", index, "text"), error.message, error.fix))
            continue
        line = place.line_of("not_claims", index)
        if (span.start, span.end) in first_at:
            problems.append(Problem(place.path, line, f"the same words are marked as not a claim twice (first at line {first_at[(span.start, span.end)]})", "keep one of the two"))
            continue
        first_at[(span.start, span.end)] = line
        marked.append(MarkedNotClaim(not_claim, span, place.path, line))
    corpus.not_claims[file.source.id] = marked
    return problems
