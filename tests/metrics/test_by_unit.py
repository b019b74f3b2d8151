"""Per-unit diagnostics (:func:`skyshield.metrics.summary.by_unit`) on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skyshield.engine.outcomes import Outcomes
from skyshield.metrics.summary import Z95, by_unit


def _outcomes() -> Outcomes:
    units = pd.Categorical(["a", "b"])
    shots = pd.DataFrame(
        {
            "replication": [0, 0, 0, 2],
            "unit": pd.Categorical(["a", "a", "a", "a"], categories=units.categories),
            "system": "nasams",
            "fire_time_s": [3600.0, 7200.0, 9000.0, 1800.0],
            "hit": [True, False, True, False],
            "kill": [True, False, True, False],
        }
    )
    stocks = pd.DataFrame(
        {
            "replication": np.repeat([0, 1, 2], 2),
            "unit": pd.Categorical(["a", "b"] * 3, categories=units.categories),
            "system": ["nasams", "gepard"] * 3,
            "nation": "UA",
            "initial_stock": [3, 0, 3, 0, 3, 0],
            "final_stock": [0, 0, 3, 0, 2, 0],
        }
    )
    return Outcomes(threats=pd.DataFrame(), shots=shots, stocks=stocks)


def test_by_unit__hand_counts() -> None:
    table = by_unit(_outcomes(), np.arange(3)).set_index("unit")
    a, b = table.loc["a"], table.loc["b"]
    # unit a: rounds per night 3, 0, 1 -> mean 4/3, sd sqrt(7/3); kills 2, 0, 0
    assert a["rounds_mean"] == pytest.approx(4 / 3)
    assert a["rounds_ci95"] == pytest.approx(Z95 * np.sqrt(7 / 3) / np.sqrt(3))
    assert a["kills_mean"] == pytest.approx(2 / 3)
    # first shots 1.0 h and 0.5 h -> median 0.75 h; last shots 2.5 h and 0.5 h -> 1.5 h
    assert a["first_shot_h"] == pytest.approx(0.75)
    assert a["last_shot_h"] == pytest.approx(1.5)
    assert a["nights_fired"] == pytest.approx(2 / 3)
    assert a["nights_dry"] == pytest.approx(1 / 3)  # night 0 only: it started with rounds
    # unit b never fired and never had rounds: it never "ran dry"
    assert b["rounds_mean"] == 0
    assert np.isnan(b["first_shot_h"])
    assert b["nights_fired"] == 0
    assert b["nights_dry"] == 0
    assert b["system"] == "gepard"


def test_by_unit__kills_are_threats_killed_not_rounds_that_hit() -> None:
    """A salvo's two hitting rounds kill one threat: kills count the credited round only."""
    outcomes = _outcomes()
    shots = outcomes.shots.assign(hit=True, kill=[True, False, True, False])
    table = by_unit(Outcomes(outcomes.threats, shots, outcomes.stocks), np.arange(3))
    assert table.set_index("unit").loc["a", "kills_mean"] == pytest.approx(2 / 3)
