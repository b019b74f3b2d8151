"""A report night's own geography: where its threats came from, what they struck, and when.

The reports name launch places (``launch_place``), targets (``target``, ``target_main``) and
the oblasts hit (``affected region``); :mod:`skyshield.reports.places` locates them (a point
per name, or none with the reason). :func:`night_geographies` gathers them per report night
and group of the night model (``drone``, ``cruise``, ``tactical``, ``ballistic``: the report
classes, with tactical cruise missiles apart, :data:`~skyshield.posture.laydown.CLASS_MIX`):

* ``launch``: the located launch points of the group's rows that night;
* ``targets``: the located targets in Ukraine of the group's rows (name and point);
* ``window_h``: the group's reported window (earliest ``time_start`` to latest ``time_end``
  of its rows), in hours after the night's earliest ``time_start``; only where both cells
  give a time of day.

A group without any located place in a role, or without a clocked window, is left out of
that mapping: :func:`~skyshield.posture.laydown.night_scenario` then uses the fixed defaults
for it (:data:`~skyshield.posture.laydown.CLASS_MIX` launch areas, ``TARGETS`` mix,
``LAUNCH_WINDOW_H``), class by class. :func:`geography_coverage` counts how often each case
happens.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from skyshield.catalog import load_catalog
from skyshield.geo import geodesic_distance_m
from skyshield.posture.cover import BALLISTIC_DEFENCE_SYSTEMS, covered_sites, patriot_covered
from skyshield.posture.laydown import (
    CLASS_MIX,
    FAMILY_OF_SYSTEM,
    LAYDOWN,
    RANGE_MARGIN,
    TACTICAL_CRUISE_MODELS,
    NightComposition,
    NightPlaces,
    _launch_window_h,
    city_point,
    night_waves,
    scenario_places,
)
from skyshield.posture.routes import dealt_targets
from skyshield.reports import load_reports
from skyshield.reports.places import night_places, row_windows
from skyshield.reports.weapons import split_model

__all__ = [
    "BALLISTIC_DEFENCE_SYSTEMS",
    "GEOGRAPHY_FEATURES",
    "GEOGRAPHY_OF_CLASS",
    "GROUPS",
    "NightGeography",
    "ballistic_mixes",
    "covered_cities",
    "geography_coverage",
    "geography_features",
    "group_of",
    "night_geographies",
    "reach_ballistic",
    "threat_speeds",
]

GROUPS = ("drone", "cruise", "tactical", "ballistic")
# longest reported window read as one night's (a longer one is a typo or a multi-day summary)
MAX_WINDOW_H = 24.0


@dataclass(frozen=True, slots=True)
class NightGeography:
    """One night's places and timing per group (a group missing: the model's default)."""

    # group -> launch points (lon, lat), in the order the reports first name them
    launch: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    # group -> targets (name as reported, lon, lat)
    targets: dict[str, tuple[tuple[str, float, float], ...]] = field(default_factory=dict)
    # group -> reported window (start, end), hours after the night's earliest start
    window_h: dict[str, tuple[float, float]] = field(default_factory=dict)
    # appended (issue 23): group -> launched per threat type of CLASS_MIX[group] that night, as
    # the report's model cells name them (ballistic: "X-47 Kinzhal" rows fly kinzhal, the rest
    # Iskander-M/KN-23); a group missing: CLASS_MIX's shares
    mix: dict[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when no group has a place or a window of its own."""
        return not (self.launch or self.targets or self.window_h)


def group_of(threat_class: str, model: str) -> str | None:
    """Return a report row's group: its class, ``tactical`` for tactical cruise missiles."""
    if threat_class == "cruise":
        atoms = split_model(model)
        return "tactical" if atoms and all(a in TACTICAL_CRUISE_MODELS for a in atoms) else "cruise"
    return threat_class if threat_class in GROUPS else None


