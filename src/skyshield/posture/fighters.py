"""Fighter patrols against a night's strategic cruise missiles (issue 23, after issue 22).

Ukraine's fighters (MiG-29, Su-27, F-16, Mirage 2000) fly against the Kh-101 and Kalibr salvos
of the big combined raids; the laydown's ground "f-16" unit at Kyiv (a fixed magazine) cannot
represent sorties flown where the missiles come. Every night scenario with strategic cruise
missiles therefore carries :class:`~skyshield.scenario.models.AirPatrol` sorties (the air
policing model of :mod:`skyshield.engine.air`: take-off, transit, time on station, loadout,
one threat at a time per aircraft, fire on the national network's tracks).

How they are tasked (the rules are assumptions, each from what the sources below say):

* **Only against strategic cruise missiles** (Kh-101 from Tu-95MS/Tu-160, Kalibr from ships).
  The Air Force announces the bombers' take-off hours before their launch time (e.g. "expected
  to reach the missile launch areas at 5:00 a.m.", 2024-11-13,
  https://menafn.com/1108879882/Six-Strategic-Bombers-Take-Off-In-Russia-Ukraines-Air-Force)
  and fighters on combat duty "take to the sky and fly out to intercept missiles" when there is
  a threat (Air Force spokesman Yurii Ihnat, 2023-01-21, https://www.txtreport.com/news/
  2023-01-21-what-are-the-advantages-of-f-16-fighters-for-ukraine--an-explanation-from-the-air-force.HygnoRYoj.html).
  Tactical missiles (Kh-59/69 near the front), drones and ballistic missiles get none: they
  come with little warning ("on ballistics aviation cannot work", Ihnat, 2025-04-24,
  https://war.obozrevatel.com/ukr/po-balistitsi-aviatsiya-ne-mozhe-pratsyuvati-u-povitryanih-silah-rozpovili-skilki-tsilej-zbili-f-16-ta-mirage-pid-chas-rosijskoi-ataki.htm),
  and drones are the low-cost layers' (:mod:`.routes`). The patrols engage cruise missiles only.
* **A pair per :data:`CRUISE_PER_PAIR` missiles**, at most :data:`MAX_PAIRS` pairs: what the
  warning shows (bombers up, missiles in the air) sets how many are scrambled; the fleet caps
  it. No source gives how many fighters fly during a raid; the cap is small against the fleet
  the sources give (about 24 MiG-29 at the end of 2023, IISS via Newsweek,
  https://newspeedforyou.shop/?p=98967; about 10 F-16 by 2024-07-31, The Economist via
  https://news.online.ua/en/ukraine-received-the-first-f-16-fighters-at-the-end-of-july-details-882928/;
  the Netherlands' 24 delivered by 2025-05-26, https://www.pravda.com.ua/eng/news/2025/05/26/7514170/).
* **Stations on the approaches**: each (launch site, target) line of the strategic waves
  (:func:`~skyshield.posture.routes.threat_routes`) gets a station up to
  :data:`STATION_BEFORE_TARGET_KM` before its target on the geodesic from its site, pulled back
  towards the target until it is :data:`FRONT_STANDOFF_KM` from Russia and Belarus (F-16s must
  stay "40 km or more" from the front line: Commander-in-Chief Syrskyi, 2024-07-24,
  https://ru.interfax.com.ua/news/general/1002427.html; the shipped borders hold the border,
  not the front line in the occupied south and east, so a station there is not pulled back). A
  line whose target itself is nearer the border than that gets no patrol (e.g. Sumy). The
  pairs are split over the remaining lines in proportion to their missiles (largest remainder),
  busiest first; a line that gets none has no patrol.
* **On station while the missiles pass**: from :data:`STATION_LEAD_MIN` before the first of the
  line's missiles can reach the station (its launch window's start plus the flight at the
  type's catalog speed) to as long after the last; sorties relieve each other on station (the
  aircraft's time on station), flown from the nearest of :data:`AIR_BASES`.

The notional aircraft is the catalog's ``f-16``, with the loadout of the sortie of 2024-12-13
in which an F-16 pilot downed six cruise missiles: two with medium-range and two with
short-range air-to-air missiles and two with the gun (:data:`LOADOUT`), and fires the best
weapon able to engage now (``wait_for_cheaper_weapon`` false: that sortie spent its missiles,
then the gun; holding a missile for a later gun pass is the air-policing rule of a quiet
border, and in the engine it doubled the night model's simulating time; Newsweek via
https://trendingfeeds.info/ukraine-s-f-16-pilot-downs-six-russian-cruise-missiles-in-historic-first-525549.html,
the catalog's source ``ziare-2025-f16``). The night model counts the patrols in the medium
family, so ``posture_medium`` sizes them as it sizes the medium SAMs
(:class:`skyshield.calibration.model.NightEngine`). What the reports say fighters did is a
check, not a fit target: on 2024-12-13 F-16s downed 11 of the 81 missiles shot down
(https://kyivindependent.com/eu-defense-commissioner-takes-shelter-amid-massive-russian-missile-strikes/),
on 2024-11-28 seven cruise missiles
(https://euromaidanpress.com/2024/11/30/zelenskyy-f-16-fighters-recently-destroys-seven-cruise-missiles-used-by-russia-to-attack-ukraine/).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from skyshield.catalog import Catalog
from skyshield.geo import (
    destination_lonlat,
    distance_to_territory_m,
    geodesic_distance_m,
    initial_bearing_rad,
)
from skyshield.posture.routes import ThreatRoute, split_count, threat_routes
from skyshield.units import KM_TO_M

__all__ = [
    "AIR_BASES",
    "CRUISE_PER_PAIR",
    "FIGHTER_PATROL_PREFIX",
    "LOADOUT",
    "MAX_PAIRS",
    "STATION_BEFORE_TARGET_KM",
    "STRATEGIC_CRUISE",
    "fighter_pairs",
    "fighter_patrols",
]

# The strategic cruise types the fighters are tasked against (the laydown's CLASS_MIX "cruise").
STRATEGIC_CRUISE = frozenset({"kh-101", "kalibr"})
AIRCRAFT_TYPE = "f-16"
LOADOUT = {"aim-120c": 2, "aim-9x": 2, "fighter-gun": 2}  # the 2024-12-13 sortie (module)
AIRCRAFT_PER_PAIR = 2
CRUISE_PER_PAIR = 8  # assumption: a pair per 8 missiles (a Tu-95MS's load, order of)
MAX_PAIRS = 6  # assumption: at most 12 fighters up against one salvo
STATION_BEFORE_TARGET_KM = 60.0  # assumption: on the approach, inside the defended area
STATION_STEP_KM = 10.0  # a station too near the border moves this much towards the target
FRONT_STANDOFF_KM = 40.0  # Syrskyi's "40 km or more" from the front line (module)
BORDER_NATIONS = ("RU", "BY")
STATION_LEAD_MIN = 15.0  # assumption: on station this long before the first missile can arrive
COMMIT_RADIUS_KM = 30.0  # the scenario format's default commit radius
# Fighter bases: Ukrainian Air Force brigades' airfields with a public position (Wikipedia via
# the helper's search: Vasylkiv 40th brigade MiG-29, Ozerne 39th Su-27, Myrhorod 831st Su-27,
# Lutsk 204th MiG-29, Ivano-Frankivsk 114th MiG-29). Where the F-16s fly from is not public.
AIR_BASES: dict[str, tuple[float, float]] = {
    "vasylkiv": (30.300, 50.233),
    "ozerne": (28.738, 50.158),
    "myrhorod": (33.639, 49.932),
    "lutsk": (25.350, 50.783),
    "ivano-frankivsk": (24.686, 48.884),
}
# Ids of the night model's fighter patrols start with this.
FIGHTER_PATROL_PREFIX = "ua-fighters-"


def _station(route: ThreatRoute) -> tuple[float, float] | None:
    """Return the line's station (the module's rule); None if its target is near the border."""
    (lon0, lat0), (lon1, lat1) = route.start, route.end
    length = float(geodesic_distance_m(lon0, lat0, lon1, lat1))
    back = float(initial_bearing_rad(lon1, lat1, lon0, lat0))
    first = min(STATION_BEFORE_TARGET_KM, 0.5 * length / KM_TO_M)
    before = np.arange(first, -0.5 * STATION_STEP_KM, -STATION_STEP_KM).clip(0.0) * KM_TO_M
    lon, lat = destination_lonlat(
        np.full_like(before, lon1), np.full_like(before, lat1), back, before
    )
    lon, lat = np.round(lon, 3), np.round(lat, 3)
    standoff = np.min([distance_to_territory_m(lon, lat, code) for code in BORDER_NATIONS], axis=0)
    clear = np.flatnonzero(standoff >= FRONT_STANDOFF_KM * KM_TO_M)
    if clear.size == 0:
        return None
    return (float(lon[clear[0]]), float(lat[clear[0]]))


def _nearest_base(point: tuple[float, float]) -> tuple[float, float]:
    """Return the position of the base of :data:`AIR_BASES` nearest ``point``."""
    lon, lat = np.array(list(AIR_BASES.values()), dtype=np.float64).T
    distance = np.asarray(geodesic_distance_m(lon, lat, point[0], point[1]))
    return list(AIR_BASES.values())[int(np.argmin(distance))]


def _passage_s(
    route: ThreatRoute,
    station: tuple[float, float],
    waves: list[dict[str, Any]],
    speed: dict[str, float],
) -> tuple[float, float]:
    """When the line's missiles can pass its station (s after the raid start): first, last."""
    first, last = math.inf, -math.inf
    for wave in waves:
        if wave["threat"] not in STRATEGIC_CRUISE or wave["launch_site"] != route.site:
            continue
        if route.target not in wave["targets"]:
            continue
        flight = float(geodesic_distance_m(*route.start, *station)) / speed[wave["threat"]]
        start = wave["launch_time_min"] * 60.0
        end = start + wave["launch_spacing_s"] * max(wave["count"] - 1, 0)
        first = min(first, start + flight)
        last = max(last, end + 2.0 * wave["launch_jitter_s"] + flight)  # 2 sd of the jitter
    return first, last


