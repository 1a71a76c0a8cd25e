"""Benchmark `claimsdb check` and `claimsdb build` against their baselines.

    python bench/bench_build.py [--sizes 10000,100000,1000000] [--repeat 3] [--workdir /tmp/claimsdb-bench]

(sizes of a million claims or more are measured once: each run takes minutes)

For each size it generates a synthetic corpus (bench/synthetic.py), then
measures, each in a fresh process so peak memory is its own:

- parse-only: PyYAML's C loader over every claim file (the cost the build
  cannot avoid);
- plain insert: sqlite3 ``executemany`` of the very rows the build writes,
  into tables without keys, indexes or full-text search;
- ``claimsdb check`` and ``claimsdb build --full`` (no cache), wall time,
  peak memory and the time of each stage, on one process a core
  (``--jobs``) and, for the build, on one process (``--jobs 1``, the
  default) too;
- an incremental rebuild (``claimsdb build`` from the previous claims.db):
  one figure edited in one source file, which moves it to another figure of
  its comparison group, so the group's figures and relations are rebuilt.

Builds are timed without their downloads (``--no-downloads``), which
bench/bench_downloads.py measures, and then once more as typed, downloads
and all: ``claimsdb build --full`` (with no downloads beside it to take
files from) against ``claimsdb build`` after the same edit, wall time.

and reports each against its target as a ratio. The machine is shared and
noisy, so every figure is the median of the runs, and baselines are measured
in the same run as what they are compared with. Results go to
bench/results/build.md and build.json.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
CLAIMSDB = [PYTHON, "-m", "claimsdb"]

TARGETS = {
    "build / parse-only": 2.0,
    "build on one process / parse-only": 2.0,
    "check / parse-only": 1.2,
    "write / plain insert": 2.0,
    "incremental / full build": 0.1,
    "incremental / full build, with downloads": 0.1,
}
MEMORY_TARGET_MB = 2048


def run_child(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and stdout of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "CI": "1"})
    stdout = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise RuntimeError(f"{command} exited {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024, stdout


# Baselines, each run as `python bench/bench_build.py --baseline NAME DIR` ------------------


def parse_only(directory: Path) -> dict:
    import yaml

    from claimsdb.progress import gc_paused

    paths = sorted((directory / "claims").glob("*.yml"))
    with gc_paused():
        start = time.perf_counter()
        for path in paths:
            yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        return {"seconds": time.perf_counter() - start}


def plain_insert(directory: Path) -> dict:
    import sqlite3

    from claimsdb.rows import rows_for
    from claimsdb.tables import TABLES
    from claimsdb.load import load_corpus
    from claimsdb.progress import gc_paused

    with gc_paused():
        corpus = load_corpus(directory / "claims")
        rows = rows_for(corpus)
        prepared = {}
        for table in TABLES:
            names = [column.name for column in table.columns]
            prepared[table.name] = (names, [row if isinstance(row, tuple) else tuple(row.get(n) for n in names) for row in rows[table.name]])  # generators too
        path = directory / "plain.db"
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        start = time.perf_counter()
        with conn:
            for name, (names, values) in prepared.items():
                conn.execute(f"create table [{name}] ({', '.join(f'[{n}]' for n in names)})")
                conn.executemany(f"insert into [{name}] values ({', '.join('?' for _ in names)})", values)
        seconds = time.perf_counter() - start
        conn.close()
        path.unlink()
        return {"seconds": seconds, "rows": sum(len(v) for _, v in prepared.values())}


BASELINES = {"parse-only": parse_only, "plain-insert": plain_insert}


def baseline(name: str, directory: Path) -> dict:
    seconds, peak, stdout = run_child([PYTHON, __file__, "--baseline", name, str(directory)], ROOT)
    result = json.loads(stdout)
    result["peak_mb"] = peak
    result["wall_s"] = seconds
    return result


# Measurements -------------------------------------------------------------------------------


def measure_size(claims: int, repeat: int, workdir: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from synthetic import generate

    directory = workdir / f"{claims}"
    counts = generate(directory / "claims", claims)
    result = {"claims": claims, "corpus": counts}

    def median_of(function):
        runs = [function() for _ in range(repeat)]
        return runs, statistics.median(r["seconds"] for r in runs)

    runs, result["parse_only_s"] = median_of(lambda: baseline("parse-only", directory))
    result["parse_only_wall_s"] = statistics.median(r["wall_s"] for r in runs)  # the process, start-up included, as check's is
    result["parse_only_peak_mb"] = max(r["peak_mb"] for r in runs)
    runs, result["plain_insert_s"] = median_of(lambda: baseline("plain-insert", directory))
    result["rows"] = runs[0]["rows"]

    def check():
        seconds, peak, _ = run_child([*CLAIMSDB, "check", "--no-cache", "--jobs", str(os.cpu_count())], directory)
        return {"seconds": seconds, "peak_mb": peak}

    runs, result["check_s"] = median_of(check)
    result["check_peak_mb"] = max(r["peak_mb"] for r in runs)

    def build():
        timings = directory / "timings.json"
        seconds, peak, _ = run_child([*CLAIMSDB, "build", "--full", "--no-cache", "--no-downloads", "--jobs", str(os.cpu_count()), "--timings", str(timings)], directory)
        return {"seconds": seconds, "peak_mb": peak, "stages": json.loads(timings.read_text())}

    runs, result["build_s"] = median_of(build)
    result["build_peak_mb"] = max(r["peak_mb"] for r in runs)
    result["stages"] = {name: statistics.median(r["stages"].get(name, 0.0) for r in runs) for name in runs[0]["stages"]}

    def build_one_process():
        timings = directory / "timings.json"
        seconds, peak, _ = run_child([*CLAIMSDB, "build", "--full", "--no-cache", "--no-downloads", "--jobs", "1", "--timings", str(timings)], directory)
        return {"seconds": seconds, "peak_mb": peak, "stages": json.loads(timings.read_text())}

    runs, _ = median_of(build_one_process)
    result["one_process_stages"] = {name: statistics.median(r["stages"].get(name, 0.0) for r in runs) for name in runs[0]["stages"]}
    result["db_mb"] = (directory / "claims.db").stat().st_size / 2**20

    # As typed, downloads and all (the default --jobs): from nothing, then
    # (below) after the edit; the last full build is the previous database
    # and downloads (and cache) of the incremental builds.
    shutil.rmtree(directory / ".claimsdb-cache", ignore_errors=True)

    def build_as_typed():
        shutil.rmtree(directory / "downloads", ignore_errors=True)  # from nothing: else they are taken from the last run's
        seconds, peak, _ = run_child([*CLAIMSDB, "build", "--full"], directory)
        return {"seconds": seconds, "peak_mb": peak}

    _, result["full_with_downloads_s"] = median_of(build_as_typed)

    # Incremental: from the full build just made (and its cache), one figure edited in one file, back and forth.
    edited = sorted((directory / "claims").glob("synthetic-source-*.yml"))[len(counts) // 2]
    original = edited.read_text(encoding="utf-8")
    figure = re.search(r'\n    value: "[^"\d]*(\d)', original)
    changed = original[:figure.start(1)] + str(int(figure[1]) % 9 + 1) + original[figure.end(1):]

    def rebuilt_after_the_edit(*options: str) -> tuple[float, float, str]:
        """The edit made, or undone if made, then `claimsdb build` from the previous build."""
        edited.write_text(changed if edited.read_text(encoding="utf-8") == original else original, encoding="utf-8")
        seconds, peak, stdout = run_child([*CLAIMSDB, "build", *options], directory)
        assert "from the previous build" in stdout, stdout
        return seconds, peak, stdout

    def incremental():
        seconds, peak, _ = rebuilt_after_the_edit("--no-downloads", "--timings", str(directory / "timings.json"))
        return {"seconds": seconds, "peak_mb": peak, "stages": json.loads((directory / "timings.json").read_text())}

    def incremental_as_typed():
        seconds, peak, stdout = rebuilt_after_the_edit()
        assert "downloads in" in stdout, stdout
        return {"seconds": seconds, "peak_mb": peak}

    _, result["incremental_with_downloads_s"] = median_of(incremental_as_typed)
    edited.write_text(original, encoding="utf-8")
    run_child([*CLAIMSDB, "build", "--no-downloads"], directory)  # back to the full build's content

    runs, result["incremental_s"] = median_of(incremental)
    result["incremental_stages"] = {name: statistics.median(r["stages"].get(name, 0.0) for r in runs) for name in runs[0]["stages"]}
    edited.write_text(original, encoding="utf-8")

    stages = result["stages"]
    after_parse = result["build_s"] - result["parse_only_s"]
    # Ratios of in-process times (from the start of the build to the database
    # in place), so the interpreter's start-up counts on neither side.
    full = stages["total"]
    result["ratios"] = {
        "build / parse-only": full / result["parse_only_s"],
        "build on one process / parse-only": result["one_process_stages"]["total"] / result["parse_only_s"],
        "check / parse-only": result["check_s"] / result["parse_only_wall_s"],
        "write / plain insert": stages.get("write", 0.0) / result["plain_insert_s"],
        "incremental / full build": result["incremental_stages"]["total"] / full,
        "incremental / full build, with downloads": result["incremental_with_downloads_s"] / result["full_with_downloads_s"],
    }
    result["after_parse_s"] = after_parse
    return result


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; CPython {platform.python_version()}"


def report(results: list[dict], repeat: int) -> str:
    lines = [
        "# Build benchmark",
        "",
        f"Machine: {machine()}.",
        f"Command: `python bench/bench_build.py --sizes {','.join(str(r['claims']) for r in results)} --repeat {repeat}`;",
        f"every time is the median of {repeat} run(s) in fresh processes (one run at 1,000,000 claims); peak memory is the process's maximum resident set.",
        "Synthetic corpora from bench/synthetic.py (20 claims a source, every kind, colliding figures, declared relations).",
        "",
        "| claims | rows written | parse-only (s) | plain insert (s) | check, wall (s) | check peak (MB) | build, wall (s) | build, in process (s) | build on one process, in process (s) | build peak (MB) | incremental, in process (s) | database (MB) | `build --full` as typed, wall (s) | `build` after the edit as typed, wall (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['claims']:,} | {r['rows']:,} | {r['parse_only_s']:.2f} | {r['plain_insert_s']:.2f} | {r['check_s']:.2f} | {r['check_peak_mb']:.0f} | "
            f"{r['build_s']:.2f} | {r['stages']['total']:.2f} | {r['one_process_stages']['total']:.2f} | {r['build_peak_mb']:.0f} | {r['incremental_stages']['total']:.2f} | {r['db_mb']:.0f} | "
            f"{r['full_with_downloads_s']:.2f} | {r['incremental_with_downloads_s']:.2f} |"
        )
    stage_names = [name for name in results[0]["stages"] if name != "total"]
    lines += ["", f"Stages of the build on {os.cpu_count()} processes, then on one (seconds; `read` is the wall time of reading every file, "
              "within which parse, validate, quotes and values, and the references to the shared files, run file by file and are summed over the processes; "
              "`references` adds the cross-file references, timed in the main process; on one process `coverage` runs inside `write`, on 2 it is the time the main process spends on what the coverage process left and on copying its rows in):", "",
              "| claims | " + " | ".join(stage_names) + " |", "|---:|" + "---:|" * len(stage_names)]
    for r in results:
        lines.append(f"| {r['claims']:,} | " + " | ".join(f"{r['stages'].get(n, 0.0):.2f}" for n in stage_names) + " |")
    for r in results:
        lines.append(f"| {r['claims']:,}, one process | " + " | ".join(f"{r['one_process_stages'].get(n, 0.0):.2f}" for n in stage_names) + " |")
    lines += ["", "Against the targets (ratio of medians measured in the same run):", "",
              "| claims | " + " | ".join(f"{k} (target ≤ {v})" for k, v in TARGETS.items()) + f" | peak memory (target < {MEMORY_TARGET_MB:,} MB) |",
              "|---:|" + "---:|" * (len(TARGETS) + 1)]
    for r in results:
        cells = []
        for name, target in TARGETS.items():
            value = r["ratios"][name]
            cells.append(f"{value:.2f} {'met' if value <= target else 'NOT met'}")
        peak = r["build_peak_mb"]
        cells.append(f"{peak:.0f} {'met' if peak < MEMORY_TARGET_MB else 'NOT met'}")
        lines.append(f"| {r['claims']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if argv[:1] == ["--baseline"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(BASELINES[argv[1]](Path(argv[2]))))
        return
    sizes = [10_000, 100_000, 1_000_000]
    repeat = 3
    workdir = Path("/tmp/claimsdb-bench")
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    if "--repeat" in argv:
        repeat = int(argv[argv.index("--repeat") + 1])
    if "--workdir" in argv:
        workdir = Path(argv[argv.index("--workdir") + 1])
    results = []
    for claims in sizes:
        # A million-claim run takes many minutes a measurement: once.
        result = measure_size(claims, repeat if claims < 1_000_000 else 1, workdir)
        results.append(result)
        print(json.dumps({k: v for k, v in result.items() if k not in ("stages", "incremental_stages", "one_process_stages")}), flush=True)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "build.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = report(results, repeat)
    (HERE / "results" / "build.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