def night_geographies(
    path: Path | None = None, places: pd.DataFrame | None = None
) -> dict[np.datetime64, NightGeography]:
    """Every report night's geography (nights as ``datetime64[D]``), from an attacks file.

    ``path``: the attacks file (default: the shipped copy); ``places``: the place table
    (default: the shipped one). A night with nothing located and no clocked window maps to an
    empty :class:`NightGeography`.
    """
    located = night_places(path, places)
    rows = load_reports(path).rows
    model = {(int(r.line), str(r.threat_class)): str(r.model) for r in rows.itertuples()}
    windows = {
        int(w.line): (w.start, w.end)
        for w in row_windows(path).itertuples()
        if pd.notna(w.start) and pd.notna(w.end)
    }
    launch: dict[pd.Timestamp, dict[str, dict[tuple[float, float], None]]] = {}
    targets: dict[pd.Timestamp, dict[str, dict[tuple[str, float, float], None]]] = {}
    lines: dict[pd.Timestamp, dict[str, set[int]]] = {}
    mixes = ballistic_mixes(rows)
    for r in located.itertuples(index=False):
        group = group_of(str(r.threat_class), model.get((int(r.line), str(r.threat_class)), ""))
        if group is None:
            continue
        lines.setdefault(r.night, {}).setdefault(group, set()).add(int(r.line))
        if r.status != "located":
            continue
        if r.role == "launch":
            point = (float(r.lon_deg), float(r.lat_deg))
            launch.setdefault(r.night, {}).setdefault(group, {})[point] = None
        elif r.country == "UA":
            target = (str(r.name), float(r.lon_deg), float(r.lat_deg))
            targets.setdefault(r.night, {}).setdefault(group, {})[target] = None
    out: dict[np.datetime64, NightGeography] = {}
    for night in sorted(lines):
        groups = lines[night]
        clocked = {g: [windows[n] for n in mine if n in windows] for g, mine in groups.items()}
        starts = [w[0] for ws in clocked.values() for w in ws]
        window: dict[str, tuple[float, float]] = {}
        for group, ws in clocked.items():
            if not ws:
                continue
            start_h = (min(w[0] for w in ws) - min(starts)).total_seconds() / 3600.0
            end_h = (max(w[1] for w in ws) - min(starts)).total_seconds() / 3600.0
            if 0.0 <= start_h < end_h <= MAX_WINDOW_H:
                window[group] = (round(start_h, 3), round(end_h, 3))
        key = np.datetime64(pd.Timestamp(night).date(), "D")
        out[key] = NightGeography(
            launch={g: tuple(p) for g, p in launch.get(night, {}).items()},
            targets={g: tuple(t) for g, t in targets.get(night, {}).items()},
            window_h=window,
            mix={"ballistic": mixes[night]} if night in mixes else {},
        )
    return out


def ballistic_mixes(rows: pd.DataFrame) -> dict[pd.Timestamp, tuple[float, ...]]:
    """Per night, ballistic missiles launched per CLASS_MIX["ballistic"] type, from the rows.

    A row naming "Kinzhal" counts as kinzhal, any other (Iskander-M, KN-23, "Ballistic
    Missile") as iskander-m; a row naming both splits evenly (2024-03-21).
    """
    types = [t for t, _, _ in CLASS_MIX["ballistic"]]
    out: dict[pd.Timestamp, list[float]] = {}
    for r in rows[rows["threat_class"] == "ballistic"].itertuples(index=False):
        atoms = split_model(str(r.model))
        kinzhal = sum("Kinzhal" in a for a in atoms) / max(len(atoms), 1)
        counts = out.setdefault(r.night, [0.0] * len(types))
        counts[types.index("kinzhal")] += float(r.launched) * kinzhal
        counts[types.index("iskander-m")] += float(r.launched) * (1.0 - kinzhal)
    return {night: tuple(c) for night, c in out.items() if sum(c) > 0}


def geography_coverage(
    geographies: dict[np.datetime64, NightGeography],
    groups_launched: dict[np.datetime64, set[str]],
) -> pd.DataFrame:
    """How often each group's launch places, targets and window come from the report.

    ``groups_launched``: per night, the groups with threats that night (only those count).
    Returns one row per group: ``nights`` (with threats of the group), and for ``launch``,
    ``targets`` and ``window`` how many of them use the report's own (the rest fall back to
    the model's defaults).
    """
    rows = []
    for group in GROUPS:
        nights = [n for n, launched in groups_launched.items() if group in launched]
        geos = [geographies.get(n, NightGeography()) for n in nights]
        rows.append(
            {
                "group": group,
                "nights": len(nights),
                "launch": sum(group in g.launch for g in geos),
                "targets": sum(group in g.targets for g in geos),
                "window": sum(group in g.window_h for g in geos),
            }
        )
    return pd.DataFrame(rows)


