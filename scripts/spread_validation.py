"""Validation back-test of #23's predictive spread: scores, width decomposition, centre's bias.

Usage: ``python scripts/spread_validation.py [--dispersion MODE] [--emulator CACHE.pkl]``.
Runs ``backtest --train-until 2024-10-01 --test-until 2025-03-31`` (the validation period; never
the test period) with the default settings and prints the metrics, the predictive variance per
part (:mod:`skyshield.calibration.spread`) and the bias of the centre per class and raid size.
The emulator (default design, seed 1) is built once and cached in ``--emulator``.
"""

from __future__ import annotations

import argparse
import pickle
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, logit
from scipy.stats import betabinom

from skyshield.calibration.backtest import backtest
from skyshield.calibration.calibrate import build_emulator
from skyshield.calibration.checks import patriot_nights
from skyshield.calibration.fit import NightData, night_data
from skyshield.calibration.settings import (
    VALIDATION_PERIOD,
    EmulatorSettings,
    parse_half_lives,
)
from skyshield.calibration.spread import bias_table, spread_table
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.posture import night_geographies
from skyshield.reports import load_reports


def overdispersed_baseline(data: NightData, nights: pd.DataFrame) -> pd.DataFrame:
    """A calibrated naive forecaster: the baseline's share with a beta-binomial ρ of its window.

    Per test night and class, p and ρ maximise the beta-binomial likelihood of the 30 days
    before (all earlier nights when those have none); scored like the model (neutralised).
    A diagnostic only: what width an honest naive forecaster needs.
    """
    out = []
    rows = nights[nights["target"] == "neutralised"]
    for r in rows.itertuples():
        k = REPORT_CLASSES.index(str(r._2))
        night = np.datetime64(str(r.night))
        before = data.nights < night
        recent = before & (data.nights >= night - np.timedelta64(30, "D"))
        for window in (recent, before):
            mine = window & (data.launched[:, k] > 0)
            if mine.any():
                break
        n, x = data.launched[mine, k], data.neutralised[mine, k]
        p0 = x.sum() / n.sum()

        def nll(z: np.ndarray, n: np.ndarray = n, x: np.ndarray = x) -> float:
            p, rho = expit(z[0]), expit(z[1])
            phi = 1 / rho - 1
            return -float(betabinom.logpmf(x, n, p * phi, (1 - p) * phi).sum())

        z = minimize(nll, [logit(np.clip(p0, 0.01, 0.99)), logit(0.02)], method="Nelder-Mead").x
        p, rho = expit(z[0]), expit(z[1])
        phi = 1 / rho - 1
        dist = betabinom(int(r.launched), p * phi, (1 - p) * phi)
        grid = np.arange(int(r.launched) + 1)
        crps = float(np.sum((dist.cdf(grid) - (grid >= r.reported)) ** 2))
        lo, med, hi = dist.ppf([0.05, 0.5, 0.95])
        out.append(
            {
                "class": r._2,
                "abs_error": abs(med - r.reported),
                "crps": crps,
                "inside": lo <= r.reported <= hi,
                "width": hi - lo,
            }
        )
    frame = pd.DataFrame(out)
    return frame.groupby("class").agg(
        nights=("crps", "size"),
        mae=("abs_error", "mean"),
        crps=("crps", "mean"),
        coverage_90=("inside", "mean"),
        width_90=("width", "mean"),
    )


def main() -> None:
    """Run the validation back-test and print what it measured."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", default="/tmp/spread-emulator.pkl")
    parser.add_argument("--dispersion", default=None)
    parser.add_argument("--drift", default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--half-life", default=None, help="as backtest --half-life")
    parser.add_argument("--baseline-only", default=None, help="a saved nights CSV")
    parser.add_argument("--out", default=None, help="save the nights table (CSV)")
    args = parser.parse_args()
    cache = Path(args.emulator)
    if cache.exists():
        surrogate = pickle.loads(cache.read_bytes())
    else:
        surrogate, _ = build_emulator(EmulatorSettings(seed=1))
        cache.write_bytes(pickle.dumps(surrogate))
    reports = load_reports(None)
    data = night_data(reports.by_night, reports.rows, night_geographies(None))
    if args.baseline_only:
        with pd.option_context("display.width", 200):
            print(overdispersed_baseline(data, pd.read_csv(args.baseline_only)).round(3))
        return
    extra: dict[str, Any] = {} if args.dispersion is None else {"dispersion": args.dispersion}
    if args.drift is not None:
        extra["drift"] = args.drift
    if args.half_life is not None:
        extra["half_lives"] = parse_half_lives(args.half_life)
    started = time.perf_counter()
    result = backtest(
        data,
        surrogate,
        train_until=date.fromisoformat(VALIDATION_PERIOD[0]),
        test_until=date.fromisoformat(VALIDATION_PERIOD[1]),
        seed=args.seed,
        patriot_cover=patriot_nights(None),
        **extra,
    )
    print(f"validation back-test: {time.perf_counter() - started:.0f} s")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        m = result.metrics
        print(
            m[
                [
                    "class",
                    "target",
                    "nights",
                    "mae",
                    "baseline_mae",
                    "crps",
                    "baseline_crps",
                    "coverage_90",
                    "baseline_coverage_90",
                    "width_90",
                    "baseline_width_90",
                    "dm_p",
                ]
            ].round(3)
        )
        rows = m[m["nights"] >= 20]
        print(
            "selection rule, mean CRPS ratio:",
            round(float((rows.crps / rows.baseline_crps).mean()), 4),
        )
        print(spread_table(result.spread).round(3))
        print(bias_table(result.nights).round(3))
        print(result.checks["pit"])
    print("the 30-day baseline made beta-binomial (its own rho by ML on the same 30 days):")
    print(overdispersed_baseline(data, result.nights).round(3))
    if args.out:
        result.nights.to_csv(args.out, index=False)
        result.spread.to_csv(Path(args.out).with_suffix(".spread.csv"), index=False)


if __name__ == "__main__":
    main()
