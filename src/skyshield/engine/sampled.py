"""The reference engine's own flight: every threat sampled on the engine's time grid.

Only :mod:`skyshield.engine.reference` uses this: a plain, obviously-correct sampling of the
same routes and vertical profiles the fast engine cuts into pieces, written on its own so a
mistake in the per-leg geometry cannot hide in both. Sample ``k`` is where a threat is
``k * step_s`` seconds after launch; the last sample is the impact at its target. Between
samples the threat flies the straight (ECEF) line at constant velocity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.flight import vertical_profiles
from skyshield.geo import (
    destination_lonlat,
    geodesic_distance_m,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    territory_codes,
)

__all__ = ["Trajectories", "sample_trajectories"]


@dataclass(frozen=True, slots=True)
class Trajectories:
    """All threats' sampled trajectories for one route realization.

    Samples of threat ``i`` are ``[sample_offset[i], sample_offset[i + 1])``; the last one is
    the impact. Sample ``k`` is ``time_s = k * time_step_s`` after launch, except the impact,
    which is at the exact flight time; between samples the threat flies the straight (ECEF)
    line at constant velocity.
    """

    time_step_s: float
    sample_offset: np.ndarray  # (n_threats + 1,) int64
    time_s: np.ndarray  # (n_samples,) float64: seconds after the threat's launch
    lon_deg: np.ndarray  # (n_samples,) float64
    lat_deg: np.ndarray  # (n_samples,) float64
    alt_m: np.ndarray  # (n_samples,) float64
    ecef_m: np.ndarray  # (n_samples, 3) float64
    territory: np.ndarray  # (n_samples,) int16: geo nation index, -1 none

    @property
    def last_sample(self) -> np.ndarray:
        """(n_threats,) int64: index, counted from launch, of each threat's impact sample."""
        return np.diff(self.sample_offset) - 1


# Spacing of exact geodesic points along a leg; samples in between are interpolated linearly in
# longitude and latitude. The chord of a geodesic of length L departs from it by at most about
# L² tan(φ) / (8 R): 0.2 m for L = 2 km at 70° N (R = 6,371 km), far below any other error here.
ANCHOR_SPACING_M = 2000.0


