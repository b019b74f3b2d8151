"""Engagement windows: when each fire unit may fire at each threat, under its nation's rules.

For one route set everything geometric is deterministic, so it is solved once here and reused
by every replication that flies that route set. Nothing is sampled in time: each window is
found from continuous time intervals (:mod:`.envelope`, :mod:`.zones`, :mod:`.sensors`) and
only at the end expressed in the event loop's fire steps after each threat's own launch, so
launch-time jitter only shifts a threat's windows.

A unit may fire at threat ``i`` at step ``k`` (fire time ``t = k dt`` after its launch) when
the shot's earliest intercept ``τ*(t)`` (solved exactly at fire time, :mod:`.intercept`) lies
in an interval of threat time where

* the point is inside the unit's envelope: slant range in ``[min_range, max_range]``,
  altitude in ``[min_alt, max_alt]``;
* the unit's own fire control sees it: its radar's range against the threat's RCS, horizon
  and azimuth sector, unless the system fires on its crew's own sight or on network tracks;
* the point lies in the nation's zone (own territory; or a buffer into named neighbours; or
  the explicit polygon) and, if the nation forbids it, not over its own populated areas;

and, at the fire time itself,

* the unit's networks hold a track on the threat and the nation's authorization delay has
  elapsed since: ``t >= track_s + delay_s``; the threat has not yet hit: ``t`` before impact;
  the delay counts from the first track, the tracked threat's entry into the nation's zone, or
  the unit's identification (``authorization_clock``), and a nation that requires
  identification also waits for it (:func:`cleared_times_s`);
* if the nation requires it, the track heads for its territory (:func:`.zones.heading_intervals`);
* if the nation assesses threats, windows are cut where the track starts or stops threatening
  (:func:`.zones.threat_intervals`) and flagged; only threatening ones are kept where it
  engages only threatening tracks (the event loop reads the flag for targets it identifies as
  decoys under ``engage_decoys: if_threatening``);
* a unit with ``operates_under`` obeys its host's rules in all of the above;
* the class is allowed, the unit tasked against it with a non-zero kill probability (a decoy
  also when drones are allowed, :func:`classes_allowed`).

Shots whose intercept falls in ``[a, b]`` are those fired in ``(G(a), G(b)]``
(:mod:`.firetime`). Each window lies wholly inside or outside own airspace, so caps on
engagements outside it (applied by the event loop) can only stop binding when a window opens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.catalog import FireControl, ThreatClass
from skyshield.engine.compiled import CompiledScenario, per_scenario, readonly
from skyshield.engine.envelope import (
    MAX_INTERVALS,
    antenna_ecef_m,
    envelope_on_piece,
    horizon_term_m,
    sector_normals,
    unit_frames,
)
from skyshield.engine.firetime import _running_max
from skyshield.engine.pieces import Pieces
from skyshield.engine.reach import (
    PieceSpheres,
    PointGrid,
    margin_for,
    pairs_within_per_threat,
    point_grid,
)
from skyshield.engine.sensors import detection_range_m
from skyshield.engine.zones import (
    IntervalSets,
    heading_intervals,
    nation_zone_intervals,
    threat_intervals,
    zone_entry_s,
)
from skyshield.engine.zones import ZonePolygons as ZonePolygons

__all__ = ["Windows", "classes_allowed", "engagement_windows"]

_OWN_RADAR = tuple(FireControl).index(FireControl.OWN_RADAR)
# A fire or intercept time within this many seconds of a grid point counts as on it.
_GRID_EPS_S = 1e-9
# Allowance on a unit's own-radar reach (metres) for rounding in the antenna's height above
# the ground point and in the envelope's sphere roots (both well under a millimetre).
_REACH_SLACK_M = 1.0


@dataclass(frozen=True, slots=True)
class Windows:
    """Engagement windows of one route set, sorted by (threat, unit, k0).

    Window ``w`` lets unit ``unit[w]`` fire at threat ``threat[w]`` at steps
    ``k0[w] <= k < k1[w]`` after that threat's launch; its shots intercept inside
    (``outside_own[w]`` False) or outside its nation's own airspace.
    """

    unit: np.ndarray  # (n_windows,) int32
    threat: np.ndarray  # (n_windows,) int32
    k0: np.ndarray  # (n_windows,) int64
    k1: np.ndarray  # (n_windows,) int64
    outside_own: np.ndarray  # (n_windows,) bool
    track_s: np.ndarray  # (n_networks, n_threats) float64
    # (n_windows,) bool: the track threatens throughout (issue #22; True without an assessment)
    threatening: np.ndarray

    @property
    def n_windows(self) -> int:
        """Number of windows."""
        return int(self.unit.shape[0])


def classes_allowed(compiled: CompiledScenario) -> np.ndarray:
    """(n_units, n_classes) bool: the unit's nation allows the class and the unit is tasked to it.

    A decoy is engaged by this row's decoy column when recognised, by its drone column when
    taken for a drone (the event loop draws which, per night).
    """
    return np.asarray(compiled.roe_classes[compiled.unit_roe_nation] & compiled.unit_tasked)


def authorization_offset_s(compiled: CompiledScenario) -> np.ndarray:
    """(n_units,) float64: each unit's authorization delay after its networks' first track.

    The delay of the nation whose rules the unit fires under counts from the track (first
    track and zone-entry clocks) or from the unit's identification, its system's
    identification delay after the track (identification clock); a nation that requires
    identification also waits for it. A zone-entry clock adds a second bound,
    :func:`cleared_times_s`.
    """
    nation = compiled.unit_roe_nation
    delay = compiled.roe_delay_s[nation]
    identification = compiled.unit_identification_delay_s
    offset = np.where(compiled.roe_clock[nation] == 2, identification + delay, delay)  # noqa: PLR2004
    offset = np.where(compiled.roe_require_id[nation], np.maximum(offset, identification), offset)
    return np.asarray(offset, dtype=np.float64)


def cleared_times_s(
    compiled: CompiledScenario, track_s: np.ndarray, entry_s: dict[int, np.ndarray]
) -> np.ndarray:
    """(n_units, n_threats) float64: earliest fire time of each unit at each threat (issue #22).

    The unit's networks' first track plus its :func:`authorization_offset_s`; under a
    zone-entry clock, also no earlier than the tracked threat's entry into the nation's zone
    (``entry_s`` by nation: every nation with that clock) plus the delay. Units sharing a set
    of networks share its first track, found once.
    """
    sets, group = per_scenario(
        compiled,
        "windows.network_sets",
        lambda: np.unique(compiled.unit_networks, axis=0, return_inverse=True),
    )
    track = np.empty((sets.shape[0], track_s.shape[1]))
    for k, networks in enumerate(sets):
        track[k] = track_s[networks].min(axis=0, initial=np.inf)
    cleared = track[group.reshape(-1)] + authorization_offset_s(compiled)[:, None]
    nation = compiled.unit_roe_nation
    for n, entry in entry_s.items():
        mine = (nation == n) & (compiled.roe_clock[nation] == 1)
        cleared[mine] = np.maximum(cleared[mine], entry + compiled.roe_delay_s[n])
    return np.asarray(cleared, dtype=np.float64)


@njit(cache=True, nogil=True)
def _split_threatening(
    threat: np.ndarray,
    k0: np.ndarray,
    k1: np.ndarray,
    outside: np.ndarray,
    t_off: np.ndarray,
    t_lo: np.ndarray,
    t_hi: np.ndarray,
    dt: float,
    keep_other: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut windows where the track starts or stops threatening (issue #22).

    Threatening fire steps ``k`` have ``k dt`` in a threat interval; the other parts are kept
    (flag False) only if ``keep_other``.
    """
    cap = 1  # a window splits into at most 2 parts per interval of its threat, plus one
    for w in range(threat.shape[0]):
        cap += 2 * (t_off[threat[w] + 1] - t_off[threat[w]]) + 1
    o_t = np.empty(cap, dtype=np.int64)
    o_k0 = np.empty(cap, dtype=np.int64)
    o_k1 = np.empty(cap, dtype=np.int64)
    o_out = np.empty(cap, dtype=np.bool_)
    o_thr = np.empty(cap, dtype=np.bool_)
    m = 0
    for w in range(threat.shape[0]):
        i = threat[w]
        k = k0[w]
        for q in range(t_off[i], t_off[i + 1]):
            a = max(int(np.ceil(t_lo[q] / dt - _GRID_EPS_S)), k)
            b = min(int(np.floor(t_hi[q] / dt + _GRID_EPS_S)) + 1, k1[w])
            if a >= b:
                continue
            if keep_other and k < a:
                o_t[m], o_k0[m], o_k1[m], o_out[m], o_thr[m] = i, k, a, outside[w], False
                m += 1
            o_t[m], o_k0[m], o_k1[m], o_out[m], o_thr[m] = i, a, b, outside[w], True
            m += 1
            k = b
        if keep_other and k < k1[w]:
            o_t[m], o_k0[m], o_k1[m], o_out[m], o_thr[m] = i, k, k1[w], outside[w], False
            m += 1
    return o_t[:m], o_k0[:m], o_k1[:m], o_out[:m], o_thr[:m]


@njit(cache=True, nogil=True)
def _unit_windows(
    cand: np.ndarray,
    vertex_offset: np.ndarray,
    vertex_threat: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    alt_m: np.ndarray,
    unit: np.ndarray,
    antenna: np.ndarray,
    params: np.ndarray,
    own_radar: bool,
    radar_m: np.ndarray,
    engaged: np.ndarray,
    cleared_s: np.ndarray,
    z_off: np.ndarray, z_lo: np.ndarray, z_hi: np.ndarray, z_out: np.ndarray,
    must_head: bool,
    h_off: np.ndarray, h_lo: np.ndarray, h_hi: np.ndarray,
    dt: float,
    normals: tuple[float, float, float, float, float, float],
    horizon_m: float,
    scratch: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                   np.ndarray],
    w_threat: np.ndarray,
    w_k0: np.ndarray,
    w_k1: np.ndarray,
    w_out: np.ndarray,
    start: int,
) -> int:  # fmt: skip
    """One unit's windows over its candidate pieces (sorted by piece, i.e. threat and time).

    ``params``: min range, max range, min alt, max alt, radar height, azimuth, half sector,
    interceptor speed; ``normals`` and ``horizon_m`` the unit's sector normals and horizon
    term (:func:`~skyshield.engine.envelope.sector_normals`, ``horizon_term_m``);
    ``scratch`` the buffers :func:`_all_windows` allocates once. Writes the windows from index
    ``start`` of the ``w_*`` arrays, as far as they reach, and returns how many it found (the
    caller grows the arrays and asks again when they are too short). Nothing is allocated
    here: numba keeps reference counts of arrays a loop may replace, at every step.
    """
    min_r, max_r, min_alt, max_alt = params[0], params[1], params[2], params[3]
    half, speed = params[6], params[7]
    lo, hi, tau_lo, tau_hi, ends, flags, g_all = scratch
    cap = w_threat.shape[0]
    n_w = start
    q = 0
    n = cand.shape[0]
    while q < n:
        i = vertex_threat[cand[q]]
        if not engaged[i]:
            q += 1
            continue
        # 1. envelope intervals of the threat over its candidate pieces, touching ones merged
        m = 0
        while q < n and vertex_threat[cand[q]] == i:
            p = cand[q]
            q += 1
            k = envelope_on_piece(
                ecef_m, p, time_s[p + 1] - time_s[p], alt_m[p], alt_m[p + 1],
                unit, min_r, max_r, min_alt, max_alt, own_radar, antenna, radar_m[i],
                horizon_m, half, normals, lo, hi,
            )  # fmt: skip
            for c in range(k):
                a, b = time_s[p] + lo[c], time_s[p] + hi[c]
                if m > 0 and a <= tau_hi[m - 1] + _GRID_EPS_S:
                    tau_hi[m - 1] = max(tau_hi[m - 1], b)
                    continue
                tau_lo[m], tau_hi[m] = a, b
                m += 1
        if m == 0:
            continue
        # 2. intersect with the nation's zone: (a, b, outside own) in threat time
        n_iv = 0
        zq = z_off[i]
        for c in range(m):
            for zz in range(zq, z_off[i + 1]):
                a, b = max(tau_lo[c], z_lo[zz]), min(tau_hi[c], z_hi[zz])
                if a < b:
                    ends[2 * n_iv], ends[2 * n_iv + 1] = a, b
                    flags[n_iv] = z_out[zz] == 1
                    n_iv += 1
        if n_iv == 0:
            continue
        # 3. fire times: (G(a), G(b)] by the running maximum along the threat's pieces
        g = g_all[: 2 * n_iv]
        _running_max(vertex_offset, time_s, ecef_m, i, unit, speed, ends[: 2 * n_iv], g)
        flight = time_s[vertex_offset[i + 1] - 1]
        n_steps = max(1, int(np.ceil(flight / dt - _GRID_EPS_S)))
        first_k = max(int(np.ceil(cleared_s[i] / dt - _GRID_EPS_S)), 0)
        for c in range(n_iv):
            k0 = max(int(np.floor(g[2 * c] / dt + _GRID_EPS_S)) + 1, first_k)
            k1 = min(int(np.floor(g[2 * c + 1] / dt + _GRID_EPS_S)) + 1, n_steps)
            if k0 >= k1:
                continue
            # 4. the heading rule, in fire time
            n_h = 1 if not must_head else h_off[i + 1] - h_off[i]
            for hq in range(n_h):
                a0, a1 = k0, k1
                if must_head:
                    hh = h_off[i] + hq
                    a0 = max(a0, int(np.ceil(h_lo[hh] / dt - _GRID_EPS_S)))
                    a1 = min(a1, int(np.floor(h_hi[hh] / dt + _GRID_EPS_S)) + 1)
                if a0 >= a1:
                    continue
                if n_w < cap:
                    w_threat[n_w], w_k0[n_w], w_k1[n_w], w_out[n_w] = i, a0, a1, flags[c]
                n_w += 1
    return n_w - start


