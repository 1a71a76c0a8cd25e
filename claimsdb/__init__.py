"""A provenance-tracking claims database: claim files in, SQLite and Datasette out.

The Python API, which the command line mirrors::

    import claimsdb

    claimsdb.check("claims")               # CheckReport, or raises ProblemsFound
    claimsdb.build("claims", "claims.db")  # BuildReport, or raises ProblemsFound
"""

from .pipeline import BuildReport, CheckReport, build, check
from .problems import Problem, ProblemsFound, WarningsAsErrors

__all__ = ["build", "check", "BuildReport", "CheckReport", "Problem", "ProblemsFound", "WarningsAsErrors"]
