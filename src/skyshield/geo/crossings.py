"""Where straight lines in longitude and latitude cross polygon edges, and whose side they end on.

Polygons (the nations' borders, a rule's explicit zone, a buffer) are prebuilt once into an
:class:`EdgeGrid`: every edge is listed in each cell of a regular grid its bounding box
touches. A segment looks only at the edges of the cells its own bounding box touches (a
threat's piece spans a few cells), intersects each once and returns the crossings sorted
along it. Inside-ness then follows by parity: each crossing of an edge of polygon ``p`` flips
whether the segment is inside ``p``. Two nations sharing a border each own a copy of the
shared edge, so a crossing there flips both: leaving one, entering the other.

An edge counts a crossing at its start vertex but not at its end (half-open), so a segment
through a vertex shared by two consecutive edges crosses once; a segment counts a crossing at
its end but not at its start, so consecutive pieces of a path count a crossing at their joint
once. Segments along an edge (parallel) count no crossing: a measure-zero case.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numba import njit

from skyshield.geo.borders import REGION_LAT_DEG, REGION_LON_DEG, nation_geometries

__all__ = [
    "EdgeGrid",
    "code_changes",
    "crossings_on_segment",
    "edge_grid",
    "national_edge_grid",
    "segment_crossings",
]

# Grid cell for the edge index, degrees: a 20 km piece spans at most a few cells, and a cell
# of the national borders holds a handful of edges.
CELL_DEG = 0.1


@dataclass(frozen=True, slots=True)
class EdgeGrid:
    """Polygon edges indexed by grid cell (compressed rows, cell-major).

    Edges of cell ``c`` are ``cell_edges[cell_start[c]:cell_start[c + 1]]``; cell ``c`` is row
    ``c // n_lon`` (latitude) and column ``c % n_lon`` of the grid from (lon0, lat0).
    """

    lon0_deg: float
    lat0_deg: float
    n_lon: int
    n_lat: int
    cell_start: np.ndarray  # (n_cells + 1,) int64
    cell_edges: np.ndarray  # (n_entries,) int64
    x0: np.ndarray  # (n_edges,) float64: start longitude
    y0: np.ndarray  # (n_edges,) float64: start latitude
    x1: np.ndarray  # (n_edges,) float64
    y1: np.ndarray  # (n_edges,) float64
    flipped: np.ndarray  # (n_edges,) bool: stored end to start of its ring's direction
    polygon: np.ndarray  # (n_edges,) int64: index of the polygon the edge bounds
    n_polygons: int
    # (n_lat + 1, n_lon + 1) int64: entries of the cells in rows < j and columns < i (a
    # summed-area table), so a segment whose cells list no edge at all is passed in O(1)
    cell_sum: np.ndarray


def edge_grid(
    polygons: Sequence[shapely.Geometry],
    lon_range_deg: tuple[float, float] = REGION_LON_DEG,
    lat_range_deg: tuple[float, float] = REGION_LAT_DEG,
) -> EdgeGrid:
    """Index the edges of every ring of each (multi)polygon; polygon ``p`` is ``polygons[p]``.

    Units: degrees. The grid covers the given region; edges outside it are clipped to its
    border cells (a segment outside the region still finds them).
    """
    xs0, ys0, xs1, ys1, owner = [], [], [], [], []
    for p, geom in enumerate(polygons):
        for ring in shapely.get_rings(shapely.get_parts(geom)):
            xy = shapely.get_coordinates(ring)
            xs0.append(xy[:-1, 0])
            ys0.append(xy[:-1, 1])
            xs1.append(xy[1:, 0])
            ys1.append(xy[1:, 1])
            owner.append(np.full(xy.shape[0] - 1, p, dtype=np.int64))
    x0 = np.concatenate(xs0) if xs0 else np.zeros(0)
    y0 = np.concatenate(ys0) if ys0 else np.zeros(0)
    x1 = np.concatenate(xs1) if xs1 else np.zeros(0)
    y1 = np.concatenate(ys1) if ys1 else np.zeros(0)
    polygon = np.concatenate(owner) if owner else np.zeros(0, dtype=np.int64)
    # Each edge is stored in one canonical direction (lexicographically increasing), so the two
    # nations' copies of a shared edge give bit-identical crossings; ``flipped`` keeps the
    # ring's direction for the half-open rule.
    flipped = (x0 > x1) | ((x0 == x1) & (y0 > y1))
    x0, x1 = np.where(flipped, x1, x0), np.where(flipped, x0, x1)
    y0, y1 = np.where(flipped, y1, y0), np.where(flipped, y0, y1)
    n_lon = round((lon_range_deg[1] - lon_range_deg[0]) / CELL_DEG)
    n_lat = round((lat_range_deg[1] - lat_range_deg[0]) / CELL_DEG)
    start, edges = _index(x0, y0, x1, y1, lon_range_deg[0], lat_range_deg[0], n_lon, n_lat)
    cell_sum = np.zeros((n_lat + 1, n_lon + 1), dtype=np.int64)
    cell_sum[1:, 1:] = np.diff(start).reshape(n_lat, n_lon).cumsum(axis=0).cumsum(axis=1)
    for a in (x0, y0, x1, y1, flipped, polygon, start, edges, cell_sum):
        a.flags.writeable = False
    return EdgeGrid(
        lon0_deg=lon_range_deg[0],
        lat0_deg=lat_range_deg[0],
        n_lon=n_lon,
        n_lat=n_lat,
        cell_start=start,
        cell_edges=edges,
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        flipped=flipped,
        polygon=polygon,
        n_polygons=len(polygons),
        cell_sum=cell_sum,
    )


@njit(cache=True, nogil=True, inline="always")
def _cell(value: float, origin: float, n: int) -> int:
    return min(max(int(np.floor((value - origin) / CELL_DEG)), 0), n - 1)


@njit(cache=True, nogil=True)
def _index(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
) -> tuple[np.ndarray, np.ndarray]:
    counts = np.zeros(n_lon * n_lat + 1, dtype=np.int64)
    start = np.zeros(n_lon * n_lat + 1, dtype=np.int64)
    fill = start.copy()
    edges = np.empty(0, dtype=np.int64)
    for phase in range(2):
        if phase == 1:
            start = np.zeros(n_lon * n_lat + 1, dtype=np.int64)
            start[1:] = np.cumsum(counts[:-1])
            fill = start.copy()
            edges = np.empty(start[-1], dtype=np.int64)
        for e in range(x0.shape[0]):
            i0, i1 = _cell(min(x0[e], x1[e]), lon0, n_lon), _cell(max(x0[e], x1[e]), lon0, n_lon)
            j0, j1 = _cell(min(y0[e], y1[e]), lat0, n_lat), _cell(max(y0[e], y1[e]), lat0, n_lat)
            for j in range(j0, j1 + 1):
                for i in range(i0, i1 + 1):
                    c = j * n_lon + i
                    if phase == 0:
                        counts[c] += 1
                    else:
                        edges[fill[c]] = e
                        fill[c] += 1
    return start, edges


@njit(cache=True, nogil=True, inline="always")
def _no_edges(
    cell_sum: np.ndarray,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
    ax: float,
    ay: float,
    bx: float,
    by: float,
) -> bool:
    """Tell whether no cell :func:`crossings_on_segment` would look at lists an edge."""
    i0, i1 = _cell(min(ax, bx), lon0, n_lon), _cell(max(ax, bx), lon0, n_lon)
    j0, j1 = _cell(min(ay, by), lat0, n_lat), _cell(max(ay, by), lat0, n_lat)
    total = cell_sum[j1 + 1, i1 + 1] - cell_sum[j0, i1 + 1] - cell_sum[j1 + 1, i0]
    return bool(total + cell_sum[j0, i0] == 0)


@njit(cache=True, nogil=True)
def crossings_on_segment(
    cell_start: np.ndarray,
    cell_edges: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    flipped: np.ndarray,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
    ax: float,
    ay: float,
    bx: float,
    by: float,
    stamp: np.ndarray,
    query: int,
    out_u: np.ndarray,
    out_edge: np.ndarray,
) -> int:
    """Crossings of the segment (ax, ay)→(bx, by) with the grid's edges, sorted along it.

    Writes the fraction ``u`` in ``(0, 1]`` along the segment and the edge of each crossing to
    ``out_u``, ``out_edge`` and returns the count. ``stamp`` (n_edges,) int64 marks edges seen
    in query ``query`` (a distinct value per call) so an edge in several cells counts once.
    """
    i0, i1 = _cell(min(ax, bx), lon0, n_lon), _cell(max(ax, bx), lon0, n_lon)
    j0, j1 = _cell(min(ay, by), lat0, n_lat), _cell(max(ay, by), lat0, n_lat)
    dx, dy = bx - ax, by - ay
    n = 0
    for j in range(j0, j1 + 1):
        for i in range(i0, i1 + 1):
            c = j * n_lon + i
            for q in range(cell_start[c], cell_start[c + 1]):
                e = cell_edges[q]
                if stamp[e] == query:
                    continue
                stamp[e] = query
                ex, ey = x1[e] - x0[e], y1[e] - y0[e]
                den = dx * ey - dy * ex
                if den == 0.0:
                    continue
                px, py = x0[e] - ax, y0[e] - ay
                u = (px * ey - py * ex) / den
                w = (px * dy - py * dx) / den
                if flipped[e]:
                    w = 1.0 - w
                if 0.0 < u <= 1.0 and 0.0 <= w < 1.0:
                    if n == out_u.shape[0]:
                        return -1  # the caller's buffer is too small
                    out_u[n] = u
                    out_edge[n] = e
                    n += 1
    # insertion sort along the segment: a piece crosses a few edges at most
    for k in range(1, n):
        m = k
        while m > 0 and out_u[m - 1] > out_u[m]:
            out_u[m - 1], out_u[m] = out_u[m], out_u[m - 1]
            out_edge[m - 1], out_edge[m] = out_edge[m], out_edge[m - 1]
            m -= 1
    return n


def segment_crossings(
    grid: EdgeGrid, ax: float, ay: float, bx: float, by: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fractions along one segment where it crosses an edge, and the crossed polygon.

    Units: degrees in. Returns ``u`` (n,) float64 in (0, 1], ascending, and the polygon index
    (n,) int64 of each crossing.
    """
    stamp = np.full(grid.x0.shape[0], -1, dtype=np.int64)
    size = 64
    while True:
        u, edge = np.empty(size), np.empty(size, dtype=np.int64)
        n = crossings_on_segment(
            grid.cell_start, grid.cell_edges, grid.x0, grid.y0, grid.x1, grid.y1,
            grid.flipped, grid.lon0_deg, grid.lat0_deg, grid.n_lon, grid.n_lat,
            ax, ay, bx, by, stamp, 0, u, edge,
        )  # fmt: skip
        if n >= 0:
            return u[:n], grid.polygon[edge[:n]]
        stamp[:] = -1
        size *= 4


