"""Issue 23 items 2, 4, 8: the low-cost layers tasked with the raid and grown over time, the
missiles' fitted losses, and counterfactuals that stay physical under a posterior."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.calibration.fit import FIT_NAMES, fit_period
from skyshield.calibration.model import (
    NAMES,
    PARAMETERS,
    TASKING_REFERENCE_DRONES,
    NightEngine,
    tasking_factor,
)
from skyshield.calibration.surrogate import Surrogate
from skyshield.calibration.tasking import ROLLOUT, night_parameters, rollout_factor
from skyshield.posture import FAMILIES, NightComposition

from .test_fit import _synthetic

BASE = {
    "pk_drone": 1.0,
    "pk_cruise": 1.0,
    "pk_ballistic": 1.0,
    "ew": 1.0,
    "decoy_share": 0.0,
    "posture_long": 1.0,
    "posture_medium": 1.0,
    "posture_short": 1.0,
    "tasking_beta": 0.0,
    "loss_cruise": 0.0,
    "fail_ballistic": 0.0,
}


@pytest.fixture(scope="module")
def engine() -> NightEngine:
    return NightEngine(NightComposition(drone=60, cruise=12, ballistic=6), route_sets=1, seed=4)


def test_parameters__new_ones_at_the_end_with_zero_in_the_tasking_box() -> None:
    assert NAMES[-3:] == ("tasking_beta", "loss_cruise", "fail_ballistic")
    beta = PARAMETERS[NAMES.index("tasking_beta")]
    assert beta.low < 0.0 < beta.high  # 0 = the fixed layer of before


def test_tasking_factor__by_hand() -> None:
    assert float(tasking_factor(TASKING_REFERENCE_DRONES, 0.8)) == pytest.approx(1.0)
    assert float(tasking_factor(400.0, 0.5)) == pytest.approx(2.0)
    assert float(tasking_factor(25.0, 1.0)) == pytest.approx(0.25)
    assert float(tasking_factor(0.0, 1.0)) == pytest.approx(0.01)  # no drones: one
    assert float(tasking_factor(800.0, 0.0)) == 1.0


def test_unit_posture__only_the_short_family_follows_the_raid() -> None:
    small = NightEngine(NightComposition(drone=25, cruise=0, ballistic=1), route_sets=1, seed=1)
    theta = {**BASE, "posture_short": 2.0, "posture_medium": 0.7, "tasking_beta": 1.0}
    got = small.unit_posture(theta)
    short = (small.families == FAMILIES.index("short")) & ~small.route_pool
    medium = small.families == FAMILIES.index("medium")
    assert np.allclose(got[short], 2.0 * 25 / TASKING_REFERENCE_DRONES)
    assert np.allclose(got[medium], 0.7)
    fixed = small.unit_posture({**theta, "tasking_beta": 0.0})
    assert np.allclose(fixed[short], 2.0)


def test_night_engine__tasked_layer_kills_a_larger_share_of_a_larger_raid() -> None:
    """The mechanism, not a fitted slope: with tasking (beta 1) a 300-drone raid's destroyed
    share is higher than with the fixed layer (beta 0); at the reference size they agree."""
    big = NightEngine(NightComposition(drone=300, cruise=0, ballistic=0), route_sets=1, seed=2)
    fixed = big.simulate(BASE, 8, seed=3).destroyed[:, 0].mean()
    tasked = big.simulate({**BASE, "tasking_beta": 1.0}, 8, seed=3).destroyed[:, 0].mean()
    assert tasked > fixed + 3.0, (fixed, tasked)
    ref = NightEngine(NightComposition(drone=100, cruise=0, ballistic=0), route_sets=1, seed=2)
    a = ref.simulate(BASE, 4, seed=3).destroyed
    b = ref.simulate({**BASE, "tasking_beta": 1.0}, 4, seed=3).destroyed
    assert np.array_equal(a, b)


def test_night_engine__missiles_lost_only_with_their_fitted_loss(engine: NightEngine) -> None:
    """No fitted loss: no missile lost (no EW on missiles); with it, cruise and ballistic
    missiles fall (locationally lost). Ballistic: with the defences' kill probabilities near
    0, the share lost is the per-flight failure chance."""
    none = engine.simulate({**BASE, "ew": 0.0}, 16, seed=5).not_reach_goal.mean(axis=0)
    assert none[1:].tolist() == [0.0, 0.0]
    theta = {**BASE, "ew": 0.0, "loss_cruise": 0.3, "fail_ballistic": 0.4}
    some = engine.simulate(theta, 16, seed=5).not_reach_goal.mean(axis=0)
    assert some[1] > 0.5  # of 12 cruise missiles, ~1-3 h flights at 0.3/h
    alone = engine.simulate({**theta, "pk_ballistic": 0.02}, 64, seed=5).not_reach_goal
    share = alone[:, 2].mean() / 6
    assert 0.3 < share < 0.5, share  # 0.4 per flight; sd of the mean ~0.025


def test_rollout__dated_counts_log_linear_flat_outside() -> None:
    (d0, n0), (d1, n1) = ROLLOUT[0], ROLLOUT[-1]
    at = np.array([d0, d1, "2020-01-01", "2026-01-01"], dtype="datetime64[D]")
    got = rollout_factor(at)
    assert got == pytest.approx([n0 / n1, 1.0, n0 / n1, 1.0])
    mid = np.datetime64(d0) + (np.datetime64(d1) - np.datetime64(d0)) // 2
    assert float(rollout_factor(np.array([mid]))[0]) == pytest.approx(
        np.sqrt(n0 * n1) / n1, rel=1e-3
    )


def test_night_parameters__rollout_scales_posture_short_only() -> None:
    theta = np.array([BASE[n] for n in NAMES]) * 1.0
    theta[NAMES.index("posture_short")] = 2.0
    nights = np.array([ROLLOUT[0][0], ROLLOUT[-1][0]], dtype="datetime64[D]")
    got = night_parameters(theta, nights)
    k = NAMES.index("posture_short")
    assert got[:, k] == pytest.approx([2.0 * ROLLOUT[0][1] / ROLLOUT[-1][1], 2.0])
    others = np.delete(got, k, axis=1)
    assert np.array_equal(others, np.delete(np.tile(theta, (2, 1)), k, axis=1))


# --- item 8: counterfactuals under a posterior -------------------------------------------------


def _synthetic_posterior(n: int, seed: int) -> np.ndarray:
    """``n`` parameter points drawn in the middle of the prior box (a stand-in posterior)."""
    rng = np.random.default_rng(seed)
    low = np.array([p.low for p in PARAMETERS])
    high = np.array([p.high for p in PARAMETERS])
    return low + (high - low) * rng.uniform(0.15, 0.85, size=(n, len(PARAMETERS)))


def _means(engine: NightEngine, theta: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    out = engine.simulate(theta, 12, seed=11)
    return out.neutralised.mean(axis=0), out.not_reach_goal.mean(axis=0)


def test_counterfactuals__more_interceptors_more_ew_never_worse(engine: NightEngine) -> None:
    """Under every sampled parameter point: doubling every family's interceptors (rounds,
    channels; short units also co-located shots) never lowers a class's mean neutralised, and
    doubling EW never lowers the drones' mean lost. Common random numbers; a tolerance of 0.5
    threat for the replications' noise (12 replications)."""
    for values in _synthetic_posterior(4, seed=21):
        theta = dict(zip(NAMES, values, strict=True))
        neutral, lost = _means(engine, theta)
        more = {
            **theta,
            **{f"posture_{f}": max(2.0 * theta[f"posture_{f}"], 1.0) for f in FAMILIES},
        }
        neutral_more, _ = _means(engine, more)
        assert np.all(neutral_more >= neutral - 0.5), (theta, neutral, neutral_more)
        _, lost_ew = _means(engine, {**theta, "ew": 2.0 * theta["ew"]})
        assert lost_ew[0] >= lost[0] - 0.5, (theta, lost, lost_ew)


