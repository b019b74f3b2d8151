"""Per-replication summaries (:mod:`skyshield.metrics.summary`) against hand arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skyshield.metrics.summary import Z95, mean_interval, per_replication


def test_mean_interval__hand_computed_mean_and_half_width() -> None:
    """x = 1, 2, 3, 4, 10: mean 4; squared deviations 9+4+1+0+36 = 50, s² = 50/4 = 12.5,
    SE = √12.5/√5 = 1.58114; half width 1.959964 × 1.58114 = 3.09898.
    Night range (pandas linear quantiles): 1 + 0.1·1 = 1.1 and 4 + 0.9·6 = 9.4.
    """
    frame = pd.DataFrame({"impacted": [1.0, 2.0, 3.0, 4.0, 10.0], "zero": 0.0})
    out = mean_interval(frame)
    assert out.loc["impacted", "mean"] == pytest.approx(4.0)
    assert out.loc["impacted", "ci95_low"] == pytest.approx(4.0 - 3.09898, abs=1e-5)
    assert out.loc["impacted", "ci95_high"] == pytest.approx(4.0 + 3.09898, abs=1e-5)
    assert out.loc["impacted", "night_p2_5"] == pytest.approx(1.1)
    assert out.loc["impacted", "night_p97_5"] == pytest.approx(9.4)
    assert out.loc["zero"].tolist() == [0.0] * 5
    assert pytest.approx(1.959963984540054) == Z95


def test_mean_interval__one_replication_has_no_interval() -> None:
    out = mean_interval(pd.DataFrame({"x": [3.0]}))
    assert out.loc["x", "mean"] == 3.0
    assert np.isnan(out.loc["x", "ci95_low"])
    assert np.isnan(out.loc["x", "ci95_high"])


def test_per_replication__missing_replications_count_zero() -> None:
    frame = pd.DataFrame(
        {"replication": [0, 0, 2], "fate": ["impacted", "intercepted", "impacted"]}
    )
    out = per_replication(frame, np.arange(4), ["fate"])
    assert out.loc[:, "impacted"].tolist() == [1, 0, 1, 0]
    assert out.loc[:, "intercepted"].tolist() == [1, 0, 0, 0]
