"""How the build's relations stage and the database grow with the corpus.

    python bench/bench_relations_scale.py [--sizes 100000,200000,1000000] [--workdir /tmp/claimsdb-scale]

For each size it generates a synthetic corpus (bench/synthetic.py: 20 claims
a source, every kind, figures that collide within their groups, declared
relations), builds it once with `claimsdb build --no-cache --timings` in a
fresh process, and reports the relations stage (figures and detection), the
whole build, the database's size, and the figures and figure pairs it holds,
each per claim: linear growth keeps them roughly constant. A million claims
take many minutes on a shared machine; each size is measured once. Results
go to bench/results/relations_scale.md.
"""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_build import CLAIMSDB, run_child  # noqa: E402
from synthetic import generate  # noqa: E402


def measure(directory: Path, claims: int) -> dict:
    generate(directory / "claims", claims)
    seconds, peak, _ = run_child([*CLAIMSDB, "build", "--no-cache", "--timings", str(directory / "timings.json")], directory)
    stages = json.loads((directory / "timings.json").read_text())
    db = sqlite3.connect(directory / "claims.db")
    figures, pairs, quantity_or_period = (db.execute(sql).fetchone()[0] for sql in (
        "select count(*) from figures", "select count(*) from figure_relations",
        "select count(*) from claims where figure_id is not null"))
    db.close()
    return {"claims": claims, "build_s": seconds, "peak_mb": peak, "relations_s": stages.get("relations", 0.0),
            "db_bytes": (directory / "claims.db").stat().st_size, "figures": figures, "figure_pairs": pairs,
            "claims_with_a_figure": quantity_or_period}


def main(argv: list[str]) -> None:
    sizes, workdir = [100_000, 200_000, 1_000_000], Path("/tmp/claimsdb-scale")
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    if "--workdir" in argv:
        workdir = Path(argv[argv.index("--workdir") + 1])
    rows = []
    for claims in sizes:
        row = measure(workdir / str(claims), claims)
        rows.append(row)
        print(json.dumps(row), flush=True)
    base = rows[0]
    lines = [
        "# The relations stage and the database, by corpus size",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"command: `python bench/bench_relations_scale.py --sizes {','.join(map(str, sizes))}`.",
        "Synthetic corpora (bench/synthetic.py); one `claimsdb build --no-cache` each, in a fresh process; the machine is shared, so read the ratios.",
        "",
        "| claims | relations stage s | µs/claim | ratio to the first size, per claim | build s | db MB | bytes/claim | db ratio per claim | figures | figure pairs | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        per = r["relations_s"] / r["claims"]
        lines.append(
            f"| {r['claims']:,} | {r['relations_s']:.2f} | {per * 1e6:.1f} | {per / (base['relations_s'] / base['claims']):.2f} | {r['build_s']:.0f} | "
            f"{r['db_bytes'] / 1e6:.0f} | {r['db_bytes'] / r['claims']:.0f} | {(r['db_bytes'] / r['claims']) / (base['db_bytes'] / base['claims']):.2f} | "
            f"{r['figures']:,} | {r['figure_pairs']:,} | {r['peak_mb']:.0f} |")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "relations_scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
