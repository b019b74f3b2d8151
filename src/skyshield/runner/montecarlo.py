"""Monte Carlo replications of one scenario, on one or several worker processes.

Replications are cut into fixed blocks; each block's random inputs derive from the run seed and
the replication indices alone, and blocks are joined in index order, so the tables are identical
whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import draw_replications
from skyshield.engine.fast import simulate_fast
from skyshield.engine.geometry import RaidGeometry, build_geometry
from skyshield.engine.outcomes import Outcomes, RawOutcomes, concat_raw, tabulate
from skyshield.engine.reference import simulate_reference
from skyshield.scenario.models import Scenario

__all__ = [
    "BLOCK_SIZE",
    "EngineKind",
    "Run",
    "prepare",
    "run_replications",
    "simulate_replications",
]

# Replications per work unit: large enough to amortise process overhead, small enough for
# smooth progress and bounded memory (kill draws are n_threats x 16 floats per replication).
BLOCK_SIZE = 25

ProgressCallback = Callable[[int, int], None]


class EngineKind(StrEnum):
    """Which engine simulates the replications."""

    FAST = "fast"
    REFERENCE = "reference"


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


def prepare(scenario: Scenario, seed: int) -> tuple[CompiledScenario, RaidGeometry]:
    """Compile a scenario and build its route realizations and engagement windows."""
    compiled = compile_scenario(scenario)
    geometry = build_geometry(compiled, seed, scenario.monte_carlo.route_realizations)
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


_WORKER_STATE: dict[str, object] = {}


def _init_worker(
    compiled: CompiledScenario, geometry: RaidGeometry, seed: int, engine: EngineKind
) -> None:
    # Each worker process keeps its own read-only copy of the run's inputs.
    _WORKER_STATE.update(compiled=compiled, geometry=geometry, seed=seed, engine=engine)


def _run_block(replications: np.ndarray) -> RawOutcomes:
    state = _WORKER_STATE
    return simulate_replications(
        state["compiled"],  # type: ignore[arg-type]
        state["geometry"],  # type: ignore[arg-type]
        state["seed"],  # type: ignore[arg-type]
        replications,
        state["engine"],  # type: ignore[arg-type]
    )


def run_replications(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    engine: EngineKind = EngineKind.FAST,
    progress: ProgressCallback | None = None,
) -> Run:
    """Run a scenario's Monte Carlo replications and return the outcome tables.

    ``replications`` and ``seed`` default to the scenario's ``monte_carlo`` settings.
    """
    n_reps = scenario.monte_carlo.replications if replications is None else replications
    run_seed = scenario.monte_carlo.seed if seed is None else seed
    compiled, geometry = prepare(scenario, run_seed)
    blocks = [np.arange(a, min(a + BLOCK_SIZE, n_reps)) for a in range(0, n_reps, BLOCK_SIZE)]
    results: list[RawOutcomes] = []
    if workers <= 1 or len(blocks) == 1:
        for block in blocks:
            results.append(simulate_replications(compiled, geometry, run_seed, block, engine))
            if progress is not None:
                progress(int(block[-1]) + 1, n_reps)
    else:
        with ProcessPoolExecutor(
            max_workers=workers,
            initializer=_init_worker,
            initargs=(compiled, geometry, run_seed, engine),
        ) as pool:
            done = 0
            for block, raw in zip(blocks, pool.map(_run_block, blocks), strict=True):
                results.append(raw)
                done += block.size
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
