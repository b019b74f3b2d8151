"""Time intervals a threat's piece spends inside a unit's envelope, solved in closed form.

On a piece (:mod:`skyshield.engine.pieces`) the threat is ``X(s) = A + V s`` in ECEF for
``s`` in ``[0, d]`` seconds after the piece's start, at altitude ``h(s)`` linear in ``s``.
Every condition a unit puts on where it may intercept is a set of ``s`` found without
sampling:

* range band ``r_min ≤ |X(s) − U| ≤ r_max``: ``|A − U + V s|² = r²`` is a quadratic in ``s``;
  inside the outer sphere is one interval, outside the inner one at most two;
* altitude band ``h_min ≤ h(s) ≤ h_max``: linear, one interval;
* own radar's free-space range against the threat's cross-section: one more sphere;
* 4/3-Earth horizon ``|X(s) − U_antenna| ≤ H_r + sqrt(2 k R h(s))``: the left side is convex
  and the right concave in ``s`` where ``h ≥ 0``, so their difference is concave and the set is
  one interval, whose ends are found by bisection to :data:`ROOT_TOLERANCE_S`;
* azimuth sector ``|bearing − azimuth| ≤ half``: the bearing of ``X − U`` in the unit's local
  east–north plane (the normal section through the unit's vertical) lies clockwise of the
  sector's left edge and anticlockwise of its right edge: two half-planes through the unit's
  vertical, each linear in ``s``; a sector narrower than a half-circle is their intersection,
  a wider one their union.

A unit's position enters only as a point and its local axes, so a unit that moves (fighters
on patrol orbits) can be passed piece by piece with its position at the time; a fixed unit is
the simple case built by :func:`unit_frames`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from skyshield.geo import lonlat_to_ecef_m

__all__ = [
    "MAX_INTERVALS",
    "ROOT_TOLERANCE_S",
    "envelope_on_piece",
    "envelope_prepared",
    "horizon_term_m",
    "sector_normals",
    "unit_frames",
]

# Most disjoint intervals one piece can give: the range band's two, each cut by a sector
# union's two.
MAX_INTERVALS = 8
# Bisection of the horizon's ends stops when the bracket is this short (seconds).
ROOT_TOLERANCE_S = 1e-6
# Rounding allowance of :func:`_horizon_bound` (metres; its terms are exact to ~1e-9 m): an
# interval is passed over only when the bound is below minus this, so a gap the bisection
# would evaluate as >= 0 is never passed over.
_BOUND_SLACK_M = 1e-3
# 2 k R of the 4/3-Earth horizon, k = 4/3, R = 6,371 km (as skyshield.geo.radar_horizon_m).
TWO_K_R_M = 2.0 * 4.0 / 3.0 * 6_371_000.0


def unit_frames(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local east and north unit vectors (ECEF) at fixed points: (n, 3) float64 each."""
    lon, lat = (
        np.radians(np.asarray(lon_deg, dtype=np.float64)),
        np.radians(np.asarray(lat_deg, dtype=np.float64)),
    )
    east = np.stack([-np.sin(lon), np.cos(lon), np.zeros_like(lon)], axis=-1)
    north = np.stack([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)], axis=-1)
    return east.reshape(-1, 3), north.reshape(-1, 3)


def antenna_ecef_m(lon_deg: np.ndarray, lat_deg: np.ndarray, height_m: np.ndarray) -> np.ndarray:
    """(n, 3) float64 ECEF of antennas at a height above fixed points."""
    return np.asarray(lonlat_to_ecef_m(lon_deg, lat_deg, height_m), dtype=np.float64).reshape(-1, 3)


@njit(cache=True, nogil=True, inline="always")
def _sphere_roots(
    ax: float, ay: float, az: float, vx: float, vy: float, vz: float, r: float
) -> tuple[float, float]:
    """Solve ``|A + V s| = r`` for ``s1 ≤ s2``; (inf, -inf) when the line stays outside."""
    qa = vx * vx + vy * vy + vz * vz
    qb = 2.0 * (ax * vx + ay * vy + az * vz)
    qc = ax * ax + ay * ay + az * az - r * r
    if qa <= 0.0:
        return (-np.inf, np.inf) if qc <= 0.0 else (np.inf, -np.inf)
    disc = qb * qb - 4.0 * qa * qc
    if disc < 0.0:
        return np.inf, -np.inf
    sq = np.sqrt(disc)
    q = -0.5 * (qb + sq) if qb >= 0.0 else -0.5 * (qb - sq)
    if q == 0.0:  # qb = qc = 0: touches the sphere at s = 0
        return 0.0, 0.0
    r1, r2 = q / qa, qc / q
    return min(r1, r2), max(r1, r2)


