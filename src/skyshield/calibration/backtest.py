"""``skyshield backtest``: rolling-origin predictions of report nights, scored against a baseline.

From ``train_until`` on, the model is refitted every ``refit_every_days`` on the nights of the
``window_days`` before the refit date (warm-started from the previous fit, with
``warm_steps`` MCMC steps), each class's nights weighed by their age (``half_lives``: a
discounted likelihood that lets the fit follow drift; see :mod:`.settings` for the defaults and
how they were chosen), and predicts each night up to the next refit from its launched counts
only: every test night is predicted from reports before it. Per night and class the
prediction is a distribution (posterior samples × beta-binomial draws) of neutralised
(destroyed + locationally lost), scored on every night, and destroyed, scored only on the
nights whose report gives the destroyed/lost split of the class (:attr:`NightData.split`).
:attr:`Backtest.forecasts` holds the same predictions one row per night and class (what
``backtest --json`` prints as ``nights``): the reported counts (destroyed null where the split
is not reported) and the predicted neutralised's mean, median and 5% and 95% quantiles.

The naive baseline predicts launched × (Σ target / Σ launched) over the 30 days before the
night, per class (all earlier nights when those 30 days have none of the class). So that both
are scored alike, the baseline is given the binomial distribution with that share: its MAE is
that of its median, its CRPS is exact (a sum over 0..launched), its intervals are its
quantiles. Intervals of counts are inclusive quantile ranges for both, so both over-cover a
little on small counts (a 90% range of a 1-missile night is often [0, 1]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from skyshield.calibration.checks import (
    DETAIL_COLUMNS,
    central_pit_share,
    dm_test,
    patriot_table,
    pit_table,
    randomized_pit,
    slope_table,
    split_table,
    stability_table,
)
from skyshield.calibration.dispersion import DISPERSION_MODES, ml_dispersion, with_dispersion
from skyshield.calibration.drift import drift_forecast
from skyshield.calibration.fit import (
    HalfLives,
    NightData,
    Posterior,
    fit_period,
    forgetting_weights,
    predictive_samples,
)
from skyshield.calibration.settings import (
    DEFAULT_DISPERSION,
    DEFAULT_DRIFT,
    DEFAULT_HALF_LIVES,
    DEFAULT_REFIT_DAYS,
    DEFAULT_STATE_NOISE,
    DEFAULT_STATE_RHO_SCALE,
    DEFAULT_STEPS,
    DEFAULT_WARM_STEPS,
    DRIFT_MODES,
)
from skyshield.calibration.spread import SPREAD_COLUMNS, bias_table, decompose, spread_table
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.store import SCHEMAS, StrPath
from skyshield.store.documents import json_ready, records, save_result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BASELINE_DAYS",
    "FORECAST_COLUMNS",
    "Backtest",
    "backtest",
    "baseline_forecast",
    "mechanism_checks",
    "score",
]

BASELINE_DAYS = 30
TARGETS = ("neutralised", "destroyed")
# one row per test night and class: what ``backtest --json`` prints under ``nights``
FORECAST_COLUMNS = (
    "date",
    "class",
    "launched",
    "reported_neutralised",
    "reported_destroyed",
    "predicted_mean",
    "predicted_median",
    "predicted_p05",
    "predicted_p95",
)


@dataclass(frozen=True, slots=True)
class Backtest:
    """Per test night, class and target: reported, model median and intervals, baseline.

    ``nights``: one row per night, class and target (scored: quantiles, CRPS, baseline);
    ``forecasts``: one row per night and class (:data:`FORECAST_COLUMNS`): reported counts and
    the predicted neutralised's mean, median, 5% and 95% quantiles.
    """

    nights: pd.DataFrame
    metrics: pd.DataFrame
    fits: tuple[Posterior, ...]
    settings: dict[str, Any] = field(default_factory=dict)  # train_until, refit, window, ...
    forecasts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FORECAST_COLUMNS))
    # #23 item 7: per night and class what the mechanism checks read (checks.DETAIL_COLUMNS),
    # and the checks' tables (slopes, split, patriot, pit, stability)
    detail: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DETAIL_COLUMNS))
    checks: dict[str, pd.DataFrame] = field(default_factory=dict)
    # #23: per night and class the predictive variance in parts (spread.SPREAD_COLUMNS; drift
    # "refits" only), for spread.spread_table; not in the JSON document
    spread: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPREAD_COLUMNS))

    # v2: ``nights`` one object per night and class (the forecasts); the per-target scored
    # rows of v1's ``nights`` are under ``predictions``. v3: ``drift``, ``state_noise``,
    # ``engine_term``; metrics' interval width and Diebold-Mariano test; ``checks``. v4 (#23):
    # ``dispersion``; the checks ``spread`` (predictive variance by part) and ``bias``. v5 (#23):
    # metrics' ``pit_coverage_90`` and the baseline's; predictions' ``pit_90``, ``b_pit_90``
    SCHEMA: ClassVar[str] = "skyshield/backtest/v5"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``backtest --json`` prints: settings, scores, every predicted night.

        ``nights``: one object per night and class (:data:`FORECAST_COLUMNS`;
        ``reported_destroyed`` null where the report does not give the split);
        ``predictions``: one per night, class and target, with the baseline and CRPS.
        """
        tested = self.nights["night"] if not self.nights.empty else pd.Series(dtype=str)
        return {
            "schema": self.SCHEMA,
            "train_until": self.settings.get("train_until"),
            "test_from": str(tested.min()) if len(tested) else None,
            "test_until": str(tested.max()) if len(tested) else None,
            "refit_every_days": self.settings.get("refit_every_days"),
            "window_days": self.settings.get("window_days"),
            "half_lives": json_ready(self.settings.get("half_lives")),
            "drift": self.settings.get("drift", "refits"),
            "state_noise": json_ready(self.settings.get("state_noise")),
            "engine_term": bool(self.settings.get("engine_term", True)),
            "dispersion": self.settings.get("dispersion", "posterior"),
            "metrics": records(self.metrics),
            "nights": records(_columns(self.forecasts, "backtest_forecasts")),
            "predictions": records(self.nights),
            "checks": {name: records(table) for name, table in self.checks.items()},
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the tables ``backtest_nights``, ``backtest_metrics``, ``backtest_forecasts``.

        Per night, class and target; per class and target; per night and class (reported,
        predicted neutralised's mean and quantiles).
        """
        return {
            "backtest_nights": _columns(self.nights, "backtest_nights"),
            "backtest_metrics": _columns(self.metrics, "backtest_metrics"),
            "backtest_forecasts": _columns(self.forecasts, "backtest_forecasts"),
        }

    def plot(self) -> Figure:
        """Plot reported vs predicted (median, intervals) per night and class."""
        from skyshield.calibration.plots import plot_backtest

        return plot_backtest(self.nights)

    def save(self, directory: StrPath) -> str:
        """Save the nights and scores in a results directory; return the run id."""
        return save_result(
            directory,
            self.tables(),
            kind="backtest",
            name=f"reports from {self.settings.get('train_until')}",
            parameters=self.settings,
            seed=int(self.settings.get("seed", 0)),
            replications=len(self.fits),
        )

    def __repr__(self) -> str:
        """Show in a few lines the nights tested, the refits, the model's and baseline's CRPS."""
        if self.nights.empty:
            return f"Backtest: no report night from {self.settings.get('train_until')}"
        lines = [
            f"Backtest: {self.nights['night'].nunique()} nights "
            f"{self.nights['night'].min()} to {self.nights['night'].max()}, "
            f"{len(self.fits)} refits"
        ]
        for r in self.metrics.itertuples():
            lines.append(
                f"  {r._1} {r.target}: CRPS {r.crps:.2f} (baseline {r.baseline_crps:.2f}), "
                f"90% coverage {r.coverage_90:.0%} (by the PIT {r.pit_coverage_90:.0%})"
            )
        return "\n".join(lines)


def _columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` with the declared columns of ``table`` (an empty frame gets them empty)."""
    return frame.reindex(columns=list(SCHEMAS[table].names))


def baseline_forecast(data: NightData, night: np.datetime64, target: str) -> np.ndarray:
    """(3,) expected share per class for ``night`` from the 30 days before it (see module).

    For ``destroyed`` only the nights that report the class's split count.
    """
    values = data.neutralised if target == "neutralised" else data.destroyed
    before = data.nights < night
    recent = before & (data.nights >= night - np.timedelta64(BASELINE_DAYS, "D"))
    out = np.full(len(REPORT_CLASSES), np.nan)
    for k in range(len(REPORT_CLASSES)):
        known = data.split[:, k] if target == "destroyed" else np.ones(len(data), dtype=bool)
        for window in (recent & known, before & known):
            launched = data.launched[window, k].sum()
            if launched > 0:
                out[k] = values[window, k].sum() / launched
                break
    return out


def backtest(
    data: NightData,
    surrogate: Surrogate,
    *,
    train_until: date,
    test_until: date | None = None,
    refit_every_days: int = DEFAULT_REFIT_DAYS,
    window_days: int = 90,
    half_lives: HalfLives = DEFAULT_HALF_LIVES,
    steps: int = DEFAULT_STEPS,
    warm_steps: int | None = DEFAULT_WARM_STEPS,
    draws: int = 400,
    seed: int = 0,
    initial: Posterior | None = None,
    progress: Callable[[int, int], None] | None = None,
    drift: str = DEFAULT_DRIFT,
    state_noise: Mapping[str, float] = DEFAULT_STATE_NOISE,
    engine_term: bool = True,
    patriot_cover: pd.DataFrame | None = None,
    fitted: Posterior | None = None,
    rho_scale: Mapping[str, float] = DEFAULT_STATE_RHO_SCALE,
    dispersion: str = DEFAULT_DISPERSION,
) -> Backtest:
    """Rolling-origin back-test of the nights in [train_until, test_until] (see the module).

    ``drift``: ``"refits"`` (refit every ``refit_every_days`` with ``half_lives``) or
    ``"state"`` (one fit on the window before ``train_until``, then the filtered daily offset
    of :mod:`.drift` with ``state_noise`` per class; ``engine_term`` False puts the offset on
    a constant share instead of the engine's). ``patriot_cover``: per night the Patriot cover of
    its ballistic targets (:func:`~skyshield.calibration.checks.patriot_nights`), for the
    ``patriot`` check. ``fitted``: with ``drift="state"``, a fit of the same window to use
    instead of fitting again (to compare state noises on one fit); ``rho_scale``: with
    ``drift="state"``, the factor per class on the fit's overdispersion (the fit's ρ absorbed
    the drift the offset now follows). ``dispersion``: with ``drift="refits"``, the predictive's
    overdispersion: ``"posterior"`` (the mixture over the fit's ρ samples), ``"ml"`` (each
    refit's maximum-likelihood ρ per class, :mod:`.dispersion`) or ``"ml-split"`` (the same,
    the neutralised count's and the destroyed/lost split's each their own).
    """
    if drift not in DRIFT_MODES:
        raise ValueError(f"drift must be one of {', '.join(DRIFT_MODES)}, got {drift!r}")
    if dispersion not in DISPERSION_MODES:
        raise ValueError(
            f"dispersion must be one of {', '.join(DISPERSION_MODES)}, got {dispersion!r}"
        )
    last = pd.Timestamp(data.nights.max()).date() if len(data) else train_until
    end = min(test_until, last) if test_until is not None else last
    origins = []
    origin = train_until
    while origin <= end:
        origins.append(origin)
        origin += timedelta(days=refit_every_days)
    rows: list[dict[str, object]] = []
    forecasts: list[dict[str, object]] = []
    details: list[dict[str, object]] = []
    spreads: list[pd.DataFrame] = []
    fits: list[Posterior] = []
    walkers = initial.walkers if initial is not None else None
    scale_used: dict[str, float] | None = None
    if drift == "state":
        origins = origins[:1]  # one fit; the filtered offset follows the drift
    for i, origin in enumerate(origins):
        start = np.datetime64(origin - timedelta(days=window_days))
        train = data.between(start, np.datetime64(origin))
        fit = (
            fitted
            if drift == "state" and fitted is not None
            else fit_period(
                surrogate,
                train,
                start=(origin - timedelta(days=window_days)).isoformat(),
                end=origin.isoformat(),
                steps=steps if walkers is None or warm_steps is None else warm_steps,
                seed=seed + i,
                initial=walkers,
                weights=None
                if drift == "state"
                else forgetting_weights(train.nights, np.datetime64(origin), half_lives),
            )
        )
        walkers = fit.walkers
        split_dispersion = None
        if dispersion != "posterior" and drift != "state":
            weights = forgetting_weights(train.nights, np.datetime64(origin), half_lives)
            if dispersion == "ml-split":  # the total's and the split's own
                split_dispersion = ml_dispersion(surrogate, fit, train, weights, terms="split")
            terms = "total" if dispersion == "ml-split" else "both"
            fit = with_dispersion(fit, *ml_dispersion(surrogate, fit, train, weights, terms))
        fits.append(fit)
        if drift == "state":
            stop = end + timedelta(days=1)
            filtered = data.between(start, np.datetime64(stop))
            test = data.between(np.datetime64(origin), np.datetime64(stop))
            state = drift_forecast(
                filtered,
                surrogate,
                fit,
                state_noise,
                predict_from=np.datetime64(origin),
                engine_term=engine_term,
                draws=draws,
                seed=seed + i,
                rho_scale=rho_scale,
            )
            neutral, destroyed = state.neutralised, state.destroyed
            scale_used = dict(zip(REPORT_CLASSES, state.rho_scale.tolist(), strict=True))
        else:
            stop = min(origin + timedelta(days=refit_every_days), end + timedelta(days=1))
            test = data.between(np.datetime64(origin), np.datetime64(stop))
            if not len(test):
                if progress is not None:
                    progress(i + 1, len(origins))
                continue
            neutral, destroyed = predictive_samples(
                surrogate,
                fit,
                test.counts,
                draws=draws,
                seed=seed + i,
                nights=test.nights,
                split_dispersion=split_dispersion,
            )
            spreads.append(decompose(surrogate, fit, test.counts, test.nights))
        rng = np.random.default_rng([seed, i, 11])
        for n, night in enumerate(test.nights):
            forecasts.extend(_forecast_rows(test, n, neutral[:, n, :]))
            details.extend(_detail_rows(test, n, neutral[:, n, :], destroyed[:, n, :], rng))
            for target, samples, reported in (
                ("neutralised", neutral, test.neutralised),
                ("destroyed", destroyed, test.destroyed),
            ):
                base = baseline_forecast(data, night, target)
                for k, cls in enumerate(REPORT_CLASSES):
                    if test.launched[n, k] == 0:
                        continue
                    if target == "destroyed" and not test.split[n, k]:
                        continue  # the report does not give the split: nothing to score
                    s = samples[:, n, k]
                    q = np.quantile(s, [0.05, 0.25, 0.5, 0.75, 0.95])
                    b = _binomial_baseline(int(test.launched[n, k]), base[k], int(reported[n, k]))
                    rows.append(
                        {
                            "night": str(night),
                            "class": cls,
                            "target": target,
                            "launched": int(test.launched[n, k]),
                            "reported": int(reported[n, k]),
                            "p5": q[0],
                            "p25": q[1],
                            "median": q[2],
                            "p75": q[3],
                            "p95": q[4],
                            "crps": _crps(float(reported[n, k]), s * 1.0),
                            "pit_90": central_pit_share(
                                float(np.mean(s < reported[n, k])),
                                float(np.mean(s <= reported[n, k])),
                            ),
                            "baseline": float(test.launched[n, k] * base[k]),
                            **b,
                            "origin": origin.isoformat(),
                        }
                    )
        if progress is not None:
            progress(i + 1, len(origins))
    nights = pd.DataFrame(rows)
    forecast = pd.DataFrame(forecasts, columns=list(FORECAST_COLUMNS))
    # whole counts, NA where the split is not reported (not a float column with NaN)
    forecast["reported_destroyed"] = forecast["reported_destroyed"].astype("Int64")
    settings = {
        "train_until": train_until.isoformat(),
        "test_until": None if test_until is None else test_until.isoformat(),
        "refit_every_days": refit_every_days,
        "window_days": window_days,
        "half_lives": dict(half_lives),
        "steps": steps,
        "warm_steps": warm_steps,
        "seed": seed,
        "drift": drift,
        "state_noise": dict(state_noise) if drift == "state" else None,
        "engine_term": engine_term,
        "rho_scale": scale_used,  # drift state: the factor on the fit's ρ per class
        "dispersion": dispersion,
    }
    detail = pd.DataFrame(details, columns=list(DETAIL_COLUMNS))
    spread = (
        pd.concat(spreads, ignore_index=True)
        if spreads
        else pd.DataFrame(columns=list(SPREAD_COLUMNS))
    )
    checks = mechanism_checks(detail, fits, patriot_cover, seed=seed)
    # #23: where the predictive's variance comes from, and the centre's bias by raid size
    checks["spread"] = spread_table(spread)
    checks["bias"] = bias_table(nights) if len(nights) else pd.DataFrame()
    return Backtest(
        nights=nights,
        metrics=score(nights),
        fits=tuple(fits),
        settings=settings,
        forecasts=forecast,
        detail=detail,
        checks=checks,
        spread=spread,
    )


def mechanism_checks(
    detail: pd.DataFrame,
    fits: Sequence[Posterior],
    patriot_cover: pd.DataFrame | None = None,
    *,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Return the mechanism checks of #23 item 7 (:mod:`.checks`): one table each.

    ``slopes`` (share vs size per class and quarter), ``split`` (destroyed vs lost where
    reported), ``patriot`` (ballistic success by Patriot cover; empty without
    ``patriot_cover``), ``pit`` (PIT histogram), ``stability`` (parameters across refits).
    """
    return {
        "slopes": slope_table(detail, seed=seed),
        "split": split_table(detail),
        "patriot": patriot_table(detail, patriot_cover),
        "pit": pit_table(detail),
        "stability": stability_table(fits),
    }


def _forecast_rows(test: NightData, n: int, neutral: np.ndarray) -> list[dict[str, object]]:
    """Night ``n``'s row per class launched: reported, predicted neutralised (draws, 3).

    ``reported_destroyed`` is None where the report does not give the class's split.
    """
    out: list[dict[str, object]] = []
    for k, cls in enumerate(REPORT_CLASSES):
        if test.launched[n, k] == 0:
            continue
        s = neutral[:, k]
        p05, median, p95 = np.quantile(s, [0.05, 0.5, 0.95])
        out.append(
            {
                "date": str(test.nights[n]),
                "class": cls,
                "launched": int(test.launched[n, k]),
                "reported_neutralised": int(test.neutralised[n, k]),
                "reported_destroyed": int(test.destroyed[n, k]) if test.split[n, k] else None,
                "predicted_mean": float(s.mean()),
                "predicted_median": float(median),
                "predicted_p05": float(p05),
                "predicted_p95": float(p95),
            }
        )
    return out


def _detail_rows(
    test: NightData,
    n: int,
    neutral: np.ndarray,
    destroyed: np.ndarray,
    rng: np.random.Generator,
) -> list[dict[str, object]]:
    """Night ``n``'s row per class launched for the mechanism checks (:data:`DETAIL_COLUMNS`).

    ``neutral``, ``destroyed``: (draws, 3) predictive draws.
    """
    out: list[dict[str, object]] = []
    for k, cls in enumerate(REPORT_CLASSES):
        if test.launched[n, k] == 0:
            continue
        out.append(
            {
                "date": str(test.nights[n]),
                "class": cls,
                "launched": int(test.launched[n, k]),
                "reported_neutralised": int(test.neutralised[n, k]),
                "reported_destroyed": float(test.destroyed[n, k]),
                "predicted_mean": float(neutral[:, k].mean()),
                "predicted_destroyed_mean": float(destroyed[:, k].mean()),
                "pit": randomized_pit(neutral[:, k], int(test.neutralised[n, k]), rng),
            }
        )
    return out


def _mean_of_known(values: np.ndarray) -> float:
    """Mean over the finite values; NaN when none is (a baseline with no split nights)."""
    known = values[np.isfinite(values)]
    return float(known.mean()) if known.size else float("nan")


def _binomial_baseline(launched: int, share: float, reported: int) -> dict[str, float]:
    """Score the baseline as Binomial(launched, share): median, quantiles and exact CRPS."""
    if not np.isfinite(share):
        nan = float("nan")
        return dict.fromkeys(
            ("baseline_median", "baseline_crps", "b_p5", "b_p25", "b_p75", "b_p95", "b_pit_90"),
            nan,
        )
    from scipy.stats import binom  # here, not at import: a plain run does not load scipy.stats

    k = np.arange(launched + 1)
    cdf = binom.cdf(k, launched, share)
    crps = float(np.sum((cdf - (k >= reported)) ** 2))
    q = binom.ppf([0.05, 0.25, 0.5, 0.75, 0.95], launched, share)
    return {
        "baseline_median": float(q[2]),
        "baseline_crps": crps,
        "b_p5": float(q[0]),
        "b_p25": float(q[1]),
        "b_p75": float(q[3]),
        "b_p95": float(q[4]),
        "b_pit_90": central_pit_share(
            float(binom.cdf(reported - 1, launched, share)),
            float(binom.cdf(reported, launched, share)),
        ),
    }


def _inside(rows: pd.DataFrame, low: str, high: str) -> float:
    """Share of rows whose reported count lies in [low, high] (NaN without those columns)."""
    if low not in rows:
        return float("nan")
    reported = rows["reported"].to_numpy(dtype=float)
    return float(np.mean((rows[low] <= reported) & (reported <= rows[high])))


def _mean_of_column(rows: pd.DataFrame, column: str) -> float:
    """Mean of a column's known values (NaN without the column: older tables)."""
    if column not in rows:
        return float("nan")
    return _mean_of_known(rows[column].to_numpy(dtype=float))


def _width(rows: pd.DataFrame, low: str, high: str) -> float:
    """Mean width of the [low, high] intervals (NaN without those columns or values)."""
    if low not in rows:
        return float("nan")
    return _mean_of_known((rows[high] - rows[low]).to_numpy(dtype=float))


def score(nights: pd.DataFrame) -> pd.DataFrame:
    """Metrics per class and target: MAE, CRPS, interval coverage and width, DM test.

    Each beside the baseline's; the Diebold-Mariano test compares the nights' CRPS with the
    baseline's (:func:`~skyshield.calibration.checks.dm_test`: negative, the model better).

    Without the baseline's distribution columns (older tables), its point forecast is scored:
    CRPS = absolute error, no coverage.
    """
    rows: list[dict[str, object]] = []
    if nights.empty:
        return pd.DataFrame(rows)
    for (cls, target), g in nights.groupby(["class", "target"], sort=False):
        reported = g["reported"].to_numpy(dtype=float)
        has_distribution = "baseline_median" in g
        point = g["baseline_median"] if has_distribution else g["baseline"]
        baseline_error = np.abs(point.to_numpy() - reported)
        baseline_crps = g["baseline_crps"].to_numpy() if has_distribution else baseline_error
        differential = g["crps"].to_numpy(dtype=float) - baseline_crps
        if "night" in g:  # in time order
            differential = differential[np.argsort(g["night"].to_numpy(dtype=str), kind="stable")]
        dm, dm_p = dm_test(differential)

        rows.append(
            {
                "class": cls,
                "target": target,
                "nights": len(g),
                "mae": float(np.mean(np.abs(g["median"].to_numpy() - reported))),
                "baseline_mae": _mean_of_known(baseline_error),
                "crps": float(g["crps"].mean()),
                "baseline_crps": _mean_of_known(baseline_crps),
                "coverage_50": _inside(g, "p25", "p75"),
                "coverage_90": _inside(g, "p5", "p95"),
                "baseline_coverage_50": _inside(g, "b_p25", "b_p75"),
                "baseline_coverage_90": _inside(g, "b_p5", "b_p95"),
                # the same for discrete counts without the lumps' bias (checks.central_pit_share)
                "pit_coverage_90": _mean_of_column(g, "pit_90"),
                "baseline_pit_coverage_90": _mean_of_column(g, "b_pit_90"),
                # #23 item 7: mean 90% interval width; DM test of CRPS vs the baseline
                "width_90": _width(g, "p5", "p95"),
                "baseline_width_90": _width(g, "b_p5", "b_p95"),
                "dm_statistic": dm,
                "dm_p": dm_p,
            }
        )
    return pd.DataFrame(rows)


def _crps(observed: float, ensemble: np.ndarray) -> float:
    """Score an ensemble forecast by its CRPS (scoringrules).

    Imported on first use: importing scoringrules compiles its numba functions, ~70 MB and
    seconds that every ``skyshield run`` paid before.
    """
    import scoringrules

    return float(scoringrules.crps_ensemble(observed, ensemble))
