"""What was parsed and validated, kept between builds, keyed by file content.

An entry is found by the SHA-256 of a file's bytes together with the
fingerprint of this package's code, Python and the libraries (``fingerprint``,
which claimsdb.incremental also records in each database), so an edited
file, a new version of the checks or of pydantic is parsed and validated
again. Everything that depends on other
files (references, intervals from measures.yml, quotes in archives,
relations) is checked again on every build.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import sys
from functools import cache
from importlib import metadata as importlib_metadata
from pathlib import Path


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# The libraries whose behaviour decides the database's content.
LIBRARIES = ("pydantic", "pydantic-core", "PyYAML", "sqlite-utils", "jdatetime", "rapidfuzz", "trafilatura", "pypdfium2", "warcio")


def fingerprint() -> dict[str, str]:
    """What built a database, beyond its files: this package's code, Python,
    SQLite and the libraries it reads and validates with."""
    found = {"code": code_fingerprint(), "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}
    for name in LIBRARIES:
        try:
            found[f"library {name}"] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            found[f"library {name}"] = "not installed"
    return found


@cache
def fingerprint_key() -> str:
    return hashlib.sha256(json.dumps(fingerprint(), sort_keys=True).encode()).hexdigest()


class FileCache:
    def __init__(self, directory: Path | str, read: bool = True):
        self.directory = Path(directory)
        self.read = read  # False: compute everything again, keeping the results for the next build
        self.used: set[str] = set()

    def key(self, data: bytes) -> str:
        return self.key_of_hash(hashlib.sha256(data).hexdigest())

    def key_of_hash(self, sha256: str) -> str:
        """The key of a file known by its SHA-256 (as claimsdb.incremental records it)."""
        return hashlib.sha256(f"{fingerprint_key()}\0{sha256}".encode()).hexdigest()

    def forget(self, sha256: str) -> None:
        """Drop the entry of a file's earlier version (an incremental build,
        which does not prune: it reads a few files)."""
        self.path(self.key_of_hash(sha256)).unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.pickle"

    def get(self, data: bytes):
        key = self.key(data)
        self.used.add(key)
        if not self.read:
            return None
        try:
            with open(self.path(key), "rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None

    def put(self, data: bytes, value) -> None:
        key = self.key(data)
        self.used.add(key)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.path(key).with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path(key))

    def memo(self, inputs: bytes, compute):
        """The cached result of ``compute()`` for these inputs, computing and
        keeping it the first time."""
        found = self.get(inputs)
        if found is None:
            found = compute()
            self.put(inputs, found)
        return found

    def prune(self) -> None:
        """Forget entries this build did not use (files edited or removed)."""
        if not self.directory.is_dir():
            return
        for path in self.directory.glob("*.pickle"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
