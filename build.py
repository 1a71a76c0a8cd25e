"""Build claims.db from the claim files: ``python build.py [--claims DIR] [--db PATH] [--full]``.

The same as ``claimsdb build``; from Python, call ``claimsdb.build(claims_dir, db_path)``."""

from claimsdb.cli import build

if __name__ == "__main__":
    build()
