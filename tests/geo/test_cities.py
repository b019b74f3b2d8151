"""GeoNames city lookups."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.errors import GeographyError
from skyshield.geo import find_city, near_populated_place_mask, populated_places
from skyshield.units import KM_TO_M


def test_find_city__diacritics_and_case_insensitive() -> None:
    city = find_city("rzeszow")
    assert city.name == "Rzeszów"
    assert city.country_code == "PL"
    assert find_city("CHIȘINĂU").country_code == "MD"


def test_find_city__picks_most_populous() -> None:
    # GeoNames has several places called Alexandria; the Romanian one is limited by country.
    assert find_city("Kyiv").population > 2_000_000
    assert find_city("Alexandria", "ro").country_code == "RO"


def test_find_city__same_as_scanning_the_whole_table(rng: np.random.Generator) -> None:
    """The name index finds what a walk of every place finds (the most populous, the first
    of equal ones), by name, by ASCII name, with and without a country; names that several
    places share included."""
    from skyshield.geo.cities import _all_places

    table, folded, folded_ascii = _all_places()

    def scan(key: str, cc: str | None) -> int:
        best = -1
        for k, (f, fa) in enumerate(zip(folded, folded_ascii, strict=True)):
            ok = key in (f, fa) and (cc is None or table.country_codes[k] == cc)
            if ok and (best < 0 or table.population[k] > table.population[best]):
                best = k
        return best

    counts: dict[str, int] = {}
    for f in folded:
        counts[f] = counts.get(f, 0) + 1
    shared = sorted(f for f, n in counts.items() if n > 1)[:60]
    picks = rng.choice(len(folded), 60, replace=False)
    keys = shared + [folded[k] for k in picks] + [folded_ascii[k] for k in picks[:30]]
    assert len(shared) >= 20  # the table does have names several places share
    for key in keys:
        for cc in (None, "UA", table.country_codes[folded.index(key)] if key in folded else None):
            best = scan(key, cc)
            if best < 0:
                with pytest.raises(GeographyError):
                    find_city(key, cc)
                continue
            city = find_city(key, cc)
            assert (city.name, city.country_code, city.population) == (
                table.names[best], table.country_codes[best], int(table.population[best]),
            ), (key, cc)  # fmt: skip


def test_find_city__unknown_suggests_close_matches() -> None:
    with pytest.raises(GeographyError, match=r"got 'Kiyv'; close matches: .*Kyiv"):
        find_city("Kiyv")


def test_find_city__wrong_country() -> None:
    with pytest.raises(GeographyError, match=r"a place in PL .* got 'Kyiv'"):
        find_city("Kyiv", "PL")


def test_populated_places__threshold_and_read_only() -> None:
    places = populated_places(1_000_000)
    assert np.all(places.population >= 1_000_000)
    assert "Kyiv" in places.names
    assert not places.lon_deg.flags.writeable
    assert len(places.names) == places.lat_deg.size == places.population.size
    ua = populated_places(100_000, "UA")
    assert set(ua.country_codes) == {"UA"}


def test_near_populated_place_mask__kyiv_centre_and_black_sea() -> None:
    kyiv = find_city("Kyiv")
    got = near_populated_place_mask(
        [kyiv.lon_deg, 33.0], [kyiv.lat_deg, 43.5], 10 * KM_TO_M, 100_000
    )
    np.testing.assert_array_equal(got, [True, False])


def test_near_populated_place_mask__radius_edge() -> None:
    # 0.1 deg of latitude north of Kyiv is 11.1 km (Geod.inv: 11,126 m).
    kyiv = find_city("Kyiv")
    lon, lat = kyiv.lon_deg, kyiv.lat_deg + 0.1
    assert bool(near_populated_place_mask(lon, lat, 11_200.0, 1_000_000, "UA"))
    assert not bool(near_populated_place_mask(lon, lat, 11_000.0, 1_000_000, "UA"))


def test_near_populated_place_mask__negative_radius() -> None:
    with pytest.raises(GeographyError, match=r"radius_m: expected a finite value >= 0, got -1.0"):
        near_populated_place_mask(30.0, 50.0, -1.0, 15_000)
