"""Which pieces can come within reach of fixed points (fire units, radars): a prebuilt cell grid.

Points are fixed for a scenario, so they are indexed once (:func:`point_grid`): every point is
listed in each cell of a longitude-latitude grid from which a piece's midpoint could lie within
the point's reach plus a margin (the longest half-piece allowed for). Each route set then walks
its pieces once (:func:`pairs_within`): a piece looks up the points listed in its midpoint's cell
and keeps those whose reach touches its bounding sphere (midpoint, half the chord). Pairs come
out grouped by point, each point's pieces in piece order, i.e. by threat and time: the order
every per-pair solver walks them in.

The cell ranges are bounds, never estimates: a chord between two points at least
:data:`_MIN_RADIUS_M` from the Earth's centre subtends at most ``2 asin(D / 2 R)``, and a
degree of longitude at latitude φ is at least ``R cos φ`` metres of such an angle, so a piece
whose bounding sphere reaches a point always finds it in its cell. ``tests/engine/test_reach.py``
checks the pairs against testing every piece against every point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.pieces import Pieces
from skyshield.geo.borders import REGION_LAT_DEG, REGION_LON_DEG

__all__ = [
    "CELL_DEG",
    "PieceSpheres",
    "PointGrid",
    "cell_of",
    "margin_for",
    "pairs_within",
    "pairs_within_per_threat",
    "piece_spheres",
    "point_grid",
]

# Cell of the grid, degrees: a unit's reach (up to a few hundred km) spans tens of cells.
CELL_DEG = 0.25
# A lower bound on the distance from the Earth's centre of a piece's midpoint or a point: the
# WGS84 polar radius (6,356,752 m, NIMA TR8350.2) less a 20 km chord's sag (< 10 m).
_MIN_RADIUS_M = 6_356_000.0
# The grid cell of a piece is its vertices' mean longitude and latitude; the chord's midpoint
# lies within metres of it (a 20 km piece: ~1e-4 degrees). Added to every cell range, with a
# 1 % allowance for geodetic against geocentric latitude (at most 0.67 % apart in rate).
_SLACK_DEG = 0.05
_LAT_RATE = 1.01
# Near a pole every longitude is in reach.
_POLAR_DEG = 89.0
# Margins are rounded up to this step, so one grid serves route sets of similar pieces.
_MARGIN_STEP_M = 10_000.0


@dataclass(frozen=True, slots=True)
class PointGrid:
    """Fixed points listed in every cell a piece reaching them may have its midpoint in.

    Points listed in cell ``c`` are ``cell_points[cell_start[c]:cell_start[c + 1]]``, ascending;
    cell ``c`` is row ``c // n_lon`` (latitude) and column ``c % n_lon`` from (lon0, lat0). A
    piece outside the grid takes the nearest cell (clamping keeps every range that held).
    """

    lon0_deg: float
    lat0_deg: float
    n_lon: int
    n_lat: int
    cell_start: np.ndarray  # (n_cells + 1,) int64
    cell_points: np.ndarray  # (n_entries,) int64
    margin_m: float  # the half-piece allowed for


@dataclass(frozen=True, slots=True)
class PieceSpheres:
    """One route set's pieces as bounding spheres, with their grid cells (structure of arrays)."""

    start: np.ndarray  # (n_pieces,) int64: first vertex of each piece, in (threat, time) order
    mid_m: np.ndarray  # (n_pieces, 3) float64: ECEF midpoint of the chord
    half_m: np.ndarray  # (n_pieces,) float64: half the chord
    mid_lon_deg: np.ndarray  # (n_pieces,) float64: mean of the vertices' longitudes
    mid_lat_deg: np.ndarray  # (n_pieces,) float64: mean of the vertices' latitudes
    max_half_m: float


def margin_for(spheres: PieceSpheres) -> float:
    """Return the grid margin a route set needs: its longest half-piece, rounded up a step."""
    steps = max(math.ceil(spheres.max_half_m / _MARGIN_STEP_M), 1)
    return steps * _MARGIN_STEP_M


@njit(cache=True, nogil=True, inline="always")
def cell_of(value: float, origin: float, n: int) -> int:
    """Column (or row) of a grid of :data:`CELL_DEG` cells from ``origin``, clamped to ``n``."""
    return min(max(int(np.floor((value - origin) / CELL_DEG)), 0), n - 1)