@njit(cache=True, nogil=True, inline="always")
def _clip(lo: np.ndarray, hi: np.ndarray, n: int, a: float, b: float) -> int:
    """Intersect the intervals ``[lo, hi)[:n]`` with ``[a, b]`` in place; return the count."""
    m = 0
    for k in range(n):
        x, y = max(lo[k], a), min(hi[k], b)
        if x < y:
            lo[m], hi[m] = x, y
            m += 1
    return m


@njit(cache=True, nogil=True, inline="always")
def _clip_out(lo: np.ndarray, hi: np.ndarray, n: int, a: float, b: float) -> int:
    """Remove ``(a, b)`` from the intervals in place (at most doubles them); return the count."""
    if not a < b:
        return n
    m = n
    for k in range(n):
        x, y = lo[k], hi[k]
        if y <= a or x >= b:
            continue
        if x < a and y > b:  # split in two: the right part goes to the end
            lo[m], hi[m] = b, y
            m += 1
            hi[k] = a
        elif x < a:
            hi[k] = a
        elif y > b:
            lo[k] = b
        else:
            hi[k] = x  # emptied
    out = 0
    for k in range(m):
        if lo[k] < hi[k]:
            lo[out], hi[out] = lo[k], hi[k]
            out += 1
    # keep them sorted: a split appended its right part at the end
    for k in range(1, out):
        j = k
        while j > 0 and lo[j - 1] > lo[j]:
            lo[j - 1], lo[j] = lo[j], lo[j - 1]
            hi[j - 1], hi[j] = hi[j], hi[j - 1]
            j -= 1
    return out


@njit(cache=True, nogil=True, inline="always")
def _combine(
    a: float, u: np.ndarray, b: float, w: np.ndarray
) -> tuple[float, float, float]:  # fmt: skip
    """Return ``a u − b w`` for 3-vectors, as a tuple (no array is allocated)."""
    return a * u[0] - b * w[0], a * u[1] - b * w[1], a * u[2] - b * w[2]


@njit(cache=True, nogil=True, inline="always")
def _half_plane(ax: float, ay: float, az: float, vx: float, vy: float, vz: float,
                nx: float, ny: float, nz: float, d: float) -> tuple[float, float]:  # fmt: skip
    """Find the part of ``[0, d]`` where ``(A + V s)·n ≥ 0``: (lo, hi), empty when lo ≥ hi."""
    f0 = ax * nx + ay * ny + az * nz
    slope = vx * nx + vy * ny + vz * nz
    if slope == 0.0:
        return (0.0, d) if f0 >= 0.0 else (0.0, 0.0)
    root = -f0 / slope
    if slope > 0.0:
        return max(root, 0.0), d
    return 0.0, min(root, d)


@njit(cache=True, nogil=True)
def _horizon_gap(
    ax: float, ay: float, az: float, vx: float, vy: float, vz: float,
    h0: float, dh: float, radar_horizon_m: float, s: float,
) -> float:  # fmt: skip
    """Horizon range less slant range at ``s``: ≥ 0 where the radar sees over the horizon."""
    x, y, z = ax + vx * s, ay + vy * s, az + vz * s
    h = h0 + dh * s
    return float(
        radar_horizon_m
        + np.sqrt(TWO_K_R_M * (h if h > 0.0 else 0.0))
        - np.sqrt(x * x + y * y + z * z)
    )


@njit(cache=True, nogil=True, inline="always")
def _horizon_bound(
    ax: float, ay: float, az: float, vx: float, vy: float, vz: float,
    h0: float, dh: float, radar_horizon_m: float, a: float, b: float,
) -> float:  # fmt: skip
    """Bound the horizon gap on ``[a, b]`` from above.

    The bound is the horizon at the higher end less the least slant range (the segment's
    nearest point, in closed form).
    """
    h = max(h0 + dh * a, h0 + dh * b, 0.0)
    vv = vx * vx + vy * vy + vz * vz
    s = a if vv <= 0.0 else min(max(-(ax * vx + ay * vy + az * vz) / vv, a), b)
    x, y, z = ax + vx * s, ay + vy * s, az + vz * s
    return float(radar_horizon_m + np.sqrt(TWO_K_R_M * h) - np.sqrt(x * x + y * y + z * z))


