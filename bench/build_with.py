"""Run a claimsdb command with the candidates and coverage modules of another
revision ("old": where this branch left main, git merge-base main HEAD) or of
the working tree ("new"), to time the build's coverage stage both ways:

    .venv/bin/python bench/build_with.py old build --claims /tmp/cov100k/claims --db /tmp/old.db --no-cache --no-downloads --full --timings t_old.json
    .venv/bin/python bench/build_with.py new build ...
"""

import subprocess
import sys
import tempfile
from pathlib import Path

if len(sys.argv) < 2 or sys.argv[1] not in ("old", "new"):
    sys.exit(__doc__)
which = sys.argv.pop(1)
if which == "old":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_candidates
    import claimsdb

    ref = subprocess.run(["git", "-C", str(bench_candidates.ROOT), "merge-base", "main", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    old, old_coverage, _ = bench_candidates.load_old(ref, Path(tempfile.mkdtemp()))
    sys.modules["claimsdb.candidates"], sys.modules["claimsdb.coverage"] = old, old_coverage
    claimsdb.candidates, claimsdb.coverage = old, old_coverage
from claimsdb.cli import cli

cli()
