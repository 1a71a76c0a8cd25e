"""Limits of the public instance, on every SQLite connection it opens.

sql_time_limit_ms interrupts a query between steps of SQLite's virtual
machine, but a single step can run long and take memory on its own:

- one call of zeroblob(), randomblob(), hex(), replace() ... can build a
  value of up to a gigabyte. SQLITE_LIMIT_LENGTH caps every string, blob and
  row at MAX_VALUE_BYTES (claimsdb/instance.py), so such a call fails at once
  with "string or blob too big".
- printf('%.*c', 999999999, 'x') (and format(), its other name) loops once
  per character asked for, even past the length limit: seconds per call,
  minutes for a statement of many calls, none of it interruptible. Both are
  refused.
- fts3_tokenizer() returns an address in the server's memory, or with two
  arguments replaces a tokenizer by an address written in the SQL. Refused.

A query that builds many values, each under the length limit, can still
take more memory in its seconds than the server has: under the ceiling that
`python -m claimsdb.serve` sets, it fails with MemoryError, answered here
with a clear message while the server keeps answering others.
"""

import sqlite3

from datasette import hookimpl
from datasette.handle_exception import handle_exception as default_handle_exception
from datasette.views.base import DatasetteError

from claimsdb.instance import MAX_VALUE_BYTES

REFUSED_FUNCTIONS = {"fts3_tokenizer", "printf", "format"}


def authorize(action, name, function, database, trigger):
    if action == sqlite3.SQLITE_FUNCTION and function and function.lower() in REFUSED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.set_authorizer(authorize)


@hookimpl
def handle_exception(datasette, request, exception):
    if isinstance(exception, MemoryError):
        return default_handle_exception(datasette, request, DatasetteError(
            "The query needed more memory than this instance allows. Ask for fewer rows or smaller values.",
            title="Query too large", status=400,
        ))
    return None
