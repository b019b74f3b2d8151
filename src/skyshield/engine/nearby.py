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

from skyshield.engine.compiled import CompiledScenario, readonly

__all__ = ["SampleIndex", "TypeSamples", "samples_by_type", "straight_line_m"]

# Metres per degree of latitude, a lower bound over the WGS84 ellipsoid (110,574 m at the
# equator; NIMA TR8350.2), so the bounding box never cuts a sample within the radius.
_MIN_M_PER_DEG_LAT = 110_500.0
_CELL_DEG = 0.25
_MAX_ABS_LAT_DEG = 89.0


def straight_line_m(points_ecef_m: np.ndarray, point_ecef_m: np.ndarray) -> np.ndarray:
    """Straight-line (ECEF chord) distance from each of ``points_ecef_m`` to one point.

    Units: metres. ``points_ecef_m`` (n, 3) float64, ``point_ecef_m`` (3,). Returns (n,).
    """
    d = points_ecef_m - point_ecef_m
    distance: np.ndarray = np.sqrt(np.einsum("ij,ij->i", d, d))
    return distance


class SampleIndex:
    """Grid index over trajectory samples (positions in degrees and ECEF metres)."""

    def __init__(self, lon_deg: np.ndarray, lat_deg: np.ndarray, ecef_m: np.ndarray) -> None:
        self._lon0 = float(lon_deg.min()) if lon_deg.size else 0.0
        self._lat0 = float(lat_deg.min()) if lat_deg.size else 0.0
        span = float(lon_deg.max()) - self._lon0 if lon_deg.size else 0.0
        self._n_cols = int(span / _CELL_DEG) + 2
        key = self._row(lat_deg) * self._n_cols + self._col(lon_deg)
        self._order = readonly(np.argsort(key, kind="stable"))
        self._keys = readonly(key[self._order])
        self._ecef = ecef_m

    def _row(self, lat_deg: np.ndarray | float) -> np.ndarray:
        return np.floor((np.asarray(lat_deg) - self._lat0) / _CELL_DEG).astype(np.int64)

    def _col(self, lon_deg: np.ndarray | float) -> np.ndarray:
        return np.floor((np.asarray(lon_deg) - self._lon0) / _CELL_DEG).astype(np.int64)

    def within(
        self, lon_deg: float, lat_deg: float, ecef_m: np.ndarray, radius_m: float
    ) -> np.ndarray:
        """Return indices (in no particular order) of samples within ``radius_m`` of a point.

        The distance is the straight line between ECEF positions.

        Units: degrees, metres. Returns (n,) int64.
        """
        dlat = radius_m / _MIN_M_PER_DEG_LAT
        max_lat = min(abs(lat_deg) + dlat, _MAX_ABS_LAT_DEG)
        dlon = dlat / math.cos(math.radians(max_lat))
        rows = np.arange(int(self._row(lat_deg - dlat)), int(self._row(lat_deg + dlat)) + 1)
        c0 = max(int(self._col(lon_deg - dlon)), 0)
        c1 = min(int(self._col(lon_deg + dlon)), self._n_cols - 1)
        if c1 < c0:
            return np.zeros(0, dtype=np.int64)
        lo = np.searchsorted(self._keys, rows * self._n_cols + c0)
        hi = np.searchsorted(self._keys, rows * self._n_cols + c1 + 1)
        idx = np.concatenate([self._order[a:b] for a, b in zip(lo, hi, strict=True)])
        d = self._ecef[idx] - ecef_m
        found: np.ndarray = idx[np.einsum("ij,ij->i", d, d) <= radius_m * radius_m]
        return found


@dataclass(frozen=True, slots=True)
class TypeSamples:
    """The samples of one threat type, indexed, with the type's bounds used for culling."""

    index: SampleIndex
    members: np.ndarray  # (n,) int64: global sample indices, ascending
    speed_mps: float  # fastest threat of the type
    rcs_m2: float  # largest radar cross-section of the type
    max_alt_m: float  # highest sample of the type

    def within(
        self, lon_deg: float, lat_deg: float, ecef_m: np.ndarray, radius_m: float
    ) -> np.ndarray:
        """Return global indices (unordered) of this type's samples within ``radius_m``."""
        found: np.ndarray = self.members[self.index.within(lon_deg, lat_deg, ecef_m, radius_m)]
        return found


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
    for t in np.unique(sample_type):
        members = np.flatnonzero(sample_type == t)
        of_type = compiled.threat_type == t
        groups.append(
            TypeSamples(
                index=SampleIndex(lon_deg[members], lat_deg[members], ecef_m[members]),
                members=readonly(members),
                speed_mps=float(compiled.threat_speed_mps[of_type].max()),
                rcs_m2=float(compiled.threat_rcs_m2[of_type].max()),
                max_alt_m=float(alt_m[members].max()),
            )
        )
    return tuple(groups)
