"""Which rounds hit and which one kills (:func:`skyshield.engine.outcomes.shot_effects`): by
hand on made-up engine output, and as invariants of real runs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from skyshield.engine.outcomes import Fate, RawOutcomes, shot_effects
from skyshield.runner.montecarlo import run_replications
from skyshield.scenario import load_scenario


def _raw(
    fate: list[Fate],
    fate_s: list[float],
    fate_unit: list[int],
    shots: list[tuple[int, int, float, bool]],
) -> RawOutcomes:
    """One night; ``shots`` as (unit, threat, intercept time, kill draw succeeded)."""
    n_threats, n_shots = len(fate), len(shots)
    unit, threat, tau, hit = (np.asarray(c) for c in zip(*shots, strict=True))
    return RawOutcomes(
        replications=np.array([0]),
        realization=np.zeros((1, n_threats), dtype=np.int64),
        launch_step=np.zeros((1, n_threats), dtype=np.int64),
        fate=np.array([fate], dtype=np.int8),
        fate_s=np.array([fate_s]),
        fate_unit=np.array([fate_unit], dtype=np.int32),
        initial_stock=np.zeros((1, 2), dtype=np.int64),
        final_stock=np.zeros((1, 2), dtype=np.int64),
        shot_rep=np.zeros(n_shots, dtype=np.int32),
        shot_unit=unit.astype(np.int32),
        shot_threat=threat.astype(np.int32),
        shot_step=np.zeros(n_shots, dtype=np.int64),
        shot_intercept_s=tau.astype(np.float64),
        shot_hit=hit.astype(bool),
    )


def test_shot_effects__by_hand() -> None:
    raw = _raw(
        fate=[Fate.INTERCEPTED, Fate.LOST_TO_EW, Fate.INTERCEPTED],
        fate_s=[100.0, 50.0, 300.0],
        fate_unit=[1, -1, 0],
        shots=[
            (0, 0, 80.0, False),  # threat 0: a miss by unit 0, then a salvo of unit 1
            (1, 0, 100.0, True),  # both rounds of the salvo hit: one kill, the first
            (1, 0, 100.0, True),
            (0, 1, 60.0, True),  # threat 1 was lost to EW at 50 s: the round finds nothing
            (0, 1, 40.0, True),  # ... but one arriving before the loss did hit (and the
            # engine kept the EW fate only because this made-up night says so)
            (0, 2, 300.0, False),  # threat 2: first round missed, second killed
            (0, 2, 300.0, True),
        ],
    )
    hit, kill = shot_effects(raw)
    assert hit.tolist() == [False, True, True, False, True, False, True]
    assert kill.tolist() == [False, True, False, False, False, False, True]


@pytest.mark.parametrize("name", ["western-raid", "default"])
def test_shot_effects__kills_per_unit_are_threats_intercepted(name: str) -> None:
    """Every intercepted threat has exactly one kill, by its fate's unit at its fate's time; no
    round hits a threat already lost to EW; so the units' kills add up to intercepted."""
    outcomes = run_replications(load_scenario(name), replications=40, seed=7).outcomes
    threats, shots = outcomes.threats, outcomes.shots
    keys = ["replication", "threat"]
    joined = shots.merge(threats[[*keys, "fate", "time_s", "unit"]], on=keys, suffixes=("", "_f"))
    lost = joined["fate"] == Fate.LOST_TO_EW.label
    assert not (joined["hit"] & lost & (joined["time_s"] <= joined["intercept_time_s"])).any()
    killed = joined[joined["kill"]]
    assert (killed["fate"] == Fate.INTERCEPTED.label).all()
    assert (killed["unit"].astype(str) == killed["unit_f"].astype(str)).all()
    assert not killed.duplicated(keys).any()
    intercepted = threats[threats["fate"] == Fate.INTERCEPTED.label]
    assert len(killed) == len(intercepted) > 0

    def per_unit(table: pd.DataFrame) -> dict[tuple[int, str], int]:
        pairs = zip(table["replication"], table["unit"].astype(str), strict=True)
        return dict(Counter(pairs))

    assert per_unit(killed) == per_unit(intercepted)
    # the case the user found: salvo rounds that both hit (else this test guards nothing new)
    assert (shots["hit"] & ~shots["kill"]).any()
