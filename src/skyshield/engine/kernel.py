"""The stochastic event loop of the fast engine, compiled with numba.

It walks the global step grid of each replication over the engagement windows of the route
realization each threat flies, visiting only steps where something can change: a window opens,
an engagement resolves, a reload completes. Every visited step, in this order:

1. engagements whose interceptors have arrived resolve: the threat dies if a round hit and it
   was not lost to electronic warfare before the intercept; the unit's channel is freed;
2. units whose reload is complete get ready rounds back (up to launcher capacity, from stock);
3. greedy weapon-target assignment: every (unit, threat) pair with an open window, a free
   channel, a ready round, the threat alive and not already under engagement, and its nation's
   cap on engagements outside own airspace not reached, is scored
   ``pk × asset value / steps to impact``; pairs are taken best first, each unit up to its free
   channels, each threat once; a unit never takes its stock below what it holds back for
   other classes (``reserve_for``) nor fires more rounds at one threat over the night than its
   doctrine's rounds per target (S-300/Buk: "two missiles per target"; no limit where unset).
   A decoy is taken for a drone unless the unit recognises it (its
   night's uniform below the unit's discrimination probability): the rules and tasking of the
   class it is taken for apply; where the rules require identification a drone is taken for a
   decoy when its identification uniform is below the unit's error rate; a target taken for a
   decoy is engaged as the nation's ``engage_decoys`` says (never; in threatening windows; always);
   Air patrols (:mod:`.air`): a unit row fires only while its aircraft is on station
   (``unit_on_s <= s dt < unit_off_s``, raid time); the rows of one aircraft share its one
   channel; among an aircraft's rows able to take a threat at this step only the weapon the
   choice rule prefers (cheapest adequate, else best Pk) is a candidate. An aircraft coming
   on station is an event. A patrol on alert has its times counted from its alert, the first
   global step of the night its networks hold a track on a threat still flying;
4. a unit fires its doctrine's rounds per engagement (one for shoot-look-shoot), cut to its ready
   rounds, what its reserves leave and what is left of its rounds per target; round ``m`` at a
   threat hits when that threat's ``m``-th pre-drawn uniform is below the unit's kill probability.

Why skipping steps is safe: a candidate that did not fire was blocked by a busy unit, an empty
launcher, a threat under engagement, or a reached cap. The first three change only when an
engagement resolves or a reload completes (events); caps and rounds per target only ever
tighten, and windows are cut where the intercept point crosses own airspace
(:mod:`.windows`), so a cap-blocked pair can only become legal when another window opens (an
event). A test runs scenarios without the skip.

Fates: intercepted (at the exact intercept time of the engagement that first hits), lost to EW
(at its drawn time), fell (at its fall time: fuel or a random loss, :mod:`.falls`), impacted (at
the flight time). A threat is alive until the earlier of its EW loss and fall times, and can be
intercepted only before it. Fate codes follow :class:`skyshield.engine.outcomes.Fate`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from skyshield.engine.aew import AewInputs
from skyshield.engine.intercept import intercept_one

__all__ = ["KernelInputs", "KernelOutputs", "simulate_block"]

_INTERCEPTED = 0
_LOST_TO_EW = 1
_IMPACTED = 2
_FELL = 4  # issue #22
# Intercept and fire times are compared on the step grid; a time within this fraction of a
# step of a grid point counts as on it (guards against rounding in τ / dt).
_GRID_EPS = 1e-9


class KernelInputs(NamedTuple):
    """Everything the event loop reads, for a block of replications (shapes in comments).

    Built by :func:`skyshield.engine.fast.kernel_inputs`; a NamedTuple so numba takes it as one
    argument.
    """

    # draws, per replication of the block
    launch_step: np.ndarray  # (n_reps, n_threats) int64: launch time on the step grid
    realization: np.ndarray  # (n_reps, n_threats) int64: route realization flown
    ew_lost_s: np.ndarray  # (n_reps, n_threats) float64: lost to EW after launch, or inf
    kill_u: np.ndarray  # (n_reps, n_threats, max_rounds) float64: uniform per round
    initial_stock: np.ndarray  # (n_reps, n_units) int64: rounds each unit starts the night with
    # geometry, per route realization
    flight_s: np.ndarray  # (n_realizations, n_threats) float64
    threat_window_start: np.ndarray  # (n_realizations, n_threats) int64
    threat_window_end: np.ndarray  # (n_realizations, n_threats) int64
    window_unit: np.ndarray  # (n_windows,) int64
    window_k0: np.ndarray  # (n_windows,) int64
    window_k1: np.ndarray  # (n_windows,) int64
    window_outside_own: np.ndarray  # (n_windows,) bool
    vertex_start: np.ndarray  # (n_realizations, n_threats) int64: first vertex of the path
    vertex_end: np.ndarray  # (n_realizations, n_threats) int64: one past the impact vertex
    vertex_time_s: np.ndarray  # (n_vertices,) float64: after the threat's launch
    vertex_ecef_m: np.ndarray  # (n_vertices, 3) float64
    unit_ecef_m: np.ndarray  # (n_units, 3) float64: where interceptors start
    unit_interceptor_mps: np.ndarray  # (n_units,) float64
    # scenario
    time_step_s: float
    threat_class: np.ndarray  # (n_threats,) int64
    threat_priority: np.ndarray  # (n_threats,) float64
    threat_decoy: np.ndarray  # (n_threats,) bool
    discrimination_u: np.ndarray  # (n_reps, n_threats) float64: uniform per decoy
    unit_knows_decoys: np.ndarray  # (n_units,) bool: rules and tasking allow known decoys
    unit_takes_drones: np.ndarray  # (n_units,) bool: rules and tasking allow drones
    unit_decoy_discrimination: np.ndarray  # (n_units,) float64: P(recognise a decoy)
    unit_nation: np.ndarray  # (n_units,) int64
    unit_channels: np.ndarray  # (n_units,) int64
    unit_ready_capacity: np.ndarray  # (n_units,) int64
    unit_reload_steps: np.ndarray  # (n_units,) int64
    unit_pk: np.ndarray  # (n_units, n_classes) float64
    unit_rounds: np.ndarray  # (n_units,) int64: rounds per engagement
    # (n_reps, n_units, n_classes) int64: stock kept for other classes (per replication, so a
    # campaign's doctrine can hold rounds back on the nights its stock runs low)
    unit_reserve_floor: np.ndarray
    nation_cap: np.ndarray  # (n_nations,) int64: -1 = no cap
    shot_capacity: int
    skip_idle_steps: bool  # False visits every step (for tests of the skip)
    # issue #22: identification
    window_threatening: np.ndarray  # (n_windows,) bool: the track threatens in the window
    threat_drone: np.ndarray  # (n_threats,) bool
    identification_u: np.ndarray  # (n_reps, n_threats) float64: uniform per drone
    unit_require_id: np.ndarray  # (n_units,) bool: its rules require identification
    unit_drone_taken_for_decoy: np.ndarray  # (n_units,) float64
    unit_engage_decoys: np.ndarray  # (n_units,) int64: 0 never, 1 if threatening, 2 always
    # issue #22: (n_reps, n_threats) float64: comes down on its own after launch, or inf
    fall_s: np.ndarray
    # air patrols (appended; skyshield.engine.air)
    unit_on_s: np.ndarray  # (n_units,) float64: fires only at times in [on, off) after the
    unit_off_s: np.ndarray  # (n_units,) float64:   raid start (-inf, inf: always)
    unit_platform: np.ndarray  # (n_units,) int64: units of one platform share its channels
    unit_adequate_pk: np.ndarray  # (n_units,) float64: weapon choice threshold
    unit_cost_usd: np.ndarray  # (n_units,) float64
    # quick reaction alert (appended; skyshield.engine.air): an alert unit's on/off times
    # count from its group's alert, the first step of the night its networks hold a track on
    # a threat still flying
    unit_alert: np.ndarray  # (n_units,) int64: alert group, -1 = times are raid times
    alert_track_s: np.ndarray  # (n_realizations, n_alert_groups, n_threats) float64: after launch
    alert_networks: np.ndarray  # (n_alert_groups, n_networks) bool
    # airborne sensors with on-station orbits (appended; skyshield.engine.aew)
    aew: AewInputs
    # air patrols' weapon choice (appended): wait for a cheaper adequate weapon (engine.air)
    unit_wait_cheaper: np.ndarray  # (n_units,) bool
    # doctrine (appended): the most rounds a unit fires at one threat in a night; 0 = no limit
    unit_rounds_per_target: np.ndarray  # (n_units,) int64


class KernelOutputs(NamedTuple):
    """What the event loop returns (see :class:`skyshield.engine.outcomes.RawOutcomes`)."""

    fate: np.ndarray  # (n_reps, n_threats) int8
    fate_s: np.ndarray  # (n_reps, n_threats) float64: after the threat's launch
    fate_unit: np.ndarray  # (n_reps, n_threats) int32
    final_stock: np.ndarray  # (n_reps, n_units) int64
    shot_rep: np.ndarray  # (n_shots,) int32
    shot_unit: np.ndarray  # (n_shots,) int32
    shot_threat: np.ndarray  # (n_shots,) int32
    shot_step: np.ndarray  # (n_shots,) int64: global fire step
    shot_intercept_s: np.ndarray  # (n_shots,) float64: after the threat's launch
    shot_hit: np.ndarray  # (n_shots,) bool


@njit(cache=True, nogil=True)
def _arrival_step(launch_step: int, tau_s: float, dt: float) -> int:
    """First global step at or after the intercept time."""
    return launch_step + int(np.ceil(tau_s / dt - _GRID_EPS))


@njit(cache=True, nogil=True)
def _cap_reached(cap: int, used_outside: int) -> bool:
    """Whether a nation's cap on engagements outside its airspace (-1: none) is used up."""
    return 0 <= cap <= used_outside


