"""Where a full build's memory goes, stage by stage, against its target.

    python bench/bench_memory.py [--sizes 100000,1000000] [--jobs 2] [--workdir /tmp/claimsdb-memory]

For each size bench/synthetic.py writes a corpus, and a fresh process builds
it (``claimsdb.build``, full, no cache, no downloads, on ``--jobs``
processes) and reports its resident set at the end of each stage
(``claimsdb.progress.Stages.resident``, read from /proc/self/status) and its
peak. The parse-only baseline's peak (PyYAML's C loader over the same files,
bench/bench_build.py) is measured beside it in the same run. One run a size:
memory, unlike time, hardly moves between runs. Results go to
bench/results/memory.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_build import MEMORY_TARGET_MB, PYTHON, baseline, machine, run_child  # noqa: E402


def child(directory: Path, jobs: int) -> None:
    """In the measured process: build, then print what each stage left resident."""
    sys.path.insert(0, str(ROOT))
    import claimsdb
    from claimsdb.progress import Stages

    stages = Stages()
    claimsdb.build(directory / "claims", directory / "claims.db", full=True, jobs=jobs, stages=stages)
    print(json.dumps({"resident": stages.resident, "seconds": stages.seconds}))


def measure(claims: int, jobs: int, workdir: Path) -> dict:
    from synthetic import generate

    directory = workdir / f"{claims}"
    generate(directory / "claims", claims)
    (directory / "claims.db").unlink(missing_ok=True)
    parse_only = baseline("parse-only", directory)
    seconds, peak, stdout = run_child([PYTHON, __file__, "--child", str(directory), str(jobs)], ROOT)
    return {"claims": claims, "jobs": jobs, "parse_only_peak_mb": parse_only["peak_mb"], "build_peak_mb": peak,
            "wall_s": seconds, **json.loads(stdout)}


def report(results: list[dict], options: str) -> str:
    ended = [name for name, _ in results[0]["resident"]]
    lines = [
        "# Memory of a full build, stage by stage",
        "",
        f"Machine: {machine()}.",
        f"Command: `python bench/bench_memory.py {options}`; one run a size, in a fresh process.",
        "Synthetic corpora from bench/synthetic.py. Each cell is the build's resident set (MB) as the stage ends, "
        "in the order the stages end, and in brackets what it added since the one before; "
        "`write` and `indexes` end twice (coverage is written last, then indexed).",
        "",
        "| stage | " + " | ".join(f"{r['claims']:,} claims, {r['jobs']} process(es)" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for index, name in enumerate(ended):
        cells = []
        for r in results:
            seen = r["resident"]
            if index >= len(seen) or seen[index][0] != name:
                cells.append("")
                continue
            added = f" ({seen[index][1] - seen[index - 1][1]:+,.0f})" if index else ""
            cells.append(f"{seen[index][1]:,.0f}{added}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **peak** (the process's maximum resident set) | " + " | ".join(f"**{r['build_peak_mb']:,.0f}**" for r in results) + " |")
    lines.append("| parse-only baseline's peak, same files | " + " | ".join(f"{r['parse_only_peak_mb']:,.0f}" for r in results) + " |")
    lines.append("| target | " + " | ".join(
        f"< {MEMORY_TARGET_MB:,}: {'met' if r['build_peak_mb'] < MEMORY_TARGET_MB else 'NOT met'}" for r in results) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        child(Path(argv[1]), int(argv[2]))
        return
    sizes, jobs, workdir = [100_000, 1_000_000], 2, Path("/tmp/claimsdb-memory")
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    if "--jobs" in argv:
        jobs = int(argv[argv.index("--jobs") + 1])
    if "--workdir" in argv:
        workdir = Path(argv[argv.index("--workdir") + 1])
    results = [measure(claims, jobs, workdir) for claims in sizes]
    text = report(results, f"--sizes {','.join(str(claims) for claims in sizes)} --jobs {jobs}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "memory.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
