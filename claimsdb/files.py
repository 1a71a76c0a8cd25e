"""Reading the files under claims/, which strangers may propose: only regular
files that really lie inside the directory (a symbolic link must not lead
the build to /etc/passwd or to a secret on the build machine), and none
larger than MAX_FILE_BYTES, so that memory stays bounded."""

from __future__ import annotations

import errno
import os
import stat
from functools import lru_cache
from pathlib import Path

# 2 MB: about 60 times the largest claim file of the seed corpus (room for
# some 3,700 claims from one document) and a plain-text archive of some
# 1,000 pages. Parsing a claim file of this size takes about a second and
# 60 MB of memory; a larger file is refused before it is read. The served
# database caps every value at twice this (claimsdb/instance.py,
# MAX_VALUE_BYTES), which is what makes a larger archive costly to serve.
MAX_FILE_BYTES = 2_000_000

# 50 MB: an original (saved page, PDF, web-archive capture) is evidence kept
# byte for byte, and a UN or NGO report with its images runs to tens of
# megabytes, so originals may be larger than the text limit above. It is
# never parsed as YAML nor stored in the database; it is hashed as a stream
# (MAX_FILE_BYTES at a time) by every check, and read whole only to extract
# its text (add-source, verify-sources, reanchor). 50 MB is where GitHub starts
# warning about a file (it refuses those over 100 MB).
MAX_ORIGINAL_BYTES = 50_000_000


class Unreadable(Exception):
    """Why a file cannot be used, and what to do: the two halves of a problem line."""

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what = what
        self.fix = fix


def open_inside(path: Path, root: Path, shown_root: str, name: str, missing_fix: str) -> int:
    """A read-only descriptor of ``path``, which must resolve to a regular
    file inside the real directory ``root``. Messages call the file ``name``
    and the directory ``shown_root``."""
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
        try:  # a socket cannot be opened at all (ENXIO): say what it is, not that it is unreadable
            kind = kind_of(os.stat(path).st_mode)
        except OSError:
            kind = None
        if kind is not None:
            raise Unreadable(f"{name} is {kind}, not a regular file", "replace it with a plain text file") from None
        raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error
    kind = kind_of(os.fstat(descriptor).st_mode)
    if kind is not None:
        os.close(descriptor)
        raise Unreadable(f"{name} is {kind}, not a regular file", "replace it with a plain text file")
    return descriptor


def read_inside(path: Path, root: Path, shown_root: str, name: str, missing_fix: str) -> bytes:
    """The bytes of ``path`` (see open_inside), no more than MAX_FILE_BYTES."""
    descriptor = open_inside(path, root, shown_root, name, missing_fix)
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


def hash_inside(path: Path, root: Path, shown_root: str, name: str, missing_fix: str) -> str:
    """SHA-256 of an original inside ``root`` (see open_inside), read as a
    stream: memory stays bounded whatever its size, up to MAX_ORIGINAL_BYTES."""
    import hashlib

    descriptor = open_inside(path, root, shown_root, name, missing_fix)
    digest, size = hashlib.sha256(), 0
    with open(descriptor, "rb") as handle:
        try:
            while chunk := handle.read(MAX_FILE_BYTES):
                size += len(chunk)
                if size > MAX_ORIGINAL_BYTES:
                    raise too_large(name, os.fstat(descriptor).st_size)
                digest.update(chunk)
        except OSError as error:
            raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error
    return digest.hexdigest()


def read_original(path: Path, name: str) -> bytes:
    """The bytes of an original to extract its text from, up to MAX_ORIGINAL_BYTES."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ORIGINAL_BYTES + 1)
            if len(data) > MAX_ORIGINAL_BYTES:
                raise too_large(name, os.fstat(handle.fileno()).st_size)
            return data
    except OSError as error:
        raise Unreadable(f"{name} cannot be read ({error.strerror})", "check that the file is readable") from error


def too_large(name: str, size: int) -> Unreadable:
    return Unreadable(
        f"{name} is {size:,} bytes, over the limit of {MAX_ORIGINAL_BYTES:,} bytes for an original",
        "keep the document itself without embedded media, or raise MAX_ORIGINAL_BYTES in claimsdb/files.py (README: Limits)",
    )


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


def display_path(path: Path) -> str:
    """``path`` as a message shows it: relative to the working directory."""
    return relative_to(os.fspath(path), os.getcwd())


@lru_cache(maxsize=1 << 16)  # each source file is named in several messages and checks: worked out once
def relative_to(path: str, directory: str) -> str:
    try:
        return os.path.relpath(path, directory)
    except ValueError:  # pragma: no cover - another drive on Windows
        return path