@njit(cache=True, nogil=True)
def _decoy_off_limits(inp: KernelInputs, rep: int, i: int, u: int, w: int) -> bool:
    """Whether unit ``u`` may not fire at threat ``i`` in window ``w`` as it identifies it.

    A decoy recognised (its night's uniform below the unit's discrimination), or a drone taken
    for a decoy where the rules require identification (its identification uniform below the
    unit's error rate), is a decoy: rules and tasking must allow decoys, and the nation's
    ``engage_decoys`` must allow it (never; only in a threatening window; always). A decoy not
    recognised is taken for a drone (rules and tasking must allow drones). False for others.
    """
    if inp.threat_decoy[i]:
        as_decoy = inp.discrimination_u[rep, i] < inp.unit_decoy_discrimination[u]
    elif inp.threat_drone[i] and inp.unit_require_id[u]:
        as_decoy = inp.identification_u[rep, i] < inp.unit_drone_taken_for_decoy[u]
        if not as_decoy:
            return False
    else:
        return False
    if as_decoy:
        mode = inp.unit_engage_decoys[u]
        if mode == 0 or (mode == 1 and not inp.window_threatening[w]):
            return True
        return not inp.unit_knows_decoys[u]
    return not inp.unit_takes_drones[u]


@njit(cache=True, nogil=True)
def _prefer(pk_a: float, cost_a: float, pk_b: float, cost_b: float, adequate: float) -> bool:
    """Weapon ``a`` before ``b``: cheapest adequate first, else best Pk (engine.air)."""
    ok_a = pk_a >= adequate
    ok_b = pk_b >= adequate
    if ok_a != ok_b:
        return ok_a
    if ok_a:
        return cost_a < cost_b or (cost_a == cost_b and pk_a > pk_b)
    return pk_a > pk_b or (pk_a == pk_b and cost_a < cost_b)


