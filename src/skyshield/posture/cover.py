"""Where Patriot/SAMP-T cover of a target is publicly reported: the one definition (issue 23).

The back-test's check of ballistic success by cover
(:func:`skyshield.calibration.checks.patriot_nights`), the cover groups of
:mod:`skyshield.calibration.cover` and the emulator's ``cover_cruise``/``cover_ballistic``
features (:func:`skyshield.posture.geography.geography_features`, and the design's draw of
covered targets) all read :func:`patriot_covered`. A target is covered when it lies within
:data:`~skyshield.posture.laydown.TARGET_SNAP_KM` of a :data:`PATRIOT_SITES` city (the distance
at which ``night_scenario`` makes a reported target that city) on or after the site's date.

Sources (``catalog/data/sources.yaml``):

* Kyiv, from 2023-05-04: Patriot shot down a Kinzhal over Kyiv that night (Reuters,
  2023-05-06; ``dunya-2023-kinzhal``, /work/shared/SOURCES.md [16]).
* Kyiv only: RBC-Ukraine, 2024-05-02 (``rbc-2024-patriot-kyiv-only``): the Patriot and SAMP/T
  batteries received since March 2023 "have been deployed to protect Kyiv"; "other regional
  centres in the country are not protected by such systems", and Odesa "lacks air defense
  systems" against ballistic missiles.

Assumption, stated as such: no other site is added after 2024-05, although Ukraine had 8
Patriot systems by May 2025 (NYT relay, SOURCES.md [69]) and a battery was reported struck in
Dnipropetrovsk oblast (Russian MoD video, not confirmed by AFP): where they stood is not public.
A night aimed elsewhere counts as not covered though some such targets may have been.

The notional laydown (:data:`~skyshield.posture.laydown.LAYDOWN`) follows the same definition:
its Patriot and SAMP/T units stand only at :data:`PATRIOT_SITES` cities (issue 23 moved those of
Lviv, Dnipro and Odesa to Kyiv), so the engine's physics and the emulator's cover feature agree.
:func:`laydown_outside_sites` lists any that do not.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from skyshield.geo import geodesic_distance_m
from skyshield.geo.cities import find_city
from skyshield.posture.laydown import LAYDOWN, TARGET_SNAP_KM

__all__ = [
    "BALLISTIC_DEFENCE_SYSTEMS",
    "PATRIOT_SITES",
    "covered_sites",
    "laydown_outside_sites",
    "patriot_covered",
]

# Systems whose cover decides a ballistic missile's fate (issue 23 item 4): Patriot, SAMP/T.
BALLISTIC_DEFENCE_SYSTEMS = frozenset({"patriot-pac3-mse", "patriot-gem-t", "samp-t"})
# laydown city -> the first night its Patriot/SAMP-T cover is publicly reported (see module)
PATRIOT_SITES: dict[str, str] = {"Kyiv": "2023-05-04"}


def covered_sites(day: str | date | np.datetime64 | None = None) -> frozenset[str]:
    """Return the :data:`PATRIOT_SITES` cities covered on ``day`` (None: every site)."""
    if day is None:
        return frozenset(PATRIOT_SITES)
    when = str(pd.Timestamp(day).date())
    return frozenset(city for city, since in PATRIOT_SITES.items() if when >= since)


def patriot_covered(
    lon_deg: float, lat_deg: float, day: str | date | np.datetime64 | None = None
) -> bool:
    """Say whether a target point lies under publicly reported Patriot/SAMP-T cover on ``day``.

    Within :data:`~skyshield.posture.laydown.TARGET_SNAP_KM` of a site covered that day
    (``day`` None: any site, whatever its date).
    """
    for city in covered_sites(day):
        site = find_city(city, "UA")
        distance = float(geodesic_distance_m(lon_deg, lat_deg, site.lon_deg, site.lat_deg))
        if distance <= TARGET_SNAP_KM * 1000.0:
            return True
    return False


def laydown_outside_sites() -> list[str]:
    """Return the laydown cities with a Patriot or SAMP/T unit but no reported cover."""
    return [
        city
        for city, systems in LAYDOWN.items()
        if any(s in BALLISTIC_DEFENCE_SYSTEMS for s in systems) and city not in PATRIOT_SITES
    ]
