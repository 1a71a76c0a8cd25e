"""Grow the live corpus as an editor would, to check that the tests hold for
any valid corpus: three made-up sources with ten quantity claims each (they
contradict one another and the seed figures; nothing declared), added with
`claimsdb add-source` and then typed into their source files.

    d=$(mktemp -d) && git clone -q . "$d" && cd "$d" && make .venv/bin/claimsdb
    .venv/bin/python bench/grow_corpus.py && make test

Run it in a scratch clone only: it writes to claims/ of the current directory."""

from __future__ import annotations

import subprocess
from pathlib import Path

CLAIMSDB = ".venv/bin/claimsdb"
AGENT = """
  - id: trial-outlet-{n}
    name: Trial Outlet {n}
    kind: media-outlet
    description: A made-up outlet of the acceptance trial.
"""
CLAIM = """
  - id: trial-{n}-count-{k}
    kind: quantity
    subject: executions-1988
    speaker: trial-outlet-{n}
    mode: own-voice
    statement: Trial Outlet {n} states in its own voice that {figure:,} people were executed.
    quote: "counted {figure:,} executions in report {k}"
    measure: people-executed-1988
    value: "{figure:,}"
"""


def add_source(n: int) -> Path:
    with open("claims/agents.yml", "a", encoding="utf-8") as handle:
        handle.write(AGENT.format(n=n))
    figures = [12_000 + 1_000 * n * k for k in range(1, 11)]
    sentences = [f"Trial Outlet {n} counted {figure:,} executions in report {k}." for k, figure in enumerate(figures, 1)]
    Path(f"trial{n}.txt").write_text(f"Trial report {n}\n\n" + "\n".join(sentences) + "\n", encoding="utf-8")
    subprocess.run([CLAIMSDB, "add-source", f"trial{n}.txt", "--title", f"Trial report {n}", "--url", f"https://example.org/trial/{n}",
                    "--publisher", f"trial-outlet-{n}", "--published", f"2022-0{n}-01", "--language", "en"], check=True)
    [path] = Path("claims").glob(f"trial-outlet-{n}-*.yml")
    text = path.read_text(encoding="utf-8").replace("claims: []", "claims:")
    claims = "".join(CLAIM.format(n=n, k=k, figure=figure) for k, figure in enumerate(figures, 1))
    path.write_text(text.rstrip("\n") + "\n" + claims, encoding="utf-8")
    return path


if __name__ == "__main__":
    for n in (1, 2, 3):
        print(add_source(n))