@njit(cache=True, nogil=True)
def _first_step_at(time_s: float, dt: float) -> int:
    """First global step whose time ``s dt`` is at or after ``time_s`` (finite times)."""
    k = int(np.ceil(time_s / dt))
    while (k - 1) * dt >= time_s:
        k -= 1
    while k * dt < time_s:
        k += 1
    return k


class _WeaponRule(NamedTuple):
    """The fields of :class:`KernelInputs` the weapon choice reads, passed per step.

    Numba counts a reference to every array of a record passed to a function, at every call:
    a step passes these six rather than all of :class:`KernelInputs`.
    """

    unit_platform: np.ndarray
    window_unit: np.ndarray
    threat_class: np.ndarray
    unit_adequate_pk: np.ndarray
    unit_pk: np.ndarray
    unit_cost_usd: np.ndarray


# Candidates are sorted in runs of this many by insertion, the runs then merged.
_INSERTION_RUN = 16


@njit(cache=True, nogil=True)
def _before(key_a: float, tie_a: int, key_b: float, tie_b: int) -> bool:
    """Whether ``(key_a, tie_a)`` sorts strictly before ``(key_b, tie_b)``.

    Key ascending with NaN last (numpy's sort order), then tie ascending.
    """
    if key_a < key_b:
        return True
    if key_a == key_b:
        return tie_a < tie_b
    if np.isnan(key_a) and np.isnan(key_b):  # numpy's sorts hold NaNs equal
        return tie_a < tie_b
    return np.isnan(key_b) and not np.isnan(key_a)


@njit(cache=True, nogil=True)
def _stable_order(
    key: np.ndarray, tie: np.ndarray, n: int, order: np.ndarray, scratch: np.ndarray
) -> None:
    """Write into ``order[:n]`` the indices ``0..n-1`` by ``(key, tie, index)`` ascending.

    The order ``by_tie[np.argsort(key[:n][by_tie], kind="mergesort")]`` with ``by_tie =
    np.argsort(tie[:n], kind="mergesort")`` gives (two stable sorts), with no allocation: the
    event loop sorts its candidates at every step that has any. ``scratch`` holds ``n`` too.
    """
    width = _INSERTION_RUN
    for lo in range(0, n, width):  # runs sorted by insertion (stable: ``before`` is strict)
        for b in range(lo, min(lo + width, n)):
            j = b
            while j > lo and _before(key[b], tie[b], key[order[j - 1]], tie[order[j - 1]]):
                order[j] = order[j - 1]
                j -= 1
            order[j] = b
    src, dst = order, scratch
    while width < n:  # neighbouring runs merged, the left one first on equal keys
        for lo in range(0, n, 2 * width):
            mid, hi = min(lo + width, n), min(lo + 2 * width, n)
            a, b = lo, mid
            for o in range(lo, hi):
                if b >= hi or (
                    a < mid and not _before(key[src[b]], tie[src[b]], key[src[a]], tie[src[a]])
                ):
                    dst[o] = src[a]
                    a += 1
                else:
                    dst[o] = src[b]
                    b += 1
        src, dst = dst, src
        width *= 2
    if src is not order:
        order[:n] = src[:n]