def test_counterfactuals__no_patriot_fewer_ballistic_neutralised() -> None:
    """Removing the laydown's Patriot units (the long family's ballistic defence) lowers the
    ballistic missiles' mean neutralised under every sampled parameter point."""
    night = NightEngine(NightComposition(drone=20, cruise=0, ballistic=16), route_sets=1, seed=6)
    patriot = np.array([u.system.startswith("patriot") for u in night.scenario.fire_units])
    assert patriot.any()
    for values in _synthetic_posterior(3, seed=22):
        theta = {**dict(zip(NAMES, values, strict=True)), "pk_ballistic": 1.0}
        theta["posture_long"] = max(theta["posture_long"], 1.0)
        with_patriots = night.simulate(theta, 16, seed=12).neutralised[:, 2].mean()
        posture = night.unit_posture
        night.unit_posture = lambda t, p=posture: np.where(patriot, 0.0, p(t))  # type: ignore[method-assign]
        try:
            without = night.simulate(theta, 16, seed=12).neutralised[:, 2].mean()
        finally:
            del night.unit_posture
        assert without < with_patriots, (theta, with_patriots, without)


# --- recovery of the exponent and of the slope's sign -----------------------------------------


def _slope(surrogate: Surrogate, theta: np.ndarray) -> float:
    """Destroyed share of drones at 500 minus at 50 drones (no missiles), through the
    emulator: the sign of the share-vs-size slope the parameters imply."""
    counts = np.array([[50, 0, 0, 0], [500, 0, 0, 0]], dtype=float)
    destroyed, _ = surrogate.shares(counts, theta)
    return float(destroyed[1, 0] - destroyed[0, 0])


@pytest.mark.slow
def test_fit__recovers_the_tasking_exponent_and_the_slope_sign(
    small_surrogate: Surrogate,
) -> None:
    """Synthetic reports from the model with a known exponent (one low, one high): the
    posterior median's exponent is on the truth's side of the middle of the box and its 99%
    interval holds the truth (a 90% one would miss one of the two truths 19% of the time even
    for a right fit), and the share-vs-size slope the fit implies has the truth's sign
    wherever the truth's slope is clearly non-zero."""
    k = NAMES.index("tasking_beta")
    box = PARAMETERS[k]
    middle = 0.5 * (box.low + box.high)
    for seed, beta in ((0, -0.1), (1, 1.1)):
        theta = np.array([0.5 * (p.low + p.high) for p in PARAMETERS])
        theta[k] = beta
        truth = np.concatenate([theta, [0.05, 0.05, 0.05], [0.2, 0.2, 0.2]])
        data = _synthetic(small_surrogate, truth, nights=150, seed=40 + seed)
        # nights in 2025: after the rollout's last count, so its factor is 1 (as generated)
        post = fit_period(small_surrogate, data, start="a", end="b", steps=1200, seed=seed)
        got = post.samples[:, FIT_NAMES.index("tasking_beta")]
        low, median, high = np.quantile(got, [0.005, 0.5, 0.995])
        assert low <= beta <= high, (beta, low, high)
        assert (median - middle) * (beta - middle) > 0, (beta, median)
        true_slope = _slope(small_surrogate, theta)
        fitted = np.median(post.samples[:, : len(NAMES)], axis=0)
        if abs(true_slope) > 0.02:
            assert np.sign(_slope(small_surrogate, fitted)) == np.sign(true_slope)
