"""Build claims.db from the claim files: ``python build.py [--claims DIR] [--db PATH]``."""

from claimsdb.cli import build

if __name__ == "__main__":
    build()