# What the night model's emulator reads of a night's geography (each in [0, 1]):
# cover_cruise, cover_ballistic: share of the group's targets under publicly reported
# Patriot/SAMP-T cover that night (skyshield.posture.cover.patriot_covered, the one definition
# the back-test's check reads too; cruise counts its tactical missiles' targets too);
# south_drone: share of the drones' launch points south of SOUTH_LAT; defence_<group>: the
# mean, over the group's targets weighted by their shares of its threats (NightPlaces), of the
# laydown units at the target that can engage the group (drone: all; cruise: medium- and
# long-range; ballistic: Patriot and SAMP/T), over the most any laydown city has (a target that
# is no laydown city has none); focus_<group>: the sum of the targets' squared shares, 1 / their
# number when they weigh alike (a salvo at one city saturates its defences). Cruise features
# weigh the strategic and the tactical missiles' targets by their counts that night.
GEOGRAPHY_FEATURES = (
    "cover_cruise",
    "cover_ballistic",
    "south_drone",
    "defence_drone",
    "defence_cruise",
    "defence_ballistic",
    "focus_drone",
    "focus_cruise",
    "focus_ballistic",
    # appended (issue 23, cruise): where the cruise missiles fly from and how spread out
    "distance_cruise",
    "window_cruise",
    "route_cruise",
    # appended (issue 23, ballistic): the share of the missiles that reach a covered target
    "reach_ballistic",
)
# reach_ballistic: the share of the night's ballistic missiles that night_scenario aims at a
# target under Patriot/SAMP-T cover (the one definition, posture.cover) from a launch site within
# RANGE_MARGIN of the type's range. It reads the scenario's own waves, so a missile retargeted
# because its covered target is out of its range from the site (an Iskander-M from Belgorod or
# Crimea at Kyiv) counts as not reaching it. cover_ballistic counts the targets only: on Kyiv
# nights it was 1 whether the missiles could get there or not, and with the default launch areas
# of the emulator's design at most about half of them could (the Kursk third of the Iskander-M
# and the Kinzhal), so the emulator's share at a covered city topped out near 0.5 whatever the
# kill probability. The bearing is not read: the long-range units stand ~4 km south-west of the
# city (posture.laydown), so a missile diving onto it is in front of their north-east-facing
# sector radar from any side (the engine intercepts a Kinzhal from Crimea at Kyiv as well as one
# from Bryansk).
# distance_cruise: the median great-circle distance from the group's launch sites to its
# targets (the night's own or the defaults, as night_scenario flies them), over
# CRUISE_DISTANCE_KM: how long a missile flies over the defended country (Kh-101 from the
# Caspian at Kyiv ~1,300 km; a Kh-59 from Belgorod at Kharkiv ~70 km). window_cruise: the
# group's launch span (night_scenario's: the report's window less the flight, or the default),
# over CRUISE_SPAN_H: how spread out the salvo is (a salvo launched within an hour saturates
# the defences it meets; one spread over the night does not). Both weigh the strategic and
# tactical missiles by their counts, as the other cruise features do.
# route_cruise: the laydown's medium- and long-range units whose city lies within ROUTE_KM of the
# straight line from a launch site to a target (mean over the pairs), over all such units: the
# defences a missile passes on its way, not only those at its target (a salvo of Kh-59 at an
# undefended town past Kharkiv meets Kharkiv's SAMs). ROUTE_KM: about the reach of those
# systems against cruise missiles (assumption; NASAMS, IRIS-T ~40 km, S-300 and Patriot more).
CRUISE_DISTANCE_KM = 2000.0
CRUISE_SPAN_H = 12.0
ROUTE_KM = 50.0
# the geography features that bear on each report class (the emulator's surfaces of a class
# read only these)
GEOGRAPHY_OF_CLASS = {
    "drone": ("south_drone", "defence_drone", "focus_drone"),
    "cruise": (
        "cover_cruise",
        "defence_cruise",
        "focus_cruise",
        "distance_cruise",
        "window_cruise",
        "route_cruise",
    ),
    "ballistic": ("cover_ballistic", "defence_ballistic", "focus_ballistic", "reach_ballistic"),
}
# Splits the drones' launch areas (assumption, from the place table's points): the northern
# ones (Kursk, Bryansk, Oryol, Belgorod, Shatalovo: 50.6-54.3 N) from the southern (Crimea,
# the Azov coast, Krasnodar Krai: 44.5-47.3 N).
SOUTH_LAT = 48.0
_MISSILE_DEFENCE = frozenset(s for s, f in FAMILY_OF_SYSTEM.items() if f in ("long", "medium"))


