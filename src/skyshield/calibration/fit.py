"""Bayesian calibration of the night model to the reports (emcee on the engine's emulator).

Why this method: the engine is stochastic and costs ~10-40 ms per night and parameter value,
and a period holds ~90 nights, so a likelihood-free method on the engine itself (ABC-SMC, NPE)
would need 10^5-10^6 engine nights per period. An emulator fitted to the engine
(:mod:`.surrogate`) gives each night's expected shares in microseconds; the night-to-night
variation the engine and emulator do not explain (targets, weather, the defenders' choices)
is a beta-binomial overdispersion per class, fitted with the rest. Then an affine-invariant
ensemble MCMC (emcee) samples the exact posterior of this model in seconds.

Sampler: 32 walkers (or 2 × the fitted dimensions + 4 when more: emcee asks for at least
twice the dimensions; issue 23 brought them to 17) with differential-evolution moves, 3,000
steps, the first half discarded (a third when warm-started). Two cold chains with different
seeds on 2025-Q1 agree on every parameter's median within its posterior spread; the default
stretch move with 600 steps did not (its autocorrelation time was 260-420 steps).

Likelihood of one night and class with L launched: neutralised ~ BetaBinomial(L, p_N, ρ), and
for every class (drones, cruise and ballistic missiles: issue 23 gives missiles a fitted loss),
on the nights whose report gives the class's split (:attr:`NightData.split`, from the data),
destroyed | neutralised ~ BetaBinomial(neutralised, p_D / p_N, ρ), with p_D, p_N the
emulator's shares destroyed and neutralised under θ and ρ the intra-night correlation. Each
night's θ carries the low-cost layers' dated rollout (:func:`.tasking.night_parameters`).
Priors: uniform on each parameter's box (:data:`PARAMETERS`), and log-uniform on ρ in
[1e-4, 0.5].

The sampler evaluates this likelihood as :class:`.structured.NightTerms` does, each night's
parameter-free terms computed once per fit and a half-ensemble's walkers at once (the same
numbers to rounding, and the same chains); :func:`log_likelihood` is the plain reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from skyshield.calibration.model import NAMES, PARAMETERS
from skyshield.calibration.settings import DEFAULT_STEPS
from skyshield.calibration.surrogate import Surrogate
from skyshield.calibration.tasking import night_parameters
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.posture import TACTICAL_CRUISE_MODELS, NightComposition, NightGeography
from skyshield.posture.geography import GEOGRAPHY_FEATURES, geography_features
from skyshield.reports.weapons import split_model

if TYPE_CHECKING:
    from skyshield.calibration.structured import NightTerms

__all__ = [
    "FIT_NAMES",
    "HalfLives",
    "NightData",
    "Posterior",
    "fit_period",
    "forgetting_weights",
    "night_data",
    "overdispersion",
    "predictive_samples",
]

# Overdispersion of a night's share per class: rho(n) = rho + rho_small / n for a salvo of n,
# capped at RHO_MAX. The reports ask for both terms (2024-01 -> 2025-06, method of moments):
# cruise missiles' rho falls from 0.77 on 1-2 missile nights to 0.39 (3-9), 0.08 (10-29) and
# 0.02 (30+), as if small salvos differed in kind (tactical missiles, targets near the front)
# while large ones are alike; drones' falls from 0.44 (3-9) to ~0.1 and stays there (nights
# differ as a whole: weather, EW). One constant rho made a 59-missile night's 90% interval
# 6-59 missiles.
RHO_BOUNDS = (1e-4, 0.5)
RHO_SMALL_BOUNDS = (1e-3, 10.0)
RHO_MAX = 0.95
FIT_NAMES = (
    *NAMES,
    *(f"rho_{c}" for c in REPORT_CLASSES),
    *(f"rho_small_{c}" for c in REPORT_CLASSES),
)
_N_CLASSES = len(REPORT_CLASSES)
_LOW = np.array(
    [p.low for p in PARAMETERS]
    + [np.log(RHO_BOUNDS[0])] * _N_CLASSES
    + [np.log(RHO_SMALL_BOUNDS[0])] * _N_CLASSES
)
_HIGH = np.array(
    [p.high for p in PARAMETERS]
    + [np.log(RHO_BOUNDS[1])] * _N_CLASSES
    + [np.log(RHO_SMALL_BOUNDS[1])] * _N_CLASSES
)
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class NightData:
    """Report nights as arrays: (n_nights, 3) per class launched, neutralised, destroyed.

    ``destroyed`` is NaN where the night's report does not give the destroyed/locationally-lost
    split of the class (an empty ``not_reach_goal``: not reported, never a reported 0); there
    only ``neutralised`` is known. :attr:`split` is that mask. It is decided from the data
    (whether the cell is there), not from a date: the source leaves the cell empty before
    mid-2024 and, in some periods after, folds the lost into ``destroyed``.
    """

    nights: np.ndarray  # (n,) datetime64[D]
    launched: np.ndarray  # (n, 3) int64
    neutralised: np.ndarray  # (n, 3) int64
    destroyed: np.ndarray  # (n, 3) float64, NaN where the split is not reported
    tactical: np.ndarray  # (n,) int64: tactical cruise missiles among the cruise launched
    # (n, 3) the night's geography features (posture.geography.GEOGRAPHY_FEATURES); None: the
    # emulator takes the default night's
    geography: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.nights.size)

    @property
    def split(self) -> np.ndarray:
        """(n, 3) bool: the night's report gives the class's destroyed/lost split."""
        return np.asarray(~np.isnan(self.destroyed))

    @property
    def counts(self) -> np.ndarray:
        """(n, 4) what the emulator reads: launched per class, then tactical cruise.

        (n, 7) with the night's geography features after them, where known.
        """
        if self.geography is None:
            return np.column_stack([self.launched, self.tactical])
        return np.column_stack([self.launched, self.tactical, self.geography])

    def between(self, start: np.datetime64, end: np.datetime64) -> NightData:
        """Keep the nights in [start, end)."""
        keep = (self.nights >= start) & (self.nights < end)
        return NightData(
            self.nights[keep],
            self.launched[keep],
            self.neutralised[keep],
            self.destroyed[keep],
            self.tactical[keep],
            None if self.geography is None else self.geography[keep],
        )


def night_data(
    by_night: pd.DataFrame,
    rows: pd.DataFrame | None = None,
    geographies: Mapping[np.datetime64, NightGeography] | None = None,
) -> NightData:
    """Arrays of the report classes the night model covers, one row per night with any.

    ``destroyed`` is NaN for a class whose ``not_reach_goal`` is NA that night (and for a class
    not launched). ``rows`` (:attr:`skyshield.reports.Reports.rows`) give each night's tactical
    cruise missiles (:data:`~skyshield.posture.laydown.TACTICAL_CRUISE_MODELS`); without them
    none. ``geographies`` (:func:`~skyshield.posture.night_geographies`) give each night's
    geography features (a night they lack: the default's); without them the data carry none.
    """
    frame = by_night[by_night["threat_class"].isin(REPORT_CLASSES)]
    frame = frame.assign(
        split_destroyed=frame["destroyed"]
        .astype("float64")
        .where(frame["not_reach_goal"].notna().to_numpy(dtype=bool))
    )
    wide = frame.pivot_table(
        index="night",
        columns="threat_class",
        values=["launched", "neutralised"],
        aggfunc="sum",
        fill_value=0,
    )

    def block(column: str) -> np.ndarray:
        part = wide[column].reindex(columns=list(REPORT_CLASSES), fill_value=0)
        return np.asarray(part.to_numpy(dtype=np.int64))

    launched = block("launched")
    neutralised = np.minimum(block("neutralised"), launched)
    # one row per night and class, so no sum: a missing split stays NaN
    split_destroyed = frame.pivot(index="night", columns="threat_class", values="split_destroyed")
    split_destroyed = split_destroyed.reindex(index=wide.index, columns=list(REPORT_CLASSES))
    destroyed = np.minimum(split_destroyed.to_numpy(dtype=np.float64), neutralised)
    nights = pd.to_datetime(wide.index).to_numpy().astype("datetime64[D]")
    tactical = np.zeros(nights.size, dtype=np.int64)
    if rows is not None:
        per_night = _tactical_per_night(rows)
        tactical = np.minimum(
            per_night.reindex(pd.to_datetime(wide.index), fill_value=0).to_numpy(dtype=np.int64),
            launched[:, REPORT_CLASSES.index("cruise")],
        )
    geography = None
    if geographies is not None:
        empty = NightGeography()
        compositions = [
            NightComposition(int(d), int(c), int(b), tactical=int(t))
            for (d, c, b), t in zip(launched, tactical, strict=True)
        ]
        geography = np.array(
            [
                geography_features(geographies.get(night, empty), composition, night)
                for night, composition in zip(nights, compositions, strict=True)
            ]
        ).reshape(nights.size, len(GEOGRAPHY_FEATURES))
    return NightData(nights, launched, neutralised, destroyed, tactical, geography)


def _tactical_per_night(rows: pd.DataFrame) -> pd.Series:
    cruise = rows[rows["threat_class"] == "cruise"]
    tactical = cruise["model"].map(
        lambda model: (
            bool(split_model(model))
            and all(atom in TACTICAL_CRUISE_MODELS for atom in split_model(model))
        )
    )
    launched = cruise["launched"].where(tactical, 0)
    out = launched.groupby(pd.to_datetime(cruise["night"])).sum()
    return out.astype(np.int64)


def _betabinom_logpmf(k: np.ndarray, n: np.ndarray, p: np.ndarray, rho: np.ndarray) -> np.ndarray:
    phi = 1.0 / rho - 1.0
    a = np.clip(p, _EPS, 1 - _EPS) * phi
    b = np.clip(1.0 - p, _EPS, 1 - _EPS) * phi
    choose = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return np.asarray(choose + betaln(k + a, n - k + b) - betaln(a, b))


def overdispersion(rho: np.ndarray, rho_small: np.ndarray, salvo: np.ndarray) -> np.ndarray:
    """rho(n) = rho + rho_small / n per class (last axis), capped at :data:`RHO_MAX`."""
    n = np.maximum(np.asarray(salvo, dtype=float), 1.0)
    return np.asarray(np.minimum(rho + rho_small / n, RHO_MAX))


def log_likelihood(
    surrogate: Surrogate, data: NightData, params: np.ndarray, weights: np.ndarray | None = None
) -> float:
    """Log-likelihood of the report nights under fitted parameters.

    ``params``: θ (:data:`NAMES`), then log ρ and log ρ_small per class (:func:`overdispersion`).
    ``weights`` (n, 3): each night's log-likelihood per class is multiplied by its weight (see
    :func:`forgetting_weights`); None weighs every night 1.
    """
    w = np.ones(data.launched.shape) if weights is None else weights
    theta = params[: len(NAMES)]
    rho = np.exp(params[len(NAMES) : len(NAMES) + _N_CLASSES])
    rho_small = np.exp(params[len(NAMES) + _N_CLASSES :])
    destroyed, lost = surrogate.shares(data.counts, night_parameters(theta, data.nights))
    neutral_share = destroyed + lost
    has = data.launched > 0
    rho_grid = overdispersion(rho, rho_small, data.launched)
    total = w[has] @ _betabinom_logpmf(
        data.neutralised[has], data.launched[has], neutral_share[has], rho_grid[has]
    )
    # the destroyed/lost split, per class, only where the night's report gives it
    split = data.split & (data.neutralised > 0)
    q = destroyed[split] / np.maximum(neutral_share[split], _EPS)
    rho_split = overdispersion(rho, rho_small, np.where(split, data.neutralised, 1))[split]
    total += w[split] @ _betabinom_logpmf(
        data.destroyed[split], data.neutralised[split], q, rho_split
    )
    return float(total)


HalfLives = Mapping[str, float | None]
"""Half-life in days of each report class's evidence (None: not forgotten)."""