def _along_legs(
    start_lon: np.ndarray,
    start_lat: np.ndarray,
    bearing: np.ndarray,
    length_m: np.ndarray,
    leg: np.ndarray,
    distance_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``distance_m`` along geodesic legs ``leg``: exact anchors, interpolated between.

    Units: degrees, radians, metres. Leg arrays are (n_legs,); ``leg`` and ``distance_m`` (n,).
    """
    n_anchor = np.ceil(length_m / ANCHOR_SPACING_M).astype(np.int64) + 1
    anchor_offset = np.cumsum(n_anchor) - n_anchor
    anchor_leg = np.repeat(np.arange(length_m.shape[0]), n_anchor)
    anchor_m = np.minimum(
        (np.arange(anchor_leg.shape[0]) - anchor_offset[anchor_leg]) * ANCHOR_SPACING_M,
        length_m[anchor_leg],
    )
    a_lon, a_lat = destination_lonlat(
        start_lon[anchor_leg], start_lat[anchor_leg], bearing[anchor_leg], anchor_m
    )
    return _between_anchors(
        anchor_offset,
        n_anchor,
        anchor_m,
        np.asarray(a_lon, dtype=np.float64),
        np.asarray(a_lat, dtype=np.float64),
        np.ascontiguousarray(leg, dtype=np.int64),
        np.ascontiguousarray(distance_m, dtype=np.float64),
    )


@njit(cache=True, nogil=True)
def _between_anchors(
    anchor_offset: np.ndarray,
    n_anchor: np.ndarray,
    anchor_m: np.ndarray,
    anchor_lon: np.ndarray,
    anchor_lat: np.ndarray,
    leg: np.ndarray,
    distance_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Interpolate longitude and latitude between the two anchors around each distance."""
    lon, lat = np.empty(leg.shape[0]), np.empty(leg.shape[0])
    for m in range(leg.shape[0]):
        first, count = anchor_offset[leg[m]], n_anchor[leg[m]]
        lo = first + max(min(int(np.floor(distance_m[m] / ANCHOR_SPACING_M)), count - 2), 0)
        hi = min(lo + 1, first + count - 1)
        span = anchor_m[hi] - anchor_m[lo]
        w = (distance_m[m] - anchor_m[lo]) / span if span > 0.0 else 0.0
        lon[m] = anchor_lon[lo] + w * (anchor_lon[hi] - anchor_lon[lo])
        lat[m] = anchor_lat[lo] + w * (anchor_lat[hi] - anchor_lat[lo])
    return lon, lat


def sample_trajectories(
    compiled: CompiledScenario, route_lonlat: np.ndarray, step_s: float | None = None
) -> Trajectories:
    """Sample every threat's flight on the time grid for one set of (jittered) routes.

    Vectorized over all threats: legs and samples of every threat are laid end to end, each
    threat's distances shifted by a large per-threat offset so one ``searchsorted`` finds
    every sample's leg.
    """
    dt = float(compiled.time_step_s if step_s is None else step_s)
    route_lon, route_lat = route_lonlat
    offsets = compiled.route_offset
    n = compiled.n_threats
    owner = np.repeat(np.arange(n), np.diff(offsets))
    position = np.arange(route_lon.shape[0]) - offsets[owner]
    is_last = position == np.diff(offsets)[owner] - 1
    # ballistic threats fly straight from the launch site (first point) to the target (last)
    keep = ~compiled.threat_ballistic[owner] | (position == 0) | is_last
    lon, lat, owner, is_last = route_lon[keep], route_lat[keep], owner[keep], is_last[keep]
    leg = np.flatnonzero(~is_last)  # a leg starts at every point but a threat's last
    leg_owner = owner[leg]
    leg_m = np.asarray(
        geodesic_distance_m(lon[leg], lat[leg], lon[leg + 1], lat[leg + 1]), dtype=np.float64
    )
    leg_bearing = np.asarray(
        initial_bearing_rad(lon[leg], lat[leg], lon[leg + 1], lat[leg + 1]), dtype=np.float64
    )
    total_m = np.bincount(leg_owner, weights=leg_m, minlength=n)
    first_leg = np.searchsorted(leg_owner, np.arange(n))
    leg_start_m = np.cumsum(leg_m) - leg_m
    leg_start_m -= leg_start_m[first_leg][leg_owner]
    profile = vertical_profiles(compiled, total_m)
    n_steps = np.maximum(1, np.ceil(profile.flight_s / dt).astype(np.int64))
    counts = n_steps + 1
    sample_offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    s_owner = np.repeat(np.arange(n), counts)
    k = np.arange(int(sample_offset[-1])) - sample_offset[s_owner]
    time_s = np.minimum(k * dt, profile.flight_s[s_owner])
    along_m, alt = profile.at(s_owner, time_s)
    along_m = np.minimum(along_m, total_m[s_owner])
    shift = np.cumsum(np.concatenate([[0.0], total_m[:-1] + 1.0]))  # separates threats
    s_leg = (
        np.searchsorted(leg_start_m + shift[leg_owner], along_m + shift[s_owner], side="right") - 1
    )
    s_leg = np.clip(s_leg, first_leg[s_owner], np.append(first_leg[1:], leg.size)[s_owner] - 1)
    s_lon, s_lat = _along_legs(
        lon[leg], lat[leg], leg_bearing, leg_m, s_leg, along_m - leg_start_m[s_leg]
    )
    end = sample_offset[1:] - 1
    target = np.flatnonzero(is_last)
    s_lon[end], s_lat[end] = lon[target], lat[target]
    return Trajectories(
        time_step_s=dt,
        sample_offset=readonly(sample_offset),
        time_s=readonly(time_s),
        lon_deg=readonly(s_lon),
        lat_deg=readonly(s_lat),
        alt_m=readonly(alt),
        ecef_m=readonly(np.asarray(lonlat_to_ecef_m(s_lon, s_lat, alt), dtype=np.float64)),
        territory=readonly(np.asarray(territory_codes(s_lon, s_lat), dtype=np.int16)),
    )
