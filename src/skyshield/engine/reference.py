"""The reference engine: plain, per-entity, time-stepped; slow and obviously correct.

It walks every step of every replication and, for every unit and threat, re-derives from the
sampled trajectories whether the unit may fire now, in scalar Python, without the fast engine's
windows or helpers: its own intercept solver (bisection on the convex miss function of each
segment instead of the closed form), its own priority, course and heading projection (pyproj's
GeographicLib instead of our Vincenty), exact territory (shapely, no grid), its own
fire-control check. Given the same :class:`ReplicationDraws` both engines must produce the same
outcomes (times within :data:`TIME_TOLERANCE_S`); tests hold them to it. Small scenarios only.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
from pyproj import Geod

from skyshield.catalog import FireControl, ThreatClass
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import ReplicationDraws
from skyshield.engine.geometry import RaidGeometry
from skyshield.engine.outcomes import Fate, RawOutcomes
from skyshield.engine.sampled import Trajectories, sample_trajectories
from skyshield.geo import (
    NATION_CODES,
    distance_to_territory_m,
    lonlat_to_ecef_m,
    near_populated_place_mask,
    populated_places,
    radar_horizon_m,
)
from skyshield.geo.territory import contains_xy_locked, exact_territory_codes

__all__ = ["TIME_TOLERANCE_S", "simulate_reference"]

# Intercept times are found by bisection to this tolerance (the fast engine's are closed form).
TIME_TOLERANCE_S = 1e-6
_WGS84 = Geod(ellps="WGS84")
_HEADING_FRACTIONS = (0.25, 0.5, 0.75, 1.0)  # of the horizon, as documented in zones.py
_TERNARY_ITERATIONS = 60
_FIRE_CONTROL = tuple(FireControl)
_DRONE, _DECOY = ThreatClass.DRONE.position, ThreatClass.DECOY.position
_EARTH_RADIUS_M = 6_371_008.8  # mean radius, for the threat assessment's cross-track distance


def _territory(lon: float, lat: float) -> int:
    return int(exact_territory_codes(np.array([lon]), np.array([lat]))[0])


class _Rules:
    """Scalar rule checks for one route realization."""

    def __init__(self, compiled: CompiledScenario, traj: Trajectories) -> None:
        self.c = compiled
        self.t = traj
        self.times = [
            [float(v) for v in traj.time_s[traj.sample_offset[i] : traj.sample_offset[i + 1]]]
            for i in range(compiled.n_threats)
        ]
        self.unit_xyz = [
            tuple(float(v) for v in np.asarray(lonlat_to_ecef_m(lon, lat, 0.0)).ravel())
            for lon, lat in zip(compiled.unit_lon_deg, compiled.unit_lat_deg, strict=True)
        ]
        self.radar_xyz = [
            tuple(float(v) for v in np.asarray(lonlat_to_ecef_m(lon, lat, h)).ravel())
            for lon, lat, h in zip(
                compiled.unit_lon_deg,
                compiled.unit_lat_deg,
                compiled.unit_radar_height_m,
                strict=True,
            )
        ]
        sensors = np.asarray(
            lonlat_to_ecef_m(
                compiled.sensor_lon_deg, compiled.sensor_lat_deg, compiled.sensor_height_m
            )
        ).reshape(-1, 3)
        self.sensor_xyz = [tuple(float(v) for v in row) for row in sensors]
        # Out of reach, no search: an intercept found by intercept_s lies at most one step after
        # fire + max range / interceptor speed, and a threat closes in at most at its fastest
        # sampled speed, so from farther than max range + that closing it would be beyond max
        # range (may_fire would refuse it). far_m[u][i] is that distance.
        self.xyz = [
            [tuple(float(v) for v in row) for row in traj.ecef_m[a:b]]
            for a, b in zip(traj.sample_offset[:-1], traj.sample_offset[1:], strict=True)
        ]
        self.far_m = [[0.0] * compiled.n_threats for _ in range(compiled.n_units)]
        for i in range(compiled.n_threats):
            a, b = int(traj.sample_offset[i]), int(traj.sample_offset[i + 1])
            span = np.diff(traj.time_s[a:b])
            metres = np.linalg.norm(np.diff(traj.ecef_m[a:b], axis=0), axis=1)
            top_mps = float((metres[span > 0] / span[span > 0]).max(initial=0.0))
            for u in range(compiled.n_units):
                reach = float(compiled.unit_max_range_m[u])
                flight = reach / float(compiled.unit_interceptor_mps[u]) + compiled.time_step_s
                self.far_m[u][i] = reach + top_mps * flight
        self._entry: dict[tuple[int, int], float] = {}  # (nation, threat) -> zone entry time
        self._protected: dict[int, list[tuple[float, float]]] = {}

    def sample(self, i: int, k: int) -> int:
        return int(self.t.sample_offset[i]) + k

    def last(self, i: int) -> int:
        return int(self.t.sample_offset[i + 1] - self.t.sample_offset[i]) - 1

    def flight_s(self, i: int) -> float:
        return float(self.t.time_s[self.sample(i, self.last(i))])

    def where(
        self, i: int, time_s: float
    ) -> tuple[tuple[float, float, float], float, float, float]:
        """ECEF position, lon, lat and altitude of threat ``i`` at ``time_s`` after launch."""
        last = self.last(i)
        times = self.times[i]
        j = min(max(bisect.bisect_right(times, time_s) - 1, 0), max(last - 1, 0))
        a, b = self.sample(i, j), self.sample(i, min(j + 1, last))
        span = float(self.t.time_s[b] - self.t.time_s[a])
        w = 0.0 if span <= 0 else min(max((time_s - float(self.t.time_s[a])) / span, 0.0), 1.0)
        xyz = tuple(
            float(self.t.ecef_m[a, d] + w * (self.t.ecef_m[b, d] - self.t.ecef_m[a, d]))
            for d in range(3)
        )
        lon = float(self.t.lon_deg[a] + w * (self.t.lon_deg[b] - self.t.lon_deg[a]))
        lat = float(self.t.lat_deg[a] + w * (self.t.lat_deg[b] - self.t.lat_deg[a]))
        alt = float(self.t.alt_m[a] + w * (self.t.alt_m[b] - self.t.alt_m[a]))
        return (xyz[0], xyz[1], xyz[2]), lon, lat, alt

    def intercept_s(self, u: int, i: int, fire_s: float) -> float:
        """Earliest time the interceptor can be where the threat is, or NaN (bisection)."""
        speed = float(self.c.unit_interceptor_mps[u])
        reach = float(self.c.unit_max_range_m[u])
        flight = self.flight_s(i)

        def miss(tau: float) -> float:  # > 0 while the interceptor cannot be there yet
            return math.dist(self.unit_xyz[u], self.where(i, tau)[0]) - speed * (tau - fire_s)

        start = fire_s
        # segments ending at or before the shot are skipped below: start at the shot's segment
        first = max(bisect.bisect_right(self.times[i], fire_s) - 1, 0)
        for j in range(first, self.last(i)):
            end = float(self.t.time_s[self.sample(i, j + 1)])
            if end <= start:
                continue
            if start > fire_s + reach / speed:
                return math.nan
            lo, hi = start, end
            if miss(hi) > 0 and self._closest_m(u, i, start, end) > speed * (end - fire_s):
                start = end  # not even the closest point of the segment is reachable
                continue
            if miss(hi) > 0:  # the miss is convex on a segment: find its minimum
                a, b = start, end
                for _ in range(_TERNARY_ITERATIONS):
                    m1, m2 = a + (b - a) / 3, b - (b - a) / 3
                    if miss(m1) <= miss(m2):
                        b = m2
                    else:
                        a = m1
                if miss((a + b) / 2) > 0:
                    start = end
                    continue
                hi = (a + b) / 2
            if miss(lo) <= 0:
                return lo
            while hi - lo > TIME_TOLERANCE_S / 4:
                mid = (lo + hi) / 2
                if miss(mid) > 0:
                    lo = mid
                else:
                    hi = mid
            return hi if hi < flight else math.nan
        return math.nan

    def _closest_m(self, u: int, i: int, t0: float, t1: float) -> float:
        """Distance from the unit to the nearest point of the threat's path in [t0, t1]."""
        a, b = self.where(i, t0)[0], self.where(i, t1)[0]
        p = self.unit_xyz[u]
        ab = [b[d] - a[d] for d in range(3)]
        length2 = sum(x * x for x in ab)
        w = 0.0 if length2 == 0 else sum((p[d] - a[d]) * ab[d] for d in range(3)) / length2
        w = min(max(w, 0.0), 1.0)
        return math.dist(p, tuple(a[d] + w * ab[d] for d in range(3)))

    def sees(
        self, u: int, i: int, xyz: tuple[float, float, float], lon: float, lat: float, alt: float
    ) -> bool:
        """Whether the unit's own fire control sees the threat at this point."""
        c = self.c
        control = _FIRE_CONTROL[int(c.unit_fire_control[u])]
        if control is not FireControl.OWN_RADAR:
            return True
        if c.unit_radar_range_m[u] <= 0:
            return False
        free_space = float(
            c.unit_radar_range_m[u]
            * (c.threat_rcs_m2[i] / c.unit_radar_reference_rcs_m2[u]) ** 0.25
        )
        horizon = float(radar_horizon_m(c.unit_radar_height_m[u], max(alt, 0.0)))
        if math.dist(self.radar_xyz[u], xyz) > min(free_space, horizon):
            return False
        half = float(c.unit_radar_half_sector_rad[u])
        if half >= math.pi:
            return True
        azimuth, _, _ = _WGS84.inv(float(c.unit_lon_deg[u]), float(c.unit_lat_deg[u]), lon, lat)
        off = (math.radians(azimuth) - float(c.unit_radar_azimuth_rad[u]) + math.pi) % (
            2 * math.pi
        ) - math.pi
        return abs(off) <= half

    def may_fire(
        self,
        u: int,
        i: int,
        k: int,
        track_s: float,
        recognised: bool,
        taken_for_decoy: bool = False,
    ) -> tuple[float, bool]:
        """(Intercept time, outside own airspace) if unit ``u`` may fire at step ``k``, else NaN.

        ``recognised``: the unit knows threat ``i`` for what it is; an unrecognised decoy is
        taken for a drone (its class rules are the drone's; its kill probability its own).
        ``taken_for_decoy``: a drone the unit identifies as a decoy, where its rules require
        identification (issue #22). The unit fires under its host's rules (``operates_under``).
        """
        c = self.c
        no = (math.nan, False)
        nation = int(c.unit_roe_nation[u])
        cls = int(c.threat_class[i])
        seen_as = _DRONE if cls == _DECOY and not recognised else cls
        if cls == _DRONE and taken_for_decoy and c.roe_require_id[nation]:
            seen_as = _DECOY
        if (
            not c.roe_classes[nation, seen_as]
            or not c.unit_tasked[u, seen_as]
            or c.unit_pk[u, cls] <= 0
        ):
            return no
        dt = c.time_step_s
        if k >= self.last(i) or k * dt < self.cleared_s(u, i, track_s):
            return no
        if seen_as == _DECOY and int(c.roe_engage_decoys[nation]) == 0:
            return no  # identified as a decoy, and decoys are never engaged
        needs_threat = c.roe_only_threatening[nation] or (
            seen_as == _DECOY and int(c.roe_engage_decoys[nation]) == 1
        )
        if needs_threat and not self.threatening(i, k, nation):
            return no
        if math.dist(self.unit_xyz[u], self.xyz[i][k]) > self.far_m[u][i]:
            return no  # out of reach (see far_m)
        tau = self.intercept_s(u, i, k * dt)
        if math.isnan(tau):
            return no
        xyz, lon, lat, alt = self.where(i, tau)
        slant = math.dist(self.unit_xyz[u], xyz)
        if not c.unit_min_range_m[u] <= slant <= c.unit_max_range_m[u]:
            return no
        if not c.unit_min_alt_m[u] <= alt <= c.unit_max_alt_m[u]:
            return no
        if not self.sees(u, i, xyz, lon, lat, alt):
            return no
        own = int(c.nation_territory[nation])
        terr = _territory(lon, lat)
        in_zone = terr == own
        kind = int(c.roe_zone_kind[nation])
        if not in_zone and kind == 1 and terr >= 0 and c.roe_buffer_into[nation, terr]:
            distance = distance_to_territory_m(np.array([lon]), np.array([lat]), NATION_CODES[own])
            in_zone = float(distance[0]) <= c.roe_buffer_m[nation]
        if not in_zone and kind == 2:  # noqa: PLR2004
            in_zone = bool(
                contains_xy_locked(c.roe_polygons[nation], np.array([lon]), np.array([lat]))[0]
            )
        if not in_zone:
            return no
        if c.roe_must_head[nation] and not self._heads_to(i, k, nation):
            return no
        if c.roe_no_populated[nation] and terr == own:
            crowded = near_populated_place_mask(
                np.array([lon]),
                np.array([lat]),
                float(c.roe_populated_radius_m[nation]),
                int(c.roe_populated_min[nation]),
                NATION_CODES[own],
            )
            if bool(crowded[0]):
                return no
        return tau, terr != own

    def in_zone(self, nation: int, lon: float, lat: float) -> bool:
        """Whether a point lies in the nation's engagement zone (own territory, buffer, polygon)."""
        c = self.c
        own = int(c.nation_territory[nation])
        terr = _territory(lon, lat)
        if terr == own:
            return True
        kind = int(c.roe_zone_kind[nation])
        if kind == 1 and terr >= 0 and c.roe_buffer_into[nation, terr]:
            distance = distance_to_territory_m(np.array([lon]), np.array([lat]), NATION_CODES[own])
            return bool(float(distance[0]) <= c.roe_buffer_m[nation])
        if kind == 2:  # noqa: PLR2004
            return bool(
                contains_xy_locked(c.roe_polygons[nation], np.array([lon]), np.array([lat]))[0]
            )
        return False

    def cleared_s(self, u: int, i: int, track_s: float) -> float:
        """Earliest fire time of unit ``u`` at threat ``i`` under its rules' clock (issue #22).

        first_track: the track plus the delay; zone_entry: the first sample in the nation's
        zone (once tracked) plus the delay; identification: the unit's identification (track
        plus its identification delay) plus the delay. Identification, where required, first.
        """
        c = self.c
        nation = int(c.unit_roe_nation[u])
        identified = track_s + float(c.unit_identification_delay_s[u])
        clock = int(c.roe_clock[nation])
        if clock == 1:
            start = max(track_s, self.zone_entry_s(nation, i))
        elif clock == 2:  # noqa: PLR2004
            start = identified
        else:
            start = track_s
        cleared = start + float(c.roe_delay_s[nation])
        if c.roe_require_id[nation]:
            cleared = max(cleared, identified)
        return cleared

    def zone_entry_s(self, nation: int, i: int) -> float:
        """Time of the first sample of threat ``i`` inside the nation's zone (inf: none)."""
        key = (nation, i)
        if key not in self._entry:
            self._entry[key] = math.inf
            for j in range(self.last(i) + 1):
                at = self.sample(i, j)
                if self.in_zone(nation, float(self.t.lon_deg[at]), float(self.t.lat_deg[at])):
                    self._entry[key] = float(self.t.time_s[at])
                    break
        return self._entry[key]

    def threatening(self, i: int, k: int, nation: int) -> bool:
        """Whether the track at step ``k`` threatens what the nation protects (issue #22).

        The course from sample ``k`` to the next (never the target), extended over the
        horizon (a distance, or a time at the speed between the samples), must pass within
        the assessment's distance of an own asset or populated place (cross-track and
        along-track distances on the sphere).
        """
        c = self.c
        if nation not in self._protected:
            code = int(c.nation_territory[nation])
            places = populated_places(int(c.roe_populated_min[nation]), NATION_CODES[code])
            self._protected[nation] = [
                (float(lo), float(la))
                for lo, la in zip(c.asset_lon_deg, c.asset_lat_deg, strict=True)
                if _territory(float(lo), float(la)) == code  # assets on its own territory
            ] + [
                (float(lo), float(la))
                for lo, la in zip(places.lon_deg, places.lat_deg, strict=True)
            ]
        b = self.sample(i, min(k + 1, self.last(i)))
        a = b - 1 if b > self.sample(i, 0) else b
        here = self.sample(i, k)
        lon0, lat0 = float(self.t.lon_deg[here]), float(self.t.lat_deg[here])
        course, _, step_m = _WGS84.inv(
            float(self.t.lon_deg[a]), float(self.t.lat_deg[a]),
            float(self.t.lon_deg[b]), float(self.t.lat_deg[b]),
        )  # fmt: skip
        within = float(c.roe_threat_within_m[nation])
        if float(c.roe_threat_horizon_m[nation]) >= 0:
            horizon = float(c.roe_threat_horizon_m[nation])
        else:
            span = float(self.t.time_s[b] - self.t.time_s[a])
            speed = step_m / span if span > 0 else 0.0
            horizon = float(c.roe_threat_horizon_s[nation]) * speed
        end_lon, end_lat, _ = _WGS84.fwd(lon0, lat0, course, horizon)
        for lon, lat in self._protected[nation]:
            azimuth, _, distance = _WGS84.inv(lon0, lat0, lon, lat)
            if distance <= within:
                return True
            if step_m <= 0:
                continue
            d13 = distance / _EARTH_RADIUS_M
            theta = math.radians(azimuth - course)
            cross = math.asin(max(-1.0, min(1.0, math.sin(d13) * math.sin(theta))))
            along = math.acos(max(-1.0, min(1.0, math.cos(d13) / math.cos(cross))))
            along_m = math.copysign(along * _EARTH_RADIUS_M, math.cos(theta))
            if 0 <= along_m <= horizon and abs(cross) * _EARTH_RADIUS_M <= within:
                return True
            if _WGS84.inv(end_lon, end_lat, lon, lat)[2] <= within:
                return True
        return False

    def _heads_to(self, i: int, k: int, nation: int) -> bool:
        own = int(self.c.nation_territory[nation])
        here = self.sample(i, k)
        if _territory(float(self.t.lon_deg[here]), float(self.t.lat_deg[here])) == own:
            return True  # over own territory; otherwise the course decides (never the target)
        a = self.sample(i, k)
        b = a + 1 if k < self.last(i) else a
        a = b - 1
        lon0, lat0 = float(self.t.lon_deg[a]), float(self.t.lat_deg[a])
        course, _, _ = _WGS84.inv(lon0, lat0, float(self.t.lon_deg[b]), float(self.t.lat_deg[b]))
        here_lon, here_lat = (
            float(self.t.lon_deg[self.sample(i, k)]),
            float(self.t.lat_deg[self.sample(i, k)]),
        )
        horizon = float(self.c.roe_heading_horizon_m[nation])
        for fraction in _HEADING_FRACTIONS:
            lon, lat, _ = _WGS84.fwd(here_lon, here_lat, course, horizon * fraction)
            if _territory(lon, lat) == own:
                return True
        return False

    def _ew_strength(self, sample: int) -> float:
        """Strongest EW zone containing the sample (0 outside every zone)."""
        c, best = self.c, 0.0
        lon, lat = float(self.t.lon_deg[sample]), float(self.t.lat_deg[sample])
        for z in range(c.ew_zone_radius_m.shape[0]):
            _, _, distance = _WGS84.inv(
                float(c.ew_zone_lon_deg[z]), float(c.ew_zone_lat_deg[z]), lon, lat
            )
            if distance <= c.ew_zone_radius_m[z]:
                best = max(best, float(c.ew_zone_strength[z]))
        return best

    def ew_lost_s(self, i: int, budget: float) -> float:
        """Time after launch when threat ``i`` is lost to EW with exposure budget ``budget``.

        Walks its segments accumulating hazard (rate × metres × mean zone strength of the
        segment's ends) until it reaches the budget; inf if it never does.
        """
        rate = float(self.c.threat_ew_rate_per_m[i])
        if rate <= 0:
            return math.inf
        hazard = 0.0
        for k in range(self.last(i)):
            a, b = self.sample(i, k), self.sample(i, k + 1)
            length = math.dist(self.t.ecef_m[a], self.t.ecef_m[b])
            grows = rate * length * (self._ew_strength(a) + self._ew_strength(b)) / 2
            if grows > 0 and hazard + grows >= budget:
                t0, t1 = float(self.t.time_s[a]), float(self.t.time_s[b])
                return t0 + (budget - hazard) / grows * (t1 - t0)
            hazard += grows
        return math.inf

    def detects(self, s: int, i: int, k: int) -> bool:
        c, t = self.c, self.t
        sk = self.sample(i, k)
        slant = math.dist(self.sensor_xyz[s], tuple(float(v) for v in t.ecef_m[sk]))
        free_space = float(
            c.sensor_range_m[s] * (c.threat_rcs_m2[i] / c.sensor_reference_rcs_m2[s]) ** 0.25
        )
        horizon = float(radar_horizon_m(c.sensor_height_m[s], max(float(t.alt_m[sk]), 0.0)))
        return c.sensor_range_m[s] > 0 and slant <= min(free_space, horizon)


