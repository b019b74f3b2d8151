"""Spatial culling: which trajectory samples lie within a radius of a point.

Samples are bucketed once into a latitude/longitude grid and sorted by cell (row-major); a query
takes one contiguous slice per grid row crossing the circle's bounding box, then keeps the
samples within the exact straight-line (ECEF) distance. For the sample counts of a raid
(10^5–10^6) and a few hundred queries this beats a KD-tree, whose ball queries build Python
lists.
"""

from __future__ import annotations

import math

import numpy as np

from skyshield.engine.compiled import readonly

__all__ = ["SampleIndex"]

# Metres per degree of latitude, a lower bound over the WGS84 ellipsoid (110,574 m at the
# equator; NIMA TR8350.2), so the bounding box never cuts a sample within the radius.
_MIN_M_PER_DEG_LAT = 110_500.0
_CELL_DEG = 0.25
_MAX_ABS_LAT_DEG = 89.0


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
        """Return indices (ascending) of samples within ``radius_m`` (straight line) of a point.

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
        d2 = ((self._ecef[idx] - ecef_m) ** 2).sum(axis=1)
        return np.sort(idx[d2 <= radius_m * radius_m])
