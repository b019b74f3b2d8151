"""Figures of a run's outcomes (matplotlib, imported only when a figure is asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skyshield.engine.outcomes import Fate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FATE_COLOURS",
    "fates_per_night",
    "plot_fates_per_night",
    "plot_interval_panels",
    "plot_sobol",
]

# Colour of each fate in every figure and in the HTML report's charts.
FATE_COLOURS = {
    Fate.INTERCEPTED.label: "#2b7bba",
    Fate.LOST_TO_EW.label: "#7fbf7b",
    Fate.IMPACTED.label: "#d7301f",
    Fate.REACHED_AREA.label: "#b8b8b8",
    Fate.FELL.label: "#8c6bb1",  # issue #22
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


def plot_sobol(indices: pd.DataFrame, title: str = "") -> Figure:
    """One panel per output: first-order and total Sobol index of each parameter, with 95% bars.

    ``indices`` is :func:`skyshield.metrics.sobol.sobol_indices`'s table. Parameters are sorted
    by total index, largest on top, so the assumption that drives an output reads first.
    """
    from matplotlib.figure import Figure  # slow to import: only when asked

    if "output" not in indices:  # a sweep's indices name each output by measure and key
        named = indices["measure"].where(
            indices["key"] == "", indices["measure"] + ": " + indices["key"]
        )
        indices = indices.assign(output=named)
    outputs = list(dict.fromkeys(indices["output"]))
    figure = Figure(
        # at least 2.5 in tall: one parameter's panel would leave the layout no room
        figsize=(4.6 * max(len(outputs), 1), max(2.5, 0.5 + 0.55 * indices["parameter"].nunique()))
    )
    figure.set_layout_engine("constrained")
    axes = figure.subplots(1, max(len(outputs), 1), squeeze=False)[0]
    for ax, output in zip(axes, outputs, strict=False):
        rows = indices[indices["output"] == output].sort_values("st", na_position="first")
        y = np.arange(len(rows))
        ax.barh(
            y + 0.2,
            rows["st"],
            height=0.4,
            xerr=rows["st_ci95"],
            label="total (ST)",
            color="#2b7bba",
        )
        ax.barh(
            y - 0.2,
            rows["s1"],
            height=0.4,
            xerr=rows["s1_ci95"],
            label="first order (S1)",
            color="#9ecae1",
        )
        ax.set_yticks(
            y, [str(p).removeprefix("nations.").replace(".roe.", ".") for p in rows["parameter"]]
        )
        ax.set_title(output.replace("_", " "))
        ax.set_xlabel("Sobol index (± 95% CI)")
        ax.axvline(0, color="black", linewidth=0.6)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles, labels, fontsize="small", frameon=False, loc="outside lower center", ncols=2
    )
    if title:
        figure.suptitle(title)
    return figure


def plot_interval_panels(
    frame: pd.DataFrame, *, panel: str, x: str, title: str = "", max_panels: int = 12
) -> Figure:
    """One panel per value of ``panel``: each ``x``'s mean ± its 95% half width (``ci95``).

    ``frame`` is long: columns ``panel``, ``x``, ``mean`` and ``ci95`` (a comparison's summary
    by measure and policy, a sweep's points by measure). Panels whose means are all zero are
    left out; at most ``max_panels`` are drawn.
    """
    from matplotlib.figure import Figure  # slow to import: only when a figure is asked for

    shown = [
        name
        for name, group in frame.groupby(panel, sort=False)
        if bool((group["mean"].abs() > 0).any())
    ][:max_panels]
    cols = min(3, max(1, len(shown)))
    rows = max(1, -(-len(shown) // cols))
    figure = Figure(figsize=(4.2 * cols, 2.8 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, shown, strict=False):
        group = frame[frame[panel] == name]
        labels = group[x].astype(str).to_numpy()
        ax.barh(
            np.arange(len(group)),
            group["mean"].to_numpy(dtype=float),
            xerr=np.nan_to_num(group["ci95"].to_numpy(dtype=float)),
            color="#6baed6",
            ecolor="#08519c",
        )
        ax.set_yticks(np.arange(len(group)), labels, fontsize="small")
        ax.set_title(str(name), fontsize="medium")
    for ax in axes[len(shown) :]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)
    return figure
