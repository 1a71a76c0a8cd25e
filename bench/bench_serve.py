"""Serve a large database with `make serve`'s configuration and measure the
pages people open: every table and view of the contract (claimsdb's TABLES
and VIEWS) with its default facets, every canned query of metadata.yml, a
few ad hoc SQL queries, the site's own pages (the landing page, search, and
the largest claim, source, measure, agent and subject pages), and the full
CSV of claims three ways against sqlite3's own CSV output of the same query.

    python bench/bench_serve.py DB [--repeat 3] [--no-stream] [--output FILE]

DB is a claims.db built from a synthetic corpus (bench/synthetic.py, then
`claimsdb build`, which writes the downloads beside it). The server is the
one `make serve` runs (claimsdb.serve.server_command: immutable, the
settings of claimsdb.instance, the inspect data read once) on a free loopback
port, stopped at the end; every request is bounded by the server's own time
limits. Times are medians of --repeat requests sent one at a time; the
machine is shared, so read them beside the sqlite3 time of the same run.

The full CSV of claims is measured as
- sqlite3: `sqlite3 -csv -header DB 'select * from claims' > /dev/null`;
- static: the build's download /downloads/csv/claims.csv.gz, fetched and
  decompressed (what a reader's `curl | gunzip` does);
- stream: Datasette's `/claims/claims.csv?_stream=on` (the same columns;
  --no-stream skips it, it takes minutes at a million claims).
Results go to bench/results/serve.md unless --output says otherwise.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from claimsdb.tables import TABLES, VIEWS  # noqa: E402
from claimsdb.instance import SETTINGS  # noqa: E402
from claimsdb.serve import server_command  # noqa: E402

from bench_load import free_port, wait_for  # noqa: E402

LIMIT_S = 1.0  # the target: every page and canned query under a second


def get(url: str, timeout: float = 120) -> tuple[int, bytes, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, body, time.perf_counter() - start


def median_of(url: str, repeat: int) -> tuple[list[int], float, bytes]:
    times, statuses, body = [], [], b""
    for _ in range(repeat):
        status, body, seconds = get(url)
        times.append(seconds)
        statuses.append(status)
    return sorted(set(statuses)), statistics.median(times), body


def canned_parameters(conn: sqlite3.Connection) -> dict[str, str]:
    """A value for each named parameter of the canned queries, from the data:
    one that finds rows."""
    claim_id = conn.execute("select claim_id from declared_relations where relation = 'contradicts' limit 1").fetchone() \
        or conn.execute("select c.id from figure_relations f join claims c on c.figure_id = f.figure_id "
                        "where f.relation = 'contradicts' limit 1").fetchone()
    claim_id = claim_id[0] if claim_id else conn.execute("select id from claims limit 1").fetchone()[0]
    agent_id = conn.execute("select speaker_id from claims where id = ?", (claim_id,)).fetchone()[0]
    measure_id = conn.execute("select measure_id from claims where kind = 'quantity' group by measure_id order by count(*) desc limit 1").fetchone()[0]
    quote = conn.execute("select quote from claims where id = ?", (claim_id,)).fetchone()[0]
    word = max(re.findall(r"\w{5,}", quote) or ["executed"], key=len)
    return {"claim_id": claim_id, "agent_id": agent_id, "measure_id": measure_id, "q": word}


def site_pages(conn: sqlite3.Connection, parameters: dict[str, str]) -> dict[str, str]:
    """The site's own pages (plugins/site.py, plugins/evidence_pages.py), each
    of the largest of its kind: the row pages list every claim they gather."""
    def largest(sql: str) -> str:
        return urllib.parse.quote(conn.execute(sql).fetchone()[0])

    return {
        "landing page": "/",
        "a claim in conflict": "/claims/claims/" + urllib.parse.quote(parameters["claim_id"]),
        "the source of most claims": "/claims/sources/" + largest("select source_id from claims group by source_id order by count(*) desc, source_id limit 1"),
        "the measure of most claims": "/claims/measures/" + urllib.parse.quote(parameters["measure_id"]),
        "the agent who asserts most claims": "/claims/agents/" + largest("select speaker_id from claims group by speaker_id order by count(*) desc, speaker_id limit 1"),
        "the subject of most claims": "/claims/subjects/" + largest("select subject_id from claims group by subject_id order by count(*) desc, subject_id limit 1"),
        "search across the corpus": "/-/search?q=" + urllib.parse.quote(parameters["q"]),
    }


def sqlite3_csv_seconds(db: Path, sql: str) -> float:
    start = time.perf_counter()
    subprocess.run(["sqlite3", "-csv", "-header", str(db), sql], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def csv_rows(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-stream", action="store_true", help="skip Datasette's CSV stream of every claim")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "serve.md")
    args = parser.parse_args(argv)
    db = args.db.resolve()
    if db.name != "claims.db":
        sys.exit(f"{db}: name the file claims.db (Datasette serves a file under its name, and the pages are /claims/...)")
    repeat = args.repeat
    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    claims = conn.execute("select count(*) from claims").fetchone()[0]
    parameters = canned_parameters(conn)
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    tables = metadata["databases"]["claims"]["tables"]
    queries = metadata["databases"]["claims"].get("queries", {})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(server_command(db, ROOT, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pages, canned, adhoc, site = [], [], [], []
    try:
        wait_for(base, server)
        ready = time.perf_counter() - started
        print(json.dumps({"server ready (s)": ready}), flush=True)
        for name in [t.name for t in TABLES] + [v.name for v in VIEWS]:
            facets = tables.get(name, {}).get("facets", [])
            statuses, seconds, body = median_of(f"{base}/claims/{name}.json", repeat)
            # Datasette's JSON leaves out facets_timed_out: a default facet missing from facet_results timed out.
            shown = json.loads(body).get("facet_results", {}) if statuses == [200] else {}
            timed_out = [facet for facet in facets if isinstance(facet, str) and facet not in shown] if statuses == [200] else []
            html_statuses, html_seconds, _ = median_of(f"{base}/claims/{name}", repeat)
            pages.append({"page": name, "status": statuses + html_statuses, "facets": len(facets), "timed_out": sorted(timed_out),
                          "json_s": seconds, "html_s": html_seconds})
            print(json.dumps(pages[-1]), flush=True)
        for name, query in queries.items():
            names = sorted(set(re.findall(r"(?<!:):([a-z_]+)", query["sql"])))
            missing = [n for n in names if n not in parameters]
            if missing:
                sys.exit(f"canned query {name}: no value for parameter(s) {', '.join(missing)} — add one to canned_parameters")
            given = {n: parameters[n] for n in names}
            suffix = ("?" + urllib.parse.urlencode(given)) if given else ""
            statuses, seconds, body = median_of(f"{base}/claims/{name}.json{suffix}", repeat)
            returned = len(json.loads(body).get("rows", [])) if statuses == [200] else None
            html_statuses, html_seconds, _ = median_of(f"{base}/claims/{name}{suffix}", repeat)
            canned.append({"query": name, "parameters": given, "status": statuses + html_statuses, "rows": returned,
                           "json_s": seconds, "html_s": html_seconds})
            print(json.dumps(canned[-1]), flush=True)
        for label, path in {
            "conflicts, one claim (table filter)": "/claims/conflicts.json?_size=100&claim_id=" + urllib.parse.quote(parameters["claim_id"]),
            "estimates, one measure (table filter)": f"/claims/estimates.json?_size=max&measure_id={parameters['measure_id']}",
            "SQL: count of conflicts": "/claims.json?sql=select+count(*)+from+conflicts",
            "SQL: figures for a measure": f"/claims.json?sql=select+*+from+estimates+where+measure_id+%3D+%27{parameters['measure_id']}%27+limit+1000",
        }.items():
            statuses, seconds, _ = median_of(base + path, repeat)
            adhoc.append({"query": label, "status": statuses, "json_s": seconds})
            print(json.dumps(adhoc[-1]), flush=True)

        for label, path in site_pages(conn, parameters).items():
            statuses, seconds, body = median_of(base + path, repeat)
            site.append({"page": label, "path": path, "status": statuses, "kb": len(body) / 1024, "html_s": seconds})
            print(json.dumps(site[-1]), flush=True)

        # The full CSV of claims: sqlite3 first and last (the machine's pace), then the static download and the stream.
        columns = [row[1] for row in conn.execute("pragma table_info(claims)")]
        sql = "select " + ", ".join(f'"{c}"' for c in columns) + " from claims order by id"
        base_times = [sqlite3_csv_seconds(db, sql) for _ in range(repeat)]
        static_times, static = [], {}
        for _ in range(repeat):
            status, body, fetched = get(f"{base}/downloads/csv/claims.csv.gz", timeout=1800)
            start = time.perf_counter()
            # As gunzip reads it, member after member: gzip.decompress copies the rest of the
            # data once per member, and the download has one member per chunk of rows.
            data = gzip.GzipFile(fileobj=io.BytesIO(body)).read() if status == 200 else b""
            static_times.append(fetched + time.perf_counter() - start)
            static = {"status": status, "mb_gz": len(body) / 2**20, "mb": len(data) / 2**20}
        static["rows"] = csv_rows(data) if static["status"] == 200 else 0
        static["s"] = statistics.median(static_times)
        print(json.dumps(static), flush=True)
        stream = None
        if not args.no_stream:
            status, body, seconds = get(f"{base}/claims/claims.csv?_stream=on", timeout=3600)
            stream = {"status": status, "s": seconds, "rows": csv_rows(body) if status == 200 else 0, "mb": len(body) / 2**20}
            print(json.dumps(stream), flush=True)
        base_times += [sqlite3_csv_seconds(db, sql) for _ in range(repeat)]
        sqlite_s = statistics.median(base_times)
        page_html = get(f"{base}/claims/claims")[1].decode("utf-8")
        linked = "/downloads/csv/claims.csv.gz" in page_html
    finally:
        server.terminate()
        server.wait(timeout=30)

    def mark(seconds: float) -> str:
        return f"**{seconds:.3f}**" if seconds >= LIMIT_S else f"{seconds:.3f}"

    slow = [p["page"] for p in pages if max(p["json_s"], p["html_s"]) >= LIMIT_S] + \
        [q["query"] for q in canned if max(q["json_s"], q["html_s"]) >= LIMIT_S]
    lines = [
        "# Serving benchmark",
        "",
        f"Database: {claims:,} claims ({db.stat().st_size / 2**20:.0f} MB), served as `make serve` serves it "
        f"(`claimsdb.serve.server_command`: immutable, inspect data read once at start, ready in {ready:.0f} s; "
        f"sql_time_limit_ms {SETTINGS['sql_time_limit_ms']}, facet_time_limit_ms {SETTINGS['facet_time_limit_ms']}).",
        f"Command: `python bench/bench_serve.py DB --repeat {repeat}{' --no-stream' if args.no_stream else ''}`; "
        f"times are medians of {repeat} requests, one at a time; **bold**: {LIMIT_S:.0f} s or more.",
        "",
        "Every table and view of the contract, with its default facets (metadata.yml):",
        "",
        "| page | status (JSON, HTML) | default facets | facets timed out | JSON median (s) | HTML median (s) |",
        "|---|---|---:|---|---:|---:|",
    ]
    for p in pages:
        lines.append(f"| {p['page']} | {'/'.join(map(str, p['status']))} | {p['facets']} | {', '.join(p['timed_out']) or 'none'} | {mark(p['json_s'])} | {mark(p['html_s'])} |")
    lines += ["", "Every canned query of metadata.yml (parameters chosen from the data so that each finds rows):", "",
              "| canned query | parameters | status (JSON, HTML) | rows | JSON median (s) | HTML median (s) |", "|---|---|---|---:|---:|---:|"]
    for q in canned:
        given = ", ".join(f"{k}={v}" for k, v in q["parameters"].items()) or "none"
        lines.append(f"| {q['query']} | {given} | {'/'.join(map(str, q['status']))} | {q['rows']} | {mark(q['json_s'])} | {mark(q['html_s'])} |")
    lines += ["", "| other request | status | JSON median (s) |", "|---|---|---:|"]
    for q in adhoc:
        lines.append(f"| {q['query']} | {'/'.join(map(str, q['status']))} | {mark(q['json_s'])} |")
    lines += ["", "The site's own pages, each of the largest of its kind (its HTML):", "",
              "| page | path | status | KB | HTML median (s) |", "|---|---|---|---:|---:|"]
    for p in site:
        lines.append(f"| {p['page']} | `{p['path']}` | {'/'.join(map(str, p['status']))} | {p['kb']:,.0f} | {mark(p['html_s'])} |")
    slow += [p["page"] for p in site if p["html_s"] >= LIMIT_S]
    lines += [
        "",
        f"Pages or canned queries at {LIMIT_S:.0f} s or more: {', '.join(slow) or '**none**'}.",
        "",
        "The full CSV of claims (every column, every row), against sqlite3's own CSV output of the same query in the same run "
        f"(`sqlite3 -csv -header claims.db 'select <every column> from claims order by id' > /dev/null`: median {sqlite_s:.1f} s of {len(base_times)} runs, "
        "half before the downloads below and half after):",
        "",
        "| how | status | rows | MB | seconds | / sqlite3 |",
        "|---|---|---:|---:|---:|---:|",
        f"| static download `/downloads/csv/claims.csv.gz`, fetched and gunzipped (median of {repeat}) | {static['status']} | {static['rows']:,} | "
        f"{static['mb_gz']:.0f} gzipped, {static['mb']:.0f} | {static['s']:.1f} | **{static['s'] / sqlite_s:.2f}×** |",
    ]
    if stream:
        lines.append(f"| Datasette stream `/claims/claims.csv?_stream=on` (once) | {stream['status']} | {stream['rows']:,} | {stream['mb']:.0f} | "
                     f"{stream['s']:.1f} | {stream['s'] / sqlite_s:.1f}× |")
    lines += ["", f"Rows expected: {claims:,}. The claims table page links to the static download: **{'yes' if linked else 'no'}**."]
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