@njit(cache=True, nogil=True)
def _grid(
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    reach_m: np.ndarray,
    margin_m: float,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
) -> tuple[np.ndarray, np.ndarray]:
    n_cells = n_lon * n_lat
    counts = np.zeros(n_cells, dtype=np.int64)
    start = np.zeros(n_cells + 1, dtype=np.int64)
    fill = np.zeros(n_cells, dtype=np.int64)
    points = np.empty(0, dtype=np.int64)
    for phase in range(2):
        if phase == 1:
            for c in range(n_cells):
                start[c + 1] = start[c] + counts[c]
                fill[c] = start[c]
            points = np.empty(start[n_cells], dtype=np.int64)
        for k in range(lon_deg.shape[0]):
            if not reach_m[k] > 0.0:
                continue
            d = reach_m[k] + margin_m
            angle = np.degrees(2.0 * np.arcsin(min(d / (2.0 * _MIN_RADIUS_M), 1.0)))
            dlat = _LAT_RATE * angle + _SLACK_DEG
            top = min(abs(lat_deg[k]) + dlat, 90.0)
            ring = 2.0 * _MIN_RADIUS_M * np.cos(np.radians(top))
            if top >= _POLAR_DEG or d >= ring:
                dlon = 360.0
            else:
                dlon = np.degrees(2.0 * np.arcsin(d / ring)) + _SLACK_DEG
            i0 = cell_of(lon_deg[k] - dlon, lon0, n_lon)
            i1 = cell_of(lon_deg[k] + dlon, lon0, n_lon)
            j0 = cell_of(lat_deg[k] - dlat, lat0, n_lat)
            j1 = cell_of(lat_deg[k] + dlat, lat0, n_lat)
            for j in range(j0, j1 + 1):
                for i in range(i0, i1 + 1):
                    c = j * n_lon + i
                    if phase == 0:
                        counts[c] += 1
                    else:
                        points[fill[c]] = k
                        fill[c] += 1
    return start, points


def point_grid(
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    reach_m: np.ndarray,
    margin_m: float,
    lon_range_deg: tuple[float, float] = REGION_LON_DEG,
    lat_range_deg: tuple[float, float] = REGION_LAT_DEG,
) -> PointGrid:
    """Index fixed points by the cells a piece within ``reach_m + margin_m`` may lie in.

    Units: degrees, metres. A point with no reach (<= 0) is listed nowhere. The grid covers
    the given region (the project's map by default); pieces outside it take the nearest cell.
    """
    n_lon = round((lon_range_deg[1] - lon_range_deg[0]) / CELL_DEG)
    n_lat = round((lat_range_deg[1] - lat_range_deg[0]) / CELL_DEG)
    start, points = _grid(
        np.ascontiguousarray(lon_deg, dtype=np.float64),
        np.ascontiguousarray(lat_deg, dtype=np.float64),
        np.ascontiguousarray(reach_m, dtype=np.float64),
        float(margin_m),
        float(lon_range_deg[0]),
        float(lat_range_deg[0]),
        n_lon,
        n_lat,
    )
    start.flags.writeable = False
    points.flags.writeable = False
    return PointGrid(
        lon0_deg=float(lon_range_deg[0]),
        lat0_deg=float(lat_range_deg[0]),
        n_lon=n_lon,
        n_lat=n_lat,
        cell_start=start,
        cell_points=points,
        margin_m=float(margin_m),
    )


