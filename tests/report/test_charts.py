"""The report's charts: a count's interval never reaches below 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skyshield.metrics.summary import half_width_95
from skyshield.reporting.charts import by_class_chart, by_target_chart, by_unit_chart


def _by_unit() -> pd.DataFrame:
    """Two units over 20 nights: one fires 3 rounds on one night (mean 0.15, interval half-width
    0.29 by the normal formula, so mean − half < 0), one fires 4 to 6 rounds every night."""
    rare = pd.Series([3.0] + [0.0] * 19)
    busy = pd.Series([4.0, 5.0, 6.0, 5.0] * 5)
    return pd.DataFrame(
        {
            "unit": ["rare", "busy"],
            "nation": ["UA", "PL"],
            "system": ["gepard", "patriot"],
            "rounds_mean": [rare.mean(), busy.mean()],
            "rounds_ci95": [half_width_95(rare), half_width_95(busy)],
            "nights_fired": [0.05, 1.0],
        }
    )


def test_by_unit_chart__interval_cut_at_zero_only_where_it_fell_below() -> None:
    table = _by_unit()
    assert (table["rounds_mean"] - table["rounds_ci95"]).iloc[0] < 0  # the defect's case
    rows = {r["unit"]: r for r in by_unit_chart(table)["data"]["values"]}
    assert rows["rare"]["ci95_low"] == 0.0
    assert rows["rare"]["ci95_high"] == pytest.approx(0.15 + table["rounds_ci95"].iloc[0])
    assert rows["busy"]["ci95_low"] == pytest.approx(5.0 - table["rounds_ci95"].iloc[1])
    assert rows["busy"]["ci95_low"] > 0
    assert all(r["ci95_low"] <= r["mean"] <= r["ci95_high"] for r in rows.values())


def test_class_and_target_charts__intervals_cut_at_zero() -> None:
    stats = {"mean": [0.05, 2.0], "ci95_low": [-0.05, 1.5], "ci95_high": [0.15, 2.5]}
    by_class = pd.DataFrame(
        {"threat_class": ["drone", "drone"], "quantity": ["fell", "intercepted"]}
    )
    by_target = pd.DataFrame({"target": ["Lviv", "Kyiv"], "quantity": ["impacts", "impacts"]})
    by_target["night_p2_5"], by_target["night_p97_5"] = 0.0, np.array([1.0, 4.0])
    for chart in (
        by_class_chart(by_class.assign(**stats)),
        by_target_chart(by_target.assign(**stats)),
    ):
        lows = [r["ci95_low"] for r in chart["data"]["values"]]
        assert lows == [0.0, 1.5]
