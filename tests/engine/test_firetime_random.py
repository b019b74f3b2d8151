"""Fire times on random geometries (hypothesis) against a brute force at 0.01 s (issue #20).

The fixed cases of ``test_firetime.py`` again on drawn geometries: a Shahed, a Kh-101 or an
Iskander-M (a diving ballistic arc) from LAUNCH towards Kyiv on a drawn route set, a unit
anywhere within ~50 km of the route, and an interceptor from 100 m/s (slower than every
threat but the Shahed) to 2,500 m/s. The exact earliest intercept must equal the brute force's
within one sample (0.01 s) wherever both find one, and the fire windows of a drawn interval of
threat time must hold exactly the fire times whose intercept lies in it, except within two
samples of a window's ends (the grid decides there). Half the interceptors drawn are slower
than 400 m/s, so a Kh-101 or an Iskander-M outruns them once past the unit, where the fire
window starts at the running maximum of ``τ − range / v``, not at its raw value.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.firetime import fire_windows, intercept_at
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import build_pieces, positions_at
from skyshield.geo import lonlat_to_ecef_m

from ._build import ON_ROUTE_NEAR_KYIV, one_on_one, scenario
from .test_firetime import STEP_S, _brute_intercepts


@st.composite
def geometries(draw: st.DrawFn) -> dict:
    return {
        "threat": draw(st.sampled_from(["shahed-136", "kh-101", "iskander-m"])),
        # half the draws slower than a Kh-101 or an Iskander-M: the running maximum matters
        "speed": draw(st.one_of(st.floats(100.0, 400.0), st.floats(400.0, 2500.0))),
        "dlon": draw(st.floats(-0.7, 0.7)),
        "dlat": draw(st.floats(-0.45, 0.45)),
        "route_seed": draw(st.integers(0, 1000)),
        "cuts": draw(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=6)),
    }


@settings(deadline=None, derandomize=True)
@given(geometries())
def test_fire_times__match_brute_force_on_random_geometries(case: dict) -> None:
    position = {
        "lon_deg": ON_ROUTE_NEAR_KYIV["lon_deg"] + case["dlon"],
        "lat_deg": ON_ROUTE_NEAR_KYIV["lat_deg"] + case["dlat"],
    }
    d = one_on_one(threat=case["threat"], unit_position=position)
    compiled = compile_scenario(scenario(d))
    rng = realization_rng(case["route_seed"], 0)
    pieces = build_pieces(compiled, realize_routes(compiled, rng=rng))
    unit = lonlat_to_ecef_m(position["lon_deg"], position["lat_deg"], 0.0)[0]
    flight = float(pieces.flight_s[0])
    speed = case["speed"]
    tau = np.arange(0.0, flight, STEP_S)
    _, _, _, ecef = positions_at(pieces, np.zeros(tau.size, dtype=np.int64), tau)
    fire = np.linspace(0.0, flight, 300, endpoint=False)
    brute = _brute_intercepts(ecef, tau, unit, speed, fire)
    exact = intercept_at(pieces, np.zeros(fire.size, dtype=np.int64), fire, unit, speed, 1e9)
    both = ~np.isnan(brute) & ~np.isnan(exact)
    if both.any():
        assert np.abs(brute[both] - exact[both]).max() <= STEP_S + 1e-9
    # one finds an intercept, the other none: only at the flight's very end (the grid stops
    # short of the impact by less than a sample)
    lone = np.isnan(brute) != np.isnan(exact)
    assert np.all(np.nan_to_num(exact[lone], nan=flight) >= flight - 2 * STEP_S), fire[lone][:5]
    # intervals of threat time between drawn cuts of the flight
    cuts = np.unique(np.concatenate([[0.0, 1.0], case["cuts"]])) * flight
    lo, hi = cuts[:-1], cuts[1:]
    g_lo, g_hi = fire_windows(pieces, 0, unit, speed, lo, hi)
    for a, b, ga, gb in zip(lo, hi, g_lo, g_hi, strict=True):
        in_window = (fire > ga) & (fire <= gb)
        inside = (exact >= a) & (exact <= b)
        near = (np.abs(fire - ga) <= 2 * STEP_S) | (np.abs(fire - gb) <= 2 * STEP_S)
        wrong = (in_window != inside) & ~near
        assert not wrong.any(), (a, b, ga, gb, fire[wrong][:5], exact[wrong][:5])
