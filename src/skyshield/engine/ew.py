"""Electronic warfare in space: where drones and decoys are lost to jamming and spoofing.

Inside a zone a threat is lost at a constant hazard per metre flown: its type's rate
(``ew_loss_per_100km`` in the catalog, as a hazard) times the zone's strength, the strongest
zone where zones overlap. With ``E`` a standard exponential drawn per night and threat, the
threat is lost at the first time its exposure — hazard-weighted metres flown inside zones —
reaches ``E / rate``; never if its whole flight's exposure stays below. So losses happen where
the zones are, and a threat that never enters one is never lost to EW.

Exposure is solved per piece (:mod:`.pieces`): a zone is a disc on the ground of geodesic
radius ``ρ``; a piece's ground track (its vertices brought down to the ellipsoid, joined by a
chord) is inside it where its distance to the disc's centre is at most the chord
``2 R sin(ρ / 2R)``, a quadratic in time. Between the times where the strongest zone over the
track changes, exposure grows linearly with the metres flown (the piece's ECEF length). The
result is a piecewise-linear exposure per threat, its knots at those times and at vertices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.pieces import Pieces
from skyshield.geo import lonlat_to_ecef_m

__all__ = ["Exposure", "ew_exposure", "ew_loss_times_s"]

# Mean Earth radius for the chord of a geodesic radius (IUGG; the chord of a 100 km geodesic
# differs from the ellipsoid's by centimetres).
_MEAN_EARTH_RADIUS_M = 6_371_008.8
# Rounding allowance of the per-threat zone reject (metres; the quadratic's terms are exact to
# well under a millimetre): a zone is passed over only when it is farther than this beyond
# reach of every ground point of the threat.
_REJECT_SLACK_M = 1.0
# Pieces per run tested together by the zone reject: every run of this many consecutive pieces
# of a threat is tested against only the zones its ground points' ball reaches (a threat's
# whole flight reaches most of the record raid's zones, a run of 8 pieces one or two).
_REJECT_CHUNK = 8


@dataclass(frozen=True, slots=True)
class Exposure:
    """Each threat's cumulative strength-weighted metres inside EW zones, piecewise linear.

    Knots of threat ``i`` are ``[knot_offset[i], knot_offset[i + 1])``: times after launch and
    the exposure reached there; zero at launch, non-decreasing.
    """

    knot_offset: np.ndarray  # (n_threats + 1,) int64
    time_s: np.ndarray  # (n_knots,) float64
    exposure_m: np.ndarray  # (n_knots,) float64


@njit(cache=True, nogil=True, inline="always")
def _near_zones(
    first: int,
    end: int,
    ground_m: np.ndarray,
    centre_m: np.ndarray,
    chord_m: np.ndarray,
    near: np.ndarray,
) -> int:
    """Write to ``near`` the zones the chords between ground points ``[first, end)`` may enter.

    A ball around the points (their mean, out to the farthest) holds every chord between
    them, so a zone whose centre is farther than the ball's radius plus the zone's chord (plus
    :data:`_REJECT_SLACK_M`) is never entered. Returns how many zones it wrote.
    """
    cx, cy, cz = 0.0, 0.0, 0.0
    for v in range(first, end):
        cx, cy, cz = cx + ground_m[v, 0], cy + ground_m[v, 1], cz + ground_m[v, 2]
    inv = 1.0 / (end - first)
    cx, cy, cz = cx * inv, cy * inv, cz * inv
    ball = 0.0
    for v in range(first, end):
        dx, dy, dz = ground_m[v, 0] - cx, ground_m[v, 1] - cy, ground_m[v, 2] - cz
        ball = max(ball, dx * dx + dy * dy + dz * dz)
    ball = np.sqrt(ball)
    n_near = 0
    for z in range(chord_m.shape[0]):
        dx, dy, dz = centre_m[z, 0] - cx, centre_m[z, 1] - cy, centre_m[z, 2] - cz
        reach = ball + chord_m[z] + _REJECT_SLACK_M
        if dx * dx + dy * dy + dz * dz <= reach * reach:
            near[n_near] = z
            n_near += 1
    return n_near


@njit(cache=True, nogil=True)
def _threat_knots(
    i: int,
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    ground_m: np.ndarray,
    centre_m: np.ndarray,
    chord_m: np.ndarray,
    strength: np.ndarray,
    reject: bool,
    scratch: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    k_time: np.ndarray,
    k_exp: np.ndarray,
    n: int,
) -> int:
    """Write threat ``i``'s knots from index ``n``; return the index after them, or -1.

    -1: the knot arrays are too short (nothing is allocated here; :func:`_exposure` grows
    them and asks again: numba keeps reference counts of arrays a loop may replace at every
    step).

    With ``reject``, each run of :data:`_REJECT_CHUNK` pieces is tested only against the
    zones that can reach its ground track (:func:`_near_zones`); the knots are the same bit
    for bit (the strongest zone is a maximum over the zones entered).
    """
    near, s_in, s_out, cuts = scratch
    n_zones = chord_m.shape[0]
    n_near = n_zones
    for z in range(n_zones):
        near[z] = z
    first, end = vertex_offset[i], vertex_offset[i + 1]
    total = 0.0
    for v in range(first, end):
        if n + 2 * n_zones + 2 >= k_time.shape[0]:
            return -1
        if v == first:
            k_time[n], k_exp[n] = time_s[v], 0.0
            n += 1
            continue
        a = v - 1
        if reject and (a - first) % _REJECT_CHUNK == 0:  # the zones this run of pieces may enter
            n_near = _near_zones(
                a, min(a + _REJECT_CHUNK + 1, end), ground_m, centre_m, chord_m, near
            )
        d = time_s[v] - time_s[a]
        length = np.sqrt(
            (ecef_m[v, 0] - ecef_m[a, 0]) ** 2
            + (ecef_m[v, 1] - ecef_m[a, 1]) ** 2
            + (ecef_m[v, 2] - ecef_m[a, 2]) ** 2
        )
        gx, gy, gz = ground_m[a, 0], ground_m[a, 1], ground_m[a, 2]
        wx, wy, wz = ground_m[v, 0] - gx, ground_m[v, 1] - gy, ground_m[v, 2] - gz
        n_cut = 0
        hits = 0
        for zi in range(n_near):
            z = near[zi]
            s_in[z], s_out[z] = 1.0, 0.0  # empty
            ax, ay, az = gx - centre_m[z, 0], gy - centre_m[z, 1], gz - centre_m[z, 2]
            qa = wx * wx + wy * wy + wz * wz
            qb = 2.0 * (ax * wx + ay * wy + az * wz)
            qc = ax * ax + ay * ay + az * az - chord_m[z] * chord_m[z]
            if qa <= 0.0:
                if qc <= 0.0:
                    s_in[z], s_out[z] = 0.0, 1.0
            else:
                disc = qb * qb - 4.0 * qa * qc
                if disc >= 0.0:
                    sq = np.sqrt(disc)
                    s_in[z] = max((-qb - sq) / (2.0 * qa), 0.0)
                    s_out[z] = min((-qb + sq) / (2.0 * qa), 1.0)
            if s_in[z] < s_out[z]:
                hits += 1
                cuts[n_cut] = s_in[z]
                cuts[n_cut + 1] = s_out[z]
                n_cut += 2
        if hits == 0:
            k_time[n], k_exp[n] = time_s[v], total
            n += 1
            continue
        cuts[n_cut] = 0.0
        cuts[n_cut + 1] = 1.0
        order = np.sort(cuts[: n_cut + 2])
        for c in range(order.shape[0] - 1):
            lo, hi = order[c], order[c + 1]
            if hi <= lo:
                continue
            mid = 0.5 * (lo + hi)
            best = 0.0
            for zi in range(n_near):
                z = near[zi]
                if s_in[z] <= mid <= s_out[z]:
                    best = max(best, strength[z])
            total += best * length * (hi - lo)
            if hi < 1.0:
                k_time[n], k_exp[n] = time_s[a] + hi * d, total
                n += 1
        k_time[n], k_exp[n] = time_s[v], total
        n += 1
    return n


@njit(cache=True, nogil=True)
def _exposure(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    ground_m: np.ndarray,
    centre_m: np.ndarray,
    chord_m: np.ndarray,
    strength: np.ndarray,
    reject: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Knots of every threat (:class:`Exposure`'s arrays), by :func:`_threat_knots`."""
    n_threats = vertex_offset.shape[0] - 1
    n_zones = chord_m.shape[0]
    cap = time_s.shape[0] + 16
    k_time = np.empty(cap)
    k_exp = np.empty(cap)
    offset = np.zeros(n_threats + 1, dtype=np.int64)
    scratch = (
        np.empty(n_zones, dtype=np.int64),
        np.empty(n_zones),
        np.empty(n_zones),
        np.empty(2 * n_zones + 2),
    )
    n = 0
    for i in range(n_threats):
        while True:
            m = _threat_knots(
                i, vertex_offset, time_s, ecef_m, ground_m, centre_m, chord_m, strength,
                reject, scratch, k_time, k_exp, n,
            )  # fmt: skip
            if m >= 0:
                break
            k_time = np.concatenate((k_time[:n], np.empty(2 * k_time.shape[0] - n)))
            k_exp = np.concatenate((k_exp[:n], np.empty(2 * k_exp.shape[0] - n)))
        n = m
        offset[i + 1] = n
    return offset, k_time[:n].copy(), k_exp[:n].copy()


