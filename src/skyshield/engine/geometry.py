"""The deterministic part of a run: route sets, their pieces, exposures and engagement windows."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Lock
from typing import TypeVar, overload

import numpy as np

from skyshield.engine.compiled import CompiledScenario, per_scenario, readonly
from skyshield.engine.draws import realization_rng
from skyshield.engine.ew import Exposure, ew_exposure
from skyshield.engine.fixed import (
    merge_exposure,
    merge_intervals,
    merge_pieces,
    merge_windows,
    route_split,
    take_intervals,
    take_pieces,
)
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import Pieces, build_pieces
from skyshield.engine.reach import piece_spheres
from skyshield.engine.sensors import network_track_times_s
from skyshield.engine.windows import Windows, engagement_windows
from skyshield.engine.zones import (
    IntervalSets,
    ZonePolygons,
    territory_intervals,
    zone_polygons,
)

__all__ = [
    "Flights",
    "GeometryProgress",
    "RaidGeometry",
    "RouteSetsOnDemand",
    "RunGeometry",
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

    @property
    def territory(self) -> tuple[IntervalSets, ...]:
        """Every route set's territory over time."""
        return self.flights.territory


# Called with (route sets done, route sets in all) as a geometry is built (issue #20).
GeometryProgress = Callable[[int, int], None]


def _map(
    fn: Callable[[int], _T],
    n: int,
    threads: int,
    progress: GeometryProgress | None = None,
    done: tuple[int, int] = (0, 0),
) -> list[_T]:
    """``[fn(0), ..., fn(n - 1)]``; ``progress(done[0] + k, done[1])`` after the k-th result."""
    out: list[_T] = []

    def collect(values: Iterator[_T]) -> list[_T]:
        for value in values:
            out.append(value)
            if progress is not None:
                progress(done[0] + len(out), done[1])
        return out

    # the work is in large numpy operations and nogil numba kernels, which release the GIL
    if threads > 1 and n > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return collect(pool.map(fn, range(n)))
    return collect(fn(r) for r in range(n))


def fly_realizations(
    compiled: CompiledScenario,
    run_seed: int,
    n_realizations: int,
    threads: int = 1,
    *,
    first: int = 0,
    progress: GeometryProgress | None = None,
) -> Flights:
    """Realize routes and cut them into pieces, with territory and EW exposure, per route set.

    ``first``: the run's index of the first route set flown (a block of a run's route sets:
    route set ``first + r`` of the run is the ``r``-th here, the same whatever the block).
    ``progress``: called with (route sets flown, twice their number) as each is flown (the
    windows, :func:`geometry_from_flights`, are the second half).
    """

    def fly(r: int) -> tuple[np.ndarray, Pieces, IntervalSets, Exposure]:
        routes = readonly(realize_routes(compiled, rng=realization_rng(run_seed, first + r)))
        return (routes, *_fly_routes(compiled, routes))

    flown = _map(fly, n_realizations, threads, progress, (0, 2 * n_realizations))
    return Flights(
        routes=tuple(f[0] for f in flown),
        pieces=tuple(f[1] for f in flown),
        territory=tuple(f[2] for f in flown),
        exposure=tuple(f[3] for f in flown),
    )


def _fly(compiled: CompiledScenario, routes: np.ndarray) -> tuple[Pieces, IntervalSets, Exposure]:
    pieces = build_pieces(compiled, routes)
    return pieces, territory_intervals(pieces), ew_exposure(compiled, pieces)


def _fly_routes(
    compiled: CompiledScenario, routes: np.ndarray
) -> tuple[Pieces, IntervalSets, Exposure]:
    """One route set's pieces, territory and EW exposure.

    Threats whose path is the same in every route set are flown once per scenario and kept
    (:mod:`.fixed`); the same arrays, bit for bit, as flying them all here.
    """
    return _fly_routes_keeping_moving(compiled, routes)[0]


