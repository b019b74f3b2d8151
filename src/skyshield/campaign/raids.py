"""Nightly raid compositions for a campaign: replayed from the reports or drawn from a generator.

A campaign night is a count of launches per report class (drone, cruise, ballistic), as the
night model (:mod:`skyshield.calibration.model`) takes them. Two sources:

* :func:`history` replays the shipped (or a user's) nightly reports: each calendar night's
  launches as reported; a night without a report had none.
* :class:`RaidGenerator` draws nights like those of a training period. Each class's nightly
  count follows the training nights' own distribution (their empirical quantile function), so
  the generator holds the reports' overdispersion and the frequency and size of massed raids
  exactly (in H1 2025 the drone count's variance is ~58x its mean, the cruise count's ~34x,
  with cruise missiles on only 35 of 181 nights). A negative binomial fitted to the same
  moments put 15% of drone nights above the training's 90th percentile instead of 10%, so it
  is not used. The three classes are tied by a Gaussian copula whose correlation is that of the
  normal scores of the training counts: massed drone nights and missile strikes come together,
  as in the reports. With ``trend``, a log-linear trend in each class's mean (Poisson
  quasi-likelihood) is taken out of the training nights and extrapolated to the campaign's.
  Limit: no night is larger than the training's largest (times the trend).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize

from skyshield.calibration.model import REPORT_CLASSES

__all__ = ["RaidGenerator", "history"]


def history(by_night: pd.DataFrame, first: date, nights: int) -> np.ndarray:
    """(nights, 3) int64 launches per report class on each calendar night from ``first``.

    ``by_night`` is :attr:`skyshield.reports.Reports.by_night`; a night absent from it had no
    launches of the classes here. Raises ValueError when the nights are not all inside the
    reports' span (a night outside it is unknown, not quiet).
    """
    frame = by_night[by_night["threat_class"].isin(REPORT_CLASSES)]
    first_reported = pd.Timestamp(frame["night"].min()).date()
    last_reported = pd.Timestamp(frame["night"].max()).date()
    last = first + timedelta(days=nights - 1)
    if first < first_reported or last > last_reported:
        msg = (
            f"nights within the reports ({first_reported} to {last_reported}), "
            f"not {first} to {last}"
        )
        raise ValueError(msg)
    wide = frame.pivot_table(
        index="night", columns="threat_class", values="launched", aggfunc="sum", fill_value=0
    )
    wide.index = pd.to_datetime(wide.index)
    calendar = pd.date_range(pd.Timestamp(first), periods=nights, freq="D")
    counts = wide.reindex(index=calendar, columns=list(REPORT_CLASSES), fill_value=0)
    return np.asarray(counts.fillna(0).to_numpy(dtype=np.int64))


@dataclass(frozen=True, slots=True)
class RaidGenerator:
    """Training nights' distribution per class, tied by a Gaussian copula (module docstring).

    Night ``t`` counts from the first training night; with a trend its counts are the
    detrended training distribution times ``exp(slope * (t - centre))``.
    """

    first: date  # first training night
    nights: int  # training nights
    sorted_counts: np.ndarray  # (nights, 3) detrended training counts, sorted per class
    slope: np.ndarray  # (3,) per night, log scale; 0 without a trend
    correlation: np.ndarray  # (3, 3) of the copula's normals

    @classmethod
    def fit(cls, counts: np.ndarray, first: date, *, trend: bool = False) -> RaidGenerator:
        """Fit to (n_nights, 3) training counts whose first night is ``first``."""
        counts = np.asarray(counts, dtype=np.float64)
        n = counts.shape[0]
        t = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
        slope = np.zeros(3)
        if trend:
            for c in range(3):
                if counts[:, c].sum() > 0:
                    slope[c] = _poisson_log_linear(t, counts[:, c])
        detrended = counts / np.exp(slope[None, :] * t[:, None])
        return cls(
            first=first,
            nights=n,
            sorted_counts=np.sort(detrended, axis=0),
            slope=slope,
            correlation=_normal_score_correlation(counts),
        )

    def _factor(self, night: np.ndarray) -> np.ndarray:
        t = np.asarray(night, dtype=np.float64) - (self.nights - 1) / 2.0
        return np.asarray(np.exp(self.slope[None, :] * t[:, None]))

    def mean(self, night: np.ndarray) -> np.ndarray:
        """(len(night), 3) mean launches per class on nights counted from the first training one."""
        return np.asarray(self.sorted_counts.mean(axis=0)[None, :] * self._factor(night))

    def sample(self, rng: np.random.Generator, start: date, nights: int, size: int) -> np.ndarray:
        """(size, nights, 3) int64 launches on ``nights`` calendar nights from ``start``."""
        offset = (start - self.first).days
        factor = self._factor(np.arange(offset, offset + nights))  # (nights, 3)
        chol = np.linalg.cholesky(self.correlation)
        z = rng.standard_normal((size, nights, 3)) @ chol.T
        rank = np.minimum((stats.norm.cdf(z) * self.nights).astype(np.int64), self.nights - 1)
        counts = np.take_along_axis(
            self.sorted_counts[None, None, :, :],
            rank[:, :, None, :],
            axis=2,
        )[:, :, 0, :]
        return np.asarray(np.rint(counts * factor[None]), dtype=np.int64)

    def to_dict(self) -> dict[str, object]:
        """Describe the generator for JSON (what the campaign output records)."""
        return {
            "first_training_night": self.first.isoformat(),
            "training_nights": self.nights,
            "classes": list(REPORT_CLASSES),
            "training_mean": self.sorted_counts.mean(axis=0).round(3).tolist(),
            "training_max": self.sorted_counts.max(axis=0).round(1).tolist(),
            "trend_per_night": self.slope.round(6).tolist(),
            "correlation": self.correlation.round(3).tolist(),
        }


def _poisson_log_linear(t: np.ndarray, y: np.ndarray) -> float:
    """Poisson quasi-likelihood fit of ``log mean = a + b t``; returns the slope ``b``."""
    scale = max(float(np.abs(t).max()), 1.0)

    def loss(ab: np.ndarray) -> float:
        eta = ab[0] + ab[1] * t / scale
        return float(np.sum(np.exp(eta) - y * eta))

    start = np.array([np.log(max(y.mean(), 1e-3)), 0.0])
    fit = minimize(loss, start, method="BFGS")
    return float(fit.x[1] / scale)


def _normal_score_correlation(counts: np.ndarray) -> np.ndarray:
    """Correlation of the normal scores of each column's mid-ranks (a Gaussian copula's)."""
    n = counts.shape[0]
    scores = np.column_stack(
        [stats.norm.ppf(stats.rankdata(counts[:, c]) / (n + 1)) for c in range(counts.shape[1])]
    )
    constant = scores.std(axis=0) == 0
    scores[:, constant] = 0.0
    corr = np.corrcoef(scores, rowvar=False) if n > 1 else np.eye(counts.shape[1])
    corr = np.nan_to_num(corr, nan=0.0)
    np.fill_diagonal(corr, 1.0)
    # the nearest matrix with eigenvalues >= a small floor, so its Cholesky factor exists
    values, vectors = np.linalg.eigh(corr)
    corr = (vectors * np.maximum(values, 1e-6)) @ vectors.T
    d = np.sqrt(np.diag(corr))
    return np.asarray(corr / np.outer(d, d))
