"""Engagement windows: when each fire unit may fire at each threat, under its nation's rules.

For one route realization everything geometric is deterministic, so it is computed once here,
vectorized, and reused by every replication that draws that realization. Time is counted in
steps after each threat's own launch, so launch-time jitter only shifts a threat's windows.

A unit may fire at threat ``i`` at step ``k`` (rules shared with the reference engine):

* an intercept exists before impact: the earliest time an interceptor fired at ``k * dt`` can
  be where the threat is (:mod:`skyshield.engine.intercept`, exact on the trajectory);
* the intercept point lies inside the unit's envelope: slant range in
  ``[min_range, max_range]``, altitude in ``[min_alt, max_alt]``;
* the unit's own fire control sees the intercept point (:func:`own_fire_control_sees`): its
  radar's range against the threat's RCS, horizon and azimuth sector, unless the system
  fires with its crew's own sight or on network tracks;
* the unit's networks hold a track on the threat, and the nation's authorization delay has
  elapsed since the first track: ``k * dt >= track_s + delay_s``;
* the threat's class is allowed by the nation, the unit is tasked against it and has a
  non-zero kill probability against it; a decoy also when drones are allowed, since defenders
  take a decoy for a drone unless they recognise it (the event loop draws that per night,
  :func:`classes_allowed`);
* the intercept point lies in the nation's zone (own territory; or within ``buffer`` of it
  inside a named neighbour; or inside the explicit polygon);
* if the nation requires it, the threat heads to its territory at step ``k``, as its track
  shows (never its true target): sample ``k`` is over that territory, or the straight course
  from it enters the territory within the heading horizon (tested at a quarter, half, three
  quarters and all of the horizon);
* if the nation forbids it, the intercept point is not over its own populated area.

Caps on engagements outside own airspace depend on what happened before, so the event loop
applies them; windows are cut where the intercept point leaves or enters own airspace, so each
window is wholly inside or outside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.catalog import FireControl, ThreatClass
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.flight import PointsOnTrajectory, Trajectories, course_rad, points_at
from skyshield.engine.intercept import earliest_intercept_s
from skyshield.engine.nearby import samples_by_type, straight_line_m
from skyshield.engine.sensors import detection_range_m, network_track_times_s
from skyshield.geo import (
    NATION_CODES,
    destination_lonlat,
    distance_to_territory_m,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    near_populated_place_mask,
    radar_horizon_m,
    territory_codes,
)
from skyshield.geo.territory import contains_xy_locked

_FIRE_CONTROL = tuple(FireControl)

__all__ = [
    "HEADING_FRACTIONS",
    "Windows",
    "classes_allowed",
    "engagement_windows",
    "own_fire_control_sees",
]

# Fractions of the heading horizon at which the projected straight course is tested.
HEADING_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True, slots=True)
class Windows:
    """Sparse engagement windows for one route realization, sorted by (threat, unit, k0).

    Window ``w`` lets unit ``unit[w]`` fire at threat ``threat[w]`` at steps
    ``k0[w] <= k < k1[w]`` after that threat's launch; a shot fired at step ``k`` intercepts
    ``intercept_s[offset[w] + k - k0[w]]`` seconds after the threat's launch, inside
    (``outside_own[w]`` False) or outside its nation's own airspace for the whole window.
    """

    unit: np.ndarray  # (n_windows,) int32
    threat: np.ndarray  # (n_windows,) int32
    k0: np.ndarray  # (n_windows,) int64
    k1: np.ndarray  # (n_windows,) int64
    offset: np.ndarray  # (n_windows,) int64: first step of each window in the step arrays
    outside_own: np.ndarray  # (n_windows,) bool: intercept points outside own airspace
    intercept_s: np.ndarray  # (n_window_steps,) float64: after the threat's launch
    track_s: np.ndarray  # (n_networks, n_threats) float64

    @property
    def n_windows(self) -> int:
        """Number of windows."""
        return int(self.unit.shape[0])


def own_fire_control_sees(
    compiled: CompiledScenario,
    unit: int,
    at: PointsOnTrajectory,
    threat: np.ndarray,
    mask: np.ndarray,
) -> np.ndarray:
    """Whether the unit's fire control sees each masked point (see :class:`FireControl`).

    An own radar sees a point within its free-space range against the threat's radar cross
    section, within the 4/3-Earth horizon between its antenna and the point's altitude, and
    inside its azimuth sector. Returns (mask.sum(),) bool.
    """
    threat = threat[mask]
    n = threat.shape[0]
    control = _FIRE_CONTROL[int(compiled.unit_fire_control[unit])]
    if control is not FireControl.OWN_RADAR:
        return np.ones(n, dtype=bool)
    radar_m = float(compiled.unit_radar_range_m[unit])
    if radar_m <= 0:
        return np.zeros(n, dtype=bool)
    alt = at.alt_m[mask]
    height = float(compiled.unit_radar_height_m[unit])
    antenna = np.asarray(
        lonlat_to_ecef_m(compiled.unit_lon_deg[unit], compiled.unit_lat_deg[unit], height),
        dtype=np.float64,
    ).reshape(3)
    slant = straight_line_m(at.ecef_m[mask], antenna)
    reach = np.minimum(
        detection_range_m(
            radar_m, compiled.unit_radar_reference_rcs_m2[unit], compiled.threat_rcs_m2
        )[threat],
        radar_horizon_m(height, np.maximum(alt, 0.0)),
    )
    sees = slant <= reach
    half = float(compiled.unit_radar_half_sector_rad[unit])
    if half < np.pi:
        bearing = initial_bearing_rad(
            compiled.unit_lon_deg[unit],
            compiled.unit_lat_deg[unit],
            at.lon_deg[mask],
            at.lat_deg[mask],
        )
        off = np.angle(np.exp(1j * (bearing - compiled.unit_radar_azimuth_rad[unit])))
        sees &= np.abs(off) <= half
    return np.asarray(sees, dtype=bool)


def _in_zone(
    compiled: CompiledScenario, nation: int, lon: np.ndarray, lat: np.ndarray, terr: np.ndarray
) -> np.ndarray:
    own = int(compiled.nation_territory[nation])
    ok = terr == own
    kind = int(compiled.roe_zone_kind[nation])
    if kind == 1:
        into = compiled.roe_buffer_into[nation][np.maximum(terr, 0)] & (terr >= 0) & ~ok
        if into.any():
            dist = distance_to_territory_m(lon[into], lat[into], NATION_CODES[own])
            ok[into] = dist <= compiled.roe_buffer_m[nation]
    elif kind == 2:  # noqa: PLR2004
        polygon = compiled.roe_polygons[nation]
        ok |= contains_xy_locked(polygon, lon, lat)
    return np.asarray(ok, dtype=bool)


def _heads_to_own(
    compiled: CompiledScenario, nation: int, traj: Trajectories, samples: np.ndarray
) -> np.ndarray:
    """Whether each track sample heads for the nation's territory, judged from the track alone.

    A defender sees position and course, not the threat's target: the sample is over own
    territory, or its straight course enters it within the heading horizon.
    """
    own = int(compiled.nation_territory[nation])
    ok = territory_codes(traj.lon_deg[samples], traj.lat_deg[samples]) == own
    horizon = compiled.roe_heading_horizon_m[nation]
    for fraction in HEADING_FRACTIONS:
        lon, lat = destination_lonlat(
            traj.lon_deg[samples],
            traj.lat_deg[samples],
            course_rad(traj, samples),
            horizon * fraction,
        )
        ok |= territory_codes(lon, lat) == own
    return np.asarray(ok, dtype=bool)


def classes_allowed(compiled: CompiledScenario) -> np.ndarray:
    """(n_units, n_classes) bool: the unit's nation allows the class and the unit is tasked to it.

    A decoy is engaged by this row's decoy column when recognised, by its drone column when
    taken for a drone (the event loop draws which, per night).
    """
    return np.asarray(compiled.roe_classes[compiled.unit_nation] & compiled.unit_tasked)


@njit(cache=True, nogil=True)
def _steps_cleared(
    samples: np.ndarray,
    sample_offset: np.ndarray,
    time_step_s: float,
    engaged: np.ndarray,
    cleared_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Threat and step of each sample (ascending) where a unit's rules let it fire, if it can hit.

    ``engaged`` (n_threats,) bool: the unit may fire at the threat at all (class, kill
    probability, tracked some time); ``cleared_s`` (n_threats,): when the unit's networks first
    track it, plus the authorization delay. The impact sample is no firing step.
    """
    threat = np.empty(samples.shape[0], dtype=np.int64)
    k = np.empty(samples.shape[0], dtype=np.int64)
    n, i = 0, 0
    for s in samples:
        while sample_offset[i + 1] <= s:
            i += 1
        step = s - sample_offset[i]
        if (
            engaged[i]
            and step < sample_offset[i + 1] - 1 - sample_offset[i]
            and step * time_step_s >= cleared_s[i]
        ):
            threat[n], k[n] = i, step
            n += 1
    return threat[:n], k[:n]


