"""Reading the files under claims/, which strangers may propose: only regular
files that really lie inside the directory (a symbolic link must not lead
the build to /etc/passwd or to a secret on the build machine), and none
larger than MAX_FILE_BYTES, so that memory stays bounded."""

from __future__ import annotations

import os
from pathlib import Path

# 2 MB: about 60 times the largest claim file of the seed corpus (room for
# some 3,700 claims from one document) and a plain-text archive of some
# 1,000 pages. Parsing a claim file of this size takes about a second and
# 60 MB of memory; a larger file is refused before it is read. The served
# database caps every value at twice this (claimsdb/serve.py,
# MAX_VALUE_BYTES), which is what makes a larger archive costly to serve.
MAX_FILE_BYTES = 2_000_000


class Unreadable(Exception):
    """Why a file cannot be used, and what to do: the two halves of a problem line."""

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what = what
        self.fix = fix


def read_inside(path: Path, root: Path, shown_root: str, name: str, missing_fix: str) -> bytes:
    """The bytes of ``path``, which must resolve to a regular file inside the
    real directory ``root`` and be no larger than MAX_FILE_BYTES. Messages
    call the file ``name`` and the directory ``shown_root``."""
    if not path.resolve().is_relative_to(root):
        raise Unreadable(f"{name} leads outside {shown_root} through a symbolic link", f"copy the file itself into {shown_root}")
    if not path.exists():
        raise Unreadable(f"{name} does not exist", missing_fix)
    if not path.is_file():
        raise Unreadable(f"{name} is not a regular file", "replace it with a plain text file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise Unreadable(
                    f"{name} is {os.fstat(handle.fileno()).st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for a file in claims/",
                    "keep only what belongs in it (README: Limits), or raise MAX_FILE_BYTES in claimsdb/files.py",
                )
            return data
    except OSError as error:
        raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error
