"""Which nation's territory (and so airspace) contains a point.

`territory_codes` is exact: for any point not exactly on a border it returns the same nation as
a shapely ``contains`` test against the shipped polygons. It is fast because of a grid over the
region, built once per process on first use (`_territory_grid`): every border vertex and
segment marks the cells its bounding box touches, dilated by one cell; each connected component
of unmarked cells contains no border, so it lies wholly inside one nation (or none) and takes the
nation of one representative cell centre. Points in unmarked cells read their code from the grid;
only points in marked cells are tested against the polygons with ``shapely.contains_xy``.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from numba import njit
from scipy import ndimage

from skyshield.geo.borders import (
    NO_NATION,
    REGION_LAT_DEG,
    REGION_LON_DEG,
    nation_geometries,
)

__all__ = ["contains_xy_locked", "exact_territory_codes", "territory_codes"]

Int16Array = npt.NDArray[np.int16]

# Grid cell size: 0.05 deg (about 5.5 km north-south) gives 1480 x 780 cells (2.3 MB) and keeps
# the share of points needing an exact polygon test near 20 % over Ukraine and its neighbours.
_CELL_DEG = 0.05
_BORDER_CELL = -2  # grid value: the cell may contain a border, test exactly
_GEOS_LOCK = threading.Lock()
_GRID_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Grid:
    """Per-cell nation code, or `_BORDER_CELL`.

    Attributes
    ----------
    codes : (n_lat, n_lon) int16, read-only; cell (j, i) covers
        lon0 + i*step <= lon < lon0 + (i+1)*step, lat likewise.
    """

    lon0_deg: float
    lat0_deg: float
    step_deg: float
    codes: Int16Array


def _cells(
    lon_deg: np.ndarray, lat_deg: np.ndarray, grid_shape: tuple[int, int]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    i = np.floor((lon_deg - REGION_LON_DEG[0]) / _CELL_DEG).astype(np.intp)
    j = np.floor((lat_deg - REGION_LAT_DEG[0]) / _CELL_DEG).astype(np.intp)
    return np.clip(j, 0, grid_shape[0] - 1), np.clip(i, 0, grid_shape[1] - 1)


def contains_xy_locked(
    geometry: shapely.Geometry, lon_deg: np.ndarray, lat_deg: np.ndarray
) -> np.ndarray:
    """``shapely.contains_xy`` under one process-wide lock.

    GEOS builds a prepared geometry's point-in-area index lazily on first use; two threads
    doing that at once corrupt the heap (seen as ``malloc(): unaligned tcache chunk`` when
    route sets were built on two threads). Every polygon test in skyshield goes through here.
    """
    with _GEOS_LOCK:
        return np.asarray(shapely.contains_xy(geometry, lon_deg, lat_deg), dtype=bool)


def _territory_grid() -> _Grid:
    """Return the acceleration grid, built once per process (thread-safe)."""
    with _GRID_LOCK:
        return _build_territory_grid()


@functools.cache
def _build_territory_grid() -> _Grid:
    n_lon = round((REGION_LON_DEG[1] - REGION_LON_DEG[0]) / _CELL_DEG)
    n_lat = round((REGION_LAT_DEG[1] - REGION_LAT_DEG[0]) / _CELL_DEG)
    border = np.zeros((n_lat, n_lon), dtype=bool)
    for geom in nation_geometries():
        for ring in shapely.get_parts(shapely.get_rings(shapely.get_parts(geom))):
            xy = shapely.get_coordinates(ring)
            lo = np.minimum(xy[:-1], xy[1:])
            hi = np.maximum(xy[:-1], xy[1:])
            j0, i0 = _cells(lo[:, 0], lo[:, 1], border.shape)
            j1, i1 = _cells(hi[:, 0], hi[:, 1], border.shape)
            for a, b, c, d in zip(j0, j1, i0, i1, strict=True):
                border[max(a - 1, 0) : b + 2, max(c - 1, 0) : d + 2] = True
    labels, n_labels = ndimage.label(~border)
    # One representative cell per component: the first cell in row-major order.
    flat = labels.ravel()
    _, first = np.unique(flat, return_index=True)
    first = first[flat[first] > 0]
    rep_j, rep_i = np.divmod(first, n_lon)
    rep_lon = REGION_LON_DEG[0] + (rep_i + 0.5) * _CELL_DEG
    rep_lat = REGION_LAT_DEG[0] + (rep_j + 0.5) * _CELL_DEG
    rep_codes = exact_territory_codes(rep_lon, rep_lat)
    lookup = np.full(n_labels + 1, _BORDER_CELL, dtype=np.int16)
    lookup[flat[first]] = rep_codes
    codes = lookup[labels]
    codes.flags.writeable = False
    return _Grid(REGION_LON_DEG[0], REGION_LAT_DEG[0], _CELL_DEG, codes)


def exact_territory_codes(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> Int16Array:
    """Look nations up by testing every point against the polygons (reference, no grid).

    Units: degrees.

    Parameters
    ----------
    lon_deg, lat_deg : array_like float
        Points; broadcast together.

    Returns
    -------
    int16 array of the broadcast shape: index into `NATION_CODES`, or -1 (`NO_NATION`).
    Where polygons touch, the first nation in `NATION_CODES` order wins.
    """
    lon, lat = np.broadcast_arrays(
        np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
    )
    out = np.full(lon.shape, NO_NATION, dtype=np.int16)
    flat_lon, flat_lat, flat_out = lon.ravel(), lat.ravel(), out.reshape(-1)
    finite = np.flatnonzero(np.isfinite(flat_lon) & np.isfinite(flat_lat))
    geoms, (x0, y0, x1, y1) = nation_geometries(), _nation_bounds().T
    for start in range(0, finite.size, _EXACT_CHUNK):
        todo = finite[start : start + _EXACT_CHUNK]
        x, y = flat_lon[todo, None], flat_lat[todo, None]
        # (points, nations): inside the nation's bounding box; nations tested in code order,
        # a point leaving the test at its first hit (the first nation wins where they touch)
        in_box = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        for k in np.flatnonzero(in_box.any(axis=0)):
            cand = np.flatnonzero(in_box[:, k])
            if cand.size == 0:
                continue
            hit = cand[contains_xy_locked(geoms[k], flat_lon[todo[cand]], flat_lat[todo[cand]])]
            flat_out[todo[hit]] = k
            in_box[hit, :] = False
    return out


# points per block of exact_territory_codes' (points, nations) bounding-box table (~4 MB)
_EXACT_CHUNK = 65_536


@functools.cache
def _nation_bounds() -> npt.NDArray[np.float64]:
    """(nations, 4): each nation's bounding box, lon0, lat0, lon1, lat1 (degrees)."""
    return np.asarray(shapely.bounds(np.asarray(nation_geometries(), dtype=object)))


