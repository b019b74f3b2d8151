"""Air-patrol outputs (:mod:`skyshield.metrics.air`) on hand-made shots."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from skyshield.metrics.air import air_patrols
from skyshield.scenario import builtin_scenario_path, load_scenario


def test_air_patrols__hours_rounds_and_cost_by_hand() -> None:
    scenario = load_scenario(builtin_scenario_path("airspace-violation"))
    shots = pd.DataFrame(
        {
            "unit": [
                "pl-f16-east/1.1/aim-9x",
                "pl-f16-east/3.2/aim-9x",
                "nl-f35-southeast/2.2/aim-120c",
                "pl-camm-rzeszow",
            ],
            "kill": [True, False, False, True],
            "cost_usd": [416_000.0, 416_000.0, 1_000_000.0, 1_000_000.0],
        }
    )
    table = air_patrols(scenario, shots, replications=2).set_index("patrol")
    pl, nl = table.loc["pl-f16-east"], table.loc["nl-f35-southeast"]
    # 4 sorties x 2 F-16 x 1.5 h; 3 sorties x 2 F-35 x 2 h (catalog times on station)
    assert pl["aircraft_sorties"] == 8
    assert pl["hours_on_station"] == pytest.approx(12.0)
    assert nl["aircraft_sorties"] == 6
    assert nl["hours_on_station"] == pytest.approx(12.0)
    assert pl["rounds_mean"] == 1.0
    assert pl["kills_mean"] == 0.5
    assert pl["cost_usd_mean"] == pytest.approx(416_000.0)
    assert pl["cost_per_kill_usd"] == pytest.approx(832_000.0)
    assert nl["rounds_mean"] == 0.5
    assert math.isnan(nl["cost_per_kill_usd"])
