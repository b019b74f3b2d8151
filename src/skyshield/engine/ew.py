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
from skyshield.geo import geodesic_distance_m

__all__ = ["ew_exposure_m", "ew_loss_times_s"]

# Fewest metres per degree of latitude on WGS84 (at the equator: 110,574 m), rounded down, and
# a margin: the box around a disc is then never smaller than the disc.
_MIN_M_PER_DEG = 110_000.0
_BOX_MARGIN_DEG = 0.05


def ew_exposure_m(compiled: CompiledScenario, traj: Trajectories) -> np.ndarray:
    """(n_samples,) float64: each threat's cumulative strength-weighted metres inside zones.

    Zero at each threat's launch sample; non-decreasing along its samples.
    """
    n = traj.lon_deg.shape[0]
    strength = np.zeros(n)
    for z in range(compiled.ew_zone_radius_m.shape[0]):
        lon0, lat0 = compiled.ew_zone_lon_deg[z], compiled.ew_zone_lat_deg[z]
        # a loose box around the disc first: exact geodesics only for the few samples near it
        half_lat = compiled.ew_zone_radius_m[z] / _MIN_M_PER_DEG + _BOX_MARGIN_DEG
        half_lon = half_lat / max(np.cos(np.radians(min(abs(lat0) + half_lat, 89.0))), 1e-3)
        near = np.flatnonzero(
            (np.abs(traj.lat_deg - lat0) <= half_lat)
            & (np.abs((traj.lon_deg - lon0 + 180.0) % 360.0 - 180.0) <= half_lon)
        )
        distance = geodesic_distance_m(
            np.full(near.size, lon0),
            np.full(near.size, lat0),
            traj.lon_deg[near],
            traj.lat_deg[near],
        )
        hit = near[distance <= compiled.ew_zone_radius_m[z]]
        strength[hit] = np.maximum(strength[hit], compiled.ew_zone_strength[z])
    segment = np.linalg.norm(np.diff(traj.ecef_m, axis=0), axis=1)
    step = np.concatenate([[0.0], segment * (strength[:-1] + strength[1:]) / 2])
    step[traj.sample_offset[:-1]] = 0.0  # no segment joins one threat's impact to the next launch
    cumulative = np.cumsum(step)
    owner_start = np.repeat(traj.sample_offset[:-1], np.diff(traj.sample_offset))
    return np.asarray(cumulative - cumulative[owner_start], dtype=np.float64)


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
