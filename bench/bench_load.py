"""Load benchmark of the published instance, configured as `make serve` runs it.

    python bench/bench_load.py [--requests 400] [--clients 50] [--baseline 40]
                               [--db claims.db] [--large-requests N] [--no-stream]

Builds claims.db from claims/ into a temporary directory (or, with --db,
serves a database already built, with the downloads its build wrote beside
it: a synthetic corpus of a million claims), starts the server with
claimsdb.serve.server_command (the command `make serve` runs: same settings,
metadata, plugins, inspect data and memory ceiling) on a free 127.0.0.1
port, and sends a fixed number of requests of each kind: the claims table
page with its default facets, a SQL query, a claim's page, the full CSV of
claims as the build's static download, and as Datasette's CSV stream. Each
kind is sent first by one client (the baseline), then by many concurrent
clients (asyncio + httpx). Then it stops the server and writes
bench/results/load.md (or --output): per kind, requests, failures, median
and 99th-percentile latency, throughput, and the server's peak memory.

The two full-CSV kinds move the whole table per request: --large-requests
sends fewer of them (by default as many as the others), and --no-stream
leaves out the stream (about five minutes a request at a million claims).

Loopback only; a fixed number of requests; it stops by itself. A failure is
any status other than 200, an error, or a CSV that is not complete (every
row of the stream, every byte of the download as the manifest lists it).
The machine is shared and noisy: read medians and ratios, not one time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from claimsdb import build as build_corpus  # noqa: E402
from claimsdb.downloads import write_downloads  # noqa: E402
from claimsdb.instance import SETTINGS  # noqa: E402
from claimsdb.serve import MEMORY_LIMIT_MB, server_command  # noqa: E402

SQL = (
    "select measure_id, count(*) as claims, min(value_low) as lowest, max(value_high) as highest "
    "from estimates group by measure_id order by claims desc"
)


@dataclass
class Kind:
    name: str
    path: str
    check: object = None  # callable(response text) -> bool, beyond status 200
    size: int | None = None  # the body's bytes, counted as it arrives and not kept
    large: bool = False  # the whole table per request: --large-requests of them


@dataclass
class Outcome:
    latencies: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    elapsed: float = 0.0


def kinds(db_path: Path, stream: bool = True) -> list[Kind]:
    conn = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True)
    claim_id = conn.execute("select claim_id from conflicts order by claim_id limit 1").fetchone()[0]
    claims = conn.execute("select count(*) from claims").fetchone()[0]
    conn.close()
    manifest = json.loads((db_path.parent / "downloads" / "manifest.json").read_text(encoding="utf-8"))
    static_bytes = next(f["bytes"] for f in manifest["files"] if f["path"] == "csv/claims.csv.gz")

    def complete_csv(text: str) -> bool:
        import csv
        import io

        return len(list(csv.reader(io.StringIO(text, newline="")))) == claims + 1

    every = [
        # The claims page as a reader opens it: its six default facets (metadata.yml).
        Kind("table page with facets", "/claims/claims"),
        Kind("SQL query (JSON)", "/claims.json?" + urllib.parse.urlencode({"sql": SQL})),
        Kind("claim page", f"/claims/claims/{urllib.parse.quote(claim_id)}"),
        Kind("full CSV, static download (gzipped)", "/downloads/csv/claims.csv.gz", size=static_bytes, large=True),
        Kind("full CSV stream, with labels", "/claims/claims.csv?_stream=on&_labels=on", complete_csv, large=True),
    ]
    return [kind for kind in every if stream or "stream" not in kind.name]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_memory_mb(pid: int) -> tuple[float, float]:
    """(peak resident, peak address space) of the server, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith(("VmHWM", "VmPeak"))}
    return values["VmHWM"], values["VmPeak"]


async def send(client: httpx.AsyncClient, kind: Kind, outcome: Outcome) -> None:
    start = time.perf_counter()
    try:
        if kind.size is not None:
            async with client.stream("GET", kind.path) as response:
                received = 0
                async for chunk in response.aiter_raw():
                    received += len(chunk)
            if response.status_code != 200 or received != kind.size:
                outcome.failures.append(f"{response.status_code}: {received} bytes of {kind.size}")
            outcome.latencies.append(time.perf_counter() - start)
            return
        response = await client.get(kind.path)
        text = response.text
        ok = response.status_code == 200 and (kind.check is None or kind.check(text))
        if not ok:
            outcome.failures.append(f"{response.status_code}: {text[:200]!r}")
    except httpx.HTTPError as error:
        outcome.failures.append(repr(error))
    outcome.latencies.append(time.perf_counter() - start)


async def run(base: str, kind: Kind, requests: int, clients: int) -> Outcome:
    """``requests`` requests of one kind from ``clients`` concurrent clients."""
    outcome = Outcome()
    queue: asyncio.Queue = asyncio.Queue()
    for _ in range(requests):
        queue.put_nowait(kind)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=3600, limits=limits) as client:

        async def worker():
            while not queue.empty():
                await send(client, queue.get_nowait(), outcome)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        outcome.elapsed = time.perf_counter() - start
    return outcome


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def row(kind: Kind, clients: int, outcome: Outcome) -> str:
    n = len(outcome.latencies)
    return (
        f"| {kind.name} | {clients} | {n} | {len(outcome.failures)} | {statistics.median(outcome.latencies) * 1000:.1f} "
        f"| {percentile(outcome.latencies, 0.99) * 1000:.1f} | {n / outcome.elapsed:.1f} |"
    )


