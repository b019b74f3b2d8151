"""Flight sampling: interpolated geodesic points, spacing, end at the target."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.flight import realize_routes, vertical_profiles
from skyshield.engine.pieces import build_pieces, positions_at
from skyshield.engine.sampled import (
    ANCHOR_SPACING_M,
    Trajectories,
    _along_legs,
    sample_trajectories,
)
from skyshield.geo import destination_lonlat, geodesic_distance_m
from skyshield.scenario import load_scenario

from ._build import LAUNCH, one_on_one, scenario

# Chord-vs-geodesic bound for 2 km anchors at <= 60 deg N (see flight.ANCHOR_SPACING_M):
# L^2 tan(60 deg) / (8 R) = 0.14 m; 0.5 m leaves room for rounding.
INTERPOLATION_TOLERANCE_M = 0.5


def test_along_legs__matches_exact_geodesic(rng: np.random.Generator) -> None:
    n_legs = 200
    start_lon = rng.uniform(20, 45, n_legs)
    start_lat = rng.uniform(44, 56, n_legs)
    bearing = rng.uniform(0, 2 * np.pi, n_legs)
    length = rng.uniform(1_000, 900_000, n_legs)
    leg = rng.integers(0, n_legs, 20_000)
    distance = rng.uniform(0, 1, leg.size) * length[leg]
    lon, lat = _along_legs(start_lon, start_lat, bearing, length, leg, distance)
    exact_lon, exact_lat = destination_lonlat(
        start_lon[leg], start_lat[leg], bearing[leg], distance
    )
    error = geodesic_distance_m(lon, lat, exact_lon, exact_lat)
    assert float(np.max(error)) < INTERPOLATION_TOLERANCE_M
    assert ANCHOR_SPACING_M == 2000.0


def test_sample_trajectories__spacing_and_end_at_target() -> None:
    compiled = compile_scenario(load_scenario("default"))
    traj = sample_trajectories(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    offsets = traj.sample_offset
    last = offsets[1:] - 1
    target = compiled.threat_target
    assert np.allclose(traj.lon_deg[last], compiled.asset_lon_deg[target])
    assert np.allclose(traj.lat_deg[last], compiled.asset_lat_deg[target])
    step = geodesic_distance_m(
        traj.lon_deg[:-1], traj.lat_deg[:-1], traj.lon_deg[1:], traj.lat_deg[1:]
    )
    owner = np.repeat(np.arange(compiled.n_threats), np.diff(offsets))[:-1]
    same_threat = np.diff(np.repeat(np.arange(compiled.n_threats), np.diff(offsets))) == 0
    speed_step = compiled.threat_speed_mps[owner] * compiled.time_step_s
    # a sample never moves more than one step of its threat's speed (+ interpolation tolerance)
    assert np.all(step[same_threat] <= speed_step[same_threat] + INTERPOLATION_TOLERANCE_M)


BRYANSK = {"lon_deg": 34.3667, "lat_deg": 53.2521}


def _one_flight(threat: str, launch: dict[str, float], target: str) -> tuple[Trajectories, float]:
    """One threat's sampled trajectory and its geodesic ground distance (pyproj)."""
    d = one_on_one(threat=threat)
    d["raid"]["launch_sites"]["east"] = launch
    d["assets"] = {target: {"city": target, "country": "UA", "value": 1}}
    d["raid"]["waves"][0]["targets"] = [target]
    compiled = compile_scenario(scenario(d))
    traj = sample_trajectories(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    lon, lat = traj.lon_deg, traj.lat_deg
    ground_m = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[-1], lat[-1])[2]
    return traj, float(ground_m)


