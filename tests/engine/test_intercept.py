"""Exact intercepts (:mod:`skyshield.engine.intercept`) against closed forms and brute force.

Trajectories here are synthetic straight or bent lines in a local Cartesian frame (the solver
works on any 3-D polyline), sampled every ``DT`` seconds; the unit sits at the origin.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.intercept import earliest_intercept_s

DT = 5.0


def _line(
    start_m: tuple[float, float, float], velocity_mps: tuple[float, float, float], flight_s: float
):  # type: ignore[no-untyped-def]
    n = math.ceil(flight_s / DT)
    t = np.minimum(np.arange(n + 1) * DT, flight_s)
    xyz = np.asarray(start_m) + t[:, None] * np.asarray(velocity_mps)
    return xyz, t


def _solve(xyz, t, fire_s: float, speed: float, reach: float = 1e9, k: int | None = None) -> float:  # type: ignore[no-untyped-def]
    k = int(fire_s // DT) if k is None else k
    tau = earliest_intercept_s(
        np.zeros(3),
        xyz,
        t,
        np.array([0]),
        np.array([k]),
        np.array([t.shape[0] - 1]),
        np.array([fire_s]),
        speed,
        reach,
    )
    return float(tau[0])


def test_earliest_intercept_s__head_on() -> None:
    # threat 100 km out closing at 250 m/s, interceptor 1,000 m/s: they meet after
    # 100,000 / (1,000 + 250) = 80 s
    xyz, t = _line((100_000.0, 0.0, 0.0), (-250.0, 0.0, 0.0), 600.0)
    assert _solve(xyz, t, 0.0, 1000.0) == pytest.approx(80.0, abs=1e-9)


def test_earliest_intercept_s__head_on_interceptor_nearly_as_fast() -> None:
    # a Kh-101 (250 m/s) 140 km out against a 241 m/s interceptor: the quadratic's leading
    # coefficient (250² − 241² = 4,419) is small beside its others but not zero; they meet
    # after 140,000 / 491 s. A flatness test against b² alone solved it as linear, 0.3 s early.
    xyz, t = _line((140_000.0, 0.0, 0.0), (-250.0, 0.0, 0.0), 600.0)
    assert _solve(xyz, t, 0.0, 241.0) == pytest.approx(140_000.0 / 491.0, abs=1e-9)


def test_earliest_intercept_s__tail_chase() -> None:
    # receding from 10 km at 250 m/s, interceptor 1,000 m/s: 10,000 / 750 = 13.33 s
    xyz, t = _line((10_000.0, 0.0, 0.0), (250.0, 0.0, 0.0), 600.0)
    assert _solve(xyz, t, 0.0, 1000.0) == pytest.approx(10_000.0 / 750.0, abs=1e-9)


def test_earliest_intercept_s__receding_faster_than_interceptor_is_none() -> None:
    xyz, t = _line((10_000.0, 0.0, 0.0), (1200.0, 0.0, 0.0), 600.0)
    assert math.isnan(_solve(xyz, t, 0.0, 1000.0))


def test_earliest_intercept_s__crossing() -> None:
    # passes at 20 km abeam from 50 km before the closest point, 300 m/s; interceptor 600 m/s:
    # (300² − 600²) τ² − 2·50,000·300 τ + 50,000² + 20,000² = 0, smallest positive root
    a, b, c = 300.0**2 - 600.0**2, -2 * 50_000.0 * 300.0, 50_000.0**2 + 20_000.0**2
    roots = [(-b + sign * math.sqrt(b * b - 4 * a * c)) / (2 * a) for sign in (-1, 1)]
    expected = min(r for r in roots if r > 0)
    xyz, t = _line((-50_000.0, 20_000.0, 0.0), (300.0, 0.0, 0.0), 1000.0)
    assert _solve(xyz, t, 0.0, 600.0) == pytest.approx(expected, abs=1e-8)


def test_earliest_intercept_s__fired_between_samples() -> None:
    # fired at t = 7 s (inside the second segment): head-on from 100 km − 7·250 m
    xyz, t = _line((100_000.0, 0.0, 0.0), (-250.0, 0.0, 0.0), 600.0)
    expected = 7.0 + (100_000.0 - 7.0 * 250.0) / 1250.0
    assert _solve(xyz, t, 7.0, 1000.0) == pytest.approx(expected, abs=1e-9)


def test_earliest_intercept_s__not_after_impact() -> None:
    # impact after 60 s at 15 km from the unit: a 100 m/s interceptor cannot make it
    xyz, t = _line((30_000.0, 0.0, 0.0), (-250.0, 0.0, 0.0), 60.0)
    assert math.isnan(_solve(xyz, t, 0.0, 100.0))


def test_earliest_intercept_s__beyond_reach_is_none() -> None:
    xyz, t = _line((100_000.0, 0.0, 0.0), (-250.0, 0.0, 0.0), 600.0)
    assert math.isnan(_solve(xyz, t, 0.0, 1000.0, reach=50_000.0))


def _brute_force(xyz, t, fire_s: float, speed: float, step: float = 1e-3) -> float:  # type: ignore[no-untyped-def]
    """First time on a 1 ms grid where the interceptor can be at the threat (linear interp)."""
    grid = np.arange(fire_s, t[-1], step)
    pos = np.stack([np.interp(grid, t, xyz[:, d]) for d in range(3)], axis=1)
    ok = np.linalg.norm(pos, axis=1) <= speed * (grid - fire_s)
    return float(grid[np.argmax(ok)]) if ok.any() else math.nan


@settings(deadline=None, derandomize=True)
@given(
    waypoints=st.lists(
        st.tuples(st.floats(-60_000, 60_000), st.floats(-60_000, 60_000), st.floats(0, 20_000)),
        min_size=2,
        max_size=4,
    ),
    threat_speed=st.floats(50.0, 2500.0),
    interceptor_speed=st.floats(300.0, 2000.0),
    fire_s=st.floats(0.0, 30.0),
)
def test_earliest_intercept_s__matches_brute_force(
    waypoints: list[tuple[float, float, float]],
    threat_speed: float,
    interceptor_speed: float,
    fire_s: float,
) -> None:
    """Random bent trajectories: the closed form equals a 1 ms grid search within 1 ms."""
    points = np.asarray(waypoints)
    legs = np.linalg.norm(np.diff(points, axis=0), axis=1)
    total = float(legs.sum())
    if total < 1.0:
        return
    flight = total / threat_speed
    n = math.ceil(flight / DT)
    t = np.minimum(np.arange(n + 1) * DT, flight)
    along = np.concatenate([[0.0], np.cumsum(legs)])
    xyz = np.stack([np.interp(t * threat_speed, along, points[:, d]) for d in range(3)], axis=1)
    fire_s = min(fire_s, float(t[-1]))
    k = min(int(fire_s // DT), n - 1) if n > 0 else 0
    exact = _solve(xyz, t, fire_s, interceptor_speed, k=k)
    brute = _brute_force(xyz, t, fire_s, interceptor_speed)
    if math.isnan(brute):
        # none on the grid: none at all, one at the end, or one too brief for a 1 ms grid (a
        # faster threat passing right by the unit, e.g. 1e-9 m away at the shot); the last
        # must be a true meeting: the threat there is within the interceptor's reach
        if not (math.isnan(exact) or exact > t[-1] - 2e-3):
            there = np.array([np.interp(exact, t, xyz[:, d]) for d in range(3)])
            assert np.linalg.norm(there) <= interceptor_speed * (exact - fire_s) + 1e-6
            assert exact - fire_s < 1e-3
    else:
        assert exact == pytest.approx(brute, abs=2e-3)


@settings(deadline=None, derandomize=True)
@given(
    paths=st.lists(
        st.lists(
            st.tuples(st.floats(-60_000, 60_000), st.floats(-60_000, 60_000), st.floats(0, 20_000)),
            min_size=2,
            max_size=5,
        ),
        min_size=1,
        max_size=3,
    ),
    threat_speed=st.floats(50.0, 2500.0),
    interceptor_speed=st.floats(300.0, 2000.0),
    reach=st.floats(5_000.0, 200_000.0),
    into_step=st.floats(0.0, 0.99),
)
def test_earliest_intercept_s__shots_in_order_equal_shots_alone(
    paths: list[list[tuple[float, float, float]]],
    threat_speed: float,
    interceptor_speed: float,
    reach: float,
    into_step: float,
) -> None:
    """A batch of shots in fire order (each search resumes where the last stopped) gives
    exactly what each shot gives on its own, whatever stopped the previous search."""
    xyz_parts, t_parts, start, k, last, fire = [], [], [], [], [], []
    base = 0
    for waypoints in paths:
        points = np.asarray(waypoints)
        along = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
        flight = max(float(along[-1]) / threat_speed, 1.0)
        n = math.ceil(flight / DT)
        t = np.minimum(np.arange(n + 1) * DT, flight)
        xyz_parts.append(
            np.stack([np.interp(t * threat_speed, along, points[:, d]) for d in range(3)], axis=1)
        )
        t_parts.append(t)
        for step in range(n):
            start.append(base)
            k.append(step)
            last.append(n)
            fire.append(min((step + into_step) * DT, flight))
        base += n + 1
    xyz, t = np.concatenate(xyz_parts), np.concatenate(t_parts)
    args = (np.asarray(start), np.asarray(k), np.asarray(last), np.asarray(fire))
    batch = earliest_intercept_s(np.zeros(3), xyz, t, *args, interceptor_speed, reach)
    alone = [
        earliest_intercept_s(
            np.zeros(3), xyz, t, *(a[m : m + 1] for a in args), interceptor_speed, reach
        )[0]
        for m in range(len(k))
    ]
    np.testing.assert_array_equal(batch, np.asarray(alone))
