"""The delivery-rate solver: the smallest monthly delivery that meets the risk."""

from __future__ import annotations

import numpy as np
from tests.campaign.conftest import POOL_THREATS, plan

from skyshield.campaigns.pool import RaidPool
from skyshield.campaigns.simulate import simulate_campaign
from skyshield.campaigns.solve import NEIGHBOURS, solve_deliveries


def test_solver__smallest_delivery_meeting_the_risk(tiny_pool: RaidPool) -> None:
    raids = np.random.default_rng(1).integers(0, POOL_THREATS + 1, size=90)
    p = plan(raids, stock=10)
    answer = solve_deliveries(tiny_pool, p, "iris-t-slm", 0.2, replications=40, seed=5)
    assert answer.per_month is not None
    assert answer.per_month > 0

    def risk(per_month: int) -> float:
        r = simulate_campaign(
            tiny_pool, p.with_deliveries("iris-t-slm", per_month), replications=40, seed=5
        )
        return float((r.stockout_night()[:, 0] > 0).mean())

    assert risk(answer.per_month) <= 0.2 < risk(answer.per_month - 1)
    assert answer.risk == risk(answer.per_month)
    assert answer.risk_lo is not None
    assert answer.risk_hi is not None
    assert answer.risk_lo <= answer.risk <= answer.risk_hi
    assert answer.bootstrap_p5 is not None
    assert answer.bootstrap_p95 is not None
    assert answer.bootstrap_p5 <= answer.per_month <= answer.bootstrap_p95
    # every whole delivery next to the answer was run, so the bootstrap could pick any of them
    assert set(range(answer.per_month - NEIGHBOURS, answer.per_month + NEIGHBOURS + 1)) <= set(
        answer.tried
    )


def test_solver__tells_each_delivery_tried_as_it_goes(tiny_pool: RaidPool) -> None:
    raids = np.random.default_rng(1).integers(0, POOL_THREATS + 1, size=30)
    told: list[tuple[int, float]] = []
    answer = solve_deliveries(
        tiny_pool,
        plan(raids, stock=10),
        "iris-t-slm",
        0.2,
        replications=10,
        seed=5,
        tried=lambda per_month, risk: told.append((per_month, risk)),
    )
    assert len(told) == len(answer.tried)
    assert dict(told) == answer.tried
