"""Back-test: the baseline and the scores by hand, coverage on data from the model, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.backtest import _binomial_baseline, backtest, baseline_forecast, score
from skyshield.calibration.calibrate import Calibration, load_calibration
from skyshield.calibration.fit import NightData, Posterior, predictive_samples
from skyshield.calibration.model import PARAMETERS
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.testing import run_cli

DAY = np.timedelta64(1, "D")


def _tiny() -> NightData:
    """Four nights; drone launched/neutralised/destroyed chosen for hand arithmetic."""
    nights = np.array(
        ["2025-01-01", "2025-01-20", "2025-02-10", "2025-02-15"], dtype="datetime64[D]"
    )
    launched = np.array([[10, 0, 2], [30, 4, 0], [50, 0, 0], [40, 2, 1]])
    neutralised = np.array([[8, 0, 1], [21, 3, 0], [45, 0, 0], [0, 0, 0]])
    destroyed = np.array([[6, 0, 1], [15, 3, 0], [40, 0, 0], [0, 0, 0]])
    return NightData(nights, launched, neutralised, destroyed * 1.0, np.zeros(4, dtype=int))


def test_baseline_forecast__hand_checked() -> None:
    """For 2025-02-15, the 30 days before are 01-16 .. 02-14: nights 01-20 and 02-10.
    Drone neutralised: (21 + 45) / (30 + 50) = 0.825; cruise: 3 / 4 = 0.75; ballistic: none in
    the window, so all earlier nights: 1 / 2 = 0.5. Destroyed: drone (15 + 40) / 80 = 0.6875."""
    data = _tiny()
    night = np.datetime64("2025-02-15")
    assert baseline_forecast(data, night, "neutralised") == pytest.approx([0.825, 0.75, 0.5])
    assert baseline_forecast(data, night, "destroyed") == pytest.approx([0.6875, 0.75, 0.5])
    # the night itself never enters its own baseline; the first night has no baseline at all
    assert np.isnan(baseline_forecast(data, np.datetime64("2025-01-01"), "neutralised")).all()


def test_baseline_forecast__window_is_the_30_days_before() -> None:
    """Nights 31, 30 and 1 day before and the night itself: the window is [night - 30, night)."""
    night = np.datetime64("2025-03-31")
    nights = night - np.array([31, 30, 1, 0]) * DAY
    launched = np.array([[10, 0, 0], [10, 0, 0], [10, 0, 0], [10, 0, 0]])
    neutralised = np.array([[0, 0, 0], [2, 0, 0], [4, 0, 0], [10, 0, 0]])
    data = NightData(nights, launched, neutralised, neutralised * 1.0, np.zeros(4, dtype=int))
    # (2 + 4) / (10 + 10): the night 31 days before and the night itself left out
    assert baseline_forecast(data, night, "neutralised")[0] == pytest.approx(0.3)


def test_score__hand_checked() -> None:
    nights = pd.DataFrame(
        {
            "class": ["drone"] * 4,
            "target": ["neutralised"] * 4,
            "reported": [10, 20, 30, 40],
            "median": [12.0, 20.0, 25.0, 40.0],
            "p5": [11.0, 19.0, 26.0, 30.0],
            "p25": [11.0, 20.0, 28.0, 41.0],
            "p75": [12.0, 21.0, 29.0, 45.0],
            "p95": [15.0, 22.0, 31.0, 50.0],
            "crps": [1.0, 2.0, 3.0, 4.0],
            "baseline": [8.0, 20.0, 33.0, 40.0],
        }
    )
    row = score(nights).iloc[0]
    assert row["nights"] == 4
    assert row["mae"] == pytest.approx((2 + 0 + 5 + 0) / 4)
    assert row["baseline_mae"] == pytest.approx((2 + 0 + 3 + 0) / 4)
    assert row["crps"] == pytest.approx(2.5)
    assert row["coverage_50"] == pytest.approx(1 / 4)  # only 20 in [20, 21]
    assert row["coverage_90"] == pytest.approx(3 / 4)  # all but 10, below [11, 15]


def _synthetic_nights(surrogate: Surrogate, nights: int, seed: int) -> NightData:
    rng = np.random.default_rng(seed)
    theta = np.array(
        [0.5 * (p.low + p.high) for p in PARAMETERS] + [0.05, 0.1, 0.1] + [0.5, 0.5, 0.5]
    )
    launched = np.column_stack(
        [rng.integers(20, 300, nights), rng.integers(0, 40, nights), rng.integers(0, 8, nights)]
    )
    tactical = rng.binomial(launched[:, 1], 0.3)
    truth = Posterior("a", "b", nights, theta[None, :], theta[None, :], 1.0)
    counts = np.column_stack([launched, tactical])
    days = np.datetime64("2024-01-01") + np.arange(nights) * DAY
    # drawn with the nights' rollout of the low-cost layers, as the fit and the check read them
    neutral, destroyed = predictive_samples(
        surrogate, truth, counts, draws=1, seed=seed, nights=days
    )
    return NightData(days, launched, neutral[0], destroyed[0] * 1.0, tactical)


def test_backtest__coverage_near_nominal_on_data_from_the_model(
    small_surrogate: Surrogate,
) -> None:
    """Nights drawn from the model itself (constant parameters): 50% and 90% intervals hold
    the reported counts at about their nominal rates (counts are discrete, so a little more)."""
    data = _synthetic_nights(small_surrogate, nights=240, seed=4)
    result = backtest(
        data,
        small_surrogate,
        train_until=date(2024, 5, 1),
        refit_every_days=30,
        window_days=90,
        steps=600,
        warm_steps=300,
        seed=2,
    )
    metrics = result.metrics.set_index(["class", "target"])
    assert len(result.fits) == 4
    drone = metrics.loc[("drone", "neutralised")]
    # inclusive count quantiles over-cover: measured 0.748 (ml-split, cruise half-life 7),
    # 0.756 (ml-split) and 0.765 (posterior) with cruise nights not forgotten (session 5)
    assert 0.35 <= drone["coverage_50"] <= 0.8
    assert 0.8 <= drone["coverage_90"] <= 1.0
    # by the randomised PIT the lumps' excess goes: near 0.9 for every class (measured 0.86,
    # 0.88, 0.88; below 0.9 by the refits' error on 90-day windows)
    for cls in ("drone", "cruise", "ballistic"):
        assert 0.78 <= metrics.loc[(cls, "neutralised"), "pit_coverage_90"] <= 0.96
    # every test night predicted from the fit of the last origin on or before it
    origins = pd.to_datetime(result.nights["origin"])
    assert (origins <= pd.to_datetime(result.nights["night"])).all()


_skyshield = run_cli


def test_cli_backtest__json_has_the_stated_keys(tmp_path: Path, small_surrogate: Surrogate) -> None:
    path = tmp_path / "calibration.json"
    Calibration(small_surrogate, EmulatorSettings(), pd.DataFrame()).write(path)
    assert load_calibration(path).surrogate.coefficients.shape == small_surrogate.coefficients.shape
    result = _skyshield(
        "backtest",
        "--train-until",
        "2025-06-01",
        "--calibration",
        path,
        "--steps",
        "100",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["train_until"] == "2025-06-01"
    assert data["test_from"] >= "2025-06-01"
    assert data["test_until"] == "2025-07-01"
    row = data["metrics"][0]
    assert set(row) >= {
        "class", "target", "nights", "mae", "baseline_mae", "crps", "baseline_crps",
        "coverage_50", "coverage_90",
    }  # fmt: skip
    assert {n["class"] for n in data["nights"]} <= {"drone", "cruise", "ballistic"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--train-until", "2025-13-01"], "--train-until: expected a date YYYY-MM-DD"),
        (["--train-until", "2025-01-01", "--data", "missing.csv"], "missing.csv"),
        (["--train-until", "2025-01-01", "--half-life", "drones=7"], "expected one of drone"),
        (["--train-until", "2025-01-01", "--half-life", "0"], "must be > 0 days"),
        (["--train-until", "2025-01-01", "--state-noise", "-1"], "--state-noise: a state noise"),
        (["--train-until", "2025-01-01", "--drift", "kalman"], "--drift: expected one of refits"),
    ],
)
def test_cli_backtest__bad_input_is_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = _skyshield("backtest", *args, "--calibration", "none.json", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_binomial_baseline__exact_crps_by_hand() -> None:
    """Bernoulli(p) observed 1: CRPS = (1 - p)²; observed 0: p². Binomial(2, 0.5) observed 1:
    F(0) = 0.25, F(1) = 0.75, F(2) = 1 → 0.25² + (0.75 - 1)² + 0 = 0.125."""
    assert _binomial_baseline(1, 0.3, 1)["baseline_crps"] == pytest.approx(0.49)
    assert _binomial_baseline(1, 0.3, 0)["baseline_crps"] == pytest.approx(0.09)
    two = _binomial_baseline(2, 0.5, 1)
    assert two["baseline_crps"] == pytest.approx(0.125)
    assert two["baseline_median"] == 1.0
    # its PIT: uniform on [F(0), F(1)] = [0.25, 0.75], inside [0.05, 0.95]; observed 2: on
    # [0.75, 1], (0.95 - 0.75) / 0.25 inside
    assert two["b_pit_90"] == pytest.approx(1.0)
    assert _binomial_baseline(2, 0.5, 2)["b_pit_90"] == pytest.approx(0.8)
    assert _binomial_baseline(2, 0.5, 0)["b_pit_90"] == pytest.approx(0.8)
    assert np.isnan(_binomial_baseline(3, float("nan"), 1)["baseline_crps"])


def test_backtest__later_reports_never_change_earlier_predictions(
    small_surrogate: Surrogate,
) -> None:
    """Perturb every outcome after a date: every prediction before it stays bit-identical."""
    data = _synthetic_nights(small_surrogate, nights=200, seed=8)
    cut = np.datetime64("2024-06-15")
    later = data.nights >= cut
    neutral = data.neutralised.copy()
    neutral[later] = data.launched[later]  # extreme: everything neutralised
    destroyed = data.destroyed.copy()
    destroyed[later] = 0
    perturbed = NightData(data.nights, data.launched, neutral, destroyed, data.tactical)
    # weekly refits, forgetting: the defaults
    kwargs = {
        "train_until": date(2024, 5, 1),
        "window_days": 60,
        "steps": 200,
        "warm_steps": 100,
        "seed": 3,
    }
    a = backtest(data, small_surrogate, **kwargs).nights  # type: ignore[arg-type]
    b = backtest(perturbed, small_surrogate, **kwargs).nights  # type: ignore[arg-type]
    before_a = a[pd.to_datetime(a["night"]) < pd.Timestamp(cut)].drop(columns="reported")
    before_b = b[pd.to_datetime(b["night"]) < pd.Timestamp(cut)].drop(columns="reported")
    assert len(before_a) > 100
    pd.testing.assert_frame_equal(before_a.reset_index(drop=True), before_b.reset_index(drop=True))
    after = pd.to_datetime(b["night"]) >= pd.Timestamp(cut)
    assert not a.loc[after, "crps"].equals(b.loc[after, "crps"])  # the perturbation bites


def test_half_lives__parse_what_they_print() -> None:
    from skyshield.calibration.settings import (
        DEFAULT_HALF_LIVES,
        format_half_lives,
        parse_half_lives,
    )

    assert parse_half_lives(format_half_lives(DEFAULT_HALF_LIVES)) == dict(DEFAULT_HALF_LIVES)
    assert tuple(DEFAULT_HALF_LIVES) == REPORT_CLASSES  # one half-life per report class
    assert parse_half_lives("7") == {"drone": 7.0, "cruise": 7.0, "ballistic": 7.0}
    assert parse_half_lives("none") == {"drone": None, "cruise": None, "ballistic": None}
    assert parse_half_lives("cruise=3") == {"drone": None, "cruise": 3.0, "ballistic": None}
    with pytest.raises(ValueError, match="expected one of"):
        parse_half_lives("shahed=3")


def test_backtest_json__nights_one_per_night_and_class(small_surrogate: Surrogate) -> None:
    """``nights`` of ``backtest --json``: the stated keys, one object per night and class
    launched, the reported counts as given (destroyed null where the split is unknown), and
    0 <= p05 <= median <= p95 <= launched."""
    data = _synthetic_nights(small_surrogate, nights=60, seed=6)
    destroyed = data.destroyed.copy()
    destroyed[::3, 0] = np.nan  # every third night's drone split not reported
    destroyed[1::3, 2] = np.nan
    data = NightData(data.nights, data.launched, data.neutralised, destroyed, data.tactical)
    result = backtest(
        data, small_surrogate, train_until=date(2024, 2, 20), steps=100, warm_steps=60, seed=1
    )
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    nights = document["nights"]
    keys = {
        "date", "class", "launched", "reported_neutralised", "reported_destroyed",
        "predicted_mean", "predicted_median", "predicted_p05", "predicted_p95",
    }  # fmt: skip
    assert nights
    assert all(set(n) == keys for n in nights)
    tested = data.between(np.datetime64("2024-02-20"), np.datetime64("2025-01-01"))
    assert len(nights) == int((tested.launched > 0).sum())  # one per night and class launched
    index = {str(d): i for i, d in enumerate(tested.nights)}
    unknown = 0
    for n in nights:
        i, k = index[n["date"]], REPORT_CLASSES.index(n["class"])
        assert n["launched"] == tested.launched[i, k] > 0
        assert n["reported_neutralised"] == tested.neutralised[i, k]
        if np.isnan(tested.destroyed[i, k]):
            assert n["reported_destroyed"] is None
            unknown += 1
        else:
            assert n["reported_destroyed"] == tested.destroyed[i, k]
            assert isinstance(n["reported_destroyed"], int)  # a count, not 210.0
        assert isinstance(n["reported_neutralised"], int)
        assert 0 <= n["predicted_p05"] <= n["predicted_median"] <= n["predicted_p95"]
        assert n["predicted_p95"] <= n["launched"]
        assert 0 <= n["predicted_mean"] <= n["launched"]
    assert 3 <= unknown < len(nights)  # both branches exercised
    # the same rows in the store's table; the scored per-target rows under predictions
    table = result.tables()["backtest_forecasts"]
    assert list(table.columns) == sorted(keys, key=list(nights[0]).index)
    assert len(table) == len(nights)
    assert {p["target"] for p in document["predictions"]} == {"neutralised", "destroyed"}


def test_predictive_check__truth_reproduces_its_own_quarter(small_surrogate: Surrogate) -> None:
    """Nights drawn from the model with known parameters: the check run with those parameters
    holds each class's reported share inside its 90% interval about 90% of the time (5 drawn
    quarters x 3 classes: at least 10 of 15; P(fewer) ~1% if calibrated); a posterior whose
    kill multipliers are far off puts the drones' share outside it."""
    from skyshield.calibration.check import predictive_check

    theta = np.array(
        [0.5 * (p.low + p.high) for p in PARAMETERS] + [0.05, 0.1, 0.1] + [0.5, 0.5, 0.5]
    )
    truth = Posterior("2024-01-01", "2024-04-01", 90, theta[None, :], theta[None, :], 1.0)
    inside = 0
    for seed in range(11, 16):
        data = _synthetic_nights(small_surrogate, nights=90, seed=seed)
        check = predictive_check(small_surrogate, (truth,), data, draws=200)
        assert list(check["class"]) == ["drone", "cruise", "ballistic"]
        inside += int(check["inside_90"].sum())
        assert (check["predicted_p05"] <= check["predicted_share"]).all()
        assert (check["predicted_share"] <= check["predicted_p95"]).all()
    assert inside >= 10, inside
    data = _synthetic_nights(small_surrogate, nights=90, seed=11)
    wrong = theta.copy()
    wrong[0] = PARAMETERS[0].low  # drones' kill multiplier at the bottom of its range
    off = Posterior("2024-01-01", "2024-04-01", 90, wrong[None, :], wrong[None, :], 1.0)
    drone = predictive_check(small_surrogate, (off,), data, draws=200).iloc[0]
    assert not drone["inside_90"]
