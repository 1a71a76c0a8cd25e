"""Faster YAML parsers against the one claimsdb uses, on the same claim files.

    python bench/bench_parsers.py [--claims 100000] [--repeat 3] [--workdir DIR]

Issue 15 asks whether a faster parser than PyYAML's C loader (libyaml) can
read the claim files, where it is correct: every key's line kept for
messages and for the database (each claim's and each declared relation's
line is stored), quoted dates kept as strings, duplicate keys refused.

Speed: each parser reads every claim file of a synthetic corpus
(bench/synthetic.py), from text already in memory, in this process with
the garbage collector paused, in rounds that take the parsers in turn; the
median of the rounds is reported beside the C loader's (the parse-only
baseline of bench/bench_build.py), measured in the same rounds.

Correctness: each parser reads small documents that claim files may hold,
and its data is compared with what claimsdb's reader
(claimsdb.yamlfile.parse_yaml) gives, or, where that reader refuses the
document, with its refusal. Lines are a question of API: whether the
parser's Python interface gives the line of a key at all.

yaml-rs and rapidyaml are not dependencies of claimsdb: install them in the
environment to measure them (``.venv/bin/pip install yaml-rs rapidyaml``);
a parser that is not installed is reported as such. Results go to
bench/results/parsers.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from claimsdb.progress import gc_paused  # noqa: E402
from claimsdb.yamlfile import parse_yaml  # noqa: E402
from synthetic import generate  # noqa: E402

try:
    import yaml_rs
except ImportError:  # measured only where installed
    yaml_rs = None
try:
    import ryml
except ImportError:
    ryml = None

RYML_NONE = 2**64 - 1  # rapidyaml's "no node" (size_t -1) as its Python binding returns it


def c_loader(text: str):
    return yaml.load(text, Loader=yaml.CSafeLoader)


def claimsdb_reader(text: str):
    parsed = parse_yaml(text)
    if parsed.errors:
        raise ValueError("; ".join(message for _, message, _ in parsed.errors))
    return parsed.data


def yaml_rs_loads(text: str):
    return yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)


def ryml_parse(text: str):
    """The tree in C++ only: what rapidyaml's own speed is measured by."""
    return ryml.parse_in_arena(text.encode())


def ryml_walk(text: str):
    """The tree walked into Python data through the binding, one call per
    node and scalar (the binding has no conversion of its own)."""
    tree = ryml.parse_in_arena(text.encode())

    def node(index):
        if tree.is_map(index):
            mapping, child = {}, tree.first_child(index)
            while child != RYML_NONE:
                mapping[bytes(tree.key(child)).decode()] = node(child)
                child = tree.next_sibling(child)
            return mapping
        if tree.is_seq(index):
            items, child = [], tree.first_child(index)
            while child != RYML_NONE:
                items.append(node(child))
                child = tree.next_sibling(child)
            return items
        return bytes(tree.val(index)).decode()

    return node(tree.root_id())


def ryml_json(text: str):
    """The tree emitted as JSON by rapidyaml and read by Python's json."""
    return json.loads(ryml.emit_json(ryml.parse_in_arena(text.encode())))


PARSERS = [
    # name, function, installed, key lines from the Python API
    ("PyYAML C loader (baseline)", c_loader, True, "no: the loader returns data; lines need its composer's node tree"),
    ("claimsdb reader (libyaml events)", claimsdb_reader, True, "yes: every key and item"),
    ("yaml-rs loads", yaml_rs_loads, yaml_rs is not None, "no: loads returns data only"),
    ("rapidyaml, tree only", ryml_parse, ryml is not None, "no: the Python binding exposes no node location"),
    ("rapidyaml, tree walked to Python", ryml_walk, ryml is not None, "no: as above"),
    ("rapidyaml, emitted as JSON", ryml_json, ryml is not None, "no: as above"),
]