def simulate_reference(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    draws: ReplicationDraws,
    initial_stock: np.ndarray | None = None,
) -> RawOutcomes:
    """Simulate the replications in ``draws`` step by step (same rules as the fast engine).

    ``initial_stock``: None (the scenario's stock), (n_units,) or (n_reps, n_units).
    """
    c = compiled
    dt = c.time_step_s
    n_reps, n = draws.launch_step.shape
    # its own sampled flights of the same routes (nothing from the fast engine's pieces)
    rules = [_Rules(c, sample_trajectories(c, routes)) for routes in geometry.flights.routes]
    priority = [max(float(c.asset_value[c.threat_target[i]]), 1e-3) for i in range(n)]
    reload_steps = [math.ceil(float(r) / dt) for r in c.unit_reload_s]
    stock0 = np.broadcast_to(
        c.unit_stock if initial_stock is None else np.asarray(initial_stock), (n_reps, c.n_units)
    )
    max_rounds = draws.kill_u.shape[2]
    held_back_for = [  # per threat class: rounds each unit keeps for the other classes
        [
            sum(int(r) for cls, r in enumerate(c.unit_reserves[u]) if cls != threat_cls)
            for u in range(c.n_units)
        ]
        for threat_cls in range(c.unit_reserves.shape[1])
    ]
    identification = draws.identification()
    orbits: dict[int, list[tuple[float, float]]] = {}  # airborne sensors' on-station orbits
    for sensor, on, off in zip(c.orbit_sensor, c.orbit_on_s, c.orbit_off_s, strict=True):
        orbits.setdefault(int(sensor), []).append((float(on), float(off)))
    fate = np.full((n_reps, n), int(Fate.IMPACTED), dtype=np.int8)
    fate_s = np.zeros((n_reps, n))
    fate_unit = np.full((n_reps, n), -1, dtype=np.int32)
    final_stock = np.zeros((n_reps, c.n_units), dtype=np.int64)
    shots: list[tuple[int, int, int, int, float, bool]] = []
    for row in range(n_reps):
        launch = [int(v) for v in draws.launch_step[row]]
        rule = [rules[int(r)] for r in draws.realization[row]]
        last = [rule[i].last(i) for i in range(n)]
        flight = [rule[i].flight_s(i) for i in range(n)]
        ew_s = [rule[i].ew_lost_s(i, float(draws.ew_budget[row, i])) for i in range(n)]
        fall_s = [_fall_s(c, i, float(draws.fall_budget[row, i])) for i in range(n)]
        lost_s = [min(a, b) for a, b in zip(ew_s, fall_s, strict=True)]  # alive until then
        killed = [False] * n
        pending: dict[int, tuple[int, int, bool, float]] = {}  # threat -> (step, unit, hit, τ)
        rounds_at = [0] * n
        fired_at: dict[tuple[int, int], int] = {}  # (unit, threat): rounds over the night
        track = np.full((len(c.network_names), n), np.inf)
        plat = [int(v) for v in c.unit_platform]
        free = {plat[u]: int(c.unit_channels[u]) for u in range(c.n_units)}  # per aircraft
        stock = [int(v) for v in stock0[row]]
        ready = [min(int(a), b) for a, b in zip(c.unit_ready_capacity, stock, strict=True)]
        reload_at = [-1] * c.n_units
        used_outside = [0] * len(c.nation_codes)
        end = max(launch[i] + last[i] for i in range(n)) + 1
        # quick reaction alert: each group's alert (raid time), raised below; presence then
        alert_s = [math.inf] * c.alert_networks.shape[0]
        may_later: dict[tuple[int, int], list[int]] = {}  # (unit, threat): steps it may fire
        for s in range(min(launch), end + 1):
            for i in range(n):  # sensors: networks pick up tracks
                k = s - launch[i]
                if 0 <= k <= last[i]:
                    for sensor in range(c.sensor_lon_deg.shape[0]):
                        nets = c.sensor_networks[sensor]
                        if sensor in orbits and not any(
                            on <= s * dt < off for on, off in orbits[sensor]
                        ):
                            continue  # an orbiting airborne sensor off station
                        if np.isinf(track[nets, i]).any() and rule[i].detects(sensor, i, k):
                            track[nets, i] = np.minimum(track[nets, i], k * dt)
                            for g, group in enumerate(c.alert_networks):
                                if (group & nets).any() and k * dt < lost_s[i]:
                                    alert_s[g] = min(alert_s[g], s * dt)
            for i, (step, u, hit, tau) in list(pending.items()):  # 1. resolve
                if step <= s:
                    free[plat[u]] += 1
                    if hit and tau < lost_s[i]:
                        killed[i] = True
                        fate[row, i], fate_s[row, i], fate_unit[row, i] = (
                            int(Fate.INTERCEPTED),
                            tau,
                            u,
                        )
                    del pending[i]
            for u in range(c.n_units):  # 2. reloads
                if 0 <= reload_at[u] <= s:
                    ready[u] = min(int(c.unit_ready_capacity[u]), stock[u])
                    reload_at[u] = -1
            candidates: list[tuple[float, int, int, float, bool]] = []  # 3. candidates
            for i in range(n):
                k = s - launch[i]
                if (
                    killed[i]
                    or i in pending
                    or k < 0
                    or k >= last[i]
                    or k * dt >= lost_s[i]
                    or rounds_at[i] >= max_rounds
                ):
                    continue
                held_back = held_back_for[int(c.threat_class[i])]
                for u in range(c.n_units):
                    if free[plat[u]] <= 0 or ready[u] <= 0 or stock[u] <= held_back[u]:
                        continue
                    if 0 < c.unit_rounds_per_target[u] <= fired_at.get((u, i), 0):
                        continue  # its doctrine's rounds per target are spent
                    shift = 0.0 if c.unit_alert[u] < 0 else alert_s[int(c.unit_alert[u])]
                    if not c.unit_on_s[u] + shift <= s * dt < c.unit_off_s[u] + shift:
                        continue  # its aircraft is not on station (an alert one: since its alert)
                    unit_track = float(track[c.unit_networks[u], i].min(initial=np.inf))
                    recognised = bool(
                        draws.discrimination_u[row, i] < c.unit_decoy_discrimination[u]
                    )
                    taken_for_decoy = bool(identification[row, i] < c.unit_drone_taken_for_decoy[u])
                    tau, outside = rule[i].may_fire(
                        u, i, k, unit_track, recognised, taken_for_decoy
                    )
                    if math.isnan(tau):
                        continue
                    nation = int(c.unit_roe_nation[u])
                    if outside and 0 <= c.roe_cap_outside[nation] <= used_outside[nation]:
                        continue
                    steps_left = (flight[i] - k * dt) / dt + 1.0
                    score = float(c.unit_pk[u, c.threat_class[i]]) * priority[i] / steps_left
                    candidates.append((score, i, u, tau, outside))
            candidates = _one_weapon_per_aircraft(c, candidates)
            candidates = [  # an aircraft holds fire for a cheaper adequate weapon of its own
                x
                for x in candidates
                if not _holds_fire(
                    c, x[1], x[2], s - launch[x[1]], launch[x[1]], last[x[1]], rule[x[1]],
                    stock, held_back_for, may_later, alert_s,
                    float(track[c.unit_networks[x[2]], x[1]].min(initial=np.inf)),
                    float(draws.discrimination_u[row, x[1]]), float(identification[row, x[1]]),
                )
            ]  # fmt: skip
            free_of_unit = [free[plat[u]] for u in range(c.n_units)]
            for _, i, u, tau, outside in _assign(
                candidates, free_of_unit, c.optimal_assignment
            ):  # 4.
                nation = int(c.unit_roe_nation[u])
                if i in pending or free[plat[u]] <= 0 or ready[u] <= 0:
                    continue
                if outside and 0 <= c.roe_cap_outside[nation] <= used_outside[nation]:
                    continue
                keep = sum(
                    int(r) for cls, r in enumerate(c.unit_reserves[u]) if cls != c.threat_class[i]
                )
                if stock[u] <= keep:
                    continue
                n_rounds = min(
                    int(c.unit_rounds_per_engagement[u]),
                    ready[u],
                    max_rounds - rounds_at[i],
                    stock[u] - keep,
                )
                if c.unit_rounds_per_target[u] > 0:
                    n_rounds = min(
                        n_rounds, int(c.unit_rounds_per_target[u]) - fired_at.get((u, i), 0)
                    )
                    fired_at[u, i] = fired_at.get((u, i), 0) + n_rounds
                pk = float(c.unit_pk[u, c.threat_class[i]])
                hit = False
                for _ in range(n_rounds):
                    h = bool(draws.kill_u[row, i, rounds_at[i]] < pk)
                    rounds_at[i] += 1
                    hit = hit or h
                    shots.append((row, u, i, s, tau, h))
                ready[u] -= n_rounds
                stock[u] -= n_rounds
                free[plat[u]] -= 1
                used_outside[nation] += int(outside)
                arrival = launch[i] + math.ceil(tau / dt - 1e-9)
                pending[i] = (arrival, u, hit, tau)
                if ready[u] == 0 and stock[u] > 0 and reload_at[u] < 0:
                    reload_at[u] = s + reload_steps[u]
        for i in range(n):
            if killed[i]:
                continue
            if lost_s[i] < flight[i]:
                gone = Fate.FELL if fall_s[i] < ew_s[i] else Fate.LOST_TO_EW
                fate[row, i], fate_s[row, i] = int(gone), lost_s[i]
            else:
                fate_s[row, i] = flight[i]
        final_stock[row] = stock
    return RawOutcomes(
        replications=draws.replications,
        realization=np.asarray(draws.realization),
        launch_step=np.asarray(draws.launch_step),
        fate=fate,
        fate_s=fate_s,
        fate_unit=fate_unit,
        initial_stock=np.asarray(stock0, dtype=np.int64).copy(),
        final_stock=final_stock,
        shot_rep=np.asarray([x[0] for x in shots], dtype=np.int32),
        shot_unit=np.asarray([x[1] for x in shots], dtype=np.int32),
        shot_threat=np.asarray([x[2] for x in shots], dtype=np.int32),
        shot_step=np.asarray([x[3] for x in shots], dtype=np.int64),
        shot_intercept_s=np.asarray([x[4] for x in shots], dtype=np.float64),
        shot_hit=np.asarray([x[5] for x in shots], dtype=bool),
    )


