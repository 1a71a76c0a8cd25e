"""Does a build cost more when the same claims sit in fewer, longer sources?

    python bench/bench_source_size.py [--claims 12000] [--per-source 20,200,2000,6000] [--repeat 3] [--workdir DIR]

A corpus grows by sources of every size: a news item with three claims, a
report of several hundred pages with thousands. For each claims-per-source
size, bench/synthetic.py writes a corpus of the same number of claims (so
the same bytes of YAML and of archived text, split into fewer files), and
``claimsdb build --full --no-cache --no-downloads`` builds it in a fresh
process. Each stage's seconds (``--timings``, median of the runs) are
reported beside the smallest size's, measured in the same run: a stage
whose ratio grows with the size of a source costs more than linear in it.
Results go to bench/results/source_size.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import CLAIMSDB, run_child  # noqa: E402
from synthetic import generate  # noqa: E402

STAGES = ["read", "quotes", "relations", "check", "coverage", "write", "indexes", "total"]


def measure(claims: int, per_source: int, repeat: int, workdir: Path) -> dict:
    directory = workdir / f"per-source-{per_source}"
    generate(directory / "claims", claims, per_source=per_source)
    runs = []
    for _ in range(repeat):
        timings = directory / "timings.json"
        seconds, peak, _ = run_child([*CLAIMSDB, "build", "--full", "--no-cache", "--no-downloads", "--timings", str(timings)], directory)
        runs.append({"wall": seconds, "peak_mb": peak, **json.loads(timings.read_text())})
    return {
        "per_source": per_source,
        "sources": -(-claims // per_source),
        "stages": {name: statistics.median(run.get(name, 0.0) for run in runs) for name in STAGES},
        "peak_mb": max(run["peak_mb"] for run in runs),
    }


def table(results: list[dict]) -> str:
    first = results[0]["stages"]
    lines = [
        "| claims a source | sources | " + " | ".join(f"{name} (s)" for name in STAGES) + " | peak (MB) |",
        "|---:|---:|" + "---:|" * len(STAGES) + "---:|",
    ]
    for result in results:
        cells = [f"{result['stages'][name]:.2f} ({result['stages'][name] / first[name]:.2f}×)" if first[name] else f"{result['stages'][name]:.2f}" for name in STAGES]
        lines.append(f"| {result['per_source']:,} | {result['sources']:,} | " + " | ".join(cells) + f" | {result['peak_mb']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=12000)
    parser.add_argument("--per-source", default="20,200,2000,6000", help="claims a source, comma-separated (the first is the baseline)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="claimsdb-source-size-"))
    sizes = [int(size) for size in args.per_source.split(",")]
    results = [measure(args.claims, size, args.repeat, workdir) for size in sizes]
    command = f"python bench/bench_source_size.py --claims {args.claims} --per-source {args.per_source} --repeat {args.repeat}"
    text = (
        "# Build cost against the size of a source\n\n"
        f"Command: `{command}`; {args.claims:,} synthetic claims each time, split into sources of the sizes below; "
        f"every figure is the median of {args.repeat} build(s) in fresh processes (one process, no cache, no downloads), "
        "and in brackets its ratio to the first row's, measured in the same run.\n\n"
        + table(results) + "\n"
    )
    out = HERE / "results" / "source_size.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
