"""Threat flight: route realizations and trajectories sampled on the engine's time grid.

A threat's trajectory is sampled every ``time_step_s`` from its launch: sample ``k`` is where it
is ``k * time_step_s`` seconds after launch; the last sample is the impact at its target.
Air-breathing threats fly the geodesic legs launch site → waypoints → target at constant speed
and altitude; ballistic threats fly the geodesic launch site → target on a parabolic arc whose
apogee scales with the distance flown. Either may end in a straight terminal dive at the
catalog dive angle and terminal speed (:class:`VerticalProfiles`): a public-information
approximation, not a trajectory simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

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
    "VerticalProfiles",
    "course_rad",
    "points_at",
    "realize_routes",
    "sample_trajectories",
    "vertical_profiles",
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


@dataclass(frozen=True, slots=True)
class VerticalProfiles:
    """Every threat's flight in the vertical plane: ground distance and altitude over time.

    Two phases. Before the dive (``[0, dive_s]``) the threat covers ground at ``speed_mps``:
    an air-breathing threat at its cruise altitude, a ballistic one on a parabolic arc rising
    from the launch site to ``apogee_m`` (at ``apogee_along_m``) and coming down to
    ``dive_altitude_m``. The terminal dive is a straight line at the dive angle from there to
    the target, flown at ``terminal_speed_mps`` along the line. A threat with no dive angle
    has no dive: ballistic arcs then land at the target, air-breathing threats arrive at
    cruise altitude. All arrays (n_threats,); metres, seconds, m/s.
    """

    speed_mps: np.ndarray
    terminal_speed_mps: np.ndarray
    ballistic: np.ndarray  # bool
    cruise_altitude_m: np.ndarray  # air-breathing threats
    apogee_m: np.ndarray  # ballistic threats
    apogee_along_m: np.ndarray  # ballistic threats: ground distance of the apogee
    dive_along_m: np.ndarray  # ground distance where the dive starts
    dive_altitude_m: np.ndarray
    dive_ground_m: np.ndarray  # ground distance covered in the dive
    dive_s: np.ndarray  # time after launch at which the dive starts
    flight_s: np.ndarray  # launch to impact

    def at(self, threat: np.ndarray, time_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ground distance from the launch site and altitude of each threat at ``time_s``."""
        return _profile_at(
            np.ascontiguousarray(threat, dtype=np.int64),
            np.ascontiguousarray(time_s, dtype=np.float64),
            self.speed_mps,
            self.terminal_speed_mps,
            self.ballistic,
            self.cruise_altitude_m,
            self.apogee_m,
            self.apogee_along_m,
            self.dive_altitude_m,
            self.dive_ground_m,
            self.dive_s,
            np.hypot(self.dive_ground_m, self.dive_altitude_m),
        )


