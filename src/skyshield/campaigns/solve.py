"""The delivery-rate solver: the smallest monthly delivery that keeps the stock-out risk low.

P(stock-out before the end) of one system falls as its monthly delivery grows (a test checks
it). The solver doubles the delivery until the risk is met, then bisects on whole rounds per
month, every candidate run with the same seed (common random numbers: the raids, routes and
kill draws are the same, only the deliveries differ), so the estimated risk is close to
monotone in the delivery. Around the answer every whole delivery within :data:`NEIGHBOURS`
is run too, so the bootstrap has every nearby value to choose from. Its Monte Carlo
uncertainty is shown two ways: the 95% Wilson interval of the risk at the answer (the answer is
the first delivery whose estimate meets the target, so that estimate leans low), and a
bootstrap over replications of the smallest evaluated delivery whose resampled risk meets the
target (resamples that no evaluated delivery satisfies make its upper end "above" the grid).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from skyshield.campaigns.pool import RaidPool
from skyshield.campaigns.simulate import Plan, simulate_campaign
from skyshield.campaigns.summary import wilson_interval
from skyshield.store import StrPath
from skyshield.store.documents import json_ready, save_result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DeliverySolution", "solve_deliveries"]

_BOOTSTRAP = 2000
_MAX_DOUBLINGS = 12
NEIGHBOURS = 4  # whole deliveries run on each side of the answer


@dataclass(frozen=True, slots=True)
class DeliverySolution:
    """The answer with its evidence: every delivery tried and its estimated risk."""

    system: str
    max_risk: float
    per_month: int | None  # None: not met within the largest delivery tried
    risk: float | None
    risk_lo: float | None
    risk_hi: float | None
    bootstrap_p5: float | None
    bootstrap_p95: float | None
    tried: dict[int, float]  # delivery per month -> estimated risk
    replications: int

    SCHEMA: ClassVar[str] = "skyshield/delivery/v1"

    def to_dict(self) -> dict[str, Any]:
        """Return the answer, its intervals and every delivery tried (strict JSON values)."""
        document: dict[str, Any] = json_ready({"schema": self.SCHEMA, **self._document()})
        return document

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``delivery_tried``: each monthly delivery tried and its estimated risk."""
        tried = sorted(self.tried.items())
        return {
            "delivery_tried": pd.DataFrame(
                {
                    "per_month": np.asarray([k for k, _ in tried], dtype=np.int64),
                    "p_stockout": np.asarray([v for _, v in tried], dtype=np.float64),
                }
            )
        }

    def plot(self) -> Figure:
        """Plot the estimated P(stock-out) of each delivery tried, with the bound."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6, 3.5), layout="constrained")
        ax = figure.subplots()
        tried = self.tables()["delivery_tried"]
        ax.plot(tried["per_month"], tried["p_stockout"], marker="o", color="#08519c")
        ax.axhline(self.max_risk, color="#cb181d", linestyle="--", label="max risk")
        if self.per_month is not None:
            ax.axvline(self.per_month, color="#636363", linestyle=":", label="answer")
        ax.set_xlabel(f"{self.system} rounds delivered per month")
        ax.set_ylabel("P(stock-out before the end)")
        ax.legend()
        return figure

    def save(self, directory: StrPath) -> str:
        """Save the deliveries tried in a results directory; return the run id."""
        return save_result(
            directory,
            self.tables(),
            kind="delivery",
            name=self.system,
            parameters=self._document(),
            seed=0,
            replications=self.replications,
        )

    def __repr__(self) -> str:
        """Show the answer in a line or two."""
        if self.per_month is None:
            return (
                f"DeliverySolution {self.system}: no delivery up to {max(self.tried)} a month "
                f"keeps P(stock-out) <= {self.max_risk} ({len(self.tried)} tried)"
            )
        return (
            f"DeliverySolution {self.system}: {self.per_month} rounds a month keep "
            f"P(stock-out) <= {self.max_risk} (estimated {self.risk:.3f}; "
            f"{len(self.tried)} deliveries tried, {self.replications} replications each)"
        )

    def _document(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "max_risk": self.max_risk,
            "per_month": self.per_month,
            "p_stockout": self.risk,
            "p_stockout_95": [self.risk_lo, self.risk_hi],
            "per_month_bootstrap_90": [self.bootstrap_p5, self.bootstrap_p95],
            "replications": self.replications,
            "tried": [{"per_month": k, "p_stockout": v} for k, v in sorted(self.tried.items())],
        }


def solve_deliveries(
    pool: RaidPool,
    plan: Plan,
    system: str,
    max_risk: float,
    *,
    replications: int,
    seed: int,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    tried: Callable[[int, float], None] | None = None,
) -> DeliverySolution:
    """Smallest whole monthly delivery of ``system`` with P(stock-out) <= ``max_risk``.

    ``progress`` is called with (deliveries tried, that plus one); ``tried`` with each
    delivery per month and its estimated P(stock-out), as it is found.
    """
    if system not in plan.systems:
        msg = f"{system!r} has no stock in the campaign (tracked: {', '.join(plan.systems)})"
        raise ValueError(msg)
    s = plan.systems.index(system)
    ran_out: dict[int, np.ndarray] = {}

    def risk(per_month: int) -> float:
        if per_month not in ran_out:
            result = simulate_campaign(
                pool,
                plan.with_deliveries(system, per_month),
                replications=replications,
                seed=seed,
                workers=workers,
            )
            ran_out[per_month] = result.stockout_night()[:, s] > 0
            if tried is not None:
                tried(per_month, float(ran_out[per_month].mean()))
            if progress is not None:
                progress(len(ran_out), len(ran_out) + 1)
        return float(ran_out[per_month].mean())

    low, high = -1, 0  # risk(low) > max_risk (or untried), risk(high) <= max_risk?
    while risk(high) > max_risk:
        low = high
        high = max(1, high * 2)
        if len(ran_out) > _MAX_DOUBLINGS:
            return _solution(system, max_risk, None, ran_out, replications)
    while high - low > 1:
        middle = (low + high) // 2
        if risk(middle) <= max_risk:
            high = middle
        else:
            low = middle
    for per_month in range(max(high - NEIGHBOURS, 0), high + NEIGHBOURS + 1):
        risk(per_month)
    return _solution(system, max_risk, high, ran_out, replications)


def _solution(
    system: str,
    max_risk: float,
    answer: int | None,
    ran_out: dict[int, np.ndarray],
    replications: int,
) -> DeliverySolution:
    tried = {k: float(v.mean()) for k, v in ran_out.items()}
    if answer is None:
        return DeliverySolution(
            system, max_risk, None, None, None, None, None, None, tried, replications
        )
    lo, hi = wilson_interval(int(ran_out[answer].sum()), replications)
    grid = np.array(sorted(ran_out))
    flags = np.stack([ran_out[k] for k in grid])  # (deliveries, replications)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, replications, size=(_BOOTSTRAP, replications))
    risks = flags[:, picks].mean(axis=2)  # (deliveries, bootstrap)
    meets = risks <= max_risk
    first = np.where(meets.any(axis=0), grid[np.argmax(meets, axis=0)], np.inf)
    return DeliverySolution(
        system=system,
        max_risk=max_risk,
        per_month=answer,
        risk=tried[answer],
        risk_lo=lo,
        risk_hi=hi,
        bootstrap_p5=_finite(np.quantile(first, 0.05)),
        bootstrap_p95=_finite(np.quantile(first, 0.95)),
        tried=tried,
        replications=replications,
    )


def _finite(value: float) -> float | None:
    """None for a bootstrap quantile beyond every evaluated delivery."""
    return float(value) if np.isfinite(value) else None
