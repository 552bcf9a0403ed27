"""The package's modules import each other without a circle.

Every import counts, wherever it is written: at the top, under ``TYPE_CHECKING``, or inside a function (a
lazy import still means each module needs the other). A circle means two modules are one concept split
badly, or that something both need belongs in a third module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import studycards

PACKAGE = Path(studycards.__file__).parent


def module_names(root: Path, package: str) -> dict[str, Path]:
    """``{dotted module name: file}`` for every module of the package at ``root``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Which of the package's modules each module imports, anywhere in its file."""
    modules = module_names(root, package)

    def known(name: str) -> str | None:
        while name and name not in modules:  # ``a.b.Name`` is module ``a.b``
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(known(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from a import b`` imports module ``a.b`` when there is one, else a name of ``a``.
                imported.update(known(f"{base}.{alias.name}") or known(base) for alias in node.names)
        graph[name] = {target for target in imported if target is not None and target != name}
    return graph


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One circle of imports as ``[a, b, ..., a]``, or None when there is none."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once all it reaches is explored
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_package_imports_have_no_cycles() -> None:
    cycle = find_cycle(import_graph(PACKAGE, "studycards"))
    assert cycle is None, "modules import each other in a circle: " + " → ".join(cycle or [])


def write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_a_circle_through_lazy_and_type_checking_imports_is_found_and_named(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "__init__.py": "",
            "app.py": "def home():\n    from pkg.screens.home import Home\n",
            "screens/__init__.py": "",
            "screens/home.py": "def stats():\n    from .stats import Stats\n",
            "screens/stats.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.app import App\n",
            "leaf.py": "import pkg.screens\n",
        },
    )
    graph = import_graph(root, "pkg")
    assert graph["pkg.screens.home"] == {"pkg.screens.stats"}
    assert find_cycle(graph) == ["pkg.app", "pkg.screens.home", "pkg.screens.stats", "pkg.app"]


def test_modules_that_only_import_downwards_have_no_cycle(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "__init__.py": "",
            "app.py": "from pkg import screen\nfrom pkg.protocol import Host\n",
            "screen.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.protocol import Host\n",
            "protocol.py": "from typing import Protocol\n",
        },
    )
    graph = import_graph(root, "pkg")
    assert graph["pkg.app"] == {"pkg.screen", "pkg.protocol"}
    assert find_cycle(graph) is None
