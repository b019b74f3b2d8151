"""The predictive spread's decomposition and the centre's bias table (#23)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.dispersion import ml_dispersion, with_dispersion
from skyshield.calibration.fit import (
    FIT_NAMES,
    NAMES,
    NightData,
    Posterior,
    overdispersion,
    predictive_samples,
)
from skyshield.calibration.spread import bias_table, decompose, spread_table
from skyshield.calibration.surrogate import Surrogate, _features
from skyshield.catalog.types import REPORT_CLASSES

_PK_DRONE = 1 + 4  # the features: 1, the four scaled counts, then the parameters


def sloped_surrogate(intercept: float = 1.0, slope: float = 2.0) -> Surrogate:
    """Drones' logit share destroyed = intercept + slope × scaled pk_drone; nothing lost.

    The missiles' shares are 0.5 destroyed (logit 0).
    """
    n_features = _features(np.zeros((1, 4)), np.ones((1, len(NAMES)))).shape[1]
    coefficients = np.zeros((len(REPORT_CLASSES), 2, n_features))
    coefficients[0, 0, 0] = intercept
    coefficients[0, 0, _PK_DRONE] = slope
    coefficients[:, 1, 0] = -40.0  # no share lost
    return Surrogate(coefficients)


def posterior_of(rows: np.ndarray) -> Posterior:
    return Posterior("2025-01-01", "2025-02-01", 30, rows, rows[:4], 0.3)


def spread_posterior(rng: np.random.Generator, n: int = 300) -> Posterior:
    """pk_drone uncertain, ρ uncertain: every part of the spread is there."""
    rows = np.full((n, len(FIT_NAMES)), 0.5)
    rows[:, NAMES.index("pk_drone")] = rng.uniform(0.5, 2.5, n)
    rows[:, len(NAMES)] = rng.uniform(0.01, 0.08, n)  # rho_drone
    rows[:, len(NAMES) + 3] = rng.uniform(0.0, 1.0, n)  # rho_small_drone
    rows[:, len(NAMES) + 1 : len(NAMES) + 3] = 0.02
    rows[:, len(NAMES) + 4 :] = 0.1
    return posterior_of(rows)


def test_decompose__the_parts_sum_to_the_predictive_variance() -> None:
    """Law of total variance: binomial + overdispersion + parameter = Var of the draws."""
    rng = np.random.default_rng(4)
    posterior = spread_posterior(rng)
    surrogate = sloped_surrogate()
    counts = np.array([[20, 3, 0, 0], [150, 0, 2, 0]])
    parts = decompose(surrogate, posterior, counts)
    neutral, _ = predictive_samples(surrogate, posterior, counts, draws=8_000, seed=2)
    for r in parts.itertuples():
        night = int(str(r.date))  # without dates: the night's index
        k = REPORT_CLASSES.index(str(r._2))
        draws = neutral[:, night, k]
        total = r.binomial + r.overdispersion + r.parameter
        assert draws.mean() == pytest.approx(r.mean, rel=0.02, abs=0.05)
        assert draws.var() == pytest.approx(total, rel=0.08), (r._2, r.launched)
    drone_big = parts[(parts["class"] == "drone") & (parts["launched"] == 150)].iloc[0]
    # every part is there and the parameter's share is what pk_drone's spread gives
    assert drone_big["parameter"] > drone_big["binomial"] > 0
    assert drone_big["overdispersion"] > drone_big["binomial"]


def test_decompose__no_parameter_part_without_posterior_spread() -> None:
    """One posterior point repeated: the parameter part is 0; ρ 0: no overdispersion."""
    row = np.full(len(FIT_NAMES), 0.5)
    row[len(NAMES) :] = 1e-9
    parts = decompose(
        sloped_surrogate(), posterior_of(np.tile(row, (10, 1))), np.array([[80, 0, 0, 0]])
    )
    assert parts["parameter"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert parts["overdispersion"].iloc[0] == pytest.approx(0.0, abs=1e-4)
    p = parts["mean"].iloc[0] / 80
    assert parts["binomial"].iloc[0] == pytest.approx(80 * p * (1 - p))
    table = spread_table(parts)
    assert table["share_binomial"].iloc[0] == pytest.approx(1.0)


def test_bias_table__hand_checked() -> None:
    nights = pd.DataFrame(
        {
            "class": ["drone"] * 3 + ["cruise"],
            "target": ["neutralised"] * 4,
            "launched": [50, 60, 200, 2],
            "reported": [40, 50, 150, 1],
            "median": [45.0, 49.0, 160.0, 2.0],
            "baseline_median": [40.0, 52.0, 150.0, 1.0],
        }
    )
    table = bias_table(nights).set_index(["class", "launched"])
    row = table.loc[("drone", "30-99")]
    assert row["nights"] == 2
    assert row["bias"] == pytest.approx((5 - 1) / 2)
    assert row["bias_share"] == pytest.approx(4 / 110)
    assert row["mae"] == pytest.approx(3.0)
    assert row["baseline_mae"] == pytest.approx(1.0)
    assert table.loc[("drone", "100-299"), "bias"] == pytest.approx(10.0)
    assert table.loc[("cruise", "1-2"), "bias"] == pytest.approx(1.0)


def _synthetic_nights(
    rng: np.random.Generator, theta_row: np.ndarray, rho: float, rho_small: float, n: int
) -> NightData:
    """Drone nights drawn from the sloped emulator's model at θ with known overdispersion."""
    launched = np.zeros((n, 3), dtype=np.int64)
    launched[:, 0] = np.round(np.exp(rng.uniform(np.log(10), np.log(300), n)))
    counts = np.column_stack([launched, np.zeros(n, dtype=np.int64)])
    destroyed, lost = sloped_surrogate().shares(counts, theta_row[: len(NAMES)])
    p = destroyed[:, 0] + lost[:, 0]
    r = overdispersion(np.array(rho), np.array(rho_small), launched[:, 0])
    phi = 1 / r - 1
    neutralised = np.zeros_like(launched)
    neutralised[:, 0] = rng.binomial(launched[:, 0], rng.beta(p * phi, (1 - p) * phi))
    nights = np.datetime64("2025-01-01") + np.arange(n).astype("timedelta64[D]")
    return NightData(nights, launched, neutralised, np.full((n, 3), np.nan), np.zeros(n, int))


