"""Fast Vincenty geodesy against pyproj's GeographicLib (pyproj.Geod(ellps="WGS84"))."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod

from skyshield.geo import (
    destination_lonlat,
    geodesic_distance_m,
    geodesic_inverse,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    radar_horizon_m,
)
from skyshield.units import KM_TO_M

GEOD = Geod(ellps="WGS84")
N_PAIRS = 20_000
# Stated tolerances (measured maxima on this sample are ~2e-5 m and ~4e-10 deg).
DIST_TOL_M = 1e-3
BEARING_TOL_DEG = 1e-6
DEST_TOL_M = 1e-3


@pytest.fixture
def pairs(rng: np.random.Generator) -> np.ndarray:
    lo = [10.0, 40.0, 10.0, 40.0]
    hi = [50.0, 60.0, 50.0, 60.0]
    return rng.uniform(lo, hi, size=(N_PAIRS, 4)).T


def test_geodesic_distance_m__matches_pyproj_over_europe(pairs: np.ndarray) -> None:
    _, _, ref = GEOD.inv(*pairs)
    assert np.max(np.abs(geodesic_distance_m(*pairs) - ref)) < DIST_TOL_M


def test_initial_bearing_rad__matches_pyproj_over_europe(pairs: np.ndarray) -> None:
    az_deg, _, _ = GEOD.inv(*pairs)
    got_deg = np.degrees(initial_bearing_rad(*pairs))
    err = np.abs((got_deg - az_deg + 180.0) % 360.0 - 180.0)
    assert np.max(err) < BEARING_TOL_DEG
    assert np.all((got_deg >= 0.0) & (got_deg < 360.0))


def test_destination_lonlat__matches_pyproj_over_europe(pairs: np.ndarray) -> None:
    lon1, lat1, lon2, lat2 = pairs
    az_deg, _, dist_m = GEOD.inv(lon1, lat1, lon2, lat2)
    ref_lon, ref_lat, _ = GEOD.fwd(lon1, lat1, az_deg, dist_m)
    lon, lat = destination_lonlat(lon1, lat1, np.radians(az_deg), dist_m)
    _, _, miss_m = GEOD.inv(lon, lat, ref_lon, ref_lat)
    assert np.max(miss_m) < DEST_TOL_M


def test_destination_lonlat__runs_along_one_geodesic_bit_for_bit(rng: np.random.Generator) -> None:
    """Points along one start and bearing reuse its terms (pieces' vertices along a leg): the
    array gives each point's own scalar result exactly, also where only the latitude, only
    the bearing or only the sign of a zero changes from one point to the next."""
    lat = np.repeat([50.0, 50.0, 51.0, 0.0, -0.0, -0.0, 48.0, 48.0], 5)
    bearing = np.repeat([1.0, 2.0, 2.0, 0.5, 0.5, 0.0, 0.0, -0.0], 5)
    lon = rng.uniform(20.0, 40.0, lat.size)
    dist = rng.uniform(0.0, 300_000.0, lat.size)
    lon2, lat2 = destination_lonlat(lon, lat, bearing, dist)
    alone = [destination_lonlat(*args) for args in zip(lon, lat, bearing, dist, strict=True)]
    assert np.array_equal(lon2, [float(a[0]) for a in alone])
    assert np.array_equal(lat2, [float(a[1]) for a in alone])
    assert np.array_equal(np.signbit(lat2), [np.signbit(a[1]) for a in alone])


def test_geodesic_inverse__both_results_bit_for_bit(pairs: np.ndarray) -> None:
    dist_m, bearing = geodesic_inverse(*pairs)
    assert np.array_equal(dist_m, geodesic_distance_m(*pairs))
    assert np.array_equal(bearing, initial_bearing_rad(*pairs))


def test_geodesic_distance_m__boston_portland_reference() -> None:
    # Boston (42d15'N, 71d07'W) to Portland (45d31'N, 123d41'W), the pair of pyproj's
    # test_geod.py; Geod(ellps="WGS84").inv gives 4,164,074.239 m (4,164,192.708 m is Clarke 1866).
    d = geodesic_distance_m(-71.0 - 7.0 / 60.0, 42.25, -123.0 - 41.0 / 60.0, 45.0 + 31.0 / 60.0)
    assert d == pytest.approx(4_164_074.239, abs=0.01)


def test_geodesic_distance_m__scalar_and_array_agree() -> None:
    scalar = geodesic_distance_m(24.03, 49.84, 30.52, 50.45)
    array = geodesic_distance_m(np.array([24.03, 24.03]), 49.84, 30.52, 50.45)
    assert np.ndim(scalar) == 0
    assert array.shape == (2,)
    np.testing.assert_array_equal(array, float(scalar))


def test_geodesic_distance_m__coincident_points_are_zero() -> None:
    assert geodesic_distance_m(30.0, 50.0, 30.0, 50.0) == 0.0
    assert initial_bearing_rad(30.0, 50.0, 30.0, 50.0) == 0.0


def test_initial_bearing_rad__due_east_on_equator() -> None:
    assert initial_bearing_rad(0.0, 0.0, 1.0, 0.0) == pytest.approx(math.pi / 2.0)


def test_destination_lonlat__zero_distance_is_start() -> None:
    lon, lat = destination_lonlat(30.0, 50.0, 1.0, 0.0)
    assert (float(lon), float(lat)) == pytest.approx((30.0, 50.0), abs=1e-12)


def test_lonlat_to_ecef_m__matches_pyproj_transformer(rng: np.random.Generator) -> None:
    from pyproj import Transformer

    lon = rng.uniform(-12.0, 62.0, 1000)
    lat = rng.uniform(33.0, 72.0, 1000)
    alt = rng.uniform(0.0, 20_000.0, 1000)
    tr = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    ref = np.column_stack(tr.transform(lon, lat, alt))
    got = lonlat_to_ecef_m(lon, lat, alt)
    assert got.shape == (1000, 3)
    np.testing.assert_allclose(got, ref, atol=1e-6, rtol=0.0)


def test_radar_horizon_m__closed_form() -> None:
    # sqrt(2 * 4/3 * 6,371,000 m) = 4,121.8 m per sqrt(m): 4.1218 km * (sqrt(10) + sqrt(50)).
    expected_m = math.sqrt(2.0 * 4.0 / 3.0 * 6_371_000.0) * (math.sqrt(10.0) + math.sqrt(50.0))
    got = radar_horizon_m(10.0, 50.0)
    assert float(got) == pytest.approx(expected_m, rel=1e-12)
    assert float(got) == pytest.approx(42.18 * KM_TO_M, abs=10.0)


def test_radar_horizon_m__zero_heights_touch() -> None:
    assert float(radar_horizon_m(0.0, 0.0)) == 0.0
