"""The package's layers: every import points down, never up or sideways, and nothing circles.

Each subpackage or top-level module of ``skyshield`` sits in one layer; a module may import
from its own package or from a lower layer only. Every import counts, at module level, inside
a function or under ``TYPE_CHECKING``: a type-only import upward is still an upward dependency.
The package root may be imported from only for ``__version__`` (its public API loads lazily).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import skyshield

SOURCE = Path(skyshield.__file__).parent

# lowest first; a name in layer k imports only from layers below k (or from itself)
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"units", "errors", "yamlio", "settings", "credits"}),
    frozenset({"catalog", "geo"}),
    frozenset({"scenario", "reports"}),
    frozenset({"engine", "posture"}),
    frozenset({"metrics", "plots"}),
    frozenset({"store"}),
    frozenset({"runner"}),
    frozenset({"results", "calibration"}),
    frozenset({"campaigns", "exporting"}),
    frozenset({"reporting"}),
    frozenset({"api"}),
    frozenset({"terminal"}),
    frozenset({"web"}),  # skyshield serve: imported by the CLI alone
    frozenset({"cli"}),
    frozenset({"testing", "__main__"}),
)
LAYER_OF = {name: k for k, layer in enumerate(LAYERS) for name in layer}


def _part(module: str) -> str:
    """The subpackage or top-level module of ``skyshield.<part>...`` ('' for the root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """Every ``skyshield`` import in the file: (module, imported names, line)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "skyshield":
                found.append((node.module, tuple(a.name for a in node.names), node.lineno))
        elif isinstance(node, ast.Import):
            found.extend(
                (a.name, (), node.lineno) for a in node.names if a.name.split(".")[0] == "skyshield"
            )
    return found


def _edges() -> list[tuple[str, str, str]]:
    """(importing part, imported part, where) for every import across parts of the package."""
    edges = []
    for path in sorted(SOURCE.rglob("*.py")):
        rel = path.relative_to(SOURCE)
        source = rel.parts[0].removesuffix(".py")
        if source == "__init__":
            continue  # the root: names only, loaded on first use (checked in test_import.py)
        for module, names, line in _imports(path):
            target = _part(module)
            if target == "" and names == ("__version__",):
                continue
            if target != source:
                edges.append((source, target, f"{rel}:{line} imports {module}"))
    return edges


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {
        p.name.removesuffix(".py")
        for p in SOURCE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    assert parts - LAYER_OF.keys() == set(), "put each new subpackage or module in LAYERS"


def test_imports__point_down_only() -> None:
    upward = [
        where
        for source, target, where in _edges()
        if target not in LAYER_OF or LAYER_OF[target] >= LAYER_OF[source]
    ]
    assert upward == []


def test_imports__no_circle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for source, target, _ in _edges():
        graph.setdefault(source, set()).add(target)
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the circle