@njit(cache=True, nogil=True)
def _concave_set(
    ax: float, ay: float, az: float, vx: float, vy: float, vz: float,
    h0: float, dh: float, radar_horizon_m: float, a: float, b: float,
) -> tuple[float, float]:  # fmt: skip
    """Where the (concave on ``[a, b]``) horizon gap is ≥ 0: (lo, hi), empty when lo ≥ hi."""
    ga = _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, a)
    gb = _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, b)
    if ga >= 0.0 and gb >= 0.0:
        return a, b
    if _horizon_bound(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, a, b) < -_BOUND_SLACK_M:
        return 0.0, 0.0  # never in sight: what the bisection below finds, at its cost
    # the maximum, by bisection on the sign of the slope (concave: the slope decreases)
    lo, hi = a, b
    peak, g_peak = (a, ga) if ga >= gb else (b, gb)
    eps = ROOT_TOLERANCE_S * 1e-3
    while hi - lo > ROOT_TOLERANCE_S:
        mid = 0.5 * (lo + hi)
        g1 = _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, mid)
        g2 = _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, mid + eps)
        if g1 > g_peak:
            peak, g_peak = mid, g1
        if g2 > g1:
            lo = mid
        else:
            hi = mid
    if g_peak < 0.0:
        return 0.0, 0.0
    left, right = a, b
    if ga < 0.0:  # the rising root in [a, peak]
        lo, hi = a, peak
        while hi - lo > ROOT_TOLERANCE_S:
            mid = 0.5 * (lo + hi)
            if _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, mid) >= 0.0:
                hi = mid
            else:
                lo = mid
        left = hi
    if gb < 0.0:  # the falling root in [peak, b]
        lo, hi = peak, b
        while hi - lo > ROOT_TOLERANCE_S:
            mid = 0.5 * (lo + hi)
            if _horizon_gap(ax, ay, az, vx, vy, vz, h0, dh, radar_horizon_m, mid) >= 0.0:
                lo = mid
            else:
                hi = mid
        right = lo
    return left, right


@njit(cache=True, nogil=True, inline="always")
def sector_normals(
    azimuth_rad: float, half_sector_rad: float, east: np.ndarray, north: np.ndarray
) -> tuple[float, float, float, float, float, float]:
    """Return the ECEF normals of a sector's two bounding half-planes, n1 then n2 (six floats).

    A point ``X`` is clockwise of the left edge where ``(X − U)·n1 ≥ 0`` and before the right
    edge where ``(X − U)·n2 ≥ 0``.
    """
    left, right = azimuth_rad - half_sector_rad, azimuth_rad + half_sector_rad
    # x cos L − y sin L ≥ 0 (clockwise of the left edge); y sin R − x cos R ≥ 0 (before the
    # right edge), with x, y the east and north components of X − U
    n1 = _combine(np.cos(left), east, np.sin(left), north)
    n2 = _combine(np.sin(right), north, np.cos(right), east)
    return n1[0], n1[1], n1[2], n2[0], n2[1], n2[2]


@njit(cache=True, nogil=True, inline="always")
def horizon_term_m(radar_height_m: float) -> float:
    """Return the antenna's share of the 4/3-Earth horizon, ``sqrt(2 k R h_r)`` (metres)."""
    return float(np.sqrt(TWO_K_R_M * max(radar_height_m, 0.0)))


