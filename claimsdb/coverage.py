"""Coverage: for each candidate expression of a source (claimsdb.candidates),
the claims that cover it, or the editor's reason why it carries no claim.

A claim covers a candidate when

1. its quote contains the expression; or
2. it records the expression's words as written in `period:` or `value:`
   and its quote stands in the same sentence ("In recent years, …, the
   regime has engaged in …" with `period: In recent years`); or
3. the candidate is a reporting verb and the claim, quoted, reported or
   attributed (not the outlet's own voice), has its quote in the same
   sentence ("“…,” Amnesty International added.").

A candidate no claim covers is not a claim when it lies inside words the
source file marks under `not_claims:`. Everything else is uncovered:
`claimsdb suggest` proposes a claim for it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .candidates import Candidate, find_candidates
from .quotes import fold

CLAIM, NOT_A_CLAIM, UNCOVERED = "claim", "not-a-claim", "uncovered"


class Coverage(NamedTuple):  # a named tuple, as Candidate: one for every candidate, made cheaply
    candidate: Candidate
    status: str  # claim, not-a-claim or uncovered
    claim_ids: tuple[str, ...] = ()
    reason: str | None = None


@lru_cache(maxsize=1 << 16)  # the same words recur ("said", "at least 36"): folded once
def folded(words: str) -> str:
    return fold(words, case=True)[0].strip()


def covers(claim, span, candidate: Candidate, written: list[str] | None = None, candidate_words: str | None = None) -> bool:
    """Whether the claim covers the candidate; ``written`` (the claim's
    period and value, folded) and ``candidate_words`` (folded) may be given
    when already known."""
    if span.start <= candidate.start and candidate.end <= span.end:
        return True
    in_sentence = span.start < candidate.sentence_end and candidate.sentence_start < span.end
    if not in_sentence:
        return False
    if written is None:
        written = [folded(words) for words in (claim.period, getattr(claim, "value", None)) if words]
    words = folded(candidate.text) if candidate_words is None else candidate_words
    if any(words in w for w in written):
        return True
    return candidate.category == "reporting" and claim.mode != "own-voice"


def source_coverage(corpus, source) -> list[Coverage]:
    """Every candidate of one source of a loaded corpus, with its status."""
    text = corpus.texts[source.id]
    # A claim quoting an earlier capture (revision) covers nothing in the current text.
    claims = [(claim, corpus.spans[claim.id]) for claim in source.claims if claim is not None and claim.id in corpus.spans and claim.revision is None]
    marked = corpus.not_claims.get(source.id, [])
    written = {claim.id: [folded(w) for w in (claim.period, claim.__dict__.get("value")) if w] for claim, _ in claims}
    # The claims in order of where their quotes start, so that those a
    # sentence may hold are found by bisection, not by a pass over every claim
    # of the source for every sentence; kept in the source's order.
    by_start = sorted(range(len(claims)), key=lambda index: claims[index][1].start)
    starts = [claims[index][1].start for index in by_start]
    longest = max((span.end - span.start for _, span in claims), default=0)
    nearby: dict[tuple[int, int], list] = {}
    results = []
    for candidate in find_candidates(text, corpus.semantics):
        words = folded(candidate.text)
        # Only a claim quoted in the candidate's sentence (or around the
        # candidate) can cover it: the others are not compared at all.
        low, high = min(candidate.sentence_start, candidate.start), max(candidate.sentence_end, candidate.end)
        if (low, high) not in nearby:
            # span.start < high, and span.end > low: span.start > low - longest
            within = by_start[bisect_right(starts, low - longest):bisect_left(starts, high)]
            nearby[(low, high)] = [claims[index] for index in sorted(within) if low < claims[index][1].end]
        claim_ids = tuple(claim.id for claim, span in nearby[(low, high)] if covers(claim, span, candidate, written[claim.id], words))
        if claim_ids:
            results.append(Coverage(candidate, CLAIM, claim_ids))
            continue
        reason = next((m.not_claim.reason for m in marked if m.span.start <= candidate.start and candidate.end <= m.span.end), None)
        results.append(Coverage(candidate, NOT_A_CLAIM if reason else UNCOVERED, (), reason))
    return results


@dataclass(frozen=True)
class Summary:
    source_id: str
    candidates: int
    claims: int
    not_claims: int

    @property
    def uncovered(self) -> int:
        return self.candidates - self.claims - self.not_claims

    @property
    def percent(self) -> float:
        """Share of candidates an editor has dealt with (covered or marked)."""
        return 100.0 if not self.candidates else round(100 * (self.claims + self.not_claims) / self.candidates, 1)


def summarise(source_id: str, results: list[Coverage]) -> Summary:
    return Summary(
        source_id,
        len(results),
        sum(1 for r in results if r.status == CLAIM),
        sum(1 for r in results if r.status == NOT_A_CLAIM),
    )
