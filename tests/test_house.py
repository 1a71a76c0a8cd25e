"""The package's modules import each other in layers: the house drawn from
its imports has no loop, lazy imports inside functions included."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "claimsdb"


def imports_of(path: Path) -> set[str]:
    """The package's modules that a module imports (relative imports, anywhere in it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {alias.name for alias in node.names}
    return found


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every loop of the graph, each once, from its least module."""
    loops = []

    def walk(start: str, path: list[str]) -> None:
        for following in sorted(graph.get(path[-1], ())):
            if following == start:
                loops.append(path)
            elif following > start and following not in path:
                walk(start, path + [following])

    for module in sorted(graph):
        walk(module, [module])
    return loops


def test_import_loops_finds_a_loop_through_lazy_imports(tmp_path):
    (tmp_path / "a.py").write_text("from .b import f\n")
    (tmp_path / "b.py").write_text("def f():\n    from .c import g\n")
    (tmp_path / "c.py").write_text("from . import a\n")
    (tmp_path / "d.py").write_text("from .a import x\n")
    graph = {path.stem: imports_of(path) for path in tmp_path.glob("*.py")}
    assert import_loops(graph) == [["a", "b", "c"]]


def test_no_module_of_the_package_imports_one_that_imports_it_back():
    graph = {path.stem: imports_of(path) for path in PACKAGE.glob("*.py")}
    assert import_loops(graph) == []
