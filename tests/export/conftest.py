"""A small run to export: the shipped western raid with at most 3 threats a wave."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engine.pieces import positions_at
from skyshield.runner.montecarlo import Run, run_replications
from skyshield.scenario import Scenario, load_scenario

REPLICATIONS = 3
SEED = 11


def small(name: str, per_wave: int = 3) -> Scenario:
    """A built-in scenario with each wave cut to ``per_wave`` threats (same routes and defences)."""
    scenario = load_scenario(name)
    waves = tuple(
        w.model_copy(update={"count": min(w.count, per_wave)}) for w in scenario.raid.waves
    )
    return scenario.model_copy(update={"raid": scenario.raid.model_copy(update={"waves": waves})})


@pytest.fixture(scope="package")
def run() -> Run:
    return run_replications(small("western-raid"), replications=REPLICATIONS, seed=SEED)


@pytest.fixture(scope="package")
def replication(run: Run) -> int:
    """The replication with the most interceptors fired (so intercept checks bite)."""
    counts = run.outcomes.shots.groupby("replication").size()
    return int(counts.idxmax())


def engine_positions(
    run: Run, replication: int, threat: int, time_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the engine puts a threat at times after the raid start: lon, lat (deg), alt (m)."""
    threats = run.outcomes.threats
    row = threats[(threats["replication"] == replication) & (threats["threat"] == threat)].iloc[0]
    pieces = run.geometry.pieces[int(row["realization"])]
    lon, lat, alt, _ = positions_at(
        pieces, np.full(time_s.shape, threat), np.asarray(time_s) - float(row["launch_time_s"])
    )
    return lon, lat, alt
