"""Cross-reference checks a schema cannot express: names that must exist somewhere else.

Unknown system or threat types (catalog), unknown nations (shipped borders), unknown cities
(shipped GeoNames list), networks, launch sites and targets that are not declared, duplicate ids,
and targets beyond a plausible flight of the threat type flying the route (:data:`RANGE_MARGIN`
× its endurance range; longer than its catalog range only gives a warning, :func:`range_warnings`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from skyshield.catalog import ThreatClass, ThreatType, load_catalog
from skyshield.errors import FieldProblem, GeographyError
from skyshield.geo import NATION_CODES, find_city, geodesic_distance_m, territory_codes
from skyshield.scenario.models import (
    AirborneSensor,
    AirPatrol,
    EwZone,
    FireUnit,
    Position,
    Scenario,
    Sensor,
)
from skyshield.units import KM_TO_M

__all__ = [
    "RANGE_MARGIN",
    "asset_position",
    "check_references",
    "placement_warnings",
    "range_warnings",
    "scenario_warnings",
]

_MAX_LISTED = 12
# A flight longer than the catalog range is allowed, with a warning, up to this multiple of the
# range its endurance gives (endurance × speed): catalog ranges are nominal and low-confidence
# (decoys stripped of payload and fitted with extra fuel flew far beyond theirs into Poland in
# September 2025, sources polskieradio-2025-drone-range and pravda-2025-gerbera-sulmice), and a
# threat that runs out of fuel falls (issue #22). Beyond it the route is refused as implausible
# (most often a typo in a coordinate). 1.25: a quarter more than the endurance, an assumption.
RANGE_MARGIN = 1.25


def _one_of(names: Iterable[str]) -> str:
    names = sorted(names)
    shown = ", ".join(names[:_MAX_LISTED]) + (", ..." if len(names) > _MAX_LISTED else "")
    return f"one of: {shown}"


def check_references(scenario: Scenario) -> list[FieldProblem]:
    """Every dangling or duplicate reference in ``scenario``, in file order."""
    catalog = load_catalog()
    problems: list[FieldProblem] = []
    known_nations = set(NATION_CODES)

    def need(ok: bool, path: str, expected: str, found: str) -> None:
        if not ok:
            problems.append(FieldProblem(path, expected, repr(found)))

    for code, nation in scenario.nations.items():
        need(
            code in known_nations,
            f"nations.{code}",
            f"a nation in the shipped borders ({_one_of(known_nations)})",
            code,
        )
        for i, into in enumerate(nation.roe.zone.into):
            need(
                into in known_nations and into != code,
                f"nations.{code}.roe.zone.into[{i}]",
                "a neighbouring nation code other than its own",
                into,
            )

    for name, asset in scenario.assets.items():
        if asset.country is not None:
            need(
                asset.country in known_nations,
                f"assets.{name}.country",
                "a known nation code",
                asset.country,
            )
        if asset.city is not None:
            try:
                find_city(asset.city, asset.country)
            except GeographyError as exc:
                problems.append(
                    FieldProblem(
                        f"assets.{name}.city",
                        "a city in the shipped GeoNames list",
                        f"{asset.city!r} ({exc})",
                    )
                )

    placed: tuple[tuple[str, tuple[Sensor, ...] | tuple[FireUnit, ...] | tuple[EwZone, ...]], ...]
    placed = (
        ("sensors", scenario.sensors),
        ("fire_units", scenario.fire_units),
        ("ew_zones", scenario.ew_zones),
    )
    for kind, items in placed:
        seen: set[str] = set()
        for i, item in enumerate[Sensor | FireUnit | EwZone](items):
            need(item.id not in seen, f"{kind}[{i}].id", "an id not used before", item.id)
            seen.add(item.id)
            need(
                item.nation in scenario.nations,
                f"{kind}[{i}].nation",
                f"a nation declared under `nations` ({_one_of(scenario.nations)})",
                item.nation,
            )
            networks = () if isinstance(item, EwZone) else item.networks
            for j, net in enumerate(networks):
                need(
                    net in scenario.networks,
                    f"{kind}[{i}].networks[{j}]",
                    f"a network declared under `networks` ({_one_of(scenario.networks)})",
                    net,
                )
    for i, unit in enumerate(scenario.fire_units):
        need(
            unit.system in catalog.systems,
            f"fire_units[{i}].system",
            f"a catalog system type ({_one_of(catalog.systems)})",
            unit.system,
        )
        system = catalog.systems.get(unit.system)
        if system is not None and system.radar_sector_rad < 2 * np.pi:
            need(
                unit.radar_azimuth_deg is not None,
                f"fire_units[{i}].radar_azimuth_deg",
                f"the direction its {unit.system} sector radar faces "
                f"({np.degrees(system.radar_sector_rad):.0f} deg wide), in degrees clockwise "
                "from north",
                "nothing",
            )
        if system is not None and unit.reserve_for:
            stock = (
                system.launchers * system.rounds_per_launcher if unit.stock is None else unit.stock
            )
            held = sum(unit.reserve_for.values())
            need(
                held <= stock,
                f"fire_units[{i}].reserve_for",
                f"reserves summing to at most the unit's stock of {stock}",
                f"{held} rounds",
            )

    for code, nation in scenario.nations.items():  # issue #22: host-nation consent
        for i, guest in enumerate(nation.hosts):
            need(
                guest in scenario.nations and guest != code,
                f"nations.{code}.hosts[{i}]",
                "a nation declared under `nations`, other than the host itself",
                guest,
            )
    guests: list[tuple[str, FireUnit | AirPatrol]] = [
        *((f"fire_units[{i}]", u) for i, u in enumerate(scenario.fire_units)),
        *((f"air_patrols[{i}]", p) for i, p in enumerate(scenario.air_patrols)),
    ]
    for path, member in guests:
        host = member.operates_under
        if host is None or host == member.nation:
            continue
        if host not in scenario.nations:
            need(
                False,
                f"{path}.operates_under",
                f"a nation declared under `nations` ({_one_of(scenario.nations)})",
                host,
            )
            continue
        need(
            member.nation in scenario.nations[host].hosts,
            f"{path}.operates_under",
            f"a host whose `nations.{host}.hosts` lists {member.nation} (its consent)",
            host,
        )
    problems.extend(_air_references(scenario))

    for i, wave in enumerate(scenario.raid.waves):
        path = f"raid.waves[{i}]"
        need(
            wave.threat in catalog.threats,
            f"{path}.threat",
            f"a catalog threat type ({_one_of(catalog.threats)})",
            wave.threat,
        )
        need(
            wave.launch_site in scenario.raid.launch_sites,
            f"{path}.launch_site",
            f"a site declared under `raid.launch_sites` ({_one_of(scenario.raid.launch_sites)})",
            wave.launch_site,
        )
        for j, target in enumerate(wave.targets):
            need(
                target in scenario.assets,
                f"{path}.targets[{j}]",
                f"an asset declared under `assets` ({_one_of(scenario.assets)})",
                target,
            )
            flight = _flight(scenario, i, j)
            if flight is None:
                continue
            threat, flight_m = flight
            if flight_m > RANGE_MARGIN * _endurance_range_m(threat):
                problems.append(
                    FieldProblem(
                        f"{path}.targets[{j}]",
                        f"a flight within {RANGE_MARGIN:g} x the {wave.threat} endurance range "
                        f"of {_endurance_range_m(threat) / KM_TO_M:,.0f} km "
                        f"(catalog range {threat.range_m / KM_TO_M:,.0f} km)",
                        f"{target!r}, {flight_m / KM_TO_M:,.0f} km away along the route",
                    )
                )
    return problems


def _endurance_range_m(threat: ThreatType) -> float:
    """How far a threat flies before its fuel runs out (endurance × cruise speed)."""
    return max(threat.endurance_s * threat.speed_mps, threat.range_m)


def _flight(
    scenario: Scenario, wave_index: int, target_index: int
) -> tuple[ThreatType, float] | None:
    """Return the threat type of a wave and its flight length to one target (None: unknown)."""
    catalog = load_catalog()
    wave = scenario.raid.waves[wave_index]
    site = scenario.raid.launch_sites.get(wave.launch_site)
    end = asset_position(scenario, wave.targets[target_index])
    if wave.threat not in catalog.threats or site is None or end is None:
        return None
    threat = catalog.threat(wave.threat)
    ballistic = threat.threat_class is ThreatClass.BALLISTIC
    points = [site, end] if ballistic else [site, *wave.route, end]
    flight_m = float(
        np.sum(
            geodesic_distance_m(
                [p.lon_deg for p in points[:-1]],
                [p.lat_deg for p in points[:-1]],
                [p.lon_deg for p in points[1:]],
                [p.lat_deg for p in points[1:]],
            )
        )
    )
    return threat, flight_m


def range_warnings(scenario: Scenario) -> list[str]:
    """Flights longer than the catalog range that :func:`check_references` still allows.

    A flight up to :data:`RANGE_MARGIN` × the endurance range is plausible (a route through
    Belarus, a decoy with extra fuel) and is simulated: where it is longer than the endurance
    range, its threats run out of fuel and fall on the way (fate ``fell``).
    """
    warnings = []
    for i, wave in enumerate(scenario.raid.waves):
        for j, target in enumerate(wave.targets):
            if target in wave.targets[:j]:  # a target dealt again (weighted lists): warned once
                continue
            flight = _flight(scenario, i, j)
            if flight is None:
                continue
            threat, flight_m = flight
            if flight_m <= threat.range_m:
                continue
            reach_m = _endurance_range_m(threat)
            fate = (
                "its threats run out of fuel and fall before the target"
                if flight_m > reach_m
                else f"within its endurance range of {reach_m / KM_TO_M:,.0f} km"
            )
            warnings.append(
                f"raid.waves[{i}].targets[{j}]: {target!r} is {flight_m / KM_TO_M:,.0f} km away "
                f"along the route, beyond the {wave.threat} catalog range of "
                f"{threat.range_m / KM_TO_M:,.0f} km; {fate}"
            )
    return warnings


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Everything allowed but worth saying: placements (:func:`placement_warnings`), ranges."""
    return placement_warnings(scenario) + range_warnings(scenario)


