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

__all__ = ["BOOTSTRAP_RESAMPLES", "sobol_indices"]

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
