"""Emulator fit, likelihood and posterior: closed forms, exact recovery and parameter recovery."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.stats import betabinom

from skyshield.calibration.calibrate import quarters
from skyshield.calibration.fit import (
    FIT_NAMES,
    RHO_BOUNDS,
    NightData,
    Posterior,
    _betabinom_logpmf,
    fit_period,
    predictive_samples,
)
from skyshield.calibration.model import NAMES, PARAMETERS
from skyshield.calibration.surrogate import (
    Surrogate,
    _features,
    fit_surrogate,
    validate_surrogate,
)

from .conftest import SMALL_REPLICATIONS


def test_betabinom_logpmf__matches_scipy(rng: np.random.Generator) -> None:
    n = rng.integers(1, 300, 200)
    k = (rng.uniform(size=200) * (n + 1)).astype(int).clip(0, n)
    p = rng.uniform(0.01, 0.99, 200)
    rho = rng.uniform(1e-3, 0.5, 200)
    phi = 1 / rho - 1
    expected = betabinom.logpmf(k, n, p * phi, (1 - p) * phi)
    assert np.allclose(_betabinom_logpmf(k, n, p, rho), expected, atol=1e-9)


def test_fit_surrogate__recovers_an_exact_logit_quadratic(rng: np.random.Generator) -> None:
    """Design shares made by known coefficients; counts so large that the half-count correction
    and rounding vanish: without the ridge penalty the GLM must give back the same shares."""
    n = 600
    counts = np.column_stack(
        [
            rng.integers(10**5, 10**7, n),
            rng.integers(10**5, 10**7, n),
            rng.integers(10**5, 10**7, n),
            rng.integers(0, 10**5, n),  # tactical cruise, fewer than the cruise missiles
        ]
    ).astype(float)
    theta = np.column_stack([rng.uniform(p.low, p.high, n) for p in PARAMETERS])
    truth = Surrogate(rng.normal(0, 0.3, size=(3, 2, _features(counts, theta).shape[1])))
    destroyed, lost = truth.shares(counts, theta)
    design = pd.DataFrame(counts, columns=["drone", "cruise", "ballistic", "tactical"])
    for name, column in zip(NAMES, theta.T, strict=True):
        design[name] = column
    for k, cls in enumerate(["drone", "cruise", "ballistic"]):
        design[f"destroyed_{cls}"] = destroyed[:, k] * counts[:, k]
        design[f"lost_{cls}"] = lost[:, k] * counts[:, k]
    got_destroyed, got_lost = fit_surrogate(design, ridge=0.0).shares(counts, theta)
    assert np.abs(got_destroyed - destroyed).max() < 1e-3
    assert np.abs(got_lost - lost).max() < 1e-3


def test_validate_surrogate__emulator_error_on_unseen_compositions(
    small_design: pd.DataFrame,
) -> None:
    """Even a small design's emulator beats a constant guess on compositions it never saw, for
    drones and ballistic missiles. (Not for cruise missiles: their share depends on which
    targets a few missiles go to; the full design's cross-validation says so in the README.)"""
    table = validate_surrogate(small_design, SMALL_REPLICATIONS).set_index(["class", "quantity"])
    for key in (("drone", "destroyed"), ("drone", "lost")):
        assert table.loc[key, "rmse"] < 0.8 * table.loc[key, "spread"], table
    # ballistic shares hang on which targets 1-4 missiles go to: 48 compositions beat a
    # constant guess by a quarter (0.74 of the spread measured)
    key = ("ballistic", "destroyed")
    assert table.loc[key, "rmse"] < 0.9 * table.loc[key, "spread"], table
    assert (table["engine_se"] >= 0).all()


def _synthetic(surrogate: Surrogate, theta_true: np.ndarray, nights: int, seed: int) -> NightData:
    rng = np.random.default_rng(seed)
    launched = np.column_stack(
        [rng.integers(20, 400, nights), rng.integers(0, 60, nights), rng.integers(0, 12, nights)]
    )
    tactical = rng.binomial(launched[:, 1], 0.3)
    truth = Posterior("a", "b", nights, theta_true[None, :], theta_true[None, :], 1.0)
    counts = np.column_stack([launched, tactical])
    neutral, destroyed = predictive_samples(surrogate, truth, counts, draws=1, seed=seed)
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2025-01-01") + nights)
    return NightData(days, launched, neutral[0], destroyed[0] * 1.0, tactical)


@pytest.mark.parametrize(
    ("fits", "at_least"),
    [
        # one fit (`make test`): 17 intervals, Binomial(17, 0.9): P(< 12) < 1%
        pytest.param(1, 12, id="1-fit"),
        # six fits (`make test-slow`): 102 intervals, Binomial(102, 0.9): P(< 83) < 0.5%
        pytest.param(6, 83, id="6-fits", marks=pytest.mark.slow),
    ],
)
def test_fit_period__recovers_known_parameters_at_the_stated_rate(
    small_surrogate: Surrogate, fits: int, at_least: int
) -> None:
    """Synthetic reports from known parameters: each 90% interval holds the truth at about 90%.

    ``fits`` seeds × 17 parameters intervals; at a true 90% the count inside is
    Binomial(17 · fits, 0.9). The truth sits inside the prior box, away from its edges.
    """
    inside = 0
    total = 0
    for seed in range(fits):
        rng = np.random.default_rng(100 + seed)
        theta = np.array(
            [
                rng.uniform(p.low + 0.2 * (p.high - p.low), p.high - 0.2 * (p.high - p.low))
                for p in PARAMETERS
            ]
        )
        rho = rng.uniform(0.02, 0.2, 3)
        rho_small = np.exp(rng.uniform(np.log(0.05), np.log(2.0), 3))
        truth = np.concatenate([theta, rho, rho_small])
        data = _synthetic(small_surrogate, truth, nights=120, seed=seed)
        post = fit_period(small_surrogate, data, start="a", end="b", steps=1500, seed=seed)
        low, high = np.quantile(post.samples, [0.05, 0.95], axis=0)
        inside += int(np.sum((low <= truth) & (truth <= high)))
        total += truth.size
        # and the data inform: the drone overdispersion's interval is far narrower than its prior
        k = FIT_NAMES.index("rho_drone")
        assert np.log(high[k] / low[k]) < 0.25 * np.log(RHO_BOUNDS[1] / RHO_BOUNDS[0])
    assert total == fits * len(FIT_NAMES)
    assert inside >= at_least, f"{inside} of {total} 90% intervals hold the truth"


def test_posterior__round_trip_keeps_an_unbiased_subset(small_surrogate: Surrogate) -> None:
    samples = np.arange(10_000 * len(FIT_NAMES), dtype=float).reshape(10_000, -1)
    post = Posterior("2025-01-01", "2025-04-01", 90, samples, samples[:4], 0.3)
    back = Posterior.from_dict(post.to_dict(max_samples=400))
    assert back.samples.shape == (400, len(FIT_NAMES))
    # not every n-th row of the flat chain (that keeps few walkers): rows from all over
    rows = back.samples[:, 0].astype(int) // len(FIT_NAMES)  # the flat chain's row numbers
    assert len(np.unique(rows % 32)) > 16  # of the 32 walkers
    assert back.start == "2025-01-01"
    assert back.nights == 90


def test_quarters__calendar_quarters_cut_at_the_end() -> None:
    assert quarters(date(2022, 9, 28), date(2023, 2, 15)) == [
        (date(2022, 7, 1), date(2022, 10, 1)),
        (date(2022, 10, 1), date(2023, 1, 1)),
        (date(2023, 1, 1), date(2023, 2, 15)),
    ]


def test_overdispersion__falls_with_the_salvo_to_its_floor() -> None:
    from skyshield.calibration.fit import RHO_MAX, overdispersion

    rho = np.array([0.1, 0.02, 0.3])
    small = np.array([1.0, 1.5, 0.0])
    got = overdispersion(rho, small, np.array([[1, 2, 4], [50, 100, 1000]]))
    # by hand: 0.1 + 1/1 capped at 0.95; 0.02 + 1.5/2 = 0.77; 0.3 + 0 = 0.3;
    # 0.1 + 1/50 = 0.12; 0.02 + 1.5/100 = 0.035; 0.3
    assert np.allclose(got, [[RHO_MAX, 0.77, 0.3], [0.12, 0.035, 0.3]])
    assert overdispersion(rho, small, np.zeros((1, 3)))[0, 0] == RHO_MAX  # no salvo: as n = 1


def test_log_likelihood__beta_binomial_terms_by_hand(small_surrogate: Surrogate) -> None:
    """Every class's neutralised ~ BetaBinomial(L, p_N, ρ(L)); on split nights every class's
    destroyed | neutralised ~ BetaBinomial(N, p_D / p_N, ρ(N)); each term times its weight.
    scipy's betabinom with a = p (1/ρ - 1), b = (1 - p)(1/ρ - 1)."""
    from scipy.stats import betabinom

    from skyshield.calibration.fit import RHO_MAX, log_likelihood

    theta = np.array([p.low + 0.3 * (p.high - p.low) for p in PARAMETERS])
    rho, rho_small = np.array([0.05, 0.1, 0.2]), np.array([0.5, 1.0, 0.3])
    params = np.concatenate([theta, np.log(rho), np.log(rho_small)])
    data = _synthetic(small_surrogate, np.concatenate([theta, rho, rho_small]), 8, 5)
    launched, neutral, destroyed = data.launched.copy(), data.neutralised, data.destroyed.copy()
    launched[2, 2] = 0  # a class not launched that night adds nothing
    destroyed[1, 0] = np.nan  # a night whose report does not split the drones' fates
    data = NightData(data.nights, launched, neutral, destroyed, data.tactical)
    split = data.split
    weights = np.random.default_rng(1).uniform(0.2, 2.0, (8, 3))
    shot, lost = small_surrogate.shares(data.counts, theta)

    def term(k: int, n: int, p: float, r: float) -> float:
        phi = 1.0 / r - 1.0
        return float(betabinom.logpmf(k, n, p * phi, (1.0 - p) * phi))

    expected = 0.0
    for night in range(8):
        for c in range(3):
            if launched[night, c] > 0:
                r = min(rho[c] + rho_small[c] / launched[night, c], RHO_MAX)
                p = shot[night, c] + lost[night, c]
                expected += weights[night, c] * term(neutral[night, c], launched[night, c], p, r)
            # issue 23: the split is scored for every class (missiles are lost too)
            if split[night, c] and neutral[night, c] > 0:
                r = min(rho[c] + rho_small[c] / neutral[night, c], RHO_MAX)
                q = shot[night, c] / (shot[night, c] + lost[night, c])
                expected += weights[night, c] * term(destroyed[night, c], neutral[night, c], q, r)
    assert log_likelihood(small_surrogate, data, params, weights) == pytest.approx(
        expected, rel=1e-9
    )


def test_log_likelihood__a_weight_of_two_counts_a_night_twice(small_surrogate: Surrogate) -> None:
    """The power likelihood: weighing night i by 2 equals the data with night i repeated."""
    from skyshield.calibration.fit import log_likelihood

    theta = np.array([0.5 * (p.low + p.high) for p in PARAMETERS])
    params = np.concatenate([theta, np.log([0.05, 0.1, 0.2]), np.log([0.5, 1.0, 0.3])])
    data = _synthetic(
        small_surrogate, np.concatenate([theta, [0.05, 0.1, 0.2], [0.5, 1.0, 0.3]]), 12, 4
    )
    twice = np.r_[np.arange(12), 3]  # night 3 twice
    repeated = NightData(
        data.nights[twice],
        data.launched[twice],
        data.neutralised[twice],
        data.destroyed[twice],
        data.tactical[twice],
    )
    weights = np.ones((12, 3))
    weights[3] = 2.0
    got = log_likelihood(small_surrogate, data, params, weights)
    assert np.isclose(got, log_likelihood(small_surrogate, repeated, params))
    assert np.isclose(
        log_likelihood(small_surrogate, data, params, np.ones((12, 3))),
        log_likelihood(small_surrogate, data, params),
    )
    assert not np.isclose(got, log_likelihood(small_surrogate, data, params))
    # a class's weight acts on that class only: zero the cruise column, then cruise outcomes
    # no longer matter
    no_cruise = np.ones((12, 3))
    no_cruise[:, 1] = 0.0
    other = NightData(
        data.nights,
        data.launched,
        data.neutralised * np.array([1, 0, 1]),
        data.destroyed * np.array([1, 0, 1]),
        data.tactical,
    )
    assert np.isclose(
        log_likelihood(small_surrogate, data, params, no_cruise),
        log_likelihood(small_surrogate, other, params, no_cruise),
    )


def test_forgetting_weights__halve_every_half_life() -> None:
    from skyshield.calibration.fit import forgetting_weights

    nights = np.array(["2025-03-31", "2025-03-02", "2025-01-30", "2025-04-05"], "datetime64[D]")
    half_lives = {"drone": 30.0, "cruise": 7.0, "ballistic": None}
    got = forgetting_weights(nights, np.datetime64("2025-04-01"), half_lives)
    # ages 1, 30, 61 days (a night after the origin: 0); per class 2^(-age / half-life)
    assert np.allclose(got[:, 0], [2 ** (-1 / 30), 0.5, 2 ** (-61 / 30), 1.0])
    assert np.allclose(got[:, 1], [2 ** (-1 / 7), 2 ** (-30 / 7), 2 ** (-61 / 7), 1.0])
    assert np.array_equal(got[:, 2], np.ones(4))  # None: not forgotten
