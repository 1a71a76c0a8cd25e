"""The release's downloads against sqlite3's own CSV, and the full claims CSV
as a static download against Datasette's CSV stream.

    python bench/bench_downloads.py [--claims 10000] [--repeat 3]

Builds a synthetic corpus (bench/synthetic.py) with `claimsdb build
--no-downloads`, then times, in the same run and on the same file:

- sqlite3's CSV of the claims table (`sqlite3 -csv -header`), the baseline;
- claimsdb.downloads.write_table of the same table (gzipped CSV and Parquet, one pass);
- the whole of claimsdb.downloads.write_downloads from nothing (every table
  as CSV and Parquet, the Web Annotations, texts, manifest), on one process
  and on two;
- after one figure is edited in one source file and the database rebuilt
  incrementally (`claimsdb build --no-downloads`, as bench_build.py edits
  it): write_downloads over the previous build's downloads (patched: only
  the chunks the changed rows are in are written, claimsdb.chunks) against
  write_downloads of the same database from nothing, checked to give the
  same bytes;
- over a real server on loopback (as `make serve` starts it): the full
  claims CSV streamed by Datasette (`?_stream=on`) and the static download
  of csv/claims.csv.gz.

Medians of --repeat runs; results go to bench/results/downloads.md (or --out).
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench_load import free_port  # noqa: E402
from claimsdb.downloads import downloads_dir, write_downloads, write_table  # noqa: E402
from claimsdb.serve import server_command  # noqa: E402


def median_seconds(run, repeat: int, before=lambda: None) -> float:
    times = []
    for _ in range(repeat):
        before()
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
@click.option("--out", "results", default=str(HERE / "results" / "downloads.md"), show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the results.")
def main(claims: int, repeat: int, results: Path):
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
        fresh = work / "from-nothing"
        all_time = median_seconds(lambda: write_downloads(db, fresh, reuse=False), repeat, lambda: shutil.rmtree(fresh, ignore_errors=True))
        two = work / "from-nothing-on-2"
        two_time = median_seconds(lambda: write_downloads(db, two, reuse=False, jobs=2), repeat, lambda: shutil.rmtree(two, ignore_errors=True))
        shutil.rmtree(two)

        # One figure edited in one file, the database rebuilt from the previous one.
        previous_db, previous_downloads = work / "previous.db", work / "previous-downloads"
        shutil.copyfile(db, previous_db)
        shutil.copytree(fresh, previous_downloads)
        edited = sorted((work / "claims").glob("synthetic-source-*.yml"))[len(list((work / "claims").glob("synthetic-source-*.yml"))) // 2]
        original = edited.read_text(encoding="utf-8")
        figure = re.search(r'\n    value: "[^"\d]*(\d)', original)
        edited.write_text(original[:figure.start(1)] + str(int(figure[1]) % 9 + 1) + original[figure.end(1):], encoding="utf-8")
        rebuilt = subprocess.run([sys.executable, "-m", "claimsdb", "build", "--claims", str(work / "claims"), "--db", str(db), "--no-downloads"],
                                 check=True, capture_output=True, text=True).stdout
        assert "from the previous build" in rebuilt, rebuilt
        built = datetime.now(timezone.utc)
        incremental = downloads_dir(db)

        def restore_previous():
            shutil.rmtree(incremental, ignore_errors=True)
            shutil.copytree(previous_downloads, incremental)

        patched = {}
        incremental_time = median_seconds(lambda: patched.update(write_downloads(db, incremental, previous_db=previous_db, built=built)["chunks"]),
                                          repeat, restore_previous)
        after_edit_time = median_seconds(lambda: write_downloads(db, fresh, previous_db=previous_db, built=built, reuse=False), repeat,
                                         lambda: (shutil.rmtree(fresh, ignore_errors=True), shutil.copytree(previous_downloads, fresh)))
        same = all(a.read_bytes() == b.read_bytes() for a, b in zip(sorted(incremental.rglob("*")), sorted(fresh.rglob("*"))) if a.is_file()) \
            and [p.relative_to(incremental) for p in sorted(incremental.rglob("*"))] == [p.relative_to(fresh) for p in sorted(fresh.rglob("*"))]
        assert same, "the incremental downloads differ from those written from nothing"

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

    out_option = "" if results.name == "downloads.md" else f" --out bench/results/{results.name}"
    lines = [
        "# Downloads benchmark",
        "",
        f"Corpus: {claims:,} synthetic claims (bench/synthetic.py). Command: `python bench/bench_downloads.py --claims {claims} --repeat {repeat}{out_option}`;",
        f"times are medians of {repeat} runs, each ratio against the baseline measured in the same run.",
        "",
        "| what | median (s) | × baseline |",
        "|---|---:|---:|",
        f"| baseline: `sqlite3 -csv -header` of claims | {baseline:.3f} | 1.0 |",
        f"| `write_table` of claims (gzipped CSV and Parquet) | {csv_time:.3f} | {csv_time / baseline:.1f} |",
        f"| `write_downloads` from nothing: every table as CSV and Parquet, annotations, texts, manifest ({files} files) | {all_time:.3f} | {all_time / baseline:.1f} |",
        f"| the same on 2 processes (`jobs=2`, as `claimsdb build --jobs 2` writes them) | {two_time:.3f} | {two_time / baseline:.1f} |",
        "",
        "After one figure edited in one source file and an incremental `claimsdb build --no-downloads`, the same database's downloads",
        "(the same bytes either way, checked):",
        "",
        "| downloads after the edit | median (s) | × from nothing |",
        "|---|---:|---:|",
        f"| from nothing (`write_downloads(..., reuse=False)`) | {after_edit_time:.3f} | 1.0 |",
        f"| patched, over the previous build's downloads ({patched['written']:,} of {patched['written'] + patched['copied']:,} chunks written) "
        f"| {incremental_time:.3f} | {incremental_time / after_edit_time:.2f} |",
        "",
        "| full claims CSV over HTTP (loopback) | median (s) | bytes | × static |",
        "|---|---:|---:|---:|",
        f"| Datasette's stream `/claims/claims.csv?_stream=on` | {stream:.3f} | {sizes['stream']:,} | {stream / static:.1f} |",
        f"| static download `/downloads/csv/claims.csv.gz` | {static:.3f} | {sizes['static']:,} | 1.0 |",
        "",
    ]
    results.write_text("\n".join(lines), encoding="utf-8")
    click.echo("\n".join(lines))


if __name__ == "__main__":
    main()
