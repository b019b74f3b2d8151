"""Which pieces can come within a distance of a point: a latitude-band index over pieces.

Pieces are sorted once by the latitude band of their midpoint; a query takes the bands its
bounding latitudes cover (one contiguous slice) and keeps the pieces whose bounding sphere
(midpoint, half the chord) comes within the distance of the point. The result is sorted by
piece, i.e. by threat and time, the order every per-pair solver walks them in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.pieces import Pieces

__all__ = ["PieceIndex", "piece_index", "pieces_within"]

# Band height, degrees of latitude; metres per degree of latitude, a lower bound on WGS84
# (110,574 m at the equator; NIMA TR8350.2), so a band query never misses a piece.
_BAND_DEG = 0.5
_MIN_M_PER_DEG_LAT = 110_500.0


@dataclass(frozen=True, slots=True)
class PieceIndex:
    """Pieces sorted by latitude band, with their bounding spheres."""

    start: np.ndarray  # (n_pieces,) int64: first vertex of each piece, in band order
    band_start: np.ndarray  # (n_bands + 1,) int64: pieces of band b are [band_start[b], ...)
    lat0_deg: float
    mid_m: np.ndarray  # (n_pieces, 3) float64: midpoint, in band order
    half_m: np.ndarray  # (n_pieces,) float64: half the chord, in band order
    half_lat_deg: np.ndarray  # (n_pieces,) float64: half the latitude span


def piece_index(pieces: Pieces) -> PieceIndex:
    """Build the latitude-band index of one route set's pieces."""
    start = pieces.piece_starts()
    a, b = pieces.ecef_m[start], pieces.ecef_m[start + 1]
    mid_lat = 0.5 * (pieces.lat_deg[start] + pieces.lat_deg[start + 1])
    half_lat = 0.5 * np.abs(pieces.lat_deg[start + 1] - pieces.lat_deg[start])
    lat0 = float(np.floor(mid_lat.min(initial=0.0)))
    band = np.floor((mid_lat - lat0) / _BAND_DEG).astype(np.int64)
    n_bands = int(band.max(initial=0)) + 1
    order = np.argsort(band, kind="stable")
    band_start = np.searchsorted(band[order], np.arange(n_bands + 1)).astype(np.int64)
    return PieceIndex(
        start=start[order],
        band_start=band_start,
        lat0_deg=lat0,
        mid_m=np.ascontiguousarray(0.5 * (a + b)[order]),
        half_m=np.ascontiguousarray(0.5 * np.linalg.norm(b - a, axis=1)[order]),
        half_lat_deg=np.ascontiguousarray(half_lat[order]),
    )


@njit(cache=True, nogil=True)
def _within(
    start: np.ndarray,
    band_start: np.ndarray,
    lat0_deg: float,
    mid_m: np.ndarray,
    half_m: np.ndarray,
    half_lat_deg: np.ndarray,
    point: np.ndarray,
    lat_deg: float,
    distance_m: float,
) -> np.ndarray:
    n_bands = band_start.shape[0] - 1
    reach_deg = distance_m / _MIN_M_PER_DEG_LAT + float(half_lat_deg.max()) + _BAND_DEG
    b0 = max(int(np.floor((lat_deg - reach_deg - lat0_deg) / _BAND_DEG)), 0)
    b1 = min(int(np.floor((lat_deg + reach_deg - lat0_deg) / _BAND_DEG)), n_bands - 1)
    if b1 < b0:
        return np.empty(0, dtype=np.int64)
    lo, hi = band_start[b0], band_start[b1 + 1]
    out = np.empty(hi - lo, dtype=np.int64)
    n = 0
    for q in range(lo, hi):
        dx, dy, dz = mid_m[q, 0] - point[0], mid_m[q, 1] - point[1], mid_m[q, 2] - point[2]
        reach = distance_m + half_m[q]
        if dx * dx + dy * dy + dz * dz <= reach * reach:
            out[n] = start[q]
            n += 1
    return np.sort(out[:n])


def pieces_within(
    index: PieceIndex, point_ecef_m: np.ndarray, lat_deg: float, distance_m: float
) -> np.ndarray:
    """First vertices of the pieces that may come within ``distance_m`` of a point, ascending.

    Units: metres, degrees. A superset: each piece's bounding sphere reaches the distance.
    """
    return _within(
        index.start,
        index.band_start,
        index.lat0_deg,
        index.mid_m,
        index.half_m,
        index.half_lat_deg,
        np.ascontiguousarray(point_ecef_m, dtype=np.float64).reshape(3),
        float(lat_deg),
        float(distance_m),
    )
