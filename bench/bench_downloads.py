"""The release's downloads against sqlite3's own CSV, and the full claims CSV
as a static download against Datasette's CSV stream.

    python bench/bench_downloads.py [--claims 10000] [--repeat 3]

Builds a synthetic corpus (bench/synthetic.py) with `claimsdb build
--no-downloads`, then times, in the same run and on the same file:

- sqlite3's CSV of the claims table (`sqlite3 -csv -header`), the baseline;
- claimsdb.downloads.write_table of the same table (gzipped CSV and Parquet, one pass);
- the whole of claimsdb.downloads.write_downloads (every table and view as
  CSV and Parquet, the Web Annotations, texts, manifest);
- over a real server on loopback (as `make serve` starts it): the full
  claims CSV streamed by Datasette (`?_stream=on`) and the static download
  of csv/claims.csv.gz.

Medians of --repeat runs; results go to bench/results/downloads.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench_load import free_port  # noqa: E402
from claimsdb.downloads import downloads_dir, write_downloads, write_table  # noqa: E402
from claimsdb.serve import server_command  # noqa: E402


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=600) as response:
        return len(response.read())


@click.command()
@click.option("--claims", default=10_000, show_default=True, type=int)
@click.option("--repeat", default=3, show_default=True, type=int)
def main(claims: int, repeat: int):
    import sqlite3

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        subprocess.run([sys.executable, str(HERE / "synthetic.py"), str(work / "claims"), "--claims", str(claims)], check=True)
        db = work / "claims.db"
        subprocess.run([sys.executable, "-m", "claimsdb", "build", "--claims", str(work / "claims"), "--db", str(db), "--no-downloads", "--no-cache"],
                       check=True, stdout=subprocess.DEVNULL)
        out = work / "out"
        out.mkdir()

        def sqlite3_csv():
            with open(out / "sqlite3.csv", "wb") as handle:
                subprocess.run(["sqlite3", "-csv", "-header", str(db), "select * from claims"], stdout=handle, check=True)

        def ours_csv():
            conn = sqlite3.connect(db)
            write_table(conn, "claims", out / "claims.csv.gz", out / "claims.parquet")
            conn.close()

        baseline = median_seconds(sqlite3_csv, repeat)
        csv_time = median_seconds(ours_csv, repeat)
        all_time = median_seconds(lambda: write_downloads(db), repeat)

        port = free_port()
        server = subprocess.Popen(server_command(db, ROOT, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            stream = median_seconds(lambda: fetch(base + "/claims/claims.csv?_stream=on&_size=max"), repeat)
            static = median_seconds(lambda: fetch(base + "/downloads/csv/claims.csv.gz"), repeat)
            sizes = {"stream": fetch(base + "/claims/claims.csv?_stream=on&_size=max"), "static": fetch(base + "/downloads/csv/claims.csv.gz")}
        finally:
            server.terminate()
            server.wait(timeout=10)
        files = sum(1 for p in downloads_dir(db).rglob("*") if p.is_file())

    lines = [
        "# Downloads benchmark",
        "",
        f"Corpus: {claims:,} synthetic claims (bench/synthetic.py). Command: `python bench/bench_downloads.py --claims {claims} --repeat {repeat}`;",
        f"times are medians of {repeat} runs, each ratio against the baseline measured in the same run.",
        "",
        "| what | median (s) | × baseline |",
        "|---|---:|---:|",
        f"| baseline: `sqlite3 -csv -header` of claims | {baseline:.3f} | 1.0 |",
        f"| `write_table` of claims (gzipped CSV and Parquet) | {csv_time:.3f} | {csv_time / baseline:.1f} |",
        f"| `write_downloads`: every table and view as CSV and Parquet, annotations, texts, manifest ({files} files) | {all_time:.3f} | {all_time / baseline:.1f} |",
        "",
        "| full claims CSV over HTTP (loopback) | median (s) | bytes | × static |",
        "|---|---:|---:|---:|",
        f"| Datasette's stream `/claims/claims.csv?_stream=on` | {stream:.3f} | {sizes['stream']:,} | {stream / static:.1f} |",
        f"| static download `/downloads/csv/claims.csv.gz` | {static:.3f} | {sizes['static']:,} | 1.0 |",
        "",
    ]
    (HERE / "results" / "downloads.md").write_text("\n".join(lines), encoding="utf-8")
    click.echo("\n".join(lines))


if __name__ == "__main__":
    main()
