"""Intervals of means (:func:`skyshield.metrics.summary.half_width_95`): hand arithmetic and
calibration over seeds (issue #8: with 4 shared route sets they were 2–9× too narrow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.metrics.summary import Z95, half_width_95, ratio_half_width_95
from skyshield.runner.compare import compare
from skyshield.scenario import load_scenario


def test_half_width_95__iid_by_hand() -> None:
    # values 1, 2, 3, 4: mean 2.5, s² = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3, n = 4
    # half-width = 1.959964 · sqrt(5/3) / sqrt(4) = 1.959964 · 0.645497 = 1.265151
    half = half_width_95(pd.Series([1.0, 2.0, 3.0, 4.0]))
    assert half == pytest.approx(1.959964 * np.sqrt(5 / 3) / 2, rel=1e-6)
    assert half == pytest.approx(1.265151, rel=1e-6)


def test_half_width_95__clustered_by_hand() -> None:
    # values 1, 2 (cluster 0) and 3, 4 (cluster 1): mean 2.5; cluster sums of deviations
    # (−1.5 − 0.5) = −2 and (0.5 + 1.5) = 2; CR1 variance = G/(G−1) · Σ S_g² / n²
    # = 2 · 8 / 16 = 1; t(0.975, 1 df) = 12.706205; half-width = 12.706205
    half = half_width_95(pd.Series([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1]))
    assert half == pytest.approx(12.706205, rel=1e-6)


def test_half_width_95__one_replication_is_nan() -> None:
    assert np.isnan(half_width_95(pd.Series([3.0])))


def test_compare__paired_and_unpaired_half_widths_by_hand() -> None:
    """The compare table's intervals are the same function's: checked on its own numbers."""
    base = load_scenario("western-raid")
    policy = load_scenario("western-raid-poland-100km")
    result = compare([base, policy], replications=40, seed=5)
    diff = result.differences.set_index(["measure", "key"]).loc[("rounds", "UA")]
    a = result.measures["western-raid"]["rounds/UA"]
    b = result.measures["western-raid-poland-100km"]["rounds/UA"]
    d = (b - a).to_numpy()
    # 40 replications, one route set each: paired = 1.96 · sd(b − a) / √40
    assert diff["paired_ci95"] == pytest.approx(Z95 * d.std(ddof=1) / np.sqrt(40), rel=1e-9)
    unpaired = Z95 * np.sqrt(a.var(ddof=1) + b.var(ddof=1)) / np.sqrt(40)
    assert diff["unpaired_ci95"] == pytest.approx(unpaired, rel=1e-9)


@pytest.mark.slow
def test_run__intervals_cover_seed_to_seed_spread() -> None:
    """Over 24 seeds, sd of run means / mean printed standard error lies in [0.6, 1.6].

    The default raid with 160 nights on 16 route sets (10 nights share each): the printed
    intervals must carry the route variability the shared route sets leave in each run mean.
    The issue asks for 12 seeds; the ratio then has a sampling spread of about ±0.25 for rare
    counts (blocks of 12 seeds gave 0.50–1.27 for cruise impacted), so 24 seeds are used.
    """
    scenario = load_scenario("default")
    scenario = scenario.model_copy(
        update={"monte_carlo": scenario.monte_carlo.model_copy(update={"route_sets": 16})}
    )
    means, errors = [], []
    for seed in range(24):
        summary = skyshield.run(scenario, replications=160, seed=1000 + seed, workers=2)
        table = summary.by_class.set_index(["threat_class", "quantity"])
        table = table.drop(index="launched", level="quantity")
        means.append(table["mean"])
        errors.append((table["ci95_high"] - table["mean"]) / 2.1314)  # t(0.975, 15 df)
    spread = pd.concat(means, axis=1).std(axis=1, ddof=1)
    printed = pd.concat(errors, axis=1).mean(axis=1)
    wanted = [
        (c, q)
        for c in ("drone", "decoy", "cruise", "ballistic", "all")
        for q in ("intercepted", "reached_area" if c == "decoy" else "impacted")
    ]
    assert (printed[wanted] > 0).all(), printed[wanted].to_dict()
    ratio = spread[wanted] / printed[wanted]
    bad = ratio[(ratio < 0.6) | (ratio > 1.6)]
    assert bad.empty, ratio.to_dict()


def test_ratio_half_width_95__hand_arithmetic() -> None:
    """x = (2, 4, 6), y = (1, 2, 3): R = 2 and x - R y = 0 every night, so no error at all;
    x = (1, 3), y = (1, 1): R = 2, z = (x - 2 y) / 1 = (-1, 1), s = sqrt(2), half = Z95 s / sqrt 2.
    """
    assert ratio_half_width_95(pd.Series([2.0, 4, 6]), pd.Series([1.0, 2, 3])) == 0.0
    half = ratio_half_width_95(pd.Series([1.0, 3.0]), pd.Series([1.0, 1.0]))
    assert half == pytest.approx(Z95 * np.sqrt(2.0) / np.sqrt(2.0))
    assert np.isnan(ratio_half_width_95(pd.Series([1.0, 2.0]), pd.Series([0.0, 0.0])))


def test_ratio_half_width_95__covers_the_true_ratio_95_percent() -> None:
    """2,000 synthetic runs of 200 correlated nights (costs of interceptors and of threats
    destroyed): the delta-method interval holds the true ratio of means 93-97% of the time."""
    rng = np.random.default_rng(11)
    true_ratio = 3.0 / 5.0
    held = 0
    trials = 2000
    for _ in range(trials):
        y = rng.gamma(5.0, 1.0, 200)
        x = 0.6 * y + rng.normal(0.0, 0.8, 200)  # E[x] / E[y] = 0.6
        half = ratio_half_width_95(pd.Series(x), pd.Series(y))
        held += abs(x.mean() / y.mean() - true_ratio) <= half
    assert 0.93 <= held / trials <= 0.97
