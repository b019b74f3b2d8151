"""Air patrols and airborne sensors expanded at compile time into engine rows.

A patrol's sorties become *platforms* (one per aircraft per sortie) with a presence interval
``[on, off]`` in seconds after the raid start: sortie ``j`` takes off at
``first_takeoff + j × interval``, flies the great-circle distance from its air base to the orbit
centre at the transit speed (``on``), stays its time on station plus any tanker extension
(Bingo fuel: ``off``) and flies home. Each (platform, weapon of its loadout) becomes one fire
unit row of the engines: the weapon's rounds are its stock, the rows of one platform share its
presence interval and one engagement channel (an aircraft engages one threat at a time), and
the event loop chooses among them (:func:`prefer_weapon`). An aircraft whose weapons are all
spent (Winchester) stops engaging; it is not replaced earlier than the sortie plan says.

A fighter's reach is approximated from the orbit centre on the ground: ``commit radius +
weapon range`` (slant), and the time to an intercept at distance ``d`` as if the fighter
dashed the commit radius and the weapon flew the rest, i.e. an effective interceptor speed
``(R_c + R_w) / (R_c / v_dash + R_w / v_weapon)`` along the straight line from the orbit
centre. It ignores where on its orbit the aircraft is and its altitude (a few km against tens
of km of reach); fighters fire on network tracks (their own radar is not a network sensor).

Airborne early warning is a network sensor at its orbit centre at its orbit altitude (the
radar horizon grows with the height), present the whole night unless it flies ``sorties``:
then the same plan as a patrol's gives its orbits (one aircraft each), and it detects only
while on station (:mod:`.aew`).

A patrol ``on_alert`` (quick reaction alert) flies no schedule: it scrambles when its networks
first hold a track on any threat still flying, at the first step of the event loop's grid at
or after that track (``alert``, raid time, different every night). Its sortie ``j`` takes off
``scramble_delay + j × interval`` after the alert, then transits as above; its platforms'
times here are relative to the alert (``platform_alert`` names the patrol's alert group) and
the engines add each night's alert time. A night whose networks never track anything keeps
the aircraft on the ground.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from skyshield.catalog import Catalog, ThreatClass
from skyshield.catalog.types import AircraftType
from skyshield.geo import geodesic_distance_m
from skyshield.scenario.models import AirborneSensor, AirPatrol, Position, Scenario
from skyshield.units import KM_TO_M, MIN_TO_S, kmh_to_mps

__all__ = [
    "CREW_IDENTIFICATION_SYSTEM",
    "AirRows",
    "Sortie",
    "air_rows",
    "orbit_plan",
    "prefer_weapon",
    "sortie_plan",
    "waits_for_cheaper",
]

_CLASSES = tuple(ThreatClass)
# The system whose identification figures (decoy recognition, drone taken for a decoy,
# identification delay, by night and by day; sourced in systems.yaml) aircraft crews use.
CREW_IDENTIFICATION_SYSTEM = "f-16"


@dataclass(frozen=True, slots=True)
class Sortie:
    """One sortie of one patrol, in seconds after the raid start."""

    takeoff_s: float
    on_s: float
    off_s: float
    landing_s: float


def sortie_plan(patrol: AirPatrol, catalog: Catalog) -> list[Sortie]:
    """List the sorties of ``patrol`` (each flown by ``patrol.aircraft`` aircraft).

    A patrol on alert: times after its alert, not after the raid start.
    """
    # an alert patrol's times count from its alert (raid time, per night: module docstring)
    first = patrol.scramble_delay_min if patrol.on_alert else patrol.first_takeoff_min
    return _plan(
        catalog.aircraft_type(patrol.aircraft_type),
        patrol.base,
        patrol.station.position,
        transit_speed_kmh=patrol.transit_speed_kmh,
        time_on_station_min=patrol.time_on_station_min,
        tanker_extra_min=patrol.tanker_extra_min,
        interval_min=patrol.sortie_interval_min,
        sorties=patrol.sorties,
        first_takeoff_min=first,
    )


def orbit_plan(sensor: AirborneSensor, catalog: Catalog) -> list[Sortie] | None:
    """List an airborne sensor's on-station orbits, or None when it is on station all night.

    The same plan as an air patrol's (:func:`sortie_plan`), one aircraft per sortie.
    """
    if sensor.sorties is None or sensor.base is None:
        return None
    return _plan(
        catalog.aircraft_type(sensor.aircraft_type),
        sensor.base,
        sensor.position,
        transit_speed_kmh=sensor.transit_speed_kmh,
        time_on_station_min=sensor.time_on_station_min,
        tanker_extra_min=0.0,
        interval_min=sensor.sortie_interval_min,
        sorties=sensor.sorties,
        first_takeoff_min=sensor.first_takeoff_min,
    )


def _plan(
    plane: AircraftType,
    base: Position,
    station: Position,
    *,
    transit_speed_kmh: float | None,
    time_on_station_min: float | None,
    tanker_extra_min: float,
    interval_min: float | None,
    sorties: int,
    first_takeoff_min: float,
) -> list[Sortie]:
    speed = plane.cruise_speed_mps if transit_speed_kmh is None else kmh_to_mps(transit_speed_kmh)
    distance = float(
        geodesic_distance_m(base.lon_deg, base.lat_deg, station.lon_deg, station.lat_deg)
    )
    transit = distance / speed
    on_station = (
        plane.time_on_station_s if time_on_station_min is None else time_on_station_min * MIN_TO_S
    ) + tanker_extra_min * MIN_TO_S
    interval = on_station if interval_min is None else interval_min * MIN_TO_S
    plan = []
    for j in range(sorties):
        takeoff = first_takeoff_min * MIN_TO_S + j * interval
        on = takeoff + transit
        plan.append(Sortie(takeoff, on, on + on_station, on + on_station + transit))
    return plan


def prefer_weapon(pk_a: float, cost_a: float, pk_b: float, cost_b: float, adequate: float) -> bool:
    """Whether weapon ``a`` is chosen over ``b`` (both able to engage the threat now).

    Cheapest adequate first (kill probability at least ``adequate``); if neither is adequate,
    the best kill probability, then the cheaper. Equal on both counts: not preferred (the
    caller keeps the lower row).
    """
    ok_a, ok_b = pk_a >= adequate, pk_b >= adequate
    if ok_a != ok_b:
        return ok_a
    if ok_a:
        return cost_a < cost_b or (cost_a == cost_b and pk_a > pk_b)
    return pk_a > pk_b or (pk_a == pk_b and cost_a < cost_b)


def waits_for_cheaper(cost_now: float, pk_later: float, cost_later: float, adequate: float) -> bool:
    """Whether a weapon able to engage now waits for another that can engage later.

    The rule (``wait_for_cheaper_weapon``): an aircraft about to fire weapon ``now`` at a
    threat holds fire when another weapon of its own, cheaper and adequate (kill probability
    at least ``adequate``) and with rounds left beyond its reserve, will be able to engage
    that threat at a later step while the aircraft is still on station (it has an engagement
    window then: the threat is within its reach and short of its target, authorized, and of a
    class the rules let it engage). Only the geometry and the rules decide "later": never the
    threat's fate (a crew does not know that a drone will fall or another aircraft will be
    free). Caps on engagements outside own airspace are not foreseen. The engines apply it
    per step after the choice among the weapons able to engage now (:func:`prefer_weapon`).
    """
    return pk_later >= adequate and cost_later < cost_now


@dataclass(slots=True)
class AirRows:
    """Fire-unit rows, sensors and platforms from a scenario's air patrols and AEW."""

    unit_ids: list[str] = field(default_factory=list)
    unit_weapon: list[str] = field(default_factory=list)
    unit_nation: list[str] = field(default_factory=list)
    unit_rules_nation: list[str] = field(default_factory=list)  # whose rules it fires under
    unit_lon_deg: list[float] = field(default_factory=list)
    unit_lat_deg: list[float] = field(default_factory=list)
    unit_min_range_m: list[float] = field(default_factory=list)
    unit_max_range_m: list[float] = field(default_factory=list)
    unit_min_alt_m: list[float] = field(default_factory=list)
    unit_max_alt_m: list[float] = field(default_factory=list)
    unit_stock: list[int] = field(default_factory=list)
    unit_speed_mps: list[float] = field(default_factory=list)
    unit_cost_usd: list[float] = field(default_factory=list)
    unit_pk: list[tuple[float, ...]] = field(default_factory=list)
    unit_tasked: list[list[bool]] = field(default_factory=list)
    unit_rounds: list[int] = field(default_factory=list)
    unit_discrimination: list[float] = field(default_factory=list)
    unit_altitude_m: list[float] = field(default_factory=list)
    unit_networks: list[tuple[str, ...]] = field(default_factory=list)
    unit_platform: list[int] = field(default_factory=list)  # index into platform_*
    unit_adequate_pk: list[float] = field(default_factory=list)
    platform_ids: list[str] = field(default_factory=list)
    platform_patrol: list[int] = field(default_factory=list)
    platform_takeoff_s: list[float] = field(default_factory=list)
    platform_on_s: list[float] = field(default_factory=list)
    platform_off_s: list[float] = field(default_factory=list)
    platform_landing_s: list[float] = field(default_factory=list)
    sensor_lon_deg: list[float] = field(default_factory=list)
    sensor_lat_deg: list[float] = field(default_factory=list)
    sensor_height_m: list[float] = field(default_factory=list)
    sensor_range_m: list[float] = field(default_factory=list)
    sensor_reference_rcs_m2: list[float] = field(default_factory=list)
    sensor_networks: list[tuple[str, ...]] = field(default_factory=list)
    # quick reaction alert: per platform its alert group (-1: scheduled), per group the
    # networks whose first track raises it
    platform_alert: list[int] = field(default_factory=list)
    unit_wait_cheaper: list[bool] = field(default_factory=list)  # :func:`waits_for_cheaper`
    alert_networks: list[tuple[str, ...]] = field(default_factory=list)
    # airborne sensors' on-station orbits (raid time): sensor (index among airborne_sensors),
    # on, off; a sensor without any is on station all night
    orbit_sensor: list[int] = field(default_factory=list)
    orbit_on_s: list[float] = field(default_factory=list)
    orbit_off_s: list[float] = field(default_factory=list)