@njit(cache=True, nogil=True)
def _profile_at(
    threat: np.ndarray,
    time_s: np.ndarray,
    speed_mps: np.ndarray,
    terminal_speed_mps: np.ndarray,
    ballistic: np.ndarray,
    cruise_altitude_m: np.ndarray,
    apogee_m: np.ndarray,
    apogee_along_m: np.ndarray,
    dive_altitude_m: np.ndarray,
    dive_ground_m: np.ndarray,
    dive_s: np.ndarray,
    dive_length_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """See :meth:`VerticalProfiles.at`; per-threat arrays (n_threats,), the rest (n,)."""
    along, alt = np.empty(threat.shape[0]), np.empty(threat.shape[0])
    for m in range(threat.shape[0]):
        i, t = threat[m], time_s[m]
        before_m = speed_mps[i] * (t if t < dive_s[i] else dive_s[i])
        into_dive = 0.0  # fraction of the dive flown
        if t > dive_s[i]:
            length = dive_length_m[i]
            flown = (t - dive_s[i]) * terminal_speed_mps[i]
            into_dive = (flown if flown < length else length) / (length if length > 0.0 else 1.0)
        along[m] = before_m + into_dive * dive_ground_m[i]
        if t > dive_s[i]:
            alt[m] = dive_altitude_m[i] * (1.0 - into_dive)
        elif ballistic[i]:
            x_a = apogee_along_m[i] if apogee_along_m[i] > 1.0 else 1.0
            r = (before_m - x_a) / x_a
            arc = apogee_m[i] * (1.0 - r * r)
            alt[m] = arc if arc > 0.0 else 0.0
        else:
            alt[m] = cruise_altitude_m[i]
    return along, alt


def vertical_profiles(compiled: CompiledScenario, distance_m: np.ndarray) -> VerticalProfiles:
    """Lay out each threat's vertical profile over the ground distance ``distance_m`` it flies.

    A ballistic apogee scales with the distance flown, reaching the catalog apogee at the
    type's ``apogee_range`` and staying there beyond. The dive starts at the catalog dive
    altitude, lowered so the arc keeps at least half the distance (ballistic) and never above
    the apogee; an air-breathing threat dives from its cruise altitude, steeper than the
    catalog angle only when the whole route is shorter than the dive.
    """
    ballistic = compiled.threat_ballistic
    angle = compiled.threat_dive_angle_rad
    has_dive = angle > 0
    tan = np.tan(np.where(has_dive, angle, 1.0))
    apogee = np.where(
        ballistic,
        compiled.threat_altitude_m * np.minimum(1.0, distance_m / compiled.threat_apogee_range_m),
        0.0,
    )
    ballistic_dive_alt = np.minimum.reduce(
        [compiled.threat_dive_altitude_m, apogee, 0.5 * distance_m * tan]
    )
    dive_alt = np.where(
        has_dive, np.where(ballistic, ballistic_dive_alt, compiled.threat_altitude_m), 0.0
    )
    dive_ground = np.where(has_dive, np.minimum(dive_alt / tan, distance_m), 0.0)
    dive_along = distance_m - dive_ground
    # the arc's apogee sits where the parabola through the launch site comes down to dive_alt
    descent = np.sqrt(np.clip(1.0 - dive_alt / np.where(apogee > 0, apogee, 1.0), 0.0, 1.0))
    apogee_along = dive_along / (1.0 + descent)
    speed = compiled.threat_speed_mps
    terminal = compiled.threat_terminal_speed_mps
    dive_s = dive_along / speed
    return VerticalProfiles(
        speed_mps=speed,
        terminal_speed_mps=terminal,
        ballistic=ballistic,
        cruise_altitude_m=compiled.threat_altitude_m,
        apogee_m=apogee,
        apogee_along_m=apogee_along,
        dive_along_m=dive_along,
        dive_altitude_m=dive_alt,
        dive_ground_m=dive_ground,
        dive_s=dive_s,
        flight_s=dive_s + np.hypot(dive_ground, dive_alt) / terminal,
    )


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


@dataclass(frozen=True, slots=True)
class PointsOnTrajectory:
    """Positions of threats at given times, interpolated between samples (all (n,) float64)."""

    lon_deg: np.ndarray
    lat_deg: np.ndarray
    alt_m: np.ndarray
    ecef_m: np.ndarray  # (n, 3)


@njit(cache=True, nogil=True)
def _interpolate(
    sample_offset: np.ndarray,
    sample_time_s: np.ndarray,
    time_step_s: float,
    lon_deg: np.ndarray,
    lat_deg: np.ndarray,
    alt_m: np.ndarray,
    ecef_m: np.ndarray,
    threat: np.ndarray,
    time_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = threat.shape[0]
    lon, lat, alt, ecef = np.empty(n), np.empty(n), np.empty(n), np.empty((n, 3))
    for m in range(n):
        start = sample_offset[threat[m]]
        last = sample_offset[threat[m] + 1] - 1
        top = max(last - 1, start)
        # samples are one time step apart except the impact (the last), which may come earlier
        steps = np.floor(time_s[m] / time_step_s)
        j = start if not steps > 0.0 else min(start + int(min(steps, top - start)), top)
        nxt = min(j + 1, last)
        span = sample_time_s[nxt] - sample_time_s[j]
        w = (time_s[m] - sample_time_s[j]) / span if span > 0.0 else 0.0
        if w == w:  # clipped to [0, 1] as np.clip does it: NaN stays, -0.0 becomes 0.0
            w = w if w > 0.0 else 0.0
            w = w if w < 1.0 else 1.0
        lon[m] = lon_deg[j] + w * (lon_deg[nxt] - lon_deg[j])
        lat[m] = lat_deg[j] + w * (lat_deg[nxt] - lat_deg[j])
        alt[m] = alt_m[j] + w * (alt_m[nxt] - alt_m[j])
        for d in range(3):
            ecef[m, d] = ecef_m[j, d] + w * (ecef_m[nxt, d] - ecef_m[j, d])
    return lon, lat, alt, ecef


def points_at(
    trajectories: Trajectories, threat: np.ndarray, time_s: np.ndarray
) -> PointsOnTrajectory:
    """Where each threat is at a time after its launch (clipped to launch and impact).

    Positions are interpolated linearly between the two samples around the time: in ECEF this
    is the trajectory itself; in longitude, latitude and altitude it departs from it by less
    than a metre over one step.

    Units: seconds in; degrees and metres out. ``threat`` (n,) int, ``time_s`` (n,) float64.
    """
    t = trajectories
    lon, lat, alt, ecef = _interpolate(
        t.sample_offset,
        t.time_s,
        t.time_step_s,
        t.lon_deg,
        t.lat_deg,
        t.alt_m,
        t.ecef_m,
        np.ascontiguousarray(threat, dtype=np.int64).reshape(-1),
        np.ascontiguousarray(time_s, dtype=np.float64).reshape(-1),
    )
    return PointsOnTrajectory(lon_deg=lon, lat_deg=lat, alt_m=alt, ecef_m=ecef)
