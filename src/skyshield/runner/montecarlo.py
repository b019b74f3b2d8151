"""Monte Carlo replications of one scenario, on one or several worker threads.

Replications are cut into fixed blocks; each block's random inputs derive from the run seed and
the replication indices alone, and blocks are joined in index order, so the tables are identical
whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import draw_replications, route_set
from skyshield.engine.fast import simulate_fast
from skyshield.engine.geometry import RaidGeometry, build_geometry
from skyshield.engine.outcomes import Outcomes, RawOutcomes, concat_raw, tabulate
from skyshield.engine.reference import simulate_reference
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario.models import Assignment, Scenario
from skyshield.settings import EngineKind

__all__ = [
    "BLOCK_SIZE",
    "EngineKind",
    "GeometryBuilder",
    "Run",
    "prepare",
    "route_sets",
    "run_replications",
    "simulate_replications",
]

# Replications per work unit: large enough to amortise process overhead, small enough for
# smooth progress and bounded memory (kill draws are n_threats x 16 floats per replication).
BLOCK_SIZE = 25

ProgressCallback = Callable[[int, int], None]
# Builds a run's geometry: (compiled, route seed, route sets, threads), as build_geometry does.
GeometryBuilder = Callable[[CompiledScenario, int, int, int], RaidGeometry]


@dataclass(frozen=True, slots=True)
class Run:
    """A finished Monte Carlo run: its inputs and its outcome tables."""

    scenario: Scenario
    compiled: CompiledScenario
    geometry: RaidGeometry
    seed: int
    replications: int
    engine: EngineKind
    outcomes: Outcomes

    @property
    def route_sets(self) -> np.ndarray:
        """(replications,) int64: the route set of each replication (interval clusters)."""
        return route_set(np.arange(self.replications), self.geometry.n_realizations)


def route_sets(scenario: Scenario, replications: int) -> int:
    """Return how many route sets a run flies: one per night, up to the scenario's number.

    ``all`` gives every night its own routes.
    """
    wanted = scenario.monte_carlo.route_sets
    return max(1, replications if wanted == "all" else min(wanted, replications))


def prepare(
    scenario: Scenario,
    seed: int,
    workers: int = 1,
    replications: int | None = None,
    *,
    build: GeometryBuilder = build_geometry,
) -> tuple[CompiledScenario, RaidGeometry]:
    """Compile a scenario and build its route sets (from ``seed``) and engagement windows.

    ``replications`` (default: the scenario's) caps the route sets at one per night.
    """
    compiled = compile_scenario(scenario)
    n_reps = scenario.monte_carlo.replications if replications is None else replications
    geometry = build(compiled, seed, route_sets(scenario, n_reps), workers)
    return compiled, geometry


def simulate_replications(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    seed: int,
    replications: np.ndarray,
    engine: EngineKind = EngineKind.FAST,
) -> RawOutcomes:
    """Simulate the given replication indices (one block, in this process)."""
    draws = draw_replications(compiled, seed, replications, geometry.n_realizations)
    if engine is EngineKind.REFERENCE:
        return simulate_reference(compiled, geometry, draws)
    return simulate_fast(compiled, geometry, draws)


def run_replications(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    engine: EngineKind = EngineKind.FAST,
    progress: ProgressCallback | None = None,
    adjust: Callable[[CompiledScenario], CompiledScenario] | None = None,
    route_seed: int | None = None,
    build: GeometryBuilder = build_geometry,
) -> Run:
    """Run a scenario's Monte Carlo replications and return the outcome tables.

    ``replications`` and ``seed`` default to the scenario's ``monte_carlo`` settings.
    ``adjust`` changes the compiled scenario after its geometry is built (a calibration's
    kill-probability and EW multipliers, which leave the geometry as it is).
    ``route_seed`` (default: the run seed) seeds the route sets alone, so that runs with
    different seeds can fly the same routes (a sweep's points); ``build`` builds the geometry
    (a cache may return one built before for an equal compiled scenario).
    """
    if engine is EngineKind.FAST and scenario.engine.assignment is Assignment.OPTIMAL:
        expected = "greedy with the fast engine (optimal assignment needs the reference engine)"
        raise ScenarioError(
            scenario.name, [FieldProblem("engine.assignment", expected, "'optimal'")]
        )
    n_reps = scenario.monte_carlo.replications if replications is None else replications
    run_seed = scenario.monte_carlo.seed if seed is None else seed
    routes_from = run_seed if route_seed is None else route_seed
    compiled, geometry = prepare(scenario, routes_from, workers, n_reps, build=build)
    if adjust is not None:
        compiled = adjust(compiled)
    blocks = [np.arange(a, min(a + BLOCK_SIZE, n_reps)) for a in range(0, n_reps, BLOCK_SIZE)]
    results: list[RawOutcomes] = []

    def block(replications: np.ndarray) -> RawOutcomes:
        return simulate_replications(compiled, geometry, run_seed, replications, engine)

    # Threads, not processes: the numba event loop and the large numpy operations release
    # the GIL, and threads share the run's geometry instead of pickling it to every worker.
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        done = 0
        for replications_done, raw in zip(blocks, pool.map(block, blocks), strict=True):
            results.append(raw)
            done += replications_done.size
            if progress is not None:
                progress(done, n_reps)
    outcomes = tabulate(compiled, geometry, concat_raw(results))
    return Run(
        scenario=scenario,
        compiled=compiled,
        geometry=geometry,
        seed=run_seed,
        replications=n_reps,
        engine=engine,
        outcomes=outcomes,
    )