@dataclass(frozen=True, slots=True)
class _Units:
    """A scenario's fire units, built once (:func:`skyshield.engine.compiled.per_scenario`)."""

    ground: np.ndarray  # (n_units, 3) float64: ECEF of the unit's ground point
    antenna: np.ndarray  # (n_units, 3) float64: ECEF of its radar
    params: np.ndarray  # (n_units, 8) float64: see _unit_windows
    own_radar: np.ndarray  # (n_units,) bool
    radar_m: np.ndarray  # (n_units, n_threats) float64: own radar's range per threat
    may_engage: np.ndarray  # (n_units, n_threats) bool: class allowed, tasked, pk > 0
    normals: np.ndarray  # (n_units, 6) float64: sector normals (zero for a full circle)
    horizon_m: np.ndarray  # (n_units,) float64: the radar's share of the horizon
    grids: dict[float, PointGrid]  # by margin (the longest half-piece allowed for)
    reach_m: np.ndarray  # (n_units, n_threats) float64: unit_reach_m of an engaged threat


def _units(compiled: CompiledScenario) -> _Units:
    n_units = compiled.n_units
    class_allowed = classes_allowed(compiled)
    as_drone = class_allowed[:, ThreatClass.DRONE.position]
    decoy = ThreatClass.DECOY.position
    cls = compiled.threat_class
    east, north = unit_frames(compiled.unit_lon_deg, compiled.unit_lat_deg)
    params = np.zeros((n_units, 8))
    radar_m = np.zeros((n_units, compiled.n_threats))
    may_engage = np.zeros((n_units, compiled.n_threats), dtype=bool)
    drone = ThreatClass.DRONE.position
    for u in range(n_units):
        nation = int(compiled.unit_roe_nation[u])  # host-nation rules (issue #22)
        # a drone a unit may take for a decoy (issue #22) is engaged as a decoy
        as_decoy = (
            (cls == drone)
            & class_allowed[u][decoy]
            & bool(compiled.roe_require_id[nation])
            & (compiled.unit_drone_taken_for_decoy[u] > 0)
        )
        may_engage[u] = (class_allowed[u][cls] | ((cls == decoy) & as_drone[u]) | as_decoy) & (
            compiled.unit_pk[u][cls] > 0
        )
        radar_m[u] = np.asarray(
            detection_range_m(
                compiled.unit_radar_range_m[u],
                compiled.unit_radar_reference_rcs_m2[u],
                compiled.threat_rcs_m2,
            ),
            dtype=np.float64,
        )
        params[u] = (
            compiled.unit_min_range_m[u], compiled.unit_max_range_m[u],
            compiled.unit_min_alt_m[u], compiled.unit_max_alt_m[u],
            compiled.unit_radar_height_m[u], compiled.unit_radar_azimuth_rad[u],
            compiled.unit_radar_half_sector_rad[u], compiled.unit_interceptor_mps[u],
        )  # fmt: skip
    normals, horizon = _unit_terms(params, np.ascontiguousarray(east), np.ascontiguousarray(north))
    own_radar = np.asarray(compiled.unit_fire_control == _OWN_RADAR)
    return _Units(
        ground=readonly(
            antenna_ecef_m(compiled.unit_lon_deg, compiled.unit_lat_deg, np.zeros(n_units))
        ),
        antenna=readonly(
            antenna_ecef_m(
                compiled.unit_lon_deg, compiled.unit_lat_deg, compiled.unit_radar_height_m
            )
        ),
        params=readonly(params),
        own_radar=readonly(own_radar),
        radar_m=readonly(radar_m),
        may_engage=readonly(may_engage),
        normals=readonly(normals),
        horizon_m=readonly(horizon),
        grids={},
        reach_m=readonly(_reach_m(params, radar_m, own_radar)),
    )


