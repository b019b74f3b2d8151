"""Drift as a state: the filter follows a moving share, predicts from the past only, and the
engine's share-vs-size term still matters under it (#23 item 5)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from skyshield.calibration.backtest import backtest
from skyshield.calibration.drift import filter_drift
from skyshield.calibration.fit import NightData
from skyshield.calibration.settings import (
    DEFAULT_STATE_NOISE,
    format_state_noise,
    parse_state_noise,
)
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES

DAY = np.timedelta64(1, "D")
RHO = np.array([0.01, 0.01, 0.01])
NO_SMALL = np.zeros(3)


def _nights(launched: np.ndarray, share: np.ndarray, seed: int) -> NightData:
    """Daily nights whose neutralised are Binomial(launched, share) per class."""
    rng = np.random.default_rng(seed)
    n = launched.shape[0]
    neutral = rng.binomial(launched, share)
    days = np.datetime64("2024-01-01") + np.arange(n) * DAY
    return NightData(days, launched, neutral, neutral * 1.0, np.zeros(n, dtype=np.int64))


def _step_data(seed: int = 0) -> tuple[NightData, np.ndarray]:
    """120 nights of 100 per class at a base share 0.5; from night 60 the truth jumps to
    logit offset +1.5 (share 0.82)."""
    n = 120
    offset = np.where(np.arange(n) < 60, 0.0, 1.5)
    share = np.tile(expit(offset)[:, None], (1, 3))
    return _nights(np.full((n, 3), 100), share, seed), np.full((n, 3), 0.5)


def test_filter__follows_a_jump_in_the_share() -> None:
    """30 nights after the jump, the filtered offset has moved most of the way to +1.5 and the
    predicted mean share is near 0.82. With zero state noise (the offset a constant learnt
    from 60 nights at 0) it cannot follow: the mutant ``state-noise-zero`` dies here."""
    data, base = _step_data()
    result = filter_drift(
        data, base, base * 0.8, RHO, NO_SMALL, DEFAULT_STATE_NOISE,
        predict_from=data.nights[0], particles=1000, draws=300, seed=1,
    )  # fmt: skip
    assert np.abs(result.offset_mean[50]).max() < 0.3  # before the jump: near 0
    assert (result.offset_mean[95] > 1.0).all()  # 35 nights after: most of the way
    share = result.neutralised[:, 95, :].mean(axis=0) / 100
    assert share == pytest.approx([0.82] * 3, abs=0.08)
    frozen = filter_drift(
        data, base, base * 0.8, RHO, NO_SMALL, dict.fromkeys(REPORT_CLASSES, 0.0),
        predict_from=data.nights[0], particles=1000, draws=300, seed=1,
    )  # fmt: skip
    assert (frozen.offset_mean[95] < 0.8).all()


def test_filter__later_reports_never_change_an_earlier_prediction() -> None:
    """Perturb every report from night 80 on: the draws of nights before 80 are identical,
    those after differ."""
    data, base = _step_data(seed=2)
    neutral = data.neutralised.copy()
    neutral[80:] = 0
    perturbed = NightData(data.nights, data.launched, neutral, neutral * 1.0, data.tactical)
    kwargs = {"predict_from": data.nights[40], "particles": 500, "draws": 200, "seed": 4}
    a = filter_drift(data, base, base * 0.8, RHO, NO_SMALL, DEFAULT_STATE_NOISE, **kwargs)
    b = filter_drift(perturbed, base, base * 0.8, RHO, NO_SMALL, DEFAULT_STATE_NOISE, **kwargs)
    np.testing.assert_array_equal(a.neutralised[:, : 80 - 40], b.neutralised[:, : 80 - 40])
    np.testing.assert_array_equal(a.offset_mean[: 80 - 40], b.offset_mean[: 80 - 40])
    assert not np.array_equal(a.neutralised[:, 41:], b.neutralised[:, 41:])


def test_filter__the_engine_term_still_shows() -> None:
    """Raid sizes alternate 20 and 400; the true share is 0.85 on small raids and 0.45 on
    large (an engine-like share-vs-size law). On the engine's share the filtered predictions'
    mean absolute error is a fraction of what it is on one constant share, whose offset can
    only average the two."""
    n = 150
    launched = np.tile(np.where(np.arange(n) % 2 == 0, 20, 400)[:, None], (1, 3))
    truth = np.where(launched == 20, 0.85, 0.45)
    data = _nights(launched, truth, seed=5)
    constant = np.full((n, 3), 0.6)
    kwargs = {"predict_from": data.nights[30], "particles": 800, "draws": 300, "seed": 6}
    engine = filter_drift(data, truth, truth * 0.8, RHO, NO_SMALL, DEFAULT_STATE_NOISE, **kwargs)
    flat = filter_drift(
        data, constant, constant * 0.8, RHO, NO_SMALL, DEFAULT_STATE_NOISE, **kwargs
    )
    observed = data.neutralised[30:]
    engine_error = np.abs(engine.neutralised.mean(axis=0) - observed).mean()
    flat_error = np.abs(flat.neutralised.mean(axis=0) - observed).mean()
    assert engine_error < 0.5 * flat_error


def test_state_noise__parse_what_it_prints() -> None:
    assert parse_state_noise(format_state_noise(DEFAULT_STATE_NOISE)) == dict(DEFAULT_STATE_NOISE)
    assert tuple(DEFAULT_STATE_NOISE) == REPORT_CLASSES
    assert parse_state_noise("0") == dict.fromkeys(REPORT_CLASSES, 0.0)
    assert parse_state_noise("cruise=0.02")["cruise"] == 0.02
    with pytest.raises(ValueError, match=">= 0"):
        parse_state_noise("-1")


@pytest.mark.slow  # two back-tests on the session's small emulator: ~10 s idle, 38 s loaded
def test_backtest_state__one_fit_and_no_leakage(small_surrogate: Surrogate) -> None:
    """``drift="state"``: one fit before the first test night; every test night predicted;
    perturbing the nights after a date leaves every earlier prediction identical."""
    from tests.calibration.test_backtest import _synthetic_nights

    data = _synthetic_nights(small_surrogate, nights=150, seed=8)
    cut = np.datetime64("2024-04-20")
    later = data.nights >= cut
    neutral = data.neutralised.copy()
    neutral[later] = data.launched[later]
    perturbed = NightData(data.nights, data.launched, neutral, data.destroyed, data.tactical)
    kwargs = {"train_until": date(2024, 3, 1), "window_days": 60, "steps": 150, "seed": 3}
    a = backtest(data, small_surrogate, drift="state", **kwargs)  # type: ignore[arg-type]
    b = backtest(perturbed, small_surrogate, drift="state", **kwargs)  # type: ignore[arg-type]
    assert len(a.fits) == 1
    assert a.settings["drift"] == "state"
    assert a.nights["night"].min() >= "2024-03-01"
    before_a = a.nights[pd.to_datetime(a.nights["night"]) < pd.Timestamp(cut)]
    before_b = b.nights[pd.to_datetime(b.nights["night"]) < pd.Timestamp(cut)]
    assert len(before_a) > 50
    pd.testing.assert_frame_equal(
        before_a.drop(columns="reported").reset_index(drop=True),
        before_b.drop(columns="reported").reset_index(drop=True),
    )
    assert set(a.checks) == {"slopes", "split", "patriot", "pit", "stability", "spread", "bias"}
