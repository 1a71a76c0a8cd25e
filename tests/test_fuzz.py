"""The real claim files, mutated at random (fields deleted, duplicated,
retyped and garbled, the file cut anywhere, control characters and invalid
UTF-8 inserted): the build either succeeds, or reports every problem as one
clean `path:line: what — what to do` line and exits 1 with the previous
claims.db byte for byte as it was. Never a traceback, never a half-written
database, never a temporary file left behind."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from claimsdb.cli import cli

from .conftest import CLAIMS_DIR

FILES = sorted(path.name for path in CLAIMS_DIR.glob("*.yml"))
ORIGINALS = {name: (CLAIMS_DIR / name).read_text(encoding="utf-8") for name in FILES}

PROBLEM_LINE = re.compile(r"^claims/[^\s:]+\.yml:[1-9]\d*: (warning: )?\S.* — \S.*$")
SUMMARY_LINE = re.compile(r"^\d+ problem\(s\); nothing was built\.$")
FIELD_LINE = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w-]*):( .*)?$")

# Values of every YAML type, and values the model must refuse.
RETYPED = [
    "123", "-5", "0", "1.5", "1e400", ".inf", "-.inf", ".nan", "true", "no", "null", "~", '""', "''",
    "[a, b]", "[]", "{a: 1}", "{}", '"1988-02-30"', "1988-02-30", "2021-13", "-1", "0x1F", "1_000",
    "&anchor value", "*anchor", "!!binary aGVsbG8=", "!!python/object/apply:os.system [echo]", "!!timestamp 2001-01-01",
    '"\\ud800"', '"\\x00"', "|\n      a block", ">-\n      folded", "'unterminated", '"unterminated', "[unclosed", "{unclosed",
    "../../etc/passwd", "sources/../../../etc/passwd", "/etc/passwd", "x" * 300,
]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x80", "\x85", "\x9f", "\r", "\t", "\ufeff", "\u2028", "\ufffe"]


@st.composite
def mutated_file(draw) -> tuple[str, bytes]:
    """One claim file with one to four mutations applied."""
    name = draw(st.sampled_from(FILES))
    lines = ORIGINALS[name].splitlines(keepends=True)
    invalid_utf8_at = None
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["delete", "duplicate", "retype", "garble", "cut", "control", "invalid-utf8", "move"]))
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(index))
        elif operation == "retype":
            match = FIELD_LINE.match(line.rstrip("\n"))
            if match:
                value = draw(st.sampled_from(RETYPED) | st.text(max_size=12))
                lines[index] = f"{match[1]}{match[2]}: {value}\n"
        elif operation == "garble":
            start = draw(st.integers(0, len(line)))
            end = draw(st.integers(start, len(line)))
            lines[index] = line[:start] + draw(st.text(max_size=12)) + line[end:]
        elif operation == "cut":
            text = "".join(lines)
            lines = [text[: draw(st.integers(0, len(text)))]]
        elif operation == "control":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(CONTROL)) + line[at:]
        elif operation == "invalid-utf8":
            invalid_utf8_at = draw(st.integers(0, len("".join(lines))))
    data = "".join(lines).encode("utf-8")
    if invalid_utf8_at is not None:
        data = data[:invalid_utf8_at] + b"\xff\xfe" + data[invalid_utf8_at:]
    return name, data


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    """A copy of claims/ with a previous build beside it."""
    directory = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CLAIMS_DIR, directory / "claims")
    with contextlib.chdir(directory):
        assert CliRunner().invoke(cli, ["build"]).exit_code == 0
    return directory


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@settings(max_examples=200, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutation=mutated_file())
def test_a_mutated_claim_file_builds_or_gives_clean_problem_lines(fuzz_dir, mutation):
    name, data = mutation
    db = fuzz_dir / "claims.db"
    before = sha256(db)
    (fuzz_dir / "claims" / name).write_bytes(data)
    try:
        with contextlib.chdir(fuzz_dir):
            result = CliRunner().invoke(cli, ["build"])
    finally:
        (fuzz_dir / "claims" / name).write_text(ORIGINALS[name], encoding="utf-8")
    event(f"{name}: exit status {result.exit_code}")
    assert result.exit_code in (0, 1), result.exc_info
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    stderr = result.stderr.splitlines()
    assert [line for line in stderr if not PROBLEM_LINE.match(line) and not SUMMARY_LINE.match(line)] == []
    assert [path.name for path in fuzz_dir.iterdir() if path.name.startswith(".claims.db.")] == []
    if result.exit_code == 1:
        assert SUMMARY_LINE.match(stderr[-1])
        assert len(stderr) >= 2
        assert sha256(db) == before
    else:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            assert conn.execute("select count(*) from claims").fetchone()[0] > 0