# Documents a claim file may hold, and what claimsdb must make of them.
PROBES = [
    ("quoted date", 'published: "1988-07"'),
    ("plain date", "published: 1988-07-01"),
    ("duplicate key", "id: a\nid: b"),
    ("alias", "a: &x 1\nb: *x"),
    ("`yes` (YAML 1.1 true)", "withdrawn: yes"),
    ("`~` (null)", "note: ~"),
    ("`12` (integer)", "revision: 12"),
    ("`017` (1.1 octal; refused)", "revision: 017"),
    ("`1:30` (1.1 base 60; refused)", "revision: 1:30"),
    ("`1e3` (a string in 1.1)", "value: 1e3"),
    ("`0o17` (a string in 1.1)", "value: 0o17"),
    ("escaped RLO in double quotes", 'quote: "a\\u202eb"'),
    ("folded scalar", "quote: >\n  two\n  lines\n"),
]


def outcome(function, text: str):
    try:
        return ("data", function(text))
    except Exception as error:  # each parser refuses in its own way
        return ("refused", type(error).__name__)


def shown(got) -> str:
    return f"`{got[1]!r}`" if got[0] == "data" else f"refused ({got[1]})"


def probe_cell(function, text: str) -> str:
    expected, got = outcome(claimsdb_reader, text), outcome(function, text)
    if got[0] == expected[0] == "refused":
        return "refused"
    return "same" if got == expected else shown(got)


def measure(claims: int, repeat: int, workdir: Path) -> dict:
    directory = workdir / "corpus"
    generate(directory / "claims", claims)
    texts = [path.read_text(encoding="utf-8") for path in sorted((directory / "claims").glob("*.yml"))]
    installed = [(name, function) for name, function, present, _ in PARSERS if present]
    rounds: dict[str, list[float]] = {name: [] for name, _ in installed}
    with gc_paused():
        for _ in range(repeat):
            for name, function in installed:
                start = time.perf_counter()
                for text in texts:
                    function(text)
                rounds[name].append(time.perf_counter() - start)
    return {"claims": claims, "files": len(texts), "mb": sum(len(t.encode()) for t in texts) / 2**20,
            "seconds": {name: statistics.median(times) for name, times in rounds.items()}}


def version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def report(result: dict, repeat: int) -> str:
    baseline = result["seconds"][PARSERS[0][0]]
    lines = [
        "# YAML parsers on the claim files",
        "",
        f"`python bench/bench_parsers.py --claims {result['claims']} --repeat {repeat}`: {result['files']:,} files, "
        f"{result['mb']:.1f} MB of YAML; medians of {repeat} rounds in one process. Versions: PyYAML {version('PyYAML')}, "
        f"yaml-rs {version('yaml-rs')}, rapidyaml {version('rapidyaml')}.",
        "",
        "| parser | seconds | / C loader | MB/s | key lines from Python |",
        "|---|---:|---:|---:|---|",
    ]
    for name, _, present, key_lines in PARSERS:
        if not present:
            lines.append(f"| {name} | not installed | | | {key_lines} |")
            continue
        seconds = result["seconds"][name]
        lines.append(f"| {name} | {seconds:.2f} | {seconds / baseline:.2f} | {result['mb'] / seconds:.0f} | {key_lines} |")
    compared = [(name, function) for name, function, present, _ in PARSERS
                if present and function not in (claimsdb_reader, ryml_parse)]
    lines += [
        "",
        "What each makes of documents a claim file may hold: claimsdb's reader, and each other parser against it",
        "(\"same\": the same data, or refused as claimsdb refuses; otherwise the data it gives, or its exception):",
        "",
        "| document | claimsdb reader | " + " | ".join(name for name, _ in compared) + " |",
        "|---|---|" + "---|" * len(compared),
    ]
    for label, text in PROBES:
        reference = outcome(claimsdb_reader, text)
        cells = [shown(reference) if reference[0] == "data" else "refused"]
        cells += [probe_cell(function, text) for _, function in compared]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.workdir) as workdir:
        result = measure(args.claims, args.repeat, Path(workdir))
    text = report(result, args.repeat)
    (HERE / "results" / "parsers.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
