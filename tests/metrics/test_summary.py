"""Per-replication summaries (:mod:`skyshield.metrics.summary`) against hand arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skyshield.engine.outcomes import Fate, Outcomes
from skyshield.metrics.summary import (
    Z95,
    by_class,
    by_target,
    interceptors,
    mean_interval,
    per_replication,
)


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
    assert out.loc["zero"].tolist() == [0.0] * 7  # mean, CI, 2.5-97.5% and 5-95% ranges
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


def test_mean_interval__five_to_ninety_five_night_range() -> None:
    """x = 1, 2, 3, 4, 10 (linear quantiles): p5 = 1 + 0.2·1 = 1.2, p95 = 4 + 0.8·6 = 8.8."""
    out = mean_interval(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 10.0]}))
    assert out.loc["x", "night_p5"] == pytest.approx(1.2)
    assert out.loc["x", "night_p95"] == pytest.approx(8.8)


def _outcomes(threats: pd.DataFrame, shots: pd.DataFrame | None = None) -> Outcomes:
    return Outcomes(
        threats=threats, shots=shots if shots is not None else pd.DataFrame(), stocks=pd.DataFrame()
    )


def test_by_target__reached_area_counts_decoys_ending_in_the_area() -> None:
    """Night 0: a decoy reached Kyiv, one fell inside its area, one fell outside, a drone hit
    Kyiv in the area (an impact, not a decoy); night 1: one decoy in Lviv's area.
    """
    cats = pd.CategoricalDtype(["Kyiv", "Lviv"])
    threats = pd.DataFrame(
        {
            "replication": [0, 0, 0, 0, 1],
            "threat_class": ["decoy", "decoy", "decoy", "drone", "decoy"],
            "target": pd.Series(["Kyiv", "Kyiv", "Kyiv", "Kyiv", "Lviv"], dtype=cats),
            "fate": ["reached_area", "fell", "fell", "impacted", "lost_to_ew"],
            "in_target_area": [True, True, False, True, True],
        }
    )
    out = by_target(_outcomes(threats), np.arange(2)).set_index(["quantity", "target"])
    assert out.loc[("reached_area", "Kyiv"), "mean"] == pytest.approx(1.0)  # (2 + 0) / 2
    assert out.loc[("reached_area", "Lviv"), "mean"] == pytest.approx(0.5)
    assert out.loc[("impacts", "Kyiv"), "mean"] == pytest.approx(0.5)
    assert out.loc[("impacts", "Lviv"), "mean"] == 0.0


def test_interceptors__cost_per_downed_is_a_ratio_of_means() -> None:
    """Two nights: USD 10 and 30 spent, 1 and 0 kills: 40 / 1 = 40 per threat downed overall
    (mean cost 20 over mean kills 0.5); the night range only counts nights with a kill (10).
    """
    shots = pd.DataFrame(
        {
            "replication": [0, 1, 1],
            "nation": ["PL", "PL", "PL"],
            "system": ["f-16", "f-16", "f-16"],
            "threat_class": ["decoy", "decoy", "decoy"],
            "cost_usd": [10.0, 15.0, 15.0],
            "kill": [True, False, False],
        }
    )
    out = interceptors(_outcomes(pd.DataFrame(), shots), np.arange(2))
    per = out[out["quantity"] == "cost_per_downed_usd"].set_index(["nation", "system"])
    assert per.loc[("PL", "f-16"), "mean"] == pytest.approx(40.0)
    assert per.loc[("all", "all"), "mean"] == pytest.approx(40.0)
    assert per.loc[("PL", "f-16"), "night_p95"] == pytest.approx(10.0)


def test_by_class__locationally_lost_is_lost_to_ew_plus_fell() -> None:
    threats = pd.DataFrame(
        {
            "replication": [0, 0, 0, 1],
            "threat_class": pd.Categorical(["drone"] * 4, categories=["drone", "decoy"]),
            "fate": pd.Categorical(
                ["fell", "lost_to_ew", "impacted", "fell"], categories=[f.label for f in Fate]
            ),
        }
    )
    out = by_class(_outcomes(threats), np.arange(2)).set_index(["threat_class", "quantity"])
    assert out.loc[("drone", "fell"), "mean"] == pytest.approx(1.0)
    assert out.loc[("drone", "locationally_lost"), "mean"] == pytest.approx(1.5)
