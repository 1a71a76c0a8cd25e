"""Originals to working text: a saved web page, a PDF or a web-archive
capture (WARC, WACZ) becomes the text that quotes are anchored in.

Each format has one extractor, a well-kept library made for it: trafilatura
for the main text of a page (no navigation, cookie banners, related posts or
footers), pypdfium2 for the text of each page of a PDF, warcio for the
response record of a capture's target address (whose payload is then a page
or a PDF). The extractor's name and version are recorded with the source, so
``claimsdb verify-sources`` can tell whether the recorded text is still what
the original yields. The options below are fixed: the same original and the
same library versions always give the same text.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

# What add-source accepts, by file name ending, and the format it means.
FORMATS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".pdf": "pdf",
    ".warc": "warc", ".warc.gz": "warc",
    ".wacz": "wacz",
}
EXTENSIONS = sorted(FORMATS, key=len, reverse=True)

# A working text shorter than this share of all the text of its original
# (navigation and footers included) may be cut off: an article is usually
# well over half of its page's text, rarely under a fifth.
SHORT_SHARE = 0.2
# A text that ends otherwise than with one of these may be cut off mid-sentence.
SENTENCE_ENDS = ".!?…\"”’'»)]:;"


class ExtractionFailed(Exception):
    """Why an original gives no working text, and what to do: the two halves of a problem line."""

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what = what
        self.fix = fix


@dataclass
class Extraction:
    """The working text of an original, and what the extraction learnt."""

    text: str  # LF line ends, ends with one newline
    format: str  # html, pdf, warc or wacz
    extractor: str  # 'trafilatura 2.3.1', 'warcio 1.8.1, trafilatura 2.3.1'
    original_characters: int  # all the text the original holds, for the cut-off check
    pages: list[int] | None = None  # PDF: where each page starts in text (code points)
    title: str | None = None  # the title the document gives itself
    url: str | None = None  # the page's own address (canonical link) or the capture's target
    retrieved: str | None = None  # capture: the date of the response record (YYYY-MM-DD)
    notes: list[str] = field(default_factory=list)  # where metadata came from, for the editor


def format_of(name: str) -> str | None:
    """The format a file name says, or None for plain text."""
    lowered = name.lower()
    for extension in EXTENSIONS:
        if lowered.endswith(extension):
            return FORMATS[extension]
    return None


def extension_of(name: str) -> str:
    lowered = name.lower()
    return next((e for e in EXTENSIONS if lowered.endswith(e)), "")


def version(package: str) -> str:
    return f"{package} {importlib.metadata.version(package)}"


def normalise(text: str) -> str:
    """LF line ends, no trailing spaces on a line, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
    return text + "\n" if text else ""


# Pages ------------------------------------------------------------------------


def page_text(data: bytes) -> tuple[str, str | None, str | None, int]:
    """(main text, title, own address, characters of all text) of a page."""
    import lxml.html
    import trafilatura

    document = trafilatura.bare_extraction(
        data, include_comments=False, include_tables=True, include_images=False, include_links=False,
        favor_precision=True, deduplicate=False, with_metadata=True,
    )
    if document is None or not (document.text or "").strip():
        raise ExtractionFailed("trafilatura finds no main text in the page",
                               "check that the file is the saved article page (not a login wall or an empty shell), or save the page's text as .txt and add that")
    body = document.text
    title = (document.title or "").strip() or None
    if title and not body.lstrip().startswith(title):
        body = f"{title}\n{body}"
    try:
        tree = lxml.html.fromstring(data)
        for element in tree.xpath("//script|//style|//noscript|//template"):
            element.drop_tree()
        everything = len(" ".join(tree.text_content().split()))
    except (ValueError, lxml.etree.ParserError):
        everything = len(body)
    return normalise(body), title, document.url, everything


# PDFs -------------------------------------------------------------------------


