"""Sobol sensitivity indices of sweep outputs: which assumption drives the answer.

First-order (S1: the share of an output's variance a parameter explains alone) and total
(ST: alone and in every interaction) indices with bootstrap 95% confidence intervals, from
Saltelli's design (:func:`skyshield.runner.design.sobol_design`) through SALib.

References
----------
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design and
estimator for the total sensitivity index. Computer Physics Communications 181(2), 259-270.
Herman, J. and Usher, W. (2017). SALib: an open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["BOOTSTRAP_RESAMPLES", "MIN_BASE_SAMPLES", "sobol_indices", "sobol_warnings"]

# Below this many base samples (--sobol N) the indices are warned about, not refused: a small
# design is how one checks a sweep's set-up in seconds, and its intervals show how little it
# knows. The floor is the one issue 21 set; not a published figure. The estimators' standard
# error falls as 1/sqrt(N) (Saltelli et al. 2010), so 64 halves that of N = 16.
MIN_BASE_SAMPLES = 64

# Bootstrap resamples for the confidence intervals: SALib's default (Herman and Usher 2017).
BOOTSTRAP_RESAMPLES = 100

_COLUMNS = ["output", "parameter", "s1", "s1_ci95", "st", "st_ci95"]


def sobol_indices(
    problem: Mapping[str, Any], outputs: Mapping[str, np.ndarray], *, seed: int
) -> pd.DataFrame:
    """First-order and total Sobol indices of each output, with 95% interval half-widths.

    Parameters
    ----------
    problem : SALib problem (``num_vars``, ``names``, ``bounds``) of the design
    outputs : per output name, (n·(d + 2),) float64: its value at each design row, in order
    seed : seed of the bootstrap that gives the intervals

    Returns
    -------
    One row per output and parameter: output, parameter, s1, s1_ci95, st, st_ci95. An output
    that never changes has no variance to share out: its indices are NaN.
    """
    from SALib.analyze import sobol  # slow to import: only for Sobol sweeps

    rows: list[dict[str, Any]] = []
    names = list(problem["names"])
    for output, values in outputs.items():
        y = np.asarray(values, dtype=np.float64)
        if np.ptp(y) == 0:
            result = dict.fromkeys(("S1", "S1_conf", "ST", "ST_conf"), np.full(len(names), np.nan))
        else:
            result = sobol.analyze(
                dict(problem),
                y,
                calc_second_order=False,
                num_resamples=BOOTSTRAP_RESAMPLES,
                conf_level=0.95,
                seed=seed,
            )
        for i, name in enumerate(names):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "s1": float(result["S1"][i]),
                    "s1_ci95": float(result["S1_conf"][i]),
                    "st": float(result["ST"][i]),
                    "st_ci95": float(result["ST_conf"][i]),
                }
            )
    return pd.DataFrame(rows, columns=_COLUMNS)


def sobol_warnings(n: int, indices: pd.DataFrame | None = None) -> list[str]:
    """Say what a user should know before trusting indices from ``n`` base samples.

    Parameters
    ----------
    n : base samples of the design (``--sobol N``)
    indices : from :func:`sobol_indices`, once computed; None before the sweep runs

    Returns
    -------
    One line per warning: a design smaller than :data:`MIN_BASE_SAMPLES`; indices below zero
    (a share of variance cannot be negative: such a value is estimation noise).
    """
    lines = []
    if n < MIN_BASE_SAMPLES:
        lines.append(
            f"--sobol {n}: fewer than {MIN_BASE_SAMPLES} base samples; the indices will be "
            "noise (even negative), read their intervals; use --sobol 64 or more to rank "
            "parameters"
        )
    if indices is not None:
        negative = indices[(indices["s1"] < 0) | (indices["st"] < 0)]
        if not negative.empty:
            names = ", ".join(dict.fromkeys(negative["parameter"].astype(str)))
            lines.append(
                f"{len(negative)} Sobol indices below 0 ({names}): a share of variance cannot "
                f"be negative, so these are estimation noise; a larger --sobol (now {n}) "
                "narrows them"
            )
    return lines