def engagement_windows(compiled: CompiledScenario, traj: Trajectories) -> Windows:
    """All engagement windows of one route realization (see the module docstring)."""
    dt = compiled.time_step_s
    groups = samples_by_type(
        compiled, traj.sample_offset, traj.lon_deg, traj.lat_deg, traj.alt_m, traj.ecef_m
    )
    track_s = network_track_times_s(compiled, traj, groups)
    offsets = traj.sample_offset
    last = traj.last_sample
    unit_ecef = np.asarray(
        lonlat_to_ecef_m(compiled.unit_lon_deg, compiled.unit_lat_deg, np.zeros(compiled.n_units)),
        dtype=np.float64,
    ).reshape(-1, 3)
    class_allowed = classes_allowed(compiled)
    as_drone = class_allowed[:, ThreatClass.DRONE.position]
    decoy = ThreatClass.DECOY.position
    cls = compiled.threat_class
    group_threats = [compiled.threat_type == g.threat_type for g in groups]
    parts: list[tuple[np.ndarray, ...]] = []
    for u in range(compiled.n_units):
        nation = int(compiled.unit_nation[u])
        v_int = float(compiled.unit_interceptor_mps[u])
        max_r = float(compiled.unit_max_range_m[u])
        lon_u, lat_u = float(compiled.unit_lon_deg[u]), float(compiled.unit_lat_deg[u])
        cleared_s = track_s[compiled.unit_networks[u]].min(axis=0, initial=np.inf)
        cleared_s += compiled.roe_delay_s[nation]
        engaged = (
            (class_allowed[u][cls] | ((cls == decoy) & as_drone[u]))
            & (compiled.unit_pk[u][cls] > 0)
            & (cleared_s < np.inf)
        )
        # only types the unit may fire at: most samples near a unit are of types it does not
        found = [
            g.index.within(
                lon_u, lat_u, unit_ecef[u], max_r + g.speed_mps * (max_r / v_int + 2 * dt)
            )[0]
            for g, of_type in zip(groups, group_threats, strict=True)
            if engaged[of_type].any()
        ]
        if not found:
            continue
        # in sample order, i.e. by (threat, k): the order _runs needs, and the intercept
        # search resumes from the previous step's intercept at the same threat
        idx = np.sort(np.concatenate(found))
        if idx.size == 0:
            continue
        threat, k = _steps_cleared(idx, offsets, dt, engaged, cleared_s)
        tau = earliest_intercept_s(
            unit_ecef[u],
            traj.ecef_m,
            traj.time_s,
            offsets[threat],
            k,
            last[threat],
            k * dt,
            v_int,
            max_r,
        )
        keep = ~np.isnan(tau)
        threat, k, tau = threat[keep], k[keep], tau[keep]
        at = points_at(traj, threat, tau)
        slant = straight_line_m(at.ecef_m, unit_ecef[u])
        keep = (
            (slant >= compiled.unit_min_range_m[u])
            & (slant <= max_r)
            & (at.alt_m >= compiled.unit_min_alt_m[u])
            & (at.alt_m <= compiled.unit_max_alt_m[u])
        )
        keep[keep] = own_fire_control_sees(compiled, u, at, threat, keep)
        threat, k, tau = threat[keep], k[keep], tau[keep]
        lon_j, lat_j = at.lon_deg[keep], at.lat_deg[keep]
        terr = territory_codes(lon_j, lat_j)
        keep = _in_zone(compiled, nation, lon_j, lat_j, terr)
        if compiled.roe_must_head[nation]:
            keep &= _heads_to_own(compiled, nation, traj, offsets[threat] + k)
        own = int(compiled.nation_territory[nation])
        if compiled.roe_no_populated[nation]:
            over_own = keep & (terr == own)
            if over_own.any():
                crowded = near_populated_place_mask(
                    lon_j[over_own],
                    lat_j[over_own],
                    float(compiled.roe_populated_radius_m[nation]),
                    int(compiled.roe_populated_min[nation]),
                    NATION_CODES[own],
                )
                keep[np.flatnonzero(over_own)[crowded]] = False
        threat, k, tau = threat[keep], k[keep], tau[keep]
        outside = terr[keep] != own
        parts.append((np.full(k.size, u, dtype=np.int64), threat, k, tau, outside))
    return _runs(parts, track_s)