def forgetting_weights(
    nights: np.ndarray, as_of: np.datetime64, half_lives: HalfLives
) -> np.ndarray:
    """(n, 3) weights 2^(-age / half-life) per night and class, age in days before ``as_of``.

    A power (discounted) likelihood: the usual stand-in for parameters that drift as a random
    walk (exponential forgetting, as in a Kalman filter's forgetting factor). Old nights count
    less, so the fit follows drift and its posterior widens to the effective sample size,
    Σ weights, instead of the window's nights. A class whose half-life is None is not
    forgotten (weight 1 within the window).
    """
    age = (as_of - nights).astype("timedelta64[D]").astype(float)
    age = np.maximum(age, 0.0)
    columns = [
        np.ones_like(age) if half_lives.get(cls) is None else np.exp2(-age / half_lives[cls])
        for cls in REPORT_CLASSES
    ]
    return np.column_stack(columns)


def _log_posterior(params: np.ndarray, terms: NightTerms) -> np.ndarray:
    """(w,) log-posterior of the walkers ``params`` (w, dim) at once (emcee's ``vectorize``)."""
    inside = np.all((params >= _LOW) & (params <= _HIGH), axis=1)
    out = np.full(params.shape[0], -np.inf)
    if np.any(inside):
        out[inside] = terms.log_likelihoods(params[inside])
    return out


