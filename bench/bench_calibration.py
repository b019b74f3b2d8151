"""Calibration benchmark: where `skyshield calibrate` and `backtest` spend their time.

Run: ``.venv/bin/python bench/bench_calibration.py`` (about 5 minutes on 2 cores). Prints wall
times of each stage and their ratio to the dice floor measured in the same run.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

from skyshield.calibration.backtest import backtest
from skyshield.calibration.fit import fit_period, night_data
from skyshield.calibration.model import NAMES, NightEngine
from skyshield.calibration.settings import DEFAULTS
from skyshield.calibration.surrogate import design_compositions, fit_surrogate, run_design
from skyshield.posture import NightComposition
from skyshield.reports import load_reports

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s


def timed(label: str, floor: float, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<62s} {elapsed:8.2f} s {elapsed / floor:9.0f}x floor", flush=True)
    return value, elapsed


def main() -> None:
    floor = floor_s()
    print(f"{'dice floor (8,000 windows x 1,000 replications)':<62s} {floor:8.3f} s")
    engine, _ = timed(
        "one night geometry (300 drones, 40 cruise, 8 ballistic; 4 sets)",
        floor,
        NightEngine,
        NightComposition(300, 40, 8),
    )
    theta = {name: 1.0 for name in NAMES} | {"decoy_share": 0.3}
    timed(
        "  its event loop, one parameter point, 24 replications",
        floor,
        engine.simulate,
        theta,
        24,
        1,
    )
    compositions = design_compositions(DEFAULTS.compositions, seed=DEFAULTS.seed)
    design, _ = timed(
        f"engine design ({DEFAULTS.compositions} x {DEFAULTS.parameters} x "
        f"{DEFAULTS.replications} replications)",
        floor,
        run_design,
        compositions,
        DEFAULTS.parameters,
        replications=DEFAULTS.replications,
        seed=DEFAULTS.seed,
    )
    surrogate, _ = timed("emulator fit (binomial GLMs)", floor, fit_surrogate, design)
    data = night_data(load_reports().by_night)
    quarter = data.between(np.datetime64("2025-01-01"), np.datetime64("2025-04-01"))
    timed(
        "one quarter's MCMC (90 nights, 32 walkers x 3,000 steps)",
        floor,
        fit_period,
        surrogate,
        quarter,
        start="2025-01-01",
        end="2025-04-01",
    )
    timed(
        "back-test of the last 90 nights (4 refits)",
        floor,
        backtest,
        data,
        surrogate,
        train_until=date(2025, 4, 1),
    )


if __name__ == "__main__":
    main()
