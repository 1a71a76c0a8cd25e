"""The README's sections on pages, PDFs, captures, agents and newer captures,
followed as a newcomer follows them: each command as the README writes it,
on real files made here (the README's example article as a saved page, a
PDF, a WARC capture; the seed article revised), gives what the README shows."""

from __future__ import annotations

import re
import shlex

import pytest

from .conftest import EXAMPLE_AGENTS, EXAMPLE_TEXT, PROJECT_ROOT
from .fixtures.make_fixtures import pdf, saved_page, warc

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SECTIONS = README[README.index("### Pages, PDFs and web-archive captures"):README.index("### What the checks catch")]
URL = "https://example.org/2022/05/01/geneva"
SEED = "arabnews-today-2021-09-03-un-workgroup-investigation"


def block(starting: str) -> str:
    bodies = re.findall(r"^```\w*\n(.*?)^```", SECTIONS, re.S | re.M)
    [found] = [body for body in bodies if body.lstrip().startswith(starting)]
    return found


def command(shown: str) -> list[str]:
    first = shown.strip().replace("\\\n", " ").splitlines()[0]
    return shlex.split(first.strip().removeprefix("$ claimsdb "))


def matches(shown: str, output: str) -> None:
    """Each output line the README shows is printed ('…' stands for elided text)."""
    lines = shown.strip().replace("\\\n", " ").splitlines()[1:]
    for line in lines:
        if line.strip() == "…":
            continue
        pattern = ".*".join(re.escape(part) for part in line.split("…"))
        assert re.search(pattern, output), f"the README shows {line!r}, the command printed:\n{output}"


def article_page() -> bytes:
    title, *paragraphs = [line for line in EXAMPLE_TEXT.split("\n") if line.strip()]
    return saved_page(title, paragraphs, url=URL)


@pytest.fixture
def example(workdir):
    with open(workdir / "claims" / "agents.yml", "a", encoding="utf-8") as handle:
        handle.write(EXAMPLE_AGENTS)
    return workdir


def test_a_saved_page_as_the_readme_shows(example, claimsdb):
    (example / "article.html").write_bytes(article_page())
    shown = block("$ claimsdb add-source article.html")
    result = claimsdb(*command(shown))
    assert result.exit_code == 0, result.output
    matches(shown, result.output)
    assert claimsdb("check").exit_code == 0


def test_a_pdf_as_the_readme_shows(example, claimsdb):
    (example / "report.pdf").write_bytes(pdf([["A report on the 1988 executions"], ["Its second page."]]))
    result = claimsdb(*command(block("$ claimsdb add-source report.pdf")))
    assert result.exit_code == 0, result.output
    assert f"pages: [0, {len('A report on the 1988 executions') + 2}]\n" in next(example.glob("claims/example-rights-group-*.yml")).read_text(encoding="utf-8")


def test_a_capture_as_the_readme_shows(example, claimsdb):
    (example / "capture.warc.gz").write_bytes(warc([(URL, "text/html; charset=utf-8", article_page(), "2024-05-01T10:00:02Z")]))
    shown = block("$ claimsdb add-source capture.warc.gz")
    result = claimsdb(*command(shown))
    assert result.exit_code == 0, result.output
    matches(shown, result.output)


def test_add_agent_as_the_readme_shows(example, claimsdb):
    shown = block("$ claimsdb add-agent")
    result = claimsdb(*command(shown))
    assert result.exit_code == 0, result.output
    matches(shown, result.output)


def test_reanchor_as_the_readme_shows(workdir, claimsdb):
    text = (workdir / "claims" / "sources" / f"{SEED}.txt").read_text(encoding="utf-8")
    text = text.replace("Reporting by PMOI/MEK\n", "Reporting by PMOI/MEK\n\nUpdated: this report was revised on 5 September 2021.\n")
    (workdir / "revised.txt").write_text(text.replace("political prisoners in the span", "political detainees in the span"), encoding="utf-8")
    shown = block("$ claimsdb reanchor")
    result = claimsdb(*command(shown))
    assert result.exit_code == 0, result.output
    matches(shown, result.output)
