"""Building blocks of notional scenarios, as scenario-file dicts (shipped examples, night model).

Everything here is illustrative and labelled so: positions are not real deployments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skyshield.geo.cities import find_city

__all__ = ["UA_EARLY_WARNING_SPOTS", "city_ew_zones", "early_warning_radar"]

# Notional Ukrainian early-warning radar sites covering the north, east, south and west.
UA_EARLY_WARNING_SPOTS = (
    (31.3, 51.5),
    (34.5, 49.6),
    (32.0, 46.9),
    (28.5, 49.2),
    (25.3, 50.6),
    (36.0, 48.5),
)


def early_warning_radar(
    uid: str, nation: str, lon: float, lat: float, networks: list[str]
) -> dict[str, Any]:
    """Describe a notional early-warning radar: 300 km against 1 m² from a 30 m mast (assumed)."""
    return {
        "id": uid,
        "nation": nation,
        "position": {"lon_deg": lon, "lat_deg": lat},
        "radar_range_km": 300,
        "reference_rcs_m2": 1,
        "height_m": 30,
        "networks": networks,
        "label": "notional position",
    }


def city_ew_zones(
    cities: Iterable[str], nation: str = "UA", radius_km: float = 40
) -> list[dict[str, Any]]:
    """Put a notional electronic-warfare disc around each city (GeoNames names of ``nation``)."""
    zones = []
    for name in cities:
        city = find_city(name, nation)
        zones.append(
            {
                "id": f"{nation.lower()}-ew-{name.lower().replace(' ', '-')}",
                "nation": nation,
                "position": {
                    "lon_deg": round(city.lon_deg, 3),
                    "lat_deg": round(city.lat_deg, 3),
                },
                "radius_km": radius_km,
            }
        )
    return zones