def test_kinzhal_bryansk_to_lviv__flight_time_apogee_and_dive_by_hand() -> None:
    """Profile stated in flight.VerticalProfiles, numbers from the catalog (threats.yaml).

    Kinzhal: mean ground speed Mach 5 = 5 × 340.3 = 1,701.5 m/s; apogee 40 km (the flight is
    longer than apogee_range = 270 km); dive from 30 km at 60° at 7,500 km/h = 2,083.3 m/s.
    Dive: ground 30 / tan 60° = 17.32 km, along the line 30 / sin 60° = 34.64 km, 16.63 s.
    """
    traj, ground_m = _one_flight("kinzhal", BRYANSK, "Lviv")
    assert 805e3 < ground_m < 815e3  # Bryansk → Lviv, ~811 km
    dive_ground_m = 30e3 / math.tan(math.radians(60))
    dive_len_m = 30e3 / math.sin(math.radians(60))
    expected_s = (ground_m - dive_ground_m) / 1701.5 + dive_len_m / (7500 / 3.6)
    assert traj.time_s[-1] == pytest.approx(expected_s, abs=0.05)  # ~466 s + 16.6 s
    assert traj.alt_m[-1] == 0.0
    # the parabola's top lies between samples: within 5 s of ground flight of 40 km
    assert 39.9e3 < traj.alt_m.max() <= 40e3
    # in the dive, every step descends at 60° below the horizontal
    dive = np.flatnonzero((traj.alt_m < 29e3) & (np.arange(traj.alt_m.size) > traj.alt_m.argmax()))
    a, b = dive[:-1], dive[1:]
    step_ground = Geod(ellps="WGS84").inv(
        traj.lon_deg[a], traj.lat_deg[a], traj.lon_deg[b], traj.lat_deg[b]
    )[2]
    angle = np.degrees(np.arctan2(traj.alt_m[a] - traj.alt_m[b], step_ground))
    assert angle == pytest.approx(np.full(angle.size, 60.0), abs=0.05)
    # time below a Patriot's 24 km ceiling: 24 km / (2,083.3 m/s × sin 60°) = 13.3 s
    slope, intercept = np.polyfit(traj.time_s[dive], traj.alt_m[dive], 1)  # a straight dive
    below = traj.time_s[-1] - (24e3 - intercept) / slope
    assert below == pytest.approx(24e3 / (7500 / 3.6 * math.sin(math.radians(60))), abs=0.05)


def test_short_ballistic_flight__apogee_scales_and_dive_is_lowered() -> None:
    """Iskander-M over ~137 km (LAUNCH → Kyiv): apogee 50 × D / 270 km; the dive starts at
    min(30 km, apogee, D/2 × tan 60°) and the arc reaches the dive start continuously."""
    traj, ground_m = _one_flight("iskander-m", LAUNCH, "Kyiv")
    apogee_m = 50e3 * ground_m / 270e3
    assert traj.alt_m.max() == pytest.approx(apogee_m, rel=2e-3)
    dive_alt_m = min(30e3, apogee_m)
    dive_ground_m = dive_alt_m / math.tan(math.radians(60))
    expected_s = (ground_m - dive_ground_m) / 1600 + dive_alt_m / math.sin(math.radians(60)) / (
        7500 / 3.6
    )
    assert traj.time_s[-1] == pytest.approx(expected_s, abs=0.05)
    assert np.all(np.abs(np.diff(traj.alt_m)) < 7500 / 3.6 * traj.time_step_s)  # no jump


def test_kh22__dives_from_cruise_altitude_at_30_degrees() -> None:
    traj, ground_m = _one_flight("kh-22", LAUNCH, "Kyiv")
    dive_ground_m = 20e3 / math.tan(math.radians(30))
    speed = 4000 / 3.6
    expected_s = (ground_m - dive_ground_m) / speed + 20e3 / math.sin(math.radians(30)) / speed
    assert traj.time_s[-1] == pytest.approx(expected_s, abs=0.05)
    assert traj.alt_m[0] == 20e3
    assert traj.alt_m[-1] == 0.0


