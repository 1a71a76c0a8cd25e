"""Downloads written in content-defined chunks, so that the next release
copies the chunks no edit touched instead of writing them again.

A file of rows (a table's gzipped CSV, the Web Annotations) is a run of
pieces, one per chunk of consecutive rows in the file's order (by key).
Where a chunk ends depends on the keys of its rows alone: after a row whose
key hashes to a multiple of ``AVERAGE_ROWS``, or after ``MAXIMUM_ROWS`` rows.
An edit therefore changes the chunks around the rows it touches, and every
other chunk keeps its rows and its bytes. ``chunks.json`` in the downloads
records each chunk: its first and last key, its rows, where its bytes are
in the file, and the SHA-256 of its rows' text. A key that ends a chunk
ends one whatever comes before it, so the chunks between two such keys are
cut the same way whenever the rows between them are the same: a run of
chunks no changed row falls in is copied from the previous file (``patch``),
and what results is byte for byte what writing every chunk gives.
"""

from __future__ import annotations

import hashlib
import zlib
from bisect import bisect_right
from typing import BinaryIO, Callable, Iterable, Iterator

AVERAGE_ROWS = 256
MAXIMUM_ROWS = 2048


def ends_chunk(key: tuple) -> bool:
    # The text of each value, not its type: a boundary needs only to be the same for the same key.
    return zlib.crc32("\x1f".join(map(str, key)).encode("utf-8", "surrogatepass")) % AVERAGE_ROWS == 0


def chunked(rows: Iterable, key_of: Callable) -> Iterator[list]:
    """The rows, in their order, cut into chunks."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == MAXIMUM_ROWS or ends_chunk(key_of(row)):
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def touches(changed: list[tuple], after: tuple | None, through: tuple | None) -> bool:
    """Whether a key of ``changed`` (sorted) lies after ``after`` and up to
    ``through`` (None: no bound)."""
    index = 0 if after is None else bisect_right(changed, after)
    return index < len(changed) and (through is None or changed[index] <= through)


class Recorded:
    """The chunks of a file of the previous downloads, open for copying, in
    runs that each end at a key that ends a chunk whatever comes before it
    (``ends_chunk``), or at the end of the file. A run holds the rows whose
    keys lie after the end of the run before it and up to its own end; a
    run that no changed key falls in holds the same rows now, and cut the
    same way, so its chunks are copied whole."""

    def __init__(self, handle: BinaryIO, chunks: list[dict]):
        self.handle = handle
        self.runs: list[tuple[tuple | None, tuple | None, list[dict], int]] = []  # (after, through, chunks, first row)
        after, run, first_row, row = None, [], 0, 0
        for index, chunk in enumerate(chunks):
            run.append(chunk)
            row += chunk["rows"]
            last = tuple(chunk["last"])
            if ends_chunk(last) or index == len(chunks) - 1:
                self.runs.append((after, last, run, first_row))
                after, run, first_row = last, [], row
        if self.runs:  # the last run reaches past the last key: rows added at the end fall in it
            after, _, run, first_row = self.runs[-1]
            self.runs[-1] = (after, None, run, first_row)
        else:
            self.runs.append((None, None, [], 0))


def patch(out: "ChunkedFile", recorded: Recorded, changed: list[tuple], rows_in: Callable[[tuple | None, tuple | None], list],
          key_of: Callable, text_of: Callable[[list, bool], bytes], copied: Callable[[int, int], None] = lambda row, rows: None,
          read: Callable[[list], None] = lambda rows: None) -> None:
    """Write into ``out`` the file ``recorded`` was, with the rows whose keys
    are in ``changed`` (sorted; added, changed or removed since) as they are
    now: the runs no changed key falls in are copied (``copied(first row,
    rows)`` told of each), the others read (``rows_in(after, through)``,
    the rows now in that range of keys, in order; ``read(rows)`` told of
    them) and cut again, with the runs after them until a chunk ends where
    a run of the previous file did."""
    pending: list = []
    for index, (after, through, chunks, first_row) in enumerate(recorded.runs):
        clean = chunks and not touches(changed, after, through) and (index == 0) == (not out.chunks)
        if clean and not pending:
            for chunk in chunks:
                out.copy(recorded, chunk)
            copied(first_row, sum(chunk["rows"] for chunk in chunks))
            continue
        pending.extend(rows_in(after, through))
        if pending and (through is None or ends_chunk(key_of(pending[-1]))):
            _write_rows(out, pending, key_of, text_of, read)
            pending = []
    if pending:
        _write_rows(out, pending, key_of, text_of, read)


def _write_rows(out: "ChunkedFile", rows: list, key_of: Callable, text_of: Callable[[list, bool], bytes], read: Callable[[list], None]) -> None:
    for chunk in chunked(rows, key_of):
        out.write(key_of(chunk[0]), key_of(chunk[-1]), len(chunk), text_of(chunk, not out.chunks))
    read(rows)


class ChunkedFile:
    """A file of pieces written or copied one chunk at a time, and the record of its chunks."""

    def __init__(self, out: BinaryIO, encode: Callable[[bytes], bytes] = lambda data: data):
        self.out, self.encode = out, encode
        self.chunks: list[dict] = []
        self.written = 0  # chunks written, not copied
        self.head_sha256 = ""

    def head(self, data: bytes) -> None:
        """What comes before the chunks (a header), written each time."""
        self.head_sha256 = hashlib.sha256(data).hexdigest()
        self.out.write(self.encode(data))

    def write(self, first: tuple, last: tuple, rows: int, data: bytes) -> None:
        self._add(first, last, rows, self.encode(data), hashlib.sha256(data).hexdigest())
        self.written += 1

    def copy(self, previous: Recorded, chunk: dict) -> None:
        previous.handle.seek(chunk["offset"])
        piece = previous.handle.read(chunk["bytes"])
        if len(piece) != chunk["bytes"]:
            raise OSError(f"the previous file ends inside a chunk at byte {chunk['offset']}")
        self._add(tuple(chunk["first"]), tuple(chunk["last"]), chunk["rows"], piece, chunk["sha256"])

    def _add(self, first: tuple, last: tuple, rows: int, piece: bytes, sha256: str) -> None:
        self.chunks.append({"first": list(first), "last": list(last), "rows": rows, "offset": self.out.tell(),
                            "bytes": len(piece), "sha256": sha256})
        self.out.write(piece)

    def digest(self) -> str:
        """The SHA-256 of the file's content: of its head's and its chunks'
        SHA-256s (each of the text before it was compressed), in order; the
        same however many chunks were copied."""
        lines = "".join(f"{sha}\n" for sha in [self.head_sha256, *(chunk["sha256"] for chunk in self.chunks)])
        return hashlib.sha256(lines.encode("ascii")).hexdigest()
