"""The campaign loop: stock accounting, deliveries, stock-outs, doctrine, reproducibility."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.campaign.conftest import POOL_THREATS, plan
from tests.engine._build import one_on_one

from skyshield.campaigns.pool import RaidPool
from skyshield.campaigns.simulate import simulate_campaign


@pytest.mark.hypothesis  # the property is inside: `make test-slow` runs it again
def test_campaign__stock_accounting_holds_for_every_replication(tiny_pool: RaidPool) -> None:
    @given(
        raids=st.lists(st.integers(0, POOL_THREATS), min_size=1, max_size=40),
        stock=st.integers(0, 60),
        per_month=st.integers(0, 30),
        sd=st.sampled_from([0.0, 5.0]),
        hold_below=st.integers(-1, 30),
        seed=st.integers(0, 1000),
    )
    @settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def check(
        raids: list[int], stock: int, per_month: int, sd: float, hold_below: int, seed: int
    ) -> None:
        p = plan(raids, stock=stock, per_month=per_month, sd=sd, hold_below=hold_below)
        r = simulate_campaign(tiny_pool, p, replications=7, seed=seed)
        expected = r.stock[:, :-1] + r.delivered - r.fired_tracked
        assert np.array_equal(r.stock[:, 1:], expected)
        assert (r.stock >= 0).all()
        assert (r.delivered >= 0).all()
        assert (r.fired_tracked <= r.available).all()
        assert np.array_equal(r.fired_tracked[:, :, 0], r.fired[:, :, 0])  # one system
        fates = r.destroyed + r.lost + r.hits
        assert np.array_equal(fates, r.launched)
        cost = tiny_pool.compiled.unit_cost_usd[0]
        assert np.allclose(r.cost_usd, r.fired_tracked[:, :, 0] * cost)

    check()


def test_campaign__nights_larger_than_the_pool_fly_what_it_holds(tiny_pool: RaidPool) -> None:
    r = simulate_campaign(tiny_pool, plan([POOL_THREATS + 2] * 3), replications=4, seed=1)
    assert (r.launched[:, :, 1] == POOL_THREATS).all()
    assert (r.truncated == 2).all()


def test_campaign__without_raids_stock_grows_exactly_by_deliveries(tiny_pool: RaidPool) -> None:
    # 2025-01-01 .. 2025-03-31: deliveries on Jan 1, Feb 1 and Mar 1
    p = plan([0] * 90, stock=5, per_month=12)
    r = simulate_campaign(tiny_pool, p, replications=3, seed=1)
    assert (r.fired_tracked == 0).all()
    assert r.stock[:, -1, 0].tolist() == [5 + 3 * 12] * 3
    nights = np.flatnonzero(r.delivered[0, :, 0])
    assert nights.tolist() == [0, 31, 59]


def test_campaign__stockout_night_by_hand(sure_kill_pool: RaidPool) -> None:
    # 3 missiles a night, each killed by its first IRIS-T round (Pk 1, shoot-look-shoot):
    # 3 rounds a night from 30: nights 1-10 fire 3 each, night 11 starts with none.
    p = plan([3] * 20, stock=30)
    r = simulate_campaign(sure_kill_pool, p, replications=4, seed=3)
    assert (r.fired_tracked[:, :10, 0] == 3).all()
    assert (r.fired_tracked[:, 10:, 0] == 0).all()
    assert r.stockout_night()[:, 0].tolist() == [11] * 4
    assert (r.hits[:, 10:, 1] == 3).all()  # out of rounds, every missile gets through


def test_campaign__more_deliveries_never_run_out_earlier(tiny_pool: RaidPool) -> None:
    raids = np.random.default_rng(5).integers(0, POOL_THREATS + 1, size=120)
    nights = {}
    for per_month in (0, 20, 60, 150):
        r = simulate_campaign(
            tiny_pool, plan(raids, stock=20, per_month=per_month), replications=20, seed=9
        )
        out = r.stockout_night()[:, 0]
        nights[per_month] = np.where(out == 0, 10**6, out)  # never = after the end
    rates = sorted(nights)
    for less, more in itertools.pairwise(rates):
        assert (nights[more] >= nights[less]).all()
    assert nights[0].max() < 10**6  # the test has teeth: every run out without deliveries
    assert (nights[150] == 10**6).mean() > 0.5  # most never run out with 150 a month


def test_campaign__hold_rule_keeps_rounds_from_other_classes(tiny_pool: RaidPool) -> None:
    free = simulate_campaign(tiny_pool, plan([4] * 10, stock=50), replications=5, seed=2)
    assert free.fired_tracked.sum() > 0
    # below 1,000 rounds the unit fires only at ballistic missiles: none at these cruise missiles
    held = simulate_campaign(
        tiny_pool, plan([4] * 10, stock=50, hold_below=1000), replications=5, seed=2
    )
    assert held.fired_tracked.sum() == 0
    assert held.held.all()
    assert held.stock[:, -1, 0].tolist() == [50] * 5
    # a rule that still allows cruise missiles changes nothing
    allowed = simulate_campaign(
        tiny_pool,
        plan([4] * 10, stock=50, hold_below=1000, hold_fire_at=(False, True, False)),
        replications=5,
        seed=2,
    )
    assert np.array_equal(allowed.fired_tracked, free.fired_tracked)


def test_campaign__same_numbers_whatever_the_workers(tiny_pool: RaidPool) -> None:
    p = plan(
        list(range(POOL_THREATS + 1)) * 7, stock=15, per_month=8, sd=3.0, start=date(2025, 1, 20)
    )
    one = simulate_campaign(tiny_pool, p, replications=120, seed=4, workers=1)
    two = simulate_campaign(tiny_pool, p, replications=120, seed=4, workers=2)
    for field in ("stock", "delivered", "fired", "destroyed", "lost", "hits", "cost_usd"):
        assert np.array_equal(getattr(one, field), getattr(two, field)), field
    # a campaign starting on Jan 20 waits for Feb 1 (night 12), then Mar 1 (night 40)
    assert np.flatnonzero(one.delivered.sum(axis=(0, 2))).tolist() == [12, 40]


@pytest.mark.parametrize(
    ("policy", "over_ukraine"),
    [("western-raid-poland-100km", True), ("western-raid-shared-tracks", False)],
)
def test_campaign__allied_rounds_match_allied_stocks(policy: str, over_ukraine: bool) -> None:
    from skyshield.campaigns.pool import scenario_pool
    from skyshield.scenario import load_scenario

    pool = scenario_pool(load_scenario(policy), route_sets=1)
    polish = tuple(sorted({s for s in pool.systems if s.startswith("PL/")}))
    assert polish  # Polish units are in the pool
    p = plan([0] * 3)
    p = dataclasses.replace(
        p,
        systems=polish,
        initial_stock=np.full(len(polish), 500, dtype=np.int64),
        per_month=np.zeros(len(polish)),
        sd=np.zeros(len(polish)),
        delivery_start=(p.start,) * len(polish),
        hold_below=np.full(len(polish), -1, dtype=np.int64),
        hold_fire_at=np.zeros((len(polish), 3), dtype=bool),
        replay=np.broadcast_to(pool.capacity, (3, 3)).copy(),  # the whole raid every night
    )
    r = simulate_campaign(pool, p, replications=12, seed=7)
    # rounds counted from the shots equal the rounds gone from the Polish stocks
    assert np.array_equal(r.allied_rounds, r.fired_tracked.sum(axis=2))
    assert r.allied_rounds.sum() > 0
    assert (r.allied_rounds_outside <= r.allied_rounds).all()
    # with a 100 km buffer into Ukraine some Polish intercepts fall over Ukraine; with its own
    # airspace as its zone, none
    assert (r.allied_rounds_outside.sum() > 0) == over_ukraine


@pytest.mark.parametrize(("per_month", "sd"), [(12, 8), (1, 8), (3, 3), (40, 0)])
def test_deliveries__mean_and_sd_as_stated_never_negative(per_month: int, sd: float) -> None:
    p = plan([0], per_month=per_month, sd=sd)
    u = np.random.default_rng(0).random((200_000, 1))
    delivered = p.delivered(u)
    assert (delivered >= 0).all()
    # 200,000 months: the mean within 2% (rounding a gamma draw to whole rounds), the sd 3%
    assert delivered.mean() == pytest.approx(per_month, rel=0.02)
    assert delivered.std() == pytest.approx(sd, rel=0.03, abs=1e-9)
    # the same uniforms give at least as much to a larger delivery (common random numbers)
    assert (p.with_deliveries("iris-t-slm", 2 * per_month).delivered(u) >= delivered).all()


def test_allocation__even_split_of_a_short_stock_over_the_units_in_action() -> None:
    from skyshield.campaigns.pool import scenario_pool
    from skyshield.campaigns.simulate import _NightLoop
    from skyshield.scenario import Scenario

    d = one_on_one(system="iris-t-slm", threat="kh-101", count=1, stock=10)
    unit = d["fire_units"][0]
    d["fire_units"] = [{**unit, "id": f"unit-{k}"} for k in range(3)]
    pool = scenario_pool(Scenario.model_validate(d))
    loop = _NightLoop(pool, plan([0], stock=0))
    in_action = np.array([[True, True, True], [True, False, True], [True, True, True]])
    got = loop._allocate(np.array([[5], [5], [100]]), in_action)
    # 5 rounds over 3 units: 2, 2, 1; over the 2 in action: 3, 0, 2; plenty: full loads of 10
    assert got.tolist() == [[2, 2, 1], [3, 0, 2], [10, 10, 10]]


def test_in_action__an_aircraft_with_all_its_weapons_or_none() -> None:
    """A pool whose night flies fighter patrols (posture_medium 0.5): each aircraft's weapon
    rows are in action together, half the nights, and a night flies the share of them its own
    strategic cruise missiles call for; ground units draw one by one."""
    from skyshield.calibration.model import PARAMETERS
    from skyshield.campaigns.pool import national_pool
    from skyshield.campaigns.simulate import _NightLoop
    from skyshield.posture import NightComposition

    theta = {p.name: 1.0 for p in PARAMETERS} | {"posture_medium": 0.5, "tasking_beta": 0.0}
    theta |= {"decoy_share": 0.0, "loss_cruise": 0.0, "fail_ballistic": 0.0}
    pool = national_pool(NightComposition(drone=20, cruise=24, ballistic=0), theta, route_sets=1)
    loop = _NightLoop(pool, plan([0], stock=0))
    on = loop._in_action(np.random.default_rng(3), 2000)
    c = pool.compiled
    aircraft = np.isfinite(c.unit_on_s)
    assert aircraft.any()
    for p in np.unique(c.unit_platform[aircraft]):
        rows = on[:, c.unit_platform == p]
        assert (rows == rows[:, :1]).all()
    assert on[:, aircraft].mean() == pytest.approx(0.5, abs=0.03)
    # a night flies the pairs its own strategic salvo calls for: the pool's 24 missiles call
    # for 3 pairs; 8 tonight for 1 (a third of the pool's aircraft), none for none
    assert loop.pool_pairs == 3
    tonight = np.repeat([0, 8, 24], 2000)
    on = loop._in_action(np.random.default_rng(4), tonight.size, tonight)
    share = [on[tonight == n][:, aircraft].mean() for n in (0, 8, 24)]
    assert share == pytest.approx([0.0, 0.5 / 3, 0.5], abs=0.03)
    assert (on[:, ~aircraft].mean(axis=0) > 0).any()  # ground units untouched by the salvo
