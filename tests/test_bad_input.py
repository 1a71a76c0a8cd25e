"""The catalogue of bad input, each fed to a real `claimsdb build` process in a
copy of the project with a previous claims.db beside it: one line per
problem, `path:line: what is wrong — what to do`, every problem in one run,
exit status 1, no traceback, no temporary file left, and claims.db byte for
byte as it was (its SHA-256 before and after).

The checks that test_checks.py pins through `claimsdb check` are run here
again through the build, by their ids there, so their messages are written
once."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from claimsdb.files import MAX_FILE_BYTES
from claimsdb.model import QuantityClaim

from . import test_checks
from .test_checks import ARCHIVE, ARCHIVE_SHA, PROBE, PROBE_TEXT, probe  # noqa: F401 (probe is a fixture)

# Generous: a build of the seed corpus peaks at about 40 MB. Reading a 50 MB
# file, composing a deep document or expanding an alias bomb would not fit.
MEMORY_BOUND_MB = 100


def line_of_claim(claim_id: str) -> int:
    """The line of a seed claim's `- id:` in its file, as the corpus stands."""
    path = ARCHIVE.parent.parent / "arabnews-today-2021-09-03-un-workgroup-investigation.yml"
    return path.read_text(encoding="utf-8").splitlines().index(f"  - id: {claim_id}") + 1


@dataclass
class Build:
    returncode: int
    stdout: str
    stderr: str
    peak_memory_mb: float | None  # None where /proc/self/status does not exist


# `claimsdb build` exactly as `python -m claimsdb build` runs it, reporting
# its own peak resident memory (VmHWM, which counts from exec: the test
# process's memory is not in it) when it exits.
BUILD_REPORTING_PEAK_MEMORY = """
import atexit, sys
from claimsdb.cli import cli

peak_file = sys.argv[1]

def report_peak_memory():
    try:
        status = open("/proc/self/status").read()
    except OSError:
        return
    peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    open(peak_file, "w").write(peak)

atexit.register(report_peak_memory)
sys.argv = ["claimsdb", "build"]
cli()
"""


def run_build(directory: Path) -> Build:
    """A real `claimsdb build` process in ``directory``, with its peak memory."""
    peak = directory.parent / f"{directory.name}.peak"
    result = subprocess.run([sys.executable, "-c", BUILD_REPORTING_PEAK_MEMORY, str(peak)], cwd=directory, capture_output=True, text=True, timeout=120)
    peak_memory_mb = int(peak.read_text()) / 1024 if peak.exists() else None
    peak.unlink(missing_ok=True)
    return Build(result.returncode, result.stdout, result.stderr, peak_memory_mb)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def previous_db(workdir, built_db) -> str:
    """A previous build in the work directory; returns its SHA-256."""
    shutil.copyfile(built_db, workdir / "claims.db")
    return sha256(workdir / "claims.db")


def refused(workdir: Path, previous: str) -> list[str]:
    """Build, check that nothing was touched, and return the problem lines."""
    build = run_build(workdir)
    assert build.returncode == 1, build.stderr
    assert "Traceback" not in build.stderr + build.stdout
    assert sha256(workdir / "claims.db") == previous
    assert sorted(path.name for path in workdir.iterdir() if path.name != ".claimsdb-cache") == ["claims", "claims.db"]
    lines = build.stderr.splitlines()
    assert lines[-1] == f"{len(lines) - 1} problem(s); nothing was built."
    assert build.peak_memory_mb is None or build.peak_memory_mb < MEMORY_BOUND_MB, build.peak_memory_mb
    return lines[:-1]


# The checks of test_checks.py, through a real build ----------------------------

CHECKED = {param.id: param.values for param in test_checks.test_bad_input_gives_one_line_with_file_and_line.pytestmark[0].args[1]}
ISSUE_CHECKS = [
    "yaml-syntax", "tab", "duplicate-key", "wrong-type", "missing-field", "unknown-field-suggests-nearest",
    "unknown-claim", "unknown-agent", "self-relation", "low-above-high", "impossible-date", "period-reversed",
    "archive-hash-mismatch", "archive-missing", "quote-absent", "quote-ambiguous",
]


