"""Threat flight: route realizations and trajectories sampled on the engine's time grid.

A threat's trajectory is sampled every ``time_step_s`` from its launch: sample ``k`` is where it
is ``k * time_step_s`` seconds after launch; the last sample is the impact at its target.
Air-breathing threats fly the geodesic legs launch site → waypoints → target at constant speed
and altitude. Ballistic threats fly the geodesic launch site → target with a parabolic altitude
profile whose apogee scales with the distance flown (catalog apogee at the type's full range),
at the catalog mean speed: a public-information approximation of a ballistic profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.geo import (
    destination_lonlat,
    geodesic_distance_m,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    territory_codes,
)

__all__ = [
    "PointsOnTrajectory",
    "Trajectories",
    "course_rad",
    "points_at",
    "realize_routes",
    "sample_trajectories",
]


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


def course_rad(trajectories: Trajectories, samples: np.ndarray) -> np.ndarray:
    """Course over ground at the given samples, clockwise from north.

    The bearing from each sample to the next of the same threat; at the impact sample, the
    bearing over the last step. Computed only where needed (the heading rule of some nations).

    Units: radians. ``samples`` are global sample indices, (n,) int64.
    """
    samples = np.asarray(samples, dtype=np.int64)
    owner = np.searchsorted(trajectories.sample_offset, samples, side="right") - 1
    start = np.where(samples == trajectories.sample_offset[owner + 1] - 1, samples - 1, samples)
    lon, lat = trajectories.lon_deg, trajectories.lat_deg
    return np.asarray(
        initial_bearing_rad(lon[start], lat[start], lon[start + 1], lat[start + 1]),
        dtype=np.float64,
    )


def realize_routes(compiled: CompiledScenario, *, rng: np.random.Generator) -> np.ndarray:
    """Jitter every threat's intermediate waypoints; return (lon_deg, lat_deg) stacked (2, n).

    Each waypoint other than the launch site and the target moves by a normal offset of the
    wave's ``route_jitter_km`` standard deviation in each of two horizontal directions.
    """
    lon = compiled.route_lon_deg.copy()
    lat = compiled.route_lat_deg.copy()
    offsets = compiled.route_offset
    owner = np.repeat(np.arange(compiled.n_threats), np.diff(offsets))
    position = np.arange(lon.shape[0]) - offsets[owner]
    inner = (position > 0) & (position < np.diff(offsets)[owner] - 1)
    sigma = compiled.threat_route_jitter_m[owner]
    east_north = rng.normal(size=(2, lon.shape[0])) * sigma
    move = inner & (sigma > 0)
    distance = np.hypot(east_north[0], east_north[1])[move]
    bearing = np.arctan2(east_north[0], east_north[1])[move]
    lon[move], lat[move] = destination_lonlat(lon[move], lat[move], bearing, distance)
    return np.stack([lon, lat])


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
    a_lon = np.asarray(a_lon, dtype=np.float64)
    a_lat = np.asarray(a_lat, dtype=np.float64)
    a = np.minimum(np.floor(distance_m / ANCHOR_SPACING_M).astype(np.int64), n_anchor[leg] - 2)
    lo = anchor_offset[leg] + np.maximum(a, 0)
    hi = np.minimum(lo + 1, anchor_offset[leg] + n_anchor[leg] - 1)
    span = anchor_m[hi] - anchor_m[lo]
    w = np.where(span > 0, (distance_m - anchor_m[lo]) / np.where(span > 0, span, 1.0), 0.0)
    return a_lon[lo] + w * (a_lon[hi] - a_lon[lo]), a_lat[lo] + w * (a_lat[hi] - a_lat[lo])


def sample_trajectories(compiled: CompiledScenario, route_lonlat: np.ndarray) -> Trajectories:
    """Sample every threat's flight on the time grid for one set of (jittered) routes.

    Vectorized over all threats: legs and samples of every threat are laid end to end, each
    threat's distances shifted by a large per-threat offset so one ``searchsorted`` finds
    every sample's leg.
    """
    dt = compiled.time_step_s
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
    step_m = compiled.threat_speed_mps * dt
    n_steps = np.maximum(1, np.ceil(total_m / step_m).astype(np.int64))
    counts = n_steps + 1
    sample_offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    s_owner = np.repeat(np.arange(n), counts)
    k = np.arange(int(sample_offset[-1])) - sample_offset[s_owner]
    along_m = np.minimum(k * step_m[s_owner], total_m[s_owner])
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
    ballistic = compiled.threat_ballistic[s_owner]
    apogee_m = compiled.threat_altitude_m * np.minimum(1.0, total_m / compiled.threat_range_m)
    flight = total_m[s_owner]
    parabola = 4.0 * apogee_m[s_owner] * along_m * (flight - along_m) / np.maximum(flight, 1.0) ** 2
    alt = np.where(ballistic, parabola, compiled.threat_altitude_m[s_owner])
    time_s = np.minimum(k * dt, total_m[s_owner] / compiled.threat_speed_mps[s_owner])
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


@dataclass(frozen=True, slots=True)
class PointsOnTrajectory:
    """Positions of threats at given times, interpolated between samples (all (n,) float64)."""

    lon_deg: np.ndarray
    lat_deg: np.ndarray
    alt_m: np.ndarray
    ecef_m: np.ndarray  # (n, 3)


def points_at(
    trajectories: Trajectories, threat: np.ndarray, time_s: np.ndarray
) -> PointsOnTrajectory:
    """Where each threat is at a time after its launch (clipped to launch and impact).

    Positions are interpolated linearly between the two samples around the time: in ECEF this
    is the trajectory itself; in longitude, latitude and altitude it departs from it by less
    than a metre over one step.

    Units: seconds in; degrees and metres out. ``threat`` (n,) int, ``time_s`` (n,) float64.
    """
    threat = np.asarray(threat, dtype=np.int64)
    start = trajectories.sample_offset[threat]
    last = trajectories.sample_offset[threat + 1] - 1
    t = trajectories.time_s
    time_s = np.asarray(time_s, dtype=np.float64)
    # samples are one time step apart except the impact (the last), which may come earlier
    k = np.floor(time_s / trajectories.time_step_s).astype(np.int64)
    j = np.clip(start + k, start, np.maximum(last - 1, start))
    nxt = np.minimum(j + 1, last)
    span = t[nxt] - t[j]
    w = np.clip(np.where(span > 0, (time_s - t[j]) / np.where(span > 0, span, 1.0), 0.0), 0.0, 1.0)

    def lerp(values: np.ndarray) -> np.ndarray:
        if values.ndim == 2:  # noqa: PLR2004
            return np.asarray(values[j] + w[:, None] * (values[nxt] - values[j]))
        return np.asarray(values[j] + w * (values[nxt] - values[j]))

    return PointsOnTrajectory(
        lon_deg=lerp(trajectories.lon_deg),
        lat_deg=lerp(trajectories.lat_deg),
        alt_m=lerp(trajectories.alt_m),
        ecef_m=lerp(trajectories.ecef_m),
    )
