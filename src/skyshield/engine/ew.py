"""Electronic warfare in space: where drones and decoys are lost to jamming and spoofing.

Inside a zone a threat is lost at a constant hazard per metre flown: its type's rate
(``ew_loss_per_100km`` in the catalog, as a hazard) times the zone's strength, the strongest
zone where zones overlap. With ``E`` a standard exponential drawn per night and threat, the
threat is lost at the first time its exposure — hazard-weighted metres flown inside zones —
reaches ``E / rate``; never if its whole flight's exposure stays below. So losses happen where
the zones are, and a threat that never enters one is never lost to EW.

Exposure is integrated per trajectory segment (trapezoid on each sample's zone strength over the
segment's straight-line length); within a segment it grows linearly with time.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.flight import Trajectories
from skyshield.engine.nearby import straight_line_m
from skyshield.geo import geodesic_distance_m, lonlat_to_ecef_m

__all__ = ["ew_exposure_m", "ew_loss_times_s", "zone_strength"]

# Fewest metres per degree of latitude on WGS84 (at the equator: 110,574 m), rounded down, and
# a margin: the box around a disc is then never smaller than the disc.
_MIN_M_PER_DEG = 110_000.0
_BOX_MARGIN_DEG = 0.05
# WGS84 meridian radius of curvature at the equator, a(1 - e²): the smallest on the ellipsoid.
_MIN_RADIUS_OF_CURVATURE_M = 6_335_439.0


@njit(cache=True, nogil=True)
def _in_box(
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    lon0: float,
    lat0: float,
    half_lon: float,
    half_lat: float,
) -> np.ndarray:
    """Find the points within ``half_lon`` and ``half_lat`` of (lon0, lat0): their indices."""
    near = np.empty(lon_deg.shape[0], dtype=np.int64)
    n = 0
    for i in range(lon_deg.shape[0]):
        if (
            abs(lat_deg[i] - lat0) <= half_lat
            and abs((lon_deg[i] - lon0 + 180.0) % 360.0 - 180.0) <= half_lon
        ):
            near[n] = i
            n += 1
    return near[:n]


@njit(cache=True, nogil=True)
def _cumulative_m(
    sample_offset: np.ndarray, ecef_m: np.ndarray, strength: np.ndarray
) -> np.ndarray:
    """Trapezoid of ``strength`` over each segment's length, summed along each threat.

    One running sum over all threats, less its value at each threat's launch sample: the
    rounding of the numpy cumulative sum this replaced, so exposures did not move.
    """
    out = np.empty(strength.shape[0])
    total = 0.0
    for i in range(sample_offset.shape[0] - 1):
        first, end = sample_offset[i], sample_offset[i + 1]
        total += 0.0  # no segment joins one threat's impact to the next launch
        at_launch = total
        out[first] = total - at_launch
        for s in range(first + 1, end):
            dx = ecef_m[s, 0] - ecef_m[s - 1, 0]
            dy = ecef_m[s, 1] - ecef_m[s - 1, 1]
            dz = ecef_m[s, 2] - ecef_m[s - 1, 2]
            total += np.sqrt((dx * dx + dy * dy) + dz * dz) * (strength[s - 1] + strength[s]) / 2
            out[s] = total - at_launch
    return out


def _chord_excess_bound_m(distance_m: float) -> float:
    """Upper bound on geodesic length minus chord for geodesics up to ``distance_m`` long.

    On a sphere of radius R an arc of length d exceeds its chord by d³ / (24 R²) at most; the
    ellipsoid's smallest radius of curvature (the meridian's at the equator, 6,335 km) bounds
    R from below, and the factor 2 covers the rest.
    """
    return 2.0 * distance_m**3 / (24.0 * _MIN_RADIUS_OF_CURVATURE_M**2) + 1.0


def zone_strength(
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    zone_lon_deg: np.ndarray,
    zone_lat_deg: np.ndarray,
    zone_radius_m: np.ndarray,
    zone_strength: np.ndarray,
) -> np.ndarray:
    """(n,) float64: the strongest zone over each point (geodesic distance <= radius), else 0."""
    strength = np.zeros(lon_deg.shape[0])
    for z in range(zone_radius_m.shape[0]):
        lon0, lat0, radius = float(zone_lon_deg[z]), float(zone_lat_deg[z]), float(zone_radius_m[z])
        # a loose box around the disc first, then the chord, which never exceeds the geodesic
        # and falls short of it by a few metres at most here: exact geodesics only near the rim
        half_lat = radius / _MIN_M_PER_DEG + _BOX_MARGIN_DEG
        # a disc reaching within a degree of a pole may wrap around it: every longitude
        polar = abs(lat0) + half_lat >= 89.0  # noqa: PLR2004
        half_lon = 180.0 if polar else half_lat / np.cos(np.radians(abs(lat0) + half_lat))
        near = _in_box(lon_deg, lat_deg, lon0, lat0, float(half_lon), float(half_lat))
        chord = straight_line_m(
            lonlat_to_ecef_m(lon_deg[near], lat_deg[near], 0.0),
            lonlat_to_ecef_m(lon0, lat0, 0.0)[0],
        )
        inside = chord <= radius - _chord_excess_bound_m(radius)
        rim = np.flatnonzero(~inside & (chord <= radius))
        inside[rim] = (
            geodesic_distance_m(lon0, lat0, lon_deg[near[rim]], lat_deg[near[rim]]) <= radius
        )
        hit = near[inside]
        strength[hit] = np.maximum(strength[hit], zone_strength[z])
    return strength


def ew_exposure_m(compiled: CompiledScenario, traj: Trajectories) -> np.ndarray:
    """(n_samples,) float64: each threat's cumulative strength-weighted metres inside zones.

    Zero at each threat's launch sample; non-decreasing along its samples.
    """
    strength = zone_strength(
        traj.lon_deg,
        traj.lat_deg,
        compiled.ew_zone_lon_deg,
        compiled.ew_zone_lat_deg,
        compiled.ew_zone_radius_m,
        compiled.ew_zone_strength,
    )
    return _cumulative_m(traj.sample_offset, traj.ecef_m, strength)


@njit(cache=True, nogil=True)
def _loss_times(
    sample_offset: np.ndarray,
    time_s: np.ndarray,
    exposure_m: np.ndarray,
    need_m: np.ndarray,
    out: np.ndarray,
) -> None:
    for i in range(need_m.shape[0]):
        first, last = sample_offset[i], sample_offset[i + 1] - 1
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
    trajectories: tuple[Trajectories, ...],
    exposures: tuple[np.ndarray, ...],
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
        r = int(realization[row, 0])
        traj = trajectories[r]
        _loss_times(traj.sample_offset, traj.time_s, exposures[r], need[row], out[row])
    return out
