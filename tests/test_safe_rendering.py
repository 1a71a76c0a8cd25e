"""Everything that comes from a claim file renders as text.

A private copy of claims/ gets a new source whose archive, quotes, agent
names, source title, address, statements, notes, rationales, measure and
subject carry markup and script; it is built with the real command line and
served by the real Datasette with the project's templates and plugins. No
page may hold an element, an event handler or a javascript: link that came
from the data, and the data must be readable on the page as the text it is.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import sqlite3
from html.parser import HTMLParser

import pytest
import yaml

from claimsdb.instance import make_datasette

from .conftest import PROJECT_ROOT

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
JAVASCRIPT = "javascript:alert(1)"
SOURCE = "hostile-source"

ARCHIVE = (
    f"A page that quotes markup\n\n"
    f"The speaker wrote {SCRIPT} and said around 5,000 people were executed.\n\n"
    f"Another line reads {IMAGE} in 12 places.\n\n"
    f"A link to {JAVASCRIPT} is called harmless.\n"
)
CLAIMS = [
    {
        "id": "hostile-around-5000", "kind": "quantity", "subject": "executions-1988", "measure": "people-executed-1988",
        "speaker": "hostile-speaker", "mode": "quoted", "value": "around 5,000",
        "statement": f"The outlet quotes {SCRIPT} {IMAGE} as saying around 5,000 people were executed.",
        "quote": f"{SCRIPT} and said around 5,000 people were executed",
        "note": f"Note {IMAGE} {JAVASCRIPT}",
        "relations": [{"relation": "contradicts", "claim": "inu-executed-around-30000", "rationale": f"Rationale {SCRIPT} {IMAGE}"}],
    },
    {
        "id": "hostile-12-places", "kind": "quantity", "subject": "hostile-subject", "measure": "hostile-measure",
        "speaker": "hostile-speaker", "mode": "quoted", "value": "12",
        "statement": f"The outlet quotes {IMAGE} as giving 12 places.", "quote": f"{IMAGE} in 12 places",
        "hedges": [IMAGE],
    },
    {
        "id": "hostile-javascript-harmless", "kind": "characterisation", "subject": "hostile-subject",
        "speaker": "hostile-outlet", "mode": "own-voice", "label": f"label {SCRIPT}", "modality": "is",
        "statement": f"The outlet calls {JAVASCRIPT} harmless.", "quote": f"{JAVASCRIPT} is called harmless",
    },
]


def add_to(path, key: str, entry: dict) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[key].append(entry)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def hostile_db(workdir, claimsdb):
    claims = workdir / "claims"
    add_to(claims / "agents.yml", "agents", {
        "id": "hostile-speaker", "name": f"Speaker {SCRIPT} {IMAGE}", "kind": "person", "description": f"Described {SCRIPT}",
        "aliases": [IMAGE], "affiliations": [{"agent": "hostile-outlet", "role": f"role {IMAGE}", "note": f"note {SCRIPT}"}],
    })
    add_to(claims / "agents.yml", "agents", {"id": "hostile-outlet", "name": f"Outlet {IMAGE}", "kind": "media-outlet"})
    add_to(claims / "subjects.yml", "subjects", {"id": "hostile-subject", "name": f"Subject {SCRIPT}", "kind": "topic"})
    add_to(claims / "measures.yml", "measures", {"id": "hostile-measure", "name": f"Measure {SCRIPT}", "unit": f"unit {IMAGE}"})
    archive = claims / "sources" / f"{SOURCE}.txt"
    archive.write_text(ARCHIVE, encoding="utf-8")
    (claims / f"{SOURCE}.yml").write_text(yaml.safe_dump({
        "id": SOURCE, "title": f"Title {SCRIPT} {IMAGE}", "url": f'https://example.org/{SCRIPT}?"><img/src=x/onerror=alert(1)>&next={JAVASCRIPT}',
        "publisher": "hostile-outlet", "credited_to": "hostile-speaker", "published_note": f"Unknown {SCRIPT}", "language": "en",
        "archive": f"sources/{SOURCE}.txt", "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(), "claims": CLAIMS,
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = claimsdb("build")
    assert result.exit_code == 0, result.output
    return workdir / "claims.db"


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def assert_renders_as_text(html: str, path: str, shown: list[str]) -> None:
    page = Page(html)
    for tag, attrs in page.elements:
        assert tag != "img", f"{path}: an <img> element: {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{path}: <{tag} {name}={value!r}>"
            if name in ("href", "src", "action", "formaction", "xlink:href", "cite"):
                assert not "".join(value.split()).lower().startswith("javascript:"), f"{path}: <{tag} {name}={value!r}>"
    for script in page.scripts:
        assert "alert(1)" not in script, f"{path}: data inside a <script>: {script[:200]!r}"
    text = "".join(page.text)
    for value in shown:
        assert value in text, f"{path}: {value!r} is not shown as text"


def get(ds, path: str) -> str:
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, f"GET {path} -> {response.status_code}"
    return response.text


PAGES = {
    # path: what the page must show as text
    "/claims/claims/hostile-around-5000": [SCRIPT, IMAGE, JAVASCRIPT, "Speaker " + SCRIPT, "Outlet " + IMAGE, f"Rationale {SCRIPT} {IMAGE}", f"role {IMAGE}", f"Title {SCRIPT} {IMAGE}"],
    "/claims/claims/hostile-12-places": [f"{IMAGE} in 12 places", f"Measure {SCRIPT}", f"Subject {SCRIPT}"],
    "/claims/claims/hostile-javascript-harmless": [f"{JAVASCRIPT} is called harmless", f"label {SCRIPT}"],
    "/claims/claims/inu-executed-around-30000": [f"Rationale {SCRIPT} {IMAGE}", f"{SCRIPT} and said around 5,000 people were executed"],
    f"/claims/sources/{SOURCE}": [f"Title {SCRIPT} {IMAGE}", f"The speaker wrote {SCRIPT} and said", IMAGE, JAVASCRIPT, f"Unknown {SCRIPT}", f"https://example.org/{SCRIPT}"],
    "/claims/sources/irannewsupdate-2021-officials-yet-to-face-accountability": ["hostile-around-5000"],
    "/claims/measures/people-executed-1988": [f"Speaker {SCRIPT} {IMAGE}", f"Title {SCRIPT} {IMAGE}"],
    "/claims/measures/hostile-measure": [f"Measure {SCRIPT}", f"unit {IMAGE}"],
    "/claims/agents/hostile-speaker": [f"Speaker {SCRIPT} {IMAGE}"],
    "/claims/claims?_size=max": [f"{SCRIPT} and said around 5,000 people were executed"],
    "/claims/sources": [f"Title {SCRIPT} {IMAGE}"],
    "/claims/agents": [f"Speaker {SCRIPT} {IMAGE}"],
    "/claims/agent_affiliations": [f"role {IMAGE}"],
    "/claims/measures": [f"Measure {SCRIPT}"],
    "/claims/subjects": [f"Subject {SCRIPT}"],
    "/claims/relations": [f"Rationale {SCRIPT} {IMAGE}"],
    "/claims/estimates?_size=max": [f"Speaker {SCRIPT} {IMAGE}"],
    "/claims/conflicts?_size=max": [f"Speaker {SCRIPT} {IMAGE}"],
    "/claims/claims_with_provenance?_size=max": [f"Title {SCRIPT} {IMAGE}"],
}


def test_data_with_markup_renders_as_text_on_every_page(hostile_db):
    ds = make_datasette(hostile_db, PROJECT_ROOT)
    for path, shown in PAGES.items():
        assert_renders_as_text(get(ds, path), path, shown)


def test_the_hostile_figure_is_charted_with_the_others(hostile_db):
    ds = make_datasette(hostile_db, PROJECT_ROOT)
    page = Page(get(ds, "/claims/measures/people-executed-1988"))
    bars = [attrs["data-claim"] for tag, attrs in page.elements if tag == "g" and "bar" in attrs.get("class", "").split()]
    assert "hostile-around-5000" in bars and len(bars) == 5


def test_an_address_that_is_not_http_is_never_a_link(hostile_db, tmp_path):
    """The model accepts only http(s) addresses; a database edited by hand
    must still not turn another scheme into a link."""
    edited = tmp_path / "edited" / "claims.db"
    edited.parent.mkdir()
    shutil.copy(hostile_db, edited)
    with sqlite3.connect(edited) as conn:
        conn.execute("update sources set url = ? where id = ?", (f" {JAVASCRIPT}", SOURCE))
    ds = make_datasette(edited, PROJECT_ROOT)
    for path in (f"/claims/sources/{SOURCE}", "/claims/claims/hostile-around-5000", "/claims/sources", "/claims/claims_with_provenance?_size=max"):
        assert_renders_as_text(get(ds, path), path, [JAVASCRIPT])
