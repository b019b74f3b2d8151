"""Threat paths as straight ECEF pieces: the per-leg geometry's description of a flight.

A threat's path is a short list of vertices, sorted by threat and time (a structure of
arrays); piece ``p`` runs from vertex ``p`` to vertex ``p + 1`` of the same threat, in a
straight line in ECEF at constant velocity, and its altitude is taken linear in time between
the vertices' altitudes. Vertices lie exactly on the flight: their longitude and latitude come
from Vincenty's direct formula along each geodesic leg, their time and altitude from the
threat's :class:`~skyshield.engine.flight.VerticalProfiles`. They sit at every leg joint, at
the start of the dive and at least every :data:`MAX_PIECE_M` of ground; a ballistic arc is cut
finer, into chords that depart from the parabola by at most :data:`ARC_SAG_M`.

Nothing here is sampled in time: engagement windows, crossings and exposures are solved on the
pieces in closed form. :func:`positions_at` places a threat at any time (exports and the
report sample the pieces at their own display resolution).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.flight import vertical_profiles
from skyshield.geo import (
    destination_lonlat,
    geodesic_inverse,
    lonlat_to_ecef_m,
)

__all__ = [
    "ARC_SAG_M",
    "MAX_PIECE_M",
    "Pieces",
    "build_pieces",
    "positions_at",
    "track_samples",
]

# Longest piece, in ground metres. A 20 km chord of the ellipsoid sags below it by at most
# L² / (8 R) = 7.9 m (R = 6,335 km, the smallest radius of curvature on WGS84), and departs
# from the geodesic sideways by far less: well below any envelope or radar figure we use.
MAX_PIECE_M = 20_000.0
# Largest vertical departure of a ballistic arc's chord from the parabola: with the arc
# alt = A (1 - ((x - x_a) / x_a)²) the chord over Δx departs by A Δx² / (4 x_a²) at most.
ARC_SAG_M = 10.0
# display samples closer than this are one (exports write times to 0.01 s)
_DISPLAY_INSTANT_S = 0.01


@dataclass(frozen=True, slots=True)
class Pieces:
    """Every threat's path for one route set as vertices; consecutive vertices are pieces.

    Vertices of threat ``i`` are ``[vertex_offset[i], vertex_offset[i + 1])``; the first is the
    launch (time 0), the last the impact (``flight_s[i]``). Times are seconds after the
    threat's own launch.
    """

    vertex_offset: np.ndarray  # (n_threats + 1,) int64
    time_s: np.ndarray  # (n_vertices,) float64
    lon_deg: np.ndarray  # (n_vertices,) float64
    lat_deg: np.ndarray  # (n_vertices,) float64
    alt_m: np.ndarray  # (n_vertices,) float64
    ecef_m: np.ndarray  # (n_vertices, 3) float64
    flight_s: np.ndarray  # (n_threats,) float64

    @property
    def n_threats(self) -> int:
        """Number of threats."""
        return int(self.vertex_offset.shape[0] - 1)

    @property
    def n_pieces(self) -> int:
        """Number of pieces (vertices less one per threat)."""
        return int(self.time_s.shape[0] - self.n_threats)

    def piece_starts(self) -> np.ndarray:
        """(n_pieces,) int64: the first vertex of every piece, in (threat, time) order."""
        last = np.zeros(self.time_s.shape[0], dtype=bool)
        last[self.vertex_offset[1:] - 1] = True
        return np.flatnonzero(~last).astype(np.int64)


@njit(cache=True, nogil=True)
def _n_parts(start_m: float, end_m: float, max_m: float) -> int:
    """Equal parts no longer than ``max_m`` that ``[start_m, end_m]`` is cut into (0 if empty)."""
    if end_m <= start_m:
        return 0
    return max(int(np.ceil((end_m - start_m) / max_m - 1e-9)), 1)


@njit(cache=True, nogil=True)
def _vertex_along(
    first_leg: np.ndarray,
    end_leg: np.ndarray,
    leg_start_m: np.ndarray,
    total_m: np.ndarray,
    dive_along_m: np.ndarray,
    arc_max_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ground distance and leg of every vertex, and the vertex count of each threat.

    A threat's breaks are its leg joints and its dive start; between two breaks the ground is
    cut into equal parts no longer than ``arc_max_m`` before the dive (the ballistic arc's
    chord length) or :data:`MAX_PIECE_M` after it.
    """
    n = total_m.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    along = np.empty(0)
    leg = np.empty(0, dtype=np.int64)
    for phase in range(2):
        if phase == 1:
            along = np.empty(counts.sum())
            leg = np.empty(counts.sum(), dtype=np.int64)
        v = 0
        for i in range(n):
            n_legs = end_leg[i] - first_leg[i]
            breaks = np.empty(n_legs + 2)
            for j in range(n_legs):
                breaks[j] = leg_start_m[first_leg[i] + j]
            breaks[n_legs] = min(max(dive_along_m[i], 0.0), total_m[i])
            breaks[n_legs + 1] = total_m[i]
            breaks = np.sort(breaks)
            c = 0
            for b in range(breaks.shape[0] - 1):
                a, z = breaks[b], breaks[b + 1]
                cap = arc_max_m[i] if z <= dive_along_m[i] + 1e-6 else MAX_PIECE_M
                parts = _n_parts(a, z, cap)
                for k in range(parts):
                    if phase == 1:
                        along[v + c] = a + (z - a) * k / parts
                    c += 1
            c += 1  # the impact
            if phase == 0:
                counts[i] = c
                continue
            along[v + c - 1] = total_m[i]
            # each vertex's leg: the last leg starting at or before it
            j = first_leg[i]
            for m in range(v, v + c):
                while j + 1 < end_leg[i] and leg_start_m[j + 1] <= along[m]:
                    j += 1
                leg[m] = j
            v += c
    return along, leg, counts