def covered_cities() -> frozenset[str]:
    """Return the cities under publicly reported Patriot/SAMP-T cover (:mod:`.cover`).

    Not the laydown's Patriot/SAMP-T cities: those are notional (see :mod:`.cover`).
    """
    return covered_sites()


def geography_features(
    geography: NightGeography | None,
    composition: NightComposition | None = None,
    day: np.datetime64 | None = None,
) -> np.ndarray:
    """Return the night's :data:`GEOGRAPHY_FEATURES` (the defaults' where a group has none).

    ``composition``: weighs the strategic and tactical cruise missiles' targets by their
    counts (without it, or with no cruise missile, each group's targets weigh alike).
    ``day``: the night, for the cover's dates (:mod:`.cover`; None: every site counts).
    """
    places = scenario_places(geography)
    weight = {"cruise": 1.0, "tactical": 1.0}
    if composition is not None and composition.cruise > 0:
        weight = {
            "cruise": float(composition.cruise - composition.tactical),
            "tactical": float(composition.tactical),
        }

    def average(groups: tuple[str, ...], value: Callable[[str], float]) -> float:
        mine = [g for g in groups if places.targets[g]]
        w = [weight.get(g, 1.0) for g in mine]
        parts = [
            float(np.average([value(n) for n in places.targets[g]], weights=target_shares(g)))
            for g in mine
        ]
        return float(np.average(parts, weights=w)) if parts and sum(w) > 0 else 0.0

    def target_shares(group: str) -> np.ndarray:
        """Return the group's targets' shares of its threats (:attr:`NightPlaces.weights`)."""
        w = np.array([places.target_weight(group, n) for n in places.targets[group]], dtype=float)
        return np.asarray(w / w.sum(), dtype=float)

    def share(groups: tuple[str, ...]) -> float:
        points = {n: p for g in groups for n, p in places.targets[g].items()}
        return average(groups, lambda n: float(patriot_covered(*points[n], day)))

    def defence(groups: tuple[str, ...], systems: frozenset[str]) -> float:
        units = {c: sum(s in systems for s in mine) for c, mine in LAYDOWN.items()}
        most = max(units.values())
        return average(groups, lambda n: units.get(n, 0) / most)

    def focus(groups: tuple[str, ...]) -> float:
        mine = [g for g in groups if places.targets[g]]
        w = [weight.get(g, 1.0) for g in mine]
        parts = [float(np.sum(target_shares(g) ** 2)) for g in mine]  # 1 / n for alike targets
        return float(np.average(parts, weights=w)) if parts and sum(w) > 0 else 0.0

    def timing(group: str) -> tuple[float, float]:
        """Return the group's (distance, launch span), each scaled to [0, 1]."""
        own = places.sites[group]
        sites = own if own is not None else [s for _, _, g in CLASS_MIX[group] for s in g]
        points = [places.launch_sites[n] for n in sites]
        targets = list(places.targets[group].values())
        metres = [geodesic_distance_m(a[0], a[1], b[0], b[1]) for a in points for b in targets]
        distance = float(np.median(np.asarray(metres, dtype=float)))
        threats = [m[0] for m in CLASS_MIX[group]]
        start_h, end_h = _launch_window_h(group, places, threats, threat_speeds())
        return (
            min(distance / 1000.0 / CRUISE_DISTANCE_KM, 1.0),
            min((end_h - start_h) / CRUISE_SPAN_H, 1.0),
        )

    def route(group: str) -> float:
        """Return the group's route_cruise (see GEOGRAPHY_FEATURES)."""
        own = places.sites[group]
        sites = own if own is not None else [s for _, _, g in CLASS_MIX[group] for s in g]
        cities, units = _route_cities()
        passed = [
            [float(units[_near_line(places.launch_sites[n], target, cities)].sum()) for n in sites]
            for target in places.targets[group].values()
        ]
        per_target = np.mean(np.asarray(passed), axis=1)
        return float(np.average(per_target, weights=target_shares(group))) / float(units.sum())

    def cruise_timing() -> tuple[float, float, float]:
        mine = [g for g in ("cruise", "tactical") if places.targets[g]]
        w = [weight.get(g, 1.0) for g in mine]
        if not mine or sum(w) <= 0:
            return 0.0, 0.0, 0.0
        parts = np.array([(*timing(g), route(g)) for g in mine])
        return (
            float(np.average(parts[:, 0], weights=w)),
            float(np.average(parts[:, 1], weights=w)),
            float(np.average(parts[:, 2], weights=w)),
        )

    sites = places.sites["drone"]
    names = sites if sites is not None else [s for _, _, g in CLASS_MIX["drone"] for s in g]
    south = float(np.mean([places.launch_sites[s][1] < SOUTH_LAT for s in names]))
    return np.array(
        [
            share(("cruise", "tactical")),
            share(("ballistic",)),
            south,
            defence(("drone",), frozenset(FAMILY_OF_SYSTEM)),
            defence(("cruise", "tactical"), _MISSILE_DEFENCE),
            defence(("ballistic",), BALLISTIC_DEFENCE_SYSTEMS),
            focus(("drone",)),
            focus(("cruise", "tactical")),
            focus(("ballistic",)),
            *cruise_timing(),
            reach_ballistic(places, composition, day),
        ]
    )


