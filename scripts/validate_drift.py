"""Choose the drift handling of #23 item 5 on the validation period, then score the test once.

Run from the repository root with a calibration file (its emulator is reused):

    .venv/bin/python scripts/validate_drift.py validation calibration.json out.json
    .venv/bin/python scripts/validate_drift.py test calibration.json out.json

``validation``: one engine fit on the window before the period, then the filtered offset for
every state noise of the grid, with and without the engine term, and the weekly refits with
forgetting (the current defaults); prints each one's metrics and mechanism checks. ``test``:
the frozen defaults (settings.DEFAULT_DRIFT, DEFAULT_STATE_NOISE) and the other mode, once.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

from skyshield.calibration.backtest import Backtest, backtest
from skyshield.calibration.calibrate import load_calibration
from skyshield.calibration.checks import patriot_nights
from skyshield.calibration.fit import night_data
from skyshield.calibration.settings import (
    DEFAULT_DRIFT,
    DEFAULT_STATE_NOISE,
    TEST_PERIOD,
    VALIDATION_PERIOD,
)
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.reports import load_reports

GRID = (0.0, 0.003, 0.01, 0.03, 0.1)  # state noise, logit^2 per day
SCALES = (1.0, 0.3, 0.1)  # factor on the fit's overdispersion


def summary(name: str, result: Backtest, seconds: float) -> dict[str, object]:
    """Print and return one variant's metrics and checks."""
    ratio = (result.metrics["crps"] / result.metrics["baseline_crps"]).mean()
    print(f"== {name}: mean CRPS / baseline {ratio:.3f} ({seconds:.0f} s)", flush=True)
    print(result.metrics.round(3).to_string(index=False), flush=True)
    return {
        "name": name,
        "seconds": seconds,
        "settings": result.settings,
        "mean_crps_ratio": float(ratio),
        **result.to_dict(),
    }


def main() -> None:
    """Run the variants of the chosen period; write every result to the output file."""
    period, calibration, output = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    first, last = VALIDATION_PERIOD if period == "validation" else TEST_PERIOD
    reports = load_reports()
    data = night_data(reports.by_night, reports.rows)
    surrogate = load_calibration(calibration).surrogate
    common = {
        "train_until": date.fromisoformat(first),
        "test_until": date.fromisoformat(last),
        "patriot_cover": patriot_nights(),
        "seed": 1,
    }
    results = []
    started = time.perf_counter()
    state = backtest(data, surrogate, drift="state", state_noise=DEFAULT_STATE_NOISE, **common)
    results.append(summary("state (frozen q)", state, time.perf_counter() - started))
    fit = state.fits[0]
    if period == "validation":
        for q in GRID:
            for scale in SCALES:
                for engine in (True, False):
                    started = time.perf_counter()
                    result = backtest(
                        data,
                        surrogate,
                        drift="state",
                        state_noise=dict.fromkeys(REPORT_CLASSES, q),
                        engine_term=engine,
                        fitted=fit,
                        rho_scale=dict.fromkeys(REPORT_CLASSES, scale),
                        **common,
                    )
                    name = (
                        f"state q={q:g} rho x{scale:g} {'engine' if engine else 'constant share'}"
                    )
                    results.append(summary(name, result, time.perf_counter() - started))
                    output.write_text(json.dumps(results, default=str, allow_nan=True))
    else:
        started = time.perf_counter()
        result = backtest(
            data, surrogate, drift="state", state_noise=DEFAULT_STATE_NOISE,
            engine_term=False, fitted=fit, **common,
        )  # fmt: skip
        results.append(summary("state constant share", result, time.perf_counter() - started))
    if "--no-refits" in sys.argv:
        return
    started = time.perf_counter()
    refits = backtest(data, surrogate, drift="refits", **common)
    results.append(summary("weekly refits", refits, time.perf_counter() - started))
    output.write_text(json.dumps(results, default=str, allow_nan=True))
    print("default drift:", DEFAULT_DRIFT)


if __name__ == "__main__":
    main()
