"""Where a back-test's predictive spread comes from, and where its centre is off (#23).

The back-test's predictive distribution of a night's neutralised count N of a class with L
launched is a mixture over the refit's posterior draws s of θ_s (the engine's parameters, read
through the emulator: the share p_s) and of the overdispersion ρ_s(L) (beta-binomial). By the
law of total variance it splits exactly into three parts:

* ``binomial``: E_s[L p_s (1 − p_s)], the count noise of independent threats;
* ``overdispersion``: E_s[L (L − 1) p_s (1 − p_s) ρ_s(L)], the night-to-night variation of
  the share the emulator does not explain (weather, targets, the defenders' choices, and the
  emulator's own error against the engine, which lands here);
* ``parameter``: Var_s[L p_s], the posterior uncertainty of the mean share (with the refits'
  forgetting weights: the drift term, since forgetting shrinks the effective sample).

The engine's Monte Carlo enters only through the emulator's fit (its design's replications)
and is not a separate term of the predictive. :func:`decompose` gives the three per night and
class; :func:`spread_table` averages them per class as standard deviations and shares of the
variance; :func:`bias_table` gives the centre's error per class and raid size.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from skyshield.calibration.fit import Posterior, overdispersion
from skyshield.calibration.model import NAMES
from skyshield.calibration.surrogate import Surrogate
from skyshield.calibration.tasking import night_parameters
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["SPREAD_COLUMNS", "SPREAD_PARTS", "bias_table", "decompose", "spread_table"]

SPREAD_PARTS = ("binomial", "overdispersion", "parameter")
# one row per test night and class (Backtest.spread)
SPREAD_COLUMNS = ("date", "class", "launched", "mean", *SPREAD_PARTS)
# raid-size bins of bias_table (launched, lower bounds)
SIZE_BINS = (1, 3, 10, 30, 100, 300)
_EPS = 1e-6
_N = len(REPORT_CLASSES)


def decompose(
    surrogate: Surrogate,
    posterior: Posterior,
    counts: np.ndarray,
    nights: np.ndarray | None = None,
    *,
    max_samples: int = 400,
) -> pd.DataFrame:
    """Per night and class launched: the predictive mean and its variance in three parts.

    ``counts`` (n, ≥4): :attr:`~skyshield.calibration.fit.NightData.counts`; ``nights`` (n,)
    their dates (the low-cost layers' rollout), None: none. Uses up to ``max_samples`` evenly
    spaced posterior samples (exact moments of the mixture over them, no random draws).
    """
    samples = posterior.samples
    pick = np.unique(np.linspace(0, samples.shape[0] - 1, min(max_samples, samples.shape[0])))
    launched = np.asarray(counts[:, :_N], dtype=float)
    means = np.empty((pick.size, *launched.shape))
    binomial = np.zeros(launched.shape)
    over = np.zeros(launched.shape)
    for j, s in enumerate(pick.astype(int)):
        theta = samples[s, : len(NAMES)]
        rho = samples[s, len(NAMES) : len(NAMES) + _N]
        rho_small = samples[s, len(NAMES) + _N :]
        destroyed, lost = surrogate.shares(counts, night_parameters(theta, nights))
        p = np.clip(destroyed + lost, _EPS, 1 - _EPS)
        means[j] = launched * p
        noise = launched * p * (1 - p)
        binomial += noise
        over += noise * np.maximum(launched - 1, 0) * overdispersion(rho, rho_small, launched)
    binomial /= pick.size
    over /= pick.size
    parameter = means.var(axis=0)
    mean = means.mean(axis=0)
    rows: list[dict[str, object]] = []
    dates = (
        [str(d) for d in nights]
        if nights is not None
        else [str(i) for i in range(launched.shape[0])]
    )
    for n in range(launched.shape[0]):
        for k, cls in enumerate(REPORT_CLASSES):
            if launched[n, k] <= 0:
                continue
            rows.append(
                {
                    "date": dates[n],
                    "class": cls,
                    "launched": int(launched[n, k]),
                    "mean": float(mean[n, k]),
                    "binomial": float(binomial[n, k]),
                    "overdispersion": float(over[n, k]),
                    "parameter": float(parameter[n, k]),
                }
            )
    return pd.DataFrame(rows, columns=list(SPREAD_COLUMNS))


def spread_table(spread: pd.DataFrame) -> pd.DataFrame:
    """Per class: nights, the mean predictive sd, each part's share of the summed variance.

    Also each part's root-mean variance (``sd_<part>``: what the part alone would give).
    """
    rows: list[dict[str, object]] = []
    for cls in REPORT_CLASSES:
        g = spread[spread["class"] == cls]
        if g.empty:
            continue
        var = g[list(SPREAD_PARTS)].to_numpy(dtype=float)
        total = var.sum(axis=1)
        row: dict[str, object] = {
            "class": cls,
            "nights": len(g),
            "sd": float(np.sqrt(total).mean()),
        }
        for i, part in enumerate(SPREAD_PARTS):
            row[f"share_{part}"] = float(var[:, i].sum() / max(total.sum(), _EPS))
            row[f"sd_{part}"] = float(np.sqrt(var[:, i]).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def bias_table(nights: pd.DataFrame, target: str = "neutralised") -> pd.DataFrame:
    """Return the centre's error per class and raid size: median − reported (mean, and as a share).

    ``nights``: :attr:`~skyshield.calibration.backtest.Backtest.nights` (one row per night,
    class and target with ``median`` and ``baseline_median``). Positive: over-predicted.
    """
    rows: list[dict[str, object]] = []
    g = nights[nights["target"] == target]
    edges = [*SIZE_BINS, np.inf]
    for cls in REPORT_CLASSES:
        mine = g[g["class"] == cls]
        for low, high in itertools.pairwise(edges):
            b = mine[(mine["launched"] >= low) & (mine["launched"] < high)]
            if b.empty:
                continue
            launched = b["launched"].to_numpy(dtype=float)
            error = b["median"].to_numpy(dtype=float) - b["reported"].to_numpy(dtype=float)
            base = b["baseline_median"].to_numpy(dtype=float) - b["reported"].to_numpy(dtype=float)
            rows.append(
                {
                    "class": cls,
                    "launched": f"{low}-{'' if high == np.inf else int(high) - 1}",
                    "nights": len(b),
                    "bias": float(error.mean()),
                    "bias_share": float(error.sum() / launched.sum()),
                    "baseline_bias": float(np.nanmean(base)),
                    "mae": float(np.abs(error).mean()),
                    "baseline_mae": float(np.nanmean(np.abs(base))),
                }
            )
    return pd.DataFrame(rows)
