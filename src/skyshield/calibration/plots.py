"""Figures of a calibration (parameters over time) and of a back-test (nights vs predictions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from skyshield.calibration.fit import FIT_NAMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_backtest", "plot_parameters"]


def plot_parameters(summary: pd.DataFrame) -> Figure:
    """One panel per fitted parameter: median and 5-95% interval per period, over time."""
    from matplotlib.figure import Figure  # slow to import: only when asked

    names = [n for n in FIT_NAMES if n in set(summary["parameter"])]
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    figure = Figure(figsize=(3.6 * cols, 2.6 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        part = summary[summary["parameter"] == name]
        middle = (
            pd.to_datetime(part["start"])
            + (pd.to_datetime(part["end"]) - pd.to_datetime(part["start"])) / 2
        )
        ax.fill_between(middle, part["p5"], part["p95"], color="#9ecae1", label="5-95%")
        ax.plot(middle, part["median"], color="#08519c", marker="o", markersize=3)
        ax.set_title(name, fontsize="medium")
        ax.tick_params(axis="x", labelrotation=45, labelsize="small")
    for ax in axes[len(names) :]:
        ax.set_visible(False)
    figure.suptitle("Fitted parameters per quarter (median, 5-95% posterior interval)")
    return figure


def plot_backtest(nights: pd.DataFrame, target: str = "neutralised") -> Figure:
    """Per class: reported counts against the predicted 50% / 90% intervals and the baseline."""
    from matplotlib.figure import Figure  # slow to import: only when asked

    part = nights[nights["target"] == target]
    classes = list(dict.fromkeys(part["class"]))
    figure = Figure(figsize=(11, 2.8 * max(len(classes), 1)), layout="constrained")
    axes = figure.subplots(max(len(classes), 1), 1, squeeze=False)[:, 0]
    for ax, cls in zip(axes, classes, strict=False):
        g = part[part["class"] == cls]
        when = pd.to_datetime(g["night"])
        # nights are irregular (a class is not launched every night): one bar per night
        ax.vlines(when, g["p5"], g["p95"], color="#c6dbef", linewidth=3, label="90%")
        ax.vlines(when, g["p25"], g["p75"], color="#4292c6", linewidth=3, label="50%")
        ax.plot(when, g["reported"], "k.", markersize=4, label="reported")
        ax.plot(when, g["baseline"], "_", color="#e6550d", markersize=7, label="baseline")
        ax.set_title(f"{cls}: {target} per night")
        ax.legend(fontsize="small", ncols=5, frameon=False)
    return figure
