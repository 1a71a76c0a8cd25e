"""`claimsdb locate`: every place words occur in an archive, exactly or with
typography and case folded, and the text to paste into `quote:`, which the
check then accepts."""

from __future__ import annotations

from .test_checks import PROBE_TEXT, problems  # noqa: F401 - the probe fixture below
from .test_checks import probe  # noqa: F401

ANT = "arabnews-today-2021-09-03-un-workgroup-investigation"
INU = "irannewsupdate-2021-officials-yet-to-face-accountability"


def test_an_exact_match_shows_its_line_context_and_quote(workdir, claimsdb):
    result = claimsdb("locate", INU, "at least 36 cities")
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"claims/sources/{INU}.txt: 1 place(s), matched exactly:\n"
        "\n"
        f"claims/sources/{INU}.txt:13:\n"
        "  …has identified similar gravesites in »at least 36 cities«, but neither the UN Human Rights…\n"
        '  quote: "at least 36 cities"\n'
    )


def test_words_that_occur_more_than_once_are_numbered(workdir, claimsdb):
    result = claimsdb("locate", f"claims/{INU}.yml", "the summer of 1988")
    assert result.exit_code == 0, result.output
    assert result.output.count("quote: \"the summer of 1988\"") == 2
    assert "  occurrence: 1\n" in result.output and "  occurrence: 2\n" in result.output
    assert f"claims/sources/{INU}.txt:15:" in result.output and f"claims/sources/{INU}.txt:17:" in result.output


def test_typography_and_case_are_folded_when_nothing_matches_exactly(workdir, claimsdb):
    # The archive has a no-break space before "Ebrahim" and a curly apostrophe in "regime’s".
    result = claimsdb("locate", ANT, "massacre was ebrahim raisi, who now serves as the REGIME'S president")
    assert result.exit_code == 0, result.output
    assert f"claims/sources/{ANT}.txt: 1 place(s), matched only with typography and case folded:" in result.output
    assert '  quote: "massacre was\\u00a0Ebrahim Raisi, who now serves as the regime’s president"\n' in result.output


def test_the_printed_quote_passes_the_check(probe, workdir, claimsdb):  # noqa: F811
    result = claimsdb("locate", "probe", "massacre was ebrahim raisi")
    assert "matched only with typography and case folded" in result.output
    pasted = next(line.strip() for line in result.output.splitlines() if line.strip().startswith("quote: "))
    probe(("quote: executed more than 30,000 political prisoners", pasted),
          ("value: more than 30,000", "value: '1'"))
    check = claimsdb("check")
    assert check.exit_code == 0, check.output


def test_words_that_do_not_occur(workdir, claimsdb):
    result = claimsdb("locate", INU, "fewer than ten")
    assert result.exit_code == 1
    assert result.stderr == (
        f"claims/sources/{INU}.txt:1: 'fewer than ten' does not occur, even with typography, letter forms and case folded — check the words, or locate a shorter part of them\n"
        "1 problem(s); nothing found.\n"
    )


def test_an_unknown_source(workdir, claimsdb):
    result = claimsdb("locate", "no-such-source", "words")
    assert result.exit_code == 1
    assert result.stderr == (
        f"claims/no-such-source.yml:1: no source `no-such-source` in claims — name a source by its id (sources: {ANT}, {INU})\n"
        "1 problem(s); nothing to show.\n"
    )


def test_a_source_whose_archive_is_missing(workdir, claimsdb):
    (workdir / "claims" / "sources" / f"{INU}.txt").unlink()
    result = claimsdb("locate", INU, "words")
    assert result.exit_code == 1
    assert result.stderr == (
        f"claims/{INU}.yml:9: archive sources/{INU}.txt does not exist — copy the source text to claims/sources/{INU}.txt\n"
        "1 problem(s); nothing to show.\n"
    )


def test_a_source_file_that_names_no_archive(workdir, claimsdb):
    path = workdir / "claims" / f"{INU}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(f"archive: sources/{INU}.txt\n", ""), encoding="utf-8")
    result = claimsdb("locate", INU, "words")
    assert result.exit_code == 1
    # No `archive:` line to point at: the line of the file's first key.
    assert result.stderr == (
        f"claims/{INU}.yml:2: the source file names no archive — add `archive: sources/<id>.txt`\n"
        "1 problem(s); nothing to show.\n"
    )


def test_blank_words_are_refused(workdir, claimsdb):
    result = claimsdb("locate", INU, "   ")
    assert result.exit_code == 1
    assert result.stderr == (
        f"claims/sources/{INU}.txt:1: no words to locate — give the words to look for, in quotes\n"
        "1 problem(s); nothing to show.\n"
    )
