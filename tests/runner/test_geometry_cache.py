"""Sweep points fly the sweep's routes, and share the geometry only where it cannot differ."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import skyshield.engine
import skyshield.engine.geometry as geometry_module
import skyshield.runner.compare as compare_module
import skyshield.runner.montecarlo as montecarlo
import skyshield.runner.sweep as sweep_module
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import draw_replications
from skyshield.engine.geometry import RaidGeometry, build_geometry, fly_realizations
from skyshield.metrics.policy import DEFAULT_DEBRIS, MASSED_RAIDS_PER_MONTH, long_measures
from skyshield.runner.compare import PolicyComparison, compare, run_measures
from skyshield.runner.design import parse_parameter
from skyshield.runner.geometry_cache import (
    FLIGHTS_IGNORE,
    GEOMETRY_IGNORES,
    GeometryCache,
    flights_key,
    geometry_key,
    process_cache,
)
from skyshield.runner.sweep import SweepResult, execute_sweep, plan_sweep, simulate_point
from skyshield.scenario import Scenario, load_scenario
from skyshield.scenario.models import Position
from skyshield.scenario.variation import apply_variation, parse_variation

ENGINE = Path(skyshield.engine.__file__).parent
# every module whose functions build the geometry from the compiled scenario
GEOMETRY_MODULES = (
    "geometry", "flight", "pieces", "ew", "zones", "windows", "sensors", "reach", "envelope",
    "firetime", "intercept", "fixed",
)  # fmt: skip
FLIGHT_MODULES = ("flight", "pieces", "ew", "fixed")
FIELDS = frozenset(f.name for f in dataclasses.fields(CompiledScenario))


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    process_cache().clear()
    yield
    process_cache().clear()


def _sweep(scenario: Scenario, params: list[str], *, share: bool, seed: int = 8) -> SweepResult:
    plan = plan_sweep(
        scenario,
        [parse_parameter(p) for p in params],
        replications=6,
        seed=seed,
        share_geometry=share,
    )
    return execute_sweep(plan)


def test_pk_only_sweep__geometry_built_once_same_table(tiny: Scenario) -> None:
    params = ["pk_scale.drone=0.5,1.0,1.5", "pk_scale.cruise=0.8,1.2"]
    cached = _sweep(tiny, params, share=True)
    stats = process_cache().stats
    assert (stats.flights_built, stats.windows_built, stats.geometry_hits) == (1, 1, 5)
    uncached = _sweep(tiny, params, share=False)
    assert process_cache().stats.windows_built == 1  # the uncached sweep did not use it
    pd.testing.assert_frame_equal(cached.table, uncached.table, check_exact=True)
    kills = cached.table.set_index(["point", "measure", "key"])["mean"].xs(
        ("leakers", "all"), level=("measure", "key")
    )
    assert kills.nunique() > 1  # the multipliers reach the kills: the points are not one


@pytest.mark.parametrize("seed", [8, 9])
def test_delay_sweep__flies_once_rebuilds_windows_same_table(tiny: Scenario, seed: int) -> None:
    params = ["nations.UA.roe.authorization_delay_s=0,300,1500"]
    cached = _sweep(tiny, params, share=True, seed=seed)
    stats = process_cache().stats
    assert (stats.flights_built, stats.windows_built, stats.geometry_hits) == (1, 3, 0)
    uncached = _sweep(tiny, params, share=False, seed=seed)
    pd.testing.assert_frame_equal(cached.table, uncached.table, check_exact=True)
    rounds = cached.table.set_index(["measure", "key"]).loc[("rounds", "UA"), "mean"]
    assert rounds.nunique() > 1  # the delays fire differently: a shared window would show


def test_two_sweeps_in_one_process__each_its_own_routes(tiny: Scenario) -> None:
    params = ["pk_scale.drone=0.5,1.0"]
    first = _sweep(tiny, params, share=True, seed=8)
    second = _sweep(tiny, params, share=True, seed=9)
    assert process_cache().stats.flights_built == 2
    alone = _sweep(tiny, params, share=False, seed=9)
    pd.testing.assert_frame_equal(second.table, alone.table, check_exact=True)
    assert not first.table["mean"].equals(second.table["mean"])


def test_points_share_routes_not_draws(tiny: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[int, RaidGeometry]] = []
    drawn: list[int] = []

    def building(compiled: CompiledScenario, seed: int, n: int, threads: int = 1) -> RaidGeometry:
        geometry = build_geometry(compiled, seed, n, threads)
        built.append((seed, geometry))
        return geometry

    simulate = montecarlo.simulate_replications

    def simulating(compiled: CompiledScenario, geometry: RaidGeometry, seed: int, *a: Any) -> Any:
        drawn.append(seed)
        return simulate(compiled, geometry, seed, *a)

    monkeypatch.setattr(sweep_module, "build_geometry", building)
    monkeypatch.setattr(montecarlo, "simulate_replications", simulating)
    plan = plan_sweep(
        tiny,
        [parse_parameter("fire_units.iris.stock=1,3")],
        replications=4,
        seed=21,
        share_geometry=False,
    )
    execute_sweep(plan)
    assert [seed for seed, _ in built] == [21, 21]  # the sweep's seed, for every point
    (_, a), (_, b) = built
    for ta, tb in zip(a.pieces, b.pieces, strict=True):
        np.testing.assert_array_equal(ta.lon_deg, tb.lon_deg)
        np.testing.assert_array_equal(ta.time_s, tb.time_s)
    assert set(drawn) == {t.seed for t in plan.tasks}
    assert len(set(drawn)) == 2
    compiled = compile_scenario(tiny)
    reps = np.arange(4)
    one, other = (draw_replications(compiled, s, reps, a.n_realizations) for s in set(drawn))
    assert not np.array_equal(one.kill_u, other.kill_u)
    assert not np.array_equal(one.launch_step, other.launch_step)
    np.testing.assert_array_equal(one.realization, other.realization)


def _reads(modules: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for module in modules:
        names |= set(re.findall(r"\bcompiled\.(\w+)", (ENGINE / f"{module}.py").read_text()))
    # the counts are properties: they read these fields
    if "n_threats" in names:
        names.add("threat_type")
    if "n_units" in names:
        names.add("unit_nation")
    return names


def test_ignored_fields__never_read_by_the_geometry_modules() -> None:
    assert GEOMETRY_IGNORES <= FIELDS
    assert FLIGHTS_IGNORE <= FIELDS
    assert _reads(GEOMETRY_MODULES) & GEOMETRY_IGNORES == set()
    assert _reads(FLIGHT_MODULES) & FLIGHTS_IGNORE == set()
    # a new engine module the geometry calls would be read by no check above
    for module in GEOMETRY_MODULES:
        text = (ENGINE / f"{module}.py").read_text()
        imported = set(re.findall(r"from skyshield\.engine\.(\w+) import", text))
        assert imported <= {*GEOMETRY_MODULES, "compiled", "draws"}, module


class _Recording:
    """A compiled scenario that notes every field read through it."""

    def __init__(self, compiled: CompiledScenario, seen: set[str]) -> None:
        self._compiled = compiled
        self._seen = seen

    def __getattr__(self, name: str) -> Any:
        prop = getattr(CompiledScenario, name, None)
        if isinstance(prop, property) and prop.fget is not None:
            return prop.fget(self)  # a property reads fields: note those
        self._seen.add(name)
        return getattr(self._compiled, name)


@pytest.mark.parametrize("name", ["tiny", "western-raid-poland-100km", "western-raid"])
def test_geometry_reads__only_keyed_fields(
    name: str, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every threat flown each route set: the recording stand-in is no dataclass to take a
    # subset of, and the split flies subsets through these same functions, bit for bit
    # (tests/engine/test_fixed.py); what engine/fixed.py reads is in the static check
    monkeypatch.setattr(geometry_module, "route_split", lambda _: None)
    scenario = tiny if name == "tiny" else load_scenario(name)
    compiled = compile_scenario(scenario)
    seen: set[str] = set()
    recording: Any = _Recording(compiled, seen)
    geometry = build_geometry(recording, 3, 1)
    assert seen
    assert seen & GEOMETRY_IGNORES == set()
    assert seen <= _reads(GEOMETRY_MODULES)  # nothing read past the static check
    flown: set[str] = set()
    fly_realizations(_Recording(compiled, flown), 3, 1)  # type: ignore[arg-type]
    assert flown & FLIGHTS_IGNORE == set()
    assert (
        geometry.threat_window_end.sum() == build_geometry(compiled, 3, 1).threat_window_end.sum()
    )


def test_keys__what_changes_them(tiny: Scenario) -> None:
    base = compile_scenario(tiny)
    stock = compile_scenario(apply_variation(tiny, "fire_units.iris.stock", 7, source="t"))
    delay = compile_scenario(
        apply_variation(tiny, "nations.UA.roe.authorization_delay_s", 60, source="t")
    )
    jitter = compile_scenario(apply_variation(tiny, "raid.waves.1.route_jitter_km", 9, source="t"))
    key = geometry_key(base, 1, 2)
    assert geometry_key(stock, 1, 2) == key
    assert len({key, geometry_key(base, 2, 2), geometry_key(base, 1, 3)}) == 3
    assert geometry_key(delay, 1, 2) != key
    assert flights_key(delay, 1, 2) == flights_key(base, 1, 2)
    assert flights_key(jitter, 1, 2) != flights_key(base, 1, 2)


def _geometry_arrays_equal(a: RaidGeometry, b: RaidGeometry) -> bool:
    names = [f.name for f in dataclasses.fields(RaidGeometry)]
    flat = [n for n in names if isinstance(getattr(a, n), np.ndarray)]
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in flat)


def test_cache__byte_budget_keeps_only_the_newest(tiny: Scenario) -> None:
    """With a budget of one byte the cache holds the newest flights and geometry only, and a
    geometry evicted is built again equal, from its flights if they are still held."""
    plain = compile_scenario(tiny)
    slower = compile_scenario(
        apply_variation(tiny, "nations.UA.roe.authorization_delay_s", 120.0, source="test")
    )
    cache = GeometryCache(max_bytes=1)
    first = cache(plain, 3, 2)
    held = cache.nbytes
    flights_bytes = sum(
        a.nbytes
        for p in first.pieces
        for a in (p.vertex_offset, p.time_s, p.lon_deg, p.lat_deg, p.alt_m, p.ecef_m, p.flight_s)
    ) + sum(e.exposure_m.nbytes for e in first.flights.exposure)
    assert held > flights_bytes  # the flights and the geometry's own arrays
    cache(slower, 3, 2)  # same flights, other windows: the first geometry is evicted
    assert (cache.stats.flights_built, cache.stats.windows_built) == (1, 2)
    again = cache(plain, 3, 2)
    assert (cache.stats.flights_built, cache.stats.windows_built) == (1, 3)
    assert cache.stats.geometry_hits == 0
    assert _geometry_arrays_equal(again, build_geometry(plain, 3, 2))


def test_cache__within_budget_reuses(tiny: Scenario) -> None:
    compiled = compile_scenario(tiny)
    cache = GeometryCache()
    assert cache(compiled, 3, 2) is cache(compiled, 3, 2)
    assert cache.stats.geometry_hits == 1
    cache.clear()
    assert cache.nbytes == 0


def test_cache__bytes_held_never_exceed_what_it_counts(tiny: Scenario) -> None:
    """Geometries leave with the flights they hold: a sweep over flight-changing values keeps
    no pieces the byte count does not see (found by review: 2.6x over the budget)."""
    base = compile_scenario(tiny)
    probe = GeometryCache()
    probe(base, 1, 2)
    budget = 3 * probe.nbytes
    cache = GeometryCache(flights=2, geometries=8, max_bytes=budget)
    for j in range(8):
        faster = dataclasses.replace(base, threat_speed_mps=base.threat_speed_mps * (1 + 0.05 * j))
        cache(faster, 1, 2)
        held = (*cache._geometries.values(), *cache._flights.values())
        actual = sum(
            a.nbytes
            for a in {id(a): a for a in _arrays(held)}.values()  # each array once
        )
        assert actual == cache.nbytes <= budget


def _arrays(value: object) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, tuple):
        return [a for item in value for a in _arrays(item)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [a for f in dataclasses.fields(value) for a in _arrays(getattr(value, f.name))]
    return []


def test_compare__policies_share_their_flights(tiny: Scenario) -> None:
    """Two policies that differ only in name (and so in nothing the geometry reads) build the
    geometry once inside compare (the name was in the key: found by review)."""
    made: list[GeometryCache] = []
    original = GeometryCache.__init__

    def remember(self: GeometryCache, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    other = tiny.model_copy(update={"name": "tiny-renamed"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(GeometryCache, "__init__", remember)
        compare([tiny, other], names=["a", "b"], replications=4)
    stats = made[-1].stats
    assert (stats.flights_built, stats.windows_built, stats.geometry_hits) == (1, 1, 1)


def test_cache__a_grid_cycling_through_raids_reuses_them(tiny: Scenario) -> None:
    """Stock slowest, raid size fastest (a grid's order): four raids, each built once."""
    base = compile_scenario(tiny)
    cache = GeometryCache()
    for stock in range(3):
        for j in range(4):
            point = dataclasses.replace(
                base,
                unit_stock=base.unit_stock + stock,
                threat_speed_mps=base.threat_speed_mps * (1 + 0.05 * j),
            )
            cache(point, 1, 2)
    assert (cache.stats.flights_built, cache.stats.windows_built) == (4, 4)
    assert cache.stats.geometry_hits == 8


# Every night its own routes over more than one block (issue #20, memory): compare and sweep
# build each block's route sets and drop them, as run does.
OWN_REPS = 60  # three blocks of 25, 25 and 10 nights


def _own_routes(tiny: Scenario) -> Scenario:
    """The tiny raid through a jittered waypoint (so route sets differ), every night its own."""
    via = Position(lon_deg=32.2, lat_deg=50.4)
    waves = tuple(w.model_copy(update={"route": (via,)}) for w in tiny.raid.waves)
    mc = tiny.monte_carlo.model_copy(update={"route_sets": "all"})
    raid = tiny.raid.model_copy(update={"waves": waves})
    return tiny.model_copy(update={"raid": raid, "monte_carlo": mc})


def _whole(*args: Any, **kwargs: Any) -> RaidGeometry:
    """Another builder than the default one: a run builds every route set up front."""
    return build_geometry(*args, **kwargs)


def test_keys__a_block_of_route_sets_is_its_own(tiny: Scenario) -> None:
    base = compile_scenario(tiny)
    assert flights_key(base, 1, 25, first=25) != flights_key(base, 1, 25)
    assert geometry_key(base, 1, 25, first=25) != geometry_key(base, 1, 25)
    assert flights_key(base, 1, 25, first=0) == flights_key(base, 1, 25)


def test_compare__own_routes_block_by_block_shared_and_equal_to_up_front(
    tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policies whose nights each fly their own routes run together block by block: each
    block's route sets are flown once for all, its windows solved once per distinct geometry,
    and every table equals the comparison with every route set built up front, whatever the
    workers."""
    base = _own_routes(tiny)
    stock = apply_variation(base, "fire_units.iris.stock", 1, source="t")  # same geometry
    delay = apply_variation(base, "nations.UA.roe.authorization_delay_s", 1500, source="t")
    made: list[GeometryCache] = []
    original = GeometryCache.__init__

    def remember(self: GeometryCache, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        made.append(self)

    def comparison(workers: int) -> PolicyComparison:
        made.clear()
        return compare(
            [base, stock, delay],
            names=["base", "stock", "delay"],
            replications=OWN_REPS,
            seed=5,
            workers=workers,
            variations=[parse_variation("fire_units.gepard.stock=1")],
        )

    monkeypatch.setattr(GeometryCache, "__init__", remember)
    one = comparison(1)
    # one cache a block: flights once, windows of base (= stock, = stock with gepard 1) and of
    # delay (= delay with gepard 1), every other run a hit
    assert len(made) == 3
    assert [
        (c.stats.flights_built, c.stats.windows_built, c.stats.geometry_hits) for c in made
    ] == [(1, 2, 3)] * 3
    two = comparison(2)
    monkeypatch.setattr(compare_module, "own_routes_per_block", lambda *_: False)
    up_front = comparison(1)
    assert len(made) == 1  # the whole comparison's cache, every route set in it
    assert made[0].stats.flights_built == 1
    for other in (two, up_front):
        for name in ("summary", "differences", "cost_exchange", "sensitivity"):
            pd.testing.assert_frame_equal(
                getattr(one, name), getattr(other, name), check_exact=True
            )
        for name, table in one.measures.items():
            pd.testing.assert_frame_equal(table, other.measures[name], check_exact=True)
    assert one.route_sets == OWN_REPS
    rounds = one.summary.set_index(["measure", "key", "policy"])["mean"]
    assert rounds.loc[("rounds", "UA", "base")] > 0
    assert rounds.loc[("rounds", "UA", "delay")] != rounds.loc[("rounds", "UA", "base")]
    assert len(one.sensitivity) > 0


def test_sweep__own_routes_points_build_per_block_equal_to_up_front(tiny: Scenario) -> None:
    """A sweep point whose nights each fly their own routes builds each block's route sets
    and drops them (the process cache is not asked: it would hold them all), with the
    measures of the point's run with every route set built up front."""
    plan = plan_sweep(
        _own_routes(tiny),
        [parse_parameter("nations.UA.roe.authorization_delay_s=0,1500")],
        replications=OWN_REPS,
        seed=8,
    )
    points = []
    for task in plan.tasks:
        measures = simulate_point(task)
        points.append(measures)
        up_front = run_measures(
            task.scenario,
            OWN_REPS,
            task.seed,
            1,
            task.engine,
            MASSED_RAIDS_PER_MONTH,
            DEFAULT_DEBRIS,
            route_seed=task.route_seed,
            build=_whole,
        )
        pd.testing.assert_frame_equal(measures, long_measures(up_front), check_exact=True)
    stats = process_cache().stats
    assert (stats.flights_built, stats.windows_built, stats.geometry_hits) == (0, 0, 0)
    assert not points[0]["value"].equals(points[1]["value"])  # the delay fires differently
    # the sweep's summary of each point is of these measures (points in other processes:
    # test_sweep's workers test; a point's blocks run on one thread in any case)
    table = execute_sweep(plan).table.set_index(["point", "measure", "key"])["mean"]
    for task, measures in zip(plan.tasks, points, strict=True):
        leakers = measures[(measures["measure"] == "leakers") & (measures["key"] == "all")]
        assert table.loc[(task.point.key, "leakers", "all")] == leakers["value"].mean()
