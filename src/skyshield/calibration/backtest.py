"""``skyshield backtest``: rolling-origin predictions of report nights, scored against a baseline.

From ``train_until`` on, the model is refitted every ``refit_every_days`` on the nights of the
``window_days`` before the refit date (warm-started from the previous fit), and predicts each
night up to the next refit from its launched counts only: every test night is predicted from
reports before it. Per night and class the prediction is a distribution (posterior samples ×
beta-binomial draws) of neutralised (destroyed + locationally lost) and destroyed.

The naive baseline predicts launched × (Σ target / Σ launched) over the 30 days before the
night, per class (all earlier nights when those 30 days have none of the class). It is a point
forecast, so its CRPS is its absolute error and it has no interval coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import scoringrules

from skyshield.calibration.fit import NightData, Posterior, fit_period, predictive_samples
from skyshield.calibration.model import REPORT_CLASSES
from skyshield.calibration.surrogate import Surrogate

__all__ = ["BASELINE_DAYS", "Backtest", "backtest", "baseline_forecast", "score"]

BASELINE_DAYS = 30
TARGETS = ("neutralised", "destroyed")


@dataclass(frozen=True, slots=True)
class Backtest:
    """Per test night, class and target: reported, model median and intervals, baseline."""

    nights: pd.DataFrame
    metrics: pd.DataFrame
    fits: tuple[Posterior, ...]


def baseline_forecast(data: NightData, night: np.datetime64, target: str) -> np.ndarray:
    """(3,) expected count per class for ``night`` from the 30 days before it (see module)."""
    values = data.neutralised if target == "neutralised" else data.destroyed
    before = data.nights < night
    recent = before & (data.nights >= night - np.timedelta64(BASELINE_DAYS, "D"))
    out = np.full(len(REPORT_CLASSES), np.nan)
    for k in range(len(REPORT_CLASSES)):
        for window in (recent, before):
            launched = data.launched[window, k].sum()
            if launched > 0:
                out[k] = values[window, k].sum() / launched
                break
    return out


def backtest(
    data: NightData,
    surrogate: Surrogate,
    *,
    train_until: date,
    test_until: date | None = None,
    refit_every_days: int = 30,
    window_days: int = 90,
    steps: int = 600,
    draws: int = 400,
    seed: int = 0,
    initial: Posterior | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Rolling-origin back-test of the nights in [train_until, test_until] (see the module)."""
    last = pd.Timestamp(data.nights.max()).date() if len(data) else train_until
    end = min(test_until, last) if test_until is not None else last
    origins = []
    origin = train_until
    while origin <= end:
        origins.append(origin)
        origin += timedelta(days=refit_every_days)
    rows: list[dict[str, object]] = []
    fits: list[Posterior] = []
    walkers = initial.walkers if initial is not None else None
    for i, origin in enumerate(origins):
        start = np.datetime64(origin - timedelta(days=window_days))
        train = data.between(start, np.datetime64(origin))
        fit = fit_period(
            surrogate,
            train,
            start=(origin - timedelta(days=window_days)).isoformat(),
            end=origin.isoformat(),
            steps=steps,
            seed=seed + i,
            initial=walkers,
        )
        fits.append(fit)
        walkers = fit.walkers
        stop = min(origin + timedelta(days=refit_every_days), end + timedelta(days=1))
        test = data.between(np.datetime64(origin), np.datetime64(stop))
        if len(test):
            neutral, destroyed = predictive_samples(
                surrogate, fit, test.launched, draws=draws, seed=seed + i
            )
            for n, night in enumerate(test.nights):
                for target, samples, reported in (
                    ("neutralised", neutral, test.neutralised),
                    ("destroyed", destroyed, test.destroyed),
                ):
                    base = baseline_forecast(data, night, target)
                    for k, cls in enumerate(REPORT_CLASSES):
                        if test.launched[n, k] == 0:
                            continue
                        s = samples[:, n, k]
                        q = np.quantile(s, [0.05, 0.25, 0.5, 0.75, 0.95])
                        rows.append(
                            {
                                "night": str(night),
                                "class": cls,
                                "target": target,
                                "launched": int(test.launched[n, k]),
                                "reported": int(reported[n, k]),
                                "p5": q[0],
                                "p25": q[1],
                                "median": q[2],
                                "p75": q[3],
                                "p95": q[4],
                                "crps": float(
                                    scoringrules.crps_ensemble(float(reported[n, k]), s * 1.0)
                                ),
                                "baseline": float(test.launched[n, k] * base[k]),
                                "origin": origin.isoformat(),
                            }
                        )
        if progress is not None:
            progress(i + 1, len(origins))
    nights = pd.DataFrame(rows)
    return Backtest(nights=nights, metrics=score(nights), fits=tuple(fits))


def score(nights: pd.DataFrame) -> pd.DataFrame:
    """Metrics per class and target: MAE, CRPS and interval coverage beside the baseline's."""
    rows: list[dict[str, object]] = []
    if nights.empty:
        return pd.DataFrame(rows)
    for (cls, target), g in nights.groupby(["class", "target"], sort=False):
        reported = g["reported"].to_numpy(dtype=float)
        baseline_error = np.abs(g["baseline"].to_numpy() - reported)
        rows.append(
            {
                "class": cls,
                "target": target,
                "nights": len(g),
                "mae": float(np.mean(np.abs(g["median"].to_numpy() - reported))),
                "baseline_mae": float(np.nanmean(baseline_error)),
                "crps": float(g["crps"].mean()),
                "baseline_crps": float(np.nanmean(baseline_error)),
                "coverage_50": float(np.mean((g["p25"] <= reported) & (reported <= g["p75"]))),
                "coverage_90": float(np.mean((g["p5"] <= reported) & (reported <= g["p95"]))),
            }
        )
    return pd.DataFrame(rows)
