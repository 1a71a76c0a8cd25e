"""Reading the files under claims/, which strangers may propose: only regular
files that really lie inside the directory (a symbolic link must not lead
the build to /etc/passwd or to a secret on the build machine), and none
larger than MAX_FILE_BYTES, so that memory stays bounded."""

from __future__ import annotations

import errno
import os
import stat
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
    try:
        real = path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 and 3.12 raise RuntimeError("Symlink loop ...")
        raise loop(name) from None
    if not real.is_relative_to(root):
        raise Unreadable(f"{name} leads outside {shown_root} through a symbolic link", f"copy the file itself into {shown_root}")
    try:
        # Non-blocking: opening a named pipe must not wait for a writer (it
        # is refused below, as is anything but a regular file). The kind is
        # read from the open file, so it cannot change between check and read.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if path.is_symlink():
            raise Unreadable(f"{name} is a symbolic link to {os.readlink(path)}, which does not exist", "replace the link with the file itself") from None
        raise Unreadable(f"{name} does not exist", missing_fix) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise loop(name) from None
        if error.errno in (errno.EISDIR, errno.EACCES) and path.is_dir():  # Windows opens no directory
            raise Unreadable(f"{name} is a directory, not a regular file", "replace it with a plain text file") from None
        raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error
    kind = kind_of(os.fstat(descriptor).st_mode)
    if kind is not None:
        os.close(descriptor)
        raise Unreadable(f"{name} is {kind}, not a regular file", "replace it with a plain text file")
    with open(descriptor, "rb") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error
        if len(data) > MAX_FILE_BYTES:
            raise Unreadable(
                f"{name} is {os.fstat(descriptor).st_size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes for a file in claims/",
                "keep only what belongs in it (README: Limits), or raise MAX_FILE_BYTES in claimsdb/files.py",
            )
        return data


def loop(name: str) -> Unreadable:
    return Unreadable(f"{name} is a symbolic link that leads back to itself (a loop)", "replace the link with the file itself")


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"
