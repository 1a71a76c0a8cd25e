"""Generate a synthetic claims/ directory of any size, deterministic from a seed.

    python bench/synthetic.py OUT_DIR --claims 100000 [--seed 1988] [--per-source 20]

Everything is fictional and labelled so ("Synthetic Outlet 12"): it exists to
measure the build, never to be published. The corpus is realistic in shape:
sources with archived texts that really contain every quote (with curly
quotes and no-break spaces, as web pages have), agents of every kind,
subjects, measures, claims of every kind, declared relations, and figures
for the same subject and measure that collide, so detection has work to do.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
REAL_MEASURES = HERE.parent / "claims" / "measures.yml"

AGENT_KINDS = ["person", "organisation", "government-body", "intergovernmental-body", "ngo", "media-outlet", "court", "unnamed-group"]
KIND_WEIGHTS = {"quantity": 30, "period": 15, "characterisation": 15, "role": 10, "event": 20, "demand": 10}
MODES = ["own-voice", "quoted", "reported", "attributed-belief"]
LABELS = ["genocide", "crime against humanity", "enforced disappearance", "extrajudicial execution"]
MODALITIES = ["is", "meets-criteria", "may-amount-to", "denies"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def figure(rng: random.Random, centre: int) -> tuple[str, str]:
    """A figure as written, and how the text words it: most sources near
    the group's centre, one in ten far from it, so some figures collide."""
    spread = 0.1 if rng.random() < 0.9 else 0.8
    n = max(1, int(rng.gauss(centre, centre * spread)))
    n = round(n, -2) if n > 1000 else n
    choice = rng.random()
    if choice < 0.3:
        text = f"around {n:,}"
    elif choice < 0.5:
        text = f"more than {n:,}"
    elif choice < 0.65:
        text = f"at least {n:,}"
    elif choice < 0.8:
        text = f"{n:,}"
    elif choice < 0.9:
        text = f"between {n:,} and {n + max(1, n // 5):,}"
    else:
        text = rng.choice(["thousands", "tens of thousands", "hundreds"])
    return text, text


def period(rng: random.Random, year: int, month: int) -> tuple[str, str, str]:
    """When, around a subject's own month: sources mostly agree, some not."""
    first = max(1, min(12, month + rng.choice([-1, 0, 0, 0, 1]) if rng.random() < 0.9 else rng.randint(1, 12)))
    last = rng.randint(first, min(12, first + 3))
    if rng.random() < 0.3:
        return f"between {MONTHS[first - 1]} and early {MONTHS[last - 1]} {year}", f"{year}-{first:02d}", f"early {year}-{last:02d}"
    if rng.random() < 0.2:
        return f"in the summer of {year}", f"summer {year}", f"summer {year}"
    return f"between {MONTHS[first - 1]} and {MONTHS[last - 1]} {year}", f"{year}-{first:02d}", f"{year}-{last:02d}"