@njit(cache=True, nogil=True, inline="always")
def envelope_prepared(
    p0: np.ndarray,
    p1: np.ndarray,
    d: float,
    h0: float,
    h1: float,
    unit: np.ndarray,
    min_range_m: float,
    max_range_m: float,
    min_alt_m: float,
    max_alt_m: float,
    own_radar: bool,
    antenna: np.ndarray,
    radar_m: float,
    horizon_m: float,
    half_sector_rad: float,
    normals: tuple[float, float, float, float, float, float],
    lo: np.ndarray,
    hi: np.ndarray,
) -> int:
    """Intervals of ``s`` in ``[0, d]`` where a unit may intercept on one piece.

    The piece runs from ECEF ``p0`` to ``p1`` (3,) in ``d`` seconds, altitude ``h0`` to ``h1``.
    ``unit`` (3,) is the unit's ground point (range band and sector), ``antenna`` (3,) its
    radar; ``radar_m`` the radar's free-space range against this threat (0: sees nothing).
    Without an own radar (``own_radar`` False) only the range and altitude bands apply.
    The unit's own terms are computed once beforehand: ``horizon_m`` is
    :func:`horizon_term_m` of the radar height and ``normals`` :func:`sector_normals` of its
    sector (read only when the sector is under a full circle).
    Writes sorted disjoint intervals to ``lo``, ``hi`` ((MAX_INTERVALS,) float64) and returns
    how many.

    Units: metres, seconds, radians.
    """
    return _envelope(
        p0[0], p0[1], p0[2], p1[0], p1[1], p1[2], d, h0, h1, unit, min_range_m, max_range_m,
        min_alt_m, max_alt_m, own_radar, antenna, radar_m, horizon_m, half_sector_rad, normals,
        lo, hi,
    )  # fmt: skip


@njit(cache=True, nogil=True, inline="always")
def envelope_on_piece(
    ecef_m: np.ndarray,
    p: int,
    d: float,
    h0: float,
    h1: float,
    unit: np.ndarray,
    min_range_m: float,
    max_range_m: float,
    min_alt_m: float,
    max_alt_m: float,
    own_radar: bool,
    antenna: np.ndarray,
    radar_m: float,
    horizon_m: float,
    half_sector_rad: float,
    normals: tuple[float, float, float, float, float, float],
    lo: np.ndarray,
    hi: np.ndarray,
) -> int:
    """:func:`envelope_prepared` on the piece from vertex ``p`` to ``p + 1`` of ``ecef_m``.

    The vertices are read in place (no array view of a row is made: numba counts references
    of every view it makes, which on the per-leg geometry's millions of pieces costs more than
    the envelope itself). The same intervals, bit for bit.
    """
    return _envelope(
        ecef_m[p, 0], ecef_m[p, 1], ecef_m[p, 2],
        ecef_m[p + 1, 0], ecef_m[p + 1, 1], ecef_m[p + 1, 2],
        d, h0, h1, unit, min_range_m, max_range_m, min_alt_m, max_alt_m, own_radar, antenna,
        radar_m, horizon_m, half_sector_rad, normals, lo, hi,
    )  # fmt: skip


