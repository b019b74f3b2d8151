"""Engagement windows: when each fire unit may fire at each threat, under its nation's rules.

For one route realization everything geometric is deterministic, so it is computed once here,
vectorized, and reused by every replication that draws that realization. Time is counted in
steps after each threat's own launch, so launch-time jitter only shifts a threat's windows.

A unit may fire at threat ``i`` at step ``k`` (rules shared with the reference engine):

* intercept step ``j``: the threat's position at ``k`` gives a fly-out time; the position at
  that time gives a second, which rounded to the grid is ``j``; ``k < j < impact step``;
* the intercept point (sample ``j``) lies inside the unit's envelope: slant range in
  ``[min_range, max_range]``, altitude in ``[min_alt, max_alt]``;
* the unit's networks hold a track on the threat, and the nation's authorization delay has
  elapsed since the first track: ``k * dt >= track_s + delay_s``;
* the threat's class is allowed by the nation, the unit is tasked against it and has a
  non-zero kill probability against it;
* the intercept point lies in the nation's zone (own territory; or within ``buffer`` of it
  inside a named neighbour; or inside the explicit polygon);
* if the nation requires it, the threat heads to its territory at step ``k``: its target is
  there, or the straight course from sample ``k`` enters it within the heading horizon
  (tested at a quarter, half, three quarters and all of the horizon);
* if the nation forbids it, the intercept point is not over its own populated area.

Caps on engagements outside own airspace depend on what happened before, so the event loop
applies them; each window step carries whether its intercept point lies outside own airspace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.flight import Trajectories, course_rad
from skyshield.engine.nearby import samples_by_type, straight_line_m
from skyshield.engine.sensors import network_track_times_s
from skyshield.geo import (
    NATION_CODES,
    destination_lonlat,
    distance_to_territory_m,
    lonlat_to_ecef_m,
    near_populated_place_mask,
    territory_codes,
)

__all__ = ["HEADING_FRACTIONS", "Windows", "engagement_windows", "intercept_steps"]

# Fractions of the heading horizon at which the projected straight course is tested.
HEADING_FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True, slots=True)
class Windows:
    """Sparse engagement windows for one route realization, sorted by (threat, unit, k0).

    Window ``w`` lets unit ``unit[w]`` fire at threat ``threat[w]`` at steps
    ``k0[w] <= k < k1[w]`` after that threat's launch; the intercept sample of step ``k`` is
    ``intercept_k[offset[w] + k - k0[w]]``.
    """

    unit: np.ndarray  # (n_windows,) int32
    threat: np.ndarray  # (n_windows,) int32
    k0: np.ndarray  # (n_windows,) int64
    k1: np.ndarray  # (n_windows,) int64
    offset: np.ndarray  # (n_windows,) int64: first step of each window in the step arrays
    intercept_k: np.ndarray  # (n_window_steps,) int64
    outside_own: np.ndarray  # (n_window_steps,) bool: intercept point outside own airspace
    track_s: np.ndarray  # (n_networks, n_threats) float64

    @property
    def n_windows(self) -> int:
        """Number of windows."""
        return int(self.unit.shape[0])


def intercept_steps(
    unit_ecef_m: np.ndarray,
    ecef_m: np.ndarray,
    sample_start: np.ndarray,
    k: np.ndarray,
    last_k: np.ndarray,
    fire_m: np.ndarray,
    speed_mps: float,
    dt_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Intercept step for a shot fired at step ``k`` (two fixed-point iterations on the grid).

    ``fire_m`` is the distance from the unit to the threat at step ``k``.
    Units: metres, m/s, s. Returns the intercept steps (n,) int64, clipped to the impact step
    ``last_k``, and the distance from the unit to the threat there (n,) float64.
    """
    j1 = np.minimum(k + np.rint(fire_m / speed_mps / dt_s).astype(np.int64), last_k)
    d1 = straight_line_m(ecef_m[sample_start + j1], unit_ecef_m)
    flyout = np.maximum(np.rint(d1 / speed_mps / dt_s).astype(np.int64), 1)
    j = np.asarray(np.minimum(k + flyout, last_k), dtype=np.int64)
    moved = j != j1
    slant_m = d1.copy()
    slant_m[moved] = straight_line_m(ecef_m[sample_start[moved] + j[moved]], unit_ecef_m)
    return j, slant_m


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
        ok |= shapely.contains_xy(polygon, lon, lat)
    return np.asarray(ok, dtype=bool)