def pdf_text(data: bytes) -> tuple[str, list[int], str | None]:
    """(text of every page, where each page starts, title) of a PDF. Pages are
    separated by one blank line."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise ExtractionFailed(f"pypdfium2 cannot open the PDF ({error})", "check that the file is a complete PDF, not a truncated download or a password-protected one") from error
    try:
        pieces, starts, length = [], [], 0
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            # PDFium marks a soft hyphen at a line end with U+FFFE or U+0002.
            text = normalise(textpage.get_text_range().replace("\ufffe", "").replace("\x02", "")) or "\n"
            textpage.close()
            page.close()
            if pieces:
                pieces.append("\n")
                length += 1
            starts.append(length)
            pieces.append(text)
            length += len(text)
        title = (document.get_metadata_dict().get("Title") or "").strip() or None
    finally:
        document.close()
    text = "".join(pieces)
    if not text.strip():
        raise ExtractionFailed("the PDF has no text layer (a scan?)", "add a PDF with a text layer (run OCR on it, e.g. with ocrmypdf) or a transcription as .txt")
    return text, starts, title


# Captures ---------------------------------------------------------------------


@dataclass
class Response:
    url: str
    date: str  # WARC-Date
    content_type: str
    status: str
    payload: bytes


def warc_responses(stream) -> list[Response]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = []
    try:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            headers = record.http_headers
            found.append(Response(
                url=record.rec_headers.get_header("WARC-Target-URI") or "",
                date=record.rec_headers.get_header("WARC-Date") or "",
                content_type=(headers.get_header("Content-Type") or "") if headers else "",
                status=headers.get_statuscode() if headers else "",
                payload=record.content_stream().read(),
            ))
    except ArchiveLoadFailed as error:
        raise ExtractionFailed(f"warcio cannot read the capture ({error})", "check that the file is a complete WARC") from error
    return found


def wacz_responses(data: bytes) -> tuple[list[Response], str | None]:
    """The responses of every WARC in a WACZ, and the first page it lists."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ExtractionFailed("the WACZ is not a ZIP file", "check that the file is a complete WACZ") from error
    names = archive.namelist()
    target = None
    if "pages/pages.jsonl" in names:
        for line in archive.read("pages/pages.jsonl").decode("utf-8", "replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get("url"):
                target = entry["url"]
                break
    responses = []
    for name in sorted(n for n in names if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))):
        responses += warc_responses(io.BytesIO(archive.read(name)))
    return responses, target