@pytest.mark.parametrize("check", ISSUE_CHECKS)
def test_checked_problem_stops_a_real_build_and_keeps_the_previous_database(probe, workdir, previous_db, check):
    replacements, expected = CHECKED[check]
    probe(*replacements)
    assert refused(workdir, previous_db) == [expected]


# The rest of the catalogue ----------------------------------------------------------

QUANTITY_FIELDS = ", ".join(QuantityClaim.model_fields)
RELATE_TO_PERIOD = (
    "    quote: executed more than 30,000 political prisoners\n",
    "    quote: executed more than 30,000 political prisoners\n    relations:\n      - relation: corroborates\n"
    "        claim: probe-period\n        rationale: The probe relates its figure to its period.\n",
)


@pytest.mark.parametrize(
    "replacements, expected",
    [
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\x07\n"), ("    statement: The probe document", "    statement: The\x00\x1b probe document")],
            ["claims/probe.yml:15: unprintable character U+0007, which YAML does not allow — delete it",
             "claims/probe.yml:17: unprintable characters U+0000, U+001B, which YAML does not allow — delete them"],
            id="control-characters",
        ),
        pytest.param(
            [("    subject: executions-1988\n", "    subject: &s executions-1988\n"),
             ("    subject: executions-1988\n    speaker: un-wgeid\n", "    subject: *s\n    speaker: un-wgeid\n"),
             ("    quote: allegedly executed between July and September 1988\n", "    quote: [allegedly executed, \n")],
            ["claims/probe.yml:21: YAML aliases (*name) are not allowed in claim files — write the value out in full",
             "claims/probe.yml:29: YAML syntax error: while parsing a flow node, did not find expected node content — fix the YAML at this line"],
            id="alias-and-syntax-error-in-one-file",
        ),
        pytest.param(
            [("    value: more than 30,000\n", '    value: !!python/object/apply:os.system ["echo pwned"]\n')],
            ["claims/probe.yml:16: unsupported YAML tag `!!python/object/apply:os.system` — write a plain string, number, true/false, list or mapping"],
            id="python-tag",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: more than 30,000\n    low: !!float many\n    high: !!int \"\"\n"),
             ("    mode: own-voice\n", "    mode: own-voice\n    withdrawn: !!bool maybe\n")],
            ["claims/probe.yml:16: `maybe` cannot be read as `!!bool`, the tag it is given — remove the tag, or write true or false",
             "claims/probe.yml:18: `many` cannot be read as `!!float`, the tag it is given — remove the tag, or write a number",
             "claims/probe.yml:19: an empty value cannot be read as `!!int`, the tag it is given — remove the tag, or write a whole number"],
            id="tag-the-value-cannot-hold",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: 30000\n")],
            ["claims/probe.yml:16: `value` should be text, not the number 30000 — put the value in quotes"],
            id="number-for-text",
        ),
        pytest.param(
            [("    statement: The probe document states that more than 30,000 political prisoners were executed.\n", "    statement: yes\n")],
            ["claims/probe.yml:17: `statement` should be text, not the boolean true (YAML reads yes, no, on, off, true and false as booleans) — put the value in quotes"],
            id="boolean-for-text",
        ),
        pytest.param(
            [("    statement: The probe document states", "    statement: [The probe document states]\n    note: The probe document states")],
            ["claims/probe.yml:17: `statement` should be text, not ['The probe document states'] — write text"],
            id="list-for-text",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    1: one\n")],
            [f"claims/probe.yml:16: unknown field `1` — remove it (fields here: {QUANTITY_FIELDS})"],
            id="number-as-key",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    <<: {note: merged}\n")],
            ["claims/probe.yml:16: only plain keys are allowed (no merge keys or complex keys) — write the key as a plain word"],
            id="merge-key",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    !!merge note: merged\n")],
            ["claims/probe.yml:16: only plain keys are allowed (no merge keys or complex keys) — write the key as a plain word"],
            id="key-tagged-as-merge",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    ? [note, more]\n    : merged\n")],
            ["claims/probe.yml:16: only plain keys are allowed (no merge keys or complex keys) — write the key as a plain word"],
            id="complex-key",
        ),
        pytest.param(
            [("    mode: own-voice\n", "    mode: own-voice\n    '<<': quoted\n")],
            [f"claims/probe.yml:16: unknown field `<<` — remove it (fields here: {QUANTITY_FIELDS})"],
            id="quoted-merge-key-is-a-plain-key",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: more than 30,000\n    low: -5\n")],
            ["claims/probe.yml:17: `low` is -5, but it cannot be less than 0 — give 0 or more"],
            id="negative-count",
        ),
        pytest.param(
            [("    value: more than 30,000\n", "    value: more than 30,000\n    low: 30000\n    high: .inf\n")],
            ["claims/probe.yml:18: `high` should be a finite number, not inf — write a number, or leave `high` out when the interval is unbounded"],
            id="infinite-count",
        ),
        pytest.param(
            [('published: "2021-09-03"\n', 'published: "1988-02-30"\n')],
            ["claims/probe.yml:5: `published`: 1988-02-30 does not exist (February 1988 has 29 days) — give a date that exists"],
            id="impossible-published-date",
        ),
        pytest.param(
            [("  - id: probe-figure\n", "  - id: ant-wgeid-international-community-must-investigate\n")],
            ["claims/probe.yml:10: duplicate claim id `ant-wgeid-international-community-must-investigate` "
             f"(first at claims/arabnews-today-2021-09-03-un-workgroup-investigation.yml:{line_of_claim('ant-wgeid-international-community-must-investigate')}) — give each a unique id"],
            id="duplicate-id-across-files",
        ),
        pytest.param(
            [RELATE_TO_PERIOD, ("    kind: period\n", "    kind: period\n    withdrawn: The probe withdraws its period.\n")],
            ["claims/probe.yml:21: relation to withdrawn claim `probe-period` — remove the relation or relate to a current claim"],
            id="relation-to-withdrawn-claim",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", '    quote: ""\n')],
            ["claims/probe.yml:18: `quote` is empty — write the text"],
            id="quote-empty",
        ),
        pytest.param(
            [("    quote: executed more than 30,000 political prisoners\n", "    quote: after then-supreme leader Ruhollah Khomeini\n")],
            ['claims/probe.yml:18: the quote is not in claims/sources/probe.txt as written; it matches only after folding typography '
             '(quotes, dashes, spaces) — paste the archived text exactly: quote: "after then–supreme leader Ruhollah Khomeini"'],
            id="quote-matches-only-after-folding",
        ),
        pytest.param(
            [("archive: sources/probe.txt\n", "archive: ../../etc/passwd\n")],
            ["claims/probe.yml:7: `archive`: '../../etc/passwd' points outside claims/sources/ — archive the text as "
             "claims/sources/<source-id>.txt and write `archive: sources/<source-id>.txt`"],
            id="archive-escapes-with-dot-dot",
        ),
        pytest.param(
            [("archive: sources/probe.txt\n", "archive: /etc/passwd\n")],
            ["claims/probe.yml:7: `archive`: '/etc/passwd' points outside claims/sources/ — archive the text as "
             "claims/sources/<source-id>.txt and write `archive: sources/<source-id>.txt`"],
            id="archive-absolute-path",
        ),
        pytest.param(
            [("archive: sources/probe.txt\n", "archive: sources/nested/probe.txt\n")],
            ["claims/probe.yml:7: `archive`: 'sources/nested/probe.txt' is not a .txt file directly in claims/sources/ — archive the text as "
             "claims/sources/<source-id>.txt and write `archive: sources/<source-id>.txt`"],
            id="archive-in-a-subdirectory",
        ),
    ],
)
def test_bad_claim_file_stops_a_real_build(probe, workdir, previous_db, replacements, expected):
    probe(*replacements)
    assert refused(workdir, previous_db) == expected