def generate(out: Path, claims: int, seed: int = 1988, per_source: int = 20) -> dict:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)

    n_agents = max(40, claims // 200)
    agents = [(f"agent-{i}", AGENT_KINDS[i % len(AGENT_KINDS)]) for i in range(n_agents)]
    outlets = [a for a, kind in agents if kind == "media-outlet"]
    lines = ["# yaml-language-server: $schema=../schema/agents.schema.json", "agents:"]
    for i, (agent_id, kind) in enumerate(agents):
        lines += [f"  - id: {agent_id}", f"    name: {q(f'Synthetic {kind} {i}')}", f"    kind: {kind}",
                  f"    description: {q('A fictional agent of the synthetic benchmark corpus.')}"]
        if i and i % 7 == 0:
            lines += ["    affiliations:", f"      - agent: agent-{i - 1}", f"        role: {q('member')}"]
    (out / "agents.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    n_subjects = max(20, claims // 100)
    lines = ["# yaml-language-server: $schema=../schema/subjects.schema.json", "subjects:"]
    for i in range(n_subjects):
        lines += [f"  - id: subject-{i}", f"    name: {q(f'Synthetic event {i}')}", "    kind: event"]
    (out / "subjects.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    n_measures = 30
    real = REAL_MEASURES.read_text(encoding="utf-8")
    semantics = real[real.index("value_semantics:"):]
    lines = ["# yaml-language-server: $schema=../schema/measures.schema.json", "measures:"]
    for i in range(n_measures):
        lines += [f"  - id: measure-{i}", f"    name: {q(f'Synthetic count {i}')}", f"    unit: {'people' if i % 3 else 'cities'}"]
    (out / "measures.yml").write_text("\n".join(lines) + "\n\n" + semantics, encoding="utf-8")

    # Each subject happened in one year and month; period claims about it cluster there.
    subject_dates = [(rng.choice([1988, 1989, 2020, 2021]), rng.randint(2, 9)) for _ in range(n_subjects)]
    # Figures collide within (subject, measure) groups of a few claims each.
    n_groups = max(1, claims // 10)
    groups = [(f"subject-{rng.randrange(n_subjects)}", f"measure-{rng.randrange(n_measures)}", rng.choice([300, 5_000, 30_000, 120_000])) for _ in range(n_groups)]
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    made = 0
    source_index = 0
    by_group: dict = {}
    while made < claims:
        count = min(per_source, claims - made)
        source_id = f"synthetic-source-{source_index:07d}"
        publisher = rng.choice(outlets)
        paragraphs = [f"Synthetic report number {source_index}\u00a0— a fictional document for the benchmark.", ""]
        claim_lines = []
        for k in range(count):
            claim_id = f"s{source_index}-c{k}"
            kind = rng.choices(kinds, weights)[0]
            speaker = publisher if rng.random() < 0.3 else rng.choice(agents)[0]
            mode = "own-voice" if speaker == publisher else rng.choice(MODES[1:])
            tag = f"(item {source_index}.{k})"
            entry = [f"  - id: {claim_id}", f"    kind: {kind}", f"    speaker: {speaker}", f"    mode: {mode}"]
            if kind == "quantity":
                group = rng.randrange(n_groups)
                subject, measure, centre = groups[group]
                value, worded = figure(rng, centre)
                quote = f"{worded} people were counted {tag}"
                entry += [f"    subject: {subject}", f"    measure: {measure}", f"    value: {q(value)}"]
                earlier = by_group.get(group)
                if earlier and rng.random() < 0.15:
                    entry += ["    relations:", f"      - relation: {rng.choice(['corroborates', 'differs-in-scope'])}",
                              f"        claim: {earlier}", f"        rationale: {q('A fictional editor relates the two synthetic figures.')}"]
                by_group[group] = claim_id
            elif kind == "period":
                subject = rng.randrange(n_subjects)
                text, start, end = period(rng, *subject_dates[subject])
                quote = f"it happened {text} {tag}"
                entry += [f"    subject: subject-{subject}", f"    period: {q(text)}", f"    start: {q(start)}", f"    end: {q(end)}"]
            elif kind == "characterisation":
                label = rng.choice(LABELS)
                quote = f"described it as “{label}” {tag}"
                entry += [f"    subject: subject-{rng.randrange(n_subjects)}", f"    label: {q(label)}", f"    modality: {rng.choice(MODALITIES)}"]
            elif kind == "role":
                holder = rng.choice(agents)[0]
                quote = f"was a member of the commission {tag}"
                entry += [f"    subject: subject-{rng.randrange(n_subjects)}", f"    agent: {holder}", f"    role: {q('member of the commission')}"]
            elif kind == "event":
                quote = f"the site was built over {tag}"
                entry += [f"    subject: subject-{rng.randrange(n_subjects)}"]
            else:
                quote = f"called for an international investigation {tag}"
                entry += [f"    subject: subject-{rng.randrange(n_subjects)}", f"    demand: {q('an international investigation')}",
                          f"    addressed_to: {q('the international community')}"]
            entry += [f"    statement: {q(f'A synthetic agent says something, as synthetic report {source_index} has it.')}", f"    quote: {q(quote)}"]
            claim_lines += entry
            paragraphs += [f"In this fictional account, {speaker.replace('-', ' ')} said that {quote}, the text\u00a0goes on.", ""]
        text = "\n".join(paragraphs)
        data = text.encode("utf-8")
        (out / "sources" / f"{source_id}.txt").write_bytes(data)
        head = [
            "# yaml-language-server: $schema=../schema/source.schema.json",
            f"id: {source_id}",
            f"title: {q(f'Synthetic report {source_index}')}",
            f"url: https://example.org/synthetic/{source_index}",
            f"publisher: {publisher}",
            f'published: "{rng.choice([2019, 2020, 2021])}-{rng.randint(1, 12):02d}"',
            "language: en",
            f"archive: sources/{source_id}.txt",
            f"sha256: {hashlib.sha256(data).hexdigest()}",
            "claims:",
        ]
        (out / f"{source_id}.yml").write_text("\n".join(head + claim_lines) + "\n", encoding="utf-8")
        made += count
        source_index += 1
    return {"claims": made, "sources": source_index, "agents": n_agents, "subjects": n_subjects, "measures": n_measures}


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--claims", "claims", default=10_000, show_default=True, type=int)
@click.option("--seed", default=1988, show_default=True, type=int)
@click.option("--per-source", default=20, show_default=True, type=int)
def main(out: Path, claims: int, seed: int, per_source: int):
    """Write a synthetic claims directory to OUT (replacing it)."""
    counts = generate(out, claims, seed, per_source)
    click.echo(json.dumps(counts), err=True)


if __name__ == "__main__":
    sys.exit(main())
