"""Claim stubs for the candidate expressions no claim covers yet.

A stub is a proposal in the claim file format, printed to be checked and
pasted under `claims:`; nothing is written. What the text fixes (the quote,
the figure and its interval through value_semantics, the period's bounds, a
speaker the sentence names) is filled in; what only an editor can decide
(ids, the subject, the statement) is the placeholder TODO, which
`claimsdb check` refuses until it is replaced. The stub asserts nothing: its
statement is a placeholder, and the proposals are named as proposals in the
comments above it.
"""

from __future__ import annotations

import re

from .candidates import WORD_NUMBERS, Candidate, find_candidates
from .coverage import UNCOVERED, source_coverage
from .model import PLACEHOLDER
from .quotes import line_number, occurrences
from .relations import Interval, ValueNotUnderstood, period_for_bounds, reading_of
from .yamlfile import scalar, yaml_quoted

DEMAND_VERBS = {"called on", "called for", "calls on", "calls for", "urged", "urges", "demanded"}
BELIEF_VERBS = {"believe", "believes", "believed"}
MAY_AMOUNT = re.compile(r"\b(?:may|might|could|would)\s+(?:well\s+)?(?:amount|constitute|be)\b", re.I)
MEETS_CRITERIA = re.compile(r"\b(?:meets?|meeting|fits?|fulfils?|satisf(?:y|ies))\b.{0,40}\b(?:criteria|definition)\b|\bclassed\s+as\b", re.I)
DENIES = re.compile(r"\b(?:not|never|no|den(?:y|ies|ied)|reject(?:s|ed)?)\b", re.I)


def normal(words: str) -> str:
    return " ".join(words.split())


def slug(words: str, limit: int = 6) -> str:
    parts = re.findall(r"[a-z0-9]+", words.lower().replace(",", ""))
    return "-".join(parts[:limit]) or "claim"


# Who speaks -------------------------------------------------------------------


def agent_mentions(text: str, start: int, end: int, agents) -> list[tuple[int, int, str]]:
    """(start, end, agent id) of each name or alias of an agent in text[start:end];
    a mention inside a longer one ("UN" in "UN Human Rights Council") is dropped."""
    found = []
    for agent in agents:
        for name in [agent.name, *agent.aliases]:
            # A name in any case ("AMNESTY INTERNATIONAL", "the working group");
            # an acronym only as written ("UN", not "un"; "US", not "us").
            flags = 0 if name.isupper() else re.I
            initial = f"[{re.escape(name[0].upper())}{re.escape(name[0].lower())}]"
            pattern = rf"(?<![\w’'-]){initial}{re.escape(name[1:])}(?![\w’'-])"
            found += [(m.start(), m.end(), agent.id) for m in re.finditer(pattern, text[:end], flags) if m.start() >= start]
    return [m for m in found if not any(o != m and o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0]) for o in found)]


def inside_quotation(text: str, sentence_start: int, position: int) -> bool:
    before = text[sentence_start:position]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def quotation_in(text: str, start: int, end: int) -> tuple[int, int] | None:
    match = re.search(r"“([^”]+)”|\"([^\"]+)\"", text[start:end])
    if not match:
        return None
    group = 1 if match[1] is not None else 2
    inner_start, inner_end = start + match.start(group), start + match.end(group)
    inner = text[inner_start:inner_end]
    # Without the closing punctuation the outlet puts inside the marks.
    stripped = inner.rstrip(" ,")
    return inner_start, inner_start + len(stripped)


def speaks_to(text: str, verb: Candidate, candidate: Candidate, mentions) -> bool:
    """Whether a reporting verb attributes the candidate: the candidate follows
    the verb ("said that 30,000 …"), stands inside quotation marks, or comes
    before a speaker named just before the verb ("…in 1988, the Working Group
    stressed")."""
    if candidate.category == "reporting" or candidate.start >= verb.end:
        return True
    if inside_quotation(text, candidate.sentence_start, candidate.start):
        return True
    return any(
        candidate.end <= start and re.fullmatch(r"\s*(?:also\s+)?", text[end:verb.start]) and re.search(r"[,;—–]\s*(?:the\s+|a\s+)?$", text[candidate.end:start])
        for start, end, _ in mentions
    )


