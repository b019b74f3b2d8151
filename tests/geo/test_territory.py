"""Territory lookup: known places, exactness against per-point shapely, properties."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skyshield.errors import GeographyError
from skyshield.geo import NATION_CODES, NO_NATION, nation_index, territory, territory_codes
from skyshield.geo.borders import nation_geometries
from skyshield.geo.territory import exact_territory_codes

# City coordinates: GeoNames (shipped cities.csv), rounded.
PLACES = [
    ("Lviv", 24.0232, 49.8383, "UA"),
    ("Rzeszow", 21.9990, 50.0413, "PL"),
    ("Chisinau", 28.8594, 47.0090, "MD"),
    ("Suceava", 26.2500, 47.6333, "RO"),
    ("Uzhhorod", 22.2879, 48.6167, "UA"),
    ("Kosice", 21.2580, 48.7144, "SK"),
    ("Simferopol", 34.1108, 44.9572, "UA"),
    ("Sevastopol", 33.5213, 44.6080, "UA"),
    ("Kyiv", 30.5238, 50.4547, "UA"),
    ("Minsk", 27.5667, 53.9000, "BY"),
    ("Budapest", 19.0399, 47.4980, "HU"),
    ("Kursk", 36.1874, 51.7373, "RU"),
]


@pytest.mark.parametrize(("name", "lon", "lat", "code"), PLACES, ids=[p[0] for p in PLACES])
def test_territory_codes__known_cities(name: str, lon: float, lat: float, code: str) -> None:
    assert NATION_CODES[int(territory_codes(lon, lat))] == code


def test_territory_codes__black_sea_is_no_nation() -> None:
    assert int(territory_codes(33.0, 43.5)) == NO_NATION


def test_territory_codes__outside_region_and_nan_are_no_nation() -> None:
    got = territory_codes([100.0, np.nan, 30.0, np.inf], [50.0, 50.0, np.nan, 50.0])
    np.testing.assert_array_equal(got, [NO_NATION] * 4)


def test_territory_codes__matches_per_point_shapely(rng: np.random.Generator) -> None:
    n = 5000
    lon = rng.uniform(14.0, 42.0, n)
    lat = rng.uniform(43.0, 56.0, n)
    geoms = nation_geometries()
    ref = np.full(n, NO_NATION, dtype=np.int16)
    for k in range(n):
        p = shapely.Point(lon[k], lat[k])
        for code_index, g in enumerate(geoms):
            if g.contains(p):
                ref[k] = code_index
                break
    borders = shapely.union_all([g.boundary for g in geoms])
    on_border = shapely.dwithin(borders, shapely.points(lon, lat), 1e-6)
    got = territory_codes(lon, lat)
    assert got.dtype == np.int16
    np.testing.assert_array_equal(got[~on_border], ref[~on_border])
    assert len(np.unique(got)) > 10  # the sample spans many nations


def test_territory_codes__grid_matches_exact_reference(rng: np.random.Generator) -> None:
    lon = rng.uniform(-12.0, 62.0, 200_000)
    lat = rng.uniform(33.0, 72.0, 200_000)
    np.testing.assert_array_equal(territory_codes(lon, lat), exact_territory_codes(lon, lat))


def test_territory_codes__keeps_shape() -> None:
    lon = np.full((2, 3), 24.03)
    assert territory_codes(lon, 49.84).shape == (2, 3)


def test_nation_index__known_and_unknown() -> None:
    assert NATION_CODES[nation_index("pl")] == "PL"
    assert list(NATION_CODES) == sorted(NATION_CODES)
    with pytest.raises(GeographyError, match=r"got 'QQ'"):
        nation_index("QQ")


finite_lon = st.floats(-200.0, 200.0, allow_nan=False)
finite_lat = st.floats(-90.0, 90.0, allow_nan=False)


@settings(deadline=None)
@given(data=st.data(), n=st.integers(0, 30))
def test_territory_codes__property_range_and_shape(data: st.DataObject, n: int) -> None:
    lon = data.draw(hnp.arrays(np.float64, n, elements=finite_lon))
    lat = data.draw(hnp.arrays(np.float64, n, elements=finite_lat))
    got = territory_codes(lon, lat)
    assert got.dtype == np.int16
    assert got.shape == (n,)
    assert np.all((got >= NO_NATION) & (got < len(NATION_CODES)))


def test_exact_territory_codes__per_point_first_nation_in_blocks(
    rng: np.random.Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bounding-box table, in blocks of points, finds each point's first containing nation."""
    n = 3000
    lon = rng.uniform(14.0, 42.0, n)
    lat = rng.uniform(43.0, 56.0, n)
    lon[::11] = np.nan
    geoms = nation_geometries()
    ref = np.full(n, NO_NATION, dtype=np.int16)
    for k in range(n):
        ref[k] = next(
            (i for i, g in enumerate(geoms) if g.contains(shapely.Point(lon[k], lat[k]))),
            NO_NATION,
        )
    monkeypatch.setattr(territory, "_EXACT_CHUNK", 257)  # many blocks, the last one short
    got = exact_territory_codes(lon.reshape(30, 100), lat.reshape(30, 100))
    assert got.shape == (30, 100)
    np.testing.assert_array_equal(got.ravel(), ref)
    assert len(np.unique(ref)) > 10  # the sample spans many nations