def wait_for(base: str, process: subprocess.Popen, seconds: int = 600) -> None:
    """Until the server answers: at a million claims it counts every table
    and view before its first request (42 s on a quiet machine, 118 s on a busy one)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests of each kind under load")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients under load")
    parser.add_argument("--baseline", type=int, default=40, help="requests of each kind from one client")
    parser.add_argument("--db", type=Path, help="serve this claims.db (with its downloads beside it) instead of building claims/")
    parser.add_argument("--large-requests", type=int, help="requests of each full-CSV kind under load (default: --requests)")
    parser.add_argument("--no-stream", action="store_true", help="leave out Datasette's full CSV stream")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "load.md")
    args = parser.parse_args()
    large = args.requests if args.large_requests is None else args.large_requests
    large_baseline = min(args.baseline, max(1, large // 10))

    with tempfile.TemporaryDirectory() as directory:
        if args.db:
            db_path = args.db.resolve()
        else:
            db_path = Path(directory) / "claims.db"
            build_corpus(ROOT / "claims", db_path)
            write_downloads(db_path)
        claims_count = sqlite3.connect(f"file:{db_path}?immutable=1", uri=True).execute("select count(*) from claims").fetchone()[0]
        db_mb = db_path.stat().st_size / 2**20
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = open(Path(directory) / "server.log", "wb")
        process = subprocess.Popen(server_command(db_path, ROOT, host="127.0.0.1", port=port), stdout=subprocess.DEVNULL, stderr=server_log)
        try:
            wait_for(base, process)
            lines, failures = [], []
            for kind in kinds(db_path, not args.no_stream):
                baseline = asyncio.run(run(base, kind, large_baseline if kind.large else args.baseline, 1))
                loaded = asyncio.run(run(base, kind, large if kind.large else args.requests, min(args.clients, large) if kind.large else args.clients))
                for outcome in (baseline, loaded):
                    failures += [f"{kind.name}: {failure}" for failure in outcome.failures]
                ratio = statistics.median(loaded.latencies) / statistics.median(baseline.latencies)
                lines.append((kind, baseline, loaded, ratio))
                print(row(kind, args.clients, loaded), f"median {ratio:.1f}× the single client's", flush=True)
            mixed_kinds = [kind for kind in kinds(db_path, not args.no_stream) if not kind.large or large >= args.requests]
            mixed = Outcome()

            async def mixed_run():
                # Every kind at once, shuffled: what a busy public instance sees.
                queue = [kind for kind in mixed_kinds for _ in range(args.requests // len(mixed_kinds))]
                random.Random(1988).shuffle(queue)
                limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
                async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:

                    async def worker():
                        while queue:
                            await send(client, queue.pop(), mixed)

                    start = time.perf_counter()
                    await asyncio.gather(*(worker() for _ in range(args.clients)))
                    mixed.elapsed = time.perf_counter() - start

            asyncio.run(mixed_run())
            failures += [f"mixed: {failure}" for failure in mixed.failures]
            resident, address_space = peak_memory_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
            server_log.close()

    command = "python bench/bench_load.py" + "".join(
        f" --{name} {value}" for name, value, default in
        (("requests", args.requests, 400), ("clients", args.clients, 50), ("baseline", args.baseline, 40),
         ("db", args.db, None), ("large-requests", args.large_requests, None)) if value != default
    ) + (" --no-stream" if args.no_stream else "")
    total = sum(len(b.latencies) + len(l.latencies) for _, b, l, _ in lines) + len(mixed.latencies)
    out = [
        "# Load benchmark of the published instance",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other work), CPython {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; command: `{command}`.",
        f"Server: `claimsdb.serve.server_command` on 127.0.0.1, as `make serve` runs it (settings {', '.join(f'{k}={v}' for k, v in SETTINGS.items() if k in ('sql_time_limit_ms', 'num_sql_threads', 'max_returned_rows', 'max_csv_mb'))}, "
        f"memory ceiling {MEMORY_LIMIT_MB} MB; suggest_facets={SETTINGS['suggest_facets']}, facet_time_limit_ms={SETTINGS['facet_time_limit_ms']}; "
        f"inspect data read once at start), serving {'claims.db built from claims/' if not args.db else 'a database built by claimsdb build'} "
        f"({claims_count:,} claims, {db_mb:,.0f} MB) and the downloads its build wrote.",
        f"Each kind: {args.baseline} requests from one client (baseline), then {args.requests} from {args.clients} concurrent clients "
        f"(asyncio + httpx, keep-alive); the full-CSV kinds {large_baseline} and {large} (from {min(args.clients, large)} clients); "
        f"then {'all kinds' if large >= args.requests else 'the other kinds'} shuffled together. Latency is from sending the request to reading the whole body.",
        "",
        "| request | clients | requests | failed | median (ms) | p99 (ms) | requests/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, baseline, loaded, _ in lines:
        out += [row(kind, 1, baseline), row(kind, args.clients, loaded)]
    out.append(row(Kind("all kinds, shuffled", ""), args.clients, mixed))
    out += [
        "",
        "Median under load / median from one client: " + "; ".join(f"{kind.name}: {ratio:.1f}×" for kind, _, _, ratio in lines) + ".",
        "",
        f"Requests sent: {total:,}; failed: **{len(failures)}**. Server peak memory: {resident:.0f} MB resident, "
        f"{address_space:.0f} MB of address space (ceiling {MEMORY_LIMIT_MB} MB).",
    ]
    if failures:
        out += ["", "Failures (first 10):", ""] + [f"- {failure}" for failure in failures[:10]]
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