def _fly_routes_keeping_moving(
    compiled: CompiledScenario, routes: np.ndarray
) -> tuple[tuple[Pieces, IntervalSets, Exposure], tuple[Pieces, IntervalSets, Exposure] | None]:
    """:func:`_fly_routes`, and the moving threats' own part (None without a split).

    The moving part is what :func:`_solve_windows` would take back out of the joined arrays
    (``moving``): the same arrays, bit for bit, without taking them again.
    """
    split = route_split(compiled)
    if split is None:
        return _fly(compiled, routes), None
    fixed = split.fixed_compiled
    kept = per_scenario(
        compiled,
        "fixed.flown",
        lambda: _fly(fixed, readonly(np.stack([fixed.route_lon_deg, fixed.route_lat_deg]))),
    )
    moving = _fly(split.moving_compiled, routes[:, split.moving_points])
    n = compiled.n_threats
    parts = ((split.fixed, kept), (split.moving, moving))
    return (
        merge_pieces(n, [(t, f[0]) for t, f in parts]),
        merge_intervals(n, [(t, f[1]) for t, f in parts]),
        merge_exposure(n, [(t, f[2]) for t, f in parts]),
    ), moving


def _windows(
    compiled: CompiledScenario, pieces: Pieces, territory: IntervalSets, polygons: ZonePolygons
) -> Windows:
    spheres = piece_spheres(pieces)
    track_s = network_track_times_s(compiled, pieces, spheres)
    return engagement_windows(compiled, pieces, spheres, track_s, territory, polygons)


def _solve_windows(
    compiled: CompiledScenario,
    pieces: Pieces,
    territory: IntervalSets,
    polygons: ZonePolygons,
    moving: tuple[Pieces, IntervalSets] | None = None,
) -> Windows:
    """One route set's engagement windows.

    Those of threats flying the same path in every route set are solved once per scenario and
    kept (:mod:`.fixed`); the same arrays, bit for bit, as solving them all here. ``moving``:
    the moving threats' pieces and territory when at hand (else taken from the joined ones).
    """
    split = route_split(compiled)
    if split is None:
        return _windows(compiled, pieces, territory, polygons)
    kept = per_scenario(
        compiled,
        "fixed.windows",
        lambda: _windows(
            split.fixed_compiled,
            take_pieces(pieces, split.fixed),
            take_intervals(territory, split.fixed),
            polygons,
        ),
    )
    if moving is None:
        moving = (take_pieces(pieces, split.moving), take_intervals(territory, split.moving))
    solved = _windows(split.moving_compiled, moving[0], moving[1], polygons)
    return merge_windows(compiled.n_threats, [(split.fixed, kept), (split.moving, solved)])


def build_geometry(
    compiled: CompiledScenario,
    run_seed: int,
    n_realizations: int,
    threads: int = 1,
    *,
    first: int = 0,
    progress: GeometryProgress | None = None,
) -> RaidGeometry:
    """Realize routes and solve every route set's windows.

    Route sets are independent; with ``threads`` > 1 they are built concurrently in threads.
    The result does not depend on ``threads``. ``first``: see :func:`fly_realizations`;
    ``progress``: called with (steps done, ``2 n_realizations``), a route set flown or its
    windows solved being one step.
    """
    if n_realizations == 0 or (threads > 1 and n_realizations > 1):
        flights, vertices = _vertices_once(
            fly_realizations(
                compiled, run_seed, n_realizations, threads, first=first, progress=progress
            )
        )
        return geometry_from_flights(
            compiled, flights, threads, vertices=vertices, progress=progress
        )
    # on one thread (a block of an own-routes run, one night's geometry): each route set's
    # windows solved as soon as it is flown, from the moving threats' part at hand (not taken
    # back out of the joined arrays); the same arrays, bit for bit
    polygons = per_scenario(compiled, "zones.polygons", lambda: zone_polygons(compiled))
    flown, windows = [], []
    for r in range(n_realizations):
        routes = readonly(realize_routes(compiled, rng=realization_rng(run_seed, first + r)))
        (pieces, territory, exposure), moving = _fly_routes_keeping_moving(compiled, routes)
        if progress is not None:
            progress(2 * r + 1, 2 * n_realizations)
        windows.append(
            _solve_windows(
                compiled,
                pieces,
                territory,
                polygons,
                None if moving is None else (moving[0], moving[1]),
            )
        )
        del moving
        flown.append((routes, pieces, territory, exposure))
        if progress is not None:
            progress(2 * r + 2, 2 * n_realizations)
    flights, vertices = _vertices_once(
        Flights(
            routes=tuple(f[0] for f in flown),
            pieces=tuple(f[1] for f in flown),
            territory=tuple(f[2] for f in flown),
            exposure=tuple(f[3] for f in flown),
        )
    )
    del flown
    return geometry_from_flights(compiled, flights, 1, vertices=vertices, windows=windows)


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
    progress: GeometryProgress | None = None,
    windows: Sequence[Windows] | None = None,
) -> RaidGeometry:
    """Compute every route set's engagement windows and the kernel's flat arrays.

    ``vertices``: the flat vertex times and ECEF when the pieces already view them;
    ``progress``: called with (``n + k``, ``2 n``) after the k-th of n route sets' windows;
    ``windows``: every route set's windows when already solved (then not solved here).
    """
    polygons = per_scenario(compiled, "zones.polygons", lambda: zone_polygons(compiled))
    pieces = flights.pieces
    n_realizations = len(pieces)

    def solve(r: int) -> Windows:
        return _solve_windows(compiled, pieces[r], flights.territory[r], polygons)

    if windows is None:
        windows = _map(
            solve, n_realizations, threads, progress, (n_realizations, 2 * n_realizations)
        )
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


