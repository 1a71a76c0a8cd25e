"""Benchmark one figure repeated by N claims against N event claims of the same size.

    python bench/bench_figures.py [--sizes 100,1500,6000] [--repeat 3] [--workdir /tmp/claimsdb-figures]

A figure such as "around 5,000" repeated by a thousand outlets is normal in
this field; detection compares figures, not claims, so N claims of one
figure must cost no more than a constant times N event claims. For each N,
two corpora of one source file each (the seed corpus's shared files, one
archived text) differ only in their claims: N quantity claims of one figure,
or N event claims padded (with a note) to the same bytes. Each is built with
`claimsdb build --no-cache` in a fresh process; the benchmark reports the
ratio of the medians of wall time, of peak memory and of the database's size
(quantity / event), against the target of 3. N = 6,000 of these claims is
just under the 2 MB file limit. Results go to
bench/results/figures.md.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_build import CLAIMSDB, run_child  # noqa: E402

TARGET = 3.0
TEXT = "Officials interviewed for this bulletin said that around 5,000 people were executed in the prisons that summer.\n"
STATEMENT = "The bulletin reports officials as saying that around 5,000 people were executed."
QUANTITY_LINES = ["    measure: people-executed-1988", "    value: around 5,000"]


def claim(kind: str, index: int) -> str:
    lines = [f"  - id: claim-{index:05d}", f"    kind: {kind}", "    subject: executions-1988", "    speaker: unattributed-reports",
             "    mode: reported", f"    statement: {STATEMENT}", "    quote: around 5,000 people were executed"]
    if kind == "quantity":
        return "\n".join(lines + QUANTITY_LINES) + "\n"
    # The same bytes: a note as long as what the quantity has more.
    padding = len(claim("quantity", index)) - len("\n".join(lines) + "\n") - len("    note: \n")
    return "\n".join(lines + ["    note: " + "x" * padding]) + "\n"


def corpus(directory: Path, kind: str, claims: int) -> int:
    """Write the corpus; returns the size of its one source file in bytes."""
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "claims" / "sources").mkdir(parents=True)
    for name in ("agents.yml", "subjects.yml", "measures.yml"):
        shutil.copyfile(ROOT / "tests" / "seed_corpus" / name, directory / "claims" / name)
    (directory / "claims" / "sources" / "bulletin.txt").write_text(TEXT, encoding="utf-8")
    head = ("id: bulletin\ntitle: A synthetic bulletin\nurl: https://example.org/bulletin\npublisher: arabnews-today\nlanguage: en\n"
            f"archive: sources/bulletin.txt\nsha256: {hashlib.sha256(TEXT.encode()).hexdigest()}\nclaims:\n")
    text = head + "".join(claim(kind, i) for i in range(claims))
    (directory / "claims" / "bulletin.yml").write_text(text, encoding="utf-8")
    return len(text.encode())


def build(directory: Path) -> dict:
    (directory / "claims.db").unlink(missing_ok=True)
    seconds, peak, _ = run_child([*CLAIMSDB, "build", "--no-cache", "--timings", str(directory / "timings.json")], directory)
    stages = json.loads((directory / "timings.json").read_text())
    return {"seconds": seconds, "peak_mb": peak, "db_bytes": (directory / "claims.db").stat().st_size, "relations_s": stages.get("relations", 0.0)}


def main(argv: list[str]) -> None:
    sizes, repeat, workdir = [100, 1500, 6000], 3, Path("/tmp/claimsdb-figures")
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    if "--workdir" in argv:
        workdir = Path(argv[argv.index("--workdir") + 1])
    rows = []
    for n in sizes:
        measured = {}
        for kind in ("event", "quantity"):
            directory = workdir / f"{kind}-{n}"
            file_bytes = corpus(directory, kind, n)
            runs = [build(directory) for _ in range(repeat)]
            measured[kind] = {key: statistics.median(r[key] for r in runs) for key in runs[0]} | {"file_bytes": file_bytes}
        ratios = {key: measured["quantity"][key] / measured["event"][key] for key in ("seconds", "peak_mb", "db_bytes")}
        row = {"claims": n, **{f"{kind}_{key}": value for kind in measured for key, value in measured[kind].items()}, **{f"ratio_{k}": v for k, v in ratios.items()}}
        rows.append(row)
        print(json.dumps(row), flush=True)
    lines = [
        "# One figure repeated by N claims, against N event claims of the same size",
        "",
        f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.release()}; "
        f"command: `python bench/bench_figures.py --sizes {','.join(map(str, sizes))} --repeat {repeat}`.",
        "One source file of N claims quoting one sentence: N quantity claims of 'around 5,000' (one figure), or N event claims padded to the same bytes.",
        f"`claimsdb build --no-cache` in a fresh process, median of {repeat} runs; ratio = quantity / event; target ≤ {TARGET:g}.",
        "",
        "| claims | file (bytes, quantity / event) | build s (event) | build s (quantity) | time ratio | peak MB ratio | db bytes (event) | db bytes (quantity) | db ratio | relations stage s (quantity) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['claims']:,} | {r['quantity_file_bytes']:,} / {r['event_file_bytes']:,} | {r['event_seconds']:.2f} | {r['quantity_seconds']:.2f} | "
                     f"**{r['ratio_seconds']:.2f}×** | {r['ratio_peak_mb']:.2f}× | {r['event_db_bytes']:,} | {r['quantity_db_bytes']:,} | **{r['ratio_db_bytes']:.2f}×** | {r['quantity_relations_s']:.3f} |")
    worst = max(max(r["ratio_seconds"], r["ratio_db_bytes"]) for r in rows)
    lines += ["", f"Worst ratio of time or space: **{worst:.2f}×** (target ≤ {TARGET:g}: {'met' if worst <= TARGET else 'NOT met'})."]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "figures.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