@njit(cache=True, nogil=True)
def _leg_starts(first_leg: np.ndarray, end_leg: np.ndarray, leg_m: np.ndarray) -> np.ndarray:
    """Ground distance from its threat's launch site at which each leg starts.

    Summed leg by leg within each threat, as ``np.bincount`` sums the threat's total: a
    threat's vertices then depend on its own route alone, not on the threats before it (a
    running sum over all threats rounds differently), so threats that fly the same route
    every night can be flown once (:mod:`.fixed`).
    """
    out = np.empty(leg_m.shape[0])
    for i in range(first_leg.shape[0]):
        s = 0.0
        for j in range(first_leg[i], end_leg[i]):
            out[j] = s
            s += leg_m[j]
    return out


def build_pieces(compiled: CompiledScenario, route_lonlat: np.ndarray) -> Pieces:
    """Cut every threat's flight over one set of (jittered) routes into pieces.

    ``route_lonlat`` (2, n_points) as :func:`~skyshield.engine.flight.realize_routes` returns:
    launch site, waypoints and target of each threat (ballistic threats fly launch site to
    target on one geodesic).
    """
    route_lon, route_lat = route_lonlat
    offsets = compiled.route_offset
    n = compiled.n_threats
    owner = np.repeat(np.arange(n), np.diff(offsets))
    position = np.arange(route_lon.shape[0]) - offsets[owner]
    is_last = position == np.diff(offsets)[owner] - 1
    keep = ~compiled.threat_ballistic[owner] | (position == 0) | is_last
    lon, lat, owner, is_last = route_lon[keep], route_lat[keep], owner[keep], is_last[keep]
    leg = np.flatnonzero(~is_last)
    leg_owner = owner[leg]
    leg_m, leg_bearing = (
        np.asarray(x, dtype=np.float64)
        for x in geodesic_inverse(lon[leg], lat[leg], lon[leg + 1], lat[leg + 1])
    )
    total_m = np.bincount(leg_owner, weights=leg_m, minlength=n)
    first_leg = np.searchsorted(leg_owner, np.arange(n))
    end_leg = np.append(first_leg[1:], leg.size)
    leg_start_m = _leg_starts(first_leg.astype(np.int64), end_leg.astype(np.int64), leg_m)
    profile = vertical_profiles(compiled, total_m)
    dive_length = np.hypot(profile.dive_ground_m, profile.dive_altitude_m)
    arc_max = np.full(n, MAX_PIECE_M)
    arc = compiled.threat_ballistic & (profile.apogee_m > 0)
    x_a = np.maximum(profile.apogee_along_m, 1.0)
    arc_max[arc] = np.minimum(
        MAX_PIECE_M, x_a[arc] * np.sqrt(4.0 * ARC_SAG_M / profile.apogee_m[arc])
    )
    along, vleg, counts = _vertex_along(
        first_leg.astype(np.int64),
        end_leg.astype(np.int64),
        leg_start_m,
        total_m,
        np.asarray(profile.dive_along_m, dtype=np.float64),
        arc_max,
    )
    vertex_offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    v_owner = np.repeat(np.arange(n), counts)
    # time at each vertex: cruise at speed, then the dive at terminal speed along its line
    dive_along = profile.dive_along_m[v_owner]
    into_dive = np.maximum(along - dive_along, 0.0)
    dive_ground = profile.dive_ground_m[v_owner]
    dive_share = np.where(dive_ground > 0, into_dive / np.where(dive_ground > 0, dive_ground, 1), 0)
    time_s = np.where(
        along <= dive_along,
        along / profile.speed_mps[v_owner],
        profile.dive_s[v_owner]
        + dive_share * dive_length[v_owner] / profile.terminal_speed_mps[v_owner],
    )
    last = vertex_offset[1:] - 1
    time_s[last] = profile.flight_s
    _, alt = profile.at(v_owner, time_s)
    v_lon, v_lat = destination_lonlat(
        lon[leg][vleg], lat[leg][vleg], leg_bearing[vleg], along - leg_start_m[vleg]
    )
    v_lon, v_lat = np.asarray(v_lon, dtype=np.float64), np.asarray(v_lat, dtype=np.float64)
    target = np.flatnonzero(is_last)
    v_lon[last], v_lat[last] = lon[target], lat[target]
    return Pieces(
        vertex_offset=readonly(vertex_offset),
        time_s=readonly(np.asarray(time_s, dtype=np.float64)),
        lon_deg=readonly(v_lon),
        lat_deg=readonly(v_lat),
        alt_m=readonly(np.asarray(alt, dtype=np.float64)),
        ecef_m=readonly(np.asarray(lonlat_to_ecef_m(v_lon, v_lat, alt), dtype=np.float64)),
        flight_s=readonly(np.asarray(profile.flight_s, dtype=np.float64)),
    )


