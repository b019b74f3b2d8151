"""Monthly totals of the nightly reports per threat class, with neutralised shares."""

from __future__ import annotations

import pandas as pd

from skyshield.reports.load import Reports
from skyshield.reports.weapons import ReportClass

__all__ = ["monthly_totals"]

_COUNTS = ("launched", "destroyed", "not_reach_goal", "neutralised")
_CLASS_ORDER = {str(c): c.position for c in ReportClass}


def monthly_totals(reports: Reports) -> pd.DataFrame:
    """Sum :attr:`Reports.by_night` per calendar month (of ``night``) and threat class.

    Returns
    -------
    One row per (month, threat_class) with at least one kept row, sorted by month then
    class order: ``month`` (period[M]), ``threat_class`` (str), ``nights`` (nights with a
    report of the class), ``launched``, ``destroyed``, ``not_reach_goal``, ``neutralised``
    (int64), and ``destroyed_share``, ``not_reach_goal_share``, ``neutralised_share``
    (float64: the count over ``launched``; NaN when nothing was launched).
    """
    by_night = reports.by_night
    grouped = (
        by_night.assign(month=by_night["night"].dt.to_period("M"))
        .groupby(["month", "threat_class"], sort=False)
        .agg(
            nights=("night", "nunique"),
            **{name: (name, "sum") for name in _COUNTS},
        )
        .reset_index()
    )
    order = grouped["threat_class"].map(_CLASS_ORDER)
    grouped = (
        grouped.assign(_order=order)
        .sort_values(["month", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    launched = grouped["launched"].astype("float64").where(grouped["launched"] > 0)
    for name in ("destroyed", "not_reach_goal", "neutralised"):
        grouped[f"{name}_share"] = grouped[name] / launched
    return grouped.astype({"nights": "int64", **dict.fromkeys(_COUNTS, "int64")})
