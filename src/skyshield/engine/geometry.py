"""The deterministic part of a run: route sets, their pieces, exposures and engagement windows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from skyshield.engine.compiled import CompiledScenario, per_scenario, readonly
from skyshield.engine.draws import realization_rng
from skyshield.engine.ew import Exposure, ew_exposure
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import Pieces, build_pieces
from skyshield.engine.reach import piece_spheres
from skyshield.engine.sensors import network_track_times_s
from skyshield.engine.windows import Windows, engagement_windows
from skyshield.engine.zones import IntervalSets, territory_intervals, zone_polygons

__all__ = [
    "Flights",
    "RaidGeometry",
    "build_geometry",
    "fly_realizations",
    "geometry_from_flights",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Flights:
    """Every route set flown: routes, pieces, territory and EW exposure, before any window.

    They depend on the raid, its routes and the EW zones, not on fire units, sensors or rules
    of engagement, so a sweep over those reuses them (:func:`geometry_from_flights`).
    """

    routes: tuple[np.ndarray, ...]  # per route set, (2, n_points): jittered lon, lat
    pieces: tuple[Pieces, ...]
    territory: tuple[IntervalSets, ...]  # per route set: whose territory, over time
    exposure: tuple[Exposure, ...]


@dataclass(frozen=True, slots=True)
class RaidGeometry:
    """Flights and windows of every route set, plus flat arrays for the kernel.

    Windows of all route sets are concatenated; those of threat ``i`` in route set ``r`` are
    ``[threat_window_start[r, i], threat_window_end[r, i])``. Vertices of all route sets are
    concatenated too: threat ``i`` of route set ``r`` flies ``[vertex_start[r, i],
    vertex_end[r, i])``.
    """

    flights: Flights
    windows: tuple[Windows, ...]
    flight_s: np.ndarray  # (n_realizations, n_threats) float64: launch to impact
    threat_window_start: np.ndarray  # (n_realizations, n_threats) int64
    threat_window_end: np.ndarray  # (n_realizations, n_threats) int64
    unit: np.ndarray  # (n_windows_all,) int64
    k0: np.ndarray  # (n_windows_all,) int64
    k1: np.ndarray  # (n_windows_all,) int64
    outside_own: np.ndarray  # (n_windows_all,) bool
    vertex_start: np.ndarray  # (n_realizations, n_threats) int64
    vertex_end: np.ndarray  # (n_realizations, n_threats) int64
    vertex_time_s: np.ndarray  # (n_vertices_all,) float64
    vertex_ecef_m: np.ndarray  # (n_vertices_all, 3) float64
    threatening: np.ndarray  # (n_windows_all,) bool: the track threatens (issue #22)

    @property
    def n_realizations(self) -> int:
        """Number of route sets."""
        return len(self.flights.pieces)

    @property
    def pieces(self) -> tuple[Pieces, ...]:
        """Every route set's pieces."""
        return self.flights.pieces


def _map(fn: Callable[[int], _T], n: int, threads: int) -> list[_T]:
    # the work is in large numpy operations and nogil numba kernels, which release the GIL
    if threads > 1 and n > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(fn, range(n)))
    return [fn(r) for r in range(n)]


def fly_realizations(
    compiled: CompiledScenario, run_seed: int, n_realizations: int, threads: int = 1
) -> Flights:
    """Realize routes and cut them into pieces, with territory and EW exposure, per route set."""

    def fly(r: int) -> tuple[np.ndarray, Pieces, IntervalSets, Exposure]:
        routes = readonly(realize_routes(compiled, rng=realization_rng(run_seed, r)))
        pieces = build_pieces(compiled, routes)
        return routes, pieces, territory_intervals(pieces), ew_exposure(compiled, pieces)

    flown = _map(fly, n_realizations, threads)
    return Flights(
        routes=tuple(f[0] for f in flown),
        pieces=tuple(f[1] for f in flown),
        territory=tuple(f[2] for f in flown),
        exposure=tuple(f[3] for f in flown),
    )


def build_geometry(
    compiled: CompiledScenario, run_seed: int, n_realizations: int, threads: int = 1
) -> RaidGeometry:
    """Realize routes and solve every route set's windows.

    Route sets are independent; with ``threads`` > 1 they are built concurrently in threads.
    The result does not depend on ``threads``.
    """
    flights, vertices = _vertices_once(
        fly_realizations(compiled, run_seed, n_realizations, threads)
    )
    return geometry_from_flights(compiled, flights, threads, vertices=vertices)