def ew_exposure(compiled: CompiledScenario, pieces: Pieces) -> Exposure:
    """Every threat's exposure to the scenario's EW zones along its pieces."""
    ground = np.asarray(lonlat_to_ecef_m(pieces.lon_deg, pieces.lat_deg, 0.0), dtype=np.float64)
    centre = np.asarray(
        lonlat_to_ecef_m(compiled.ew_zone_lon_deg, compiled.ew_zone_lat_deg, 0.0), dtype=np.float64
    ).reshape(-1, 3)
    r = _MEAN_EARTH_RADIUS_M
    chord = 2.0 * r * np.sin(np.minimum(compiled.ew_zone_radius_m / (2.0 * r), np.pi / 2))
    offset, time_s, exposure = _exposure(
        pieces.vertex_offset,
        pieces.time_s,
        pieces.ecef_m,
        ground,
        centre,
        np.ascontiguousarray(chord, dtype=np.float64),
        np.ascontiguousarray(compiled.ew_zone_strength, dtype=np.float64),
        True,
    )
    return Exposure(
        knot_offset=readonly(offset), time_s=readonly(time_s), exposure_m=readonly(exposure)
    )


@njit(cache=True, nogil=True)
def _loss_times(
    knot_offset: np.ndarray,
    time_s: np.ndarray,
    exposure_m: np.ndarray,
    need_m: np.ndarray,
    out: np.ndarray,
) -> None:
    for i in range(need_m.shape[0]):
        first, last = knot_offset[i], knot_offset[i + 1] - 1
        need = need_m[i]
        out[i] = np.inf
        if not need < exposure_m[last]:
            continue  # never reaches it (or no rate: need is inf)
        lo, hi = first, last  # exposure[lo] < need <= exposure[hi]
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if exposure_m[mid] < need:
                lo = mid
            else:
                hi = mid
        share = (need - exposure_m[lo]) / (exposure_m[hi] - exposure_m[lo])
        out[i] = time_s[lo] + share * (time_s[hi] - time_s[lo])


def ew_loss_times_s(
    compiled: CompiledScenario,
    exposures: tuple[Exposure, ...],
    realization: np.ndarray,
    ew_budget: np.ndarray,
) -> np.ndarray:
    """(n_reps, n_threats) float64: seconds after launch each threat is lost to EW, or inf.

    ``ew_budget`` (n_reps, n_threats) holds the standard exponential draws; row ``r`` flies
    route set ``realization[r, 0]`` (all threats of a night fly one route set).
    """
    rate = compiled.threat_ew_rate_per_m
    need = np.where(rate > 0, ew_budget / np.where(rate > 0, rate, 1.0), np.inf)
    out = np.empty_like(ew_budget, dtype=np.float64)
    for row in range(ew_budget.shape[0]):
        e = exposures[int(realization[row, 0])]
        _loss_times(e.knot_offset, e.time_s, e.exposure_m, need[row], out[row])
    return out
