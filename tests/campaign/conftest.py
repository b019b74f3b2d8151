"""A tiny raid pool (one IRIS-T SLM unit, cruise missiles at Kyiv) and plans over it."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from tests.engine._build import one_on_one, scenario, with_pk

from skyshield.campaigns.pool import RaidPool, scenario_pool
from skyshield.campaigns.simulate import Plan
from skyshield.catalog import ThreatClass

POOL_THREATS = 6


@pytest.fixture(scope="session")
def tiny_pool() -> RaidPool:
    """Six Kh-101 in the pool against one IRIS-T SLM with 40 rounds a night."""
    pool = scenario_pool(
        scenario(one_on_one(system="iris-t-slm", threat="kh-101", count=POOL_THREATS, stock=40))
    )
    return pool


@pytest.fixture(scope="session")
def sure_kill_pool(tiny_pool: RaidPool) -> RaidPool:
    """The tiny pool with a kill probability of 1: every engagement kills with its first round."""
    return dataclasses.replace(
        tiny_pool, compiled=with_pk(tiny_pool.compiled, ThreatClass.CRUISE, 1.0)
    )


def plan(
    cruise_per_night: list[int] | np.ndarray,
    *,
    stock: int = 30,
    per_month: float = 0.0,
    sd: float = 0.0,
    hold_below: int = -1,
    hold_fire_at: tuple[bool, bool, bool] = (False, False, True),
    start: date = date(2025, 1, 1),
) -> Plan:
    """A replayed campaign of cruise missiles only, tracking the IRIS-T SLM's stock."""
    cruise = np.asarray(cruise_per_night, dtype=np.int64)
    replay = np.zeros((cruise.size, 3), dtype=np.int64)
    replay[:, 1] = cruise
    return Plan(
        start=start,
        nights=int(cruise.size),
        systems=("iris-t-slm",),
        initial_stock=np.array([stock], dtype=np.int64),
        per_month=np.array([per_month]),
        sd=np.array([sd]),
        delivery_start=(start,),
        hold_below=np.array([hold_below], dtype=np.int64),
        hold_fire_at=np.array([hold_fire_at]),
        replay=replay,
        generator=None,
    )
