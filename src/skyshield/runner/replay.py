"""A stored run back as the runner's :class:`~skyshield.runner.montecarlo.Run`, not re-simulated.

The outcome tables (threats, shots, stocks) are read from the results directory. The geometry
(route sets and engagement windows) is not stored: it is a pure function of the scenario, the
run seed and the number of route sets, all in the catalog, so it is rebuilt — in seconds, where
the Monte Carlo took minutes — and the tables' positions and route sets refer to it unchanged.
Reports and exports of a stored run therefore show exactly the nights that were run.
"""

from __future__ import annotations

import json
from pathlib import Path

from skyshield.engine.compile import compile_scenario
from skyshield.engine.geometry import RouteSetsOnDemand, RunGeometry, build_geometry
from skyshield.engine.outcomes import Outcomes
from skyshield.errors import StoreError
from skyshield.runner.montecarlo import (
    EngineKind,
    Run,
    own_routes_per_block,
    prepare,
    route_sets,
)
from skyshield.scenario import Scenario
from skyshield.store.catalog import CATALOG_NAME, StrPath, run_record
from skyshield.store.runs import canonical_scenario, read_run

__all__ = ["stored_run", "stored_run_reference"]


def stored_run_reference(text: str | Path) -> tuple[Path, str] | None:
    """``(results directory, run id)`` if ``text`` is a run's folder ``DIR/runs/<run id>``.

    Anything else (a scenario file, a built-in name) gives None.
    """
    folder = Path(text)
    if not folder.is_dir() or folder.parent.name != "runs":
        return None
    directory = folder.parent.parent
    if not (Path(directory) / CATALOG_NAME).is_file():
        return None
    return directory, folder.name


def stored_run(directory: StrPath, run_id: str) -> Run:
    """Read a complete run saved by ``run --out`` (see the module).

    Raises
    ------
    StoreError
        The run is missing, incomplete, not a single-scenario run, or its scenario text no
        longer matches its recorded hash.
    """
    record = run_record(directory, run_id)
    if record is None:
        raise StoreError(f"{directory}: expected a run id from `skyshield runs`, got {run_id!r}")
    if record.kind != "run":  # compares and sweep points store measures, not outcomes
        raise StoreError(
            f"{directory}: run {run_id}: expected a run saved by `skyshield run --out`, got a "
            f"{record.kind} (it stores per-night measures, not every threat and shot)"
        )
    tables = read_run(directory, run_id)  # raises unless complete
    scenario = Scenario.model_validate(json.loads(record.scenario_json))
    if canonical_scenario(scenario)[1] != record.scenario_sha256:
        raise StoreError(
            f"{directory}: run {run_id}: expected the scenario its hash records, got a "
            "different one (written by another skyshield version?)"
        )
    parameters = json.loads(record.parameters)
    engine = EngineKind(parameters.get("engine", EngineKind.FAST.value))
    n_sets = route_sets(scenario, record.replications)
    geometry: RunGeometry
    if own_routes_per_block(n_sets, record.replications, build_geometry):
        # every night its own routes: flown again when read, as the run itself left them
        compiled = compile_scenario(scenario)
        geometry = RouteSetsOnDemand(compiled, record.seed, n_sets)
    else:
        compiled, geometry = prepare(scenario, record.seed, 1, record.replications)
    return Run(
        scenario=scenario,
        compiled=compiled,
        geometry=geometry,
        seed=record.seed,
        replications=record.replications,
        engine=engine,
        outcomes=Outcomes(
            threats=tables["threats"], shots=tables["shots"], stocks=tables["stocks"]
        ),
    )