def _holds_fire(
    c: CompiledScenario,
    i: int,
    u: int,
    k: int,
    launch_i: int,
    last_i: int,
    rule: _Rules,
    stock: list[int],
    held_back_for: list[list[int]],
    may_later: dict[tuple[int, int], list[int]],
    alert_s: list[float],
    unit_track: float,
    discrimination_u: float,
    identification_u: float,
) -> bool:
    """Whether unit ``u`` waits at step ``k`` for a cheaper adequate weapon of its aircraft.

    Another weapon of the aircraft, cheaper, with Pk >= the patrol's ``adequate_pk`` and
    rounds beyond its reserve, may fire at ``i`` at some step after ``k`` while the aircraft
    is still on station (``may_later`` keeps each weapon's steps, found once per night).
    """
    if not c.unit_wait_cheaper[u]:
        return False
    cls = int(c.threat_class[i])
    adequate = float(c.unit_adequate_pk[u])
    dt = c.time_step_s
    for v in range(c.n_units):
        if v == u or int(c.unit_platform[v]) != int(c.unit_platform[u]):
            continue
        if c.unit_pk[v, cls] < adequate or c.unit_cost_usd[v] >= c.unit_cost_usd[u]:
            continue
        if stock[v] <= held_back_for[cls][v]:
            continue
        if (v, i) not in may_later:
            recognised = discrimination_u < c.unit_decoy_discrimination[v]
            taken = identification_u < c.unit_drone_taken_for_decoy[v]
            may_later[(v, i)] = [
                kk
                for kk in range(last_i)
                if not math.isnan(rule.may_fire(v, i, kk, unit_track, recognised, taken)[0])
            ]
        steps = may_later[(v, i)]
        later = bisect.bisect_right(steps, k)
        shift = 0.0 if c.unit_alert[v] < 0 else alert_s[int(c.unit_alert[v])]
        if later < len(steps) and (launch_i + steps[later]) * dt < c.unit_off_s[v] + shift:
            return True
    return False