@njit(cache=True, nogil=True)
def _piece_at(vertex_offset: np.ndarray, time_s: np.ndarray, threat: int, t: float) -> int:
    """First vertex of the piece of ``threat`` flown at ``t`` (clipped to the first and last)."""
    lo, hi = int(vertex_offset[threat]), int(vertex_offset[threat + 1] - 2)
    if hi < lo:
        return lo
    while lo < hi:  # the last piece starting at or before t
        mid = (lo + hi + 1) // 2
        if time_s[mid] <= t:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True, nogil=True)
def _positions(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    alt_m: np.ndarray,
    ecef_m: np.ndarray,
    threat: np.ndarray,
    at_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = threat.shape[0]
    lon, lat, alt, ecef = np.empty(n), np.empty(n), np.empty(n), np.empty((n, 3))
    for m in range(n):
        i = threat[m]
        j = _piece_at(vertex_offset, time_s, i, at_s[m])
        nxt = min(j + 1, vertex_offset[i + 1] - 1)
        span = time_s[nxt] - time_s[j]
        w = (at_s[m] - time_s[j]) / span if span > 0.0 else 0.0
        w = min(max(w, 0.0), 1.0)
        lon[m] = lon_deg[j] + w * (lon_deg[nxt] - lon_deg[j])
        lat[m] = lat_deg[j] + w * (lat_deg[nxt] - lat_deg[j])
        alt[m] = alt_m[j] + w * (alt_m[nxt] - alt_m[j])
        for d in range(3):
            ecef[m, d] = ecef_m[j, d] + w * (ecef_m[nxt, d] - ecef_m[j, d])
    return lon, lat, alt, ecef


def positions_at(
    pieces: Pieces, threat: np.ndarray, time_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each threat is at a time after its launch (clipped to launch and impact).

    The ECEF position is the piece itself; longitude, latitude and altitude are interpolated
    linearly in time between the piece's vertices (within metres of the chord on a piece).

    Units: seconds in; degrees, metres and (n, 3) ECEF metres out.
    """
    return _positions(
        pieces.vertex_offset,
        pieces.time_s,
        pieces.lon_deg,
        pieces.lat_deg,
        pieces.alt_m,
        pieces.ecef_m,
        np.ascontiguousarray(threat, dtype=np.int64).reshape(-1),
        np.ascontiguousarray(time_s, dtype=np.float64).reshape(-1),
    )


def track_samples(
    pieces: Pieces, threat: int, step_s: float, until_s: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sample a threat's positions for display: every ``step_s`` from launch and at vertices.

    Up to ``until_s`` after launch (default: the impact), which is included as the last time.

    Units: seconds in; times after launch (s), degrees and metres out, each (n,) float64.
    """
    lo, hi = int(pieces.vertex_offset[threat]), int(pieces.vertex_offset[threat + 1])
    end = float(pieces.flight_s[threat] if until_s is None else until_s)
    grid = np.arange(0.0, end, step_s)
    # on the display instant grid, so a time written to 0.01 s reads back as the same sample
    vertices = np.round(pieces.time_s[lo:hi], 2)
    # times closer to the end than this are the end: a fate time after launch comes back from
    # launch + fate time with a rounding error of ~1e-12 s
    before = np.unique(np.concatenate([grid, vertices]))
    before = before[before < end - _DISPLAY_INSTANT_S]
    # a vertex within a display instant of a grid time is that sample (ACMI writes 0.01 s frames)
    distinct = np.concatenate([[True], np.diff(before) >= _DISPLAY_INSTANT_S])
    times = np.append(before[distinct], end)
    lon, lat, alt, _ = positions_at(pieces, np.full(times.size, threat), times)
    return times, lon, lat, alt
