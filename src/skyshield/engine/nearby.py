"""Spatial culling: which trajectory samples lie within a radius of a point.

Samples are bucketed once into a latitude/longitude grid and sorted by cell (row-major); a query
takes one contiguous slice per grid row crossing the circle's bounding box, then keeps the
samples within the exact straight-line (ECEF) distance. For the sample counts of a raid
(10^5–10^6) and a few hundred queries this beats a KD-tree, whose ball queries build Python
lists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, readonly

__all__ = ["SampleIndex", "TypeSamples", "samples_by_type", "straight_line_m"]

# Metres per degree of latitude, a lower bound over the WGS84 ellipsoid (110,574 m at the
# equator; NIMA TR8350.2), so the bounding box never cuts a sample within the radius.
_MIN_M_PER_DEG_LAT = 110_500.0
_CELL_DEG = 0.25
_MAX_ABS_LAT_DEG = 89.0


@njit(cache=True, nogil=True)
def _squared_m2(dx: float, dy: float, dz: float) -> float:
    # x and z first: the order numpy's einsum summed a row of three in (two SIMD lanes, then
    # across), which every earlier result was computed with; so windows do not move by an ulp
    return (dx * dx + dz * dz) + dy * dy


@njit(cache=True, nogil=True)
def _straight_line(points: np.ndarray, point: np.ndarray) -> np.ndarray:
    out = np.empty(points.shape[0])
    for i in range(points.shape[0]):
        out[i] = np.sqrt(
            _squared_m2(points[i, 0] - point[0], points[i, 1] - point[1], points[i, 2] - point[2])
        )
    return out


def straight_line_m(points_ecef_m: np.ndarray, point_ecef_m: np.ndarray) -> np.ndarray:
    """Straight-line (ECEF chord) distance from each of ``points_ecef_m`` to one point.

    Units: metres. ``points_ecef_m`` (n, 3) float64, ``point_ecef_m`` (3,). Returns (n,).
    """
    return _straight_line(
        np.ascontiguousarray(points_ecef_m, dtype=np.float64).reshape(-1, 3),
        np.ascontiguousarray(point_ecef_m, dtype=np.float64).reshape(3),
    )


@njit(cache=True, nogil=True)
def _within(
    keys: np.ndarray,
    ecef: np.ndarray,
    ids: np.ndarray,
    rows: np.ndarray,
    c0: int,
    c1: int,
    n_cols: int,
    point: np.ndarray,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the samples of cells ``c0..c1`` of each row within ``radius_m``, in cell order."""
    lo = np.searchsorted(keys, rows * n_cols + c0)
    hi = np.searchsorted(keys, rows * n_cols + c1 + 1)
    found = np.empty(int(np.sum(hi - lo)), dtype=np.int64)
    distance = np.empty(found.shape[0])
    limit = radius_m * radius_m
    n = 0
    for r in range(rows.shape[0]):
        for i in range(lo[r], hi[r]):
            d2 = _squared_m2(ecef[i, 0] - point[0], ecef[i, 1] - point[1], ecef[i, 2] - point[2])
            if d2 <= limit:
                found[n] = ids[i]
                distance[n] = np.sqrt(d2)
                n += 1
    return found[:n], distance[:n]


