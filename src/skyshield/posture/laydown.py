"""The night model's raid and national defence posture: one report night as a scenario.

A report night gives launched counts per class (drone, cruise, ballistic). :func:`night_scenario`
turns them into a raid flown from the usual launch areas at the usual targets against a
notional, labelled laydown of Ukraine's defences (``LAYDOWN``): every position, stock and
split below is an illustrative assumption, never a claim about real deployments. What the
calibration fits is not this laydown but multipliers on it (:mod:`skyshield.calibration.model`):
the share of each system family that is effectively in action, kill probabilities and
electronic-warfare intensity.

Doctrine: long-range SAMs engage only missiles; medium-range SAMs (NASAMS, IRIS-T, Buk, F-16)
hold rounds for cruise missiles (:data:`CRUISE_HOLD_SHARE`), firing at drones and ballistic
missiles only above that floor. Without that rule the calibrated model lost a fifth of its
cruise interceptions on 400-drone nights (0.85 -> 0.66 of launched at the 2025-Q1 medians)
while the reports show no such fall (2024-07 -> 2025-06, nights with >= 5 cruise missiles: 0.82
neutralised with < 50 drones, 0.87 with >= 300).

Launch areas follow the Air Force reports' usual wording ("Kursk", "Bryansk", "Oryol",
"Primorsko-Akhtarsk", "Hvardiiske" in Crimea for Shahed-type drones; Tu-95MS over the Volga /
Caspian area for Kh-101, ships in the Black Sea for Kalibr; Kursk, Belgorod and Crimea for
Iskander-M, MiG-31K for Kinzhal). Decoys are not separated in the reports, so Shahed-type
threats fly as Shaheds and the night model marks a fitted share of them as decoys.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from skyshield.catalog import load_catalog
from skyshield.geo import NO_NATION, geodesic_distance_m, territory_codes
from skyshield.geo.cities import find_city
from skyshield.posture.fighters import fighter_patrols
from skyshield.posture.routes import (
    interleave,
    route_units,
    short_mix,
    split_count,
    threat_routes,
)
from skyshield.scenario import Scenario
from skyshield.scenario.notional import UA_EARLY_WARNING_SPOTS, city_ew_zones, early_warning_radar

if TYPE_CHECKING:
    from skyshield.posture.geography import NightGeography

__all__ = [
    "AIR_FAMILY",
    "CRUISE_HOLD_SHARE",
    "FAMILIES",
    "LAUNCHED_AT_SEA",
    "LAUNCH_AREAS",
    "LAYDOWN",
    "TACTICAL_CRUISE_MODELS",
    "TACTICAL_THREAT",
    "NightComposition",
    "NightPlaces",
    "allied_blocks",
    "city_point",
    "night_scenario",
    "night_waves",
    "scenario_places",
    "split_count",
]


@dataclass(frozen=True, slots=True)
class NightComposition:
    """Threats launched in one night, per class of the reports."""

    drone: int  # Shahed-type, decoys included
    cruise: int  # all cruise missiles, tactical ones included
    ballistic: int
    tactical: int = 0  # of the cruise missiles, tactical ones (Kh-59/69, Iskander-K, Kh-35)

    def __post_init__(self) -> None:
        if not 0 <= self.tactical <= self.cruise:
            msg = f"tactical cruise missiles between 0 and cruise ({self.cruise}): {self.tactical}"
            raise ValueError(msg)

    @property
    def total(self) -> int:
        """Threats launched in all classes."""
        return self.drone + self.cruise + self.ballistic


# System families whose effective share the calibration fits.
FAMILIES = ("long", "medium", "short")
FAMILY_OF_SYSTEM = {
    "patriot-pac3-mse": "long",
    "patriot-gem-t": "long",
    "samp-t": "long",
    "s-300": "long",
    "nasams": "medium",
    "iris-t-slm": "medium",
    "buk-m1": "medium",
    "f-16": "medium",
    "gepard": "short",
    "mobile-fire-group": "short",
    "interceptor-drone": "short",
}
# The family of aircraft on patrol (air_patrols: the night's fighters, .fighters): sized with
# the medium-range SAMs up to 1 (calibration.model.aircraft_size). The laydown's ground "f-16"
# unit at Kyiv stays: a standing fighter cover of the capital all night against drones and
# missiles (the patrols fly only on the strategic missiles' approaches, while they pass).
AIR_FAMILY = "medium"

# Notional laydown: defended city -> systems placed around it (one unit each, ~15 km apart).
# Cities are oblast centres hit most often in the reports; the mix favours the capital.
# Patriot and SAMP/T stand only where their cover is publicly reported (posture.cover: Kyiv;
# "deployed to protect Kyiv", RBC-Ukraine 2024-05-02, Odesa lacking them). Issue 23 moved the
# Patriots of Lviv and Dnipro and the SAMP/T of Odesa here: the reports' ballistic nights at
# Odesa were neutralised 1 in ~26, which a laydown with a SAMP/T there could not fit.
LAYDOWN: dict[str, tuple[str, ...]] = {
    "Kyiv": (
        "patriot-pac3-mse",
        "patriot-gem-t",
        "patriot-gem-t",  # was Lviv's (issue 23, see above)
        "patriot-pac3-mse",  # was Dnipro's
        "samp-t",  # was Odesa's
        "nasams",
        "iris-t-slm",
        "s-300",
        "f-16",
        "gepard",
        "gepard",
        "mobile-fire-group",
        "mobile-fire-group",
        "mobile-fire-group",
        "interceptor-drone",
        "interceptor-drone",
    ),
    "Lviv": ("iris-t-slm", "gepard", "mobile-fire-group", "interceptor-drone"),
    "Odesa": (
        "iris-t-slm",
        "s-300",
        "gepard",
        "mobile-fire-group",
        "mobile-fire-group",
        "interceptor-drone",
    ),
    "Kharkiv": ("s-300", "buk-m1", "gepard", "mobile-fire-group", "mobile-fire-group"),
    "Dnipro": ("nasams", "s-300", "gepard", "mobile-fire-group"),
    "Zaporizhzhya": ("s-300", "buk-m1", "gepard", "mobile-fire-group", "mobile-fire-group"),
    "Mykolayiv": ("s-300", "gepard", "mobile-fire-group"),
    "Poltava": ("buk-m1", "mobile-fire-group", "mobile-fire-group"),
    "Sumy": ("buk-m1", "mobile-fire-group", "mobile-fire-group"),
    "Chernihiv": ("s-300", "mobile-fire-group", "mobile-fire-group"),
    "Kryvyy Rih": ("s-300", "gepard", "mobile-fire-group"),
    "Vinnytsya": ("nasams", "mobile-fire-group", "mobile-fire-group"),
    "Khmelnytskyi": ("buk-m1", "mobile-fire-group"),
    "Zhytomyr": ("s-300", "mobile-fire-group", "mobile-fire-group"),
    "Cherkasy": ("buk-m1", "mobile-fire-group"),
    "Kropyvnytskyi": ("s-300", "mobile-fire-group"),
    "Rivne": ("mobile-fire-group", "mobile-fire-group"),
    "Ivano-Frankivsk": ("iris-t-slm", "mobile-fire-group"),
}

# Default targets per group, for a night whose report names none, with their weights (a
# group's threats are split over its targets in proportion: night_waves). No public source
# gives where the drones or ballistic missiles of an unnamed night went, so their defended
# cities weigh alike (the weights before session 10, 3 for Kyiv, Odesa and Kharkiv, were
# illustrative and never applied: every target took an equal share, as now; only the order in
# which a wave deals them changed, from list order to name order).
DRONE_TARGETS = dict.fromkeys(LAYDOWN, 1.0)
# Strategic cruise missiles (Kh-101, Kalibr): how many of 20 big combined strikes (2024-03-22
# to 2025-06-29) named a laydown city's oblast as hit or targeted, from Ukrainian officials'
# reports (the nights, oblasts and sources: docs/calibration.md, "Where the strategic cruise
# missiles go"). An oblast's count goes to its laydown cities in equal parts (Dnipropetrovsk:
# Dnipro and Kryvyi Rih); Kyiv is the city's count (9), not the oblast's (8: sites ~40 km out,
# beyond the city's ring of defences); oblasts without a laydown city (Volyn, Ternopil,
# Chernivtsi, Zakarpattia) are left out. The counts are of whole combined strikes, drones
# included (no source splits a night's missiles by target), and weigh the energy campaign in the
# regions: Kyiv was the main target on 3 of the 20 nights. They replace weights that put Kyiv at
# 4 of 11 (illustrative, never applied: every target took an equal share).
MISSILE_TARGETS = {
    "Ivano-Frankivsk": 13.0,
    "Lviv": 12.0,
    "Kharkiv": 11.0,
    "Poltava": 10.0,
    "Kyiv": 9.0,
    "Khmelnytskyi": 8.0,
    "Zaporizhzhya": 8.0,
    "Kropyvnytskyi": 8.0,
    "Vinnytsya": 7.0,
    "Sumy": 6.0,
    "Odesa": 6.0,
    "Dnipro": 5.0,
    "Kryvyy Rih": 5.0,
    "Mykolayiv": 5.0,
    "Rivne": 4.0,
    "Zhytomyr": 4.0,
    "Cherkasy": 4.0,
    "Chernihiv": 3.0,
}
BALLISTIC_TARGETS = dict.fromkeys(
    ("Kyiv", "Kharkiv", "Dnipro", "Odesa", "Sumy", "Zaporizhzhya", "Poltava", "Chernihiv"), 1.0
)

# Launch areas (approximate positions of the places the reports name).
LAUNCH_AREAS = {
    "kursk": (36.19, 51.73),
    "bryansk": (34.36, 53.25),
    "oryol": (36.08, 52.97),
    "primorsko-akhtarsk": (38.18, 46.05),
    "hvardiiske": (34.02, 45.11),
    # Kh-101 carriers: Tu-95MS from Astrakhan launching "over the Caspian Sea" (Air Force
    # spokesman Yurii Ihnat, https://vechirniy.kyiv.ua/news/68207/). The point is an
    # assumption within that area: the northern Caspian ~100 km from any shore in the shipped
    # borders (a test keeps it at sea). It was (47.0, 46.5), on land west of Astrakhan.
    "caspian": (49.0, 44.5),
    "black-sea": (33.0, 44.3),
    "belgorod": (36.59, 50.6),
    "crimea": (34.1, 45.0),
    "mig31k-lipetsk": (39.6, 52.6),
    "zaporizhzhia-front": (35.37, 46.85),  # occupied Zaporizhzhia oblast, near Melitopol
}
# The catalog type that flies the tactical cruise missiles of a night.
TACTICAL_THREAT = "kh-59-69"
# (threat type, share of the group, launch areas) per group of threats: the reports' classes,
# with tactical cruise missiles apart from the strategic ones ("cruise" here)
CLASS_MIX: dict[str, tuple[tuple[str, float, tuple[str, ...]], ...]] = {
    "drone": (
        ("shahed-136", 1.0, ("kursk", "bryansk", "oryol", "primorsko-akhtarsk", "hvardiiske")),
    ),
    "cruise": (("kh-101", 0.7, ("caspian",)), ("kalibr", 0.3, ("black-sea",))),
    # Kh-59/69 from aircraft near the border and Iskander-K from the ground: both fly the
    # catalog's kh-59-69 from the border areas the reports name for them
    "tactical": ((TACTICAL_THREAT, 1.0, ("belgorod", "kursk", "zaporizhzhia-front")),),
    "ballistic": (
        ("iskander-m", 0.8, ("kursk", "belgorod", "crimea")),
        ("kinzhal", 0.2, ("mig31k-lipetsk",)),
    ),
}
# Cruise types fired from ships and submarines: on a night whose report names launch places,
# they fly only from the places at sea, and the air-launched Kh-101 (Tu-95MS / Tu-160) only from
# those on land; a type none of the night's places fits flies from its default area. Before
# (to session 8) every type of the group was split evenly over every place the report named:
# on 2025-05-25 ("Saratov oblast" and the Black Sea) 19 Kh-101 flew from the Black Sea and 8
# Kalibr from Engels, from where they reached only Kharkiv.
LAUNCHED_AT_SEA = frozenset({"kalibr"})
# Weapon names of the reports (``model`` cells, split at " and ") that are tactical cruise
# missiles: air-launched Kh-59/69 and Kh-35, ground-launched Iskander-K. A report row counts as
# tactical only when every weapon it names is; rows mixing them with Kh-101 or Kalibr count
# as strategic (4 nights from 2024-07 to 2025-06).
TACTICAL_CRUISE_MODELS = frozenset({"X-59/X-69", "X-59", "X-69", "X-59MK2", "Iskander-K", "X-35"})
# Tactical cruise missiles strike cities near the front (their range keeps them there).
TACTICAL_TARGETS = dict.fromkeys(
    ("Kharkiv", "Sumy", "Poltava", "Dnipro", "Zaporizhzhya", "Odesa", "Mykolayiv"), 1.0
)
TARGETS = {
    "drone": DRONE_TARGETS,
    "cruise": MISSILE_TARGETS,
    "tactical": TACTICAL_TARGETS,
    "ballistic": BALLISTIC_TARGETS,
}
# Raid timing (hours after the raid start): drones launched over the first hours, missiles
# timed to arrive together near the end, as in the combined strikes of 2024-2025.
LAUNCH_WINDOW_H = {
    "drone": (0.0, 5.0),
    "cruise": (4.0, 5.0),
    "tactical": (6.0, 6.5),
    "ballistic": (6.5, 7.0),
}
# The cruise hold of medium-range SAMs (``reserve_for: {cruise: n}`` of each unit): n =
# floor(CRUISE_HOLD_SHARE x the system's FULL catalog load, launchers x rounds per launcher).
# It is a floor in rounds, counted from the full load, not a share of the rounds a unit holds:
# a unit with more rounds fires at drones and ballistic missiles only down to n; a unit issued
# n rounds or fewer (a campaign's depleted stock, a user's ``stock``) keeps them all for cruise
# missiles. That is the doctrine meant here, not an accident: interceptors that cannot be
# replaced soon are spent on the missiles only they can stop, and fewer rounds make that more
# pressing, not less. In the night model every unit starts fully loaded, so the floor is half
# of what it holds. Basis: the reports above (cruise missiles' neutralised share does not fall
# on big drone nights); no public source gives the share, so 0.5 is an assumption. Its side
# effect in campaigns: a tracked medium SAM whose units are issued few rounds fires only at
# cruise missiles, which lowers its stock-out probability (IRIS-T's 0.00 in the built-in
# campaign is partly this, as issue 23's audit found).
CRUISE_HOLD_SHARE = 0.5
MAX_SPACING_S = 3600.0  # the scenario format's limit
# A report's target within this distance of a laydown city is that city (its defences and EW
# zone); farther, it is a target of its own (assumption: a city's 15 km ring of defences and
# 40 km EW zone cover its suburbs, not a town 25 km out).
TARGET_SNAP_KM = 25.0
# Shortest launch span of a group whose report window is shorter than its flight (assumption).
MIN_LAUNCH_SPAN_H = 0.5
RANGE_MARGIN = 0.85  # a target counts as reachable within 85% of the type's range


def allied_blocks(allies: Scenario, nations: tuple[str, ...]) -> dict[str, Any]:
    """Take the nations, networks, sensors and fire units of ``nations`` from a policy scenario.

    Added to a night scenario, they put an ally's defences and rules of engagement (zone,
    buffer, heading rule, delay, caps) next to the national posture.
    """
    dump = allies.model_dump(mode="json", exclude_none=True)
    units = [u for u in dump["fire_units"] if u["nation"] in nations]
    sensors = [x for x in dump["sensors"] if x["nation"] in nations]
    used = {n for item in (*units, *sensors) for n in item.get("networks", [])}
    return {
        "nations": {code: dump["nations"][code] for code in nations},
        "networks": {key: dump["networks"][key] for key in used if key in dump["networks"]},
        "sensors": sensors,
        "fire_units": units,
    }


@functools.lru_cache(maxsize=1 << 16)
def _distance_m(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Geodesic distance between two points (degrees in, metres out), kept.

    The places of the laydown, the report table and a design's geographies recur from night
    to night (issue #20: a calibration design asked for thousands of the same distances).
    """
    return float(geodesic_distance_m(lon0, lat0, lon1, lat1))