# a night without ballistic missiles reads the reach of this many (the default split)
_NOMINAL_BALLISTIC = 10


def reach_ballistic(
    places: NightPlaces, composition: NightComposition | None, day: np.datetime64 | None
) -> float:
    """Return the night's reach_ballistic (see GEOGRAPHY_FEATURES), from its ballistic waves."""
    count = composition.ballistic if composition is not None else 0
    nominal = NightComposition(0, 0, count if count > 0 else _NOMINAL_BALLISTIC)
    catalog = load_catalog()
    ranges = {key: t.range_m for key, t in catalog.threats.items()}
    waves = night_waves(nominal, ranges, places, threat_speeds())
    points = {**places.assets, **places.targets["ballistic"]}
    aimed = total = 0.0
    for wave in waves:
        site = places.launch_sites[wave["launch_site"]]
        for name, sent in dealt_targets(wave).items():
            lon, lat = points[name] if name in points else city_point(name)
            distance = float(geodesic_distance_m(lon, lat, site[0], site[1]))
            # a target out of reach counts as missed (a wave with none in reach keeps the nearest)
            if distance <= RANGE_MARGIN * ranges[wave["threat"]]:
                aimed += sent * patriot_covered(lon, lat, day)
        total += wave["count"]
    return aimed / total if total else 0.0


@functools.cache
def _route_cities() -> tuple[np.ndarray, np.ndarray]:
    """(n, 2) lon/lat of the laydown cities with medium- or long-range units, (n,) their count."""
    from skyshield.geo.cities import find_city

    rows = []
    for city, systems in LAYDOWN.items():
        point = find_city(city, "UA")
        rows.append((point.lon_deg, point.lat_deg, sum(s in _MISSILE_DEFENCE for s in systems)))
    table = np.array([r for r in rows if r[2] > 0], dtype=float)
    return table[:, :2], table[:, 2]


def _near_line(
    start: tuple[float, float], end: tuple[float, float], cities: np.ndarray
) -> np.ndarray:
    """(n,) bool: the cities within ROUTE_KM of the straight line from start to end.

    Flat-earth distance (x scaled by cos latitude) to 33 points along the line: a feature's
    precision, not the engine's.
    """
    t = np.linspace(0.0, 1.0, 33)[:, None]
    line = np.asarray(start) + t * (np.asarray(end) - np.asarray(start))
    scale = np.cos(np.radians(0.5 * (start[1] + end[1])))
    dx = (line[:, None, 0] - cities[None, :, 0]) * scale * 111.2
    dy = (line[:, None, 1] - cities[None, :, 1]) * 111.2
    return np.asarray(np.sqrt(dx**2 + dy**2).min(axis=0) <= ROUTE_KM)


@functools.cache
def threat_speeds() -> dict[str, float]:
    """Catalog speed of each threat type (m/s), as night_scenario reads it."""
    return {key: t.speed_mps for key, t in load_catalog().threats.items()}
