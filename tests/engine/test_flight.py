"""Flight sampling: interpolated geodesic points, spacing, end at the target."""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.flight import (
    ANCHOR_SPACING_M,
    _along_legs,
    course_rad,
    realize_routes,
    sample_trajectories,
)
from skyshield.geo import destination_lonlat, geodesic_distance_m
from skyshield.scenario import load_scenario

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


def test_course_rad__matches_pyproj_azimuths(rng: np.random.Generator) -> None:
    """Course over ground = pyproj's forward azimuth from each sample to the next (WGS84)."""
    compiled = compile_scenario(load_scenario("western-raid"))
    traj = sample_trajectories(compiled, realize_routes(compiled, rng=realization_rng(3, 0)))
    last = traj.sample_offset[1:] - 1
    samples = rng.integers(0, traj.lon_deg.size, 2_000)
    samples = samples[~np.isin(samples, last)]
    az12, _, length = Geod(ellps="WGS84").inv(
        traj.lon_deg[samples],
        traj.lat_deg[samples],
        traj.lon_deg[samples + 1],
        traj.lat_deg[samples + 1],
    )
    moving = length > 1.0  # a threat at rest has no course
    course = course_rad(traj, samples[moving])
    expected = np.deg2rad(az12[moving])
    gap = np.angle(np.exp(1j * (course - expected)))  # wrapped to (-π, π]
    assert np.abs(gap).max() < 1e-6
    # at the impact sample the course is the bearing over the last step
    at_impact = course_rad(traj, last[:5])
    before = Geod(ellps="WGS84").inv(
        traj.lon_deg[last[:5] - 1],
        traj.lat_deg[last[:5] - 1],
        traj.lon_deg[last[:5]],
        traj.lat_deg[last[:5]],
    )[0]
    assert np.abs(np.angle(np.exp(1j * (at_impact - np.deg2rad(before))))).max() < 1e-6