@njit(cache=True, nogil=True)
def _spheres(
    vertex_offset: np.ndarray, lon_deg: np.ndarray, lat_deg: np.ndarray, ecef_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_threats = vertex_offset.shape[0] - 1
    n = lon_deg.shape[0] - n_threats
    start = np.empty(n, dtype=np.int64)
    mid = np.empty((n, 3))
    half = np.empty(n)
    mid_lon, mid_lat = np.empty(n), np.empty(n)
    q = 0
    for i in range(n_threats):
        for v in range(vertex_offset[i], vertex_offset[i + 1] - 1):
            start[q] = v
            dx = ecef_m[v + 1, 0] - ecef_m[v, 0]
            dy = ecef_m[v + 1, 1] - ecef_m[v, 1]
            dz = ecef_m[v + 1, 2] - ecef_m[v, 2]
            for d in range(3):
                mid[q, d] = 0.5 * (ecef_m[v, d] + ecef_m[v + 1, d])
            half[q] = 0.5 * np.sqrt(dx * dx + dy * dy + dz * dz)
            mid_lon[q] = 0.5 * (lon_deg[v] + lon_deg[v + 1])
            mid_lat[q] = 0.5 * (lat_deg[v] + lat_deg[v + 1])
            q += 1
    return start, mid, half, mid_lon, mid_lat


def piece_spheres(pieces: Pieces) -> PieceSpheres:
    """Bounding spheres and grid positions of one route set's pieces."""
    start, mid, half, mid_lon, mid_lat = _spheres(
        pieces.vertex_offset, pieces.lon_deg, pieces.lat_deg, pieces.ecef_m
    )
    return PieceSpheres(
        start=start,
        mid_m=mid,
        half_m=half,
        mid_lon_deg=mid_lon,
        mid_lat_deg=mid_lat,
        max_half_m=float(half.max(initial=0.0)),
    )


@njit(cache=True, nogil=True)
def _pairs(
    cell_start: np.ndarray,
    cell_points: np.ndarray,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
    start: np.ndarray,
    mid_m: np.ndarray,
    half_m: np.ndarray,
    mid_lon: np.ndarray,
    mid_lat: np.ndarray,
    point_m: np.ndarray,
    distance_m: np.ndarray,
    piece_column: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """List pieces whose bounding sphere reaches each point (see :func:`pairs_within`).

    ``distance_m`` (n_points, n_columns): piece ``q``'s reach from point ``k`` is
    ``distance_m[k, piece_column[q]]`` (its threat's; one column for all).
    """
    # one pass over the pieces into (point, piece) pairs in piece order, then a counting sort
    # by point (stable: each point's pieces stay ascending), as a count pass and a fill pass
    # over the pieces would list them; the distance tests are made once, not twice
    n_points = point_m.shape[0]
    counts = np.zeros(n_points, dtype=np.int64)
    cap = max(start.shape[0], 16)
    pair_point = np.empty(cap, dtype=np.int64)
    pair_piece = np.empty(cap, dtype=np.int64)
    m = 0
    for q in range(start.shape[0]):
        c = cell_of(mid_lat[q], lat0, n_lat) * n_lon + cell_of(mid_lon[q], lon0, n_lon)
        if m + (cell_start[c + 1] - cell_start[c]) > cap:
            cap = max(2 * cap, m + (cell_start[c + 1] - cell_start[c]))
            pair_point = np.concatenate((pair_point[:m], np.empty(cap - m, dtype=np.int64)))
            pair_piece = np.concatenate((pair_piece[:m], np.empty(cap - m, dtype=np.int64)))
        for e in range(cell_start[c], cell_start[c + 1]):
            k = cell_points[e]
            dx = mid_m[q, 0] - point_m[k, 0]
            dy = mid_m[q, 1] - point_m[k, 1]
            dz = mid_m[q, 2] - point_m[k, 2]
            reach = distance_m[k, piece_column[q]] + half_m[q]
            if dx * dx + dy * dy + dz * dz <= reach * reach:
                counts[k] += 1
                pair_point[m], pair_piece[m] = k, start[q]
                m += 1
    offset = np.zeros(n_points + 1, dtype=np.int64)
    fill = np.zeros(n_points, dtype=np.int64)
    for k in range(n_points):
        offset[k + 1] = offset[k] + counts[k]
        fill[k] = offset[k]
    out = np.empty(offset[n_points], dtype=np.int64)
    for e in range(m):
        k = pair_point[e]
        out[fill[k]] = pair_piece[e]
        fill[k] += 1
    return offset, out


def pairs_within(
    grid: PointGrid, spheres: PieceSpheres, point_ecef_m: np.ndarray, distance_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pieces that may come within each point's distance: (offset, first vertices) by point.

    Those of point ``k`` are ``pieces[offset[k]:offset[k + 1]]``, ascending. A superset:
    each piece's bounding sphere reaches the distance. ``distance_m`` (n_points,) must not
    exceed the reach the grid was built for, nor the pieces' halves its margin.

    Units: metres; ``point_ecef_m`` (n_points, 3).
    """
    distance = np.ascontiguousarray(distance_m, dtype=np.float64).reshape(-1, 1)
    return _pairs_checked(
        grid, spheres, point_ecef_m, distance, np.zeros(spheres.start.shape[0], dtype=np.int64)
    )


def pairs_within_per_threat(
    grid: PointGrid,
    spheres: PieceSpheres,
    point_ecef_m: np.ndarray,
    distance_m: np.ndarray,
    vertex_threat: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`pairs_within`, each point with its own distance to each threat.

    ``distance_m`` (n_points, n_threats): a piece of threat ``i`` is kept for point ``k`` when
    its bounding sphere reaches ``distance_m[k, i]`` (0 or less: never, unless it touches the
    point); ``vertex_threat`` (n_vertices,) the threat of each vertex. No distance may exceed
    the reach the grid was built for.
    """
    distance = np.ascontiguousarray(distance_m, dtype=np.float64)
    column = np.ascontiguousarray(vertex_threat[spheres.start], dtype=np.int64)
    return _pairs_checked(grid, spheres, point_ecef_m, distance, column)


def _pairs_checked(
    grid: PointGrid,
    spheres: PieceSpheres,
    point_ecef_m: np.ndarray,
    distance_m: np.ndarray,
    piece_column: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    if spheres.max_half_m > grid.margin_m:
        msg = f"pieces up to {spheres.max_half_m:.0f} m half-length; grid margin {grid.margin_m}"
        raise ValueError(msg)
    return _pairs(
        grid.cell_start, grid.cell_points, grid.lon0_deg, grid.lat0_deg, grid.n_lon, grid.n_lat,
        spheres.start, spheres.mid_m, spheres.half_m, spheres.mid_lon_deg, spheres.mid_lat_deg,
        np.ascontiguousarray(point_ecef_m, dtype=np.float64).reshape(-1, 3), distance_m,
        piece_column,
    )  # fmt: skip
