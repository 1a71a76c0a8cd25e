"""Nothing a reader sends makes the instance answer 500.

The instance is read-only, so it answers GET and HEAD and nothing else: any
other method gets 405 with a sentence before Datasette sees it (a POST to a
table or a canned query would otherwise fail inside Datasette). Every response
carries ``X-Content-Type-Options: nosniff``, so a CSV or JSON answer is never
sniffed into HTML by a browser. An empty or unreadable ``?_search=`` (nothing
but quotes, spaces) means no search rather than an FTS syntax error. Datasette
0.65 raises a few errors about request parameters as 500 (a sort by a column
that does not exist, ``_through=`` that is not JSON); they are answered here
as the reader's 400, with what to do.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.handle_exception import handle_exception as default_handle_exception
from datasette.utils import escape_fts
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError

READ_METHODS = ("GET", "HEAD")
READ_ONLY = (
    "This instance is read-only: it answers GET and HEAD requests only. "
    "Read the data with a link, a search or the SQL form; download it to change it.\n"
)

# Datasette's message -> the sentence a reader gets with the 400. Datasette
# 0.65 raises the first three as 500; the others are its terse 400s.
READER_MISTAKES = [
    (re.compile(r"Cannot sort table by (.*)", re.S), "This page cannot be sorted by “{0}”: it has no such sortable column. "
                                                   "Sort with a column heading's menu, or remove _sort from the address."),
    (re.compile(r"Cannot use _sort and _sort_desc at the same time"), "Sort one way: give _sort or _sort_desc, not both."),
    (re.compile(r"Invalid _through.*", re.S), "_through= names no foreign key of this table: give "
                                      "{{\"table\": …, \"column\": …, \"value\": …}} of a table that refers to this one."),
    (re.compile(r"no such column: (?:inner\.)?(.*)", re.S), "There is no column “{0}” here: facet, filter and sort by the "
                                                           "columns this page shows."),
    (re.compile(r"_(no)?col=(.*) - invalid columns", re.S), "There is no column “{1}” here to show or hide: use the columns "
                                                          "this page shows."),
    (re.compile(r"_size must be a positive integer"), "_size= must be a whole number of rows from 1 up, or max."),
    (re.compile(r"_size must be <= (\d+)"), "_size= can ask for at most {0} rows at once: follow the next-page link for more."),
]
NOT_A_PAGE = "Not a page of this table"


def _answer(datasette, request, message: str):
    return default_handle_exception(datasette, request, DatasetteError(message, title=NOT_A_PAGE, status=400))


def _with_header(send):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"]
            message = {**message, "headers": [*headers, (b"x-content-type-options", b"nosniff")]}
        await send(message)

    return wrapped


def _without_empty_search(query_string: bytes) -> bytes:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not (k.startswith("_search") and k != "_searchmode" and not escape_fts(v))]
    return query_string if len(kept) == len(pairs) else urlencode(kept).encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            send = _with_header(send)
            if scope["method"] not in READ_METHODS:
                body = READ_ONLY.encode("utf-8")
                await send({"type": "http.response.start", "status": 405, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD"),
                    (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
            query_string = scope.get("query_string", b"")
            if b"_search" in query_string:
                scope = {**scope, "query_string": _without_empty_search(query_string)}
            await app(scope, receive, send)

        return read_only

    return wrap


@hookimpl
def handle_exception(datasette, request, exception):
    if isinstance(exception, Base400) or (isinstance(exception, DatasetteError) and exception.status in (400, 500)):
        message = exception.message if isinstance(exception, DatasetteError) else str(exception.args[0] if exception.args else "")
        for pattern, sentence in READER_MISTAKES:
            if found := pattern.fullmatch(message):
                return _answer(datasette, request, sentence.format(*found.groups()))
    if isinstance(exception, (json.JSONDecodeError, KeyError, TypeError)) and "_through" in request.args:
        return _answer(datasette, request, "_through= must be JSON naming a table, a column and a value: "
                                           "{\"table\": \"claims\", \"column\": \"speaker_id\", \"value\": \"…\"}.")
    if isinstance(exception, DatasetteError) and exception.status == 400 and "_where" in request.args:
        return _answer(datasette, request, f"The _where= condition is not SQL this table can run ({exception.message}): "
                                           "write a condition such as kind = 'quantity'.")
    if isinstance(exception, ValueError) and "_next" in request.args:
        # A view pages by offset: its _next is a number, from the next-page link.
        return _answer(datasette, request, "_next= is not a page of this view: follow the next-page link, or remove _next.")
    return None
