"""Engagement-window helpers (:mod:`skyshield.engine.windows`) against plain numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.windows import _steps_cleared

DT = 5.0


@settings(deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n_threats=st.integers(1, 40))
def test_steps_cleared__matches_numpy_filter(seed: int, n_threats: int) -> None:
    rng = np.random.default_rng(seed)
    offset = np.concatenate([[0], np.cumsum(rng.integers(2, 60, n_threats))])
    samples = np.flatnonzero(rng.random(offset[-1]) < 0.4)
    engaged = rng.random(n_threats) < 0.7
    cleared = np.where(rng.random(n_threats) < 0.2, np.inf, rng.uniform(-10.0, 200.0, n_threats))
    cleared[: n_threats // 3] = rng.integers(0, 40, n_threats // 3) * DT  # on the grid: ties
    threat = np.searchsorted(offset, samples, side="right") - 1
    k = samples - offset[threat]
    keep = engaged[threat] & (k < np.diff(offset)[threat] - 1) & (k * DT >= cleared[threat])
    got_threat, got_k = _steps_cleared(samples, offset, DT, engaged, cleared)
    np.testing.assert_array_equal(got_threat, threat[keep])
    np.testing.assert_array_equal(got_k, k[keep])
