"""Threat flight: route realizations and the vertical profile every threat flies.

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

from skyshield.engine.compiled import CompiledScenario
from skyshield.geo import destination_lonlat

__all__ = ["VerticalProfiles", "realize_routes", "vertical_profiles"]


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
