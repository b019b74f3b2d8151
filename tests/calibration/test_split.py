"""The destroyed/lost split is fitted and scored only on the nights whose report gives it.

A reports file from the model itself (known parameters, drones' lost a large share), written
twice: once with every row's ``not_reach_goal``, and once as the source writes some periods:
from March on the lost are folded into ``destroyed`` and the cell is left empty. Read through
the loader, the two must give the same fit, and the back-test must score ``destroyed`` only
on the nights that still report the split.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.backtest import backtest, baseline_forecast
from skyshield.calibration.fit import FIT_NAMES, NightData, Posterior, fit_period, night_data
from skyshield.calibration.model import NAMES, PARAMETERS
from skyshield.calibration.surrogate import Surrogate
from skyshield.reports import load_reports

FOLD_FROM = np.datetime64("2025-03-01")  # from here the file folds lost into destroyed
MODELS = ("Shahed-136/131", "X-101/X-555", "Iskander-M")
NIGHTS = 120


def _truth() -> np.ndarray:
    """Mid-box parameters with a strong EW: over half the drones neutralised are lost."""
    theta = {p.name: 0.5 * (p.low + p.high) for p in PARAMETERS}
    theta["ew"] = 4.0
    return np.array([*(theta[n] for n in NAMES), 0.05, 0.1, 0.1, 0.5, 0.5, 0.5])


def _nights(surrogate: Surrogate, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Launched, neutralised and destroyed (NIGHTS, 3) drawn from the model at :func:`_truth`."""
    from skyshield.calibration.fit import predictive_samples

    rng = np.random.default_rng(seed)
    launched = np.column_stack(
        [rng.integers(20, 300, NIGHTS), rng.integers(0, 30, NIGHTS), rng.integers(0, 6, NIGHTS)]
    )
    truth = Posterior("a", "b", NIGHTS, _truth()[None, :], _truth()[None, :], 1.0)
    counts = np.column_stack([launched, np.zeros(NIGHTS, dtype=np.int64)])
    neutral, destroyed = predictive_samples(surrogate, truth, counts, draws=1, seed=seed)
    return launched, neutral[0], destroyed[0]


def _write(path: Path, surrogate: Surrogate, *, fold: bool) -> Path:
    """One national row per night and class; with ``fold``, lost joins destroyed from March."""
    launched, neutral, destroyed = _nights(surrogate)
    days = np.datetime64("2025-01-01") + np.arange(NIGHTS)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["time_end", "model", "launched", "destroyed", "not_reach_goal", "source"])
        for n, day in enumerate(days):
            for k, model in enumerate(MODELS):
                if launched[n, k] == 0:
                    continue
                shot, lost = int(destroyed[n, k]), int(neutral[n, k] - destroyed[n, k])
                if fold and day >= FOLD_FROM:
                    cells = [f"{shot + lost}.0", ""]
                else:
                    cells = [f"{shot}.0", f"{lost}.0"]
                writer.writerow(
                    [f"{day} 08:00", model, f"{launched[n, k]}.0", *cells, f"kpszsu/posts/{n}"]
                )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, small_surrogate: Surrogate) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("split")
    return {
        "full": _write(folder / "full.csv", small_surrogate, fold=False),
        "folded": _write(folder / "folded.csv", small_surrogate, fold=True),
    }


def _data(path: Path) -> NightData:
    reports = load_reports(path)
    return night_data(reports.by_night, reports.rows)


def test_night_data__split_known_only_where_the_file_gives_it(files: dict[str, Path]) -> None:
    full, folded = _data(files["full"]), _data(files["folded"])
    np.testing.assert_array_equal(full.launched, folded.launched)
    # neutralised is the same on every night: folded or not, destroyed + lost
    np.testing.assert_array_equal(full.neutralised, folded.neutralised)
    has = full.launched > 0
    assert full.split[has].all()
    late = folded.nights >= FOLD_FROM
    assert not folded.split[late].any()
    np.testing.assert_array_equal(folded.split[~late], has[~late])
    np.testing.assert_array_equal(folded.destroyed[~late], full.destroyed[~late])
    assert np.isnan(folded.destroyed[late]).all()


