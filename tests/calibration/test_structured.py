"""The fit's structured log-likelihood equals the plain one (#23's performance line)."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.calibration.fit import _HIGH, _LOW, FIT_NAMES, NightData, log_likelihood
from skyshield.calibration.model import NAMES
from skyshield.calibration.surrogate import INPUT_COLUMNS, Surrogate, _features
from skyshield.calibration.tasking import ROLLOUT, night_parameters
from skyshield.posture.geography import GEOGRAPHY_FEATURES


def _random_surrogate(rng: np.random.Generator, inputs: int) -> Surrogate:
    """Coefficients drawn at random: every feature's term counts (none is left at zero)."""
    n_features = _features(np.ones((1, inputs)), np.full((1, len(NAMES)), 0.5)).shape[1]
    return Surrogate(rng.normal(0.0, 3.0 / np.sqrt(n_features), (3, 2, n_features)), inputs)


def _random_nights(rng: np.random.Generator, n: int, geography: bool) -> NightData:
    """Nights of every kind: classes not launched, splits not given, a rollout that clips."""
    launched = np.column_stack(
        [rng.integers(0, 500, n), rng.integers(0, 80, n), rng.integers(0, 15, n)]
    )
    launched[rng.random((n, 3)) < 0.2] = 0
    neutralised = rng.binomial(launched, 0.7)
    destroyed = rng.binomial(neutralised, 0.8).astype(float)
    destroyed[rng.random((n, 3)) < 0.3] = np.nan
    tactical = rng.binomial(launched[:, 1], 0.2)
    # from before the rollout's first count to after its last (flat at both ends)
    first, last = (np.datetime64(day, "D") for day in (ROLLOUT[0][0], ROLLOUT[-1][0]))
    nights = np.sort(first - 200 + rng.integers(0, (last - first).astype(int) + 400, n))
    features = rng.random((n, len(GEOGRAPHY_FEATURES))) if geography else None
    return NightData(nights, launched, neutralised, destroyed, tactical, features)


@pytest.mark.parametrize("inputs", [4, len(INPUT_COLUMNS)], ids=["counts", "geography"])
def test_night_terms__equal_the_plain_log_likelihood(inputs: int) -> None:
    from skyshield.calibration.structured import NightTerms

    rng = np.random.default_rng(inputs)
    surrogate = _random_surrogate(rng, inputs)
    data = _random_nights(rng, 150, geography=inputs > 4)
    weights = rng.uniform(0.0, 2.0, (150, 3))
    for w in (None, weights):
        terms = NightTerms.build(surrogate, data, w)
        many = _LOW + (_HIGH - _LOW) * rng.random((40, len(FIT_NAMES)))
        batch = terms.log_likelihoods(many)  # the walkers at once, as the sampler asks
        for params, at_once in zip(many, batch, strict=True):
            theta = params[: len(NAMES)]
            expected = surrogate.shares(data.counts, night_parameters(theta, data.nights))
            for got, want in zip(terms.shares(theta), expected, strict=True):
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
            plain = log_likelihood(surrogate, data, params, w)
            assert abs(terms.log_likelihood(params) - plain) <= 1e-10 * max(1.0, abs(plain))
            assert abs(at_once - plain) <= 1e-10 * max(1.0, abs(plain))
