"""The prebuilt cell grid of fixed points finds exactly the pairs a test of every pair finds;
the running maximum that walks back from the first time equals the plain forward walk."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.firetime import _piece_max, _running_max
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import build_pieces
from skyshield.engine.reach import (
    margin_for,
    pairs_within,
    pairs_within_per_threat,
    piece_spheres,
    point_grid,
)
from skyshield.geo import lonlat_to_ecef_m
from skyshield.scenario import load_scenario


def _brute_pairs(spheres, points: np.ndarray, reach: np.ndarray) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    out = []
    for k in range(points.shape[0]):
        d = spheres.mid_m - points[k]
        r = reach[k] + spheres.half_m
        out.append(spheres.start[(d * d).sum(axis=1) <= r * r])
    return out


def test_pairs_within__equal_to_testing_every_pair(rng: np.random.Generator) -> None:
    """Record-raid pieces against 300 random points with ranges from 1 to 600 km, spread
    over and beyond the raid (some far north, where a degree of longitude is short)."""
    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(3, 0)))
    spheres = piece_spheres(pieces)
    lon = rng.uniform(20.0, 45.0, 300)
    lat = np.concatenate([rng.uniform(44.0, 53.0, 250), rng.uniform(53.0, 71.0, 50)])
    reach = rng.uniform(1_000.0, 600_000.0, 300)
    height = rng.uniform(0.0, 30_000.0, 300)
    points = lonlat_to_ecef_m(lon, lat, height)
    grid = point_grid(lon, lat, reach, margin_for(spheres))
    offset, found = pairs_within(grid, spheres, points, reach)
    brute = _brute_pairs(spheres, points, reach)
    assert sum(b.size for b in brute) > 10_000  # the raid does reach many of them
    for k in range(300):
        assert np.array_equal(found[offset[k] : offset[k + 1]], brute[k]), k


def test_pairs_within_per_threat__equal_to_testing_every_pair(rng: np.random.Generator) -> None:
    """As above, each point with its own distance to each threat (a fifth of them 0)."""
    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(3, 0)))
    spheres = piece_spheres(pieces)
    n_points, n_threats = 60, pieces.n_threats
    lon, lat = rng.uniform(22.0, 40.0, n_points), rng.uniform(44.0, 53.0, n_points)
    reach = rng.uniform(1_000.0, 400_000.0, (n_points, n_threats))
    reach[rng.random(reach.shape) < 0.2] = 0.0
    points = lonlat_to_ecef_m(lon, lat, 0.0)
    grid = point_grid(lon, lat, reach.max(axis=1), margin_for(spheres))
    vertex_threat = np.repeat(np.arange(n_threats), np.diff(pieces.vertex_offset))
    offset, found = pairs_within_per_threat(grid, spheres, points, reach, vertex_threat)
    piece_threat = vertex_threat[spheres.start]
    total = 0
    for k in range(n_points):
        d = spheres.mid_m - points[k]
        r = reach[k, piece_threat] + spheres.half_m
        brute = spheres.start[(d * d).sum(axis=1) <= r * r]
        total += brute.size
        assert np.array_equal(found[offset[k] : offset[k + 1]], brute), k
    assert total > 5_000


def test_engagement_windows__same_as_with_every_piece_in_maximum_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The per-threat reach (own radar's range, engaged threats only) only passes over pairs
    the envelope finds empty: the record raid's windows equal those from every piece within
    the units' maximum range, for every threat."""
    from skyshield.engine import windows
    from skyshield.engine.sensors import network_track_times_s
    from skyshield.engine.zones import territory_intervals, zone_polygons

    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(5, 0)))
    spheres = piece_spheres(pieces)
    args = (
        compiled, pieces, spheres, network_track_times_s(compiled, pieces, spheres),
        territory_intervals(pieces), zone_polygons(compiled),
    )  # fmt: skip
    fast = windows.engagement_windows(*args)
    monkeypatch.setattr(
        windows,
        "unit_reach_m",
        lambda units, engaged: np.broadcast_to(units.params[:, 1:2], engaged.shape),
    )
    every = windows.engagement_windows(*args)
    assert fast.n_windows > 1_000
    for name in ("unit", "threat", "k0", "k1", "outside_own", "threatening"):
        assert np.array_equal(getattr(fast, name), getattr(every, name)), name


