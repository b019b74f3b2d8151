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

import numpy as np

from skyshield.campaigns.pool import RaidPool
from skyshield.campaigns.simulate import Plan, simulate_campaign
from skyshield.campaigns.summary import wilson_interval

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

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
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