@functools.cache
def national_edge_grid() -> EdgeGrid:
    """Build once the edge grid of all borders (polygon ``p`` is ``NATION_CODES[p]``)."""
    return edge_grid(nation_geometries())


@njit(cache=True, nogil=True)
def _walk(
    cell_start: np.ndarray,
    cell_edges: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    flipped: np.ndarray,
    edge_polygon: np.ndarray,
    n_polygons: int,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
    path_offset: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    start_code: np.ndarray,
    cell_sum: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """See :func:`code_changes`; each path starts inside polygon ``start_code`` (or none)."""
    stamp = np.full(x0.shape[0], -1, dtype=np.int64)
    inside = np.zeros(n_polygons, dtype=np.int8)
    cap = 1024
    at_vertex = np.empty(cap, dtype=np.int64)
    at_u = np.empty(cap)
    code_after = np.empty(cap, dtype=np.int64)
    buf_u = np.empty(256)
    buf_e = np.empty(256, dtype=np.int64)
    n, query = 0, 0
    for path in range(path_offset.shape[0] - 1):
        inside[:] = 0
        code = start_code[path]
        if code >= 0:
            inside[code] = 1
        for v in range(path_offset[path], path_offset[path + 1] - 1):
            if _no_edges(
                cell_sum, lon0, lat0, n_lon, n_lat, lon[v], lat[v], lon[v + 1], lat[v + 1]
            ):
                continue  # most pieces: no border near (the same result, found in O(1))
            k = crossings_on_segment(
                cell_start, cell_edges, x0, y0, x1, y1, flipped, lon0, lat0, n_lon, n_lat,
                lon[v], lat[v], lon[v + 1], lat[v + 1], stamp, query, buf_u, buf_e,
            )  # fmt: skip
            query += 1
            if k < 0:
                raise ValueError("more than 256 border crossings on one piece")
            for c in range(k):
                p = edge_polygon[buf_e[c]]
                inside[p] ^= 1
                # a code change takes effect after every crossing at the same point
                if c + 1 < k and buf_u[c + 1] == buf_u[c]:
                    continue
                new = -1
                for q in range(n_polygons):
                    if inside[q]:
                        new = q
                        break
                if new == code:
                    continue
                code = new
                if n == at_vertex.shape[0]:
                    at_vertex = np.concatenate((at_vertex, np.empty(n, dtype=np.int64)))
                    at_u = np.concatenate((at_u, np.empty(n)))
                    code_after = np.concatenate((code_after, np.empty(n, dtype=np.int64)))
                at_vertex[n], at_u[n], code_after[n] = v, buf_u[c], new
                n += 1
    return at_vertex[:n], at_u[:n], code_after[:n]


def code_changes(
    grid: EdgeGrid,
    path_offset: np.ndarray,
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    start_code: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where paths of straight lon/lat segments enter and leave the grid's polygons.

    Path ``k`` has vertices ``[path_offset[k], path_offset[k + 1])`` and starts inside polygon
    ``start_code[k]`` (-1: none). A path's code is the lowest-numbered polygon it is inside
    (as :func:`skyshield.geo.territory_codes` resolves touching nations), -1 outside all.

    Returns
    -------
    vertex : (n_changes,) int64, the segment's first vertex
    u : (n_changes,) float64, fraction along the segment, in (0, 1]
    code : (n_changes,) int64, the code from there on
    Sorted by path, then along it.
    """
    return _walk(
        grid.cell_start, grid.cell_edges, grid.x0, grid.y0, grid.x1, grid.y1, grid.flipped,
        grid.polygon,
        grid.n_polygons, grid.lon0_deg, grid.lat0_deg, grid.n_lon, grid.n_lat,
        np.ascontiguousarray(path_offset, dtype=np.int64),
        np.ascontiguousarray(lon_deg, dtype=np.float64),
        np.ascontiguousarray(lat_deg, dtype=np.float64),
        np.ascontiguousarray(start_code, dtype=np.int64), grid.cell_sum,
    )  # fmt: skip
