"""Nightly raid compositions for a campaign: replayed from the reports or drawn from a generator.

A campaign night is a count of launches per report class (drone, cruise, ballistic), as the
night model (:mod:`skyshield.calibration.model`) takes them. Two sources:

* :func:`history` replays the shipped (or a user's) nightly reports: each calendar night's
  launches as reported; a night without a report had none.
* :class:`RaidGenerator` draws nights like those of a training period: a block bootstrap of
  the training nights (runs of :data:`BLOCK_NIGHTS` consecutive nights drawn at random, the
  window taken as a circle). Each night keeps its three classes together, so the reports'
  overdispersion, the frequency and size of massed raids and their combinations (drones with
  missile strikes) are the training period's, and a week's run keeps its autocorrelation. A
  Gaussian copula over the classes' marginals, tried first, halved their correlations (Pearson
  drone-cruise 0.44 in the H1 2025 nights, 0.21 in its draws: most nights have no missiles, and
  the ties shrink the normal scores' correlation), so it is not used. With ``trend``, a
  log-linear trend in each class's mean (Poisson quasi-likelihood) is taken out of the training
  nights and extrapolated to the campaign's. Limit: no night is larger than the training's
  largest (times the trend); months vary less than in the training period when it was not
  stationary (regimes longer than a block are not kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["BLOCK_NIGHTS", "RaidGenerator", "history"]

# Consecutive training nights drawn together: a week keeps its weekday rhythm and runs.
BLOCK_NIGHTS = 7


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
    """A block bootstrap of the training nights (module docstring).

    Night ``t`` counts from the first training night; with a trend its counts are the
    detrended training nights times ``exp(slope * (t - centre))``.
    """

    first: date  # first training night
    detrended: np.ndarray  # (nights, 3) training counts in night order, trend taken out
    slope: np.ndarray  # (3,) per night, log scale; 0 without a trend

    @property
    def nights(self) -> int:
        """Training nights."""
        return int(self.detrended.shape[0])

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
        return cls(first=first, detrended=detrended, slope=slope)

    def _factor(self, night: np.ndarray) -> np.ndarray:
        t = np.asarray(night, dtype=np.float64) - (self.nights - 1) / 2.0
        return np.asarray(np.exp(self.slope[None, :] * t[:, None]))

    def mean(self, night: np.ndarray) -> np.ndarray:
        """(len(night), 3) mean launches per class on nights counted from the first training one."""
        return np.asarray(self.detrended.mean(axis=0)[None, :] * self._factor(night))

    def sample(self, rng: np.random.Generator, start: date, nights: int, size: int) -> np.ndarray:
        """(size, nights, 3) int64 launches on ``nights`` calendar nights from ``start``."""
        offset = (start - self.first).days
        factor = self._factor(np.arange(offset, offset + nights))  # (nights, 3)
        blocks = -(-nights // BLOCK_NIGHTS)
        starts = rng.integers(0, self.nights, size=(size, blocks))
        index = (starts[:, :, None] + np.arange(BLOCK_NIGHTS)) % self.nights
        counts = self.detrended[index.reshape(size, -1)[:, :nights]]  # (size, nights, 3)
        return np.asarray(np.rint(counts * factor[None]), dtype=np.int64)

    def to_dict(self) -> dict[str, object]:
        """Describe the generator for JSON (what the campaign output records)."""
        return {
            "first_training_night": self.first.isoformat(),
            "training_nights": self.nights,
            "block_nights": BLOCK_NIGHTS,
            "classes": list(REPORT_CLASSES),
            "training_mean": self.detrended.mean(axis=0).round(3).tolist(),
            "training_max": self.detrended.max(axis=0).round(1).tolist(),
            "trend_per_night": self.slope.round(6).tolist(),
        }


def _poisson_log_linear(t: np.ndarray, y: np.ndarray) -> float:
    """Poisson quasi-likelihood fit of ``log mean = a + b t``; returns the slope ``b``."""
    scale = max(float(np.abs(t).max()), 1.0)

    def loss(ab: np.ndarray) -> float:
        eta = ab[0] + ab[1] * t / scale
        return float(np.sum(np.exp(eta) - y * eta))

    from scipy.optimize import minimize  # here, not at import: a plain run does not need it

    start = np.array([np.log(max(y.mean(), 1e-3)), 0.0])
    fit = minimize(loss, start, method="BFGS")
    return float(fit.x[1] / scale)