def propose_speaker(text: str, candidate: Candidate, sentence_candidates: list[Candidate], corpus, source) -> tuple[str, str, str]:
    """(speaker id or TODO, mode, why) for a candidate."""
    publisher = source.publisher
    mentions = agent_mentions(text, candidate.sentence_start, candidate.sentence_end, corpus.agents)
    verbs = [candidate] if candidate.category == "reporting" else [
        c for c in sentence_candidates if c.category == "reporting" and speaks_to(text, c, candidate, mentions)
    ]
    if not verbs and inside_quotation(text, candidate.sentence_start, candidate.start):
        # Words in quotation marks are someone else's, even with no verb to say whose.
        others = [m for m in mentions if m[2] != publisher]
        if others:
            start, end, agent_id = min(others, key=lambda m: abs(m[0] - candidate.start))
            return agent_id, "quoted", f"the words stand in quotation marks, and the sentence names {text[start:end]!r}"
        return PLACEHOLDER, "quoted", "the words stand in quotation marks, so someone other than the outlet speaks; the sentence names no agent of agents.yml"
    if not verbs:
        return publisher, "own-voice", "no reporting verb in the sentence attributes it, so the outlet speaks in its own voice"
    verb = min(verbs, key=lambda v: abs(v.start - candidate.start))
    before = [m for m in mentions if m[1] <= verb.start and m[2] != publisher]
    after = [m for m in mentions if m[0] >= verb.end and m[0] - verb.end <= 40 and m[2] != publisher]
    quoted = inside_quotation(text, candidate.sentence_start, candidate.start) or (candidate.category == "reporting" and quotation_in(text, candidate.sentence_start, candidate.sentence_end) is not None)
    mode = "attributed-belief" if (verb.verb or "") in BELIEF_VERBS else "quoted" if quoted else "reported"
    if before or after:
        start, end, agent_id = max(before, key=lambda m: m[1]) if before else min(after)
        return agent_id, mode, f"the sentence names {text[start:end]!r} with {normal(verb.text)!r}"
    return PLACEHOLDER, mode, f"{normal(verb.text)!r} names no agent of agents.yml in this sentence (a pronoun, or an agent to add)"


# The quote ------------------------------------------------------------------------


def unique_span(text: str, start: int, end: int, limit_start: int, limit_end: int) -> tuple[int, int, int | None]:
    """The span grown word by word within the sentence until its words occur
    once in the archive; (start, end, occurrence) where occurrence is given
    only when even the whole sentence repeats."""
    while len(occurrences(text, text[start:end])) > 1:
        grown = False
        right = re.match(r"\s*\S+", text[end:limit_end])
        if right:
            end += right.end()
            grown = True
        if len(occurrences(text, text[start:end])) > 1:
            left = re.search(r"\S+\s*$", text[limit_start:start])
            if left:
                start -= len(left[0])
                grown = True
        if not grown:
            found = occurrences(text, text[start:end])
            return start, end, found.index(start) + 1
    return start, end, None


def quote_span(text: str, candidate: Candidate) -> tuple[int, int]:
    if candidate.category == "reporting":
        passage = quotation_in(text, candidate.sentence_start, candidate.sentence_end)
        if passage:
            return passage
        return candidate.start, candidate.sentence_end - (1 if text[candidate.sentence_end - 1] in ".!?" else 0)
    return candidate.start, candidate.end


# Values ---------------------------------------------------------------------------


def as_digits(figure: str) -> str:
    """'three' -> '3', so the value_semantics table can read a figure in words."""
    lowered = normal(figure.lower())
    for words in sorted(WORD_NUMBERS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(words)}$", lowered):
            return lowered[: -len(words)] + str(WORD_NUMBERS[words])
    return lowered


