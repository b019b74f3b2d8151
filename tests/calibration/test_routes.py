"""Issue 23 item 2 with coverage: the raid-tasked low-cost units stand on the drone routes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from skyshield.calibration.model import TASKING_REFERENCE_DRONES, NightEngine
from skyshield.geo import geodesic_distance_m, nation_index, territory_codes
from skyshield.posture import FAMILIES, NightComposition
from skyshield.posture.routes import POSITIONS_PER_ROUTE, ROUTE_POOL_MAX, ThreatRoute, _positions

from .test_tasking import BASE


def _route_of(label: str) -> tuple[str, str]:
    site, target = label.removeprefix("notional position on the drone route ").split(" -> ")
    return site, target


def test_route_pool__units_on_their_route_inside_ukraine() -> None:
    """Every pool unit lies on the straight line its route's drones fly (within ~1 km of the
    geodesic from launch site to target) and inside Ukraine; one per route, busiest first."""
    engine = NightEngine(NightComposition(drone=120, cruise=0, ballistic=0), route_sets=1)
    scenario = engine.scenario
    pool = [u for u, on in zip(scenario.fire_units, engine.route_pool, strict=True) if on]
    assert 0 < len(pool) <= ROUTE_POOL_MAX
    assert engine.route_pool[-len(pool) :].all()  # last: the laydown's units keep their order
    sites = scenario.raid.launch_sites
    c = engine.compiled
    lon = np.array([u.position.lon_deg for u in pool])
    lat = np.array([u.position.lat_deg for u in pool])
    assert (territory_codes(lon, lat) == nation_index("UA")).all()
    routes = [_route_of(u.label or "") for u in pool]
    assert len(set(routes)) * POSITIONS_PER_ROUTE == len(pool)
    for unit, (site, target) in zip(pool, routes, strict=True):
        start = sites[site]
        k = c.asset_names.index(target)
        end = float(c.asset_lon_deg[k]), float(c.asset_lat_deg[k])
        p = unit.position
        via = geodesic_distance_m(start.lon_deg, start.lat_deg, p.lon_deg, p.lat_deg) + (
            geodesic_distance_m(p.lon_deg, p.lat_deg, end[0], end[1])
        )
        direct = geodesic_distance_m(start.lon_deg, start.lat_deg, end[0], end[1])
        # off the line by h adds ~2 h^2 / L to the path: 1 km off a 400 km route adds ~5 m
        assert float(via - direct) < 50.0, (unit.id, float(via - direct))


def test_route_pool__beta_zero_is_todays_posture_exactly() -> None:
    """At tasking_beta 0 no pool unit is in action and every outcome equals the scenario
    without a pool (the laydown's units draw as before)."""
    composition = NightComposition(drone=150, cruise=4, ballistic=2)
    pooled = NightEngine(composition, route_sets=1, seed=2)
    plain = NightEngine(composition, route_sets=1, seed=2, route_pool=False)
    assert pooled.route_pool.sum() > 0
    assert plain.route_pool.sum() == 0
    theta = {**BASE, "posture_short": 1.7, "decoy_share": 0.2}
    posture = pooled.unit_posture(theta)
    assert posture[pooled.route_pool].tolist() == [0.0] * int(pooled.route_pool.sum())
    assert np.array_equal(posture[~pooled.route_pool], plain.unit_posture(theta))
    a, b = pooled.simulate(theta, 6, seed=3), plain.simulate(theta, 6, seed=3)
    assert np.array_equal(a.destroyed, b.destroyed)
    assert np.array_equal(a.not_reach_goal, b.not_reach_goal)


def test_route_pool__doubling_the_raid_never_lowers_units_per_route() -> None:
    """The tasked surplus goes to the routes: with beta > 0 the units in action per drone route
    grow with the raid (strictly above the reference size), the laydown's short units stay at
    posture_short, and the layer's total is the tasked size."""
    theta = {**BASE, "posture_short": 1.3, "tasking_beta": 0.6}
    per_route = []
    for drones in (100, 200, 400, 800):
        engine = NightEngine(NightComposition(drone=drones, cruise=0, ballistic=0), route_sets=1)
        posture = engine.unit_posture(theta)
        routes = int(engine.route_pool.sum()) // POSITIONS_PER_ROUTE
        per_route.append(engine.route_units_in_action(theta) / routes)
        short = engine.families == FAMILIES.index("short")
        laydown = short & ~engine.route_pool
        assert np.allclose(posture[laydown], 1.3)
        tasked = 1.3 * (drones / TASKING_REFERENCE_DRONES) ** 0.6 * laydown.sum()
        assert float(posture[short].sum()) == pytest.approx(tasked)
    assert per_route[0] == 0.0
    assert all(b > a for a, b in itertools.pairwise(per_route)), per_route


def test_route_pool__tasking_raises_the_share_of_a_big_raid() -> None:
    """The mechanism's output: on a 400-drone raid, tasking (beta 1) puts units on the routes
    that shoot drones down, so the destroyed share rises well above the fixed layer's and
    above the 50-drone raid's (the sign of the share-vs-size slope turns)."""
    theta = {**BASE, "tasking_beta": 1.0}
    big = NightEngine(NightComposition(drone=400, cruise=0, ballistic=0), route_sets=1, seed=2)
    small = NightEngine(NightComposition(drone=50, cruise=0, ballistic=0), route_sets=1, seed=2)
    fixed = big.simulate(BASE, 4, seed=3).destroyed[:, 0].mean() / 400
    tasked = big.simulate(theta, 4, seed=3).destroyed[:, 0].mean() / 400
    few = small.simulate(theta, 16, seed=3).destroyed[:, 0].mean() / 50
    assert tasked > fixed + 0.15, (fixed, tasked)
    assert tasked > few, (few, tasked)


def test_route_positions__all_routes_at_once_as_each_alone() -> None:
    """The batched sampling gives every route the points it gets alone (incl. a 0 km route)."""
    kyiv, odesa, kharkiv = (30.52, 50.45), (30.73, 46.48), (36.23, 49.99)
    routes = [
        ThreatRoute("kursk", "kyiv", 9, (36.19, 51.73), kyiv),
        ThreatRoute("kursk", "kharkiv", 4, (36.19, 51.73), kharkiv),
        ThreatRoute("crimea", "odesa", 3, (33.6, 44.6), odesa),  # two stretches over land
        ThreatRoute("kyiv", "kyiv", 1, kyiv, kyiv),  # zero length
        ThreatRoute("bryansk", "kyiv", 2, (34.35, 53.24), kyiv),
    ]
    for k in (1, 3):
        together = _positions(routes, k)
        assert together == [_positions([route], k)[0] for route in routes]
        assert all(len(p) == k for p in together)  # every route has a stretch in Ukraine
    assert _positions([], 1) == []
