"""Mechanism checks of the back-test (#23 item 7): the DM test by hand, PIT, slopes, tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skyshield.calibration.backtest import score
from skyshield.calibration.checks import (
    central_pit_share,
    dm_test,
    patriot_table,
    pit_table,
    randomized_pit,
    share_size_slope,
    slope_table,
    split_table,
)


def test_dm_test__hand_computed_on_a_tiny_series() -> None:
    """d = 1, -1, 2, 0, 3: mean 1, deviations 0, -2, 1, -1, 2. n = 5 gives
    L = floor(4 (5/100)^(2/9)) = 2 lags (Bartlett weights 2/3, 1/3).
    γ0 = (0 + 4 + 1 + 1 + 4)/5 = 2; γ1 = (0·-2 + -2·1 + 1·-1 + -1·2)/5 = -1;
    γ2 = (0·1 + -2·-1 + 1·2)/5 = 0.8. Long-run variance 2 + 2(2/3)(-1) + 2(1/3)(0.8) = 1.2.
    DM = 1 / sqrt(1.2 / 5); Harvey (h = 1): × sqrt((5 + 1 - 2)/5) = sqrt(0.8); t on 4 df."""
    statistic, p = dm_test(np.array([1.0, -1.0, 2.0, 0.0, 3.0]))
    expected = 1 / np.sqrt(1.2 / 5) * np.sqrt(0.8)
    assert statistic == pytest.approx(expected)
    assert p == pytest.approx(2 * stats.t.sf(expected, df=4))
    # the sign says who wins; too short a series has no test
    assert dm_test(-np.array([1.0, -1.0, 2.0, 0.0, 3.0]))[0] == pytest.approx(-expected)
    assert np.isnan(dm_test(np.array([1.0, 2.0]))[1])


def test_dm_test__equal_forecasts_are_not_rejected_and_a_better_one_is() -> None:
    rng = np.random.default_rng(0)
    same = [dm_test(rng.normal(0, 1, 200))[1] for _ in range(200)]
    assert 0.02 < np.mean(np.array(same) < 0.05) < 0.1  # about its nominal size
    assert dm_test(rng.normal(-0.5, 1, 200))[1] < 1e-3


def _pits(shift: float, spread: float, seed: int) -> np.ndarray:
    """PIT of 2,000 binomial nights under a forecaster whose share is off by ``shift`` and
    whose samples are ``spread`` times as wide (0, 1: the true distribution)."""
    rng = np.random.default_rng(seed)
    launched = rng.integers(1, 60, 2000)
    share = rng.uniform(0.2, 0.8, 2000)
    observed = rng.binomial(launched, share)
    out = np.empty(2000)
    for i in range(2000):
        samples = rng.binomial(launched[i], np.clip(share[i] + shift, 0, 1), 400)
        mean = samples.mean()
        samples = np.round(mean + spread * (samples - mean))
        out[i] = randomized_pit(samples, int(observed[i]), rng)
    return out


def test_pit__calibrated_forecaster_is_about_uniform() -> None:
    """Chi-square of the 10-bin histogram: not rejected for the true distribution; rejected
    for a forecaster 0.1 too high and for one half as wide."""
    calibrated = np.histogram(_pits(0.0, 1.0, 1), bins=10, range=(0, 1))[0]
    assert stats.chisquare(calibrated).pvalue > 0.01
    assert calibrated.min() > 150  # 200 expected per bin
    biased = np.histogram(_pits(0.1, 1.0, 2), bins=10, range=(0, 1))[0]
    assert stats.chisquare(biased).pvalue < 1e-6
    narrow = np.histogram(_pits(0.0, 0.5, 3), bins=10, range=(0, 1))[0]
    assert stats.chisquare(narrow).pvalue < 1e-6


def test_central_pit_share__hand_computed() -> None:
    # the randomised PIT is uniform on [F(y-1), F(y)]; the central 90% is [0.05, 0.95]
    assert central_pit_share(0.2, 0.6) == pytest.approx(1.0)
    assert central_pit_share(0.9, 1.0) == pytest.approx(0.5)  # (0.95 - 0.9) / 0.1
    assert central_pit_share(0.0, 0.1) == pytest.approx(0.5)  # (0.1 - 0.05) / 0.1
    assert central_pit_share(0.0, 1.0) == pytest.approx(0.9)  # a forecast of one count
    assert central_pit_share(0.96, 1.0) == 0.0
    assert central_pit_share(0.5, 0.5) == 1.0  # no mass at y: the PIT is that point
    assert central_pit_share(0.99, 0.99) == 0.0
    assert central_pit_share(0.2, 0.6, level=0.5) == pytest.approx(0.875)  # 0.35 / 0.4


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=40),
    st.floats(min_value=0.01, max_value=0.99),
)
def test_central_pit_share__exactly_the_level_for_a_calibrated_count(
    launched: int, share: float
) -> None:
    """For counts drawn from the forecast itself, E[share] is exactly 0.9 (closed form: the sum
    over y of P(y) x share), while the inclusive [q5, q95] range holds the count more often
    on small counts: the lumps' bias the PIT coverage removes."""
    y = np.arange(launched + 1)
    pmf = stats.binom.pmf(y, launched, share)
    cdf = stats.binom.cdf(y, launched, share)
    below = np.concatenate([[0.0], cdf[:-1]])
    expected = sum(p * central_pit_share(b, a) for p, b, a in zip(pmf, below, cdf, strict=True))
    assert expected == pytest.approx(0.9, abs=1e-9)
    low, high = stats.binom.ppf([0.05, 0.95], launched, share)
    inclusive = pmf[(y >= low) & (y <= high)].sum()
    assert inclusive >= 0.9 - 1e-9