def quantity_fields(candidate: Candidate, corpus, language: str | None = None) -> tuple[list[tuple[str, object]], list[str]]:
    figure = normal(candidate.figure)
    fields: list[tuple[str, object]] = [("value", figure)]
    comments = []
    try:
        interval, suggested, rule = reading_of(figure, corpus.semantics, language)
        comments.append(f"interval {interval}: {rule!r} in value_semantics" + (f", which usually suggests {suggested}" if suggested != interval else ""))
        return fields, comments
    except ValueNotUnderstood:
        pass
    unit = candidate.counts.split()[0] if candidate.counts and figure.lower().endswith(candidate.counts.split()[0].lower()) else None
    bare = as_digits(figure[: -len(unit)].strip() if unit else figure)
    try:
        interval, _, rule = reading_of(bare, corpus.semantics, language)
    except ValueNotUnderstood:
        comments.append(f"the value_semantics table cannot read {figure!r}: give low:/high: and say why in note:")
        return fields, comments
    fields += explicit_fields(interval)
    comments.append(f"interval {interval}, proposed from {bare!r} ({rule!r} in value_semantics); the table cannot read {figure!r} itself")
    fields.append(("note", f"{PLACEHOLDER}: say why low/high are given (e.g. the table does not read {figure!r})"))
    return fields, comments


def plain_number(value):
    """A Decimal as YAML writes a number: 30000, not '30000.0'."""
    return int(value) if value == value.to_integral_value() else float(value)


def explicit_fields(interval: Interval) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = []
    if interval.low is not None and (interval.low != 0 or interval.high is None):
        fields.append(("low", plain_number(interval.low)))
    if interval.high is not None:
        fields.append(("high", plain_number(interval.high)))
    if interval.low is not None and not interval.low_closed:
        fields.append(("low_exclusive", True))
    if interval.high is not None and not interval.high_closed:
        fields.append(("high_exclusive", True))
    return fields


def propose_measure(candidate: Candidate, corpus) -> tuple[str, str]:
    noun = (candidate.counts or "").split()[-1].lower() if candidate.counts else ""
    matching = [m.id for m in corpus.measures if m.unit.lower() in {noun, noun.rstrip("s")} or (m.unit.lower() == "people" and noun in {"people", "persons", "prisoners", "victims", "dissidents"})]
    if len(matching) == 1:
        return matching[0], f"the only measure in {noun!r}"
    if matching:
        return PLACEHOLDER, f"measures in {noun!r}: {', '.join(matching)} (or add one to measures.yml)"
    return PLACEHOLDER, "no measure counts " + (repr(candidate.counts) if candidate.counts else "this") + ": add one to measures.yml or pick one"


def label_of(candidate: Candidate) -> str:
    return normal(candidate.text).lower()


def modality_of(text: str, candidate: Candidate) -> str:
    before = text[candidate.sentence_start:candidate.start]
    if MAY_AMOUNT.search(before[-60:]):
        return "may-amount-to"
    if MEETS_CRITERIA.search(before[-80:]):
        return "meets-criteria"
    if DENIES.search(before[-25:]):
        return "denies"
    return "is"


# The stub ---------------------------------------------------------------------------