# Start steps spanning more than this many steps per window (plus a constant) are ordered by
# numpy's merge sort instead of by counting (whose table would be mostly empty).
_COUNTING_SPAN_PER_WINDOW = 4
_COUNTING_SPAN_MIN = 4096


@njit(cache=True, nogil=True)
def _order_by_start(start: np.ndarray, n: int) -> np.ndarray:
    """(n,) int64: ``np.argsort(start[:n], kind="mergesort")``, by a counting sort.

    Both are stable, so the order is the same; counting is linear in the windows and the span
    of their start steps (the night's steps), where the merge sort was the replication's
    largest single cost.
    """
    order = np.empty(n, dtype=np.int64)
    if n == 0:
        return order
    lo, hi = start[0], start[0]
    for c in range(1, n):
        lo = min(lo, start[c])
        hi = max(hi, start[c])
    span = hi - lo + 1
    if span > _COUNTING_SPAN_PER_WINDOW * n + _COUNTING_SPAN_MIN:
        order[:] = np.argsort(start[:n], kind="mergesort")
        return order
    first = np.zeros(span + 1, dtype=np.int64)  # first[k]: where start lo + k goes next
    for c in range(n):
        first[start[c] - lo + 1] += 1
    for k in range(span):
        first[k + 1] += first[k]
    for c in range(n):
        k = start[c] - lo
        order[first[k]] = c
        first[k] += 1
    return order


