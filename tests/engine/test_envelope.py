"""Closed-form envelope intervals on a piece against a brute force at 0.01 s.

The brute force evaluates every condition point by point in plain numpy, written here on its
own: slant ranges, the altitude band, the radar's free-space range, the 4/3-Earth horizon from
:func:`skyshield.geo.radar_horizon_m` and the bearing as ``atan2(east, north)`` of the offset
in the unit's local frame. An analytic interval may disagree with a brute-force sample only
within one sample step (0.01 s) of one of its ends.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.envelope import (
    MAX_INTERVALS,
    envelope_prepared,
    horizon_term_m,
    sector_normals,
)
from skyshield.geo import lonlat_to_ecef_m, radar_horizon_m

STEP_S = 0.01


def _frame(lon_deg: float, lat_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """East, north, up at a point, from the derivative of the ECEF formula (numerically)."""
    here = lonlat_to_ecef_m(lon_deg, lat_deg, 0.0)[0]
    east = lonlat_to_ecef_m(lon_deg + 1e-6, lat_deg, 0.0)[0] - here
    north = lonlat_to_ecef_m(lon_deg, lat_deg + 1e-6, 0.0)[0] - here
    up = lonlat_to_ecef_m(lon_deg, lat_deg, 1.0)[0] - here
    return east / np.linalg.norm(east), north / np.linalg.norm(north), up / np.linalg.norm(up)


def _brute(case: dict, s: np.ndarray) -> np.ndarray:
    """Whether each time ``s`` on the piece is inside the envelope, point by point."""
    x = case["p0"] + np.outer(s / case["d"], case["p1"] - case["p0"])
    h = case["h0"] + (case["h1"] - case["h0"]) * s / case["d"]
    rel = x - case["unit"]
    slant = np.linalg.norm(rel, axis=1)
    ok = (slant >= case["min_r"]) & (slant <= case["max_r"])
    ok &= (h >= case["min_alt"]) & (h <= case["max_alt"])
    if case["own_radar"]:
        east, north, _ = _frame(case["lon"], case["lat"])
        bearing = np.arctan2(rel @ east, rel @ north)
        off = np.abs((bearing - case["az"] + np.pi) % (2 * np.pi) - np.pi)
        ok &= off <= case["half"]
        reach = np.minimum(case["radar_m"], radar_horizon_m(case["radar_h"], np.maximum(h, 0.0)))
        ok &= np.linalg.norm(x - case["antenna"], axis=1) <= reach
    return ok


def _analytic(case: dict) -> tuple[np.ndarray, np.ndarray]:
    east, north, _ = _frame(case["lon"], case["lat"])
    lo, hi = np.zeros(MAX_INTERVALS), np.zeros(MAX_INTERVALS)
    normals = (0.0,) * 6  # read only for a sector under a full circle
    if case["own_radar"] and case["half"] < np.pi:
        normals = sector_normals(case["az"], case["half"], east, north)
    n = envelope_prepared(
        case["p0"], case["p1"], case["d"], case["h0"], case["h1"], case["unit"],
        case["min_r"], case["max_r"], case["min_alt"], case["max_alt"], case["own_radar"],
        case["antenna"], case["radar_m"], horizon_term_m(case["radar_h"]), case["half"],
        normals, lo, hi,
    )  # fmt: skip
    return lo[:n], hi[:n]


def _check(case: dict) -> None:
    lo, hi = _analytic(case)
    assert np.all(lo < hi)
    assert np.all(hi[:-1] <= lo[1:]), "sorted and disjoint"
    s = np.arange(0.0, case["d"], STEP_S)
    brute = _brute(case, s)
    inside = ((s[:, None] >= lo) & (s[:, None] <= hi)).any(axis=1)
    ends = np.concatenate([lo, hi])
    near_end = (
        (np.abs(s[:, None] - ends).min(axis=1) <= STEP_S) if ends.size else np.zeros_like(brute)
    )
    # a lone sample inside (the set touches the piece at one instant) has measure zero
    lone = brute & ~np.r_[False, brute[:-1]] & ~np.r_[brute[1:], False]
    wrong = (brute != inside) & ~near_end & ~lone
    assert not wrong.any(), (s[wrong][:5], lo, hi)


@st.composite
def pieces_near_a_unit(draw: st.DrawFn) -> dict:
    lon = draw(st.floats(20.0, 40.0))
    lat = draw(st.floats(44.0, 56.0))
    unit = lonlat_to_ecef_m(lon, lat, 0.0)[0]
    east, north, up = _frame(lon, lat)
    start_en = np.array([draw(st.floats(-120e3, 120e3)), draw(st.floats(-120e3, 120e3))])
    h0 = draw(st.floats(0.0, 40e3))
    heading = draw(st.floats(0.0, 2 * np.pi))
    speed = draw(st.floats(30.0, 2500.0))
    climb = draw(st.floats(-0.9, 0.3)) * speed
    d = draw(st.floats(1.0, 60.0))
    h1 = max(h0 + climb * d, -50.0)
    move = speed * d * np.array([np.sin(heading), np.cos(heading)])
    p0 = unit + start_en[0] * east + start_en[1] * north + h0 * up
    p1 = p0 + move[0] * east + move[1] * north + (h1 - h0) * up
    radar_h = draw(st.floats(0.0, 30.0))
    half = draw(st.sampled_from([np.pi, 0.25 * np.pi, 0.5 * np.pi, 0.75 * np.pi]))
    return {
        "lon": lon, "lat": lat, "unit": unit, "p0": p0, "p1": p1, "d": d, "h0": h0, "h1": h1,
        "min_r": draw(st.floats(0.0, 30e3)), "max_r": draw(st.floats(10e3, 160e3)),
        "min_alt": draw(st.floats(0.0, 500.0)), "max_alt": draw(st.floats(2e3, 40e3)),
        "own_radar": draw(st.booleans()), "antenna": unit + radar_h * up,
        "radar_m": draw(st.floats(20e3, 250e3)), "radar_h": radar_h,
        "az": draw(st.floats(0.0, 2 * np.pi)), "half": half,
    }  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pieces_near_a_unit())
def test_envelope_prepared__matches_brute_force(case: dict) -> None:
    _check(case)


def test_envelope_prepared__horizon_cuts_a_low_flier() -> None:
    """A drone at 50 m passing 60 km from a 5 m antenna: the horizon (4.12 km (√5 + √50),
    38.4 km) hides it though it is within the radar's 100 km; in view only near the unit."""
    lon, lat = 30.0, 50.0
    unit = lonlat_to_ecef_m(lon, lat, 0.0)[0]
    east, north, up = _frame(lon, lat)
    p0 = unit - 100e3 * east + 20e3 * north + 50 * up
    p1 = unit + 100e3 * east + 20e3 * north + 50 * up
    case = {
        "lon": lon, "lat": lat, "unit": unit, "p0": p0, "p1": p1, "d": 1000.0, "h0": 50.0,
        "h1": 50.0, "min_r": 0.0, "max_r": 200e3, "min_alt": 0.0, "max_alt": 1e4,
        "own_radar": True, "antenna": unit + 5 * up, "radar_m": 100e3, "radar_h": 5.0,
        "az": 0.0, "half": np.pi,
    }  # fmt: skip
    lo, hi = _analytic(case)
    # in view where the slant range is below 38.4 km: |x| ≤ sqrt(38.4² − 20²) = 32.8 km of
    # the 200 km flown in 1,000 s, i.e. s in 500 ± 164 s (within the earth's curvature)
    assert lo.size == 1
    assert abs(lo[0] - 336) < 3
    assert abs(hi[0] - 664) < 3
    _check(case)