@settings(deadline=None)
@given(
    ballistic=st.booleans(),
    distance_km=st.floats(1, 2000),
    altitude_km=st.floats(0.05, 120),
    apogee_range_km=st.floats(1, 3000),
    dive_deg=st.one_of(st.just(0.0), st.floats(5, 90)),
    dive_altitude_km=st.floats(0.1, 100),
    speed=st.floats(30, 3000),
    terminal=st.floats(30, 4000),
)
def test_vertical_profiles__continuous_on_the_ground_at_the_end_and_angle_kept(
    ballistic: bool,
    distance_km: float,
    altitude_km: float,
    apogee_range_km: float,
    dive_deg: float,
    dive_altitude_km: float,
    speed: float,
    terminal: float,
) -> None:
    def one(value: float | bool) -> np.ndarray:
        return np.array([value])

    compiled = SimpleNamespace(
        threat_ballistic=one(ballistic),
        threat_dive_angle_rad=one(math.radians(dive_deg)),
        threat_altitude_m=one(altitude_km * 1e3),
        threat_apogee_range_m=one(apogee_range_km * 1e3),
        threat_dive_altitude_m=one(dive_altitude_km * 1e3),
        threat_speed_mps=one(speed),
        threat_terminal_speed_mps=one(terminal),
    )
    distance = one(distance_km * 1e3)
    profile = vertical_profiles(compiled, distance)  # type: ignore[arg-type]
    flight_s = float(profile.flight_s[0])
    time_s = np.linspace(0.0, flight_s, 20_001)
    along, alt = profile.at(np.zeros(time_s.size, dtype=np.int64), time_s)
    assert np.all(alt >= 0)
    assert np.all(np.diff(along) >= -1e-6)
    assert along[-1] == pytest.approx(distance[0], rel=1e-9)
    # ground covered no faster than the faster of the two speeds
    assert np.all(np.diff(along) <= max(speed, terminal) * (time_s[1] - time_s[0]) * (1 + 1e-9))
    # the arc (or the cruise) meets the dive where it starts: no jump in altitude; then the
    # dive keeps the catalog angle (the arc, not the angle, gives way on short flights)
    dive_s, flight = float(profile.dive_s[0]), float(profile.flight_s[0])
    moments = np.array([dive_s, dive_s + 0.5 * (flight - dive_s), flight])
    d_along, d_alt = profile.at(np.zeros(3, dtype=np.int64), moments)
    if ballistic or dive_deg > 0:
        assert d_alt[-1] == pytest.approx(0.0, abs=1e-6)
    if dive_deg > 0 and profile.dive_altitude_m[0] > 0:
        assert d_alt[0] == pytest.approx(float(profile.dive_altitude_m[0]), rel=1e-9)
        if ballistic:
            angle = np.arctan2(d_alt[1] - d_alt[2], d_along[2] - d_along[1])
            assert math.degrees(angle) == pytest.approx(dive_deg, abs=1e-6)
            assert profile.apogee_along_m[0] > 0


def test_positions_at__interpolates_between_vertices_and_clips_to_flight(
    rng: np.random.Generator,
) -> None:
    """Against np.interp per threat, at random times from before launch to after impact."""
    compiled = compile_scenario(load_scenario("default"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    offsets = pieces.vertex_offset
    threat = rng.integers(0, compiled.n_threats, 5_000)
    flight = pieces.flight_s[threat]
    time_s = rng.uniform(-20.0, flight + 20.0)
    time_s[:50] = pieces.time_s[offsets[threat[:50]] + 1]  # exactly on a vertex
    lon, lat, alt, ecef = positions_at(pieces, threat, time_s)
    columns = [pieces.lon_deg, pieces.lat_deg, pieces.alt_m, *pieces.ecef_m.T]
    got = [lon, lat, alt, *ecef.T]
    for i in np.unique(threat):
        mine = threat == i
        vertices = slice(offsets[i], offsets[i + 1])
        for values, out in zip(columns, got, strict=True):
            want = np.interp(time_s[mine], pieces.time_s[vertices], values[vertices])
            np.testing.assert_allclose(out[mine], want, rtol=1e-12, atol=1e-6)
    before, after = time_s <= 0.0, time_s >= flight
    np.testing.assert_array_equal(lon[before], pieces.lon_deg[offsets[threat[before]]])
    np.testing.assert_allclose(
        alt[after], pieces.alt_m[offsets[threat[after] + 1] - 1], rtol=1e-12, atol=1e-9
    )