def _reachable(
    site: tuple[float, float], targets: dict[str, tuple[float, float]], range_m: float
) -> list[str]:
    names = []
    for name, (lon, lat) in targets.items():
        distance = _distance_m(site[0], site[1], lon, lat)
        if distance <= RANGE_MARGIN * range_m:
            names.append(name)
    return names


def _city_points(names: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Asset name -> (lon, lat) of the laydown's defended cities."""
    return {name: city_point(name) for name in names}


@functools.cache
def city_point(name: str) -> tuple[float, float]:
    """(lon, lat) of a Ukrainian city of the gazetteer (:func:`skyshield.geo.cities.find_city`)."""
    city = find_city(name, "UA")
    return (city.lon_deg, city.lat_deg)


@dataclass(frozen=True, slots=True)
class NightPlaces:
    """A night's launch sites and targets per group, and what the scenario must add for them."""

    sites: dict[str, tuple[str, ...] | None]  # group -> the night's launch sites (None: mix's)
    targets: dict[str, dict[str, tuple[float, float]]]  # group -> asset name -> point
    windows: dict[str, tuple[float, float]]  # group -> reported window (hours)
    launch_sites: dict[str, tuple[float, float]]  # every site used -> point
    assets: dict[str, tuple[float, float]]  # positioned assets beyond the laydown's cities
    # appended (issue 23): group -> the night's weights of its CLASS_MIX types (none: the mix's)
    mix: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # appended (session 10): group -> the weights of the targets its report names (alike, 1);
    # any other target weighs as in TARGETS (target_weight)
    weights: dict[str, dict[str, float]] = field(default_factory=dict)

    def target_weight(self, group: str, asset: str) -> float:
        """Return ``asset``'s weight in ``group``: the night's, else :data:`TARGETS`', else 1."""
        night = self.weights.get(group, {})
        return night[asset] if asset in night else TARGETS.get(group, {}).get(asset, 1.0)


def _asset_name(name: str, lon: float, lat: float) -> str:
    """Return a laydown city within :data:`TARGET_SNAP_KM` of the point, else a positioned asset."""
    for city in LAYDOWN:
        c = city_point(city)
        if _distance_m(lon, lat, c[0], c[1]) <= TARGET_SNAP_KM * 1000.0:
            return city
    slug = re.sub(r"[^A-Za-z0-9 _.'()/-]", "", name).strip()[:50] or "place"
    return f"report {slug} {lon:.2f} {lat:.2f}"


def scenario_places(geography: NightGeography | None) -> NightPlaces:
    """Each group's launch sites and targets: the night's own where the report names them."""
    sites: dict[str, tuple[str, ...] | None] = dict.fromkeys(CLASS_MIX)
    targets = {cls: _city_points(weights) for cls, weights in TARGETS.items()}
    weights: dict[str, dict[str, float]] = {}
    launch_sites = dict(LAUNCH_AREAS)
    assets: dict[str, tuple[float, float]] = {}
    windows: dict[str, tuple[float, float]] = {}
    if geography is not None:
        for cls, points in geography.launch.items():
            names = []
            for lon, lat in points:
                name = f"report {lon:.2f} {lat:.2f}"
                launch_sites[name] = (lon, lat)
                names.append(name)
            sites[cls] = tuple(dict.fromkeys(names))
        for cls, named in geography.targets.items():
            own: dict[str, tuple[float, float]] = {}
            for name, lon, lat in named:
                asset = _asset_name(name, lon, lat)
                if asset in LAYDOWN:
                    own[asset] = _city_points({asset: 1.0})[asset]
                else:
                    assets[asset] = own[asset] = (lon, lat)
            targets[cls] = own
            weights[cls] = dict.fromkeys(own, 1.0)
        windows = dict(geography.window_h)
    mix = dict(geography.mix) if geography is not None else {}
    return NightPlaces(sites, targets, windows, launch_sites, assets, mix, weights)


def _flight_h(
    sites: list[tuple[float, float]], targets: list[tuple[float, float]], speed_mps: float
) -> float:
    """Median straight-line flight time (hours) from the sites to the targets."""
    distances = [_distance_m(a[0], a[1], b[0], b[1]) for a in sites for b in targets]
    return float(np.median(distances)) / speed_mps / 3600.0


def _launch_window_h(
    cls: str, places: NightPlaces, threats: list[str], speeds: dict[str, float]
) -> tuple[float, float]:
    """Return the group's launch window: the default, or the report's window less the flight time.

    The reports give when threats were in the air (first detected to the end of the attack);
    launches run from its start until the last threats, flying the median distance from the
    night's sites to its targets at their catalog speed, would arrive at its end (at least
    :data:`MIN_LAUNCH_SPAN_H`).
    """
    window = places.windows.get(cls)
    if window is None:
        return LAUNCH_WINDOW_H[cls]
    start_h, end_h = window
    own = places.sites[cls]
    names = own if own is not None else [s for _, _, group in CLASS_MIX[cls] for s in group]
    sites = [places.launch_sites[s] for s in names]
    points = list(places.targets[cls].values())
    flight = max(_flight_h(sites, points, speeds[t]) for t in threats)
    return start_h, max(start_h + MIN_LAUNCH_SPAN_H, end_h - flight)


def night_waves(
    composition: NightComposition,
    ranges_m: dict[str, float],
    places: NightPlaces,
    speeds: dict[str, float],
) -> list[dict[str, Any]]:
    """Return the raid's waves (scenario dicts) for a night's counts, places and speeds.

    Per class of :data:`CLASS_MIX`, its count is split over the types (the night's own mix in
    ``places.mix``, else the fixed one) and each type's over its launch sites (ballistic types
    only from sites within reach of a target, ``ranges_m``), launched evenly over the class's
    window (from ``speeds``, m/s per threat type:
    :func:`~skyshield.posture.geography.threat_speeds`). What :func:`night_scenario` flies;
    the campaigns build their own ballistic waves with it.
    """
    waves: list[dict[str, Any]] = []
    counts = {
        "drone": composition.drone,
        "cruise": composition.cruise - composition.tactical,
        "tactical": composition.tactical,
        "ballistic": composition.ballistic,
    }
    for cls, mix in CLASS_MIX.items():
        count = counts[cls]
        if count == 0:
            continue
        night_sites = places.sites[cls]
        night_targets = places.targets[cls]  # the night's own, or the fixed mix
        start_h, end_h = _launch_window_h(cls, places, [m[0] for m in mix], speeds)
        weights = places.mix.get(cls) or [m[1] for m in mix]  # the night's own types (#23)
        for (threat, _, mix_sites), n_type in zip(
            mix, split_count(count, list(weights)), strict=True
        ):
            sites = mix_sites if night_sites is None else night_sites
            if cls == "cruise" and night_sites is not None:  # ships at sea, bombers on land
                sites = _sites_of_platform(threat, sites, places) or mix_sites
            if cls == "ballistic":  # issue 23: fired from where the type reaches its targets
                sites = _sites_in_reach(sites, places, night_targets, ranges_m[threat])
            for site, n_site in zip(sites, split_count(n_type, [1.0] * len(sites)), strict=True):
                if n_site == 0:
                    continue
                reachable = _targets_from(
                    places.launch_sites[site], night_targets, cls, ranges_m[threat]
                )
                # the targets in proportion to their weights, dealt in turn (the compiler
                # sends a wave's k-th threat at targets[k % len(targets)]); the shortest cycle
                shares = split_count(n_site, [places.target_weight(cls, t) for t in reachable])
                cycle = math.gcd(*shares)
                dealt = zip(reachable, shares, strict=True)
                targets = interleave({t: n // cycle for t, n in dealt if n})
                spacing_s = min((end_h - start_h) * 3600.0 / n_site, MAX_SPACING_S)
                waves.append(
                    {
                        "threat": threat,
                        "count": n_site,
                        "launch_site": site,
                        "launch_time_min": start_h * 60.0,
                        "launch_spacing_s": round(spacing_s, 1),
                        "launch_jitter_s": 120.0,
                        "route_jitter_km": 30.0 if cls == "drone" else 15.0,
                        "targets": targets,
                    }
                )
    return waves


def _sites_of_platform(threat: str, sites: tuple[str, ...], places: NightPlaces) -> tuple[str, ...]:
    """Return the sites a cruise type's carrier launches from: at sea for ships, else on land."""
    lon, lat = np.array([places.launch_sites[s] for s in sites], dtype=np.float64).T
    at_sea = territory_codes(lon, lat) == NO_NATION
    return tuple(
        s for s, sea in zip(sites, at_sea, strict=True) if sea == (threat in LAUNCHED_AT_SEA)
    )


def _sites_in_reach(
    sites: tuple[str, ...],
    places: NightPlaces,
    targets: dict[str, tuple[float, float]],
    range_m: float,
) -> tuple[str, ...]:
    """Return the sites from which the type reaches one of the targets (all if none does).

    A ballistic missile is fired from a launcher within its reach of the target (issue 23): a
    report naming several launch areas (e.g. "Bryansk and Voronezh oblast" on 2024-12-20, when
    Iskander-M/KN-23 struck Kyiv) does not fire the Iskander-M (500 km) from the one ~620 km
    out, where it could only be retargeted at another city. Without this, one Iskander-M in
    three of the default areas (Belgorod, Crimea) could never reach Kyiv: the model's share
    neutralised at a Patriot-covered Kyiv topped out at ~0.5 whatever the kill probability.
    """
    near = tuple(s for s in sites if _reachable(places.launch_sites[s], targets, range_m))
    return near or sites


def _targets_from(
    point: tuple[float, float], targets: dict[str, tuple[float, float]], cls: str, range_m: float
) -> list[str]:
    """Return the targets in range of a point: the night's, else the defaults, else nearest.

    A default target that is not one of the night's weighs as in :data:`TARGETS` (a night's
    named targets alike: :attr:`NightPlaces.weights`).
    """
    reachable = _reachable(point, targets, range_m)
    if not reachable:  # the night's targets are out of range from here
        reachable = _reachable(point, _city_points(TARGETS[cls]), range_m)
    if not reachable:
        distance = {n: _distance_m(point[0], point[1], *p) for n, p in targets.items()}
        reachable = [min(distance, key=lambda n: float(distance[n]))]
    return reachable


def _laydown_units(loads: dict[str, int]) -> list[dict[str, Any]]:
    units = []
    for city_name, systems in LAYDOWN.items():
        city = find_city(city_name, "UA")
        for j, system in enumerate(systems):
            if FAMILY_OF_SYSTEM[system] == "long":
                # ~4 km south-west of the centre: the sector radar faces the north-east axis,
                # so a threat diving onto the city stays in front of it
                angle, radius_deg = np.radians(225.0 + 10.0 * j), 0.04
            else:  # a ~15 km ring around the city
                angle, radius_deg = 2.0 * np.pi * j / len(systems), 0.15
            unit: dict[str, Any] = {
                "id": f"ua-{city_name.lower().replace(' ', '-')}-{j:02d}-{system}",
                "system": system,
                "nation": "UA",
                "position": {
                    "lon_deg": round(city.lon_deg + radius_deg * np.cos(angle) * 1.5, 3),
                    "lat_deg": round(city.lat_deg + radius_deg * np.sin(angle), 3),
                },
                "networks": ["ua"],
                "label": "notional position",
            }
            if FAMILY_OF_SYSTEM[system] == "long":
                unit["engages"] = ["cruise", "supersonic", "ballistic"]
                unit["radar_azimuth_deg"] = 60.0  # facing the north-east threat axis
            elif FAMILY_OF_SYSTEM[system] == "medium":
                # missiles first: a floor of rounds held for cruise (CRUISE_HOLD_SHARE)
                load = loads[system]
                unit["reserve_for"] = {"cruise": math.floor(CRUISE_HOLD_SHARE * load)}
            units.append(unit)
    return units


def night_scenario(
    composition: NightComposition,
    *,
    replications: int = 32,
    seed: int = 1,
    route_sets: int = 4,
    time_step_s: float = 10.0,
    allies: dict[str, Any] | None = None,
    geography: NightGeography | None = None,
    route_pool: bool = True,
    ballistic: tuple[list[dict[str, Any]], dict[str, tuple[float, float]]] | None = None,
    fighters: bool = True,
) -> Scenario:
    """One report night as a scenario: its raid against the notional national posture.

    EW zones of 40 km surround every defended city (notional). ``time_step_s`` is coarser than
    the scenario default: a night model runs the engine thousands of times. ``allies``
    (:func:`allied_blocks`) adds allied nations with their units, sensors and networks.
    ``geography`` (:func:`~skyshield.posture.geography.night_geographies`): the night's own
    launch places, targets and launch windows, group by group; a group it does not give keeps
    the defaults (:data:`CLASS_MIX`, :data:`TARGETS`, :data:`LAUNCH_WINDOW_H`).
    ``route_pool``: add the low-cost units on the night's drone routes
    (:mod:`skyshield.posture.routes`), last among the fire units; the night model switches them
    on with the raid's tasking (none at ``tasking_beta`` 0).
    ``ballistic``: (waves, launch sites) that replace the ballistic waves, for a campaign's
    own aim (:func:`skyshield.campaigns.ballistic.ballistic_waves`); the night model never
    passes it.
    ``fighters``: add the fighter patrols flown against the night's strategic cruise missiles
    (:mod:`skyshield.posture.fighters`), after any allied patrols.
    """
    catalog = load_catalog()
    ranges = {key: t.range_m for key, t in catalog.threats.items()}
    speeds = {key: t.speed_mps for key, t in catalog.threats.items()}
    places = scenario_places(geography)
    waves = night_waves(composition, ranges, places, speeds)
    if ballistic is not None:  # a campaign's own ballistic aim (campaigns.ballistic)
        kinds = {threat for threat, _, _ in CLASS_MIX["ballistic"]}
        waves = [w for w in waves if w["threat"] not in kinds] + ballistic[0]
        places = dataclasses.replace(places, launch_sites={**places.launch_sites, **ballistic[1]})
    assets: dict[str, Any] = {name: {"city": name, "country": "UA"} for name in LAYDOWN}
    for name, (lon, lat) in places.assets.items():
        assets[name] = {"position": {"lon_deg": lon, "lat_deg": lat}}
    data: dict[str, Any] = {
        "name": (
            f"night-d{composition.drone}-c{composition.cruise}-b{composition.ballistic}"
            f"-t{composition.tactical}"
        ),
        "description": "A report night's raid against the notional national posture.",
        "notional": True,
        "nations": {"UA": {"name": "Ukraine", "roe": {"zone": {"kind": "own"}}}},
        "assets": assets,
        "networks": {"ua": {"description": "Ukrainian national air picture"}},
        "sensors": [
            early_warning_radar(f"ua-ew-radar-{i}", "UA", lon, lat, ["ua"])
            for i, (lon, lat) in enumerate(UA_EARLY_WARNING_SPOTS)
        ],
        "ew_zones": city_ew_zones(LAYDOWN),
        "fire_units": _laydown_units(
            {key: s.launchers * s.rounds_per_launcher for key, s in catalog.systems.items()}
        ),
        "raid": {
            "launch_sites": {
                k: {"lon_deg": v[0], "lat_deg": v[1]} for k, v in places.launch_sites.items()
            },
            "waves": waves,
        },
        "monte_carlo": {
            "replications": replications,
            "seed": seed,
            "route_sets": route_sets,
        },
        "engine": {"time_step_s": time_step_s},
    }
    for key, value in (allies or {}).items():
        if isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = [*data[key], *value]
    targets = {**_city_points(dict.fromkeys(LAYDOWN, 1.0)), **places.assets}
    if route_pool:  # appended after every other unit (allies' too): the night model's pool
        routes = threat_routes(
            waves,
            places.launch_sites,
            targets,
            frozenset(threat for threat, _, _ in CLASS_MIX["drone"]),
        )
        short = frozenset(s for s, f in FAMILY_OF_SYSTEM.items() if f == "short")
        data["fire_units"] = [*data["fire_units"], *route_units(routes, short_mix(LAYDOWN, short))]
    if fighters:  # the fighters flown against the strategic cruise missiles (.fighters)
        patrols = fighter_patrols(waves, places.launch_sites, targets, catalog)
        data["air_patrols"] = [*data.get("air_patrols", []), *patrols]
    return Scenario.model_validate(data)
