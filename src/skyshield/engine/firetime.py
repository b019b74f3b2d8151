"""From intercept times to fire times: which shots intercept inside an allowed interval.

An interceptor fired at time ``t`` at speed ``v`` from a unit at ``U`` meets the threat at the
earliest ``τ ≥ t`` with ``|P(τ) − U| ≤ v (τ − t)``, i.e. ``f(τ) = τ − |P(τ) − U| / v ≥ t``.
So the earliest intercept of a shot fired at ``t`` is the first ``τ`` where the running maximum
``G(τ) = max_{τ' ≤ τ} f(τ')`` reaches ``t``, and ``τ*(t)`` never decreases with ``t``. Where the
threat outruns the interceptor ``f`` falls, ``G`` stays flat, and no shot meets the threat
there: those times are never earliest intercepts. A shot therefore intercepts inside an
allowed interval ``[a, b]`` of threat time exactly when it is fired in ``(G(a), G(b)]``.

On a piece ``P(τ) = A + V s`` is affine, so ``f`` is concave on each piece and its maximum is
where ``f'`` changes sign, in closed form (:func:`_piece_max`). The exact intercept of
a shot is still solved at fire time by :func:`skyshield.engine.intercept.earliest_intercept_s`
on the same vertices (:func:`intercept_at`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from skyshield.engine.intercept import earliest_intercept_s
from skyshield.engine.pieces import Pieces, _piece_at

__all__ = ["fire_windows", "intercept_at", "running_max_s"]

# ``f`` computed on a piece exceeds the piece's end time by rounding at most (~1e-12 s).
_SLACK_S = 1e-6


@njit(cache=True, nogil=True, inline="always")
def _f(
    time_s: np.ndarray, ecef_m: np.ndarray, j: int, unit: np.ndarray, v: float, s: float
) -> float:
    d = time_s[j + 1] - time_s[j]
    w = s / d if d > 0.0 else 0.0
    x = ecef_m[j, 0] + w * (ecef_m[j + 1, 0] - ecef_m[j, 0]) - unit[0]
    y = ecef_m[j, 1] + w * (ecef_m[j + 1, 1] - ecef_m[j, 1]) - unit[1]
    z = ecef_m[j, 2] + w * (ecef_m[j + 1, 2] - ecef_m[j, 2]) - unit[2]
    return float(time_s[j] + s - np.sqrt(x * x + y * y + z * z) / v)


@njit(cache=True, nogil=True)
def _piece_max(
    time_s: np.ndarray, ecef_m: np.ndarray, j: int, unit: np.ndarray, v: float, upto: float
) -> float:
    """Largest ``f`` on piece ``j`` over its first ``upto`` seconds, in closed form.

    ``f' = 1 − (radial speed away from the unit) / v``: never negative for a threat no faster
    than the interceptor (the maximum is at ``upto``); otherwise zero where the radial speed
    is ``v``, i.e. at the larger root ``s*`` of ``b (b − v²) s² + 2 a (b − v²) s + a² − v² c``
    with ``a = A·V``, ``b = V·V``, ``c = A·A``; f is concave, so the maximum on ``[0, upto]``
    is at ``s*`` clipped to it.
    """
    d = time_s[j + 1] - time_s[j]
    if d <= 0.0 or upto <= 0.0:
        return _f(time_s, ecef_m, j, unit, v, 0.0)
    inv = 1.0 / d
    vx = (ecef_m[j + 1, 0] - ecef_m[j, 0]) * inv
    vy = (ecef_m[j + 1, 1] - ecef_m[j, 1]) * inv
    vz = (ecef_m[j + 1, 2] - ecef_m[j, 2]) * inv
    ax, ay, az = ecef_m[j, 0] - unit[0], ecef_m[j, 1] - unit[1], ecef_m[j, 2] - unit[2]
    b = vx * vx + vy * vy + vz * vz
    v2 = v * v
    if b <= v2:
        return _f(time_s, ecef_m, j, unit, v, upto)
    a = ax * vx + ay * vy + az * vz
    c = ax * ax + ay * ay + az * az
    disc = a * a / (b * b) - (a * a - v2 * c) / (b * (b - v2))
    s = -a / b + np.sqrt(disc) if disc > 0.0 else -a / b
    s = min(max(s, 0.0), upto)
    return _f(time_s, ecef_m, j, unit, v, s)


@njit(cache=True, nogil=True)
def _running_max(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    threat: int,
    unit: np.ndarray,
    v: float,
    tau: np.ndarray,
    out: np.ndarray,
) -> None:
    """``G`` at the ascending times ``tau`` of one threat, in one walk along its pieces.

    The pieces before the first time are taken from the last one back, and only while they
    can still raise the maximum: ``f ≤ τ`` (an intercept is never before the threat is there),
    so once a piece ends more than :data:`_SLACK_S` before the maximum so far, no earlier one
    can reach it. The result is the forward walk's, bit for bit.
    """
    j = vertex_offset[threat]
    last = vertex_offset[threat + 1] - 1
    best = -np.inf
    if tau.shape[0] > 0:
        first = min(max(tau[0], time_s[j]), time_s[last])
        k = j
        while k + 1 < last and time_s[k + 1] <= first:
            k += 1
        for back in range(k - 1, j - 1, -1):
            if time_s[back + 1] + _SLACK_S < best:
                break
            d = time_s[back + 1] - time_s[back]
            best = max(best, _piece_max(time_s, ecef_m, back, unit, v, d))
        j = k
    for m in range(tau.shape[0]):
        t = min(max(tau[m], time_s[j]), time_s[last])
        while j + 1 < last and time_s[j + 1] <= t:
            best = max(best, _piece_max(time_s, ecef_m, j, unit, v, time_s[j + 1] - time_s[j]))
            j += 1
        out[m] = max(best, _piece_max(time_s, ecef_m, j, unit, v, t - time_s[j]))


def running_max_s(
    pieces: Pieces, threat: int, unit_ecef_m: np.ndarray, speed_mps: float, tau_s: np.ndarray
) -> np.ndarray:
    """``G(τ)``: the latest fire time whose earliest intercept comes at or before each ``τ``.

    Units: seconds after the threat's launch; ``tau_s`` ascending (n,), returns (n,) float64.
    """
    out = np.empty(tau_s.shape[0])
    _running_max(
        pieces.vertex_offset,
        pieces.time_s,
        pieces.ecef_m,
        int(threat),
        np.ascontiguousarray(unit_ecef_m, dtype=np.float64).reshape(3),
        float(speed_mps),
        np.ascontiguousarray(tau_s, dtype=np.float64),
        out,
    )
    return out


def fire_windows(
    pieces: Pieces,
    threat: int,
    unit_ecef_m: np.ndarray,
    speed_mps: float,
    tau_lo_s: np.ndarray,
    tau_hi_s: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Fire times ``(G(a), G(b)]`` whose earliest intercept lies in each ``[a, b]``.

    ``tau_lo_s``, ``tau_hi_s`` (n,): disjoint intervals of one threat, ascending. An empty
    result (lo == hi) means no shot's earliest intercept falls there (the threat outruns).

    Units: seconds after the threat's launch.
    """
    ends = np.column_stack([tau_lo_s, tau_hi_s]).ravel()
    g = running_max_s(pieces, threat, unit_ecef_m, speed_mps, ends).reshape(-1, 2)
    return g[:, 0], g[:, 1]


def intercept_at(
    pieces: Pieces,
    threat: np.ndarray,
    fire_s: np.ndarray,
    unit_ecef_m: np.ndarray,
    speed_mps: float,
    reach_m: float,
) -> np.ndarray:
    """Exact earliest intercept of shots fired at ``fire_s`` (NaN: none before impact).

    Units: seconds after each threat's launch, metres, m/s. ``threat``, ``fire_s`` (n,).
    """
    threat = np.asarray(threat, dtype=np.int64)
    fire_s = np.asarray(fire_s, dtype=np.float64)
    first = pieces.vertex_offset[threat]
    k = np.array(
        [
            _piece_at(pieces.vertex_offset, pieces.time_s, int(i), float(t))
            for i, t in zip(threat, fire_s, strict=True)
        ],
        dtype=np.int64,
    )
    return earliest_intercept_s(
        unit_ecef_m,
        pieces.ecef_m,
        pieces.time_s,
        first,
        k - first,
        pieces.vertex_offset[threat + 1] - 1 - first,
        fire_s,
        speed_mps,
        reach_m,
    )
