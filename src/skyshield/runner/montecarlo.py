"""Monte Carlo replications of one scenario, on one or several worker threads.

Replications are cut into fixed blocks; each block's random inputs derive from the run seed and
the replication indices alone, and blocks are joined in index order, so the tables are identical
whatever the number of workers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np
import pandas as pd

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import draw_replications, route_set
from skyshield.engine.fast import simulate_fast
from skyshield.engine.geometry import (
    RaidGeometry,
    RouteSetsOnDemand,
    RunGeometry,
    build_geometry,
)
from skyshield.engine.outcomes import Outcomes, RawOutcomes, concat_raw, tabulate
from skyshield.engine.reference import simulate_reference
from skyshield.engine.zones import IntervalSets
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.runner.geometry_cache import GeometryCache
from skyshield.scenario.models import Assignment, Scenario
from skyshield.settings import EngineKind

__all__ = [
    "BLOCK_SIZE",
    "EngineKind",
    "GeometryBuilder",
    "Run",
    "StockAdjustment",
    "prepare",
    "route_sets",
    "run_own_routes_together",
    "run_replications",
    "simulate_replications",
]

# Replications per work unit: large enough to amortise process overhead, small enough for
# smooth progress and bounded memory (kill draws are n_threats x 16 floats per replication).
BLOCK_SIZE = 25

ProgressCallback = Callable[[int, int], None]
_B = TypeVar("_B")
# Builds a run's geometry: (compiled, route seed, route sets, threads), as build_geometry does.
GeometryBuilder = Callable[[CompiledScenario, int, int, int], RaidGeometry]
# issue 23 item 10: what an ``adjust`` may also do, each replication's starting rounds
StockRule = Callable[[CompiledScenario, np.ndarray], "np.ndarray | None"]


@runtime_checkable
class StockAdjustment(Protocol):
    """An ``adjust`` that also sets each replication's starting rounds (issue 23 item 10).

    A calibration's posture puts a unit in action only on some nights
    (:class:`skyshield.calibration.transfer.CalibratedPosture`): ``initial_stock`` returns
    (len(replications), n_units) rounds for the replication indices given (from the indices
    and its own seed alone, so the same whatever the blocks or workers), or None for the
    compiled scenario's stock.
    """

    def __call__(self, compiled: CompiledScenario) -> CompiledScenario:
        """Return the adjusted compiled scenario (its geometry unchanged)."""

    def initial_stock(
        self, compiled: CompiledScenario, replications: np.ndarray
    ) -> np.ndarray | None:
        """(len(replications), n_units) int64 rounds at the start of each night, or None."""


def stock_rule(adjust: Callable[[CompiledScenario], CompiledScenario] | None) -> StockRule | None:
    """Return ``adjust``'s per-replication starting rounds (:class:`StockAdjustment`), or None."""
    return adjust.initial_stock if isinstance(adjust, StockAdjustment) else None


@dataclass(frozen=True, slots=True)
class Run:
    """A finished Monte Carlo run: its inputs and its outcome tables."""

    scenario: Scenario
    compiled: CompiledScenario
    # every route set built, or (every night its own routes) flown again when read
    geometry: RunGeometry
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
    geometry_progress: ProgressCallback | None = None,
) -> tuple[CompiledScenario, RaidGeometry]:
    """Compile a scenario and build its route sets (from ``seed``) and engagement windows.

    ``replications`` (default: the scenario's) caps the route sets at one per night.
    ``geometry_progress``: called as the default builder builds (see :func:`build_geometry`).
    """
    compiled = compile_scenario(scenario)
    n_reps = scenario.monte_carlo.replications if replications is None else replications
    n_sets = route_sets(scenario, n_reps)
    if geometry_progress is not None and build is build_geometry:
        return compiled, build_geometry(compiled, seed, n_sets, workers, progress=geometry_progress)
    return compiled, build(compiled, seed, n_sets, workers)