def fighter_pairs(missiles: int) -> int:
    """Return the pairs scrambled against ``missiles`` strategic cruise missiles (the module)."""
    return min(math.ceil(missiles / CRUISE_PER_PAIR), MAX_PAIRS)


def fighter_patrols(
    waves: list[dict[str, Any]],
    launch_sites: dict[str, tuple[float, float]],
    asset_points: dict[str, tuple[float, float]],
    catalog: Catalog,
    *,
    network: str = "ua",
) -> list[dict[str, Any]]:
    """Return the night's fighter patrols (scenario ``air_patrols`` dicts; see the module)."""
    routes = threat_routes(waves, launch_sites, asset_points, STRATEGIC_CRUISE)
    missiles = sum(r.count for r in routes)
    stations = [_station(r) for r in routes]
    covered = [(r, p) for r, p in zip(routes, stations, strict=True) if p is not None]
    if missiles == 0 or not covered:
        return []
    pairs = fighter_pairs(missiles)
    shares = split_count(pairs, [float(r.count) for r, _ in covered])
    plane = catalog.aircraft_type(AIRCRAFT_TYPE)
    speed = {key: catalog.threats[key].speed_mps for key in STRATEGIC_CRUISE}
    patrols: list[dict[str, Any]] = []
    for (route, station), n_pairs in zip(covered, shares, strict=True):
        if n_pairs == 0:
            continue
        base = _nearest_base(station)
        first, last = _passage_s(route, station, waves, speed)
        lead = STATION_LEAD_MIN * 60.0
        on_s, off_s = first - lead, last + lead
        transit = float(geodesic_distance_m(*base, *station)) / plane.cruise_speed_mps
        sorties = max(math.ceil((off_s - on_s) / plane.time_on_station_s), 1)
        patrols.append(
            {
                "id": f"{FIGHTER_PATROL_PREFIX}{len(patrols):02d}",
                "nation": "UA",
                "aircraft_type": AIRCRAFT_TYPE,
                "base": {"lon_deg": base[0], "lat_deg": base[1]},
                "station": {
                    "position": {"lon_deg": station[0], "lat_deg": station[1]},
                    "commit_radius_km": COMMIT_RADIUS_KM,
                },
                "aircraft": AIRCRAFT_PER_PAIR * n_pairs,
                "sorties": sorties,
                "first_takeoff_min": round((on_s - transit) / 60.0, 1),
                "loadout": dict(LOADOUT),
                "engages": ["cruise"],
                "wait_for_cheaper_weapon": False,
                "networks": [network],
                "label": f"notional patrol on the cruise route {route.site} -> {route.target}",
            }
        )
    return patrols