@njit(cache=True, nogil=True)
def _unit_terms(
    params: np.ndarray, east: np.ndarray, north: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's sector normals and horizon term, as :func:`_unit_windows` reads them."""
    normals = np.zeros((params.shape[0], 6))
    horizon = np.zeros(params.shape[0])
    for u in range(params.shape[0]):
        horizon[u] = horizon_term_m(params[u, 4])
        if params[u, 6] < np.pi:
            normals[u] = sector_normals(params[u, 5], params[u, 6], east[u], north[u])
    return normals, horizon


def unit_reach_m(units: _Units, engaged: np.ndarray) -> np.ndarray:
    """(n_units, n_threats) float64: how far from a unit's ground point it may intercept a threat.

    Its maximum range; for a unit firing on its own radar also no farther than that radar's
    range against the threat plus the antenna's height (the slant range from the antenna is
    within the radar's range, and the antenna is that height above the ground point); 0 where
    it may not engage the threat. A bound for :func:`pairs_within_per_threat`, never tighter
    than the envelope (:func:`~skyshield.engine.envelope.envelope_prepared`).
    """
    return np.where(engaged, units.reach_m, 0.0)


def _reach_m(params: np.ndarray, radar_m: np.ndarray, own_radar: np.ndarray) -> np.ndarray:
    """(n_units, n_threats) float64: :func:`unit_reach_m` before engagement, once per scenario."""
    max_r = params[:, 1:2]
    radar = radar_m + params[:, 4:5] + _REACH_SLACK_M
    reach = np.where(own_radar[:, None], np.minimum(max_r, radar), max_r)
    return np.asarray(reach, dtype=np.float64)


def _grid(units: _Units, compiled: CompiledScenario, margin_m: float) -> PointGrid:
    grid = units.grids.get(margin_m)
    if grid is None:
        grid = point_grid(
            compiled.unit_lon_deg, compiled.unit_lat_deg, units.params[:, 1], margin_m
        )
        units.grids[margin_m] = grid
    return grid


@njit(cache=True, nogil=True)
def _all_windows(
    todo: np.ndarray,
    cand_offset: np.ndarray,
    cand: np.ndarray,
    vertex_offset: np.ndarray,
    vertex_threat: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    alt_m: np.ndarray,
    ground: np.ndarray,
    antenna: np.ndarray,
    params: np.ndarray,
    own_radar: np.ndarray,
    radar_m: np.ndarray,
    normals: np.ndarray,
    horizon_m: np.ndarray,
    engaged: np.ndarray,
    cleared_s: np.ndarray,
    unit_nation: np.ndarray,
    z_off: np.ndarray, z_lo: np.ndarray, z_hi: np.ndarray, z_out: np.ndarray,
    must_head: np.ndarray,
    h_off: np.ndarray, h_lo: np.ndarray, h_hi: np.ndarray,
    dt: float,
    capacity: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Every unit in ``todo``'s windows, by :func:`_unit_windows`, concatenated in unit order.

    Per nation ``n`` the zone (heading) intervals' offsets are row ``n`` of ``z_off``
    (``h_off``) into the flat interval arrays. ``capacity``: windows room to start with (it
    grows as needed; :func:`_first_capacity`).
    """
    # scratch, once: a threat's merged envelope intervals number at most MAX_INTERVALS per
    # piece, and their intersections with a zone's disjoint intervals at most both counts
    n_tau = 1
    for t in range(vertex_offset.shape[0] - 1):
        n_tau = max(n_tau, MAX_INTERVALS * (vertex_offset[t + 1] - vertex_offset[t]))
    n_zone = 0
    for n in range(z_off.shape[0]):
        for t in range(z_off.shape[1] - 1):
            n_zone = max(n_zone, z_off[n, t + 1] - z_off[n, t])
    scratch = (
        np.empty(MAX_INTERVALS), np.empty(MAX_INTERVALS), np.empty(n_tau), np.empty(n_tau),
        np.empty(2 * (n_tau + n_zone)), np.empty(n_tau + n_zone, dtype=np.bool_),
        np.empty(2 * (n_tau + n_zone)),
    )  # fmt: skip
    cap = max(capacity, 1)
    unit = np.empty(cap, dtype=np.int64)
    threat = np.empty(cap, dtype=np.int64)
    k0 = np.empty(cap, dtype=np.int64)
    k1 = np.empty(cap, dtype=np.int64)
    outside = np.empty(cap, dtype=np.bool_)
    w = 0
    for u in todo:
        n = unit_nation[u]
        sector = normals[u]
        while True:
            k = _unit_windows(
                cand[cand_offset[u]:cand_offset[u + 1]], vertex_offset, vertex_threat, time_s,
                ecef_m, alt_m, ground[u], antenna[u], params[u], own_radar[u],
                radar_m[u], engaged[u], cleared_s[u], z_off[n], z_lo, z_hi, z_out, must_head[n],
                h_off[n], h_lo, h_hi, dt,
                (sector[0], sector[1], sector[2], sector[3], sector[4], sector[5]), horizon_m[u],
                scratch, threat, k0, k1, outside, w,
            )  # fmt: skip
            if w + k <= cap:
                break
            cap = max(2 * cap, w + k)  # too many: grow and solve this unit again
            unit = np.concatenate((unit[:w], np.empty(cap - w, dtype=np.int64)))
            threat = np.concatenate((threat[:w], np.empty(cap - w, dtype=np.int64)))
            k0 = np.concatenate((k0[:w], np.empty(cap - w, dtype=np.int64)))
            k1 = np.concatenate((k1[:w], np.empty(cap - w, dtype=np.int64)))
            outside = np.concatenate((outside[:w], np.empty(cap - w, dtype=np.bool_)))
        unit[w : w + k] = u
        w += k
    return unit[:w], threat[:w], k0[:w], k1[:w], outside[:w]


def _first_capacity(n_pairs: int) -> int:
    """Room for windows :func:`_all_windows` starts with: more than the record raid needs."""
    return n_pairs + 64


def _packed(
    n_nations: int, n_threats: int, sets: dict[int, IntervalSets]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-nation interval sets as one offsets row per nation into flat arrays (none: empty)."""
    offset = np.zeros((n_nations, n_threats + 1), dtype=np.int64)
    lo, hi, code = [np.zeros(0)], [np.zeros(0)], [np.zeros(0, dtype=np.int64)]
    base = 0
    for nation, z in sets.items():
        offset[nation] = z.offset + base
        lo.append(z.lo_s)
        hi.append(z.hi_s)
        code.append(z.code)
        base += z.lo_s.shape[0]
    return (
        offset,
        np.concatenate(lo).astype(np.float64),
        np.concatenate(hi).astype(np.float64),
        np.concatenate(code).astype(np.int64),
    )


def engagement_windows(
    compiled: CompiledScenario,
    pieces: Pieces,
    spheres: PieceSpheres,
    track_s: np.ndarray,
    territory: IntervalSets,
    polygons: ZonePolygons,
) -> Windows:
    """All engagement windows of one route set (see the module docstring)."""
    dt = float(compiled.time_step_s)
    n_threats = compiled.n_threats
    units = per_scenario(compiled, "windows.units", lambda: _units(compiled))
    # the earliest fire time: the nation's delay from its authorization clock (issue #22)
    entries = {
        n: zone_entry_s(compiled, n, pieces, territory, polygons)
        for n in sorted({int(n) for n in compiled.unit_roe_nation})
        if int(compiled.roe_clock[n]) == 1
    }
    cleared_s = cleared_times_s(compiled, track_s, entries)
    engaged = units.may_engage & (cleared_s < np.inf)
    grid = _grid(units, compiled, margin_for(spheres))
    vertex_threat = np.repeat(np.arange(n_threats), np.diff(pieces.vertex_offset))
    cand_offset, cand = pairs_within_per_threat(
        grid, spheres, units.ground, unit_reach_m(units, engaged), vertex_threat
    )
    todo = np.flatnonzero(engaged.any(axis=1) & (np.diff(cand_offset) > 0)).astype(np.int64)
    roe_nation = np.ascontiguousarray(compiled.unit_roe_nation, dtype=np.int64)
    nations = sorted({int(n) for n in roe_nation[todo]})
    zones = {n: nation_zone_intervals(compiled, n, pieces, territory, polygons) for n in nations}
    heading = {
        n: heading_intervals(compiled, n, pieces, territory)
        for n in nations
        if compiled.roe_must_head[n]
    }
    n_nations = len(compiled.nation_codes)
    z_off, z_lo, z_hi, z_code = _packed(n_nations, n_threats, zones)
    h_off, h_lo, h_hi, _ = _packed(n_nations, n_threats, heading)
    unit, threat, k0, k1, outside = _all_windows(
        todo, cand_offset, cand, pieces.vertex_offset, vertex_threat, pieces.time_s,
        pieces.ecef_m, pieces.alt_m, units.ground, units.antenna,
        units.params, units.own_radar, units.radar_m, units.normals, units.horizon_m, engaged,
        cleared_s,
        roe_nation, z_off, z_lo, z_hi, z_code,
        np.ascontiguousarray(compiled.roe_must_head, dtype=np.bool_), h_off, h_lo, h_hi, dt,
        _first_capacity(cand.shape[0]),
    )  # fmt: skip
    threatening = np.ones(threat.size, dtype=bool)
    assessing = [n for n in nations if compiled.roe_threat_within_m[n] > 0]
    if assessing:  # threat assessment (issue #22): cut windows where the track threatens
        keep = ~np.isin(roe_nation[unit], assessing)
        parts = [(unit[keep], threat[keep], k0[keep], k1[keep], outside[keep], threatening[keep])]
        threatens = {n: threat_intervals(compiled, n, pieces) for n in assessing}
        for u in np.unique(unit[~keep]):
            n = int(roe_nation[u])
            mine = unit == u
            t = threatens[n]
            th, a, b, out, flag = _split_threatening(
                threat[mine], k0[mine], k1[mine], outside[mine], t.offset, t.lo_s, t.hi_s, dt,
                not bool(compiled.roe_only_threatening[n]),
            )  # fmt: skip
            parts.append((np.full(th.size, u, dtype=np.int64), th, a, b, out, flag))
        unit, threat, k0, k1, outside, threatening = (
            np.concatenate(x) for x in zip(*parts, strict=True)
        )
    order = np.lexsort((k0, unit, threat))
    return Windows(
        unit=readonly(unit[order].astype(np.int32)),
        threat=readonly(threat[order].astype(np.int32)),
        k0=readonly(k0[order].astype(np.int64)),
        k1=readonly(k1[order].astype(np.int64)),
        outside_own=readonly(outside[order].astype(bool)),
        track_s=track_s,
        threatening=readonly(threatening[order].astype(bool)),
    )
