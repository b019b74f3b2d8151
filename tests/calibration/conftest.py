"""A small engine design and its emulator, built once for the calibration tests (~30 s)."""

from __future__ import annotations

import pandas as pd
import pytest

from skyshield.calibration.surrogate import (
    Surrogate,
    design_compositions,
    fit_surrogate,
    run_design,
)

SMALL_REPLICATIONS = 8


@pytest.fixture(scope="session")
def small_design() -> pd.DataFrame:
    return run_design(
        design_compositions(16, seed=3), 16, replications=SMALL_REPLICATIONS, route_sets=2, seed=5
    )


@pytest.fixture(scope="session")
def small_surrogate(small_design: pd.DataFrame) -> Surrogate:
    return fit_surrogate(small_design)
