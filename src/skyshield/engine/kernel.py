"""The stochastic event loop of the fast engine, compiled with numba.

It walks the global step grid of each replication over the engagement windows of the route
realization each threat flies, visiting only steps where something can change (a window opens,
an engagement resolves, a reload completes). Every visited step, in this order:

1. engagements whose interceptors arrive now resolve: the threat dies if a round hit and it has
   not been lost to electronic warfare before the intercept; the unit's channel is freed;
2. units whose reload is complete get ready rounds back (up to launcher capacity, from stock);
3. greedy weapon-target assignment: every (unit, threat) pair with an open window, a free
   channel, a ready round, the threat alive and not already under engagement, and its nation's
   cap on engagements outside own airspace not reached, is scored
   ``pk × asset value / steps to impact``; pairs are taken best first, each unit up to its free
   channels, each threat once;
4. a unit fires its doctrine's rounds per engagement (one for shoot-look-shoot); round ``m`` at a
   threat hits when that threat's ``m``-th pre-drawn uniform is below the unit's kill probability.

Fates: intercepted (by the engagement that first hits), lost to EW (at its drawn point of the
flight), impacted (at its last sample). Fate codes follow :class:`skyshield.engine.outcomes.Fate`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["simulate_block"]

_INTERCEPTED = 0
_LOST_TO_EW = 1
_IMPACTED = 2


@njit(cache=True, nogil=True)
def simulate_block(
    launch_step: np.ndarray,
    realization: np.ndarray,
    ew_fraction: np.ndarray,
    kill_u: np.ndarray,
    last_sample: np.ndarray,
    tw_start: np.ndarray,
    tw_end: np.ndarray,
    w_unit: np.ndarray,
    w_k0: np.ndarray,
    w_k1: np.ndarray,
    w_offset: np.ndarray,
    intercept_k: np.ndarray,
    outside_own: np.ndarray,
    threat_class: np.ndarray,
    threat_priority: np.ndarray,
    unit_nation: np.ndarray,
    unit_channels: np.ndarray,
    unit_ready_capacity: np.ndarray,
    unit_stock: np.ndarray,
    unit_reload_steps: np.ndarray,
    unit_pk: np.ndarray,
    unit_rounds: np.ndarray,
    nation_cap: np.ndarray,
    shot_capacity: int,
) -> tuple[np.ndarray, ...]:
    """Simulate a block of replications; see the module docstring for the rules."""
    n_reps, n_threats = launch_step.shape
    n_units = unit_nation.shape[0]
    max_rounds = kill_u.shape[2]
    fate = np.full((n_reps, n_threats), _IMPACTED, dtype=np.int8)
    fate_step = np.zeros((n_reps, n_threats), dtype=np.int64)
    fate_unit = np.full((n_reps, n_threats), -1, dtype=np.int32)
    fate_k = np.zeros((n_reps, n_threats), dtype=np.int64)
    shot_rep = np.empty(shot_capacity, dtype=np.int32)
    shot_unit = np.empty(shot_capacity, dtype=np.int32)
    shot_threat = np.empty(shot_capacity, dtype=np.int32)
    shot_step = np.empty(shot_capacity, dtype=np.int64)
    shot_k = np.empty(shot_capacity, dtype=np.int64)
    shot_hit = np.empty(shot_capacity, dtype=np.bool_)
    n_shots = 0

    for rep in range(n_reps):
        # threat state
        dead_at = np.empty(n_threats, dtype=np.int64)  # EW loss step (local), or last + 1
        last = np.empty(n_threats, dtype=np.int64)
        killed = np.zeros(n_threats, dtype=np.bool_)
        pending = np.full(n_threats, -1, dtype=np.int64)  # global step the engagement resolves
        pend_unit = np.full(n_threats, -1, dtype=np.int64)
        pend_hit = np.zeros(n_threats, dtype=np.bool_)
        pend_k = np.zeros(n_threats, dtype=np.int64)
        rounds_at = np.zeros(n_threats, dtype=np.int64)
        n_windows = 0
        for i in range(n_threats):
            r = realization[rep, i]
            last[i] = last_sample[r, i]
            f = ew_fraction[rep, i]
            dead_at[i] = np.int64(np.floor(f * last[i])) if f < 1.0 else last[i] + 1
            n_windows += tw_end[r, i] - tw_start[r, i]
        win = np.empty(n_windows, dtype=np.int64)
        win_threat = np.empty(n_windows, dtype=np.int64)
        gstart = np.empty(n_windows, dtype=np.int64)
        c = 0
        for i in range(n_threats):
            r = realization[rep, i]
            for w in range(tw_start[r, i], tw_end[r, i]):
                win[c] = w
                win_threat[c] = i
                gstart[c] = launch_step[rep, i] + w_k0[w]
                c += 1
        order = np.argsort(gstart, kind="mergesort")
        # unit state
        free = unit_channels.copy()
        stock = unit_stock.copy()
        ready = np.minimum(unit_ready_capacity, stock)
        reload_at = np.full(n_units, -1, dtype=np.int64)
        used_outside = np.zeros(nation_cap.shape[0], dtype=np.int64)
        reloading = np.empty(n_units, dtype=np.int64)
        n_reloading = 0
        active = np.empty(n_windows, dtype=np.int64)
        n_active = 0
        pend_list = np.empty(n_threats, dtype=np.int64)
        n_pending = 0
        cand = np.empty(n_windows, dtype=np.int64)
        score = np.empty(n_windows, dtype=np.float64)
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
                    free[pend_unit[i]] += 1
                    if pend_hit[i] and pend_k[i] < dead_at[i]:
                        killed[i] = True
                        fate[rep, i] = _INTERCEPTED
                        fate_step[rep, i] = pending[i]
                        fate_unit[rep, i] = pend_unit[i]
                        fate_k[rep, i] = pend_k[i]
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
                    ready[u] = min(unit_ready_capacity[u], stock[u])
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
                k = s - launch_step[rep, i]
                u = w_unit[w]
                if killed[i] or k >= w_k1[w] or k >= dead_at[i] or stock[u] == 0:
                    n_active -= 1
                    active[q] = active[n_active]
                    continue
                q += 1
                if pending[i] >= 0 or free[u] <= 0 or ready[u] <= 0 or rounds_at[i] >= max_rounds:
                    continue
                nation = unit_nation[u]
                if (
                    outside_own[w_offset[w] + k - w_k0[w]]
                    and 0 <= nation_cap[nation] <= used_outside[nation]
                ):
                    continue
                cand[n_cand] = a
                score[n_cand] = (
                    unit_pk[u, threat_class[i]] * threat_priority[i] / (last[i] - k + 1.0)
                )
                n_cand += 1
            # 4. greedy assignment and fire
            if n_cand > 0:
                # best score first; ties by threat, then unit (as the reference engine)
                tie = np.empty(n_cand, dtype=np.int64)
                for b in range(n_cand):
                    tie[b] = win_threat[cand[b]] * n_units + w_unit[win[cand[b]]]
                by_tie = np.argsort(tie, kind="mergesort")
                best = by_tie[np.argsort(-score[:n_cand][by_tie], kind="mergesort")]
                for b in best:
                    a = cand[b]
                    w = win[a]
                    i = win_threat[a]
                    u = w_unit[w]
                    k = s - launch_step[rep, i]
                    idx = w_offset[w] + k - w_k0[w]
                    nation = unit_nation[u]
                    if pending[i] >= 0 or free[u] <= 0 or ready[u] <= 0:
                        continue
                    if outside_own[idx] and 0 <= nation_cap[nation] <= used_outside[nation]:
                        continue
                    n_rounds = min(unit_rounds[u], ready[u], max_rounds - rounds_at[i])
                    j = intercept_k[idx]
                    hit = False
                    pk = unit_pk[u, threat_class[i]]
                    for _ in range(n_rounds):
                        h = kill_u[rep, i, rounds_at[i]] < pk
                        rounds_at[i] += 1
                        hit = hit or h
                        shot_rep[n_shots] = rep
                        shot_unit[n_shots] = u
                        shot_threat[n_shots] = i
                        shot_step[n_shots] = s
                        shot_k[n_shots] = j
                        shot_hit[n_shots] = h
                        n_shots += 1
                    ready[u] -= n_rounds
                    stock[u] -= n_rounds
                    free[u] -= 1
                    if outside_own[idx]:
                        used_outside[nation] += 1
                    pending[i] = launch_step[rep, i] + j
                    pend_unit[i] = u
                    pend_hit[i] = hit
                    pend_k[i] = j
                    pend_list[n_pending] = i
                    n_pending += 1
                    if ready[u] == 0 and stock[u] > 0 and reload_at[u] < 0:
                        reload_at[u] = s + unit_reload_steps[u]
                        reloading[n_reloading] = u
                        n_reloading += 1
            # advance to the next step where something can change: every candidate of this
            # step either fired or is blocked by a busy unit, an empty launcher, a threat
            # under engagement or a reached cap, and those change only when a window opens,
            # an engagement resolves or a reload completes
            nxt = gstart[order[p]] if p < n_windows else np.iinfo(np.int64).max
            for q in range(n_pending):
                nxt = min(nxt, pending[pend_list[q]])
            for q in range(n_reloading):
                nxt = min(nxt, reload_at[reloading[q]])
            if nxt == np.iinfo(np.int64).max:
                break
            s = max(s + 1, nxt)
        for i in range(n_threats):
            if killed[i]:
                continue
            if dead_at[i] <= last[i]:
                fate[rep, i] = _LOST_TO_EW
                fate_k[rep, i] = dead_at[i]
            else:
                fate_k[rep, i] = last[i]
            fate_step[rep, i] = launch_step[rep, i] + fate_k[rep, i]
    return (
        fate,
        fate_step,
        fate_unit,
        fate_k,
        shot_rep[:n_shots],
        shot_unit[:n_shots],
        shot_threat[:n_shots],
        shot_step[:n_shots],
        shot_k[:n_shots],
        shot_hit[:n_shots],
    )
