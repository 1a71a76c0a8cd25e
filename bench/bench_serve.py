"""Serve a large database with `make serve`'s configuration and measure the
pages people open: every table and view with its default facets, the
conflicts and estimates views, and a full CSV stream of claims.

    python bench/bench_serve.py DB [--repeat 3]

DB is a claims.db built from a synthetic corpus (bench/synthetic.py, then
`claimsdb build`). The server runs on a free loopback port and is stopped at
the end; every request is bounded by the server's own time limits. Results go
to bench/results/serve.md.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from claimsdb.tables import TABLES, VIEWS  # noqa: E402
from claimsdb.serve import SETTINGS, server_command  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 120) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, body, time.perf_counter() - start


def main(argv: list[str]) -> None:
    db = Path(argv[0]).resolve()
    if db.name != "claims.db":
        sys.exit(f"{db}: name the file claims.db (Datasette serves a file under its name, and the pages are /claims/...)")
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    claims = sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    tables = metadata["databases"]["claims"]["tables"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(server_command(db, ROOT, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        rows = []
        for name in [t.name for t in TABLES] + [v.name for v in VIEWS]:
            facets = tables.get(name, {}).get("facets", [])
            times, timed_out, status = [], set(), None
            for _ in range(repeat):
                status, body, seconds = get(f"{base}/claims/{name}.json")
                times.append(seconds)
                if status == 200:
                    data = json.loads(body)
                    timed_out |= set(data.get("facets_timed_out", []))
            html_status, _, html_seconds = get(f"{base}/claims/{name}")
            rows.append({"page": name, "status": status, "html_status": html_status, "facets": len(facets),
                         "timed_out": sorted(timed_out), "median_s": statistics.median(times), "html_s": html_seconds})
            print(json.dumps(rows[-1]), flush=True)
        queries = {
            "conflicts, one claim": "/claims/conflicts.json?_size=100&claim_id=" + sqlite3.connect(db).execute("select claim_id from relations where relation = 'contradicts' limit 1").fetchone()[0],
            "estimates, one measure": "/claims/estimates.json?_size=max&measure_id=measure-1",
            "SQL: count of conflicts": "/claims.json?sql=select+count(*)+from+conflicts",
            "SQL: figures for a measure": "/claims.json?sql=select+*+from+estimates+where+measure_id+%3D+%27measure-2%27+limit+1000",
        }
        for label, path in queries.items():
            times, statuses = [], set()
            for _ in range(repeat):
                status, body, seconds = get(base + path)
                times.append(seconds)
                statuses.add(status)
            rows.append({"page": label, "status": sorted(statuses), "median_s": statistics.median(times)})
            print(json.dumps(rows[-1]), flush=True)
        status, body, seconds = get(f"{base}/claims/claims.csv?_stream=on&_labels=on", timeout=1800)
        import csv
        import io
        parsed = sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8")))) - 1
        stream = {"status": status, "seconds": seconds, "rows": parsed, "expected": claims, "mb": len(body) / 2**20}
        print(json.dumps(stream), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    lines = [
        "# Serving benchmark",
        "",
        f"Database: {claims:,} claims ({db.stat().st_size / 2**20:.0f} MB), served as `make serve` serves it "
        f"(immutable; sql_time_limit_ms {SETTINGS['sql_time_limit_ms']}, facet_time_limit_ms {SETTINGS['facet_time_limit_ms']}).",
        f"Command: `python bench/bench_serve.py DB --repeat {repeat}`; times are medians of {repeat} requests, one at a time.",
        "",
        "| page | status | default facets | facets timed out | JSON median (s) | HTML (s) |",
        "|---|---|---:|---|---:|---:|",
    ]
    for r in rows:
        if "facets" in r:
            lines.append(f"| {r['page']} | {r['status']}/{r['html_status']} | {r['facets']} | {', '.join(r['timed_out']) or 'none'} | {r['median_s']:.3f} | {r['html_s']:.3f} |")
    lines += ["", "| query | status | median (s) |", "|---|---|---:|"]
    for r in rows:
        if "facets" not in r:
            lines.append(f"| {r['page']} | {r['status']} | {r['median_s']:.3f} |")
    lines += ["", f"Full CSV stream of claims (`_stream=on&_labels=on`): status {stream['status']}, {stream['rows']:,} rows of {stream['expected']:,}, "
              f"{stream['mb']:.0f} MB in {stream['seconds']:.1f} s."]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "serve.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