def same_address(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def target_response(responses: list[Response], target: str | None) -> Response:
    if not responses:
        raise ExtractionFailed("the capture holds no response record", "capture the page again (the file has only requests or metadata)")
    documents = [r for r in responses if r.status.startswith("2") and re.match(r"(text/html|application/xhtml|application/pdf)", r.content_type)]
    if target:
        chosen = [r for r in responses if same_address(r.url, target)]
        if not chosen:
            shown = ", ".join(r.url for r in documents[:3]) or ", ".join(r.url for r in responses[:3])
            raise ExtractionFailed(f"the capture holds no response for {target}", f"give --url as one of the captured addresses ({shown})")
        if not chosen[0].status.startswith("2"):
            raise ExtractionFailed(f"the capture's response for {target} has HTTP status {chosen[0].status}", "give --url as the address the document was finally served from")
        return chosen[0]
    if not documents:
        raise ExtractionFailed("the capture holds no page or PDF answered with HTTP 2xx", "capture the document again, or give --url as the captured address to use")
    return documents[0]


def capture_text(data: bytes, format: str, target: str | None) -> Extraction:
    if format == "wacz":
        responses, listed = wacz_responses(data)
        target = target or listed
    else:
        stream = io.BytesIO(data)
        responses = warc_responses(stream)
    response = target_response(responses, target)
    inner = "pdf" if response.content_type.startswith("application/pdf") else "html"
    extraction = extract(response.payload, inner)
    extraction.format = format
    extraction.extractor = f"{version('warcio')}, {extraction.extractor}"
    extraction.url = response.url
    extraction.retrieved = response.date[:10] if re.match(r"\d{4}-\d{2}-\d{2}", response.date) else None
    extraction.notes.append(f"the capture's response record for {response.url} ({response.content_type or 'no content type'}, WARC-Date {response.date or 'none'})")
    return extraction


# All formats ------------------------------------------------------------------


def extract(data: bytes, format: str, target: str | None = None) -> Extraction:
    """The working text of an original in ``format`` (html, pdf, warc, wacz);
    ``target``: the address whose response a capture is read from."""
    if format == "html":
        text, title, url, everything = page_text(data)
        return Extraction(text, "html", version("trafilatura"), everything, title=title, url=url)
    if format == "pdf":
        if not data.startswith(b"%PDF-"):
            raise ExtractionFailed("the file does not start with %PDF-, so it is not a PDF", "give the PDF itself (a .pdf saved from a browser's viewer may be an HTML page)")
        text, starts, title = pdf_text(data)
        return Extraction(text, "pdf", version("pypdfium2"), len(text), pages=starts, title=title)
    if format in ("warc", "wacz"):
        return capture_text(data, format, target)
    raise ValueError(f"unknown format {format!r}")


def installed_extractor(format: str, recorded: str) -> str:
    """The extractor this installation would record for an original of ``format``
    (``recorded`` tells a capture of a PDF from a capture of a page)."""
    if format == "html":
        return version("trafilatura")
    if format == "pdf":
        return version("pypdfium2")
    inner = version("pypdfium2") if "pypdfium2" in recorded else version("trafilatura")
    return f"{version('warcio')}, {inner}"


def cut_off_warnings(text: str, original_characters: int | None) -> list[str]:
    """Why a working text may not be the whole document: it ends mid-sentence,
    or it is much shorter than all the text of its original."""
    warnings = []
    stripped = text.rstrip()
    if stripped and stripped[-1] not in SENTENCE_ENDS:
        last = stripped.rsplit("\n", 1)[-1]
        warnings.append(f"the working text ends mid-sentence (“…{last[-40:]}”)")
    if original_characters and len(" ".join(text.split())) < SHORT_SHARE * original_characters:
        warnings.append(f"the working text is {len(' '.join(text.split())):,} characters, under {SHORT_SHARE:.0%} of the {original_characters:,} characters of text in the original")
    return warnings


def page_of(starts: list[int], position: int) -> int:
    """The page (1 is the first) that ``position`` of the working text is on."""
    import bisect

    return max(1, bisect.bisect_right(starts, position))


def pages_of(starts: list[int] | None, start: int, end: int) -> str | None:
    """The page or pages a span stands on: '2', or '2-3'."""
    if not starts:
        return None
    first, last = page_of(starts, start), page_of(starts, max(start, end - 1))
    return str(first) if first == last else f"{first}-{last}"


# Verifying ----------------------------------------------------------------------


def first_difference(recorded: str, extracted: str) -> str:
    """Where two texts first differ, as a line number and both versions of the line."""
    import os.path

    common = len(os.path.commonprefix([recorded, extracted]))
    line = recorded.count("\n", 0, common) + 1
    start = recorded.rfind("\n", 0, common) + 1

    def around(text: str) -> str:
        end = text.find("\n", common)
        piece = text[start:end if end != -1 else len(text)]
        return repr(piece if len(piece) <= 60 else piece[:57] + "...") if piece else "nothing"

    return f"first difference at line {line}: archived {around(recorded)}, extracted {around(extracted)}"


def verify_source(claims_dir, source, place, text: str, capture=None, keys: tuple = (), revision_texts: dict | None = None):
    """Problems where the recorded extractor no longer gives the archived text
    (or the page starts) from the original: of the source's current capture,
    and of each earlier one (``revision_texts``: (source id, n) -> text)."""
    from .files import Unreadable, read_original
    from .problems import Problem

    problems = []
    if capture is None and revision_texts is not None:
        for index, revision in enumerate(source.revisions):
            if (source.id, index + 1) in revision_texts:
                problems += verify_source(claims_dir, source, place, revision_texts[(source.id, index + 1)], revision, ("revisions", index))
    capture = capture or source
    if capture.original is None:
        return problems
    shown = f"claims/{capture.original}"
    try:
        data = read_original(claims_dir / capture.original, shown)
        extraction = extract(data, capture.original_format, source.url if capture.original_format in ("warc", "wacz") else None)
    except (Unreadable, ExtractionFailed) as error:
        return problems + [Problem(place.path, place.line_of(*keys, "original"), error.what, error.fix)]
    installed = extraction.extractor
    versions = "" if installed == capture.extractor else f" (recorded: {capture.extractor}; installed: {installed})"
    fix = ("install the recorded version to check again" if versions else "find what changed in the original or the extractor") + \
        f", or archive the new text as a revision with `claimsdb reanchor {source.id} {shown}`"
    if extraction.text != text:
        problems.append(Problem(place.path, place.line_of(*keys, "sha256"),
                                f"{capture.archive} is not what {installed} extracts from {capture.original}{versions}: {first_difference(text, extraction.text)}", fix))
    elif extraction.pages != capture.pages:
        problems.append(Problem(place.path, place.line_of(*keys, "pages") if capture.pages else place.line_of(*keys, "original"),
                                f"the page starts {capture.pages} are not those {installed} finds in {capture.original} ({extraction.pages}){versions}", fix))
    return problems
