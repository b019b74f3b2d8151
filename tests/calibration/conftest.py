"""A small engine design and its emulator, built once for the calibration tests (~30 s)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.calibrate import Calibration
from skyshield.calibration.fit import FIT_NAMES, Posterior
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import (
    Surrogate,
    design_compositions,
    fit_surrogate,
    run_design,
)

SMALL_REPLICATIONS = 8


@pytest.fixture(scope="session")
def small_design() -> pd.DataFrame:
    # many compositions, few parameter points: each composition flies its own drawn geography,
    # and the emulator learns geography across compositions (16 x 24 left ballistic no better
    # than a constant once the night's targets varied; 48 x 8, the same 384 runs, 0.74 of it)
    return run_design(
        design_compositions(48, seed=3), 8, replications=SMALL_REPLICATIONS, route_sets=2, seed=5
    )


@pytest.fixture(scope="session")
def small_surrogate(small_design: pd.DataFrame) -> Surrogate:
    return fit_surrogate(small_design)


CHOSEN = {"pk_drone": 2.0, "pk_cruise": 0.5, "pk_ballistic": 0.1, "ew": 3.0}


def write_calibration_file(directory: Path) -> Path:
    """A calibration file whose latest quarter's samples all equal CHOSEN (others 0.5)."""
    row = np.array([CHOSEN.get(name, 0.5) for name in FIT_NAMES])
    older = Posterior(
        "2024-10-01", "2025-01-01", 80, np.ones((5, row.size)), np.ones((4, row.size)), 0.3
    )
    latest = Posterior(
        "2025-01-01", "2025-04-01", 90, np.tile(row, (5, 1)), np.tile(row, (4, 1)), 0.3
    )
    surrogate = Surrogate(np.zeros((3, 2, 4)))
    path = directory / "calibration.json"
    Calibration(surrogate, EmulatorSettings(), pd.DataFrame(), (older, latest)).write(path)
    return path