@dataclass(frozen=True, slots=True)
class Posterior:
    """Posterior samples of one period's fit: (n_samples, len(FIT_NAMES)), ρ terms unlogged."""

    start: str
    end: str
    nights: int
    samples: np.ndarray
    walkers: np.ndarray  # last positions, to warm-start the next fit
    acceptance: float

    def medians(self) -> dict[str, float]:
        """Each fitted parameter's posterior median (:data:`FIT_NAMES`): what a run applies."""
        return dict(zip(FIT_NAMES, np.median(self.samples, axis=0).tolist(), strict=True))

    def summary(self) -> pd.DataFrame:
        """Median and 5-95% interval per parameter."""
        q = np.quantile(self.samples, [0.05, 0.5, 0.95], axis=0)
        return pd.DataFrame(
            {"parameter": FIT_NAMES, "p5": q[0], "median": q[1], "p95": q[2]}
        ).assign(start=self.start, end=self.end, nights=self.nights)

    def to_dict(self, max_samples: int = 400) -> dict[str, object]:
        """JSON-ready: up to ``max_samples`` thinned samples and the last walker positions."""
        # a random subset: every n-th sample of emcee's flat chain would keep a few walkers only
        n = self.samples.shape[0]
        keep = np.sort(np.random.default_rng(0).permutation(n)[: min(n, max_samples)])
        return {
            "start": self.start,
            "end": self.end,
            "nights": self.nights,
            "acceptance": self.acceptance,
            "parameters": list(FIT_NAMES),
            "samples": self.samples[keep].round(6).tolist(),
            "walkers": self.walkers.round(6).tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Posterior:
        """Read what :meth:`to_dict` wrote."""
        samples = np.asarray(data["samples"], dtype=float)
        return cls(
            start=str(data["start"]),
            end=str(data["end"]),
            nights=int(data["nights"]),  # type: ignore[call-overload]
            samples=samples,
            walkers=np.asarray(data["walkers"], dtype=float),
            acceptance=float(data["acceptance"]),  # type: ignore[arg-type]
        )


def fit_period(
    surrogate: Surrogate,
    data: NightData,
    *,
    start: str,
    end: str,
    steps: int = DEFAULT_STEPS,
    walkers: int | None = None,
    seed: int = 0,
    initial: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> Posterior:
    """Sample the posterior of one period's nights; ``initial`` walkers warm-start the chain.

    The first half of the chain is discarded as burn-in (a third when warm-started).
    ``weights``: per-night likelihood weights (:func:`forgetting_weights`).
    """
    rng = np.random.default_rng(seed)
    dim = len(FIT_NAMES)
    if walkers is None:
        walkers = max(32, 2 * dim + 4)
    if initial is None:
        start_points = _LOW + (_HIGH - _LOW) * rng.uniform(0.25, 0.75, size=(walkers, dim))
    else:
        jitter = 1e-3 * (_HIGH - _LOW) * rng.standard_normal((walkers, dim))
        start_points = np.clip(initial[:walkers] + jitter, _LOW + 1e-9, _HIGH - 1e-9)
    # differential-evolution moves mix far better than the default stretch move on this
    # posterior's long, correlated ridges (kill probability vs posture vs decoys)
    import emcee  # here: a plain run imports the calibration modules but not the sampler

    from skyshield.calibration.structured import NightTerms  # it reads this module's constants

    # log_likelihood with the nights' parameter-free terms computed once (same numbers)
    terms = NightTerms.build(surrogate, data, weights)
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(
        walkers, dim, _log_posterior, args=(terms,), moves=moves, vectorize=True
    )
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start_points, steps, progress=False)
    burn = steps // 3 if initial is not None else steps // 2
    chain = sampler.get_chain(discard=burn, flat=True)
    samples = chain.copy()
    samples[:, len(NAMES) :] = np.exp(samples[:, len(NAMES) :])  # ρ and ρ_small
    return Posterior(
        start=start,
        end=end,
        nights=len(data),
        samples=samples,
        walkers=sampler.get_last_sample().coords,
        acceptance=float(np.mean(sampler.acceptance_fraction)),
    )


def predictive_samples(
    surrogate: Surrogate,
    posterior: Posterior,
    counts: np.ndarray,
    *,
    draws: int = 400,
    seed: int = 0,
    nights: np.ndarray | None = None,
    split_dispersion: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Predictive draws of (neutralised, destroyed) for nights with ``counts`` (n, 4).

    ``counts``: launched per class, then tactical cruise (:attr:`NightData.counts`).
    ``nights`` (n,) dates give each night the low-cost layers' rollout
    (:func:`.tasking.night_parameters`); None: none.

    Returns two (draws, n, 3) int arrays: each draw takes one posterior sample and draws the
    night's counts from the beta-binomial model. ``split_dispersion``: (ρ, ρ_small) per class of
    the destroyed/lost split (:mod:`.dispersion`, #23); None: the sample's own, as in the fit.
    """
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, posterior.samples.shape[0], size=draws)
    launched = np.asarray(counts[:, : len(REPORT_CLASSES)], dtype=np.int64)
    n_nights = launched.shape[0]
    neutral = np.zeros((draws, n_nights, len(REPORT_CLASSES)), dtype=np.int64)
    destroyed_out = np.zeros_like(neutral)
    for d, s in enumerate(pick):
        theta = posterior.samples[s, : len(NAMES)]
        rho = posterior.samples[s, len(NAMES) : len(NAMES) + _N_CLASSES]
        rho_small = posterior.samples[s, len(NAMES) + _N_CLASSES :]
        destroyed, lost = surrogate.shares(counts, night_parameters(theta, nights))
        p_n = np.clip(destroyed + lost, _EPS, 1 - _EPS)
        phi = 1.0 / overdispersion(rho, rho_small, launched) - 1.0
        share = rng.beta(p_n * phi, (1 - p_n) * phi)
        neutral[d] = rng.binomial(launched, share)
        q = np.clip(destroyed / p_n, _EPS, 1 - _EPS)
        if split_dispersion is not None:  # #23: the split's own overdispersion
            rho, rho_small = split_dispersion
        phi_d = 1.0 / overdispersion(rho, rho_small, neutral[d]) - 1.0
        share_d = rng.beta(q * phi_d, (1 - q) * phi_d)
        destroyed_out[d] = rng.binomial(neutral[d], share_d)
    return neutral, destroyed_out