def _air_references(scenario: Scenario) -> list[FieldProblem]:
    """Air patrols and airborne sensors: catalog types, weapons, nations, networks, ids."""
    catalog = load_catalog()
    problems: list[FieldProblem] = []
    ids = {u.id for u in scenario.fire_units} | {s.id for s in scenario.sensors}

    def need(ok: bool, path: str, expected: str, found: str) -> None:
        if not ok:
            problems.append(FieldProblem(path, expected, repr(found)))

    groups: tuple[tuple[str, tuple[AirPatrol, ...] | tuple[AirborneSensor, ...]], ...] = (
        ("air_patrols", scenario.air_patrols),
        ("airborne_sensors", scenario.airborne_sensors),
    )
    for kind, items in groups:
        for i, item in enumerate[AirPatrol | AirborneSensor](items):
            path = f"{kind}[{i}]"
            need(item.id not in ids, f"{path}.id", "an id not used before", item.id)
            ids.add(item.id)
            need(
                item.nation in scenario.nations,
                f"{path}.nation",
                f"a nation declared under `nations` ({_one_of(scenario.nations)})",
                item.nation,
            )
            need(
                item.aircraft_type in catalog.aircraft,
                f"{path}.aircraft_type",
                f"a catalog aircraft type ({_one_of(catalog.aircraft)})",
                item.aircraft_type,
            )
            for j, net in enumerate(item.networks):
                need(
                    net in scenario.networks,
                    f"{path}.networks[{j}]",
                    f"a network declared under `networks` ({_one_of(scenario.networks)})",
                    net,
                )
            if isinstance(item, AirPatrol):
                for weapon in item.loadout:
                    need(
                        weapon in catalog.weapons,
                        f"{path}.loadout.{weapon}",
                        f"a catalog air-to-air weapon ({_one_of(catalog.weapons)})",
                        weapon,
                    )
            plane = catalog.aircraft.get(item.aircraft_type)
            if isinstance(item, AirborneSensor) and plane is not None:
                need(
                    plane.radar_range_m > 0,
                    f"{path}.aircraft_type",
                    "an aircraft type with a radar (radar_range > 0)",
                    item.aircraft_type,
                )
    return problems


