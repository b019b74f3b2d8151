"""Electronic warfare in space (:mod:`skyshield.engine.ew`): losses only inside zones, at the
catalog rate per km, against closed forms."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.compile import compile_scenario
from skyshield.engine.ew import _cumulative_m, _in_box, ew_exposure_m, zone_strength
from skyshield.engine.outcomes import Fate
from skyshield.geo import destination_lonlat, find_city, geodesic_distance_m

from ._build import one_on_one, prepare, scenario

KYIV = find_city("Kyiv", "UA")
RADIUS_KM = 50.0


def _drones_through_kyiv_zone(count: int = 1) -> dict[str, Any]:
    """Shaheds flying straight to Kyiv, an EW disc of 50 km on Kyiv, a unit with no rounds."""
    d = one_on_one(threat="shahed-136", count=count, stock=0)
    d["ew_zones"] = [
        {
            "id": "kyiv",
            "nation": "UA",
            "position": {"lon_deg": KYIV.lon_deg, "lat_deg": KYIV.lat_deg},
            "radius_km": RADIUS_KM,
        }
    ]
    return d


def test_ew_exposure_m__radius_flown_inside_the_disc() -> None:
    compiled = compile_scenario(scenario(_drones_through_kyiv_zone()))
    traj = prepare(compiled, seed=1, n_reps=1).geometry.trajectories[0]
    exposure = ew_exposure_m(compiled, traj)
    assert exposure[0] == 0.0
    assert np.all(np.diff(exposure) >= 0)
    step_m = compiled.threat_speed_mps[0] * compiled.time_step_s
    # the target is the disc's centre: the drone flies one radius inside (± half a step)
    assert abs(exposure[-1] - RADIUS_KM * 1000) <= step_m / 2 + 1.0


def test_ew_exposure_m__no_zone_no_exposure() -> None:
    compiled = compile_scenario(scenario(one_on_one(threat="shahed-136")))
    traj = prepare(compiled, seed=1, n_reps=1).geometry.trajectories[0]
    assert not ew_exposure_m(compiled, traj).any()


def test_simulate_fast__ew_loss_share_and_place_closed_form() -> None:
    """P(lost) = 1 − (1 − p)^(R / 100 km) = 1 − 0.5^0.5 = 0.2929, and only inside the disc."""
    compiled = compile_scenario(scenario(_drones_through_kyiv_zone()))
    n = 4000
    prepared = prepare(compiled, seed=3, n_reps=n)
    raw = prepared.fast()
    lost = raw.fate[:, 0] == Fate.LOST_TO_EW
    expected = 1 - 0.5 ** (RADIUS_KM / 100)
    assert abs(lost.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    threats = prepared.tables(raw).threats
    where = threats[threats["fate"] == "lost_to_ew"]
    distance = geodesic_distance_m(
        np.full(len(where), KYIV.lon_deg),
        np.full(len(where), KYIV.lat_deg),
        where["lon_deg"].to_numpy(),
        where["lat_deg"].to_numpy(),
    )
    step_m = compiled.threat_speed_mps[0] * compiled.time_step_s
    assert distance.max() <= RADIUS_KM * 1000 + step_m
    # uniform hazard along the 50 km: losses spread over the whole disc, not at its edge
    assert distance.min() < 0.1 * RADIUS_KM * 1000
    assert np.median(distance) > 0.3 * RADIUS_KM * 1000


def test_simulate_fast__missiles_never_lost_to_ew() -> None:
    d = _drones_through_kyiv_zone()
    d["raid"]["waves"][0]["threat"] = "kh-101"
    compiled = compile_scenario(scenario(d))
    raw = prepare(compiled, seed=3, n_reps=200).fast()
    assert not (raw.fate == Fate.LOST_TO_EW).any()


@settings(deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    lon0=st.floats(-179.0, 179.0),
    lat0=st.floats(-80.0, 80.0),
    half=st.floats(0.01, 20.0),
)
def test_in_box__matches_numpy_mask(seed: int, lon0: float, lat0: float, half: float) -> None:
    """Longitudes wrap at the antimeridian, as in the numpy mask the kernel replaced."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(-180.0, 180.0, 20_000), rng.uniform(-85.0, 85.0, 20_000)
    mask = (np.abs(lat - lat0) <= half) & (np.abs((lon - lon0 + 180.0) % 360.0 - 180.0) <= 2 * half)
    np.testing.assert_array_equal(
        _in_box(lon, lat, lon0, lat0, 2 * half, half), np.flatnonzero(mask)
    )


@settings(deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n_threats=st.integers(1, 30))
def test_cumulative_m__equals_numpy_trapezoid_and_cumsum(seed: int, n_threats: int) -> None:
    """Bit for bit: a global cumulative sum less its value at each launch, segment by segment."""
    rng = np.random.default_rng(seed)
    offset = np.concatenate([[0], np.cumsum(rng.integers(2, 40, n_threats))])
    ecef = rng.normal(size=(offset[-1], 3)) * 5e6
    strength = np.where(rng.random(offset[-1]) < 0.5, 0.0, rng.uniform(0.1, 2.0, offset[-1]))
    segment = np.linalg.norm(np.diff(ecef, axis=0), axis=1)
    step = np.concatenate([[0.0], segment * (strength[:-1] + strength[1:]) / 2])
    step[offset[:-1]] = 0.0
    cumulative = np.cumsum(step)
    want = cumulative - cumulative[np.repeat(offset[:-1], np.diff(offset))]
    np.testing.assert_array_equal(_cumulative_m(offset, ecef, strength), want)


@settings(deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    lon0=st.floats(-170.0, 170.0),
    lat0=st.floats(-70.0, 70.0),
    radius_km=st.floats(1.0, 400.0),
)
def test_zone_strength__the_exact_geodesic_at_the_rim(
    seed: int, lon0: float, lat0: float, radius_km: float
) -> None:
    """Points within metres of the circle, inside and out, and anywhere in the box: the chord
    shortcut gives the same answer as the geodesic distance for every one."""
    rng = np.random.default_rng(seed)
    radius = radius_km * 1000.0
    n = 4000
    offset_m = np.concatenate([rng.uniform(-3.0, 3.0, n), rng.uniform(-radius, radius, n)])
    lon, lat = destination_lonlat(
        lon0, lat0, rng.uniform(0.0, 2 * np.pi, 2 * n), np.abs(radius + offset_m)
    )
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    got = zone_strength(
        lon, lat, np.array([lon0]), np.array([lat0]), np.array([radius]), np.array([0.7])
    )
    want = np.where(geodesic_distance_m(lon0, lat0, lon, lat) <= radius, 0.7, 0.0)
    np.testing.assert_array_equal(got, want)


def test_zone_strength__a_disc_around_a_pole_reaches_every_longitude() -> None:
    """A point 1 m inside a 50 km disc centred 11 km from the pole, on the far side of the pole
    (the longitude box used to miss it: found by review)."""
    lon0, lat0, radius = 179.99, 89.9, 50e3
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(-180.0, 180.0, 20_000), rng.uniform(89.0, 90.0, 20_000)
    lon = np.append(lon, 72.494697)
    lat = np.append(lat, 89.592698)
    got = zone_strength(
        lon, lat, np.array([lon0]), np.array([lat0]), np.array([radius]), np.ones(1)
    )
    want = np.where(geodesic_distance_m(lon0, lat0, lon, lat) <= radius, 1.0, 0.0)
    assert want[-1] == 1.0
    np.testing.assert_array_equal(got, want)
