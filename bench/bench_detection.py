"""Benchmark conflict detection: figures (claims grouped by their readings,
then every pair of distinct figures of a group) at 10k, 100k and 1M claims,
beside the all-pairs approach (every pair of claims of a group) at 10k.

    python bench/bench_detection.py [--sizes 10000,100000,1000000] [--repeat 3]

Each measurement runs in a fresh subprocess, so its peak memory (ru_maxrss)
is its own. Figures are written to bench/results/detection.md. The machine
is shared and noisy: read the medians and the ratio, not one time.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from claimsdb.load import load_corpus  # noqa: E402
from claimsdb.relations import Figure, compare, detect, figure_id, reading_of  # noqa: E402

WORDINGS = ["around {n:,}", "more than {n:,}", "at least {n:,}", "fewer than {n:,}", "{n:,}", "between {n:,} and {m:,}", "thousands", "tens of thousands"]


def synthetic_groups(claims: int, seed: int = 1988, mean_group: int = 12) -> dict:
    """Quantity claims in comparison groups of 1 to 2*mean_group-1 claims
    (figures from several sources for one measure of one subject), with
    wordings read through the real value_semantics table."""
    semantics = load_corpus(HERE.parent / "claims").semantics
    rng = random.Random(seed)
    groups: dict = {}
    made = 0
    while made < claims:
        size = min(rng.randint(1, 2 * mean_group - 1), claims - made)
        centre = rng.choice([300, 5_000, 30_000, 120_000])
        key = ("quantity", f"subject-{len(groups)}", f"measure-{len(groups) % 50}", "people", "")
        items = []
        for _ in range(size):
            n = max(1, int(rng.gauss(centre, centre * 0.4)))
            wording = rng.choice(WORDINGS).format(n=n, m=n + rng.randint(1, centre))
            items.append((f"c{made}", wording, reading_of(wording, semantics)))
            made += 1
        groups[key] = items
    return groups


def figures_of(groups: dict) -> dict:
    """Claims with the same readings in a group are one figure (as relations.build_figures)."""
    figures, by_key = {}, {}
    for key, items in groups.items():
        for claim_id, wording, reading in items:
            found = by_key.get((key, reading.entailed, reading.suggested))
            if found is None:
                fid = figure_id("quantity", key[1], key[2], key[3], reading)
                found = by_key[(key, reading.entailed, reading.suggested)] = figures[fid] = Figure(fid, "quantity", key[1], key[2], key[3], reading, [], [wording])
            found.claims.append(claim_id)
    return figures


def all_pairs(groups: dict) -> int:
    """The naive approach: every claim against every other of its group."""
    found = 0
    for key, items in groups.items():
        claims = [Figure(claim_id, "quantity", key[1], key[2], key[3], reading, [claim_id], [wording]) for claim_id, wording, reading in items]
        for i, a in enumerate(claims):
            for b in claims[i + 1:]:
                compare(a, b)
                found += 1
    return found


def measure(method: str, claims: int) -> dict:
    """Run in a subprocess: generate, then time detection alone."""
    groups = synthetic_groups(claims)
    start = time.perf_counter()
    pairs = all_pairs(groups) if method == "all-pairs" else sum(1 for _ in detect(figures_of(groups)))
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"method": method, "claims": claims, "pairs": pairs, "seconds": seconds, "peak_mb": peak_mb}


def run(method: str, claims: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", method, str(claims)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1], int(argv[2]))))
        return
    sizes = [10_000, 100_000, 1_000_000]
    repeat = 3
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    rows = []
    for claims in sizes:
        methods = ["figures", "all-pairs"] if claims == sizes[0] else ["figures"]
        for method in methods:
            # A million claims are measured once: each run takes minutes.
            runs = [run(method, claims) for _ in range(repeat if claims < 1_000_000 else 1)]
            row = {
                "method": method, "claims": claims, "pairs": runs[0]["pairs"],
                "median_s": statistics.median(r["seconds"] for r in runs),
                "peak_mb": max(r["peak_mb"] for r in runs), "runs": len(runs),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    baseline = next(r for r in rows if r["method"] == "all-pairs")
    figures_small = next(r for r in rows if r["method"] == "figures" and r["claims"] == baseline["claims"])
    lines = [
        "# Conflict detection benchmark",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; command: `python bench/bench_detection.py`.",
        "Synthetic quantity claims in comparison groups of 1–23 (mean 12) read through the real value_semantics table;",
        "time is detection alone (generation excluded), median of the runs; peak memory is the whole process (ru_maxrss).",
        "",
        "| method | claims | pairs related | median time (s) | peak memory (MB) | runs |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['method']} | {r['claims']:,} | {r['pairs']:,} | {r['median_s']:.3f} | {r['peak_mb']:.0f} | {r['runs']} |")
    ratio = baseline["median_s"] / figures_small["median_s"]
    lines += ["", f"All-pairs / figures at {baseline['claims']:,} claims: **{ratio:.0f}×** slower (pairs of claims compared by all-pairs: {baseline['pairs']:,}; pairs of figures: {figures_small['pairs']:,})."]
    big = [r for r in rows if r["method"] == "figures"]
    if len(big) > 1:
        per = [f"{r['claims']:,}: {r['median_s'] / r['claims'] * 1e6:.2f} µs/claim" for r in big]
        lines.append("Figures' time per claim (near-linear means roughly constant): " + "; ".join(per) + ".")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "detection.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