def test_engagement_windows__same_when_the_window_arrays_start_with_room_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The windows' arrays grow by solving a unit again: starting with room for one window
    (every unit with windows overflows) gives the windows of the default room."""
    from skyshield.engine import windows
    from skyshield.engine.sensors import network_track_times_s
    from skyshield.engine.zones import territory_intervals, zone_polygons

    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(6, 0)))
    spheres = piece_spheres(pieces)
    args = (
        compiled, pieces, spheres, network_track_times_s(compiled, pieces, spheres),
        territory_intervals(pieces), zone_polygons(compiled),
    )  # fmt: skip
    roomy = windows.engagement_windows(*args)
    monkeypatch.setattr(windows, "_first_capacity", lambda n_pairs: 1)
    tight = windows.engagement_windows(*args)
    assert roomy.n_windows > 1_000
    assert np.unique(roomy.unit).size > 10
    for name in ("unit", "threat", "k0", "k1", "outside_own", "threatening"):
        assert np.array_equal(getattr(roomy, name), getattr(tight, name)), name


def test_pairs_within__refuses_pieces_longer_than_the_margin() -> None:
    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(3, 0)))
    spheres = piece_spheres(pieces)
    grid = point_grid(np.array([30.0]), np.array([50.0]), np.array([1e5]), 1.0)
    with pytest.raises(ValueError, match="margin"):
        pairs_within(grid, spheres, lonlat_to_ecef_m(30.0, 50.0, 0.0), np.array([1e5]))


@njit(cache=False)
def _forward(vertex_offset, time_s, ecef_m, threat, unit, v, tau, out):  # type: ignore[no-untyped-def]
    """The running maximum walked forward from launch (the definition)."""
    j = vertex_offset[threat]
    last = vertex_offset[threat + 1] - 1
    best = -np.inf
    for m in range(tau.shape[0]):
        t = min(max(tau[m], time_s[j]), time_s[last])
        while j + 1 < last and time_s[j + 1] <= t:
            best = max(best, _piece_max(time_s, ecef_m, j, unit, v, time_s[j + 1] - time_s[j]))
            j += 1
        out[m] = max(best, _piece_max(time_s, ecef_m, j, unit, v, t - time_s[j]))


def test_running_max__bit_for_bit_the_forward_walk(rng: np.random.Generator) -> None:
    """Every record-raid threat (drones, cruise and ballistic missiles) against units at
    random places with interceptors slower and faster than the threats."""
    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(5, 0)))
    for i in range(compiled.n_threats):
        unit = lonlat_to_ecef_m(rng.uniform(24.0, 40.0), rng.uniform(45.0, 52.0), 0.0)[0]
        speed = float(rng.choice([150.0, 300.0, 1_000.0, 3_000.0]))
        flight = float(pieces.flight_s[i])
        tau = np.sort(rng.uniform(-10.0, flight + 10.0, int(rng.integers(1, 7))))
        got, want = np.empty(tau.size), np.empty(tau.size)
        args = (pieces.vertex_offset, pieces.time_s, pieces.ecef_m, i, unit, speed, tau)
        _running_max(*args, got)
        _forward(*args, want)
        assert np.array_equal(got, want), i


def test_running_max__threat_outrunning_the_interceptor_past_the_unit() -> None:
    """A unit under the middle of a piece of a threat faster than its interceptor: ``f`` peaks
    as the threat passes overhead and falls after, so just after the piece's end the maximum
    lies a whole piece back, the case the walk back must not cut short."""
    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(5, 0)))
    fast = np.flatnonzero(compiled.threat_speed_mps > 200.0)
    assert fast.size
    for i in fast[:60]:
        lo, hi = int(pieces.vertex_offset[i]), int(pieces.vertex_offset[i + 1])
        v = lo + (hi - lo) // 2
        lon = 0.5 * (pieces.lon_deg[v] + pieces.lon_deg[v + 1])
        lat = 0.5 * (pieces.lat_deg[v] + pieces.lat_deg[v + 1])
        unit = lonlat_to_ecef_m(lon, lat, 0.0)[0]
        tau = pieces.time_s[v + 1] + np.array([1.0, 5.0, 10.0])
        got, want = np.empty(tau.size), np.empty(tau.size)
        args = (pieces.vertex_offset, pieces.time_s, pieces.ecef_m, int(i), unit, 150.0, tau)
        _running_max(*args, got)
        _forward(*args, want)
        assert np.array_equal(got, want), i