# Route sets of an own-routes run rebuilt on demand and kept, most recent last (a report or an
# export asks for a few, often the same one again).
_KEPT_ROUTE_SETS = 4


class RouteSetsOnDemand:
    """A run's route sets, not held: their pieces are flown again when asked for.

    A run where every night flies its own routes builds each block's route sets in its worker
    and drops them after (:func:`skyshield.runner.montecarlo.run_replications`), so memory is
    bounded by the block, not by the replications. What is read after the run is the route
    sets' territory (kept, about 50 kB a route set on the record raid; or flown again on first
    use when not given) and now and then one route set's pieces (a report's map, an export's
    tracks): flown again from the same seed, they are the run's own, bit for bit.
    """

    def __init__(
        self,
        compiled: CompiledScenario,
        run_seed: int,
        n_realizations: int,
        territory: Sequence[IntervalSets] | None = None,
    ) -> None:
        if territory is not None and len(territory) != n_realizations:
            msg = f"expected territory of {n_realizations} route sets, got {len(territory)}"
            raise ValueError(msg)
        self._compiled = compiled
        self._run_seed = run_seed
        self._n = n_realizations
        self._territory = None if territory is None else tuple(territory)
        self._kept: dict[int, Pieces] = {}
        self._lock = Lock()

    @property
    def n_realizations(self) -> int:
        """Number of route sets."""
        return self._n

    @property
    def pieces(self) -> _PiecesOnDemand:
        """Every route set's pieces (a sequence; each flown when read)."""
        return _PiecesOnDemand(self)

    @property
    def territory(self) -> tuple[IntervalSets, ...]:
        """Every route set's territory over time."""
        if self._territory is None:
            self._territory = tuple(territory_intervals(p) for p in self.pieces)
        return self._territory

    def route_set_pieces(self, r: int) -> Pieces:
        """Route set ``r``'s pieces, flown again (or kept from a recent call)."""
        if not 0 <= r < self._n:
            raise IndexError(r)
        with self._lock:
            kept = self._kept.pop(r, None)
        if kept is None:
            rng = realization_rng(self._run_seed, r)
            kept = build_pieces(self._compiled, readonly(realize_routes(self._compiled, rng=rng)))
        with self._lock:
            self._kept[r] = kept
            while len(self._kept) > _KEPT_ROUTE_SETS:
                del self._kept[next(iter(self._kept))]
        return kept


class _PiecesOnDemand(Sequence[Pieces]):
    """The pieces of :class:`RouteSetsOnDemand`'s route sets, as a read-only sequence."""

    def __init__(self, sets: RouteSetsOnDemand) -> None:
        self._sets = sets

    def __len__(self) -> int:
        return self._sets.n_realizations

    @overload
    def __getitem__(self, index: int) -> Pieces: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Pieces, ...]: ...
    def __getitem__(self, index: int | slice) -> Pieces | tuple[Pieces, ...]:
        if isinstance(index, slice):
            return tuple(self[r] for r in range(*index.indices(len(self))))
        r = index + len(self) if index < 0 else index
        return self._sets.route_set_pieces(r)

    def __iter__(self) -> Iterator[Pieces]:
        return (self[r] for r in range(len(self)))


# What a finished run holds of its route sets: all of them built, or flown again on demand.
RunGeometry = RaidGeometry | RouteSetsOnDemand
