"""Past one machine: the one immutable claims.db served by one, then two,
Datasette replicas behind a real nginx, on loopback.

    python bench/bench_replicas.py [--claims DIR | --synthetic N] [--requests 400] [--clients 50]

Builds claims.db (claimsdb.build) into a temporary directory, then, for 1
and for 2 replicas, starts each replica as `make serve` serves
(claimsdb.serve.server_command: the same settings, metadata, plugins and
memory ceiling; each reads the build's inspect data, what `datasette
inspect` records, the file's hash and every table's row count, once for the
build it serves), puts Debian's nginx in front of them (one upstream, least connections,
keep-alive to the replicas, access log off), and sends a fixed number of
requests of each kind through nginx from many concurrent clients (asyncio +
httpx, keep-alive). One replica reached directly, without nginx, is the
baseline measured in the same run. Everything listens on 127.0.0.1 and stops
by itself; nginx runs from a private prefix with its own pid and log files.

Results go to bench/results/replicas.md: per configuration and kind,
requests, failures, median and p99 latency, requests per second, and the
ratios of two replicas to one. The machine is shared and noisy: read
ratios and medians, not one time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import claimsdb  # noqa: E402
from bench_load import Kind, free_port, kinds, percentile, run, wait_for  # noqa: E402
from claimsdb.instance import SETTINGS, inspect_data  # noqa: E402
from claimsdb.serve import server_command  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """\
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream claimsdb {{
        least_conn;
{servers}
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            limit_except GET HEAD {{ deny all; }}
            proxy_pass http://claimsdb;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 30s;
            proxy_buffering off;
        }}
    }}
}}
"""


def start_replica(db_path: Path, claims_dir: Path, directory: Path, number: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # Each replica is the server `make serve` runs, which reads the build's
    # inspect data (hash, table counts) once, when it starts serving it.
    command = server_command(db_path, ROOT, host="127.0.0.1", port=port, claims_dir=claims_dir)
    log = open(directory / f"replica-{number}.log", "wb")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_for(base, process)
    return process, base


def start_nginx(upstreams: list[str], directory: Path) -> tuple[subprocess.Popen, str]:
    prefix = directory / f"nginx-{len(upstreams)}"
    prefix.mkdir()
    prefix.chmod(0o777)  # nginx's workers run as an unprivileged user
    port = free_port()
    servers = "\n".join(f"        server {base.removeprefix('http://')};" for base in upstreams)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=1, prefix=prefix, servers=servers, port=port), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_for(base, process)
    return process, base


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(base: str, load_kinds: list[Kind], requests: int, clients: int) -> dict:
    results = {}
    for kind in load_kinds:
        outcome = asyncio.run(run(base, kind, requests, clients))
        results[kind.name] = {
            "requests": len(outcome.latencies), "failures": outcome.failures,
            "median_ms": statistics.median(outcome.latencies) * 1000, "p99_ms": percentile(outcome.latencies, 0.99) * 1000,
            "rps": len(outcome.latencies) / outcome.elapsed,
        }
        print(f"  {kind.name}: {results[kind.name]['rps']:.1f} requests/s, p99 {results[kind.name]['p99_ms']:.0f} ms, "
              f"{len(outcome.failures)} failed", flush=True)
    return results


def headers_of(base: str, path: str) -> dict:
    response = httpx.get(base + path, timeout=60)
    return {name: response.headers.get(name) for name in ("cache-control", "etag", "x-databases") if response.headers.get(name)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=Path, default=ROOT / "claims", help="claims directory to build and serve")
    parser.add_argument("--synthetic", type=int, help="serve a synthetic corpus of this many claims (bench/synthetic.py) instead")
    parser.add_argument("--requests", type=int, default=400, help="requests of each kind, per configuration")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "replicas.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        claims_dir = args.claims
        if args.synthetic:
            from synthetic import generate

            claims_dir = directory / "claims"
            generate(claims_dir, args.synthetic)
        start = time.perf_counter()
        built = claimsdb.build(claims_dir, directory / "claims.db")
        build_seconds = time.perf_counter() - start
        db_path = built.db_path
        counts = inspect_data(db_path)["claims"]["tables"]  # what each replica reads once for the build it serves
        load_kinds = [kind for kind in kinds(db_path) if "CSV" not in kind.name]  # pages and queries: what replicas share out
        replicas = []
        results, headers = {}, {}
        try:
            for number in (1, 2):
                replicas.append(start_replica(db_path, claims_dir, directory, number))
            print("one replica, direct (baseline):", flush=True)
            results["1 replica, direct"] = measure(replicas[0][1], load_kinds, args.requests, args.clients)
            for count in (1, 2):
                proxy, base = start_nginx([b for _, b in replicas[:count]], directory)
                try:
                    print(f"{count} replica(s) behind nginx:", flush=True)
                    results[f"{count} replica(s), nginx"] = measure(base, load_kinds, args.requests, args.clients)
                    if count == 1:
                        headers = {kind.name: headers_of(base, kind.path) for kind in load_kinds}
                        headers["database download"] = headers_of(base, "/claims.db")
                finally:
                    stop(proxy, signal.SIGQUIT)  # nginx's graceful stop
        finally:
            for process, _ in replicas:
                stop(process)

    failures = [f"{config}, {kind}: {f}" for config, by_kind in results.items() for kind, r in by_kind.items() for f in r["failures"]]
    command = "python bench/bench_replicas.py" + (f" --synthetic {args.synthetic}" if args.synthetic else "") + "".join(
        f" --{name} {value}" for name, value, default in (("requests", args.requests, 400), ("clients", args.clients, 50)) if value != default)
    nginx_version = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    out = [
        "# Replicas behind a reverse proxy",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other work: replicas, nginx and the clients all run on them), "
        f"CPython {platform.python_version()}, {nginx_version}; command: `{command}`.",
        f"Database: {built.sources:,} source(s), {built.claims:,} claim(s) (built in {build_seconds:.1f} s), "
        f"with its inspect data of {len(counts)} table counts read once per replica, served immutable by each replica "
        f"as `make serve` serves it (sql_time_limit_ms={SETTINGS['sql_time_limit_ms']}, num_sql_threads={SETTINGS['num_sql_threads']}).",
        f"Each configuration: {args.requests} requests of each kind from {args.clients} concurrent clients (asyncio + httpx, keep-alive). "
        "nginx: one worker, upstream with least_conn and keep-alive, proxy_buffering off, access log off.",
        "",
        "| configuration | request | requests | failed | median (ms) | p99 (ms) | requests/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for config, by_kind in results.items():
        for kind, r in by_kind.items():
            out.append(f"| {config} | {kind} | {r['requests']} | {len(r['failures'])} | {r['median_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps']:.1f} |")
    out += ["", "Ratios measured in the same run (requests per second; p99):", ""]
    for kind in results["1 replica, direct"]:
        one, two, direct = (results[c][kind] for c in ("1 replica(s), nginx", "2 replica(s), nginx", "1 replica, direct"))
        out.append(f"- {kind}: two replicas / one: {two['rps'] / one['rps']:.2f}× the requests/s, p99 {two['p99_ms'] / one['p99_ms']:.2f}×; "
                   f"one replica through nginx / direct: {one['rps'] / direct['rps']:.2f}× the requests/s.")
    out += ["", "Cache headers as a CDN in front of nginx would see them:", ""]
    out += [f"- {kind}: " + (", ".join(f"`{k}: {v}`" for k, v in h.items()) or "none") for kind, h in headers.items()]
    out += ["", f"Failed requests: **{len(failures)}**."]
    if failures:
        out += ["", "Failures (first 10):", ""] + [f"- {failure}" for failure in failures[:10]]
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")
    print("\n".join(out))
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
