"""Threats flying the same path every night are flown once per scenario (issue #20).

The geometry built with the split (fixed threats flown and solved once, the moving ones per
route set, joined in threat order) must be the geometry of all threats flown together, bit for
bit, and a threat's pieces must not depend on the threats before it.
"""

from __future__ import annotations

import numpy as np
import pytest

import skyshield.engine.geometry as geometry_module
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import realization_rng
from skyshield.engine.fixed import (
    ThreatSet,
    merge_intervals,
    merge_pieces,
    moving_threats,
    route_split,
    take_intervals,
    take_pieces,
    threat_subset,
)
from skyshield.engine.flight import realize_routes
from skyshield.engine.geometry import build_geometry
from skyshield.engine.pieces import build_pieces
from skyshield.engine.zones import territory_intervals
from skyshield.scenario import builtin_scenario_path, load_scenario
from skyshield.testing import assert_same_arrays


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    # the default scenario has both: 220 drones and missiles with jittered waypoints, and
    # 8 ballistic missiles that fly the same arc every night
    return compile_scenario(load_scenario(builtin_scenario_path("default")))


def test_the_default_scenario_has_both_parts(compiled: CompiledScenario) -> None:
    split = route_split(compiled)
    assert split is not None
    moving = moving_threats(compiled)
    assert 0 < split.fixed.index.size < compiled.n_threats
    assert np.array_equal(split.moving.index, np.flatnonzero(moving))
    assert compiled.threat_ballistic[split.fixed.index].any()


def test_split_geometry_is_the_whole_geometry_bit_for_bit(
    compiled: CompiledScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three route sets from a later block: the fixed part is flown once and reused
    split = build_geometry(compiled, 5, 3, first=40)
    monkeypatch.setattr(geometry_module, "route_split", lambda _: None)
    whole = build_geometry(compiled, 5, 3, first=40)
    assert_same_arrays(split, whole)
    # the moving threats do move: their vertices differ between route sets
    moving = np.flatnonzero(moving_threats(compiled))
    p0, p1 = split.pieces[0], split.pieces[1]
    i = int(moving[0])
    lo0, hi0 = p0.vertex_offset[i], p0.vertex_offset[i + 1]
    lo1, hi1 = p1.vertex_offset[i], p1.vertex_offset[i + 1]
    assert (hi0 - lo0 != hi1 - lo1) or not np.array_equal(p0.lon_deg[lo0:hi0], p1.lon_deg[lo1:hi1])


def test_one_threads_windows_from_the_moving_part_at_hand_bit_for_bit(
    compiled: CompiledScenario,
) -> None:
    # on one thread each route set's windows are solved from the moving threats' part as
    # flown; on two, from the part taken back out of the joined arrays: the same geometry
    steps: list[tuple[int, int]] = []
    one = build_geometry(compiled, 5, 3, 1, first=40, progress=lambda *a: steps.append(a))
    two = build_geometry(compiled, 5, 3, 2, first=40)
    assert_same_arrays(one, two)
    assert steps == [(k, 6) for k in range(1, 7)]


def test_a_threats_pieces_do_not_depend_on_the_threats_before_it(
    compiled: CompiledScenario,
) -> None:
    routes = readonly(realize_routes(compiled, rng=realization_rng(3, 0)))
    whole = build_pieces(compiled, routes)
    # every other threat from the 7th: the leg starts sum each threat's own legs only
    threats = np.arange(7, compiled.n_threats, 2, dtype=np.int64)
    offset = compiled.route_offset
    points = np.concatenate([np.arange(offset[i], offset[i + 1]) for i in threats])
    alone = build_pieces(threat_subset(compiled, threats), readonly(routes[:, points]))
    taken = take_pieces(whole, ThreatSet.of(threats))
    for name in ("vertex_offset", "time_s", "lon_deg", "lat_deg", "alt_m", "ecef_m", "flight_s"):
        assert np.array_equal(getattr(alone, name), getattr(taken, name)), name


def test_take_and_merge_give_back_the_whole(compiled: CompiledScenario) -> None:
    routes = readonly(realize_routes(compiled, rng=realization_rng(3, 1)))
    pieces = build_pieces(compiled, routes)
    territory = territory_intervals(pieces)
    n = compiled.n_threats
    odd = np.arange(n) % 3 == 1  # runs of one threat, interleaved
    a, b = ThreatSet.of(np.flatnonzero(odd)), ThreatSet.of(np.flatnonzero(~odd))
    assert len(a.runs) > 1
    merged = merge_pieces(n, [(b, take_pieces(pieces, b)), (a, take_pieces(pieces, a))])
    for name in ("vertex_offset", "time_s", "lon_deg", "lat_deg", "alt_m", "ecef_m", "flight_s"):
        assert np.array_equal(getattr(merged, name), getattr(pieces, name)), name
    parts = [(a, take_intervals(territory, a)), (b, take_intervals(territory, b))]
    sets = merge_intervals(n, parts)
    for name in ("offset", "lo_s", "hi_s", "code"):
        assert np.array_equal(getattr(sets, name), getattr(territory, name)), name