@njit(cache=True, nogil=True)
def _stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for non-negative integer keys, by counting sort.

    Cell keys span a few thousand values over 10^5-10^6 samples: a counting sort is linear.
    """
    start = np.zeros((key.max() + 2) if key.size else 1, dtype=np.int64)
    for k in key:
        start[k + 1] += 1
    for c in range(1, start.shape[0]):
        start[c] += start[c - 1]
    order = np.empty(key.shape[0], dtype=np.int64)
    for i in range(key.shape[0]):
        order[start[key[i]]] = i
        start[key[i]] += 1
    return order


class SampleIndex:
    """Grid index over trajectory samples (positions in degrees and ECEF metres).

    ``ids`` name the samples in query results (default: their positions in the arrays given).
    Positions are stored in cell order, so a query reads contiguous slices.
    """

    def __init__(
        self,
        lon_deg: np.ndarray,
        lat_deg: np.ndarray,
        ecef_m: np.ndarray,
        ids: np.ndarray | None = None,
    ) -> None:
        self._lon0 = float(lon_deg.min()) if lon_deg.size else 0.0
        self._lat0 = float(lat_deg.min()) if lat_deg.size else 0.0
        span = float(lon_deg.max()) - self._lon0 if lon_deg.size else 0.0
        self._n_cols = int(span / _CELL_DEG) + 2
        key = self._row(lat_deg) * self._n_cols + self._col(lon_deg)
        order = _stable_order(key)
        self._keys = readonly(key[order])
        self._ids = readonly(
            (order if ids is None else np.asarray(ids)[order]).astype(np.int64, copy=False)
        )
        self._ecef = readonly(np.ascontiguousarray(ecef_m[order]))

    def _row(self, lat_deg: np.ndarray | float) -> np.ndarray:
        return np.floor((np.asarray(lat_deg) - self._lat0) / _CELL_DEG).astype(np.int64)

    def _col(self, lon_deg: np.ndarray | float) -> np.ndarray:
        return np.floor((np.asarray(lon_deg) - self._lon0) / _CELL_DEG).astype(np.int64)

    def within(
        self, lon_deg: float, lat_deg: float, ecef_m: np.ndarray, radius_m: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Find the samples within ``radius_m`` of a point (unordered) and their distances.

        The distance is the straight line between ECEF positions.

        Units: degrees, metres. Returns ids (n,) int64 and distances (n,) float64.
        """
        dlat = radius_m / _MIN_M_PER_DEG_LAT
        max_lat = min(abs(lat_deg) + dlat, _MAX_ABS_LAT_DEG)
        dlon = dlat / math.cos(math.radians(max_lat))
        rows = np.arange(int(self._row(lat_deg - dlat)), int(self._row(lat_deg + dlat)) + 1)
        c0 = max(int(self._col(lon_deg - dlon)), 0)
        c1 = min(int(self._col(lon_deg + dlon)), self._n_cols - 1)
        if c1 < c0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return _within(
            self._keys,
            self._ecef,
            self._ids,
            rows,
            c0,
            c1,
            self._n_cols,
            np.ascontiguousarray(ecef_m, dtype=np.float64).reshape(3),
            float(radius_m),
        )


@dataclass(frozen=True, slots=True)
class TypeSamples:
    """The samples of one threat type, indexed, with the type's bounds used for culling."""

    threat_type: int  # index in CompiledScenario.threat_type_keys
    index: SampleIndex  # ids are global sample indices
    speed_mps: float  # fastest threat of the type
    rcs_m2: float  # largest radar cross-section of the type
    max_alt_m: float  # highest sample of the type


def samples_by_type(
    compiled: CompiledScenario,
    sample_offset: np.ndarray,
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    alt_m: np.ndarray,
    ecef_m: np.ndarray,
) -> tuple[TypeSamples, ...]:
    """Index trajectory samples separately per threat type.

    Culling radii depend on a threat's speed (fly-out margin), radar cross-section and altitude
    (detection range, radar horizon); per type they stay tight for slow, low, small threats.
    """
    sample_type = compiled.threat_type[
        np.repeat(np.arange(compiled.n_threats), np.diff(sample_offset))
    ]
    groups = []
    for t in np.unique(compiled.threat_type):  # every threat has samples
        members = np.flatnonzero(sample_type == t)
        of_type = compiled.threat_type == t
        groups.append(
            TypeSamples(
                threat_type=int(t),
                index=SampleIndex(lon_deg[members], lat_deg[members], ecef_m[members], members),
                speed_mps=float(
                    np.maximum(
                        compiled.threat_speed_mps[of_type],
                        compiled.threat_terminal_speed_mps[of_type],
                    ).max()
                ),
                rcs_m2=float(compiled.threat_rcs_m2[of_type].max()),
                max_alt_m=float(alt_m[members].max()),
            )
        )
    return tuple(groups)