def air_rows(scenario: Scenario, catalog: Catalog) -> AirRows:
    """Expand ``scenario.air_patrols`` and ``scenario.airborne_sensors`` (module docstring)."""
    rows = AirRows()
    discrimination = catalog.system(CREW_IDENTIFICATION_SYSTEM).decoy_discrimination
    for p_index, patrol in enumerate(scenario.air_patrols):
        plane = catalog.aircraft_type(patrol.aircraft_type)
        altitude = (
            plane.patrol_altitude_m
            if patrol.station.altitude_m is None
            else patrol.station.altitude_m
        )
        commit = patrol.station.commit_radius_km * KM_TO_M
        rules = scenario.nations.get(patrol.operates_under or patrol.nation)
        guns_allowed = rules is None or rules.roe.guns_allowed
        alert = len(rows.alert_networks) if patrol.on_alert else -1
        if patrol.on_alert:
            rows.alert_networks.append(patrol.networks)
        for j, sortie in enumerate(sortie_plan(patrol, catalog)):
            for a in range(patrol.aircraft):
                platform = len(rows.platform_ids)
                rows.platform_ids.append(f"{patrol.id}/{j + 1}.{a + 1}")
                rows.platform_patrol.append(p_index)
                rows.platform_takeoff_s.append(sortie.takeoff_s)
                rows.platform_on_s.append(sortie.on_s)
                rows.platform_off_s.append(sortie.off_s)
                rows.platform_landing_s.append(sortie.landing_s)
                rows.platform_alert.append(alert)
                for key, rounds in patrol.loadout.items():
                    weapon = catalog.weapon(key)
                    reach = commit + weapon.max_range_m
                    speed = reach / (
                        commit / plane.dash_speed_mps + weapon.max_range_m / weapon.speed_mps
                    )
                    rows.unit_ids.append(f"{patrol.id}/{j + 1}.{a + 1}/{key}")
                    rows.unit_weapon.append(key)
                    rows.unit_nation.append(patrol.nation)
                    rows.unit_rules_nation.append(patrol.operates_under or patrol.nation)
                    rows.unit_lon_deg.append(patrol.station.position.lon_deg)
                    rows.unit_lat_deg.append(patrol.station.position.lat_deg)
                    rows.unit_min_range_m.append(weapon.min_range_m if commit == 0 else 0.0)
                    rows.unit_max_range_m.append(reach)
                    rows.unit_min_alt_m.append(weapon.min_altitude_m)
                    rows.unit_max_alt_m.append(weapon.max_altitude_m)
                    rows.unit_stock.append(rounds)
                    rows.unit_speed_mps.append(speed)
                    rows.unit_cost_usd.append(weapon.cost_per_round_usd)
                    rows.unit_pk.append(weapon.pk)
                    allowed = guns_allowed or not weapon.gun  # the rules may bar guns
                    rows.unit_tasked.append(
                        [
                            allowed and (patrol.engages is None or c in patrol.engages)
                            for c in _CLASSES
                        ]
                    )
                    rows.unit_rounds.append(weapon.rounds_per_engagement)
                    rows.unit_discrimination.append(discrimination)
                    rows.unit_altitude_m.append(altitude)
                    rows.unit_networks.append(patrol.networks)
                    rows.unit_platform.append(platform)
                    rows.unit_adequate_pk.append(patrol.adequate_pk)
                    rows.unit_wait_cheaper.append(patrol.wait_for_cheaper_weapon)
    for k, sensor in enumerate(scenario.airborne_sensors):
        plane = catalog.aircraft_type(sensor.aircraft_type)
        for orbit in orbit_plan(sensor, catalog) or ():
            rows.orbit_sensor.append(k)
            rows.orbit_on_s.append(orbit.on_s)
            rows.orbit_off_s.append(orbit.off_s)
        rows.sensor_lon_deg.append(sensor.position.lon_deg)
        rows.sensor_lat_deg.append(sensor.position.lat_deg)
        rows.sensor_height_m.append(
            plane.patrol_altitude_m if sensor.altitude_m is None else sensor.altitude_m
        )
        rows.sensor_range_m.append(plane.radar_range_m)
        rows.sensor_reference_rcs_m2.append(plane.radar_reference_rcs_m2)
        rows.sensor_networks.append(sensor.networks)
    return rows


def hours_on_station(on_s: float, off_s: float) -> float:
    """Hours between ``on_s`` and ``off_s`` (0 if the interval is empty)."""
    return max(off_s - on_s, 0.0) / 3600.0 if math.isfinite(off_s - on_s) else 0.0
