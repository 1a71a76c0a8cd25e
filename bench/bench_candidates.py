"""Differential check and timing of claimsdb.candidates (and coverage) against
another revision's.

The old implementation is ``git show REF:claimsdb/candidates.py`` (and
``claimsdb/coverage.py``, ``claimsdb/rows.py``; REF is where the branch
left main unless --ref says otherwise: on main itself, the last commit, so
that uncommitted changes are what is checked), loaded as modules of the installed claimsdb
package under other names; the new one is the working tree's. Both run over

- the archived texts of tests/seed_corpus, tests/persian_corpus, the
  repository's claims/ and a synthetic corpus (bench/synthetic.py), if given;
- every string literal of tests/*.py (the texts the tests feed the finder);
- random mutations of those texts: slices and concatenations, digits made
  Persian or Arabic-Indic, words upper-, lower- or title-cased, the Kelvin
  sign and the long s for k and s, odd whitespace (no-break space, tabs,
  zero-width non-joiner, line breaks), words of the patterns inserted;

each with several value-semantics tables (none, the seed corpus's, the
synthetic corpus's), and the candidate lists must be identical, field by
field. Then source_coverage and rows.compute_coverage_rows, old and new,
must give identical results for every source of those corpora. Finally old and new are timed in the same run
over the synthetic corpus's texts, interleaved, median of --repeat runs.

    .venv/bin/python bench/bench_candidates.py --synthetic /tmp/cov100k/claims

Exits non-zero at the first difference, printing the text that shows it.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("category", "start", "end", "text", "sentence_start", "sentence_end", "figure", "counts", "bounds", "calendar", "verb")
CORPORA = [ROOT / "tests" / "seed_corpus", ROOT / "tests" / "persian_corpus", ROOT / "claims"]

# Words the patterns start with or need, inserted into texts at random.
INSERTS = [
    "between", "From", "and", "to", "until", "the", "The", "summer", "Winter", "of", "in", "In", "for", "over", "during", "within",
    "past", "last", "next", "recent", "years", "decades", "week", "earlier", "later", "this", "at", "time", "since", "by", "on",
    "May", "may", "July", "September", "early", "mid-September", "4", "4th", "19", "1988", "2021", "1,988", "30,000", "5.5", "2-3",
    "ſince", "said", "says", "according to", "According to", "genocide", "Genocidal", "crimes against humanity", "war crimes",
    "enforced disappearances", "forcibly disappeared", "tortured", "illegally", "a few", "a dozen", "one hundred", "a thousand",
    "tens of thousands", "more than", "at least", "around", "nearly", "up to", "in excess of", "people", "prisoners", "reads",
    "the report reads", "%", "per cent", "article", "Article", "no.", "many", "stated", "reported that", "estimates that", "called on",
    "urged", "’s", "_said", "x1988", "$1988", "۱۳۶۷", "۳۰٬۰۰۰", "٣٠", "٣٠٫٥", "اعدام", "در", "سال", "در سال ۱۳۶۷", "تابستان",
    "مرداد و شهریور ۱۳۶۷", "۲۴ مرداد ۱۳۶۷", "۱ مرداد تا ۳۱ شهریور 1367", "ماه", "حدود", "بیش از", "هزار", "گفت", "می‌گوید",
    "می گوید", "به گفته", "اعلام کرد", "نوشت", "خواستار", "[12]", "[note 3]", "Deaths2,800 to 30,000", "Mr.", "U.S.", "e.g.",
    "—", ",", ".", "!", "?", "”", "“", "\n", "-", "–", "’", "'", "(", ")", "Kelvin", "KILLED", "executed", "killing",
    "between July and early September 1988", "from 1988 to 1990", "August 4, 2021", "4 August 2021", "the summer of 1988",
    "late-September 1988", "in December", "May 4", "the past 33 years", "in recent years", "for decades", "at the time",
    "the 1988 massacre", "in 1988", "33 years", "200 people attended", "thousands of the prisoners", "hundreds of thousands",
]
SPACES = [" ", "  ", "\u00a0", "\t", "\n", " \n ", "\u200c", "\u2009", "\r\n", ""]
PERSIAN_DIGITS, ARABIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩"


def load_old(ref: str, into: Path):
    """The candidates, coverage and rows modules of ``ref``, as claimsdb._old_candidates,
    claimsdb._old_coverage and claimsdb._old_rows (relative imports resolve within claimsdb)."""
    import claimsdb

    modules = {}
    for name in ("candidates", "coverage", "rows"):
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:claimsdb/{name}.py"], check=True, capture_output=True, text=True).stdout
        source = source.replace("from .candidates import", "from ._old_candidates import").replace("from .coverage import", "from ._old_coverage import")
        path = into / f"_old_{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"claimsdb._old_{name}", path, submodule_search_locations=None)
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "claimsdb"
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(claimsdb, f"_old_{name}", module)
        modules[name] = module
    return modules["candidates"], modules["coverage"], modules["rows"]


def test_strings() -> list[str]:
    strings = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 2:
                strings.append(node.value)
    return sorted(set(strings))


def mutate(rng: random.Random, texts: list[str]) -> str:
    text = rng.choice(texts)
    if len(text) > 3000 and rng.random() < 0.8:  # a slice: boundaries fall anywhere
        start = rng.randrange(len(text))
        text = text[start:start + rng.randrange(1, 3000)]
    for _ in range(rng.randrange(1, 6)):
        kind = rng.randrange(9)
        if kind == 0:  # concatenation
            other = rng.choice(texts)
            start = rng.randrange(len(other) + 1)
            text = text + rng.choice(SPACES) + other[start:start + rng.randrange(1, 1500)]
        elif kind == 1:  # Persian or Arabic-Indic digits for some Latin ones
            digits = rng.choice([PERSIAN_DIGITS, ARABIC_DIGITS])
            share = rng.random()
            text = "".join(digits[int(c)] if c in "0123456789" and rng.random() < share else c for c in text)
        elif kind == 2:  # case
            change = rng.choice([str.upper, str.lower, str.title, str.capitalize, str.swapcase])
            words = text.split(" ")
            share = rng.random()
            text = " ".join(change(w) if rng.random() < share else w for w in words)
        elif kind == 3:  # Kelvin sign, long s, dotless i, sharp s: characters case-insensitive matching folds
            swaps = rng.choice([("k", "\u212a"), ("K", "\u212a"), ("s", "\u017f"), ("S", "\u017f"), ("i", "\u0131"), ("I", "\u0130"), ("ss", "ß"), ("fi", "\ufb01"), ("st", "\ufb06")])
            share = rng.random()
            text = "".join(swaps[1] if c == swaps[0] and rng.random() < share else c for c in text) if len(swaps[0]) == 1 else text.replace(*swaps)
        elif kind == 4:  # odd whitespace
            space = rng.choice(SPACES)
            share = rng.random() * 0.5
            text = "".join(space if c == " " and rng.random() < share else c for c in text)
        else:  # words of the patterns, inserted
            for _ in range(rng.randrange(1, 12)):
                at = rng.randrange(len(text) + 1)
                if rng.random() < 0.7:  # at a word boundary, mostly
                    space = text.rfind(" ", 0, at)
                    at = space + 1 if space >= 0 else 0
                text = text[:at] + rng.choice(INSERTS) + rng.choice(SPACES[:6]) + text[at:]
    return text


def as_tuples(candidates) -> list[tuple]:
    return [tuple(getattr(c, f) for f in FIELDS) for c in candidates]


def compare(old, new, text: str, semantics, label: str) -> None:
    expected, got = as_tuples(old.find_candidates(text, semantics)), as_tuples(new.find_candidates(text, semantics))
    if expected != got:
        print(f"DIFFERENCE ({label}) for text {text!r}", file=sys.stderr)
        for e, g in zip(expected + [None] * len(got), got + [None] * len(expected)):
            if e != g:
                print(f"  old {e}\n  new {g}", file=sys.stderr)
                break
        sys.exit(1)


def coverage_tuples(results) -> list[tuple]:
    return [(*tuple(getattr(r.candidate, f) for f in FIELDS), r.status, r.claim_ids, r.reason) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ref", help="git revision of the old implementation (default: where this branch left main, git merge-base main HEAD)")
    parser.add_argument("--synthetic", type=Path, help="a synthetic corpus's claims directory (bench/synthetic.py); its texts are checked and timed")
    parser.add_argument("--mutations", type=int, default=20000, help="random mutated texts to check (default: 20000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of old and new each (default: 3); 0: no timing")
    parser.add_argument("--no-coverage", action="store_true", help="skip the source_coverage comparison and timing")
    args = parser.parse_args()

    from claimsdb import candidates as new, coverage as new_coverage
    from claimsdb.load import load_corpus
    from claimsdb.problems import ProblemsFound

    ref = args.ref or subprocess.run(["git", "-C", str(ROOT), "merge-base", "main", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    print(f"old: {ref}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        old, old_coverage, old_rows = load_old(ref, Path(tmp))
    from claimsdb import rows as new_rows
    corpora = [c for c in CORPORA if c.exists()] + ([args.synthetic] if args.synthetic else [])
    t0 = time.perf_counter()
    loaded, extra = [], []
    for path in corpora:
        try:
            loaded.append(load_corpus(path))
        except ProblemsFound:  # a fragment (tests/persian_corpus is copied into a corpus by the tests): its texts only
            extra += [p.read_text(encoding="utf-8") for p in sorted((path / "sources").glob("*.txt"))]
    print(f"loaded {len(loaded)} corpora ({len(extra)} more texts) in {time.perf_counter() - t0:.1f} s", flush=True)
    tables = [None] + list({id(c.semantics): c.semantics for c in loaded if c.semantics is not None}.values())

    archived = sorted({text for corpus in loaded for text in corpus.texts.values()} | set(extra))
    real = sorted({text for corpus in (loaded[:-1] if args.synthetic else loaded) for text in corpus.texts.values()} | set(extra))
    strings = test_strings()
    # Mutations start from the real texts, the tests' strings and 200 synthetic texts.
    seeds = real + strings + sorted(set(archived) - set(real))[:200]
    rng = random.Random(args.seed)
    checked = 0
    t0 = time.perf_counter()
    for text in archived + strings:
        for semantics in tables:
            compare(old, new, text, semantics, "archived or test text")
            checked += 1
    print(f"{checked} comparisons of archived and test texts ({len(archived)} archived, {len(strings)} test strings,"
          f" x{len(tables)} tables) identical, {time.perf_counter() - t0:.1f} s", flush=True)
    t0 = time.perf_counter()
    for index in range(args.mutations):
        text = mutate(rng, seeds)
        compare(old, new, text, rng.choice(tables), f"mutation {index}")
        if index % 5000 == 4999:
            print(f"  {index + 1} mutations identical, {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"{args.mutations} mutated texts identical", flush=True)

    if not args.no_coverage:
        compared = 0
        for corpus in loaded:
            for source in corpus.sources:
                if source.id not in corpus.texts:
                    continue
                expected = coverage_tuples(old_coverage.source_coverage(corpus, source))
                got = coverage_tuples(new_coverage.source_coverage(corpus, source))
                if expected != got:
                    print(f"COVERAGE DIFFERENCE for source {source.id}", file=sys.stderr)
                    sys.exit(1)
                text = corpus.texts[source.id]
                if old_rows.compute_coverage_rows(corpus, source, text) != new_rows.compute_coverage_rows(corpus, source, text):
                    print(f"COVERAGE ROWS DIFFERENCE for source {source.id}", file=sys.stderr)
                    sys.exit(1)
                compared += 1
        print(f"source_coverage and coverage rows identical for {compared} sources", flush=True)

    if args.repeat and args.synthetic:
        corpus = loaded[-1]
        texts = [corpus.texts[s.id] for s in corpus.sources if s.id in corpus.texts]
        semantics = corpus.semantics
        timed = {f"{what} {name}": [] for what in ("find_candidates", "source_coverage", "coverage rows") for name in ("old", "new")}
        sources = [s for s in corpus.sources if s.id in corpus.texts]
        for _ in range(args.repeat):
            for name, module in (("old", old), ("new", new)):
                t0, c0 = time.perf_counter(), time.process_time()
                for text in texts:
                    module.find_candidates(text, semantics)
                timed[f"find_candidates {name}"].append((time.perf_counter() - t0, time.process_time() - c0))
            if not args.no_coverage:
                for name, module in (("old", old_coverage), ("new", new_coverage)):
                    module.folded.cache_clear()
                    t0, c0 = time.perf_counter(), time.process_time()
                    for source in sources:
                        module.source_coverage(corpus, source)
                    timed[f"source_coverage {name}"].append((time.perf_counter() - t0, time.process_time() - c0))
                for name, module, rows in (("old", old_coverage, old_rows), ("new", new_coverage, new_rows)):
                    module.folded.cache_clear()
                    t0, c0 = time.perf_counter(), time.process_time()
                    for source in sources:  # what the build's coverage stage does for a source (rows.compute_coverage_rows)
                        rows.compute_coverage_rows(corpus, source, corpus.texts[source.id])
                    timed[f"coverage rows {name}"].append((time.perf_counter() - t0, time.process_time() - c0))
        print(f"timing over {len(texts)} texts ({sum(map(len, texts)) / 1e6:.1f} M characters), median of {args.repeat}, wall clock (CPU time):")
        for what in ("find_candidates", "source_coverage", "coverage rows"):
            if timed[f"{what} old"]:
                (o, oc), (n, nc) = [[statistics.median(t[k] for t in timed[f"{what} {name}"]) for k in (0, 1)] for name in ("old", "new")]
                runs = {name: [round(t[0], 2) for t in timed[f"{what} {name}"]] for name in ("old", "new")}
                print(f"  {what}: old {o:.2f} s ({oc:.2f}), new {n:.2f} s ({nc:.2f}), {o / n:.2f}x ({oc / nc:.2f}x)   runs old {runs['old']}, new {runs['new']}")

if __name__ == "__main__":
    main()
