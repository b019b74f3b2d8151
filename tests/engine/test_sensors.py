"""Radar detection range (:mod:`skyshield.engine.sensors`) and the radar horizon it uses."""

from __future__ import annotations

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.flight import realize_routes
from skyshield.engine.pieces import build_pieces, positions_at
from skyshield.engine.sensors import detection_range_m, network_track_times_s
from skyshield.geo import lonlat_to_ecef_m, radar_horizon_m

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
    pieces = build_pieces(compiled, realize_routes(compiled, rng=rng))
    track_s = network_track_times_s(compiled, pieces)
    assert track_s.shape == (1, 1)
    # flight ~180 km at 250 m/s = ~740 s; the track starts in the last ~50 km (~200 s)
    last_s = float(pieces.flight_s[0])
    assert last_s - 230.0 <= track_s[0, 0] <= last_s - 150.0


def _brute_first_seen(compiled, pieces, sensors: list[int]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """First time any of the sensors sees each threat, on a 0.01 s grid, point by point."""
    out = np.full(compiled.n_threats, np.inf)
    for i in range(compiled.n_threats):
        t = np.arange(0.0, float(pieces.flight_s[i]), 0.01)
        _, _, alt, ecef = positions_at(pieces, np.full(t.size, i), t)
        for s in sensors:
            antenna = lonlat_to_ecef_m(
                compiled.sensor_lon_deg[s], compiled.sensor_lat_deg[s], compiled.sensor_height_m[s]
            )[0]
            reach = np.minimum(
                detection_range_m(
                    compiled.sensor_range_m[s],
                    compiled.sensor_reference_rcs_m2[s],
                    compiled.threat_rcs_m2[i],
                ),
                radar_horizon_m(compiled.sensor_height_m[s], np.maximum(alt, 0.0)),
            )
            seen = np.flatnonzero(np.linalg.norm(ecef - antenna, axis=1) <= reach)
            if seen.size:
                out[i] = min(out[i], t[seen[0]])
    return out


def test_network_track_times_s__match_brute_force(rng: np.random.Generator) -> None:
    """Three radars of one network at random places near the route, 40 layouts: the first
    detection agrees with a 0.01 s brute force over all three within one step."""
    for _ in range(40):
        d = one_on_one(count=2)
        d["raid"]["waves"][0]["route_jitter_km"] = 15
        d["fire_units"] = []
        d["sensors"] = [
            {
                "id": f"eye-{k}",
                "nation": "UA",
                "position": {
                    "lon_deg": float(rng.uniform(30.6, 32.8)),
                    "lat_deg": float(rng.uniform(50.0, 50.6)),
                },
                "radar_range_km": float(rng.uniform(15, 90)),
                "reference_rcs_m2": 1,
                "height_m": float(rng.uniform(3, 40)),
                "networks": ["ua"],
            }
            for k in range(3)
        ]
        compiled = compile_scenario(scenario(d))
        routes = realize_routes(compiled, rng=realization_rng(int(rng.integers(1000)), 0))
        pieces = build_pieces(compiled, routes)
        track = network_track_times_s(compiled, pieces)[0]
        brute = _brute_first_seen(compiled, pieces, [0, 1, 2])
        assert np.array_equal(np.isinf(track), np.isinf(brute))
        finite = np.isfinite(brute)
        assert np.all(np.abs(track[finite] - brute[finite]) <= 0.011)


def test_network_track_times_s__later_sensor_earlier_on_the_same_piece() -> None:
    """Two radars see the threat first on the same piece; the one listed second sees it sooner.

    Ranges are set so radar 0 first sees it 70 % along the third piece and radar 1 20 % along:
    the track starts at radar 1's time, though radar 0 is asked first.
    """
    d = one_on_one()
    d["fire_units"] = []
    compiled = compile_scenario(scenario(d))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    t = pieces.time_s
    rcs = float(compiled.threat_rcs_m2[0])
    sensors = []
    for k, (vertex, share) in enumerate([(6, 0.7), (5, 0.2)]):
        when = t[2] + share * (t[3] - t[2])
        _, _, _, at = positions_at(pieces, np.array([0]), np.array([when]))
        eye = lonlat_to_ecef_m(pieces.lon_deg[vertex], pieces.lat_deg[vertex], 10_000.0)[0]
        sensors.append(
            {
                "id": f"eye-{k}",
                "nation": "UA",
                "position": {
                    "lon_deg": float(pieces.lon_deg[vertex]),
                    "lat_deg": float(pieces.lat_deg[vertex]),
                },
                "radar_range_km": float(np.linalg.norm(eye - at[0])) / 1000.0,
                "reference_rcs_m2": rcs,
                "height_m": 10_000,
                "networks": ["ua"],
            }
        )
    d["sensors"] = sensors
    compiled = compile_scenario(scenario(d))
    track = network_track_times_s(compiled, pieces)[0, 0]
    assert abs(track - (t[2] + 0.2 * (t[3] - t[2]))) < 0.01
