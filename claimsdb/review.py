"""What no editor has looked at yet: `claimsdb review`.

Detected conflicts (contradicts, in-tension) are listed once per pair of
figures, however many claims carry the two figures, each side with its
claims' quotes, speakers and sources. An editor acknowledges a pair once, on
one claim of either figure, with `reviewed:` (or by declaring a relation);
the acknowledgement covers later claims of the same two figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from .relations import Figure, FigureRelation

SHOWN_CLAIMS = 5  # per side; the rest are counted


@dataclass
class Pending:
    relation: FigureRelation
    figures: tuple[Figure, Figure]


def pending_pairs(corpus) -> list[Pending]:
    """Unacknowledged pairs of figures in conflict, in a stable order."""
    relations = corpus.relations
    found = sorted(relations.pending(), key=lambda d: (relations.figures[d.figure_id].group, d.figure_id, d.other_figure_id))
    return [Pending(d, (relations.figures[d.figure_id], relations.figures[d.other_figure_id])) for d in found]


def side_lines(corpus, figure: Figure, label: str, claims: dict, names: dict) -> list[str]:
    claims = {claim_id: claims[claim_id] for claim_id in figure.claims}
    sources = {source.id for source, _ in claims.values()}
    hedges = list(dict.fromkeys(h for _, claim in claims.values() for h in claim.hedges))
    lines = [f"  {label} {figure.name}: entails {figure.words()}"
             + (f"; usually suggests {figure.words(True)}" if figure.suggests_more else "")
             + f" — {len(figure.claims)} claim(s), {len(sources)} source(s)"
             + (f"; hedged: {', '.join(repr(h) for h in hedges)}" if hedges else "")]
    for claim_id in figure.claims[:SHOWN_CLAIMS]:
        source, claim = claims[claim_id]
        place = corpus.where[("claim", claim_id)][0]
        lines.append(f"    `{claim_id}` ({place.path}:{place.line}): {names.get(claim.speaker, claim.speaker)} ({claim.mode}), "
                     f"in {names.get(source.publisher, source.publisher)}, “{source.title}”: “{claim.quote}”")
    if len(figure.claims) > SHOWN_CLAIMS:
        lines.append(f"    … and {len(figure.claims) - SHOWN_CLAIMS} more claim(s) of this figure")
    return lines


def render(corpus, pending: list[Pending]) -> str:
    if not pending:
        return "Nothing to review: every detected conflict between figures has been acknowledged by an editor.\n"
    measures = {m.id: m.name for m in corpus.measures}
    names = {agent.id: agent.name for agent in corpus.agents}
    claims = {claim.id: (source, claim) for source, claim in corpus.claims()}
    subjects = {s.id: s.name for s in corpus.subjects}
    out = [f"{len(pending)} pair(s) of figures in conflict that no editor has acknowledged:"]
    for number, item in enumerate(pending, start=1):
        a, b = item.figures
        what = f"{measures.get(a.measure, a.measure)}, {subjects.get(a.subject, a.subject)}" if a.kind == "quantity" else f"period of {subjects.get(a.subject, a.subject)}"
        if b.subject != a.subject:
            what += f" / {subjects.get(b.subject, b.subject)}"
        out += ["", f"{number}. {a.name} {item.relation.relation} {b.name} ({what})", f"  {item.relation.rationale}"]
        out += side_lines(corpus, a, "A", claims, names) + side_lines(corpus, b, "B", claims, names)
        place = corpus.where[("claim", a.claims[0])][0]
        out += [f"  To acknowledge, add to `{a.claims[0]}` ({place.path}:{place.line}):",
                "    reviewed:", f"      - claim: {b.claims[0]}", "        rationale: <what you read, and who asserts what>"]
    return "\n".join(out) + "\n"
