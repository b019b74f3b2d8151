"""The overdispersion of the predictive by maximum likelihood, not by the posterior's mixture (#23).

The fit (:mod:`.fit`) samples θ and the overdispersion terms ρ, ρ_small per class together
under log-uniform priors; with the refits' forgetting (a week's half-life: about ten nights'
evidence) the terms are weakly identified, ρ_small most (its 90% posterior width for drones
spans two orders of magnitude over the validation refits), and the predictive, a mixture over
the posterior, carries that prior-driven width into every interval: the back-test's spread
decomposition (:mod:`.spread`) puts 73% of the drones' predictive variance in the
overdispersion term.

:func:`ml_dispersion` estimates the terms instead by maximising the same (forgetting-weighted)
likelihood of the training nights over ρ, ρ_small per class at the posterior median of θ (the
profile likelihood: the nights' shares are the emulator's at θ̂), and :func:`with_dispersion`
puts them in every posterior sample. The predictive then still mixes over θ (the parameter
term of the spread) but uses one estimated overdispersion: a plug-in (empirical-Bayes)
predictive. Which of the two the back-test uses is ``dispersion`` (``"posterior"`` or
``"ml"``), chosen on the validation period (:mod:`.settings`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from skyshield.calibration.fit import (
    RHO_BOUNDS,
    RHO_SMALL_BOUNDS,
    NightData,
    Posterior,
    _betabinom_logpmf,
    overdispersion,
)
from skyshield.calibration.model import NAMES
from skyshield.calibration.surrogate import Surrogate
from skyshield.calibration.tasking import night_parameters
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["DISPERSION_MODES", "ml_dispersion", "with_dispersion"]

DISPERSION_MODES = ("posterior", "ml", "ml-split")
_N = len(REPORT_CLASSES)
_EPS = 1e-6
_BOUNDS = [
    (float(np.log(RHO_BOUNDS[0])), float(np.log(RHO_BOUNDS[1]))),
    (float(np.log(RHO_SMALL_BOUNDS[0])), float(np.log(RHO_SMALL_BOUNDS[1]))),
]


def class_log_likelihood(
    log_rho: np.ndarray,
    k: int,
    data: NightData,
    destroyed: np.ndarray,
    lost: np.ndarray,
    weights: np.ndarray,
    terms: str = "both",
) -> float:
    """Class ``k``'s part of :func:`~.fit.log_likelihood` at given shares, as (log ρ, log ρ_s).

    ``destroyed``, ``lost``: (n, 3) the emulator's shares of the nights. ``terms``: ``"both"``
    (neutralised, and destroyed given neutralised where split), ``"total"`` or ``"split"``.
    """
    rho, rho_small = np.exp(log_rho)
    launched = data.launched[:, k]
    has = launched > 0
    p_n = destroyed[:, k] + lost[:, k]
    total = 0.0
    if terms != "split":
        total += float(
            weights[has, k]
            @ _betabinom_logpmf(
                data.neutralised[has, k],
                launched[has],
                p_n[has],
                overdispersion(rho, rho_small, launched[has]),
            )
        )
    split = data.split[:, k] & (data.neutralised[:, k] > 0)
    if terms != "total" and split.any():
        q = destroyed[split, k] / np.maximum(p_n[split], _EPS)
        total += float(
            weights[split, k]
            @ _betabinom_logpmf(
                data.destroyed[split, k],
                data.neutralised[split, k],
                q,
                overdispersion(rho, rho_small, data.neutralised[split, k]),
            )
        )
    return total


def ml_dispersion(
    surrogate: Surrogate,
    posterior: Posterior,
    data: NightData,
    weights: np.ndarray | None = None,
    terms: str = "both",
) -> tuple[np.ndarray, np.ndarray]:
    """(ρ, ρ_small) per class maximising the training nights' likelihood at the median θ.

    ``data``: the fit's nights; ``weights`` (n, 3): the fit's (:func:`~.fit.forgetting_weights`),
    None: 1. Within the fit's bounds (:data:`~.fit.RHO_BOUNDS`, :data:`~.fit.RHO_SMALL_BOUNDS`);
    a class without nights keeps the posterior's medians. ``terms``: the likelihood's terms
    that inform them (:func:`class_log_likelihood`): ``"total"`` and ``"split"`` give the
    neutralised count's and the destroyed/lost split's own overdispersion (a class without
    split nights keeps the posterior's medians for ``"split"``).
    """
    from scipy.optimize import minimize  # here, not at import: a plain run does not load it

    w = np.ones(data.launched.shape) if weights is None else np.asarray(weights, dtype=float)
    median = np.median(posterior.samples, axis=0)
    theta = median[: len(NAMES)]
    rho = median[len(NAMES) : len(NAMES) + _N].copy()
    rho_small = median[len(NAMES) + _N :].copy()
    if len(data) == 0:
        return rho, rho_small
    destroyed, lost = surrogate.shares(data.counts, night_parameters(theta, data.nights))
    for k in range(_N):
        if not (data.launched[:, k] > 0).any():
            continue
        if terms == "split" and not (data.split[:, k] & (data.neutralised[:, k] > 0)).any():
            continue
        start = np.clip(
            np.log([rho[k], rho_small[k]]),
            [b[0] for b in _BOUNDS],
            [b[1] for b in _BOUNDS],
        )
        best = minimize(
            lambda x, k=k: -class_log_likelihood(x, k, data, destroyed, lost, w, terms),
            start,
            method="L-BFGS-B",
            bounds=_BOUNDS,
        )
        rho[k], rho_small[k] = np.exp(best.x)
    return rho, rho_small


def with_dispersion(posterior: Posterior, rho: np.ndarray, rho_small: np.ndarray) -> Posterior:
    """Return the posterior with every sample's ρ, ρ_small per class set to the given values."""
    samples = np.array(posterior.samples)
    samples[:, len(NAMES) : len(NAMES) + _N] = rho
    samples[:, len(NAMES) + _N :] = rho_small
    return dataclasses.replace(posterior, samples=samples)
