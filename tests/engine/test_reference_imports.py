"""The reference engine stays independent of the per-leg geometry it checks (issue #20 item 3).

:mod:`skyshield.engine.reference` and its own sampled flight (:mod:`skyshield.engine.sampled`)
may take from the rest of the engine only the scenario, the draws, the outcome records and the
routes (the shared inputs both engines start from), never the fast engine's geometry: pieces,
envelope intervals, fire times, zone intervals, sensors' track times, EW exposure, reach
indexes, windows, the intercept solver or the event loop. A mistake there would otherwise hide
in both engines and the agreement tests would prove nothing. Checked on the source (every
import, at module level or inside a function), and on the only attribute path it reads from the
fast engine's :class:`~skyshield.engine.geometry.RaidGeometry`: ``geometry.flights.routes``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import skyshield.engine

ENGINE = Path(skyshield.engine.__file__).parent
INDEPENDENT = ("reference.py", "sampled.py")
# the fast engine's own code: the reference may not import it (issue #20 item 3)
PER_LEG = frozenset(
    {
        "pieces",
        "envelope",
        "firetime",
        "zones",
        "sensors",
        "ew",
        "reach",
        "windows",
        "intercept",
        "kernel",
        "fast",
        "scaling",
    }
)
# (module, name) the reference may take from the engine: shared inputs and records only
ALLOWED = frozenset(
    {
        ("compiled", "CompiledScenario"),
        ("compiled", "readonly"),
        ("draws", "ReplicationDraws"),
        ("geometry", "RaidGeometry"),  # a type: only its routes are read (test below)
        ("outcomes", "Fate"),
        ("outcomes", "RawOutcomes"),
        ("flight", "vertical_profiles"),  # the threats' speed and altitude schedule: an input
        ("sampled", "Trajectories"),
        ("sampled", "sample_trajectories"),
    }
)


def _engine_imports(path: Path) -> list[tuple[str, str, int]]:
    """(engine module, imported name, line) of every import of ``skyshield.engine.*``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[:2] == ["skyshield", "engine"]:
                module = parts[2] if len(parts) > 2 else ""
                found.extend((module, a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.extend((node.module or "", a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[:2] == ["skyshield", "engine"]:
                    found.append((parts[2] if len(parts) > 2 else "", "*", node.lineno))
    return found


@pytest.mark.parametrize("name", INDEPENDENT)
def test_reference_imports_nothing_from_the_per_leg_engine(name: str) -> None:
    imports = _engine_imports(ENGINE / name)
    assert imports, f"{name}: no engine import found (has the parser gone blind?)"
    bad = [f"{name}:{line} imports {m}.{n}" for m, n, line in imports if m in PER_LEG]
    assert not bad, "; ".join(bad)
    unknown = [f"{name}:{line} imports {m}.{n}" for m, n, line in imports if (m, n) not in ALLOWED]
    assert not unknown, "not in the reference's allowed inputs: " + "; ".join(unknown)


def test_reference_reads_only_the_routes_of_the_fast_geometry() -> None:
    """Every use of the ``geometry`` parameter is ``geometry.flights.routes``."""
    tree = ast.parse((ENGINE / "reference.py").read_text(encoding="utf-8"))
    uses = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "geometry":
            path, at = [], parents.get(node)
            while isinstance(at, ast.Attribute):
                path.append(at.attr)
                at = parents.get(at)
            uses.append(".".join(["geometry", *path]))
    assert uses, "simulate_reference no longer takes the geometry (update this test)"
    assert set(uses) == {"geometry.flights.routes"}, uses


def test_the_import_check_can_fail(tmp_path: Path) -> None:
    """The parser sees an import inside a function and a relative one."""
    source = tmp_path / "m.py"
    source.write_text(
        "def f():\n    from skyshield.engine.pieces import build_pieces\n"
        "from .windows import engagement_windows\n",
        encoding="utf-8",
    )
    modules = {m for m, _, _ in _engine_imports(source)}
    assert modules == {"pieces", "windows"}
