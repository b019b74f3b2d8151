"""Summaries of outcome tables with 95% intervals.

Each quantity is first counted per replication (one simulated night); the summary gives its mean
with a 95% confidence interval of that mean and the 2.5–97.5 percentile range of single nights,
which says how much one night can vary.

Nights that share a route set (when a run has more nights than route sets) are not independent:
the interval then treats route sets as clusters (cluster-robust standard error with the
CR1 small-sample factor G/(G−1), Student t with G−1 degrees of freedom), so route variability
is in it. With one route set per night it is the usual mean ± 1.96·s/√n.

References
----------
A. C. Cameron and D. L. Miller, "A Practitioner's Guide to Cluster-Robust Inference",
*Journal of Human Resources* 50(2), 2015, sections II.B and VI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # the t quantile; scipy.stats is ~40 MB to import

from skyshield.catalog import ThreatClass
from skyshield.engine.outcomes import Fate, Outcomes

__all__ = [
    "Z95",
    "by_class",
    "by_target",
    "by_unit",
    "half_width_95",
    "interceptors",
    "mean_interval",
    "per_replication",
]

# Two-sided 95% quantile of the standard normal distribution.
Z95 = 1.959963984540054
_FATES = [f.label for f in Fate]


def half_width_95(
    per_rep: pd.DataFrame | pd.Series, clusters: np.ndarray | None = None
) -> pd.Series | float:
    """Half-width of the 95% confidence interval of the mean of each column.

    The only place intervals of means are computed. ``clusters`` (n,) labels replications that
    share random inputs (route sets); with fewer clusters than replications the standard error
    is cluster-robust (module docstring). NaN with fewer than 2 replications (or clusters).
    """
    n = per_rep.shape[0]
    if n < 2:  # noqa: PLR2004
        return per_rep.mean() * np.nan
    groups = 0 if clusters is None else int(np.unique(clusters).size)
    if clusters is None or groups >= n:
        return Z95 * per_rep.std(ddof=1) / np.sqrt(n)
    if groups < 2:  # noqa: PLR2004
        return per_rep.mean() * np.nan
    centred = per_rep - per_rep.mean()
    sums = centred.groupby(np.asarray(clusters)).sum()
    sem = np.sqrt(groups / (groups - 1) * (sums**2).sum()) / n
    return float(stdtrit(groups - 1, 0.975)) * sem


def ratio_half_width_95(
    numerator: pd.Series, denominator: pd.Series, clusters: np.ndarray | None = None
) -> float:
    """Half-width of the 95% confidence interval of a ratio of means, mean(x) / mean(y).

    Delta method: the ratio's error is that of the mean of ``(x - R y) / mean(y)``, whose
    interval :func:`half_width_95` gives (cluster-robust with ``clusters``). NaN when the
    denominator's mean is not positive.
    """
    x = np.asarray(numerator, dtype=np.float64)
    y = np.asarray(denominator, dtype=np.float64)
    y_mean = y.mean() if y.size else np.nan
    if not y_mean > 0:
        return float("nan")
    linearized = pd.Series((x - x.mean() / y_mean * y) / y_mean)
    return float(half_width_95(linearized, clusters))


def mean_interval(per_rep: pd.DataFrame, clusters: np.ndarray | None = None) -> pd.DataFrame:
    """Mean, 95% CI of the mean and 95% range of nights for each column of per-replication counts.

    Parameters
    ----------
    per_rep : one row per replication, one column per quantity
    clusters : (n,) route set of each replication (see :func:`half_width_95`)
    """
    mean = per_rep.mean()
    half = half_width_95(per_rep, clusters)
    return pd.DataFrame(
        {
            "mean": mean,
            "ci95_low": mean - half,
            "ci95_high": mean + half,
            "night_p2_5": per_rep.quantile(0.025),
            "night_p97_5": per_rep.quantile(0.975),
            "night_p5": per_rep.quantile(0.05),
            "night_p95": per_rep.quantile(0.95),
        }
    )


def per_replication(
    frame: pd.DataFrame, replications: np.ndarray, columns: list[str], value: str | None = None
) -> pd.DataFrame:
    """Count (or sum ``value``) rows per replication and ``columns``; missing ones give 0."""
    grouped = frame.groupby(["replication", *columns], observed=True)
    counts = grouped[value].sum() if value is not None else grouped.size()
    wide = counts.unstack(columns) if columns else counts.to_frame("total")
    return wide.reindex(pd.Index(replications, name="replication"), fill_value=0).fillna(0)


def by_class(
    outcomes: Outcomes, replications: np.ndarray, clusters: np.ndarray | None = None
) -> pd.DataFrame:
    """Per threat class and fate (and launched): per-night mean with intervals."""
    threats = outcomes.threats
    rows = []
    classes = [
        str(c)
        for c in threats["threat_class"].cat.categories
        if (threats["threat_class"] == c).any()
    ]
    for cls in [*classes, "all"]:
        subset = threats if cls == "all" else threats[threats["threat_class"] == cls]
        counts = per_replication(subset, replications, ["fate"]).reindex(
            columns=_FATES, fill_value=0
        )
        counts.insert(0, "launched", counts.sum(axis=1))
        # what the Air Force reports call "locationally lost" (issue #22): derived, not a fate
        counts["locationally_lost"] = counts[Fate.LOST_TO_EW.label] + counts[Fate.FELL.label]
        stats = mean_interval(counts.astype(float), clusters)
        stats.insert(0, "quantity", stats.index)
        stats.insert(0, "threat_class", cls)
        rows.append(stats.reset_index(drop=True))
    return pd.concat(rows, ignore_index=True)


def by_target(
    outcomes: Outcomes, replications: np.ndarray, clusters: np.ndarray | None = None
) -> pd.DataFrame:
    """Per target per night: ``impacts`` (warheads that hit it) and ``reached_area``.

    ``reached_area``: decoys whose flight ended, whatever its fate, within the target's area
    radius (the asset's ``area_radius_km``); a decoy-only raid hits nothing but still gets there.
    """
    threats = outcomes.threats
    targets = list(threats["target"].cat.categories)
    decoys = threats[threats["threat_class"] == ThreatClass.DECOY.value]
    rows = []
    for quantity, subset in (
        ("impacts", threats[threats["fate"] == Fate.IMPACTED.label]),
        ("reached_area", decoys[decoys["in_target_area"]]),
    ):
        counts = per_replication(subset, replications, ["target"])
        counts = counts.reindex(columns=targets, fill_value=0)
        stats = mean_interval(counts.astype(float), clusters)
        stats.index.name = "target"
        stats.insert(0, "quantity", quantity)
        rows.append(stats.reset_index())
    return pd.concat(rows, ignore_index=True)


def interceptors(
    outcomes: Outcomes, replications: np.ndarray, clusters: np.ndarray | None = None
) -> pd.DataFrame:
    """Interceptors fired and their cost per night, by nation and system."""
    shots = outcomes.shots
    if shots.empty:
        return pd.DataFrame(
            columns=["nation", "system", "quantity", "mean", "ci95_low", "ci95_high"]
        )
    rows = []
    every = per_replication(shots, replications, ["nation", "system"]).columns
    at_decoys = shots[shots["threat_class"] == ThreatClass.DECOY.value]
    for quantity, subset, value in (
        ("rounds", shots, None),
        ("cost_usd", shots, "cost_usd"),
        ("rounds_at_decoys", at_decoys, None),  # what decoys are for: interceptors spent
    ):
        counts = per_replication(subset, replications, ["nation", "system"], value)
        counts = counts.reindex(columns=every, fill_value=0)
        stats = mean_interval(counts.astype(float), clusters)
        stats.index = pd.MultiIndex.from_tuples(stats.index, names=["nation", "system"])
        stats.insert(0, "quantity", quantity)
        rows.append(stats.reset_index())
    rows.append(_cost_per_downed(shots, replications, every, clusters))
    return pd.concat(rows, ignore_index=True).sort_values(
        ["quantity", "nation", "system"], ignore_index=True
    )


def _cost_per_downed(
    shots: pd.DataFrame,
    replications: np.ndarray,
    every: pd.Index,
    clusters: np.ndarray | None,
) -> pd.DataFrame:
    """Interceptor cost per threat downed (issue #22), by nation and system and overall.

    A ratio of per-night means, mean(cost) / mean(kills), with the delta-method interval of
    :func:`ratio_half_width_95`; the night range is that of the per-night ratio over the nights
    with at least one kill. NaN where nothing was downed.
    """
    cost = per_replication(shots, replications, ["nation", "system"], "cost_usd")
    kills = per_replication(shots[shots["kill"]], replications, ["nation", "system"])
    cost = cost.reindex(columns=every, fill_value=0).astype(float)
    kills = kills.reindex(columns=every, fill_value=0).astype(float)
    cost[("all", "all")] = cost.sum(axis=1)
    kills[("all", "all")] = kills.sum(axis=1)
    rows = []
    for key in cost.columns:
        x, y = cost[key], kills[key]
        mean = x.mean() / y.mean() if y.mean() > 0 else np.nan
        half = ratio_half_width_95(x, y, clusters)
        nightly = (x / y)[y > 0]
        rows.append(
            {
                "nation": key[0],
                "system": key[1],
                "quantity": "cost_per_downed_usd",
                "mean": mean,
                "ci95_low": mean - half,
                "ci95_high": mean + half,
                **{
                    f"night_p{name}": nightly.quantile(q) if len(nightly) else np.nan
                    for name, q in (("2_5", 0.025), ("97_5", 0.975), ("5", 0.05), ("95", 0.95))
                },
            }
        )
    return pd.DataFrame(rows)


def by_unit(
    outcomes: Outcomes,
    replications: np.ndarray,
    clusters: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per fire unit: what it did on an average night, and how often it fired or ran dry.

    Columns: ``rounds`` and ``kills`` per night (mean and 95% CI), ``first_shot_h`` and
    ``last_shot_h`` (median over the nights it fired, hours after the raid starts),
    ``nights_fired`` (share of nights with at least one round) and ``nights_dry`` (share of
    nights it ended with no rounds left, among units that started with some).
    """
    shots, stocks = outcomes.shots, outcomes.stocks
    units = list(stocks["unit"].cat.categories)
    rounds = per_replication(shots, replications, ["unit"]).reindex(columns=units, fill_value=0)
    kills = per_replication(shots[shots["kill"]], replications, ["unit"]).reindex(
        columns=units, fill_value=0
    )
    r_mean, r_half = rounds.mean(), half_width_95(rounds.astype(float), clusters)
    k_mean, k_half = kills.mean(), half_width_95(kills.astype(float), clusters)
    per_night = shots.groupby(["unit", "replication"], observed=True)["fire_time_s"]
    first = per_night.min().groupby(level="unit", observed=True).median() / 3600.0
    last = per_night.max().groupby(level="unit", observed=True).median() / 3600.0
    start = stocks.set_index(["replication", "unit"])
    dry = (start["final_stock"] == 0) & (start["initial_stock"] > 0)
    meta = stocks.drop_duplicates("unit").set_index("unit")
    return pd.DataFrame(
        {
            "unit": units,
            "nation": meta.loc[units, "nation"].to_numpy(),
            "system": meta.loc[units, "system"].to_numpy(),
            "rounds_mean": r_mean.to_numpy(),
            "rounds_ci95": np.asarray(r_half),
            "kills_mean": k_mean.to_numpy(),
            "kills_ci95": np.asarray(k_half),
            "first_shot_h": first.reindex(units).to_numpy(),
            "last_shot_h": last.reindex(units).to_numpy(),
            "nights_fired": (rounds > 0).mean().to_numpy(),
            "nights_dry": dry.groupby(level="unit", observed=True).mean().reindex(units).to_numpy(),
        }
    )