def test_envelope_prepared__sector_edges_by_hand() -> None:
    """A piece 30 km north of the unit, flown west to east over 200 km in 1,000 s; a sector
    centred north: ±45° sees it where |east| ≤ 30 km (s in 500 ± 150 s), ±135° everywhere
    north of the unit (the whole piece), within the earth's curvature."""
    lon, lat = 30.0, 50.0
    unit = lonlat_to_ecef_m(lon, lat, 0.0)[0]
    east, north, up = _frame(lon, lat)
    base = {
        "lon": lon, "lat": lat, "unit": unit, "p0": unit - 100e3 * east + 30e3 * north + 5e3 * up,
        "p1": unit + 100e3 * east + 30e3 * north + 5e3 * up, "d": 1000.0, "h0": 5e3,
        "h1": 5e3, "min_r": 0.0, "max_r": 300e3, "min_alt": 0.0, "max_alt": 1e4,
        "own_radar": True, "antenna": unit, "radar_m": 300e3, "radar_h": 0.0, "az": 0.0,
    }  # fmt: skip
    lo, hi = _analytic({**base, "half": 0.25 * np.pi})
    assert lo.size == 1
    assert abs(lo[0] - 350) < 2
    assert abs(hi[0] - 650) < 2
    lo, hi = _analytic({**base, "half": 0.75 * np.pi})
    assert lo.size == 1
    assert lo[0] == 0.0
    assert hi[0] == 1000.0
    for half in (0.25 * np.pi, 0.75 * np.pi):
        _check({**base, "half": half, "az": 0.5 * np.pi})
