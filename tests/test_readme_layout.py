"""The README's layout of the code (under "Development") names every module
of the package, and only modules that exist: a reader finds where a line
belongs from it."""

from __future__ import annotations

import re

from .conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def listed_modules() -> set[str]:
    layout = README[README.index("claimsdb/           the code"):README.index("\nbuild.py ")]
    return set(re.findall(r"^  (\w+\.py) ", layout, re.M))


def test_every_module_of_the_package_is_in_the_readme_layout():
    modules = {path.name for path in (PROJECT_ROOT / "claimsdb").glob("*.py")} - {"__init__.py", "__main__.py"}
    assert sorted(modules - listed_modules()) == []


def test_the_readme_layout_lists_only_modules_that_exist():
    assert sorted(name for name in listed_modules() if not (PROJECT_ROOT / "claimsdb" / name).exists()) == []