# Archives ----------------------------------------------------------------------------


def pin_archive(probe, data: bytes) -> None:
    """Replace the probe's archive with ``data`` and pin its hash, so the
    check under test is the only one that fails."""
    (Path("claims/sources/probe.txt")).write_bytes(data)
    probe((f"sha256: {ARCHIVE_SHA}\n", f"sha256: {hashlib.sha256(data).hexdigest()}\n"))


@pytest.mark.parametrize(
    "damage, expected",
    [
        pytest.param(
            lambda data: data.replace("massacre".encode(), "massacre \xe9".encode("latin-1"), 1),
            "claims/probe.yml:7: sources/probe.txt is not UTF-8 (byte 0xe9 at line 1 of the archive) — archive the text as UTF-8",
            id="archive-not-utf8",
        ),
        pytest.param(
            lambda data: b"\xef\xbb\xbf" + data,
            "claims/probe.yml:7: sources/probe.txt starts with a byte-order mark — archive the text as UTF-8 without a byte-order mark",
            id="archive-byte-order-mark",
        ),
        pytest.param(
            lambda data: data.replace(b"\n", b"\r\n"),
            "claims/probe.yml:7: sources/probe.txt has CRLF line ends — archive the text with LF line ends (quote positions count code points)",
            id="archive-crlf",
        ),
    ],
)
def test_unusable_archive_stops_a_real_build(probe, workdir, previous_db, damage, expected):
    pin_archive(probe, damage(ARCHIVE.read_bytes()))
    assert refused(workdir, previous_db) == [expected]