def test_score__pit_coverage_is_the_mean_of_the_nights_shares() -> None:
    quantiles = {"p5": 0.0, "p25": 1.0, "p75": 1.0, "p95": 2.0}  # the model's and the baseline's
    nights = pd.DataFrame(
        {
            "night": ["2025-01-01", "2025-01-02", "2025-01-03"],
            "class": "cruise",
            "target": "neutralised",
            "launched": [2, 2, 2],
            "reported": [0, 2, 1],
            "median": [1.0, 1.0, 1.0],
            **quantiles,
            "crps": [0.5, 0.5, 0.2],
            "baseline": 1.0,
            "baseline_median": 1.0,
            "baseline_crps": [0.4, 0.4, 0.3],
            **{f"b_{name}": value for name, value in quantiles.items()},
            "pit_90": [0.5, 1.0, 0.3],
            "b_pit_90": [0.2, 0.8, 1.0],
        }
    )
    row = score(nights).iloc[0]
    assert row["coverage_90"] == 1.0  # every count inside the inclusive [0, 2]
    assert row["pit_coverage_90"] == pytest.approx(0.6)
    assert row["baseline_pit_coverage_90"] == pytest.approx(2.0 / 3.0)


@pytest.mark.parametrize("slope", [-0.12, 0.0, 0.1])
def test_share_size_slope__recovers_a_known_slope(slope: float) -> None:
    """300 synthetic report nights, launched log-uniform 10-800, neutralised binomial with
    share 0.5 + slope · log10(launched / 90): the estimate's 90% interval holds the slope, is
    narrower than 0.1, and a non-zero slope's sign is recovered."""
    rng = np.random.default_rng(7)
    launched = np.round(np.exp(rng.uniform(np.log(10), np.log(800), 300))).astype(int)
    share = 0.5 + slope * np.log10(launched / 90)
    reported = rng.binomial(launched, share) / launched
    ((_estimate, low, high),) = share_size_slope(launched, [reported])
    assert low <= slope <= high
    assert high - low < 0.1
    if slope != 0:
        assert np.sign(low) == np.sign(high) == np.sign(slope)


def _detail() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": ["2025-01-05", "2025-01-06", "2025-02-01", "2025-04-02", "2025-01-05"],
            "class": ["drone", "drone", "drone", "drone", "ballistic"],
            "launched": [10, 100, 1000, 50, 4],
            "reported_neutralised": [9, 70, 500, 25, 2],
            "reported_destroyed": [8.0, np.nan, 400.0, 20.0, 1.0],
            "predicted_mean": [5.0, 50.0, 500.0, 30.0, 1.0],
            "predicted_destroyed_mean": [4.0, 40.0, 350.0, 20.0, 0.5],
            "pit": [0.05, 0.55, 0.5, 0.95, 0.31],
        }
    )