def _runs(
    parts: list[tuple[np.ndarray, ...]],
    track_s: np.ndarray,
) -> Windows:
    """Group feasible (unit, threat, k) steps into runs of consecutive k.

    A run also ends where its intercept point crosses out of (or into) its nation's own
    airspace, so each window is wholly inside or outside and a cap can only stop binding when a
    window opens. Each unit's steps arrive sorted by (threat, k). Runs are found in that
    unit-major order and only the window records are sorted into (threat, unit, k) order; steps
    stay where they are, each window pointing at its own.
    """
    if parts:
        unit, threat, k, tau, outside = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        unit = threat = k = np.zeros(0, dtype=np.int64)
        tau = np.zeros(0)
        outside = np.zeros(0, dtype=bool)
    new_run = np.ones(k.shape[0], dtype=bool)
    new_run[1:] = (
        (threat[1:] != threat[:-1])
        | (unit[1:] != unit[:-1])
        | (k[1:] != k[:-1] + 1)
        | (outside[1:] != outside[:-1])
    )
    run_start = np.flatnonzero(new_run)
    run_end = np.append(run_start[1:], k.shape[0]).astype(np.int64)
    by_threat = np.lexsort((k[run_start], unit[run_start], threat[run_start]))
    starts, ends = run_start[by_threat], run_end[by_threat]
    return Windows(
        unit=readonly(unit[starts].astype(np.int32)),
        threat=readonly(threat[starts].astype(np.int32)),
        k0=readonly(k[starts].astype(np.int64)),
        k1=readonly(k[ends - 1].astype(np.int64) + 1),
        offset=readonly(starts.astype(np.int64)),
        outside_own=readonly(outside[starts].astype(bool)),
        intercept_s=readonly(tau.astype(np.float64)),
        track_s=track_s,
    )