def stub(corpus, source, candidate: Candidate, sentence_candidates: list[Candidate]) -> str:
    text = corpus.texts[source.id]
    archive = f"claims/{source.archive}"
    speaker, mode, why = propose_speaker(text, candidate, sentence_candidates, corpus, source)
    names = {agent.id: agent.name for agent in corpus.agents}
    comments = [f"{archive}:{line_number(text, candidate.start)}: {candidate.category} {normal(candidate.text)!r}",
                f"sentence: {normal(candidate.sentence(text))}"]
    extra: list[tuple[str, object]] = []
    if candidate.category == "figure":
        kind = "quantity"
        measure, measure_why = propose_measure(candidate, corpus)
        head = [("measure", measure)]
        comments.append(f"measure: {measure_why}")
        values, value_comments = quantity_fields(candidate, corpus, source.language)
        extra += values
        comments += value_comments
    elif candidate.category == "date" and candidate.bounds:
        kind, head = "period", []
        calendar = [("calendar", candidate.calendar)] if candidate.calendar else []
        extra += [("period", normal(candidate.text)), *calendar, ("start", candidate.bounds[0]), ("end", candidate.bounds[1])]
        try:
            period = period_for_bounds(*candidate.bounds, corpus.semantics, candidate.calendar)
            comments.append(f"period {period}" + (f" ({period.in_calendar()}, {candidate.calendar})" if candidate.calendar else ""))
        except ValueNotUnderstood as error:
            comments.append(f"the bounds cannot be read: {error}")
    elif candidate.category == "date":
        kind, head = "event", []
        extra.append(("period", normal(candidate.text)))
        comments.append("a relative date: if the document's date fixes it, make this `kind: period` with start: and end:, and say how in note:")
    elif candidate.category == "characterisation":
        kind, head = "characterisation", []
        extra += [("label", label_of(candidate)), ("modality", modality_of(text, candidate))]
        comments.append("modality proposed from the words before the label: check it")
    elif (candidate.verb or "") in DEMAND_VERBS:
        kind, head = "demand", []
        extra.append(("demand", f"{PLACEHOLDER}: what is called for, in your words"))
        addressed = re.match(r"\s+(.+?)\s+to\b", text[candidate.end:candidate.sentence_end]) if candidate.verb.endswith("on") else None
        if addressed:
            extra.append(("addressed_to", normal(addressed[1])))
    else:
        kind, head = "event", []
        comments.append("kind proposed as event: make it quantity, period, characterisation, role or demand if the reported words carry one")
    comments.append(f"speaker: {speaker} ({mode}), proposed: {why}")
    start, end = quote_span(text, candidate)
    start, end, occurrence = unique_span(text, start, end, candidate.sentence_start, candidate.sentence_end)
    who = names.get(speaker, "the speaker")
    reporter = names.get(source.publisher, source.publisher)
    example = f"{reporter} states in its own voice that …" if mode == "own-voice" else f"{reporter} reports that {who} says that …"
    fields: list[tuple[str, object]] = [
        ("id", f"{PLACEHOLDER}-{slug(candidate.text)}"),
        ("kind", kind),
        ("subject", PLACEHOLDER),
        *head,
        ("speaker", speaker),
        ("mode", mode),
        ("statement", f"{PLACEHOLDER}: one neutral sentence saying who asserts what, like: {example}"),
        ("quote", text[start:end]),
    ]
    if occurrence:
        fields.append(("occurrence", occurrence))
    fields += extra
    lines = [f"  # {comment}" for comment in comments]
    lines.append(f"  # not a claim? list {yaml_quoted(text[candidate.start:candidate.end])} under not_claims: with the reason")
    for index, (key, value) in enumerate(fields):
        rendered = yaml_quoted(value) if key == "quote" else scalar(value)
        lines.append(("  - " if index == 0 else "    ") + f"{key}: {rendered}")
    return "\n".join(lines)


def uncovered(corpus, source) -> list[Candidate]:
    return [result.candidate for result in source_coverage(corpus, source) if result.status == UNCOVERED]


def suggestions(corpus, source) -> list[str]:
    """A stub for each candidate of the source that no claim covers yet."""
    text = corpus.texts[source.id]
    everything = find_candidates(text, corpus.semantics)
    stubs = []
    for candidate in uncovered(corpus, source):
        same_sentence = [c for c in everything if c.sentence_start == candidate.sentence_start]
        stubs.append(stub(corpus, source, candidate, same_sentence))
    return stubs