def _fall_s(c: CompiledScenario, i: int, budget: float) -> float:
    """When threat ``i`` comes down on its own: fuel, or exponential with its loss rate."""
    rate = float(c.threat_loss_rate_per_s[i])
    return min(float(c.threat_endurance_s[i]), budget / rate if rate > 0 else math.inf)


def _weapon_first(pk_a: float, cost_a: float, pk_b: float, cost_b: float, adequate: float) -> bool:
    """Weapon ``a`` before ``b``: the cheapest with Pk >= ``adequate``, else the best Pk."""
    if (pk_a >= adequate) != (pk_b >= adequate):
        return pk_a >= adequate
    if pk_a >= adequate:
        return (cost_a, -pk_a) < (cost_b, -pk_b)
    return (-pk_a, cost_a) < (-pk_b, cost_b)


def _one_weapon_per_aircraft(
    c: CompiledScenario, candidates: list[tuple[float, int, int, float, bool]]
) -> list[tuple[float, int, int, float, bool]]:
    """Each aircraft offers one weapon per threat: the one the choice rule prefers.

    Ground units are each their own platform, so their candidates all stay. Between weapons
    equal on both counts the lower unit row is kept.
    """
    chosen: dict[tuple[int, int], tuple[float, int, int, float, bool]] = {}
    for cand in candidates:
        i, u = cand[1], cand[2]
        key = (i, int(c.unit_platform[u]))
        if key not in chosen:
            chosen[key] = cand
            continue
        v = chosen[key][2]
        cls = int(c.threat_class[i])
        a = (float(c.unit_pk[u, cls]), float(c.unit_cost_usd[u]))
        b = (float(c.unit_pk[v, cls]), float(c.unit_cost_usd[v]))
        adequate = float(c.unit_adequate_pk[u])
        if _weapon_first(*a, *b, adequate) or (u < v and not _weapon_first(*b, *a, adequate)):
            chosen[key] = cand
    return [x for x in candidates if chosen[(x[1], int(c.unit_platform[x[2]]))] is x]


