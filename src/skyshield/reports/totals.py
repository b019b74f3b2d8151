"""Monthly totals of the nightly reports per threat class, with neutralised shares."""

from __future__ import annotations

import pandas as pd

from skyshield.reports.load import Reports
from skyshield.reports.weapons import ReportClass

__all__ = ["monthly_totals"]

_COUNTS = ("launched", "destroyed", "neutralised")
_CLASS_ORDER = {str(c): c.position for c in ReportClass}


def monthly_totals(reports: Reports) -> pd.DataFrame:
    """Sum :attr:`Reports.by_night` per calendar month (of ``night``) and threat class.

    Returns
    -------
    One row per (month, threat_class) with at least one kept row, sorted by month then
    class order: ``month`` (period[M]), ``threat_class`` (str), ``nights`` (nights with a
    report of the class), ``launched``, ``destroyed``, ``neutralised`` (int64),
    ``split_nights`` (nights whose report gives ``not_reach_goal``), ``not_reach_goal`` (Int64:
    the sum over those nights; NA when none), and ``destroyed_share``,
    ``not_reach_goal_share``, ``neutralised_share`` (float64: the count over ``launched``; NaN
    when nothing was launched; the lost share is over all the month's launched, so it is a
    lower bound when some nights do not report the split).
    """
    by_night = reports.by_night
    grouped = (
        by_night.assign(month=by_night["night"].dt.to_period("M"))
        .groupby(["month", "threat_class"], sort=False)
        .agg(
            nights=("night", "nunique"),
            **{name: (name, "sum") for name in _COUNTS},
            split_nights=("not_reach_goal", "count"),
            not_reach_goal=("not_reach_goal", lambda lost: lost.sum(min_count=1)),
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
    grouped = grouped.astype(
        {
            "nights": "int64",
            "split_nights": "int64",
            "not_reach_goal": "Int64",
            **dict.fromkeys(_COUNTS, "int64"),
        }
    )
    for name in ("destroyed", "not_reach_goal", "neutralised"):
        grouped[f"{name}_share"] = (grouped[name] / launched).astype("float64")
    return grouped
