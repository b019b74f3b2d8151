"""Summaries of outcome tables with 95% intervals.

Each quantity is first counted per replication (one simulated night); the summary gives its mean
with a 95% confidence interval of that mean (normal approximation, mean ± 1.96·s/√n) and the
2.5–97.5 percentile range of single nights, which says how much one night can vary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skyshield.engine.outcomes import Fate, Outcomes

__all__ = ["Z95", "by_class", "by_target", "interceptors", "mean_interval", "per_replication"]

# Two-sided 95% quantile of the standard normal distribution.
Z95 = 1.959963984540054
_FATES = [f.label for f in Fate]


def mean_interval(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95% CI of the mean and 95% range of nights for each column of per-replication counts.

    Parameters
    ----------
    per_rep : one row per replication, one column per quantity
    """
    n = per_rep.shape[0]
    mean = per_rep.mean()
    sem = per_rep.std(ddof=1) / np.sqrt(n) if n > 1 else per_rep.mean() * np.nan
    return pd.DataFrame(
        {
            "mean": mean,
            "ci95_low": mean - Z95 * sem,
            "ci95_high": mean + Z95 * sem,
            "night_p2_5": per_rep.quantile(0.025),
            "night_p97_5": per_rep.quantile(0.975),
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


def by_class(outcomes: Outcomes, replications: np.ndarray) -> pd.DataFrame:
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
        stats = mean_interval(counts.astype(float))
        stats.insert(0, "quantity", stats.index)
        stats.insert(0, "threat_class", cls)
        rows.append(stats.reset_index(drop=True))
    return pd.concat(rows, ignore_index=True)


def by_target(outcomes: Outcomes, replications: np.ndarray) -> pd.DataFrame:
    """Impacts per target per night (threats that reached their target)."""
    impacted = outcomes.threats[outcomes.threats["fate"] == Fate.IMPACTED.label]
    counts = per_replication(impacted, replications, ["target"])
    counts = counts.reindex(columns=list(outcomes.threats["target"].cat.categories), fill_value=0)
    stats = mean_interval(counts.astype(float))
    stats.index.name = "target"
    return stats.reset_index()


def interceptors(outcomes: Outcomes, replications: np.ndarray) -> pd.DataFrame:
    """Interceptors fired and their cost per night, by nation and system."""
    shots = outcomes.shots
    if shots.empty:
        return pd.DataFrame(
            columns=["nation", "system", "quantity", "mean", "ci95_low", "ci95_high"]
        )
    rows = []
    for quantity, value in (("rounds", None), ("cost_usd", "cost_usd")):
        counts = per_replication(shots, replications, ["nation", "system"], value)
        stats = mean_interval(counts.astype(float))
        stats.index = pd.MultiIndex.from_tuples(stats.index, names=["nation", "system"])
        stats.insert(0, "quantity", quantity)
        rows.append(stats.reset_index())
    return pd.concat(rows, ignore_index=True).sort_values(
        ["quantity", "nation", "system"], ignore_index=True
    )