def _true_row(rho: float, rho_small: float) -> np.ndarray:
    row = np.full(len(FIT_NAMES), 0.5)
    row[len(NAMES) : len(NAMES) + 3] = rho
    row[len(NAMES) + 3 :] = rho_small
    return row


def test_ml_dispersion__recovers_the_known_overdispersion() -> None:
    """Nights drawn with ρ 0.05, ρ_small 2; the posterior's ρ terms start far off (0.3, 0.01):
    maximum likelihood finds ρ(n) of the drawn nights again."""
    rng = np.random.default_rng(7)
    data = _synthetic_nights(rng, _true_row(0.05, 2.0), 0.05, 2.0, 600)
    wrong = posterior_of(np.tile(_true_row(0.3, 0.01), (6, 1)))
    rho, rho_small = ml_dispersion(sloped_surrogate(), wrong, data)
    assert rho[0] == pytest.approx(0.05, rel=0.25)
    for n in (20, 100, 300):  # the night's ρ(n) over the drawn range
        assert rho[0] + rho_small[0] / n == pytest.approx(0.05 + 2.0 / n, rel=0.2), n
    # no missile nights: their terms are the posterior's
    assert rho[1] == pytest.approx(0.3)
    fitted = with_dispersion(wrong, rho, rho_small)
    assert np.all(fitted.samples[:, len(NAMES)] == rho[0])


