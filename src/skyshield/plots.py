"""Figures of a run's outcomes (matplotlib, imported only when a figure is asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skyshield.engine.outcomes import Fate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FATE_COLOURS", "fates_per_night", "plot_fates_per_night"]

# Colour of each fate in every figure and in the HTML report's charts.
FATE_COLOURS = {
    Fate.INTERCEPTED.label: "#2b7bba",
    Fate.LOST_TO_EW.label: "#7fbf7b",
    Fate.IMPACTED.label: "#d7301f",
    Fate.REACHED_AREA.label: "#b8b8b8",
}


def fates_per_night(threats: pd.DataFrame, replications: int) -> pd.DataFrame:
    """Count threats per night, class and fate: one row per (replication, class, fate).

    Nights where a class had no threat of a fate count 0, so every (class, fate) pair that
    occurs at all has exactly ``replications`` rows.
    """
    counts = threats.groupby(["threat_class", "fate"], observed=True).size()
    pairs = counts[counts > 0].index
    grid = pd.MultiIndex.from_tuples(
        [(r, c, f) for c, f in pairs for r in range(replications)],
        names=["replication", "threat_class", "fate"],
    )
    per_night = threats.groupby(["replication", "threat_class", "fate"], observed=True).size()
    return per_night.reindex(grid, fill_value=0).rename("count").reset_index()


def plot_fates_per_night(threats: pd.DataFrame, replications: int, title: str = "") -> Figure:
    """One panel per threat class: the distribution over nights of how many met each fate.

    Each fate is a step histogram of per-night counts (integer bins), so a reader sees the
    night-to-night spread, not only the mean.
    """
    from matplotlib.figure import Figure  # slow to import: only when asked

    table = fates_per_night(threats, replications)
    classes = list(dict.fromkeys(table["threat_class"].astype(str)))
    figure = Figure(figsize=(4.2 * max(len(classes), 1), 3.4), layout="constrained")
    axes = figure.subplots(1, max(len(classes), 1), squeeze=False)[0]
    for ax, cls in zip(axes, classes, strict=False):
        of_class = table[table["threat_class"].astype(str) == cls]
        for fate, group in of_class.groupby("fate", observed=True, sort=False):
            counts = group["count"].to_numpy()
            bins = np.arange(counts.min(), counts.max() + 2) - 0.5
            ax.hist(
                counts,
                bins=bins,
                histtype="step",
                linewidth=1.6,
                color=FATE_COLOURS.get(str(fate), "black"),
                label=f"{str(fate).replace('_', ' ')} (mean {counts.mean():.1f})",
            )
        ax.set_title(cls)
        ax.set_xlabel("threats per night")
        ax.set_ylabel("nights")
        ax.legend(fontsize="small", frameon=False)
    if title:
        figure.suptitle(title)
    return figure