def _lost_share(surrogate: Surrogate, data: NightData, post: Posterior) -> float:
    """The fitted emulator's drones lost / neutralised over the nights, at the posterior median."""
    theta = np.median(post.samples, axis=0)[: len(NAMES)]
    shot, lost = surrogate.shares(data.counts, theta)
    drones = data.launched[:, 0]
    return float((lost[:, 0] * drones).sum() / ((shot[:, 0] + lost[:, 0]) * drones).sum())


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(400, id="quick"),
        pytest.param(2000, id="full", marks=pytest.mark.slow),
    ],
)
def test_fit_period__folded_split_does_not_collapse_the_ew_rate(
    files: dict[str, Path], small_surrogate: Surrogate, steps: int
) -> None:
    """Read as unknown, the folded months only lose the split's evidence: the EW multiplier
    and the drones' lost share stay those of the fit with every split (read as zeros, the
    folded months would say "nothing lost" on 60 nights and drive both towards 0)."""
    full, folded = _data(files["full"]), _data(files["folded"])
    ew = FIT_NAMES.index("ew")
    fits = {
        name: fit_period(small_surrogate, data, start="a", end="b", steps=steps, seed=2)
        for name, data in (("full", full), ("folded", folded))
    }
    medians = {name: float(np.median(post.samples[:, ew])) for name, post in fits.items()}
    shares = {name: _lost_share(small_surrogate, full, post) for name, post in fits.items()}
    reported = full.neutralised[:, 0] - full.destroyed[:, 0]
    assert reported.sum() / full.neutralised[:, 0].sum() > 0.25  # the lost matter here
    assert medians["full"] > 2.0, medians
    assert medians["folded"] > 0.6 * medians["full"], medians
    assert shares["folded"] == pytest.approx(shares["full"], abs=0.06), shares


def test_backtest__destroyed_scored_only_where_the_split_is_reported(
    files: dict[str, Path], small_surrogate: Surrogate
) -> None:
    folded = _data(files["folded"])
    result = backtest(
        folded,
        small_surrogate,
        train_until=date(2025, 2, 10),
        refit_every_days=30,
        window_days=40,
        steps=100,
        warm_steps=60,
        draws=50,
        seed=1,
    )
    nights = result.nights
    late = (pd.to_datetime(nights["night"]) >= pd.Timestamp(str(FOLD_FROM))).to_numpy()
    destroyed = (nights["target"] == "destroyed").to_numpy()
    neutralised = (nights["target"] == "neutralised").to_numpy()
    # neutralised is scored on every test night, destroyed only before the fold
    assert (neutralised & late).sum() > 50
    assert destroyed.sum() > 20
    assert not (destroyed & late).any()
    assert set(result.metrics["target"]) == {"neutralised", "destroyed"}


def test_baseline_forecast__destroyed_share_from_the_split_nights_only() -> None:
    """Drones: 10 launched, 4 destroyed on a split night; 30 launched, split unknown, the
    night after. The destroyed share is 4 / 10, not (4 + ?) / 40; neutralised uses both."""
    data = NightData(
        np.array(["2025-01-01", "2025-01-02"], dtype="datetime64[D]"),
        np.array([[10, 0, 0], [30, 0, 0]]),
        np.array([[8, 0, 0], [24, 0, 0]]),
        np.array([[4.0, np.nan, np.nan], [np.nan, np.nan, np.nan]]),
        np.zeros(2, dtype=np.int64),
    )
    night = np.datetime64("2025-01-03")
    assert baseline_forecast(data, night, "destroyed")[0] == pytest.approx(0.4)
    assert baseline_forecast(data, night, "neutralised")[0] == pytest.approx(32 / 40)
    assert np.isnan(baseline_forecast(data, night, "destroyed")[1:]).all()
