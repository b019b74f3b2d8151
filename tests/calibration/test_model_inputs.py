"""The night model's cheaper simulate: the same kernel inputs and counts as the engine's path."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.calibration.model import NAMES, NightEngine
from skyshield.catalog import ThreatClass
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.engine.draws import draw_replications
from skyshield.engine.fast import kernel_inputs, simulate_fast
from skyshield.engine.outcomes import Fate
from skyshield.posture import NightComposition

# two parameter points far apart, so that every field the parameters change differs
THETA_A = dict(zip(NAMES, (1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0), strict=True))
THETA_B = dict(zip(NAMES, (2.5, 0.3, 0.5, 4.0, 0.6, 0.5, 2.0, 2.6, 1.1, 0.2, 0.4), strict=True))


@pytest.fixture(scope="module")
def engine() -> NightEngine:
    return NightEngine(NightComposition(drone=150, cruise=12, ballistic=4, tactical=3), seed=4)


def _stock(engine: NightEngine, theta: dict[str, float], reps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    posture = engine.unit_posture(theta)
    active = rng.random((reps, posture.size)) < posture
    rounds = np.ceil(engine.compiled.unit_stock * np.maximum(posture, 1.0)).astype(np.int64)
    return np.where(active, rounds[None, :], 0)


def test_kernel_inputs__every_field_as_built_afresh(engine: NightEngine) -> None:
    """Kept fields come from a call under THETA_A; under THETA_B every field is as fresh."""
    first = engine.compiled_for(THETA_A)
    engine.kernel_inputs(
        first, draw_replications(first, 1, np.arange(3), 4), _stock(engine, THETA_A, 3, 1)
    )
    compiled = engine.compiled_for(THETA_B)
    draws = draw_replications(compiled, 7, np.arange(5), 4)
    stock = _stock(engine, THETA_B, 5, 2)
    ours = engine.kernel_inputs(compiled, draws, stock)
    fresh = kernel_inputs(compiled, engine.geometry, draws, stock)
    before = kernel_inputs(first, engine.geometry, draws, stock)
    changed = []
    for name in fresh._fields:
        a, b = getattr(ours, name), getattr(fresh, name)
        if isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=name, strict=True)
            if not np.array_equal(getattr(before, name), b):
                changed.append(name)
        elif name == "aew":
            for part in b._fields:
                np.testing.assert_array_equal(getattr(a, part), getattr(b, part), err_msg=part)
        else:
            assert a == b, name
    # the parameters moved what the cheaper path must replace (not a test of equal arrays only)
    assert {"unit_pk", "ew_lost_s", "fall_s", "threat_class", "unit_channels"} <= set(changed)


def test_simulate__counts_as_the_engines_own_path(engine: NightEngine) -> None:
    """Per class: the fates of :func:`simulate_fast` under the same draws and stock, summed."""
    reps, seed = 6, 31
    out = engine.simulate(THETA_B, reps, seed)
    compiled = engine.compiled_for(THETA_B)
    draws = draw_replications(compiled, seed, np.arange(reps), engine.route_sets)
    posture = engine.unit_posture(THETA_B)
    # the laydown's ground units, the route pool, then one draw per aircraft for its rows
    aircraft = np.isfinite(compiled.unit_on_s)
    base = int((~engine.route_pool & ~aircraft).sum())
    ground = int((~aircraft).sum())
    platform = compiled.unit_platform[aircraft] - ground
    u = np.concatenate(
        [
            np.random.default_rng([seed, 7]).random((reps, base)),
            np.random.default_rng([seed, 8]).random((reps, ground - base)),
            np.random.default_rng([seed, 9]).random((reps, platform.max() + 1))[:, platform],
        ],
        axis=1,
    )
    assert aircraft.any()  # the fixture's night flies fighters
    rounds = np.ceil(compiled.unit_stock * np.maximum(posture, 1.0)).astype(np.int64)
    stock = np.where(u < posture, rounds[None, :], 0)
    fate = simulate_fast(compiled, engine.geometry, draws, initial_stock=stock).fate
    decoy = compiled.threat_class == ThreatClass.DECOY.position
    lost = np.isin(fate, [Fate.LOST_TO_EW, Fate.FELL]) | ((fate == Fate.IMPACTED) & decoy)
    for k in range(len(REPORT_CLASSES)):
        mine = engine._report_class == k
        assert out.launched[:, k].tolist() == [int(mine.sum())] * reps
        np.testing.assert_array_equal(
            out.destroyed[:, k], (fate[:, mine] == Fate.INTERCEPTED).sum(axis=1)
        )
        np.testing.assert_array_equal(out.not_reach_goal[:, k], lost[:, mine].sum(axis=1))
    assert out.destroyed.sum() > 0
    assert out.not_reach_goal.sum() > 0