@njit(cache=True, nogil=True, inline="always")
def _envelope(
    p0x: float, p0y: float, p0z: float, p1x: float, p1y: float, p1z: float,
    d: float,
    h0: float,
    h1: float,
    unit: np.ndarray,
    min_range_m: float,
    max_range_m: float,
    min_alt_m: float,
    max_alt_m: float,
    own_radar: bool,
    antenna: np.ndarray,
    radar_m: float,
    horizon_m: float,
    half_sector_rad: float,
    normals: tuple[float, float, float, float, float, float],
    lo: np.ndarray,
    hi: np.ndarray,
) -> int:  # fmt: skip
    """:func:`envelope_prepared` with the piece's ends as six numbers."""
    n = 1
    lo[0], hi[0] = 0.0, d
    if d <= 0.0:
        return 0
    inv = 1.0 / d
    vx, vy, vz = (p1x - p0x) * inv, (p1y - p0y) * inv, (p1z - p0z) * inv
    dh = (h1 - h0) * inv
    # altitude band
    if dh == 0.0:
        if h0 < min_alt_m or h0 > max_alt_m:
            return 0
    else:
        s_min, s_max = (min_alt_m - h0) / dh, (max_alt_m - h0) / dh
        n = _clip(lo, hi, n, min(s_min, s_max), max(s_min, s_max))
        if n == 0:
            return 0
    ax, ay, az = p0x - unit[0], p0y - unit[1], p0z - unit[2]
    s1, s2 = _sphere_roots(ax, ay, az, vx, vy, vz, max_range_m)
    n = _clip(lo, hi, n, s1, s2)
    if n == 0:
        return 0
    if min_range_m > 0.0:
        s1, s2 = _sphere_roots(ax, ay, az, vx, vy, vz, min_range_m)
        n = _clip_out(lo, hi, n, s1, s2)
        if n == 0:
            return 0
    if not own_radar:
        return n
    if radar_m <= 0.0:
        return 0
    if half_sector_rad < np.pi:
        a1, b1 = _half_plane(ax, ay, az, vx, vy, vz, normals[0], normals[1], normals[2], d)
        a2, b2 = _half_plane(ax, ay, az, vx, vy, vz, normals[3], normals[4], normals[5], d)
        if half_sector_rad <= 0.5 * np.pi:
            n = _clip(lo, hi, n, max(a1, a2), min(b1, b2))
        else:  # the union of the two half-planes' intervals
            if a1 >= b1:
                a1, b1 = a2, b2
            if a2 >= b2:
                a2, b2 = a1, b1
            if a1 >= b1:
                return 0
            n = _clip(lo, hi, n, min(a1, a2), max(b1, b2))
            if b1 < a2:  # disjoint: remove the gap between them
                n = _clip_out(lo, hi, n, b1, a2)
            elif b2 < a1:
                n = _clip_out(lo, hi, n, b2, a1)
        if n == 0:
            return 0
    bx, by, bz = p0x - antenna[0], p0y - antenna[1], p0z - antenna[2]
    s1, s2 = _sphere_roots(bx, by, bz, vx, vy, vz, radar_m)
    n = _clip(lo, hi, n, s1, s2)
    if n == 0:
        return 0
    # the horizon gap is concave where h ≥ 0; h < 0 (below ground) only at a dive's end
    ground = -h0 / dh if dh != 0.0 else -1.0
    if 2 * n > lo.shape[0]:  # never with MAX_INTERVALS: at most three intervals reach here
        return _horizon_copied(lo, hi, n, bx, by, bz, vx, vy, vz, h0, dh, horizon_m, ground)
    # each interval gives at most two; solved from the last one into slots 2k and 2k + 1
    # (which hold only intervals already solved), then packed in order
    for k in range(n - 1, -1, -1):
        x1, y1, x2, y2 = _horizon_parts(
            lo[k], hi[k], bx, by, bz, vx, vy, vz, h0, dh, horizon_m, ground
        )
        lo[2 * k], hi[2 * k], lo[2 * k + 1], hi[2 * k + 1] = x1, y1, x2, y2
    out = 0
    for k in range(2 * n):
        if lo[k] < hi[k]:
            lo[out], hi[out] = lo[k], hi[k]
            out += 1
    return out


@njit(cache=True, nogil=True, inline="always")
def _horizon_parts(
    a: float, b: float, bx: float, by: float, bz: float, vx: float, vy: float, vz: float,
    h0: float, dh: float, horizon_m: float, ground: float,
) -> tuple[float, float, float, float]:  # fmt: skip
    """Where ``[a, b]`` is within the horizon: up to two intervals (empty ones as (1, 0))."""
    if a < ground < b:  # two concave parts, each solved on its own
        x1, y1 = _concave_set(bx, by, bz, vx, vy, vz, h0, dh, horizon_m, a, ground)
        x2, y2 = _concave_set(bx, by, bz, vx, vy, vz, h0, dh, horizon_m, ground, b)
        if x1 < y1 and x2 < y2 and y1 >= x2:
            return x1, y2, 1.0, 0.0
        if not x1 < y1:
            x1, y1 = 1.0, 0.0
        if not x2 < y2:
            x2, y2 = 1.0, 0.0
        return x1, y1, x2, y2
    x, y = _concave_set(bx, by, bz, vx, vy, vz, h0, dh, horizon_m, a, b)
    if not x < y:
        x, y = 1.0, 0.0
    return x, y, 1.0, 0.0


@njit(cache=True, nogil=True)
def _horizon_copied(
    lo: np.ndarray, hi: np.ndarray, n: int, bx: float, by: float, bz: float, vx: float,
    vy: float, vz: float, h0: float, dh: float, horizon_m: float, ground: float,
) -> int:  # fmt: skip
    """Do the horizon step of :func:`envelope_prepared` on a copy (buffers under 2n long)."""
    src_lo, src_hi = lo[:n].copy(), hi[:n].copy()
    out = 0
    for k in range(n):
        x1, y1, x2, y2 = _horizon_parts(
            src_lo[k], src_hi[k], bx, by, bz, vx, vy, vz, h0, dh, horizon_m, ground
        )
        for x, y in ((x1, y1), (x2, y2)):
            if x < y:
                lo[out], hi[out] = x, y
                out += 1
    return out
