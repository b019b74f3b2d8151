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
No intercept exists (NaN) when the threat cannot be caught before its impact or before it
would be farther than ``reach_m`` from the unit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["earliest_intercept_s"]

# Relative tolerance below which the quadratic's leading coefficient counts as zero (threat and
# interceptor equally fast): the boundary equation is then linear.
_FLAT = 1e-12


def _first_nonpositive(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Smallest ``s`` in ``[0, d]`` with ``a s² + b s + c ≤ 0``, or NaN (elementwise)."""
    out = np.full(a.shape, np.nan)
    at_start = c <= 0.0
    out[at_start] = 0.0
    rest = ~at_start
    flat = rest & (np.abs(a) <= _FLAT * (b * b + np.abs(c) + 1.0))
    # linear: b s + c = 0 with c > 0 needs b < 0
    lin = flat & (b < 0.0)
    out[lin] = -c[lin] / b[lin]
    quad = rest & ~flat
    disc = b * b - 4.0 * a * c
    ok = quad & (disc >= 0.0)
    sq = np.sqrt(np.where(ok, disc, 0.0))
    # numerically stable pair of roots: q = -(b + sign(b) sqrt(disc)) / 2, roots q/a and c/q
    q = -0.5 * (b + np.where(b >= 0.0, sq, -sq))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = np.where(q != 0.0, q / np.where(a != 0.0, a, 1.0), np.nan)
        r2 = np.where(q != 0.0, c / np.where(q != 0.0, q, 1.0), np.nan)
    lo = np.fmin(r1, r2)
    hi = np.fmax(r1, r2)
    # c > 0: with a > 0 the quadratic is ≤ 0 only on [lo, hi] (both roots positive, or none
    # ahead); with a < 0 it is ≤ 0 outside (lo, hi), and 0 lies inside, so from hi on
    root = np.where(a > 0.0, np.where(lo >= 0.0, lo, np.nan), hi)
    out[ok] = root[ok]
    out[~(out <= d)] = np.nan
    return out


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
    searched, and the caller checks the envelope at the intercept).

    Units: metres, seconds, m/s. ``unit_ecef_m`` (3,); ``ecef_m`` (n_samples, 3) and
    ``time_s`` (n_samples,) seconds after each threat's launch; the rest (n,).

    Returns
    -------
    (n,) float64: intercept time in seconds after the threat's launch, NaN if none.
    """
    n = k.shape[0]
    tau = np.full(n, np.nan)
    v2 = speed_mps * speed_mps
    todo = np.arange(n)
    j = np.asarray(k, dtype=np.int64).copy()
    deadline = fire_s + reach_m / speed_mps
    while todo.size:
        jj = j[todo]
        live = jj < last_k[todo]
        todo, jj = todo[live], jj[live]
        s0 = sample_start[todo] + jj
        t0 = time_s[s0]
        live = t0 <= deadline[todo]
        todo, jj, s0, t0 = todo[live], jj[live], s0[live], t0[live]
        if not todo.size:
            break
        duration = time_s[s0 + 1] - t0
        a_vec = ecef_m[s0] - unit_ecef_m
        vel = (ecef_m[s0 + 1] - ecef_m[s0]) / np.where(duration > 0, duration, 1.0)[:, None]
        c = t0 - fire_s[todo]
        # a shot fired inside the first segment starts there: clip the segment to [fire, end]
        shift = np.maximum(-c, 0.0)
        a_vec = a_vec + vel * shift[:, None]
        c = c + shift
        length = duration - shift
        qa = np.einsum("ij,ij->i", vel, vel) - v2
        qb = 2.0 * (np.einsum("ij,ij->i", a_vec, vel) - v2 * c)
        qc = np.einsum("ij,ij->i", a_vec, a_vec) - v2 * c * c
        s = _first_nonpositive(qa, qb, qc, length)
        found = ~np.isnan(s)
        tau[todo[found]] = t0[found] + shift[found] + s[found]
        todo = todo[~found]
        j[todo] += 1
    impact_s = time_s[sample_start + last_k]
    tau[~(tau < impact_s)] = np.nan  # an intercept at the impact is no intercept
    return tau
