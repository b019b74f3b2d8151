"""Random inputs of replications: launch-time jitter (closed-form truncated normal)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from skyshield.engine.draws import launch_times_s


def test_launch_times_s__truncated_not_clipped(rng: np.random.Generator) -> None:
    """Planned at t = 0 with sd 120 s: a half-normal, mean 120·√(2/π) = 95.75 s, none at 0."""
    n = 200_000
    t = launch_times_s(np.zeros(n), np.full(n, 120.0), rng.random(n))
    assert t.min() >= 0.0
    assert np.mean(t == 0.0) < 1e-4  # clipping would put half of them at exactly 0
    standard_error = 120.0 * np.sqrt(1 - 2 / np.pi) / np.sqrt(n)
    assert abs(np.mean(t) - 120.0 * np.sqrt(2 / np.pi)) < 4 * standard_error
    assert stats.kstest(t, stats.halfnorm(scale=120.0).cdf).pvalue > 1e-3


def test_launch_times_s__far_from_start_is_plain_normal(rng: np.random.Generator) -> None:
    n = 100_000
    t = launch_times_s(np.full(n, 3600.0), np.full(n, 60.0), rng.random(n))
    assert stats.kstest(t, stats.norm(loc=3600.0, scale=60.0).cdf).pvalue > 1e-3


def test_launch_times_s__no_jitter_is_the_plan() -> None:
    plan = np.array([0.0, 10.0, 600.0])
    assert np.array_equal(launch_times_s(plan, np.zeros(3), np.array([0.1, 0.5, 0.9])), plan)
