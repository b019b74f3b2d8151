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
        order = np.argsort(key, kind="stable")
        self._keys = readonly(key[order])
        self._ids = readonly(order if ids is None else np.asarray(ids)[order])
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
        lo = np.searchsorted(self._keys, rows * self._n_cols + c0)
        hi = np.searchsorted(self._keys, rows * self._n_cols + c1 + 1)
        slices = [slice(a, b) for a, b in zip(lo, hi, strict=True) if b > a]
        if not slices:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        d = np.concatenate([self._ecef[sl] for sl in slices]) - ecef_m
        d2 = np.einsum("ij,ij->i", d, d)
        near = d2 <= radius_m * radius_m
        ids = np.concatenate([self._ids[sl] for sl in slices])[near]
        return ids, np.sqrt(d2[near])


@dataclass(frozen=True, slots=True)
class TypeSamples:
    """The samples of one threat type, indexed, with the type's bounds used for culling."""

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
    for t in np.unique(sample_type):
        members = np.flatnonzero(sample_type == t)
        of_type = compiled.threat_type == t
        groups.append(
            TypeSamples(
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
