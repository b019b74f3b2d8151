"""Radar detection range (:mod:`skyshield.engine.sensors`) and the radar horizon it uses."""

from __future__ import annotations

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.flight import realize_routes, sample_trajectories
from skyshield.engine.sensors import detection_range_m, network_track_times_s
from skyshield.geo import radar_horizon_m

from ._build import one_on_one, scenario


def test_detection_range_m__sixteen_times_the_rcs_doubles_the_range() -> None:
    """R ∝ σ^¼: 16^¼ = 2 (Skolnik, radar equation)."""
    sigma = np.array([0.01, 0.1, 1.0, 5.0])
    r1 = detection_range_m(100_000.0, 1.0, sigma)
    r16 = detection_range_m(100_000.0, 1.0, 16 * sigma)
    np.testing.assert_allclose(r16, 2 * r1, rtol=1e-12)


def test_detection_range_m__reference_rcs_gives_reference_range() -> None:
    np.testing.assert_allclose(detection_range_m(80_000.0, 2.0, 2.0), 80_000.0, rtol=1e-15)
    # 0.1 m² against a 1 m² reference: 80 km × 0.1^¼ = 80 km × 0.562341 = 44,987.3 m
    np.testing.assert_allclose(detection_range_m(80_000.0, 1.0, 0.1), 44_987.3, rtol=1e-5)


def test_radar_horizon_m__matches_the_4_12_km_rule() -> None:
    """4/3 Earth: d ≈ 4.12 km (√h_r + √h_t), heights in metres; 10 m and 50 m → 42.16 km."""
    expected_m = 4120.0 * (np.sqrt(10.0) + np.sqrt(50.0))
    assert abs(float(radar_horizon_m(10.0, 50.0)) - expected_m) <= 0.005 * expected_m


def test_network_track_times_s__short_radar_low_mast_tracks_late() -> None:
    """A 5 m mast against a 100 m Kh-101 sees it at most 4.12 (√5 + √100) ≈ 50.4 km away."""
    d = one_on_one()
    d["sensors"][0].update(height_m=5, position={"lon_deg": 30.6, "lat_deg": 50.44})
    d["fire_units"] = []
    compiled = compile_scenario(scenario(d))
    rng = np.random.default_rng(0)
    traj = sample_trajectories(compiled, realize_routes(compiled, rng=rng))
    track_s = network_track_times_s(compiled, traj)
    assert track_s.shape == (1, 1)
    # flight ~180 km at 250 m/s = ~740 s; the track starts in the last ~50 km (~200 s)
    last_s = float(traj.last_sample[0]) * compiled.time_step_s
    assert last_s - 230.0 <= track_s[0, 0] <= last_s - 150.0