def test_predictive__known_model_covers_90_percent() -> None:
    """The predictive of the true model (θ, ρ known): its 90% intervals hold ~90% of new nights."""
    rng = np.random.default_rng(11)
    row = _true_row(0.03, 1.0)
    data = _synthetic_nights(rng, row, 0.03, 1.0, 400)
    neutral, _ = predictive_samples(
        sloped_surrogate(), posterior_of(np.tile(row, (8, 1))), data.counts, draws=1000, seed=3
    )
    low, high = np.quantile(neutral[:, :, 0], [0.05, 0.95], axis=0)
    inside = (low <= data.neutralised[:, 0]) & (data.neutralised[:, 0] <= high)
    assert 0.86 <= inside.mean() <= 0.96  # inclusive count quantiles over-cover a little


def test_ml_dispersion__the_split_and_the_total_each_their_own() -> None:
    """Nights whose destroyed/lost split varies far more than the total (ρ 0.2 vs 0.01): the
    total's and the split's maximum likelihood find each, "both" one between them."""
    rng = np.random.default_rng(5)
    n = 500
    launched = np.zeros((n, 3), dtype=np.int64)
    launched[:, 0] = np.round(np.exp(rng.uniform(np.log(20), np.log(300), n)))
    row = _true_row(0.01, 1e-3)
    counts = np.column_stack([launched, np.zeros(n, dtype=np.int64)])
    destroyed_share, lost_share = lost_surrogate().shares(counts, row[: len(NAMES)])
    p = destroyed_share[:, 0] + lost_share[:, 0]
    q = destroyed_share[:, 0] / p

    def beta_binomial(trials: np.ndarray, mean: np.ndarray, rho: float) -> np.ndarray:
        phi = 1 / rho - 1
        return rng.binomial(trials, rng.beta(mean * phi, (1 - mean) * phi))

    neutralised = np.zeros_like(launched)
    neutralised[:, 0] = beta_binomial(launched[:, 0], p, 0.01)
    destroyed = np.full((n, 3), np.nan)
    destroyed[:, 0] = beta_binomial(neutralised[:, 0], q, 0.2)
    nights = np.datetime64("2025-01-01") + np.arange(n).astype("timedelta64[D]")
    data = NightData(nights, launched, neutralised, destroyed, np.zeros(n, dtype=np.int64))
    start = posterior_of(np.tile(_true_row(0.05, 0.1), (6, 1)))
    total, _ = ml_dispersion(lost_surrogate(), start, data, terms="total")
    split, _ = ml_dispersion(lost_surrogate(), start, data, terms="split")
    both, _ = ml_dispersion(lost_surrogate(), start, data)
    assert total[0] == pytest.approx(0.01, rel=0.35)
    assert split[0] == pytest.approx(0.2, rel=0.25)
    assert total[0] < both[0] < split[0]


def test_predictive__the_split_dispersion_is_the_one_given() -> None:
    """Destroyed given neutralised draws with the given split ρ (0.3), not the sample's (~0)."""
    row = _true_row(1e-4, 1e-3)
    counts = np.array([[200, 0, 0, 0]])
    posterior = posterior_of(np.tile(row, (4, 1)))
    own = (np.full(3, 0.3), np.full(3, 1e-3))
    for given, low, high in ((None, -0.01, 0.01), (own, 0.3 * 0.7, 0.3 * 1.3)):
        neutral, destroyed = predictive_samples(
            lost_surrogate(), posterior, counts, draws=3000, seed=1, split_dispersion=given
        )
        share = destroyed[:, 0, 0] / np.maximum(neutral[:, 0, 0], 1)
        q = share.mean()
        # the share's variance beyond the binomial's, as a share of q (1 - q): ρ
        rho = (share.var() - q * (1 - q) / neutral[:, 0, 0].mean()) / (q * (1 - q))
        assert low <= rho <= high, (given is None, rho)


def lost_surrogate() -> Surrogate:
    """The sloped drones, with 40% of the survivors locationally lost (a split to score)."""
    surrogate = sloped_surrogate(intercept=0.0, slope=1.0)
    coefficients = np.array(surrogate.coefficients)
    coefficients[0, 1, 0] = np.log(0.4 / 0.6)
    return Surrogate(coefficients)