def _vertices_once(flights: Flights) -> tuple[Flights, tuple[np.ndarray, np.ndarray]]:
    """Move every route set's vertex times and ECEF into the event loop's flat arrays.

    Each route set's pieces then view them, so they are held once, not twice (with every night
    its own routes, a third of the geometry's memory), and copied one route set at a time (no
    second copy of them all at once). Only for flights no one else holds: a cache's shared
    flights keep their arrays.
    """
    pieces: list[Pieces | None] = list(flights.pieces)
    flights = dataclasses.replace(flights, pieces=())  # the originals go as they are copied
    n_vertices = sum(int(p.time_s.shape[0]) for p in pieces if p is not None)
    time_s, ecef_m = np.empty(n_vertices), np.empty((n_vertices, 3))
    viewed, first = [], 0
    for r, p in enumerate(pieces):
        assert p is not None
        pieces[r] = None
        last = first + int(p.time_s.shape[0])
        time_s[first:last], ecef_m[first:last] = p.time_s, p.ecef_m
        viewed.append(dataclasses.replace(p, time_s=time_s[first:last], ecef_m=ecef_m[first:last]))
        del p
        first = last
    for view in viewed:
        view.time_s.flags.writeable = False
        view.ecef_m.flags.writeable = False
    return dataclasses.replace(flights, pieces=tuple(viewed)), (
        readonly(time_s),
        readonly(ecef_m),
    )


def geometry_from_flights(
    compiled: CompiledScenario,
    flights: Flights,
    threads: int = 1,
    *,
    vertices: tuple[np.ndarray, np.ndarray] | None = None,
) -> RaidGeometry:
    """Compute every route set's engagement windows and the kernel's flat arrays.

    ``vertices``: the flat vertex times and ECEF when the pieces already view them.
    """
    polygons = per_scenario(compiled, "zones.polygons", lambda: zone_polygons(compiled))
    pieces = flights.pieces
    n_realizations = len(pieces)

    def solve(r: int) -> Windows:
        spheres = piece_spheres(pieces[r])
        track_s = network_track_times_s(compiled, pieces[r], spheres)
        return engagement_windows(
            compiled, pieces[r], spheres, track_s, flights.territory[r], polygons
        )

    windows = _map(solve, n_realizations, threads)
    n = compiled.n_threats
    start = np.zeros((n_realizations, n), dtype=np.int64)
    end = np.zeros((n_realizations, n), dtype=np.int64)
    v_start = np.zeros((n_realizations, n), dtype=np.int64)
    v_end = np.zeros((n_realizations, n), dtype=np.int64)
    base_window = 0
    base_vertex = 0
    for r, win in enumerate(windows):
        counts = np.bincount(win.threat, minlength=n)
        end[r] = base_window + np.cumsum(counts)
        start[r] = end[r] - counts
        base_window += win.n_windows
        v_start[r] = base_vertex + pieces[r].vertex_offset[:-1]
        v_end[r] = base_vertex + pieces[r].vertex_offset[1:]
        base_vertex += int(pieces[r].time_s.shape[0])

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return readonly(np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype))

    if vertices is None:
        vertex_time_s = cat([p.time_s for p in pieces], np.float64)
        vertex_ecef_m = readonly(
            np.concatenate([p.ecef_m for p in pieces]) if pieces else np.zeros((0, 3))
        )
    else:
        vertex_time_s, vertex_ecef_m = vertices
    return RaidGeometry(
        flights=flights,
        windows=tuple(windows),
        flight_s=readonly(np.stack([p.flight_s for p in pieces]).astype(np.float64)),
        threat_window_start=readonly(start),
        threat_window_end=readonly(end),
        unit=cat([w.unit for w in windows], np.int64),
        k0=cat([w.k0 for w in windows], np.int64),
        k1=cat([w.k1 for w in windows], np.int64),
        outside_own=cat([w.outside_own for w in windows], np.bool_),
        vertex_start=readonly(v_start),
        vertex_end=readonly(v_end),
        vertex_time_s=vertex_time_s,
        vertex_ecef_m=vertex_ecef_m,
        threatening=cat([w.threatening for w in windows], np.bool_),
    )