def _heads_to_own(
    compiled: CompiledScenario,
    nation: int,
    traj: Trajectories,
    samples: np.ndarray,
    target_terr: np.ndarray,
) -> np.ndarray:
    own = int(compiled.nation_territory[nation])
    ok = target_terr == own
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
    target_terr = territory_codes(compiled.asset_lon_deg, compiled.asset_lat_deg)[
        compiled.threat_target
    ]
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for u in range(compiled.n_units):
        nation = int(compiled.unit_nation[u])
        v_int = float(compiled.unit_interceptor_mps[u])
        max_r = float(compiled.unit_max_range_m[u])
        lon_u, lat_u = float(compiled.unit_lon_deg[u]), float(compiled.unit_lat_deg[u])
        found = [
            g.index.within(
                lon_u, lat_u, unit_ecef[u], max_r + g.speed_mps * (max_r / v_int + 2 * dt)
            )
            for g in groups
        ]
        idx = np.concatenate([ids for ids, _ in found])
        if idx.size == 0:
            continue
        fire_m = np.concatenate([dist for _, dist in found])
        threat = np.searchsorted(offsets, idx, side="right") - 1
        k = idx - offsets[threat]
        cls = compiled.threat_class[threat]
        unit_track = track_s[compiled.unit_networks[u]].min(axis=0, initial=np.inf)
        keep = (
            compiled.roe_classes[nation][cls]
            & (compiled.unit_pk[u][cls] > 0)
            & compiled.unit_tasked[u][cls]
            & (k < last[threat])
            & (k * dt >= unit_track[threat] + compiled.roe_delay_s[nation])
        )
        threat, k, fire_m = threat[keep], k[keep], fire_m[keep]
        j, slant = intercept_steps(
            unit_ecef[u], traj.ecef_m, offsets[threat], k, last[threat], fire_m, v_int, dt
        )
        sj = offsets[threat] + j
        alt = traj.alt_m[sj]
        keep = (
            (j < last[threat])
            & (slant >= compiled.unit_min_range_m[u])
            & (slant <= max_r)
            & (alt >= compiled.unit_min_alt_m[u])
            & (alt <= compiled.unit_max_alt_m[u])
        )
        threat, k, j, sj = threat[keep], k[keep], j[keep], sj[keep]
        terr = traj.territory[sj]
        keep = _in_zone(compiled, nation, traj.lon_deg[sj], traj.lat_deg[sj], terr)
        if compiled.roe_must_head[nation]:
            keep &= _heads_to_own(compiled, nation, traj, offsets[threat] + k, target_terr[threat])
        own = int(compiled.nation_territory[nation])
        if compiled.roe_no_populated[nation]:
            over_own = keep & (terr == own)
            if over_own.any():
                crowded = near_populated_place_mask(
                    traj.lon_deg[sj[over_own]],
                    traj.lat_deg[sj[over_own]],
                    float(compiled.roe_populated_radius_m[nation]),
                    int(compiled.roe_populated_min[nation]),
                    NATION_CODES[own],
                )
                keep[np.flatnonzero(over_own)[crowded]] = False
        threat, k, j = threat[keep], k[keep], j[keep]
        order = np.argsort(offsets[threat] + k, kind="stable")  # (threat, k) order for _runs
        parts.append((np.full(order.size, u, dtype=np.int64), threat[order], k[order], j[order]))
    return _runs(compiled, traj, parts, track_s)


def _runs(
    compiled: CompiledScenario,
    traj: Trajectories,
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    track_s: np.ndarray,
) -> Windows:
    """Group feasible (unit, threat, k) steps into runs of consecutive k.

    Each unit's steps arrive sorted by (threat, k). Runs are found in that unit-major order and
    only the window records are sorted into (threat, unit, k) order; steps stay where they are,
    each window pointing at its own.
    """
    if parts:
        unit, threat, k, j = (np.concatenate(x) for x in zip(*parts, strict=True))
    else:
        unit = threat = k = j = np.zeros(0, dtype=np.int64)
    new_run = np.ones(k.shape[0], dtype=bool)
    new_run[1:] = (threat[1:] != threat[:-1]) | (unit[1:] != unit[:-1]) | (k[1:] != k[:-1] + 1)
    run_start = np.flatnonzero(new_run)
    run_end = np.append(run_start[1:], k.shape[0]).astype(np.int64)
    by_threat = np.lexsort((k[run_start], unit[run_start], threat[run_start]))
    starts, ends = run_start[by_threat], run_end[by_threat]
    own = compiled.nation_territory[compiled.unit_nation[unit]]
    outside = traj.territory[traj.sample_offset[threat] + j] != own
    return Windows(
        unit=readonly(unit[starts].astype(np.int32)),
        threat=readonly(threat[starts].astype(np.int32)),
        k0=readonly(k[starts].astype(np.int64)),
        k1=readonly(k[ends - 1].astype(np.int64) + 1),
        offset=readonly(starts.astype(np.int64)),
        intercept_k=readonly(j.astype(np.int64)),
        outside_own=readonly(outside),
        track_s=track_s,
    )
