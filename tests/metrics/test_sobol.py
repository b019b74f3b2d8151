"""Warnings about Sobol indices a user should not trust."""

from __future__ import annotations

import pandas as pd

from skyshield.metrics.sobol import MIN_BASE_SAMPLES, sobol_warnings


def _indices(s1: float, st: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "output": ["leakers/all", "leakers/all"],
            "parameter": ["pk_scale.drone", "fire_units.iris.stock"],
            "s1": [0.4, s1],
            "s1_ci95": [0.1, 0.1],
            "st": [0.5, st],
            "st_ci95": [0.1, 0.1],
        }
    )


def test_sobol_warnings__small_design_warned_before_it_runs() -> None:
    (line,) = sobol_warnings(MIN_BASE_SAMPLES // 16)
    assert line.startswith("--sobol 4: fewer than 64 base samples; the indices will be noise")
    assert sobol_warnings(MIN_BASE_SAMPLES) == []


def test_sobol_warnings__negative_index_named() -> None:
    (line,) = sobol_warnings(MIN_BASE_SAMPLES, _indices(s1=-0.2, st=0.1))
    assert line.startswith("1 Sobol indices below 0 (fire_units.iris.stock): a share of variance")
    assert sobol_warnings(MIN_BASE_SAMPLES, _indices(s1=0.0, st=0.1)) == []
    assert len(sobol_warnings(2, _indices(s1=0.1, st=-0.01))) == 2
