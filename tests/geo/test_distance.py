"""Distance to a nation's territory."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from skyshield.errors import GeographyError
from skyshield.geo import distance_to_territory_m, nation_index, territory_codes
from skyshield.geo.borders import nation_geometries
from skyshield.units import KM_TO_M

GEOD = Geod(ellps="WGS84")
METHOD_TOL_M = 300.0  # stated accuracy of the densified-vertex method (module docstring)
LVIV = (24.0232, 49.8383)  # GeoNames 702550
RZESZOW = (21.9990, 50.0413)  # GeoNames 759734


def brute_force_m(lon: float, lat: float, code: str) -> float:
    """Geod.inv to every vertex of the border densified to 0.0005 deg (~55 m)."""
    rings = shapely.get_rings(shapely.get_parts(nation_geometries()[nation_index(code)]))
    xy = shapely.get_coordinates(shapely.segmentize(rings, 0.0005))
    _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    return float(np.min(d))


def test_distance_to_territory_m__lviv_to_poland() -> None:
    got = float(distance_to_territory_m(*LVIV, "PL"))
    assert got == pytest.approx(brute_force_m(*LVIV, "PL"), abs=METHOD_TOL_M)
    # Real border: the Rava-Ruska/Hrebenne crossing (23.60 E, 50.25 N) is 54.8 km from Lviv
    # (Geod.inv); the simplified polygon puts the nearest border point 57 km away. The press
    # figure "~70 km" (SOURCES.md [67]) is road distance, not the straight line.
    assert 50 * KM_TO_M < got < 62 * KM_TO_M


def test_distance_to_territory_m__rzeszow_to_ukraine() -> None:
    got = float(distance_to_territory_m(*RZESZOW, "UA"))
    assert got == pytest.approx(brute_force_m(*RZESZOW, "UA"), abs=METHOD_TOL_M)
    # Published ~70 km, SOURCES.md [68].
    assert 65 * KM_TO_M < got < 80 * KM_TO_M


def test_distance_to_territory_m__inside_is_zero() -> None:
    assert float(distance_to_territory_m(*LVIV, "UA")) == 0.0


def test_distance_to_territory_m__random_points_match_brute_force(
    rng: np.random.Generator,
) -> None:
    lon = rng.uniform(20.0, 34.0, 15)
    lat = rng.uniform(45.0, 53.0, 15)
    got = distance_to_territory_m(lon, lat, "MD")
    ref = np.array([brute_force_m(x, y, "MD") for x, y in zip(lon, lat, strict=True)])
    inside = territory_codes(lon, lat) == nation_index("MD")
    ref[inside] = 0.0
    np.testing.assert_allclose(got, ref, atol=METHOD_TOL_M, rtol=0.0)
    assert np.all(got >= ref - 1.0)  # nearest vertex never beats the true nearest point


def test_distance_to_territory_m__unknown_code() -> None:
    with pytest.raises(GeographyError, match=r"got 'Atlantis'"):
        distance_to_territory_m(0.0, 0.0, "Atlantis")


@settings(deadline=None)
@given(
    lon=st.lists(st.floats(20.0, 42.0), min_size=1, max_size=20),
    lat_seed=st.floats(44.0, 56.0),
    code=st.sampled_from(["UA", "PL", "RO", "MD", "BY", "RU"]),
)
def test_distance_to_territory_m__zero_exactly_inside(
    lon: list[float], lat_seed: float, code: str
) -> None:
    lon_a = np.array(lon)
    lat_a = np.full_like(lon_a, lat_seed)
    d = distance_to_territory_m(lon_a, lat_a, code)
    inside = territory_codes(lon_a, lat_a) == nation_index(code)
    assert np.all(d[inside] == 0.0)
    assert np.all(d[~inside] > 0.0)