def _assign(
    candidates: list[tuple[float, int, int, float, bool]], free: list[int], optimal: bool
) -> list[tuple[float, int, int, float, bool]]:
    """Order in which candidate (threat, unit) pairs are tried.

    Greedy: best score first, ties by threat then unit. Optimal: the assignment maximising the
    total score with each threat once and each unit up to its free channels
    (scipy ``linear_sum_assignment`` on unit channels × threats).
    """
    ranked = sorted(candidates, key=lambda x: (-x[0], x[1], x[2]))
    if not optimal or not ranked:
        return ranked
    threats = sorted({x[1] for x in ranked})
    slots = [u for u in sorted({x[2] for x in ranked}) for _ in range(free[u])]
    gain = np.zeros((len(slots), len(threats)))
    by_pair = {(x[2], x[1]): x for x in ranked}
    for a, u in enumerate(slots):
        for b, i in enumerate(threats):
            if (u, i) in by_pair:
                gain[a, b] = by_pair[(u, i)][0]
    from scipy.optimize import linear_sum_assignment  # optimal assignment only

    rows, cols = linear_sum_assignment(gain, maximize=True)
    return [
        by_pair[(slots[a], threats[b])] for a, b in zip(rows, cols, strict=True) if gain[a, b] > 0
    ]
