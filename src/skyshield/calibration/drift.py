"""Drift as a state: a daily random-walk offset per class on the logit of the share, filtered.

The alternative to refitting the night model every week with forgetting (#23 item 5). The
engine's parameters are fitted once (on the training window before the first test night); what
the reports show drifting from night to night (the defence's growth, stocks, tactics) is a
latent offset per report class on the logit of the share neutralised:

    logit p_t,k = logit b_t,k + δ_t,k,        δ_t,k = δ_{t-1},k + η,  η ~ N(0, q_k · Δdays)

where b_t,k is the engine's (emulator's) expected share for night t's own composition under
the fitted parameters (the *engine term*; :func:`engine_shares`) or, without the engine term,
one constant share per class (the training window's pooled share). The night's neutralised
count is BetaBinomial(launched, p_t,k, ρ_k(launched)) with the fit's overdispersion.

A bootstrap particle filter (``particles`` per class, systematic resampling when the effective
sample size falls below half) tracks δ. Night t is predicted from the particles after the
reports of the nights before t only (the one-step-ahead predictive), then its report updates
them: perturbing a later report never changes an earlier prediction (a test checks).
``q_k`` (logit² per day) is the state noise; q = 0 is a constant offset learnt once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from skyshield.calibration.fit import (
    _N_CLASSES,
    NightData,
    Posterior,
    _betabinom_logpmf,
    overdispersion,
)
from skyshield.calibration.model import NAMES
from skyshield.calibration.settings import DEFAULT_STATE_RHO_SCALE
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["DriftForecast", "engine_shares", "filter_drift", "pooled_shares"]

_EPS = 1e-6
# prior spread of the offset before the first night (logit units): wide, the data decide
PRIOR_SD = 1.0
# the evidence counts the training nights after the first 30 days: before, the offset is still
# at its wide prior
EVIDENCE_AFTER = np.timedelta64(30, "D")


@dataclass(frozen=True, slots=True)
class DriftForecast:
    """One-step-ahead predictive draws per night and class, and the filtered offset.

    ``neutralised``, ``destroyed``: (draws, n, 3) int; ``offset_mean``: (n, 3) the offset's
    predictive mean (before the night's report); ``shares``: (n, 3) the base share b_t,k;
    ``evidence``: (3,) the one-step-ahead log predictive likelihood of the nights before
    ``predict_from`` per class; ``rho_scale``: (3,) the factor applied to the fit's ρ.
    """

    neutralised: np.ndarray
    destroyed: np.ndarray
    offset_mean: np.ndarray
    shares: np.ndarray
    evidence: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(_N_CLASSES))
    rho_scale: np.ndarray = dataclasses.field(default_factory=lambda: np.ones(_N_CLASSES))


def engine_shares(
    surrogate: Surrogate, posterior: Posterior, counts: np.ndarray, *, samples: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """(n, 3) expected shares neutralised and destroyed under the fit, averaged over θ.

    ``samples`` posterior samples (a fixed, evenly spaced subset of the chain).
    """
    pick = np.linspace(0, posterior.samples.shape[0] - 1, min(samples, posterior.samples.shape[0]))
    neutral = np.zeros((counts.shape[0], _N_CLASSES))
    destroyed = np.zeros_like(neutral)
    for s in pick.astype(int):
        d, lost = surrogate.shares(counts, posterior.samples[s, : len(NAMES)])
        neutral += d + lost
        destroyed += d
    return neutral / pick.size, destroyed / pick.size


def pooled_shares(data: NightData) -> np.ndarray:
    """(3,) Σ neutralised / Σ launched per class over ``data`` (0.5 where none launched)."""
    launched = data.launched.sum(axis=0)
    return np.where(launched > 0, data.neutralised.sum(axis=0) / np.maximum(launched, 1), 0.5)


def _rho(posterior: Posterior) -> tuple[np.ndarray, np.ndarray]:
    """Posterior median ρ and ρ_small per class."""
    k = len(NAMES)
    rho = np.median(posterior.samples[:, k : k + _N_CLASSES], axis=0)
    rho_small = np.median(posterior.samples[:, k + _N_CLASSES :], axis=0)
    return rho, rho_small


def filter_drift(
    data: NightData,
    base_neutral: np.ndarray,
    base_destroyed: np.ndarray,
    rho: np.ndarray,
    rho_small: np.ndarray,
    state_noise: Mapping[str, float],
    *,
    predict_from: np.datetime64,
    particles: int = 2000,
    draws: int = 400,
    seed: int = 0,
) -> DriftForecast:
    """Filter the offsets through ``data``'s nights; predict the nights from ``predict_from``.

    ``base_neutral``, ``base_destroyed``: (n, 3) base shares per night (the engine term, or a
    constant); ``state_noise``: q per class (logit² per day). Every night updates the state;
    the nights on or after ``predict_from`` also get predictive draws (before their update).
    Returns the draws of those nights only.
    """
    rng = np.random.default_rng(seed)
    q = np.array([float(state_noise[c]) for c in REPORT_CLASSES])
    if np.any(q < 0):
        raise ValueError("state noise must be >= 0")
    offset = PRIOR_SD * rng.standard_normal((particles, _N_CLASSES))
    log_w = np.zeros((particles, _N_CLASSES))
    tested = np.flatnonzero(data.nights >= predict_from)
    neutral_out = np.zeros((draws, tested.size, _N_CLASSES), dtype=np.int64)
    destroyed_out = np.zeros_like(neutral_out)
    offset_mean = np.zeros((tested.size, _N_CLASSES))
    base_logit = logit(np.clip(base_neutral, _EPS, 1 - _EPS))
    split_q = np.clip(base_destroyed / np.clip(base_neutral, _EPS, None), _EPS, 1 - _EPS)
    evidence = np.zeros(_N_CLASSES)
    previous: np.datetime64 | None = None
    j = 0
    for n in range(len(data)):
        night = data.nights[n]
        gap = 1.0 if previous is None else float((night - previous).astype(int))
        previous = night
        offset = offset + np.sqrt(q * gap) * rng.standard_normal(offset.shape)
        launched = data.launched[n]
        if night >= predict_from:
            w = _normalised(log_w)
            offset_mean[j] = np.sum(w * offset, axis=0)
            for k in range(_N_CLASSES):
                pick = rng.choice(particles, size=draws, p=w[:, k])
                share = expit(base_logit[n, k] + offset[pick, k])
                phi = 1.0 / overdispersion(rho[k], rho_small[k], launched[k]) - 1.0
                night_share = rng.beta(share * phi, (1 - share) * phi)
                neutral_out[:, j, k] = rng.binomial(launched[k], night_share)
                phi_d = 1.0 / overdispersion(rho[k], rho_small[k], neutral_out[:, j, k]) - 1.0
                share_d = rng.beta(split_q[n, k] * phi_d, (1 - split_q[n, k]) * phi_d)
                destroyed_out[:, j, k] = rng.binomial(neutral_out[:, j, k], share_d)
            j += 1
        counted = night < predict_from and night >= data.nights[0] + EVIDENCE_AFTER
        before = _normalised(log_w) if counted else None
        for k in range(_N_CLASSES):
            if launched[k] == 0:
                continue
            share = expit(base_logit[n, k] + offset[:, k])
            rho_k = overdispersion(rho[k], rho_small[k], launched[k])
            step = _betabinom_logpmf(
                np.full(particles, data.neutralised[n, k]),
                np.full(particles, launched[k]),
                share,
                np.full(particles, rho_k),
            )
            log_w[:, k] += step
            if before is not None:  # log Σ w_i p(y | δ_i): the night's predictive likelihood
                top = step.max()
                evidence[k] += top + np.log(np.sum(before[:, k] * np.exp(step - top)))
        offset, log_w = _resample(offset, log_w, rng)
    shares = base_neutral[tested] if tested.size else np.zeros((0, _N_CLASSES))
    return DriftForecast(neutral_out, destroyed_out, offset_mean, shares, evidence)


def _normalised(log_w: np.ndarray) -> np.ndarray:
    w = np.exp(log_w - log_w.max(axis=0))
    return np.asarray(w / w.sum(axis=0))


def _resample(
    offset: np.ndarray, log_w: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Systematic resampling of each class whose effective sample size fell below half."""
    w = _normalised(log_w)
    n = offset.shape[0]
    ess = 1.0 / np.sum(w**2, axis=0)
    offset = offset.copy()
    log_w = log_w.copy()
    for k in np.flatnonzero(ess < n / 2):
        positions = (rng.random() + np.arange(n)) / n
        index = np.minimum(np.searchsorted(np.cumsum(w[:, k]), positions), n - 1)
        offset[:, k] = offset[index, k]
        log_w[:, k] = 0.0
    return offset, log_w


def drift_forecast(
    data: NightData,
    surrogate: Surrogate,
    posterior: Posterior,
    state_noise: Mapping[str, float],
    *,
    predict_from: np.datetime64,
    engine_term: bool = True,
    particles: int = 2000,
    draws: int = 400,
    seed: int = 0,
    rho_scale: Mapping[str, float] = DEFAULT_STATE_RHO_SCALE,
) -> DriftForecast:
    """Run :func:`filter_drift` on the engine's base share, or a constant one.

    The base share is the engine's under ``posterior`` or, without the engine term, the pooled
    share of the nights before ``predict_from`` per class. ``rho_scale``: a factor per class on
    the fit's overdispersion.

    ``data``: the nights to filter (from the start of the training window) through the last
    night to predict.
    """
    rho, rho_small = _rho(posterior)
    neutral, destroyed = engine_shares(surrogate, posterior, data.counts)
    if not engine_term:
        split = np.clip(destroyed / np.clip(neutral, _EPS, None), 0.0, 1.0)
        pooled = pooled_shares(data.between(data.nights.min(), predict_from))
        neutral = np.tile(pooled, (len(data), 1))
        destroyed = neutral * split
    # The fit's ρ absorbed the drift of its window (it holds the parameters fixed); with the
    # offset following the drift, less is left: ``rho_scale`` per class (settings)
    scale = np.array([float(rho_scale[c]) for c in REPORT_CLASSES])
    result = filter_drift(
        data,
        neutral,
        destroyed,
        rho * scale,
        rho_small * scale,
        state_noise,
        predict_from=predict_from,
        particles=particles,
        draws=draws,
        seed=seed,
    )
    return dataclasses.replace(result, rho_scale=scale)