def simulate_replications(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    seed: int,
    replications: np.ndarray,
    engine: EngineKind = EngineKind.FAST,
    stock: StockRule | None = None,
) -> RawOutcomes:
    """Simulate the given replication indices (one block, in this process).

    ``stock``: each replication's starting rounds (:func:`stock_rule`); None: the scenario's.
    """
    draws = draw_replications(compiled, seed, replications, geometry.n_realizations)
    initial = None if stock is None else stock(compiled, replications)
    if engine is EngineKind.REFERENCE:
        return simulate_reference(compiled, geometry, draws, initial)
    return simulate_fast(compiled, geometry, draws, initial)


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
    geometry_progress: ProgressCallback | None = None,
) -> Run:
    """Run a scenario's Monte Carlo replications and return the outcome tables.

    ``replications`` and ``seed`` default to the scenario's ``monte_carlo`` settings.
    ``adjust`` changes the compiled scenario after its geometry is built (a calibration's
    posture, kill probabilities, EW and losses, which leave the geometry as it is); an
    ``adjust`` that is a :class:`StockAdjustment` also sets each night's starting rounds.
    ``route_seed`` (default: the run seed) seeds the route sets alone, so that runs with
    different seeds can fly the same routes (a sweep's points); ``build`` builds the geometry
    (a cache may return one built before for an equal compiled scenario).
    ``geometry_progress`` is called as route sets are built before the nights (the default
    builder; ``(steps done, 2 × route sets)``) and ``progress`` as nights are done. Where
    every night flies its own routes (more than one block), each block builds its own route
    sets and drops them after (memory bounded by the block): they are then part of the nights'
    progress.
    """
    _check_engine(scenario, engine)
    n_reps = scenario.monte_carlo.replications if replications is None else replications
    run_seed = scenario.monte_carlo.seed if seed is None else seed
    routes_from = run_seed if route_seed is None else route_seed
    blocks = [np.arange(a, min(a + BLOCK_SIZE, n_reps)) for a in range(0, n_reps, BLOCK_SIZE)]
    n_sets = route_sets(scenario, n_reps)
    if own_routes_per_block(n_sets, n_reps, build):
        # every night its own routes: each block flies its own route sets and drops them
        flown = compile_scenario(scenario)
        compiled = flown if adjust is None else adjust(flown)
        stock = stock_rule(adjust)
        results = _run_blocks(
            blocks,
            lambda reps: _own_routes_block(
                flown, compiled, routes_from, run_seed, reps, engine, stock
            ),
            workers,
            n_reps,
            progress,
        )
        outcomes = concat_outcomes([r[0] for r in results])
        territory = tuple(t for r in results for t in r[1])
        geometry: RunGeometry = RouteSetsOnDemand(flown, routes_from, n_sets, territory)
    else:
        compiled, built = prepare(
            scenario, routes_from, workers, n_reps, build=build, geometry_progress=geometry_progress
        )
        if adjust is not None:
            compiled = adjust(compiled)
        raws = _run_blocks(
            blocks,
            lambda reps: simulate_replications(
                compiled, built, run_seed, reps, engine, stock_rule(adjust)
            ),
            workers,
            n_reps,
            progress,
        )
        outcomes = tabulate(compiled, built, concat_raw(raws))
        geometry = built
    return Run(
        scenario=scenario,
        compiled=compiled,
        geometry=geometry,
        seed=run_seed,
        replications=n_reps,
        engine=engine,
        outcomes=outcomes,
    )


def _check_engine(scenario: Scenario, engine: EngineKind) -> None:
    if engine is EngineKind.FAST and scenario.engine.assignment is Assignment.OPTIMAL:
        expected = "greedy with the fast engine (optimal assignment needs the reference engine)"
        raise ScenarioError(
            scenario.name, [FieldProblem("engine.assignment", expected, "'optimal'")]
        )


def own_routes_per_block(n_sets: int, n_reps: int, build: GeometryBuilder) -> bool:
    """Whether a run builds each block's route sets in its worker (see :func:`run_replications`).

    When every night flies its own routes (one route set per replication, more than one block)
    and the geometry is not taken from a caller's builder (a cache shares whole geometries).
    """
    return n_sets == n_reps > BLOCK_SIZE and build is build_geometry


def _run_blocks(
    blocks: list[np.ndarray],
    work: Callable[[np.ndarray], _B],
    workers: int,
    n_reps: int,
    progress: ProgressCallback | None,
) -> list[_B]:
    """Run ``work`` on every block, on ``workers`` threads; results in block order."""
    results: list[_B] = []
    # Threads, not processes: the numba event loop and the large numpy operations release
    # the GIL, and threads share the run's geometry instead of pickling it to every worker.
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        done = 0
        for replications_done, result in zip(blocks, pool.map(work, blocks), strict=True):
            results.append(result)
            done += replications_done.size
            if progress is not None:
                progress(done, n_reps)
    return results


def _own_routes_block(
    flown: CompiledScenario,
    compiled: CompiledScenario,
    route_seed: int,
    run_seed: int,
    replications: np.ndarray,
    engine: EngineKind,
    stock: StockRule | None = None,
) -> tuple[Outcomes, tuple[IntervalSets, ...]]:
    """One block of a run where every night flies its own routes, with its own route sets.

    Night ``r`` flies route set ``r``: the block's route sets are built here, on one thread
    (the workers run blocks side by side), from ``flown`` (the compiled scenario before any
    ``adjust``), simulated on and tabulated, and only their territory is kept. The tables are
    those of the whole run's geometry, row for row.
    """
    first, n = int(replications[0]), int(replications.size)
    geometry = build_geometry(flown, route_seed, n, 1, first=first)
    outcomes = _block_outcomes(compiled, geometry, run_seed, replications, engine, stock)
    return outcomes, geometry.territory


