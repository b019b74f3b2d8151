"""Ballistic success with and without Patriot/SAMP-T cover (issue 23, item 4, second half).

A ballistic missile is stopped, if at all, by a Patriot or SAMP/T near its target. With each
report night's own targets (:mod:`skyshield.posture.geography`), that mixture can come from
geography: nights aimed at covered cities should show a higher neutralised share than nights
aimed elsewhere, in the reports and in the model. :func:`ballistic_cover` groups the ballistic
nights by where their located targets lie and compares the two.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from skyshield.calibration.fit import NightData
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.posture.cover import patriot_covered
from skyshield.posture.geography import NightGeography
from skyshield.posture.laydown import scenario_places

__all__ = ["COVER_GROUPS", "ballistic_cover", "cover_group"]

COVER_GROUPS = ("covered", "partly", "not covered", "not located")
_BALLISTIC = REPORT_CLASSES.index("ballistic")


def cover_group(geography: NightGeography | None, day: np.datetime64 | None = None) -> str:
    """Say where a night's ballistic targets lie: :data:`COVER_GROUPS`.

    ``covered``: every located ballistic target is under publicly reported Patriot/SAMP-T
    cover on ``day`` (:func:`~skyshield.posture.cover.patriot_covered`, the one definition);
    ``not covered``: none is; ``partly``: some; ``not located``: the report names no located
    ballistic target (the model flies the default mix).
    """
    if geography is None or "ballistic" not in geography.targets:
        return "not located"
    points = scenario_places(geography).targets["ballistic"].values()
    share = float(np.mean([patriot_covered(lon, lat, day) for lon, lat in points]))
    return "covered" if share == 1.0 else "not covered" if share == 0.0 else "partly"


def ballistic_cover(
    data: NightData,
    geographies: Mapping[np.datetime64, NightGeography],
    surrogate: Surrogate | None = None,
    theta: np.ndarray | None = None,
) -> pd.DataFrame:
    """Neutralised share of ballistic missiles per cover group, reported and (optionally) model.

    One row per :data:`COVER_GROUPS` entry with ballistic nights: ``nights``, ``launched``,
    ``reported`` (neutralised / launched over the group's nights) and, given an emulator and
    parameters ``theta``, ``model``: its expected neutralised share, weighted by launched, on
    the same nights with their geography features (``data.geography``).
    """
    has = data.launched[:, _BALLISTIC] > 0
    groups = np.array([cover_group(geographies.get(n), n) for n in data.nights])
    model = None
    if surrogate is not None and theta is not None:
        destroyed, lost = surrogate.shares(data.counts, theta)
        model = (destroyed + lost)[:, _BALLISTIC]
    rows = []
    for group in COVER_GROUPS:
        mine = has & (groups == group)
        if not mine.any():
            continue
        launched = data.launched[mine, _BALLISTIC]
        row: dict[str, object] = {
            "cover": group,
            "nights": int(mine.sum()),
            "launched": int(launched.sum()),
            "reported": float(data.neutralised[mine, _BALLISTIC].sum() / launched.sum()),
        }
        if model is not None:
            row["model"] = float(np.sum(model[mine] * launched) / launched.sum())
        rows.append(row)
    return pd.DataFrame(rows)
