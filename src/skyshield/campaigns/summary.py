"""What a campaign's replications say: stock-out risk per system, monthly leakers and cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd

from skyshield.campaigns.pool import HOME
from skyshield.campaigns.simulate import CampaignResult
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["CampaignSummary", "stock_bands", "summarize_campaign", "wilson_interval"]

_Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a binomial proportion."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1.0 + _Z95**2 / n
    centre = (p + _Z95**2 / (2 * n)) / denom
    half = _Z95 * np.sqrt(p * (1 - p) / n + _Z95**2 / (4 * n * n)) / denom
    return (max(0.0, float(centre - half)), min(1.0, float(centre + half)))


@dataclass(frozen=True, slots=True)
class CampaignSummary:
    """Tables of one campaign run (and the JSON the CLI prints)."""

    systems: pd.DataFrame
    monthly: pd.DataFrame
    nights: int
    replications: int
    truncated_launches: float  # per replication, beyond the pool's capacity

    def to_dict(self) -> dict[str, Any]:
        """``{"nights", "replications", "systems": [...], "monthly": [...]}``."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
            return [{str(k): _plain(v) for k, v in row.items()} for row in rows]

        return {
            "nights": self.nights,
            "replications": self.replications,
            "truncated_launches_per_replication": round(self.truncated_launches, 3),
            "systems": records(self.systems),
            "monthly": records(self.monthly),
        }


def _plain(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def summarize_campaign(result: CampaignResult) -> CampaignSummary:
    """Summarize a campaign's replications.

    Per tracked system: P(stock-out before the end) with its 95% interval, stock-out night
    quantiles (over the replications that run out), end stock. Per month: means and 5-95%
    ranges of leakers per class, rounds per system and cost.
    """
    plan = result.plan
    reps = result.replications
    out_night = result.stockout_night()
    rows = []
    for s, system in enumerate(plan.systems):
        nights = out_night[:, s]
        ran_out = nights > 0
        lo, hi = wilson_interval(int(ran_out.sum()), reps)
        empty = result.available[:, :, s] <= 0
        nation, _, key = system.rpartition("/")
        rows.append(
            {
                "nation": nation or HOME,
                "system": key,
                "stock_start": int(plan.initial_stock[s]),
                "deliveries_per_month": float(plan.per_month[s]),
                "rounds_per_night": float(result.fired_tracked[:, :, s].mean()),
                "p_stockout": float(ran_out.mean()),
                "p_stockout_lo": lo,
                "p_stockout_hi": hi,
                "stockout_night_p10": _quantile(nights[ran_out], 0.1),
                "stockout_night_p50": _quantile(nights[ran_out], 0.5),
                "stockout_night_p90": _quantile(nights[ran_out], 0.9),
                "nights_without_rounds": float(empty.sum(axis=1).mean()),
                "nights_holding": float(result.held[:, :, s].sum(axis=1).mean()),
                "stock_end_p5": float(np.quantile(result.stock[:, -1, s], 0.05)),
                "stock_end_p50": float(np.median(result.stock[:, -1, s])),
                "stock_end_p95": float(np.quantile(result.stock[:, -1, s], 0.95)),
            }
        )
    return CampaignSummary(
        systems=pd.DataFrame(rows),
        monthly=_monthly(result),
        nights=plan.nights,
        replications=reps,
        truncated_launches=float(result.truncated.sum(axis=1).mean()),
    )


def _quantile(values: np.ndarray, q: float) -> float | None:
    return float(np.quantile(values, q)) if values.size else None


def _monthly(result: CampaignResult) -> pd.DataFrame:
    plan = result.plan
    months = np.array(
        [(plan.start + timedelta(days=n)).strftime("%Y-%m") for n in range(plan.nights)]
    )
    rows = []
    for month in dict.fromkeys(months):
        nights = months == month
        row: dict[str, Any] = {"month": str(month), "nights": int(nights.sum())}
        for k, name in enumerate(REPORT_CLASSES):
            for measure, values in (
                ("launched", result.launched),
                ("destroyed", result.destroyed),
                ("hits", result.hits),
            ):
                total = values[:, nights, k].sum(axis=1)
                row[f"{name}_{measure}"] = float(total.mean())
            hits = result.hits[:, nights, k].sum(axis=1)
            row[f"{name}_hits_p5"] = float(np.quantile(hits, 0.05))
            row[f"{name}_hits_p95"] = float(np.quantile(hits, 0.95))
        for s, system in enumerate(plan.systems):
            row[f"rounds_{system}"] = float(result.fired_tracked[:, nights, s].sum(axis=1).mean())
            row[f"stock_end_{system}_p50"] = float(
                np.median(result.stock[:, np.flatnonzero(nights)[-1] + 1, s])
            )
        row["allied_rounds"] = float(result.allied_rounds[:, nights].sum(axis=1).mean())
        row["allied_rounds_outside_own"] = float(
            result.allied_rounds_outside[:, nights].sum(axis=1).mean()
        )
        cost = result.cost_usd[:, nights].sum(axis=1)
        row["cost_musd"] = float(cost.mean() / 1e6)
        row["cost_musd_p5"] = float(np.quantile(cost, 0.05) / 1e6)
        row["cost_musd_p95"] = float(np.quantile(cost, 0.95) / 1e6)
        rows.append(row)
    return pd.DataFrame(rows)


def stock_bands(result: CampaignResult, low: float = 0.05, high: float = 0.95) -> dict[str, Any]:
    """Each tracked system's national stock, night by night: median and ``low``-``high`` band.

    The stock at the start of each night before its deliveries, and after the last night
    (``nights + 1`` values, as :func:`skyshield.campaigns.plots.plot_campaign` draws them),
    over the replications: ``{"dates", "low", "high", "systems": [{"system", "median",
    "low", "high"}]}`` with ``dates[n]`` the date of night ``n``.
    """
    plan = result.plan
    stock = result.stock.astype(np.float64)
    return {
        "dates": [(plan.start + timedelta(days=n)).isoformat() for n in range(plan.nights + 1)],
        "low": low,
        "high": high,
        "systems": [
            {
                "system": system,
                "median": np.median(stock[:, :, s], axis=0).tolist(),
                "low": np.quantile(stock[:, :, s], low, axis=0).tolist(),
                "high": np.quantile(stock[:, :, s], high, axis=0).tolist(),
            }
            for s, system in enumerate(plan.systems)
        ],
    }
