"""Rebuilding under load: how soon the server serves a new build, and what a
switch costs the requests around it.

    python bench/bench_follow.py [--claims 10000] [--rebuilds 5] [--clients 4] [--seconds 5]

Generates a synthetic corpus (bench/synthetic.py; --claims 0: the seed
corpus of tests/seed_corpus), builds it, and starts the server as `make
serve` does (claimsdb.serve.server_command) on a free loopback port. Clients
then send a mix of pages (a claim's page, the claims table, a SQL count)
without pause: first for --seconds with no rebuild (the baseline), then
while `claimsdb build` runs --rebuilds times. For each rebuild it records the
time from the end of the build process to the server's line saying it
serves the new build (the pickup), and every request's latency, split into
those that overlapped a switch (started within a second of it) and the
rest. Writes bench/results/follow.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench_load import free_port, wait_for  # noqa: E402
from claimsdb.serve import server_command  # noqa: E402

from synthetic import generate  # noqa: E402


def get(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, time.perf_counter() - start


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000, help="synthetic claims (0: the seed corpus)")
    parser.add_argument("--rebuilds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0, help="of the baseline, and of load after each switch")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "follow.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        if args.claims:
            generate(project / "claims", args.claims)
        else:
            shutil.copytree(ROOT / "tests" / "seed_corpus", project / "claims")

        def build() -> float:
            subprocess.run([sys.executable, "-m", "claimsdb", "build"], cwd=project, check=True, capture_output=True)
            return time.monotonic()

        build()
        size_mb = (project / "claims.db").stat().st_size / 2**20
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(server_command(Path("claims.db"), ROOT, port=port), cwd=project,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        switches: list[float] = []  # when the server said it serves a new build

        def read_log() -> None:
            for line in server.stderr:
                if ": serving build " in line and "in place of" in line:
                    switches.append(time.monotonic())

        threading.Thread(target=read_log, daemon=True).start()
        try:
            wait_for(base, server)
            claim = json.loads(urllib.request.urlopen(base + "/claims.json?sql=select+id+from+claims+limit+1&_shape=arrayfirst").read())[0]
            paths = [f"/claims/claims/{claim}", "/claims/claims", "/claims.json?sql=select+count(*)+from+claims"]
            requests: list[tuple[float, float, int]] = []  # (started, seconds, status)
            stop = threading.Event()

            def client(offset: int) -> None:
                number = offset
                while not stop.is_set():
                    started = time.monotonic()
                    status, seconds = get(base + paths[number % len(paths)])
                    requests.append((started, seconds, status))
                    number += 1

            clients = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            for thread in clients:
                thread.start()
            time.sleep(args.seconds)
            baseline_end = time.monotonic()
            pickups = []
            for number in range(args.rebuilds):
                seen = len(switches)
                finished = build()
                while len(switches) == seen:
                    time.sleep(0.01)
                pickups.append(switches[-1] - finished)
                time.sleep(args.seconds)
            stop.set()
            for thread in clients:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)

    baseline = [s for started, s, _ in requests if started < baseline_end]
    near = [s for started, s, _ in requests if started >= baseline_end and any(abs(started - t) < 1 for t in switches)]
    rest = [s for started, s, _ in requests if started >= baseline_end and not any(abs(started - t) < 1 for t in switches)]
    failures = sum(1 for _, _, status in requests if status != 200)

    def row(label: str, values: list[float]) -> str:
        return (f"| {label} | {len(values)} | {statistics.median(values) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f} | "
                f"{max(values) * 1000:.1f} | {statistics.median(values) / statistics.median(baseline):.2f} |")

    corpus = f"{args.claims:,} synthetic claims (bench/synthetic.py)" if args.claims else "the seed corpus (tests/seed_corpus)"
    lines = [
        "# Rebuilding under load",
        "",
        f"Machine: {platform.machine()}, CPython {platform.python_version()}; corpus: {corpus}, claims.db {size_mb:.0f} MB.",
        f"Command: `python bench/bench_follow.py --claims {args.claims} --rebuilds {args.rebuilds} --clients {args.clients} --seconds {args.seconds:g}`.",
        f"{args.clients} clients send a claim's page, the claims table and a SQL count without pause; "
        f"{args.rebuilds} `claimsdb build` runs while they do.",
        "",
        f"Pickup (end of `claimsdb build` to the server's line that it serves the new build): "
        f"median {statistics.median(pickups):.2f} s, max {max(pickups):.2f} s "
        f"(the watcher polls every 1 s and waits one poll for the file to settle: 1 to 2 s of that is by design).",
        "",
        f"Requests: {len(requests)}, of which not answered 200: {failures}.",
        "",
        "| requests | n | median (ms) | p99 (ms) | max (ms) | median / baseline |",
        "|---|---:|---:|---:|---:|---:|",
        row("baseline (no rebuild)", baseline),
        row("during rebuilds, within 1 s of a switch", near),
        row("during rebuilds, the rest", rest),
        "",
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
