"""The reference engine: plain, per-entity, time-stepped; slow and obviously correct.

It walks every step of every replication and, for every unit and threat, re-derives from the
sampled trajectories whether the unit may fire now, in scalar Python, without the precomputed
windows of the fast engine. Given the same :class:`ReplicationDraws` both engines must produce
the same outcomes; tests hold them to it. Use it on small scenarios only.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from scipy.optimize import linear_sum_assignment

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import ReplicationDraws
from skyshield.engine.fast import threat_priority
from skyshield.engine.flight import Trajectories, course_rad
from skyshield.engine.geometry import RaidGeometry
from skyshield.engine.outcomes import Fate, RawOutcomes
from skyshield.engine.sensors import detection_range_m
from skyshield.engine.windows import HEADING_FRACTIONS
from skyshield.geo import (
    NATION_CODES,
    destination_lonlat,
    distance_to_territory_m,
    lonlat_to_ecef_m,
    near_populated_place_mask,
    radar_horizon_m,
    territory_codes,
)

__all__ = ["simulate_reference"]


class _Rules:
    """Scalar rule checks for one route realization (see :mod:`skyshield.engine.windows`)."""

    def __init__(self, compiled: CompiledScenario, traj: Trajectories) -> None:
        self.c = compiled
        self.t = traj
        self.unit_xyz = [
            tuple(float(v) for v in np.asarray(lonlat_to_ecef_m(lon, lat, 0.0)).ravel())
            for lon, lat in zip(compiled.unit_lon_deg, compiled.unit_lat_deg, strict=True)
        ]
        self.target_terr = territory_codes(compiled.asset_lon_deg, compiled.asset_lat_deg)
        sensors = np.asarray(
            lonlat_to_ecef_m(
                compiled.sensor_lon_deg, compiled.sensor_lat_deg, compiled.sensor_height_m
            )
        ).reshape(-1, 3)
        self.sensor_xyz = [tuple(float(v) for v in row) for row in sensors]

    def xyz(self, i: int, k: int) -> tuple[float, float, float]:
        row = self.t.ecef_m[int(self.t.sample_offset[i]) + k]
        return float(row[0]), float(row[1]), float(row[2])

    def last(self, i: int) -> int:
        return int(self.t.sample_offset[i + 1] - self.t.sample_offset[i]) - 1

    def intercept_step(self, u: int, i: int, k: int) -> int:
        dt = self.c.time_step_s
        speed = float(self.c.unit_interceptor_mps[u])
        last = self.last(i)
        d0 = math.dist(self.unit_xyz[u], self.xyz(i, k))
        j1 = min(k + round(d0 / speed / dt), last)
        d1 = math.dist(self.unit_xyz[u], self.xyz(i, j1))
        return min(k + max(round(d1 / speed / dt), 1), last)

    def may_fire(self, u: int, i: int, k: int, track_s: float) -> int:
        """Intercept step if unit ``u`` may fire at threat ``i`` at its step ``k``, else -1."""
        c, t = self.c, self.t
        nation = int(c.unit_nation[u])
        cls = int(c.threat_class[i])
        if not c.roe_classes[nation, cls] or not c.unit_tasked[u, cls] or c.unit_pk[u, cls] <= 0:
            return -1
        if k >= self.last(i):
            return -1
        if k * c.time_step_s < track_s + c.roe_delay_s[nation]:
            return -1
        j = self.intercept_step(u, i, k)
        if j >= self.last(i):
            return -1
        sj = int(t.sample_offset[i]) + j
        slant = math.dist(self.unit_xyz[u], self.xyz(i, j))
        if not c.unit_min_range_m[u] <= slant <= c.unit_max_range_m[u]:
            return -1
        if not c.unit_min_alt_m[u] <= t.alt_m[sj] <= c.unit_max_alt_m[u]:
            return -1
        own = int(c.nation_territory[nation])
        lon, lat, terr = float(t.lon_deg[sj]), float(t.lat_deg[sj]), int(t.territory[sj])
        in_zone = terr == own
        if (
            not in_zone
            and c.roe_zone_kind[nation] == 1
            and terr >= 0
            and c.roe_buffer_into[nation, terr]
        ):
            in_zone = (
                float(
                    distance_to_territory_m(np.array([lon]), np.array([lat]), NATION_CODES[own])[0]
                )
                <= c.roe_buffer_m[nation]
            )
        if not in_zone and c.roe_zone_kind[nation] == 2:  # noqa: PLR2004
            in_zone = bool(shapely.contains_xy(c.roe_polygons[nation], lon, lat))
        if not in_zone:
            return -1
        if c.roe_must_head[nation] and not self._heads_to(i, k, nation):
            return -1
        if c.roe_no_populated[nation] and terr == own:
            crowded = near_populated_place_mask(
                np.array([lon]),
                np.array([lat]),
                float(c.roe_populated_radius_m[nation]),
                int(c.roe_populated_min[nation]),
                NATION_CODES[own],
            )
            if bool(crowded[0]):
                return -1
        return j

    def _heads_to(self, i: int, k: int, nation: int) -> bool:
        own = int(self.c.nation_territory[nation])
        if int(self.target_terr[self.c.threat_target[i]]) == own:
            return True
        sk = int(self.t.sample_offset[i]) + k
        horizon = float(self.c.roe_heading_horizon_m[nation])
        course = course_rad(self.t, np.array([sk]))
        for fraction in HEADING_FRACTIONS:
            lon, lat = destination_lonlat(
                self.t.lon_deg[sk], self.t.lat_deg[sk], course[0], horizon * fraction
            )
            if int(territory_codes(np.atleast_1d(lon), np.atleast_1d(lat))[0]) == own:
                return True
        return False

    def detects(self, s: int, i: int, k: int) -> bool:
        c, t = self.c, self.t
        sk = int(t.sample_offset[i]) + k
        slant = math.dist(self.sensor_xyz[s], self.xyz(i, k))
        free_space = float(
            detection_range_m(c.sensor_range_m[s], c.sensor_reference_rcs_m2[s], c.threat_rcs_m2[i])
        )
        horizon = float(radar_horizon_m(c.sensor_height_m[s], max(float(t.alt_m[sk]), 0.0)))
        return c.sensor_range_m[s] > 0 and slant <= min(free_space, horizon)


def simulate_reference(
    compiled: CompiledScenario, geometry: RaidGeometry, draws: ReplicationDraws
) -> RawOutcomes:
    """Simulate the replications in ``draws`` step by step (same rules as the fast engine)."""
    c = compiled
    dt = c.time_step_s
    n_reps, n = draws.launch_step.shape
    rules = [_Rules(c, traj) for traj in geometry.trajectories]
    priority = threat_priority(c)
    reload_steps = np.ceil(c.unit_reload_s / dt).astype(np.int64)
    fate = np.full((n_reps, n), int(Fate.IMPACTED), dtype=np.int8)
    fate_step = np.zeros((n_reps, n), dtype=np.int64)
    fate_unit = np.full((n_reps, n), -1, dtype=np.int32)
    fate_k = np.zeros((n_reps, n), dtype=np.int64)
    shots: list[tuple[int, int, int, int, int, bool]] = []
    for row in range(n_reps):
        launch = [int(v) for v in draws.launch_step[row]]
        rule = [rules[int(r)] for r in draws.realization[row]]
        last = [rule[i].last(i) for i in range(n)]
        dead_at = [
            math.floor(f * last[i]) if f < 1.0 else last[i] + 1
            for i, f in enumerate(draws.ew_fraction[row])
        ]
        killed = [False] * n
        pending: dict[int, tuple[int, int, bool, int]] = {}  # threat -> (step, unit, hit, j)
        rounds_at = [0] * n
        track = np.full((len(c.network_names), n), np.inf)
        free = [int(v) for v in c.unit_channels]
        stock = [int(v) for v in c.unit_stock]
        ready = [min(int(a), b) for a, b in zip(c.unit_ready_capacity, stock, strict=True)]
        reload_at = [-1] * c.n_units
        used_outside = [0] * len(c.nation_codes)
        end = max(launch[i] + last[i] for i in range(n))
        for s in range(min(launch), end + 1):
            for i in range(n):  # sensors: networks pick up tracks
                k = s - launch[i]
                if 0 <= k <= last[i]:
                    for sensor in range(c.sensor_lon_deg.shape[0]):
                        if np.isinf(track[c.sensor_networks[sensor], i]).any() and rule[i].detects(
                            sensor, i, k
                        ):
                            nets = c.sensor_networks[sensor]
                            track[nets, i] = np.minimum(track[nets, i], k * dt)
            for i, (step, u, hit, j) in list(pending.items()):  # 1. resolve
                if step <= s:
                    free[u] += 1
                    if hit and j < dead_at[i]:
                        killed[i] = True
                        fate[row, i], fate_step[row, i], fate_unit[row, i], fate_k[row, i] = (
                            int(Fate.INTERCEPTED),
                            step,
                            u,
                            j,
                        )
                    del pending[i]
            for u in range(c.n_units):  # 2. reloads
                if 0 <= reload_at[u] <= s:
                    ready[u] = min(int(c.unit_ready_capacity[u]), stock[u])
                    reload_at[u] = -1
            candidates: list[
                tuple[float, int, int, int, bool]
            ] = []  # 3. score, threat, unit, j, outside
            for i in range(n):
                k = s - launch[i]
                if (
                    killed[i]
                    or i in pending
                    or k < 0
                    or k >= min(last[i], dead_at[i])
                    or rounds_at[i] >= draws.kill_u.shape[2]
                ):
                    continue
                for u in range(c.n_units):
                    if free[u] <= 0 or ready[u] <= 0:
                        continue
                    unit_track = float(track[c.unit_networks[u], i].min(initial=np.inf))
                    j = rule[i].may_fire(u, i, k, unit_track)
                    if j < 0:
                        continue
                    nation = int(c.unit_nation[u])
                    sj = int(rule[i].t.sample_offset[i]) + j
                    outside = int(rule[i].t.territory[sj]) != int(c.nation_territory[nation])
                    if outside and 0 <= c.roe_cap_outside[nation] <= used_outside[nation]:
                        continue
                    score = float(
                        c.unit_pk[u, c.threat_class[i]] * priority[i] / (last[i] - k + 1.0)
                    )
                    candidates.append((score, i, u, j, outside))
            for _, i, u, j, outside in _assign(candidates, free, c.optimal_assignment):  # 4. fire
                nation = int(c.unit_nation[u])
                if i in pending or free[u] <= 0 or ready[u] <= 0:
                    continue
                if outside and 0 <= c.roe_cap_outside[nation] <= used_outside[nation]:
                    continue
                n_rounds = min(
                    int(c.unit_rounds_per_engagement[u]),
                    ready[u],
                    draws.kill_u.shape[2] - rounds_at[i],
                )
                pk = float(c.unit_pk[u, c.threat_class[i]])
                hit = False
                for _ in range(n_rounds):
                    h = bool(draws.kill_u[row, i, rounds_at[i]] < pk)
                    rounds_at[i] += 1
                    hit = hit or h
                    shots.append((row, u, i, s, j, h))
                ready[u] -= n_rounds
                stock[u] -= n_rounds
                free[u] -= 1
                used_outside[nation] += int(outside)
                pending[i] = (launch[i] + j, u, hit, j)
                if ready[u] == 0 and stock[u] > 0 and reload_at[u] < 0:
                    reload_at[u] = s + int(reload_steps[u])
        for i in range(n):
            if killed[i]:
                continue
            if dead_at[i] <= last[i]:
                fate[row, i], fate_k[row, i] = int(Fate.LOST_TO_EW), dead_at[i]
            else:
                fate_k[row, i] = last[i]
            fate_step[row, i] = launch[i] + fate_k[row, i]
    shot_array = np.asarray(shots, dtype=np.int64).reshape(-1, 6)
    return RawOutcomes(
        replications=draws.replications,
        realization=np.asarray(draws.realization),
        fate=fate,
        fate_step=fate_step,
        fate_unit=fate_unit,
        fate_k=fate_k,
        shot_rep=shot_array[:, 0].astype(np.int32),
        shot_unit=shot_array[:, 1].astype(np.int32),
        shot_threat=shot_array[:, 2].astype(np.int32),
        shot_step=shot_array[:, 3],
        shot_k=shot_array[:, 4],
        shot_hit=shot_array[:, 5].astype(bool),
    )


def _assign(
    candidates: list[tuple[float, int, int, int, bool]], free: list[int], optimal: bool
) -> list[tuple[float, int, int, int, bool]]:
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
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return [
        by_pair[(slots[a], threats[b])] for a, b in zip(rows, cols, strict=True) if gain[a, b] > 0
    ]