@njit(cache=True, nogil=True)
def _choose_weapons(
    inp: _WeaponRule,
    cand: np.ndarray,
    n_cand: int,
    win: np.ndarray,
    win_threat: np.ndarray,
    n_plat: int,
    scratch: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> int:
    """Keep one candidate per (threat, platform): the weapon the choice rule prefers.

    Compacts ``cand[:n_cand]`` in place and returns the new count (order kept). ``scratch``:
    the event loop's buffers of at least ``n_cand`` (zeros float64, then key, order, sort
    scratch int64, keep bool), so that nothing is allocated per step.
    """
    zeros, key, order, sort_scratch, keep = scratch
    for b in range(n_cand):
        key[b] = win_threat[cand[b]] * n_plat + inp.unit_platform[inp.window_unit[win[cand[b]]]]
        keep[b] = False
    _stable_order(zeros, key, n_cand, order, sort_scratch)
    g = 0
    while g < n_cand:
        h = g + 1
        while h < n_cand and key[order[h]] == key[order[g]]:
            h += 1
        best = order[g]
        cls = inp.threat_class[win_threat[cand[best]]]
        for q in range(g + 1, h):
            b = order[q]
            u = inp.window_unit[win[cand[b]]]
            v = inp.window_unit[win[cand[best]]]
            adequate = inp.unit_adequate_pk[u]
            pk_u, cost_u = inp.unit_pk[u, cls], inp.unit_cost_usd[u]
            pk_v, cost_v = inp.unit_pk[v, cls], inp.unit_cost_usd[v]
            if _prefer(pk_u, cost_u, pk_v, cost_v, adequate) or (
                u < v and not _prefer(pk_v, cost_v, pk_u, cost_u, adequate)
            ):
                best = b
        keep[best] = True
        g = h
    m = 0
    for b in range(n_cand):
        if keep[b]:
            cand[m] = cand[b]
            m += 1
    return m


@njit(cache=True, nogil=True)
def _waits_until(
    inp: KernelInputs,
    rep: int,
    i: int,
    u: int,
    k: int,
    launch_i: int,
    stock: np.ndarray,
    track: np.ndarray,
    off_at: np.ndarray,
) -> int:
    """Whether unit ``u`` holds fire at threat ``i`` at step ``k`` for a cheaper weapon.

    The rule of :func:`skyshield.engine.air.waits_for_cheaper`: another row of the same
    aircraft, adequate, cheaper, with rounds beyond its reserve, has a window on ``i`` with a
    fire step after ``k`` while the aircraft is on station (and may engage ``i`` as it
    identifies it). Returns -1 when it does not wait, else the global step at which this wait
    may end at the latest (the waited-for window's last step before it closes or the aircraft
    leaves): the event loop visits it.
    """
    if not inp.unit_wait_cheaper[u]:
        return -1
    cls = inp.threat_class[i]
    adequate = inp.unit_adequate_pk[u]
    dt = inp.time_step_s
    r = inp.realization[rep, i]
    until = -1
    for w in range(inp.threat_window_start[r, i], inp.threat_window_end[r, i]):
        v = inp.window_unit[w]
        if v == u or inp.unit_platform[v] != inp.unit_platform[u]:
            continue
        if inp.unit_pk[v, cls] < adequate or inp.unit_cost_usd[v] >= inp.unit_cost_usd[u]:
            continue
        if stock[v] <= inp.unit_reserve_floor[rep, v, cls]:
            continue
        k0 = inp.window_k0[w]
        if track.shape[0] > 0:  # orbiting sensors: this night's authorization
            k0 = max(k0, _authorized_step(inp, track, v, i))
        k0 = max(k0, k + 1)
        if k0 >= inp.window_k1[w] or (launch_i + k0) * dt >= off_at[v]:
            continue
        if _decoy_off_limits(inp, rep, i, v, w):
            continue
        last = launch_i + inp.window_k1[w] - 1  # the wait ends by the window's last step
        if np.isfinite(off_at[v]):  # or when the aircraft is about to leave
            last = min(last, _first_step_at(off_at[v], dt) - 1)
        until = max(until, last) if until >= 0 else last
    return until


@njit(cache=True, nogil=True)
def _night_tracks(inp: KernelInputs, rep: int) -> np.ndarray:
    """(n_networks, n_threats) first tracks this night with orbiting sensors (:mod:`.aew`).

    A (0, 0) array when the scenario has none (every track is then the route set's). An
    orbiting sensor's detection interval counts from its first point on station, raid time
    ``[on, off)`` of one of its orbits.
    """
    a = inp.aew
    if a.fixed_track_s.shape[0] == 0:
        return np.zeros((0, 0))
    n_net, n_threats = a.fixed_track_s.shape[1], a.fixed_track_s.shape[2]
    dt = inp.time_step_s
    track = np.empty((n_net, n_threats))
    for i in range(n_threats):
        r = inp.realization[rep, i]
        for net in range(n_net):
            track[net, i] = a.fixed_track_s[r, net, i]
        launch_s = inp.launch_step[rep, i] * dt
        for j in range(a.networks.shape[0]):
            first = np.inf
            for q in range(a.start[r, j, i], a.end[r, j, i]):
                for o in range(a.orbit_start[j], a.orbit_end[j]):
                    on = a.orbit_on_s[o] - launch_s  # the orbit in the threat's time
                    off = a.orbit_off_s[o] - launch_s
                    lo = max(a.lo[q], on)
                    if lo <= a.hi[q] and lo < off:
                        first = min(first, lo)
            if first < np.inf:
                for net in range(n_net):
                    if a.networks[j, net]:
                        track[net, i] = min(track[net, i], first)
    return track


@njit(cache=True, nogil=True)
def _authorized_step(inp: KernelInputs, track: np.ndarray, u: int, i: int) -> int:
    """First fire step (after launch) unit ``u`` may fire at ``i`` after this night's track."""
    first = np.inf
    for net in range(track.shape[0]):
        if inp.aew.unit_networks[u, net]:
            first = min(first, track[net, i])
    if first == np.inf:
        return np.iinfo(np.int64).max
    cleared = first + inp.aew.unit_track_offset_s[u]
    return max(int(np.ceil(cleared / inp.time_step_s - _GRID_EPS)), 0)


@njit(cache=True, nogil=True)
def _presence_s(
    inp: KernelInputs, rep: int, n_alert: int, lost_s: np.ndarray, night_track: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(on, off) per unit in raid time for replication ``rep`` (quick reaction alert).

    A group's alert is the first global step at which its networks hold a track on a threat
    that has not yet come down (EW or fall; ``lost_s``); inf when none. An alert unit's times
    are relative to it (an alert never raised keeps the aircraft on the ground).
    """
    on_at = inp.unit_on_s.copy()
    off_at = inp.unit_off_s.copy()
    if n_alert == 0:
        return on_at, off_at
    dt = inp.time_step_s
    alert_s = np.full(n_alert, np.inf)
    for g in range(n_alert):
        for i in range(inp.launch_step.shape[1]):
            if night_track.shape[0] > 0:  # orbiting sensors: this night's tracks
                track = np.inf
                for net in range(night_track.shape[0]):
                    if inp.alert_networks[g, net]:
                        track = min(track, night_track[net, i])
            else:
                track = inp.alert_track_s[inp.realization[rep, i], g, i]
            if not np.isfinite(track):
                continue
            k = _first_step_at(track, dt)
            if k * dt < lost_s[i]:
                alert_s[g] = min(alert_s[g], (inp.launch_step[rep, i] + k) * dt)
    for u in range(on_at.shape[0]):
        g = inp.unit_alert[u]
        if g >= 0:
            on_at[u] += alert_s[g]
            off_at[u] += alert_s[g]
    return on_at, off_at


@njit(cache=True, nogil=True)
def simulate_block(inp: KernelInputs) -> KernelOutputs:
    """Simulate a block of replications; see the module docstring for the rules."""
    n_reps, n_threats = inp.launch_step.shape
    n_units = inp.unit_nation.shape[0]
    max_rounds = inp.kill_u.shape[2]
    dt = inp.time_step_s
    fate = np.full((n_reps, n_threats), _IMPACTED, dtype=np.int8)
    fate_s = np.zeros((n_reps, n_threats), dtype=np.float64)
    fate_unit = np.full((n_reps, n_threats), -1, dtype=np.int32)
    final_stock = np.zeros((n_reps, n_units), dtype=np.int64)
    shot_rep = np.empty(inp.shot_capacity, dtype=np.int32)
    shot_unit = np.empty(inp.shot_capacity, dtype=np.int32)
    shot_threat = np.empty(inp.shot_capacity, dtype=np.int32)
    shot_step = np.empty(inp.shot_capacity, dtype=np.int64)
    shot_tau = np.empty(inp.shot_capacity, dtype=np.float64)
    shot_hit = np.empty(inp.shot_capacity, dtype=np.bool_)
    n_shots = 0
    on_later = np.flatnonzero(np.isfinite(inp.unit_on_s))  # units with a presence interval
    n_alert = inp.alert_track_s.shape[1]
    any_wait = bool(inp.unit_wait_cheaper.any())
    n_plat = inp.unit_platform.max() + 1 if n_units > 0 else 0
    weapon = _WeaponRule(
        inp.unit_platform,
        inp.window_unit,
        inp.threat_class,
        inp.unit_adequate_pk,
        inp.unit_pk,
        inp.unit_cost_usd,
    )

    for rep in range(n_reps):
        launch = inp.launch_step[rep]
        # threat state
        lost_s = np.empty(n_threats, dtype=np.float64)  # EW loss time after launch, or inf
        flight = np.empty(n_threats, dtype=np.float64)
        killed = np.zeros(n_threats, dtype=np.bool_)
        pending = np.full(n_threats, -1, dtype=np.int64)  # global step the engagement resolves
        pend_unit = np.full(n_threats, -1, dtype=np.int64)
        pend_hit = np.zeros(n_threats, dtype=np.bool_)
        pend_tau = np.zeros(n_threats, dtype=np.float64)
        rounds_at = np.zeros(n_threats, dtype=np.int64)
        n_windows = 0
        v_first = np.empty(n_threats, dtype=np.int64)
        v_last = np.empty(n_threats, dtype=np.int64)
        for i in range(n_threats):
            r = inp.realization[rep, i]
            v_first[i] = inp.vertex_start[r, i]
            v_last[i] = inp.vertex_end[r, i] - 1
            flight[i] = inp.flight_s[r, i]
            lost_s[i] = min(inp.ew_lost_s[rep, i], inp.fall_s[rep, i])  # EW loss or fall
            n_windows += inp.threat_window_end[r, i] - inp.threat_window_start[r, i]
        track = _night_tracks(inp, rep)  # orbiting sensors: this night's network tracks
        on_at, off_at = _presence_s(inp, rep, n_alert, lost_s, track)  # raid time, this night
        win = np.empty(n_windows, dtype=np.int64)
        win_threat = np.empty(n_windows, dtype=np.int64)
        gstart = np.empty(n_windows, dtype=np.int64)
        off_limits = np.empty(n_windows, dtype=np.bool_)
        first_entry = np.empty(n_threats, dtype=np.int64)  # a threat's windows: entries
        c = 0
        for i in range(n_threats):
            r = inp.realization[rep, i]
            first_entry[i] = c
            for w in range(inp.threat_window_start[r, i], inp.threat_window_end[r, i]):
                k0 = inp.window_k0[w]
                if track.shape[0] > 0:  # orbiting sensors: no earlier than this night allows
                    k0 = max(k0, _authorized_step(inp, track, inp.window_unit[w], i))
                    if k0 >= inp.window_k1[w]:
                        continue
                win[c] = w
                win_threat[c] = i
                gstart[c] = launch[i] + k0
                # fixed for the night, looked up at every step the window is open, and set
                # later only when the unit's rounds per target are spent (only decoys and
                # drones to identify start off limits: the call is skipped for the others,
                # since passing ``inp`` costs a reference count per array)
                u = inp.window_unit[w]
                off_limits[c] = (
                    inp.threat_decoy[i] or (inp.threat_drone[i] and inp.unit_require_id[u])
                ) and _decoy_off_limits(inp, rep, i, u, w)
                c += 1
        n_windows = c
        order = _order_by_start(gstart, n_windows)
        # rounds each entry's unit has fired at its threat (doctrine's rounds per target)
        fired_at = np.zeros(n_windows, dtype=np.int64)
        # unit state
        plat = inp.unit_platform
        free = np.zeros(plat.max() + 1 if n_units > 0 else 0, dtype=np.int64)
        for u in range(n_units):
            free[plat[u]] = inp.unit_channels[u]
        stock = inp.initial_stock[rep].copy()
        ready = np.minimum(inp.unit_ready_capacity, stock)
        reload_at = np.full(n_units, -1, dtype=np.int64)
        used_outside = np.zeros(inp.nation_cap.shape[0], dtype=np.int64)
        reloading = np.empty(n_units, dtype=np.int64)
        n_reloading = 0
        active = np.empty(n_windows, dtype=np.int64)
        n_active = 0
        pend_list = np.empty(n_threats, dtype=np.int64)
        n_pending = 0
        cand = np.empty(n_windows, dtype=np.int64)
        score = np.empty(n_windows, dtype=np.float64)
        # the assignment's sort buffers, allocated once per replication (not per step)
        neg_score = np.empty(n_windows, dtype=np.float64)
        tie = np.empty(n_windows, dtype=np.int64)
        best = np.empty(n_windows, dtype=np.int64)
        sort_scratch = np.empty(n_windows, dtype=np.int64)
        weapon_scratch = (
            np.zeros(n_windows, dtype=np.float64),
            np.empty(n_windows, dtype=np.int64),
            np.empty(n_windows, dtype=np.int64),
            np.empty(n_windows, dtype=np.int64),
            np.empty(n_windows, dtype=np.bool_),
        )
        p = 0
        s = gstart[order[0]] if n_windows > 0 else 0
        while p < n_windows or n_active > 0 or n_pending > 0:
            while p < n_windows and gstart[order[p]] <= s:
                active[n_active] = order[p]
                n_active += 1
                p += 1
            # 1. resolve engagements arriving now
            q = 0
            while q < n_pending:
                i = pend_list[q]
                if pending[i] <= s:
                    free[plat[pend_unit[i]]] += 1
                    if pend_hit[i] and pend_tau[i] < lost_s[i]:
                        killed[i] = True
                        fate[rep, i] = _INTERCEPTED
                        fate_s[rep, i] = pend_tau[i]
                        fate_unit[rep, i] = pend_unit[i]
                    pending[i] = -1
                    n_pending -= 1
                    pend_list[q] = pend_list[n_pending]
                else:
                    q += 1
            # 2. reloads
            q = 0
            while q < n_reloading:
                u = reloading[q]
                if reload_at[u] <= s:
                    ready[u] = min(inp.unit_ready_capacity[u], stock[u])
                    reload_at[u] = -1
                    n_reloading -= 1
                    reloading[q] = reloading[n_reloading]
                else:
                    q += 1
            # 3. candidates from open windows (closed ones leave the active list)
            n_cand = 0
            q = 0
            while q < n_active:
                a = active[q]
                w = win[a]
                i = win_threat[a]
                k = s - launch[i]
                u = inp.window_unit[w]
                if (
                    killed[i]
                    or k >= inp.window_k1[w]
                    or k * dt >= lost_s[i]
                    or stock[u] == 0
                    or off_limits[a]
                    or s * dt >= off_at[u]
                ):
                    n_active -= 1
                    active[q] = active[n_active]
                    continue
                q += 1
                if s * dt < on_at[u]:
                    continue  # not on station yet (an event: see the step advance)
                if (
                    pending[i] >= 0
                    or free[plat[u]] <= 0
                    or ready[u] <= 0
                    or rounds_at[i] >= max_rounds
                ):
                    continue
                if stock[u] <= inp.unit_reserve_floor[rep, u, inp.threat_class[i]]:
                    continue  # what is left is held back for other classes
                nation = inp.unit_nation[u]
                if inp.window_outside_own[w] and _cap_reached(
                    inp.nation_cap[nation], used_outside[nation]
                ):
                    continue
                cand[n_cand] = a
                n_cand += 1
            if n_cand > 1:  # an aircraft offers one weapon per threat (engine.air)
                n_cand = _choose_weapons(
                    weapon, cand, n_cand, win, win_threat, n_plat, weapon_scratch
                )
            # an aircraft holds fire for a cheaper adequate weapon of its own (engine.air)
            wait_end = np.iinfo(np.int64).max
            if any_wait:
                m = 0
                for b in range(n_cand):
                    i = win_threat[cand[b]]
                    until = _waits_until(
                        inp, rep, i, inp.window_unit[win[cand[b]]], s - launch[i], launch[i],
                        stock, track, off_at,
                    )  # fmt: skip
                    if until < 0:
                        cand[m] = cand[b]
                        m += 1
                    else:
                        wait_end = min(wait_end, until)
                n_cand = m
            shots_before = n_shots
            for b in range(n_cand):
                a = cand[b]
                i = win_threat[a]
                u = inp.window_unit[win[a]]
                score[b] = (
                    inp.unit_pk[u, inp.threat_class[i]]
                    * inp.threat_priority[i]
                    / ((flight[i] - (s - launch[i]) * dt) / dt + 1.0)
                )
            # 4. greedy assignment and fire
            if n_cand > 0:
                # best score first; ties by threat, then unit (as the reference engine)
                for b in range(n_cand):
                    tie[b] = win_threat[cand[b]] * n_units + inp.window_unit[win[cand[b]]]
                    neg_score[b] = -score[b]
                _stable_order(neg_score, tie, n_cand, best, sort_scratch)
                for rank in range(n_cand):
                    b = best[rank]
                    a = cand[b]
                    w = win[a]
                    i = win_threat[a]
                    u = inp.window_unit[w]
                    k = s - launch[i]
                    nation = inp.unit_nation[u]
                    if pending[i] >= 0 or free[plat[u]] <= 0 or ready[u] <= 0:
                        continue
                    if stock[u] <= inp.unit_reserve_floor[rep, u, inp.threat_class[i]]:
                        continue
                    outside = inp.window_outside_own[w]
                    if outside and _cap_reached(inp.nation_cap[nation], used_outside[nation]):
                        continue
                    # the intercept, solved exactly at fire time (inside the window's
                    # intervals by construction; none only at a window's rounded edge)
                    tau = intercept_one(
                        inp.vertex_time_s, inp.vertex_ecef_m, v_first[i], v_last[i],
                        inp.unit_ecef_m[u, 0], inp.unit_ecef_m[u, 1], inp.unit_ecef_m[u, 2],
                        inp.unit_interceptor_mps[u], k * dt,
                    )  # fmt: skip
                    if np.isnan(tau):
                        continue
                    n_rounds = min(
                        inp.unit_rounds[u],
                        ready[u],
                        max_rounds - rounds_at[i],
                        stock[u] - inp.unit_reserve_floor[rep, u, inp.threat_class[i]],
                    )
                    if inp.unit_rounds_per_target[u] > 0:
                        n_rounds = min(n_rounds, inp.unit_rounds_per_target[u] - fired_at[a])
                        # every window of this unit on this threat counts them
                        end_entry = first_entry[i + 1] if i + 1 < n_threats else n_windows
                        for e in range(first_entry[i], end_entry):
                            if inp.window_unit[win[e]] == u:
                                fired_at[e] += n_rounds
                                # spent: off limits for the rest of the night (no new check
                                # in the loop over open windows, which runs every step)
                                if fired_at[e] >= inp.unit_rounds_per_target[u]:
                                    off_limits[e] = True
                    hit = False
                    pk = inp.unit_pk[u, inp.threat_class[i]]
                    for _ in range(n_rounds):
                        h = inp.kill_u[rep, i, rounds_at[i]] < pk
                        rounds_at[i] += 1
                        hit = hit or h
                        shot_rep[n_shots] = rep
                        shot_unit[n_shots] = u
                        shot_threat[n_shots] = i
                        shot_step[n_shots] = s
                        shot_tau[n_shots] = tau
                        shot_hit[n_shots] = h
                        n_shots += 1
                    ready[u] -= n_rounds
                    stock[u] -= n_rounds
                    free[plat[u]] -= 1
                    if outside:
                        used_outside[nation] += 1
                    pending[i] = _arrival_step(launch[i], tau, dt)
                    pend_unit[i] = u
                    pend_hit[i] = hit
                    pend_tau[i] = tau
                    pend_list[n_pending] = i
                    n_pending += 1
                    if ready[u] == 0 and stock[u] > 0 and reload_at[u] < 0:
                        reload_at[u] = s + inp.unit_reload_steps[u]
                        reloading[n_reloading] = u
                        n_reloading += 1
            # advance to the next step where something can change (module docstring)
            if not inp.skip_idle_steps and (n_active > 0 or n_pending > 0 or p < n_windows):
                s += 1
                continue
            nxt = gstart[order[p]] if p < n_windows else np.iinfo(np.int64).max
            for q in range(n_pending):
                nxt = min(nxt, pending[pend_list[q]])
            for q in range(n_reloading):
                nxt = min(nxt, reload_at[reloading[q]])
            if wait_end < np.iinfo(np.int64).max:  # a wait may end: a shot spent a weapon's
                nxt = min(nxt, s + 1 if n_shots > shots_before else wait_end)  # rounds, or
            if n_active > 0:  # an aircraft coming on station may take an open window
                for q in range(on_later.shape[0]):
                    u = int(on_later[q])
                    if s * dt < on_at[u] < np.inf:
                        nxt = min(nxt, _first_step_at(on_at[u], dt))
            if nxt == np.iinfo(np.int64).max:
                break
            s = max(s + 1, nxt)
        for i in range(n_threats):
            if killed[i]:
                continue
            if lost_s[i] < flight[i]:
                fate[rep, i] = _FELL if inp.fall_s[rep, i] < inp.ew_lost_s[rep, i] else _LOST_TO_EW
                fate_s[rep, i] = lost_s[i]
            else:
                fate_s[rep, i] = flight[i]
        final_stock[rep] = stock
    return KernelOutputs(
        fate,
        fate_s,
        fate_unit,
        final_stock,
        shot_rep[:n_shots],
        shot_unit[:n_shots],
        shot_threat[:n_shots],
        shot_step[:n_shots],
        shot_tau[:n_shots],
        shot_hit[:n_shots],
    )
