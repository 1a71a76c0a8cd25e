"""One stage of the build, this tree's code against another revision's, on the same corpus.

    python bench/bench_stages.py --against main [--claims 10000] [--repeat 5] [--stage coverage]

Stages: ``coverage`` (candidates and their status, every source: the rows
of the coverage table), ``read`` (parse and validate every file, checks
included: load_corpus) and ``build`` (claimsdb.build, no cache). Each run is
a fresh process; runs of the two trees alternate, and each figure is the
median of the process CPU seconds (user + system of the process and its
children, less disturbed than wall time by other work on a shared machine),
with wall seconds beside it. The rows are hashed too: a change that is
faster but writes other rows is no speed-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import hashlib, json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
stage, corpus_dir, jobs = sys.argv[2], sys.argv[3], int(sys.argv[4])
from claimsdb.progress import Stages, gc_paused
from claimsdb.load import load_corpus

def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

digest = hashlib.sha256()
with gc_paused():
    if stage == "coverage":
        from claimsdb.rows import all_coverage_rows
        corpus = load_corpus(corpus_dir)
        wall, start = time.perf_counter(), cpu()
        for row in all_coverage_rows(corpus, Stages()):
            digest.update(json.dumps(row, sort_keys=True).encode())
    elif stage == "read":
        wall, start = time.perf_counter(), cpu()
        kwargs = {"jobs": jobs} if jobs != 1 else {}
        corpus = load_corpus(corpus_dir, **kwargs)
        digest.update(repr(sorted((s.id, len(s.claims)) for s in corpus.sources)).encode())
    else:
        import claimsdb
        out = os.path.join(os.path.dirname(os.path.abspath(corpus_dir)), f"stage-{os.getpid()}.db")
        kwargs = {"jobs": jobs} if jobs != 1 else {}
        wall, start = time.perf_counter(), cpu()
        if hasattr(claimsdb, "build"):
            claimsdb.build(corpus_dir, out, **kwargs)
        else:  # a revision from before the build API
            from claimsdb.db import write_database
            write_database(load_corpus(corpus_dir), out)
        digest.update(open(out, "rb").read())
        os.unlink(out)
    print(json.dumps({"cpu": cpu() - start, "wall": time.perf_counter() - wall, "rows": digest.hexdigest()[:16]}))
"""


def run(code_root: Path, stage: str, corpus: Path, jobs: int) -> dict:
    result = subprocess.run([sys.executable, "-c", CHILD, str(code_root), stage, str(corpus), str(jobs)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="main", help="git revision to compare with")
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stage", default="coverage", choices=["coverage", "read", "build"])
    parser.add_argument("--jobs", type=int, default=1, help="jobs= for the read and build of both trees")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "claimsdb-bench-stages")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    from synthetic import generate

    corpus = args.workdir / str(args.claims) / "claims"
    if not (corpus / "measures.yml").exists():
        generate(corpus, args.claims)
    other = args.workdir / "against"
    subprocess.run(["rm", "-rf", str(other)], check=True)
    other.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.against, "claimsdb"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)

    runs: dict[str, list[dict]] = {"this tree": [], args.against: []}
    for _ in range(args.repeat):
        runs[args.against].append(run(other, args.stage, corpus, args.jobs))
        runs["this tree"].append(run(ROOT, args.stage, corpus, args.jobs))
    medians = {name: {k: statistics.median(r[k] for r in rs) for k in ("cpu", "wall")} for name, rs in runs.items()}
    hashes = {name: {r["rows"] for r in rs} for name, rs in runs.items()}
    print(f"{args.stage} at {args.claims:,} claims, median of {args.repeat} alternating runs"
          f" (jobs={args.jobs}):")
    for name, median in medians.items():
        print(f"  {name:>12}: CPU {median['cpu']:.2f} s, wall {median['wall']:.2f} s, rows {sorted(hashes[name])}")
    print(f"  this tree / {args.against}: CPU {medians['this tree']['cpu'] / medians[args.against]['cpu']:.2f}, "
          f"wall {medians['this tree']['wall'] / medians[args.against]['wall']:.2f}; "
          f"same rows: {hashes['this tree'] == hashes[args.against] and len(hashes['this tree']) == 1}")


if __name__ == "__main__":
    main()