def asset_position(scenario: Scenario, name: str) -> Position | None:
    """Where an asset is, or ``None`` when it is undeclared or its city is unknown."""
    asset = scenario.assets.get(name)
    if asset is None or asset.position is not None:
        return None if asset is None else asset.position
    try:
        city = find_city(str(asset.city), asset.country)
    except GeographyError:
        return None
    return Position(lon_deg=city.lon_deg, lat_deg=city.lat_deg)


def placement_warnings(scenario: Scenario) -> list[str]:
    """Fire units and sensors placed at sea or in another nation's territory.

    Allowed (a German Patriot in Poland is real; ships carry radars), but worth saying: it is
    also what a typo in a coordinate looks like.
    """
    placed = [  # a unit operating under its host's rules (#22) is expected in the host's territory
        (f"fire_units[{i}] {u.id}", u.operates_under or u.nation, u.position)
        for i, u in enumerate(scenario.fire_units)
    ] + [(f"sensors[{i}] {s.id}", s.nation, s.position) for i, s in enumerate(scenario.sensors)]
    if not placed:
        return []
    codes = territory_codes(
        np.array([p.lon_deg for _, _, p in placed]), np.array([p.lat_deg for _, _, p in placed])
    )
    warnings = []
    for (label, nation, position), code in zip(placed, codes, strict=True):
        where = "at sea or outside every known country" if code < 0 else NATION_CODES[code]
        if code < 0 or NATION_CODES[code] != nation:
            warnings.append(
                f"{label} ({nation}) stands {'' if code < 0 else 'in '}{where} at "
                f"{position.lon_deg:.3f}, {position.lat_deg:.3f}"
            )
    return warnings