def test_archive_that_is_a_symbolic_link_out_of_sources_is_refused(probe, workdir, previous_db):
    archive = workdir / "claims" / "sources" / "probe.txt"
    archive.unlink()
    archive.symlink_to("/etc/passwd")
    assert refused(workdir, previous_db) == [
        "claims/probe.yml:7: archive sources/probe.txt leads outside claims/sources/ through a symbolic link — copy the file itself into claims/sources/"
    ]


def test_sources_directory_that_is_a_symbolic_link_out_of_claims_is_refused(probe, workdir, previous_db, tmp_path_factory):
    # Every archive then lies outside; the hash of a file there is never computed, let alone shown.
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "sources"
    shutil.move(workdir / "claims" / "sources", elsewhere)
    (workdir / "claims" / "sources").symlink_to(elsewhere)
    expected = []
    for path in sorted((workdir / "claims").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        if "\narchive: " in text:
            line = text[:text.index("\narchive: ")].count("\n") + 2
            archive = text.split("\narchive: ")[1].split("\n")[0]
            expected.append(f"claims/{path.name}:{line}: archive {archive} leads outside claims/sources/ through a symbolic link — copy the file itself into claims/sources/")
    assert len(expected) == 3
    assert refused(workdir, previous_db) == expected


# Claim files that are not plain files inside claims/ ------------------------------------


def test_claim_file_that_is_a_symbolic_link_out_of_claims_is_refused(probe, workdir, previous_db, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "probe.yml"
    outside.write_text(PROBE_TEXT, encoding="utf-8")
    (workdir / PROBE).unlink()
    (workdir / PROBE).symlink_to(outside)
    assert refused(workdir, previous_db) == [
        "claims/probe.yml:1: the file leads outside claims/ through a symbolic link — copy the file itself into claims/"
    ]


def test_claim_file_that_is_not_utf8_names_the_line(probe, workdir, previous_db):
    (workdir / PROBE).write_bytes(PROBE_TEXT.replace("The probe document states", "The probe document \xe9tates").encode("latin-1"))
    assert refused(workdir, previous_db) == ["claims/probe.yml:17: not UTF-8 (byte 0xe9 cannot be decoded) — save the file as UTF-8"]


def test_claim_file_that_is_a_directory_is_refused(probe, workdir, previous_db):
    (workdir / "claims" / "folder.yml").mkdir()
    assert refused(workdir, previous_db) == ["claims/folder.yml:1: the file is a directory, not a regular file — replace it with a plain text file"]


# Hostile YAML: refused fast and in bounded memory ----------------------------------------

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_alias_bomb_is_refused_without_expanding_it(probe, workdir, previous_db):
    probe(text=PROBE_TEXT + "bomb:\n" + "".join("  " + line + "\n" for line in BILLION_LAUGHS.splitlines()))
    assert refused(workdir, previous_db) == [
        f"claims/probe.yml:{line}: YAML aliases (*name) are not allowed in claim files — write the value out in full" for line in range(31, 39)
    ]


@pytest.mark.parametrize(
    "nested, line",
    [
        pytest.param("claims: " + "[" * 100_000 + "]" * 100_000 + "\n", 2, id="flow"),
        pytest.param("claims:\n" + "".join(" " * level + "-\n" for level in range(1, 200)), 66, id="block"),
        pytest.param("claims:\n  " + "- " * 100_000 + "x\n", 3, id="compact"),
    ],
)
def test_deeply_nested_document_is_refused_before_it_is_composed(probe, workdir, previous_db, nested, line):
    # libyaml's composer recurses once per level: 100,000 levels used to crash
    # the interpreter (SIGSEGV) instead of reporting a problem.
    probe(text="id: probe\n" + nested)
    assert refused(workdir, previous_db) == [
        f"claims/probe.yml:{line}: the YAML is nested more than 64 levels deep — claim files need about five levels: remove the extra nesting"
    ]


FLOW_2000 = "claims: " + "[" * 2000 + "]" * 2000 + "\n"
BLOCK_100 = "claims:\n" + "".join(" " * level + "-\n" for level in range(1, 100))


@pytest.mark.parametrize("text", [FLOW_2000, BLOCK_100], ids=["flow", "block"])
def test_nesting_gets_the_projects_message_whichever_part_of_pyyaml_stops_it(text):
    from claimsdb.yamlfile import parse_yaml

    assert [error[1] for error in parse_yaml(text).errors] == ["the YAML is nested more than 64 levels deep"]


def test_libyamls_own_nesting_limit_is_recognised():
    # libyaml as bundled with PyYAML 6.0.4 stops deep flow nesting in its
    # scanner, before the parser emits the event our screen counts (6.0.2
    # and 6.0.3 have no such limit, and the screen refuses the file).
    import yaml

    from claimsdb.yamlfile import BaseLoader, is_libyaml_depth_error

    try:
        for _ in yaml.parse(FLOW_2000, Loader=BaseLoader):
            pass
    except yaml.YAMLError as error:
        assert is_libyaml_depth_error(error), error
    else:
        pytest.skip(f"PyYAML {yaml.__version__}'s libyaml has no nesting limit of its own")


def test_a_50_mb_claim_file_is_refused_unread(probe, workdir, previous_db):
    claim = PROBE_TEXT[PROBE_TEXT.index("  - id: probe-figure"):PROBE_TEXT.index("  - id: probe-period")]
    copies = 50_000_000 // len(claim) + 1
    text = PROBE_TEXT + "".join(claim.replace("id: probe-figure", f"id: probe-figure-{n}") for n in range(copies))
    probe(text=text)
    size = len(text.encode("utf-8"))
    assert size > 50_000_000
    assert refused(workdir, previous_db) == [
        f"claims/probe.yml:1: the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for a file in claims/ — "
        "keep only what belongs in it (README: Limits), or raise MAX_FILE_BYTES in claimsdb/files.py"
    ]


# All at once -----------------------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_in_one_run(probe, workdir, previous_db):
    probe(("    value: more than 30,000\n", "    value: more than 30,000\n    low: -5\n"), ("archive: sources/probe.txt\n", "archive: ../../etc/passwd\n"))
    (workdir / "claims" / "bomb.yml").write_text(BILLION_LAUGHS, encoding="utf-8")
    (workdir / "claims" / "nested.yml").write_text("a: " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")
    (workdir / "claims" / "huge.yml").write_bytes(b"a: " + b"x" * MAX_FILE_BYTES + b"\n")
    (workdir / "claims" / "latin.yml").write_bytes("id: caf\xe9\n".encode("latin-1"))
    agents = workdir / "claims" / "agents.yml"
    text = agents.read_text(encoding="utf-8")
    tab_line = text[:text.index("  - id: amnesty-international\n")].count("\n") + 2
    agents.write_text(text.replace("  - id: amnesty-international\n", "  - id: amnesty-international\n\tname: Tabbed\n", 1), encoding="utf-8")
    assert refused(workdir, previous_db) == [
        f"claims/agents.yml:{tab_line}: YAML syntax error: a tab character, where YAML allows only spaces — indent with spaces",
        *(f"claims/bomb.yml:{line}: YAML aliases (*name) are not allowed in claim files — write the value out in full" for line in range(2, 10)),
        f"claims/huge.yml:1: the file is {MAX_FILE_BYTES + 4:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for a file in claims/ — "
        "keep only what belongs in it (README: Limits), or raise MAX_FILE_BYTES in claimsdb/files.py",
        "claims/latin.yml:1: not UTF-8 (byte 0xe9 cannot be decoded) — save the file as UTF-8",
        "claims/nested.yml:1: the YAML is nested more than 64 levels deep — claim files need about five levels: remove the extra nesting",
        "claims/probe.yml:7: `archive`: '../../etc/passwd' points outside claims/sources/ — archive the text as "
        "claims/sources/<source-id>.txt and write `archive: sources/<source-id>.txt`",
        "claims/probe.yml:17: `low` is -5, but it cannot be less than 0 — give 0 or more",
    ]


def test_an_output_path_that_cannot_be_written_gives_one_line(workdir, claimsdb):
    result = claimsdb("build", "--db", "missing/claims.db")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == (
        "missing/claims.db:1: cannot be written (unable to open database file) — "
        "check that its directory exists and is writable\n"
        "1 problem(s); nothing was built.\n"
    )


# Shapes and references the model alone cannot refuse ---------------------------------


def test_claims_that_are_not_a_list_stop_a_real_build(probe, workdir, previous_db):
    probe(text=PROBE_TEXT[:PROBE_TEXT.index("claims:\n")] + "claims: probe-figure\n")
    assert refused(workdir, previous_db) == ["claims/probe.yml:9: `claims` should be a list (items starting with '- ') — write each claim as a list item"]


def test_a_relation_declared_on_both_claims_stops_a_real_build(probe, workdir, previous_db):
    probe(RELATE_TO_PERIOD, ("    quote: allegedly executed between July and September 1988\n",
                             "    quote: allegedly executed between July and September 1988\n    relations:\n      - relation: corroborates\n"
                             "        claim: probe-figure\n        rationale: The probe relates its period to its figure as well.\n"))
    assert refused(workdir, previous_db) == [
        "claims/probe.yml:35: the relation between `probe-period` and `probe-figure` is declared twice (also at claims/probe.yml:21) — declare it once, on one of the two claims"
    ]


def test_an_agent_affiliated_with_itself_stops_a_real_build(workdir, previous_db):
    agents = workdir / "claims" / "agents.yml"
    text = agents.read_text(encoding="utf-8")
    # arabnews-today's affiliation with pmoi-mek, made one with itself.
    affiliation = "  - id: arabnews-today\n"
    at = text.index("      - agent: pmoi-mek\n", text.index(affiliation))
    assert text.index("  - id: ", text.index(affiliation) + 1) > at
    agents.write_text(text[:at] + "      - agent: arabnews-today\n" + text[at + len("      - agent: pmoi-mek\n"):], encoding="utf-8")
    line = text[:at].count("\n") + 1
    assert refused(workdir, previous_db) == [f"claims/agents.yml:{line}: agent `arabnews-today` is affiliated with itself — name another agent"]


def test_a_build_without_a_claims_directory_keeps_the_previous_database(workdir, previous_db):
    shutil.rmtree(workdir / "claims")
    build = run_build(workdir)
    assert build.returncode == 1
    assert build.stderr == "claims:1: the claims directory does not exist — run from the project root or pass --claims DIR\n1 problem(s); nothing was built.\n"
    assert sha256(workdir / "claims.db") == previous_db


def test_problems_are_reported_once_each_in_file_line_and_message_order(capsys):
    import random

    from claimsdb.cli import report
    from claimsdb.problems import Deferred, Problem

    problems = [Problem(f"claims/{n % 7}.yml", n % 13, f"message {n % 5}", "fix it") for n in range(2_500)]
    problems += [Deferred("claims/0.yml", 0, "{} {}", ("message", 0), "fix it", warning=False),  # the same as a Problem above
                 Deferred("claims/0.yml", 0, "deferred {}", ("words",), "fix it")]
    random.Random(1988).shuffle(problems)
    report(problems)
    expected = sorted({(p.path, p.line, p.message): str(Problem(p.path, p.line, p.message, p.fix, p.warning)) for p in problems}.items())
    assert capsys.readouterr().err == "".join(line + "\n" for _, line in expected)
    assert len(expected) == 7 * 13 * 5 + 1  # each path, line and message once (n % 455), and the deferred words