def test_slope_table__per_class_and_quarter() -> None:
    """2025Q1 drones: shares 0.9, 0.7, 0.5 at 10, 100, 1000 launched: slope -0.2 per
    tenfold; the model's constant 0.5 share: slope 0. Quarters with one night: no slope."""
    table = slope_table(pd.concat([_detail()] + [_detail().iloc[:3]] * 1, ignore_index=True))
    q1 = table[(table["class"] == "drone") & (table["quarter"] == "2025Q1")].iloc[0]
    assert q1["nights"] == 6
    assert q1["reported_slope"] == pytest.approx(-0.2)
    assert q1["model_slope"] == pytest.approx(0.0)
    q2 = table[(table["class"] == "drone") & (table["quarter"] == "2025Q2")].iloc[0]
    assert np.isnan(q2["reported_slope"])


def test_split_table__only_nights_that_report_the_split() -> None:
    """Drone nights with a split: 01-05 (9 = 8 + 1), 02-01 (500 = 400 + 100), 04-02 (25 =
    20 + 5); 01-06 has none and is left out."""
    row = split_table(_detail()).set_index("class").loc["drone"]
    assert row["nights"] == 3
    assert row["reported_destroyed"] == 428
    assert row["reported_lost"] == 106
    assert row["predicted_destroyed"] == pytest.approx(374)
    assert row["predicted_lost"] == pytest.approx(535 - 374)


def test_patriot_table__groups_ballistic_nights_by_cover() -> None:
    cover = pd.DataFrame({"date": ["2025-01-05"], "cover": ["covered"]})
    table = patriot_table(_detail(), cover).set_index("cover")
    assert table.loc["covered", "nights"] == 1
    assert table.loc["covered", "reported_share"] == pytest.approx(0.5)
    assert table.loc["covered", "predicted_share"] == pytest.approx(0.25)
    assert table.loc["not covered", "nights"] == 0
    assert patriot_table(_detail(), None).empty


def test_pit_table__counts_per_bin() -> None:
    table = pit_table(_detail())
    drone = table[table["class"] == "drone"]["nights"].to_numpy()
    assert drone.tolist() == [1, 0, 0, 0, 0, 2, 0, 0, 0, 1]
    assert table[table["class"] == "cruise"]["nights"].sum() == 0


def test_cli_prints_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    """``backtest``'s text output: the metrics with width and DM p, and each check's table."""
    from skyshield.calibration.backtest import Backtest, mechanism_checks, score
    from skyshield.calibration.fit import FIT_NAMES, Posterior
    from skyshield.cli.calibration import _print_backtest

    detail = pd.concat([_detail()] * 2, ignore_index=True)
    nights = pd.DataFrame(
        {
            "night": detail["date"],
            "class": detail["class"],
            "target": "neutralised",
            "launched": detail["launched"],
            "reported": detail["reported_neutralised"],
            **{c: detail["predicted_mean"] for c in ("p5", "p25", "median", "p75", "p95")},
            "crps": 1.0,
            "baseline": detail["predicted_mean"],
            "baseline_median": detail["predicted_mean"],
            "baseline_crps": 2.0,
            **{c: detail["predicted_mean"] for c in ("b_p5", "b_p25", "b_p75", "b_p95")},
        }
    )
    fits = [
        Posterior("a", "b", 9, np.full((4, len(FIT_NAMES)), v), np.ones((2, len(FIT_NAMES))), 0.3)
        for v in (0.5, 0.7)
    ]
    cover = pd.DataFrame({"date": ["2025-01-05"], "cover": ["covered"]})
    result = Backtest(
        nights=nights,
        metrics=score(nights),
        fits=tuple(fits),
        settings={"train_until": "2025-01-01"},
        detail=detail,
        checks=mechanism_checks(detail, fits, cover),
    )
    _print_backtest(result, "2025-01-01")
    text = capsys.readouterr().out
    for title in ("DM p", "Share neutralised vs raid size", "Destroyed vs locationally lost",
                  "Patriot", "PIT histogram", "Parameters across refits"):  # fmt: skip
        assert title in text, title
    assert "-0.200" in text  # the drones' 2025Q1 slope of the reports