def territory_codes(lon_deg: npt.ArrayLike, lat_deg: npt.ArrayLike) -> Int16Array:
    """Nation whose territory (and airspace) contains each point.

    Exact: equal to `exact_territory_codes` (shapely ``contains`` on the shipped polygons) for
    points not exactly on a border; a grid built on first use answers most points directly.

    Units: degrees (WGS84 lon, lat).

    Parameters
    ----------
    lon_deg, lat_deg : array_like float
        Points; broadcast together. Non-finite values give -1.

    Returns
    -------
    int16 array of the broadcast shape: index into `NATION_CODES`, or -1 (`NO_NATION`) at sea
    or outside the region lon -12..62, lat 33..72.
    """
    lon, lat = np.broadcast_arrays(
        np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
    )
    grid = _territory_grid()
    flat_lon = np.ascontiguousarray(lon.ravel())
    flat_lat = np.ascontiguousarray(lat.ravel())
    out = _grid_codes(flat_lon, flat_lat, grid.codes)
    hard = np.flatnonzero(out == _BORDER_CELL)
    out[hard] = exact_territory_codes(flat_lon[hard], flat_lat[hard])
    return out.reshape(lon.shape)


@njit(cache=True, nogil=True)
def _grid_codes(lon_deg: np.ndarray, lat_deg: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each point's grid cell code (`_BORDER_CELL` to test exactly); `NO_NATION` outside."""
    out = np.full(lon_deg.shape[0], NO_NATION, dtype=np.int16)
    for m in range(lon_deg.shape[0]):
        lon, lat = lon_deg[m], lat_deg[m]
        if (
            lon >= REGION_LON_DEG[0]
            and lon <= REGION_LON_DEG[1]
            and lat >= REGION_LAT_DEG[0]
            and lat <= REGION_LAT_DEG[1]
        ):
            # the cell arithmetic of _cells, which built the grid
            i = int(np.floor((lon - REGION_LON_DEG[0]) / _CELL_DEG))
            j = int(np.floor((lat - REGION_LAT_DEG[0]) / _CELL_DEG))
            out[m] = codes[min(max(j, 0), codes.shape[0] - 1), min(max(i, 0), codes.shape[1] - 1)]
    return out
