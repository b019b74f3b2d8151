"""Fire times from intercept intervals against a brute force at 0.01 s.

The brute force takes each fire time ``t`` on a grid and walks the threat's positions at
0.01 s until the interceptor can be there (``|P(τ) − U| ≤ v (τ − t)``); the shot's intercept
lies in ``[a, b]`` exactly when ``t`` is in the window :func:`fire_windows` returns, except
within a few steps of the window's ends.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.engine._build import ON_ROUTE_NEAR_KYIV, one_on_one, scenario

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.firetime import fire_windows, intercept_at
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import build_pieces, positions_at
from skyshield.geo import lonlat_to_ecef_m

STEP_S = 0.01


def _brute_intercepts(
    ecef: np.ndarray, tau: np.ndarray, unit: np.ndarray, v: float, fire: np.ndarray
) -> np.ndarray:
    dist = np.linalg.norm(ecef - unit, axis=1)
    out = np.full(fire.shape[0], np.nan)
    for m, t in enumerate(fire):
        ok = np.flatnonzero((tau >= t) & (dist <= v * (tau - t) + 1e-9))
        if ok.size:
            out[m] = tau[ok[0]]
    return out


@pytest.mark.parametrize(
    ("threat", "speed_mps", "offset_deg"),
    [
        ("iskander-m", 1000.0, (0.0, 0.0)),  # a diving ballistic arc, faster than the interceptor
        ("kh-101", 1000.0, (0.3, 0.4)),  # slower threat, passing off the unit
        ("kh-101", 150.0, (0.0, 0.3)),  # threat faster than the interceptor
    ],
)
def test_fire_windows__match_brute_force(
    threat: str, speed_mps: float, offset_deg: tuple[float, float]
) -> None:
    position = {
        "lon_deg": ON_ROUTE_NEAR_KYIV["lon_deg"] + offset_deg[0],
        "lat_deg": ON_ROUTE_NEAR_KYIV["lat_deg"] + offset_deg[1],
    }
    compiled = compile_scenario(scenario(one_on_one(threat=threat, unit_position=position)))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    unit = lonlat_to_ecef_m(position["lon_deg"], position["lat_deg"], 0.0)[0]
    flight = float(pieces.flight_s[0])
    tau = np.arange(0.0, flight, STEP_S)
    _, _, _, ecef = positions_at(pieces, np.zeros(tau.size, dtype=np.int64), tau)
    fire = np.linspace(0.0, flight, 400, endpoint=False)
    brute = _brute_intercepts(ecef, tau, unit, speed_mps, fire)
    exact = intercept_at(pieces, np.zeros(fire.size, dtype=np.int64), fire, unit, speed_mps, 1e9)
    both = ~np.isnan(brute) & ~np.isnan(exact)
    assert both.sum() > 50
    assert np.abs(brute[both] - exact[both]).max() <= STEP_S + 1e-9
    # intervals of threat time: thirds of the flight, and a short one in the middle
    lo = np.array([0.0, flight / 3, 0.5 * flight, 2 * flight / 3])
    hi = np.array([flight / 3, 0.5 * flight, 0.52 * flight, flight])
    g_lo, g_hi = fire_windows(pieces, 0, unit, speed_mps, lo, hi)
    moved = 0
    for a, b, ga, gb in zip(lo, hi, g_lo, g_hi, strict=True):
        in_window = (fire > ga) & (fire <= gb)
        inside = (exact >= a) & (exact <= b)
        # within a step of the window's ends the grid decides; elsewhere they must agree
        near = (np.abs(fire - ga) <= 2 * STEP_S) | (np.abs(fire - gb) <= 2 * STEP_S)
        assert not ((in_window != inside) & ~near).any(), (a, b, ga, gb)
        moved += int(in_window.sum())
    assert moved > 0


def test_fire_windows__outrun_interval_is_empty() -> None:
    """A threat flying away faster than the interceptor: no fire time has an intercept there."""
    position = {"lon_deg": 33.3, "lat_deg": 50.0}  # behind the launch site (33.0, 50.0)
    compiled = compile_scenario(scenario(one_on_one(threat="kh-101", unit_position=position)))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    unit = lonlat_to_ecef_m(position["lon_deg"], position["lat_deg"], 0.0)[0]
    flight = float(pieces.flight_s[0])
    g_lo, g_hi = fire_windows(pieces, 0, unit, 100.0, np.array([flight / 2]), np.array([flight]))
    assert g_hi[0] == pytest.approx(g_lo[0], abs=1e-6)
