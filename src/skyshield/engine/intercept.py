"""Exact earliest intercept of a threat flying a piecewise-linear trajectory.

A threat's trajectory is the straight line (in ECEF) between consecutive samples, flown at
constant velocity on each segment. An interceptor fired from a unit at time ``t`` at constant
speed ``v`` can be where the threat is at time ``τ ≥ t`` if ``|P(τ) − U| ≤ v (τ − t)``. The
intercept is the earliest such ``τ``. On a segment starting at sample ``j`` (time ``t_j``,
position ``X_j``, velocity ``V``), with ``A = X_j − U``, ``c = t_j − t`` and ``s = τ − t_j``,
the boundary ``|A + V s| = v (s + c)`` squared is the quadratic

    (V·V − v²) s² + 2 (A·V − v² c) s + (A·A − v² c²) = 0,

so the earliest intercept is found segment by segment in closed form: the first segment whose
quadratic is ``≤ 0`` somewhere in ``[0, d_j]`` gives it, at its smallest such ``s``.
The earliest intercept never comes earlier for a later shot at the same threat (a shot fired
earlier could wait), so when shots at one threat come in order of fire time the search for
each resumes at the segment where the previous one stopped: its intercept, its reach or the
impact.
No intercept exists (NaN) when the threat cannot be caught before its impact or before it
would be farther than ``reach_m`` from the unit.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["earliest_intercept_s", "intercept_one"]

# Relative size below which the quadratic term, over the whole segment, counts as zero (threat
# and interceptor equally fast): the boundary equation is then linear. Measured against the other
# terms over the segment (|a| d² against |b| d + |c|), not against b² alone, which is not a
# comparable quantity: that made a Kh-101 (250 m/s) against a 241 m/s interceptor "flat" and put
# the intercept 0.3 s early.
_FLAT = 1e-12


@njit(cache=True, nogil=True)
def _first_nonpositive(a: float, b: float, c: float, d: float) -> float:
    """Smallest ``s`` in ``[0, d]`` with ``a s² + b s + c ≤ 0``, or NaN."""
    if c <= 0.0:
        return 0.0
    if abs(a) * d * d <= _FLAT * (abs(b) * d + abs(c)):  # linear: b s + c = 0, c > 0 needs b < 0
        s = -c / b if b < 0.0 else np.nan
    else:
        disc = b * b - 4.0 * a * c
        if disc < 0.0:
            return np.nan
        sq = np.sqrt(disc)
        # numerically stable pair of roots: q = -(b + sign(b) sqrt(disc)) / 2; q/a and c/q
        q = -0.5 * (b + sq) if b >= 0.0 else -0.5 * (b - sq)
        if q == 0.0:
            return np.nan
        r1, r2 = q / a, c / q
        lo, hi = min(r1, r2), max(r1, r2)
        # c > 0: with a > 0 the quadratic is ≤ 0 only on [lo, hi] (both roots positive, or
        # none ahead); with a < 0 it is ≤ 0 outside (lo, hi), and 0 lies inside, so from hi on
        s = (lo if lo >= 0.0 else np.nan) if a > 0.0 else hi
    return s if s <= d else np.nan


@njit(cache=True, nogil=True, inline="always")
def _on_segment(
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    s0: int,
    ux: float,
    uy: float,
    uz: float,
    v2: float,
    fire_s: float,
) -> float:
    """Earliest intercept on the segment from sample ``s0``, or NaN (the module's quadratic).

    A shot fired inside the segment starts there: the segment is clipped to [fire, end].
    ``v2`` is the interceptor's speed squared. Returns a time after the threat's launch.
    """
    t0 = time_s[s0]
    duration = time_s[s0 + 1] - t0
    inv = 1.0 / duration if duration > 0.0 else 1.0
    vx = (ecef_m[s0 + 1, 0] - ecef_m[s0, 0]) * inv
    vy = (ecef_m[s0 + 1, 1] - ecef_m[s0, 1]) * inv
    vz = (ecef_m[s0 + 1, 2] - ecef_m[s0, 2]) * inv
    c = t0 - fire_s
    shift = -c if c < 0.0 else 0.0
    ax = ecef_m[s0, 0] - ux + vx * shift
    ay = ecef_m[s0, 1] - uy + vy * shift
    az = ecef_m[s0, 2] - uz + vz * shift
    c += shift
    qa = vx * vx + vy * vy + vz * vz - v2
    qb = 2.0 * (ax * vx + ay * vy + az * vz - v2 * c)
    qc = ax * ax + ay * ay + az * az - v2 * c * c
    return float(t0 + shift + _first_nonpositive(qa, qb, qc, duration - shift))


@njit(cache=True, nogil=True)
def _solve(
    unit_ecef_m: np.ndarray,
    ecef_m: np.ndarray,
    time_s: np.ndarray,
    sample_start: np.ndarray,
    k: np.ndarray,
    last_k: np.ndarray,
    fire_s: np.ndarray,
    speed_mps: float,
    reach_m: float,
) -> np.ndarray:
    n = k.shape[0]
    tau = np.full(n, np.nan)
    v2 = speed_mps * speed_mps
    ux, uy, uz = unit_ecef_m[0], unit_ecef_m[1], unit_ecef_m[2]
    # where the previous shot's search stopped: its threat (first sample), fire time, segment
    prev_base, prev_fire, prev_j = -1, 0.0, 0
    for m in range(n):
        deadline = fire_s[m] + reach_m / speed_mps
        base = sample_start[m]
        j = k[m]
        if base == prev_base and fire_s[m] >= prev_fire:
            # a later shot cannot intercept where an earlier one could not, nor earlier
            j = max(j, prev_j)
        while j < last_k[m]:
            s0 = base + j
            if time_s[s0] > deadline:
                break
            t = _on_segment(time_s, ecef_m, s0, ux, uy, uz, v2, fire_s[m])
            if not np.isnan(t):
                # an intercept at the impact is no intercept
                tau[m] = t if t < time_s[base + last_k[m]] else np.nan
                break
            j += 1
        prev_base, prev_fire, prev_j = base, fire_s[m], j
    return tau


def earliest_intercept_s(
    unit_ecef_m: np.ndarray,
    ecef_m: np.ndarray,
    time_s: np.ndarray,
    sample_start: np.ndarray,
    k: np.ndarray,
    last_k: np.ndarray,
    fire_s: np.ndarray,
    speed_mps: float,
    reach_m: float,
) -> np.ndarray:
    """Earliest intercept time of each shot, or NaN when none is possible in reach.

    Shot ``n`` is fired at ``fire_s[n]`` (seconds after its threat's launch, at or after the
    threat's sample ``k[n]``) at the threat whose samples start at ``sample_start[n]`` and whose
    impact is its sample ``last_k[n]``. Intercepts at or after impact do not count; nor do
    those farther than ``reach_m`` from the unit (segments beyond ``t + reach_m / v`` are not
    searched, and the caller checks the envelope at the intercept). Any order of shots gives
    the same result; shots at one threat in order of fire time are solved fastest.

    Units: metres, seconds, m/s. ``unit_ecef_m`` (3,); ``ecef_m`` (n_samples, 3) and
    ``time_s`` (n_samples,) seconds after each threat's launch; the rest (n,).

    Returns
    -------
    (n,) float64: intercept time in seconds after the threat's launch, NaN if none.
    """
    return _solve(
        np.ascontiguousarray(unit_ecef_m, dtype=np.float64),
        np.ascontiguousarray(ecef_m, dtype=np.float64),
        np.ascontiguousarray(time_s, dtype=np.float64),
        np.ascontiguousarray(sample_start, dtype=np.int64),
        np.ascontiguousarray(k, dtype=np.int64),
        np.ascontiguousarray(last_k, dtype=np.int64),
        np.ascontiguousarray(fire_s, dtype=np.float64),
        float(speed_mps),
        float(reach_m),
    )


@njit(cache=True, nogil=True)
def intercept_one(
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    first: int,
    last: int,
    ux: float,
    uy: float,
    uz: float,
    speed_mps: float,
    fire_s: float,
) -> float:
    """Earliest intercept of one shot on one threat's vertices ``[first, last]``, or NaN.

    The same closed form as :func:`earliest_intercept_s`, for the event loop: the search
    starts at the piece flown at ``fire_s`` and stops at the impact.

    Units: seconds after the threat's launch, metres, m/s.
    """
    lo, hi = first, last - 1
    while lo < hi:  # the last piece starting at or before the fire time
        mid = (lo + hi + 1) // 2
        if time_s[mid] <= fire_s:
            lo = mid
        else:
            hi = mid - 1
    v2 = speed_mps * speed_mps
    for s0 in range(lo, last):
        t = _on_segment(time_s, ecef_m, s0, ux, uy, uz, v2, fire_s)
        if not np.isnan(t):
            return t if t < time_s[last] else np.nan
    return np.nan
