"""Mechanism checks of a back-test, printed beside MAE/CRPS/coverage (#23 item 7).

Scores say how far off a forecast is; these say whether the model's mechanisms behave as the
reports do:

* :func:`slope_table`: the share-vs-size slope per class and quarter: the least-squares slope of
  the share neutralised on log10(launched) (share points per tenfold raid), of the reports and
  of the model's predicted mean share, each with a 90% bootstrap interval over the quarter's
  nights (the same resamples for both);
* :func:`split_table`: destroyed vs locationally lost, summed over the nights that report the
  class's split, reported vs predicted (means);
* :func:`patriot_table`: ballistic success on nights whose named targets lie under Patriot
  cover vs nights whose named targets do not (and nights that name no located target);
* :func:`pit_table`: the randomised PIT histogram of neutralised per class (flat when the
  predictive distributions are calibrated);
* :func:`dm_test`: a Diebold-Mariano test of equal CRPS against the baseline (in
  :func:`skyshield.calibration.backtest.score`);
* :func:`stability_table`: each fitted parameter's posterior median across the refits.

Patriot cover: publicly reported sites only, one definition for this check and the emulator's
cover features (:func:`skyshield.posture.cover.patriot_covered`, sources and assumptions
there): Kyiv since 2023-05-04. A night whose ballistic targets are elsewhere counts as "not
covered" though some may be; the night's targets are the report's located target names
(:func:`skyshield.reports.places.night_places`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from skyshield.calibration.fit import FIT_NAMES, Posterior
from skyshield.catalog.types import REPORT_CLASSES

__all__ = [
    "DETAIL_COLUMNS",
    "PIT_BINS",
    "central_pit_share",
    "dm_test",
    "patriot_nights",
    "patriot_table",
    "pit_table",
    "randomized_pit",
    "share_size_slope",
    "slope_table",
    "split_table",
    "stability_table",
]

# one row per test night and class: what the checks read (Backtest.detail)
DETAIL_COLUMNS = (
    "date",
    "class",
    "launched",
    "reported_neutralised",
    "reported_destroyed",  # NaN where the split is not reported
    "predicted_mean",
    "predicted_destroyed_mean",
    "pit",
)
PIT_BINS = 10
BOOTSTRAP = 200
_MIN_NIGHTS = 4
_MIN_DM = 3


def dm_test(loss_differential: np.ndarray, h: int = 1) -> tuple[float, float]:
    """Diebold-Mariano test of equal expected loss; returns (statistic, two-sided p-value).

    ``loss_differential``: d_t = loss(model) - loss(baseline), in time order (negative: the
    model better). The variance of the mean is Newey-West's (Bartlett weights) with
    L = max(h - 1, floor(4 (n/100)^(2/9))) lags, robust to the autocorrelation drift gives the
    nights' losses; the statistic gets Harvey, Leybourne and Newbold's (1997) small-sample
    factor sqrt((n + 1 - 2h + h(h-1)/n) / n) and is compared with Student's t on n - 1 degrees
    of freedom. NaN with fewer than 3 values or no variance.
    """
    d = np.asarray(loss_differential, dtype=float)
    d = d[np.isfinite(d)]
    n = d.size
    if n < _MIN_DM:
        return float("nan"), float("nan")
    lags = max(h - 1, int(np.floor(4 * (n / 100) ** (2 / 9))))
    lags = min(lags, n - 1)
    e = d - d.mean()
    variance = float(e @ e) / n
    for j in range(1, lags + 1):
        variance += 2 * (1 - j / (lags + 1)) * float(e[j:] @ e[:-j]) / n
    if not variance > 0:
        return float("nan"), float("nan")
    statistic = d.mean() / np.sqrt(variance / n)
    statistic *= np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    from scipy import stats  # here, not at import: a plain run does not load scipy.stats

    p = 2 * stats.t.sf(abs(statistic), df=n - 1)
    return float(statistic), float(p)


def randomized_pit(samples: np.ndarray, observed: int, rng: np.random.Generator) -> float:
    """Randomised PIT of a count under the empirical distribution of ``samples``.

    F(y-1) + U (F(y) - F(y-1)), U uniform: uniform on [0, 1] when y comes from the forecast
    distribution, also for discrete counts (Czado, Gneiting and Held 2009).
    """
    below = float(np.mean(samples < observed))
    at_or_below = float(np.mean(samples <= observed))
    return below + rng.random() * (at_or_below - below)


def central_pit_share(below: float, at_or_below: float, level: float = 0.9) -> float:
    """Probability that a count's randomised PIT lies in the forecast's central ``level``.

    The randomised PIT of an observed count y is uniform on [F(y-1), F(y)]
    (:func:`randomized_pit`), so this is the share of that range inside
    [(1 - level) / 2, (1 + level) / 2]; a count the forecast gives no mass (F(y-1) = F(y))
    counts 1 if that point lies inside, else 0. Its mean over nights is the interval coverage
    of a discrete forecast without the lumps' bias: the inclusive quantile range [q5, q95] of
    a count holds the observation with probability 0.9 or more (the whole of a 1-missile
    night's {0, 1} often), while this is 0.9 in expectation for a calibrated forecast.
    """
    low, high = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    width = at_or_below - below
    if width <= 0.0:
        return float(low <= below <= high)
    return max(0.0, min(at_or_below, high) - max(below, low)) / width


def share_size_slope(
    launched: np.ndarray,
    shares: Sequence[np.ndarray],
    *,
    boot: int = BOOTSTRAP,
    seed: int = 0,
) -> list[tuple[float, float, float]]:
    """Slope of each share series on log10(launched), with a 90% bootstrap interval.

    Every series in ``shares`` is resampled with the same nights. Returns (slope, p5, p95) per
    series; NaN with fewer than 4 nights or one raid size only.
    """
    x = np.log10(np.asarray(launched, dtype=float))
    nan = (float("nan"),) * 3
    if x.size < _MIN_NIGHTS or np.ptp(x) == 0:
        return [nan for _ in shares]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, x.size, size=(boot, x.size))
    out = []
    for y in shares:
        y = np.asarray(y, dtype=float)
        point = _slope(x, y)
        resampled = np.array([_slope(x[i], y[i]) for i in picks])
        resampled = resampled[np.isfinite(resampled)]
        if resampled.size == 0:
            out.append((point, float("nan"), float("nan")))
            continue
        low, high = np.quantile(resampled, [0.05, 0.95])
        out.append((point, float(low), float(high)))
    return out


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    dx = x - x.mean()
    spread = float(dx @ dx)
    return float(dx @ (y - y.mean()) / spread) if spread > 0 else float("nan")


def slope_table(detail: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Per class and quarter: the share-vs-size slope of the reports and the model (90%)."""
    rows: list[dict[str, object]] = []
    if detail.empty:
        return pd.DataFrame(rows)
    quarter = pd.PeriodIndex(pd.to_datetime(detail["date"]), freq="Q").astype(str)
    for (cls, q), g in detail.assign(quarter=quarter).groupby(["class", "quarter"], sort=False):
        launched = g["launched"].to_numpy(dtype=float)
        reported = g["reported_neutralised"].to_numpy(dtype=float) / launched
        model = g["predicted_mean"].to_numpy(dtype=float) / launched
        (r, r_lo, r_hi), (m, m_lo, m_hi) = share_size_slope(launched, [reported, model], seed=seed)
        rows.append(
            {
                "class": cls,
                "quarter": q,
                "nights": len(g),
                "launched_min": int(launched.min()),
                "launched_max": int(launched.max()),
                "reported_slope": r,
                "reported_p5": r_lo,
                "reported_p95": r_hi,
                "model_slope": m,
                "model_p5": m_lo,
                "model_p95": m_hi,
            }
        )
    return pd.DataFrame(rows).sort_values(["class", "quarter"], kind="stable", ignore_index=True)


def split_table(detail: pd.DataFrame) -> pd.DataFrame:
    """Per class, over the nights that report its split: destroyed and lost, reported vs model."""
    rows: list[dict[str, object]] = []
    known = detail[detail["reported_destroyed"].notna()] if not detail.empty else detail
    for cls, g in known.groupby("class", sort=False):
        destroyed = float(g["reported_destroyed"].sum())
        neutral = float(g["reported_neutralised"].sum())
        predicted_destroyed = float(g["predicted_destroyed_mean"].sum())
        rows.append(
            {
                "class": cls,
                "nights": len(g),
                "launched": int(g["launched"].sum()),
                "reported_destroyed": destroyed,
                "reported_lost": neutral - destroyed,
                "predicted_destroyed": predicted_destroyed,
                "predicted_lost": float(g["predicted_mean"].sum()) - predicted_destroyed,
            }
        )
    return pd.DataFrame(rows)


def patriot_nights(path: Path | None = None) -> pd.DataFrame:
    """Per night with ballistic missiles: ``cover`` ``covered``/``not covered``/``unknown``.

    ``covered``: a ballistic row's located target lies under publicly reported Patriot/SAMP-T
    cover that night (:func:`~skyshield.posture.cover.patriot_covered`); ``not covered``:
    located targets, none covered; ``unknown``: no located target (``Ukraine``, a direction,
    none named).
    """
    from skyshield.posture.cover import patriot_covered
    from skyshield.reports.places import night_places

    places = night_places(path)
    rows = places[(places["threat_class"] == "ballistic") & (places["role"] == "target")]
    out: dict[str, str] = {}
    for night, g in rows.groupby("night"):
        day = str(pd.Timestamp(night).date())
        located = g[g["status"] == "located"]
        covered = any(
            patriot_covered(float(lon), float(lat), day)
            for lon, lat in zip(located["lon_deg"], located["lat_deg"], strict=True)
        )
        if located.empty:
            out[day] = "unknown"
        else:
            out[day] = "covered" if covered else "not covered"
    return pd.DataFrame({"date": list(out), "cover": list(out.values())})


def patriot_table(detail: pd.DataFrame, cover: pd.DataFrame | None) -> pd.DataFrame:
    """Ballistic share neutralised by Patriot cover of the night's targets, reported vs model."""
    rows: list[dict[str, object]] = []
    if cover is None or detail.empty:
        return pd.DataFrame(rows)
    ballistic = detail[detail["class"] == "ballistic"].merge(cover, on="date", how="left")
    ballistic["cover"] = ballistic["cover"].fillna("unknown")
    for group in ("covered", "not covered", "unknown"):
        g = ballistic[ballistic["cover"] == group]
        launched = float(g["launched"].sum())
        rows.append(
            {
                "cover": group,
                "nights": len(g),
                "launched": int(launched),
                "reported_share": float(g["reported_neutralised"].sum()) / launched
                if launched
                else float("nan"),
                "predicted_share": float(g["predicted_mean"].sum()) / launched
                if launched
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def pit_table(detail: pd.DataFrame, bins: int = PIT_BINS) -> pd.DataFrame:
    """Per class and PIT bin (width 1/bins): nights whose randomised PIT falls in it."""
    rows: list[dict[str, object]] = []
    edges = np.linspace(0.0, 1.0, bins + 1)
    for cls in REPORT_CLASSES:
        pit = detail.loc[detail["class"] == cls, "pit"].to_numpy(dtype=float) if len(detail) else []
        counts, _ = np.histogram(np.asarray(pit), bins=edges)
        for b in range(bins):
            rows.append(
                {"class": cls, "low": edges[b], "high": edges[b + 1], "nights": int(counts[b])}
            )
    return pd.DataFrame(rows)


def stability_table(fits: Sequence[Posterior]) -> pd.DataFrame:
    """Per fitted parameter: its posterior median over the refits (first, last, range, spread).

    ``drift_vs_width``: the standard deviation of the medians across refits over the mean
    90% posterior width: near 0, the refits agree; near or above 1, the parameter moves by
    more than its own uncertainty from refit to refit.
    """
    rows: list[dict[str, object]] = []
    if not fits:
        return pd.DataFrame(rows)
    medians = np.array([np.median(f.samples, axis=0) for f in fits])
    widths = np.array([np.subtract(*np.quantile(f.samples, [0.95, 0.05], axis=0)) for f in fits])
    for j, name in enumerate(FIT_NAMES):
        width = float(widths[:, j].mean())
        spread = float(medians[:, j].std()) if len(fits) > 1 else 0.0
        rows.append(
            {
                "parameter": name,
                "refits": len(fits),
                "first": float(medians[0, j]),
                "last": float(medians[-1, j]),
                "min": float(medians[:, j].min()),
                "max": float(medians[:, j].max()),
                "mean_width_90": width,
                "drift_vs_width": spread / width if width > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows)
