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

import pandas as pd

from skyshield.calibration.backtest import backtest
from skyshield.calibration.calibrate import build_emulator
from skyshield.calibration.checks import patriot_nights
from skyshield.calibration.fit import night_data
from skyshield.calibration.settings import VALIDATION_PERIOD, EmulatorSettings
from skyshield.calibration.spread import bias_table, spread_table
from skyshield.posture import night_geographies
from skyshield.reports import load_reports


def main() -> None:
    """Run the validation back-test and print what it measured."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", default="/tmp/spread-emulator.pkl")
    parser.add_argument("--dispersion", default=None)
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
    extra = {} if args.dispersion is None else {"dispersion": args.dispersion}
    started = time.perf_counter()
    result = backtest(
        data,
        surrogate,
        train_until=date.fromisoformat(VALIDATION_PERIOD[0]),
        test_until=date.fromisoformat(VALIDATION_PERIOD[1]),
        seed=1,
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
    if args.out:
        result.nights.to_csv(args.out, index=False)
        result.spread.to_csv(Path(args.out).with_suffix(".spread.csv"), index=False)


if __name__ == "__main__":
    main()