def _block_outcomes(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    run_seed: int,
    replications: np.ndarray,
    engine: EngineKind,
    stock: StockRule | None = None,
) -> Outcomes:
    """Simulate and tabulate one block on its own route sets (route set ``r - first``)."""
    first = int(replications[0])
    # replication r flies route set r (one per night), the block's r - first
    draws = draw_replications(compiled, run_seed, replications, int(replications[-1]) + 1)
    draws = dataclasses.replace(draws, realization=readonly(draws.realization - first))
    initial = None if stock is None else stock(compiled, replications)
    if engine is EngineKind.REFERENCE:
        raw = simulate_reference(compiled, geometry, draws, initial)
    else:
        raw = simulate_fast(compiled, geometry, draws, initial)
    outcomes = tabulate(compiled, geometry, raw)
    outcomes.threats["realization"] += first  # the run's route set, not the block's
    return outcomes


def run_own_routes_together(
    scenarios: Sequence[Scenario],
    *,
    replications: int,
    seed: int,
    workers: int = 1,
    engine: EngineKind = EngineKind.FAST,
    progress: ProgressCallback | None = None,
    adjust: Callable[[CompiledScenario], CompiledScenario] | None = None,
) -> list[Run]:
    """Run several scenarios on the same nights, every night its own routes, block by block.

    What :func:`run_replications` does for one scenario whose nights each fly their own routes
    (each block builds its route sets in its worker and drops them after), for several at
    once: a block's route sets are flown once for every scenario whose flights are the same,
    and its windows solved once for those whose whole geometry is the same (a
    :class:`~skyshield.runner.geometry_cache.GeometryCache` of the block's, dropped with it).
    So a comparison shares geometry between its policies as a cache of whole geometries did,
    with memory bounded by the block, not by the replications. Every run's tables equal
    :func:`run_replications`' of its scenario alone (same ``seed``, the routes from it), row
    for row, whatever ``workers``. ``progress``: (nights done, nights) as blocks complete.
    """
    for scenario in scenarios:
        _check_engine(scenario, engine)
        n_sets = route_sets(scenario, replications)
        if not own_routes_per_block(n_sets, replications, build_geometry):
            msg = (
                f"{scenario.name}: expected every night its own routes over more than one "
                f"block ({BLOCK_SIZE} nights), got {n_sets} route sets for {replications} nights"
            )
            raise ValueError(msg)
    flown = [compile_scenario(s) for s in scenarios]
    compiled = flown if adjust is None else [adjust(f) for f in flown]
    blocks = [
        np.arange(a, min(a + BLOCK_SIZE, replications)) for a in range(0, replications, BLOCK_SIZE)
    ]

    def block(reps: np.ndarray) -> list[tuple[Outcomes, tuple[IntervalSets, ...]]]:
        first, n = int(reps[0]), int(reps.size)
        cache = GeometryCache(flights=len(scenarios), geometries=len(scenarios))
        done = []
        for f, c in zip(flown, compiled, strict=True):
            geometry = cache(f, seed, n, 1, first=first)
            outcomes = _block_outcomes(c, geometry, seed, reps, engine, stock_rule(adjust))
            done.append((outcomes, geometry.territory))
        return done

    results = _run_blocks(blocks, block, workers, replications, progress)
    by_scenario = [[r[k] for r in results] for k in range(len(scenarios))]
    del results
    runs = []
    for k, scenario in enumerate(scenarios):
        done, by_scenario[k] = by_scenario[k], []  # each block's tables go once joined
        territory = tuple(t for d in done for t in d[1])
        runs.append(
            Run(
                scenario=scenario,
                compiled=compiled[k],
                geometry=RouteSetsOnDemand(flown[k], seed, replications, territory),
                seed=seed,
                replications=replications,
                engine=engine,
                outcomes=concat_outcomes([d[0] for d in done]),
            )
        )
    return runs


def concat_outcomes(blocks: list[Outcomes]) -> Outcomes:
    """Join blocks' outcome tables (in the given order) into one run's."""

    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    return Outcomes(
        threats=cat([b.threats for b in blocks]),
        shots=cat([b.shots for b in blocks]),
        stocks=cat([b.stocks for b in blocks]),
    )
