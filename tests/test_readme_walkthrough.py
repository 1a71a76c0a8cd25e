"""The README's walkthrough, followed as a new user follows it: its article,
its commands and its YAML, taken from README.md itself, give the outputs the
README shows, and end in verified claims with their conflict and full
coverage."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import EXAMPLE_TEXT, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
WALKTHROUGH = README[README.index("## Adding a source and its claims"):README.index("### Writing the database back")]
SOURCE_ID = "example-outlet-2022-05-01-rights-groups-meet-geneva-1988-executions"


def block(starting: str) -> str:
    """The README code block whose first line starts with ``starting``."""
    # A block inside a list item is indented as its fence is.
    bodies = ["".join(line[len(indent):] for line in body.splitlines(keepends=True))
              for indent, body in re.findall(r"^( *)```\w*\n(.*?)^ *```", WALKTHROUGH, re.S | re.M)]
    [found] = [body for body in bodies if body.lstrip().startswith(starting)]
    return found


def command(shown: str) -> list[str]:
    """The arguments of the first `$ claimsdb …` command of a block."""
    lines = shown.strip().replace("\\\n", " ").splitlines()
    return shlex.split(lines[0].strip().removeprefix("$ claimsdb "))


def matches(shown: str, output: str) -> None:
    """Each line the README shows is in the output ('…' stands for elided text)."""
    for line in shown.strip().splitlines()[1:]:
        if line.strip() in ("…", "# …"):
            continue
        pattern = ".*".join(re.escape(part) for part in line.split("…"))
        assert re.search(pattern, output), f"the README shows {line!r}, the command printed:\n{output}"


@pytest.fixture
def walkthrough(workdir, claimsdb):
    (workdir / "article.txt").write_text(block("Rights groups meet"), encoding="utf-8")
    with open(workdir / "claims" / "agents.yml", "a", encoding="utf-8") as handle:
        handle.write("\n" + block("- id: example-outlet"))
    return workdir


def test_the_readme_article_is_the_one_the_tests_use():
    assert block("Rights groups meet") == EXAMPLE_TEXT


def test_following_the_readme_gives_what_it_shows(walkthrough, claimsdb):
    claims = walkthrough / "claims"
    result = claimsdb(*command(block("$ claimsdb add-source article.txt --title")))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Archived claims/sources/{SOURCE_ID}.txt (SHA-256 b6156bca")

    errors = block("$ claimsdb add-source article.txt --id x")
    result = claimsdb(*command(errors))
    assert result.exit_code == 1
    matches(errors, result.stderr)

    suggested = block("$ claimsdb suggest")
    result = claimsdb(*command(suggested))
    assert result.exit_code == 0
    matches(suggested, result.output)

    located = block("$ claimsdb locate")
    matches(located, claimsdb(*command(located)).output)

    with open(claims / "subjects.yml", "a", encoding="utf-8") as handle:
        handle.write("\n" + block("- id: example-geneva-meeting"))
    measures = (claims / "measures.yml").read_text(encoding="utf-8")
    (claims / "measures.yml").write_text(measures.replace("\nvalue_semantics:", "\n" + block("- id: example-meeting-attendance") + "\nvalue_semantics:", 1), encoding="utf-8")
    path = claims / f"{SOURCE_ID}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("claims: []\n", block("not_claims:")), encoding="utf-8")

    result = claimsdb("check")
    assert result.exit_code == 0, result.output
    matches("\n" + block(f"claims/example-outlet-….yml:26: warning"), result.stderr)

    declared = path.read_text(encoding="utf-8").replace('    value: "25"\n', '    value: "25"\n' + block("relations:"), 1)
    path.write_text(declared, encoding="utf-8")
    result = claimsdb("check")
    assert result.output == "claims: 3 source(s), 100 claim(s), 19 figure(s), 30 relation(s), no problems.\n"

    covered = block("$ claimsdb coverage")
    result = claimsdb(*command(covered))
    assert result.exit_code == 0
    matches(covered, result.output)
    assert claimsdb("build").exit_code == 0
