"""The fit's log-likelihood with each night's parameter-free terms computed once per fit (#23).

The MCMC (:func:`.fit.fit_period`) evaluates :func:`.fit.log_likelihood` ~10^5 times per fit on
the same nights. The emulator (:class:`.surrogate.Surrogate`) is linear in its features, and
its features are a quadratic in the nights' inputs ``c`` (scaled log counts, geography) and
the scaled parameters ``s``, with no term of higher order in ``s``. So per surface ``o``

    z_n[o] = a_n[o] + Σ_j B_n[o, j] s_nj + Σ_{j ≤ k} C[o, jk] s_nj s_nk

where ``a_n`` gathers every term without a parameter (constant, counts, their squares and
products, the geography features and their squares), ``B_n`` the terms linear in one
parameter (its own, and its products with each count and geography feature) and ``C`` the
parameters' squares and products. :class:`NightTerms` computes ``a`` and ``B`` once for the
fit's nights; a call then costs (n, 6, 11) and (n, 66) × (66, 6) products instead of
building the (n, 305) features and a (n, 305) × (305, 6) product. The log-binomial
coefficients of the beta-binomial terms, which hang on the counts only, are kept as well.

Same model, same numbers: only the order of the sums changes (the test compares it with the
plain :func:`.fit.log_likelihood` to 1e-10 on random parameters).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, gammaln

from skyshield.calibration.fit import RHO_MAX, NightData
from skyshield.calibration.model import NAMES, PARAMETERS
from skyshield.calibration.surrogate import COMPOSITION_MAX, COUNT_COLUMNS, Surrogate
from skyshield.calibration.tasking import rollout_factor
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["NightTerms"]

_N_CLASSES = len(REPORT_CLASSES)
_N_COUNTS = len(COUNT_COLUMNS)
_N_THETA = len(NAMES)
_SHORT = NAMES.index("posture_short")
_LOW = np.array([p.low for p in PARAMETERS])
_HIGH = np.array([p.high for p in PARAMETERS])
_EPS = 1e-6  # as fit's


def _layout() -> tuple[dict[tuple[int, int], int], int]:
    """Column of each quadratic pair (i ≤ j) of the inputs x = (counts, parameters)."""
    d = _N_COUNTS + _N_THETA
    upper = np.triu_indices(d)
    first = 1 + d  # after the constant and the linear terms
    pairs = {(int(i), int(j)): first + q for q, (i, j) in enumerate(zip(*upper, strict=True))}
    return pairs, first + len(pairs)


def _choose(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return np.asarray(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1))


def _betabinom(
    choose: np.ndarray, k: np.ndarray, n: np.ndarray, p: np.ndarray, rho: np.ndarray
) -> np.ndarray:
    """:func:`.fit._betabinom_logpmf` with the log-binomial coefficient given."""
    phi = 1.0 / rho - 1.0
    a = np.clip(p, _EPS, 1 - _EPS) * phi
    b = np.clip(1.0 - p, _EPS, 1 - _EPS) * phi
    return np.asarray(choose + betaln(k + a, n - k + b) - betaln(a, b))


@dataclass(frozen=True, slots=True)
class _Cells:
    """The (night, class) cells of one beta-binomial term of the likelihood: ``k`` of ``n``.

    Each cell has its weight, its class (for ρ) and its salvo for the overdispersion (``n``,
    at least 1); the log-binomial coefficients hang on the counts only and are kept.
    """

    mask: np.ndarray  # (nights, 3) bool: the cells, flattened in this order
    n: np.ndarray
    k: np.ndarray
    choose: np.ndarray
    weight: np.ndarray
    klass: np.ndarray
    salvo: np.ndarray

    @classmethod
    def of(cls, mask: np.ndarray, n: np.ndarray, k: np.ndarray, weights: np.ndarray) -> _Cells:
        """Collect the cells of ``mask``: ``k`` of ``n``, weighted (all (nights, 3) arrays)."""
        classes = np.broadcast_to(np.arange(_N_CLASSES), mask.shape)
        return cls(
            mask=mask,
            n=n[mask],
            k=k[mask],
            choose=_choose(n[mask], k[mask]),
            weight=weights[mask],
            klass=classes[mask],
            salvo=np.maximum(np.asarray(n, dtype=float), 1.0)[mask],
        )

    def log_likelihood(self, p: np.ndarray, rho: np.ndarray, rho_small: np.ndarray) -> np.ndarray:
        """(w,) the cells' weighted log-pmf at shares ``p`` (w, cells) and each walker's ρ.

        As :func:`.fit.overdispersion`: ρ + ρ_small / salvo per class, capped.
        """
        rho_cells = np.minimum(rho[:, self.klass] + rho_small[:, self.klass] / self.salvo, RHO_MAX)
        return np.asarray(_betabinom(self.choose, self.k, self.n, p, rho_cells) @ self.weight)


@dataclass(frozen=True, slots=True)
class NightTerms:
    """One fit's nights under one emulator, ready for many log-likelihood calls.

    Build with :meth:`build`; :meth:`log_likelihood` equals :func:`.fit.log_likelihood` on the
    same nights, emulator and weights (to rounding).
    """

    a: np.ndarray  # (n, 6): each surface's terms without a parameter
    b: np.ndarray  # (n, 6, n_parameters): its terms linear in each scaled parameter
    c: np.ndarray  # (n_pairs, 6): its terms in two parameters, pairs j ≤ k
    first: np.ndarray  # (n_pairs,) j of each pair
    second: np.ndarray  # (n_pairs,) k of each pair
    short_pairs: np.ndarray  # (n_parameters, 6): the pairs' derivative in s_short, per s_k
    short_square: np.ndarray  # (6,) the term in s_short²
    rollout: np.ndarray  # (n,) the low-cost layers' rollout factor per night
    # the beta-binomial terms: neutralised of launched where launched > 0, and the
    # destroyed/lost split where the report gives it and something was neutralised
    total: _Cells
    split: _Cells

    @classmethod
    def build(
        cls, surrogate: Surrogate, data: NightData, weights: np.ndarray | None = None
    ) -> NightTerms:
        """Terms of ``data``'s nights under ``surrogate``, each weighted by ``weights`` (n, 3)."""
        counts, nights = data.counts, data.nights
        launched, neutralised, destroyed = data.launched, data.neutralised, data.destroyed
        inputs = surrogate._inputs(np.atleast_2d(np.asarray(counts, dtype=float)))
        n = inputs.shape[0]
        coefficients = surrogate.coefficients
        w = coefficients.transpose(2, 0, 1).reshape(coefficients.shape[2], -1)  # (F, 6)
        scale = np.log1p(np.asarray(COMPOSITION_MAX, dtype=float))
        x = np.log1p(inputs[:, :_N_COUNTS]) / scale  # (n, 4) scaled counts
        geography = inputs[:, _N_COUNTS:]  # (n, g)
        pairs, blocks = _layout()
        block = 2 + _N_THETA  # per geography feature: g, g², g x each parameter
        a = np.broadcast_to(w[0], (n, w.shape[1])) + x @ w[1 : 1 + _N_COUNTS]
        b = np.broadcast_to(
            w[1 + _N_COUNTS : 1 + _N_COUNTS + _N_THETA].T, (n, w.shape[1], _N_THETA)
        )
        b = b.copy()
        for i in range(_N_COUNTS):
            for j in range(i, _N_COUNTS):
                a = a + np.outer(x[:, i] * x[:, j], w[pairs[i, j]])
            for j in range(_N_THETA):
                b[:, :, j] += np.outer(x[:, i], w[pairs[i, _N_COUNTS + j]])
        for f in range(geography.shape[1]):
            g = geography[:, f]
            column = blocks + f * block
            a = a + np.outer(g, w[column]) + np.outer(g * g, w[column + 1])
            for j in range(_N_THETA):
                b[:, :, j] += np.outer(g, w[column + 2 + j])
        first, second = np.triu_indices(_N_THETA)
        c = np.array(
            [
                w[pairs[_N_COUNTS + int(j), _N_COUNTS + int(k)]]
                for j, k in zip(first, second, strict=True)
            ]
        )
        short = _N_COUNTS + _SHORT
        short_pairs = np.array(
            [
                w[pairs[min(short, _N_COUNTS + j), max(short, _N_COUNTS + j)]]
                for j in range(_N_THETA)
            ]
        )
        short_pairs[_SHORT] *= 2.0  # d(s²)/ds = 2s
        rollout = np.ones(n) if nights is None else rollout_factor(nights)
        weights = np.ones(launched.shape) if weights is None else weights
        return cls(
            a=a,
            b=b,
            c=c,
            first=first,
            second=second,
            short_pairs=short_pairs,
            short_square=w[pairs[short, short]],
            rollout=rollout,
            total=_Cells.of(launched > 0, launched, neutralised, weights),
            split=_Cells.of(
                ~np.isnan(destroyed) & (neutralised > 0), neutralised, destroyed, weights
            ),
        )

    def shares(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the emulator's shares destroyed and lost: two (n, 3) arrays, as ``shares``."""
        destroyed, lost = self.shares_many(np.asarray(theta, dtype=float)[None, :])
        return destroyed[0], lost[0]

    def shares_many(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`shares` of ``theta`` (w, n_parameters): two (w, n, 3) arrays.

        Every night has the same parameters but ``posture_short`` (times its rollout factor,
        clipped to the box: :func:`.tasking.night_parameters`), so the scaled parameters are
        s_n = t + d_n e_short, with t common to the nights, and the parameter terms split into
        t's (computed once per walker) and d_n's.
        """
        t = (theta - _LOW) / (_HIGH - _LOW)  # (w, n_parameters)
        short = np.clip(theta[:, _SHORT, None] * self.rollout, _LOW[_SHORT], _HIGH[_SHORT])
        d = (short - _LOW[_SHORT]) / (_HIGH[_SHORT] - _LOW[_SHORT]) - t[:, _SHORT, None]  # (w, n)
        n, outputs = self.a.shape
        linear = (self.b.reshape(n * outputs, _N_THETA) @ t.T).T.reshape(t.shape[0], n, outputs)
        pairs = (t[:, self.first] * t[:, self.second]) @ self.c  # (w, 6)
        slope = t @ self.short_pairs  # (w, 6): d/d s_short of the pair terms at t
        z = (
            self.a
            + linear
            + pairs[:, None, :]
            + d[:, :, None] * (self.b[:, :, _SHORT] + slope[:, None, :])
            + (d * d)[:, :, None] * self.short_square
        )
        z = z.reshape(theta.shape[0], n, _N_CLASSES, 2)
        destroyed = 1.0 / (1.0 + np.exp(-z[..., 0]))
        lost = (1.0 - destroyed) * (1.0 / (1.0 + np.exp(-z[..., 1])))
        return destroyed, lost

    def log_likelihood(self, params: np.ndarray) -> float:
        """:func:`.fit.log_likelihood` of the nights at ``params`` (θ, log ρ, log ρ_small)."""
        return float(self.log_likelihoods(np.asarray(params, dtype=float)[None, :])[0])

    def log_likelihoods(self, params: np.ndarray) -> np.ndarray:
        """(w,) :meth:`log_likelihood` of each row of ``params`` (w, n_fitted)."""
        theta = params[:, :_N_THETA]
        rho = np.exp(params[:, _N_THETA : _N_THETA + _N_CLASSES])
        rho_small = np.exp(params[:, _N_THETA + _N_CLASSES :])
        destroyed, lost = self.shares_many(theta)
        neutral_share = destroyed + lost
        total = self.total.log_likelihood(neutral_share[:, self.total.mask], rho, rho_small)
        split = self.split.mask
        q = destroyed[:, split] / np.maximum(neutral_share[:, split], _EPS)
        return np.asarray(total + self.split.log_likelihood(q, rho, rho_small))
