"""Air-policing outputs: what each air patrol flew, fired and cost per night (issue #22).

Hours on station follow from the sortie plan (:mod:`skyshield.engine.air`), the same every
night: an aircraft leaves its station at Bingo fuel whether or not it fired (Winchester is not
an early return). A patrol on alert counts them for a night its alert is raised (any track on
its networks; the timeline then shifts with the alert, not its length). Rounds, kills and cost
are means per night over the run's nights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skyshield.catalog import load_catalog
from skyshield.engine.air import air_rows
from skyshield.scenario.models import Scenario

__all__ = ["air_patrols"]

_COLUMNS = [
    "patrol",
    "nation",
    "aircraft_type",
    "aircraft_sorties",
    "hours_on_station",
    "rounds_mean",
    "kills_mean",
    "cost_usd_mean",
    "cost_per_kill_usd",
]


def air_patrols(scenario: Scenario, shots: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per air patrol: aircraft sorties, hours on station, rounds, kills and cost.

    ``cost_per_kill_usd`` is the ratio of the means (NaN when it never killed).
    """
    if not scenario.air_patrols:
        return pd.DataFrame(columns=_COLUMNS)
    rows = air_rows(scenario, load_catalog())
    patrol_of_unit = {
        uid: rows.platform_patrol[p]
        for uid, p in zip(rows.unit_ids, rows.unit_platform, strict=True)
    }
    hours = np.zeros(len(scenario.air_patrols))
    sorties = np.zeros(len(scenario.air_patrols), dtype=np.int64)
    for q, on, off in zip(
        rows.platform_patrol, rows.platform_on_s, rows.platform_off_s, strict=True
    ):
        hours[q] += (off - on) / 3600.0
        sorties[q] += 1
    patrol = shots["unit"].astype(str).map(patrol_of_unit)
    mine = shots[patrol.notna()].assign(patrol=patrol[patrol.notna()].astype(int))
    n = max(replications, 1)
    out = []
    for k, p in enumerate(scenario.air_patrols):
        fired = mine[mine["patrol"] == k]
        rounds, kills = len(fired) / n, float(fired["kill"].sum()) / n
        cost = float(fired["cost_usd"].sum()) / n
        out.append(
            {
                "patrol": p.id,
                "nation": p.nation,
                "aircraft_type": p.aircraft_type,
                "aircraft_sorties": int(sorties[k]),
                "hours_on_station": float(hours[k]),
                "rounds_mean": rounds,
                "kills_mean": kills,
                "cost_usd_mean": cost,
                "cost_per_kill_usd": cost / kills if kills > 0 else float("nan"),
            }
        )
    return pd.DataFrame(out, columns=_COLUMNS)
