"""Compile a validated :class:`Scenario` against the catalog and geography into arrays."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from shapely.geometry import Polygon

from skyshield.catalog import (
    Catalog,
    Doctrine,
    FireControl,
    MissedRound,
    ThreatClass,
    load_catalog,
)
from skyshield.engine.air import CREW_IDENTIFICATION_SYSTEM, air_rows
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.geo import NATION_CODES, find_city, nation_index
from skyshield.scenario.models import (
    Assignment,
    AuthorizationClock,
    EngageDecoys,
    Nation,
    Scenario,
    ZoneKind,
)
from skyshield.units import KM_TO_M, MIN_TO_S

__all__ = ["compile_scenario"]

_ZONE_CODES = {ZoneKind.OWN: 0, ZoneKind.BUFFER: 1, ZoneKind.POLYGON: 2}
_CLASSES = tuple(ThreatClass)
_FIRE_CONTROL = tuple(FireControl)
_ALMOST_1 = 1.0 - 1e-12  # a loss chance of 1 per 100 km becomes a very large finite rate
_ENGAGE_DECOYS = {EngageDecoys.NEVER: 0, EngageDecoys.IF_THREATENING: 1, EngageDecoys.ALWAYS: 2}
_CLOCKS = {
    AuthorizationClock.FIRST_TRACK: 0,
    AuthorizationClock.ZONE_ENTRY: 1,
    AuthorizationClock.IDENTIFICATION: 2,
}


def _within_m(nation: Nation) -> float:
    """Return a nation's threat-assessment distance, m (0: no assessment)."""
    a = nation.roe.threat_assessment
    return 0.0 if a is None else a.within_km * KM_TO_M


def _horizon(nation: Nation, *, in_time: bool) -> float:
    """Return the threat-assessment horizon in s (``in_time``) or m; -1 when given otherwise."""
    a = nation.roe.threat_assessment
    if a is None:
        return -1.0
    if in_time:
        return -1.0 if a.horizon_min is None else a.horizon_min * MIN_TO_S
    return -1.0 if a.horizon_km is None else a.horizon_km * KM_TO_M


def _arr(values: Sequence[object], dtype: type | str) -> np.ndarray:
    return readonly(np.asarray(values, dtype=dtype))


def compile_scenario(scenario: Scenario, catalog: Catalog | None = None) -> CompiledScenario:
    """Turn a scenario into read-only SI arrays (threats expanded one row per weapon)."""
    catalog = catalog or load_catalog()
    nation_codes = tuple(scenario.nations)
    nation_pos = {code: i for i, code in enumerate(nation_codes)}
    nations = [scenario.nations[c] for c in nation_codes]
    n_geo = len(NATION_CODES)

    buffer_into = np.zeros((len(nations), n_geo), dtype=bool)
    for i, nation in enumerate(nations):
        for code in nation.roe.zone.into:
            buffer_into[i, nation_index(code)] = True
    polygons = tuple(
        Polygon([(p.lon_deg, p.lat_deg) for p in n.roe.zone.polygon])
        if n.roe.zone.kind is ZoneKind.POLYGON
        else None
        for n in nations
    )

    asset_names = tuple(scenario.assets)
    asset_lon, asset_lat = [], []
    for asset in scenario.assets.values():
        if asset.position is not None:
            asset_lon.append(asset.position.lon_deg)
            asset_lat.append(asset.position.lat_deg)
        else:
            city = find_city(str(asset.city), asset.country)
            asset_lon.append(city.lon_deg)
            asset_lat.append(city.lat_deg)
    asset_pos = {name: i for i, name in enumerate(asset_names)}

    type_keys = tuple(dict.fromkeys(w.threat for w in scenario.raid.waves))
    t_type: list[int] = []
    t_wave: list[int] = []
    t_target: list[int] = []
    t_launch: list[float] = []
    route_lon: list[float] = []
    route_lat: list[float] = []
    route_offset = [0]
    for w_index, wave in enumerate(scenario.raid.waves):
        site = scenario.raid.launch_sites[wave.launch_site]
        for k in range(wave.count):
            target = asset_pos[wave.targets[k % len(wave.targets)]]
            t_type.append(type_keys.index(wave.threat))
            t_wave.append(w_index)
            t_target.append(target)
            t_launch.append(wave.launch_time_min * MIN_TO_S + k * wave.launch_spacing_s)
            points = [site, *wave.route]
            route_lon += [p.lon_deg for p in points] + [asset_lon[target]]
            route_lat += [p.lat_deg for p in points] + [asset_lat[target]]
            route_offset.append(len(route_lon))
    threat_types = [catalog.threat(type_keys[i]) for i in t_type]
    waves = [scenario.raid.waves[w] for w in t_wave]

    units = scenario.fire_units
    systems = [catalog.system(u.system) for u in units]
    networks = tuple(scenario.networks)

    def membership(names: tuple[str, ...]) -> list[bool]:
        return [net in names for net in networks]

    sensors = scenario.sensors
    air = air_rows(scenario, catalog)  # air patrols' weapon rows follow the fire units
    crew = catalog.system(CREW_IDENTIFICATION_SYSTEM).identification(daylight=scenario.daylight)
    n_ground = len(units)
    n_all = n_ground + len(air.unit_ids)
    network_fire = _FIRE_CONTROL.index(FireControl.NETWORK)
    return CompiledScenario(
        name=scenario.name,
        time_step_s=scenario.engine.time_step_s,
        optimal_assignment=scenario.engine.assignment is Assignment.OPTIMAL,
        nation_codes=nation_codes,
        nation_territory=_arr([nation_index(c) for c in nation_codes], np.int16),
        nation_allied=_arr([bool(n.alliances) for n in nations], bool),
        roe_classes=_arr([[c in n.roe.classes for c in _CLASSES] for n in nations], bool),
        roe_zone_kind=_arr([_ZONE_CODES[n.roe.zone.kind] for n in nations], np.int8),
        roe_buffer_m=_arr([n.roe.zone.buffer_km * KM_TO_M for n in nations], np.float64),
        roe_buffer_into=readonly(buffer_into),
        roe_polygons=polygons,
        roe_must_head=_arr([n.roe.must_head_to_own_territory for n in nations], bool),
        roe_heading_horizon_m=_arr(
            [n.roe.heading_horizon_km * KM_TO_M for n in nations], np.float64
        ),
        roe_delay_s=_arr([n.roe.authorization_delay_s for n in nations], np.float64),
        roe_cap_outside=_arr(
            [
                -1 if (c := n.roe.max_engagements_outside_own_airspace) is None else c
                for n in nations
            ],
            np.int64,
        ),
        roe_no_populated=_arr([n.roe.no_intercept_over_own_populated_area for n in nations], bool),
        roe_populated_min=_arr([n.roe.populated_min_population for n in nations], np.int64),
        roe_populated_radius_m=_arr(
            [n.roe.populated_radius_km * KM_TO_M for n in nations], np.float64
        ),
        asset_names=asset_names,
        asset_lon_deg=_arr(asset_lon, np.float64),
        asset_lat_deg=_arr(asset_lat, np.float64),
        asset_value=_arr([a.value for a in scenario.assets.values()], np.float64),
        threat_type_keys=type_keys,
        threat_type=_arr(t_type, np.int32),
        threat_class=_arr([_CLASSES.index(t.threat_class) for t in threat_types], np.int8),
        threat_wave=_arr(t_wave, np.int32),
        threat_target=_arr(t_target, np.int32),
        threat_launch_s=_arr(t_launch, np.float64),
        threat_launch_jitter_s=_arr([w.launch_jitter_s for w in waves], np.float64),
        threat_route_jitter_m=_arr([w.route_jitter_km * KM_TO_M for w in waves], np.float64),
        threat_speed_mps=_arr([t.speed_mps for t in threat_types], np.float64),
        threat_altitude_m=_arr([t.altitude_m for t in threat_types], np.float64),
        threat_terminal_speed_mps=_arr([t.terminal_speed_mps for t in threat_types], np.float64),
        threat_apogee_range_m=_arr([t.apogee_range_m for t in threat_types], np.float64),
        threat_dive_angle_rad=_arr([t.dive_angle_rad for t in threat_types], np.float64),
        threat_dive_altitude_m=_arr([t.dive_altitude_m for t in threat_types], np.float64),
        threat_ballistic=_arr(
            [t.threat_class is ThreatClass.BALLISTIC for t in threat_types], bool
        ),
        threat_rcs_m2=_arr([t.rcs_m2 for t in threat_types], np.float64),
        threat_cost_usd=_arr([t.unit_cost_usd for t in threat_types], np.float64),
        # loss per 100 km p -> hazard per metre: survival (1 - p) per 100 km = exp(-rate 1e5 m)
        threat_ew_rate_per_m=_arr(
            [-math.log1p(-min(t.ew_loss_per_100km, _ALMOST_1)) / 1e5 for t in threat_types],
            np.float64,
        ),
        route_offset=_arr(route_offset, np.int64),
        route_lon_deg=_arr(route_lon, np.float64),
        route_lat_deg=_arr(route_lat, np.float64),
        unit_ids=tuple(u.id for u in units) + tuple(air.unit_ids),
        unit_system_keys=tuple(u.system for u in units) + tuple(air.unit_weapon),
        unit_nation=_arr(
            [nation_pos[u.nation] for u in units] + [nation_pos[n] for n in air.unit_nation],
            np.int32,
        ),
        unit_lon_deg=_arr([u.position.lon_deg for u in units] + air.unit_lon_deg, np.float64),
        unit_lat_deg=_arr([u.position.lat_deg for u in units] + air.unit_lat_deg, np.float64),
        unit_min_range_m=_arr([s.min_range_m for s in systems] + air.unit_min_range_m, np.float64),
        unit_max_range_m=_arr([s.max_range_m for s in systems] + air.unit_max_range_m, np.float64),
        unit_min_alt_m=_arr([s.min_altitude_m for s in systems] + air.unit_min_alt_m, np.float64),
        unit_max_alt_m=_arr([s.max_altitude_m for s in systems] + air.unit_max_alt_m, np.float64),
        unit_channels=_arr([s.channels for s in systems] + [1] * len(air.unit_ids), np.int64),
        unit_ready_capacity=_arr(
            [s.launchers * s.rounds_per_launcher for s in systems] + air.unit_stock, np.int64
        ),
        unit_stock=_arr(
            [
                s.launchers * s.rounds_per_launcher if u.stock is None else u.stock
                for u, s in zip(units, systems, strict=True)
            ]
            + air.unit_stock,
            np.int64,
        ),
        # no reload in the air: the ready rounds are the whole load
        unit_reload_s=_arr([s.reload_s for s in systems] + [0.0] * len(air.unit_ids), np.float64),
        unit_interceptor_mps=_arr(
            [s.interceptor_speed_mps for s in systems] + air.unit_speed_mps, np.float64
        ),
        unit_cost_usd=_arr([s.cost_per_shot_usd for s in systems] + air.unit_cost_usd, np.float64),
        unit_pk=readonly(
            np.asarray(
                [list(s.pk) for s in systems] + [list(p) for p in air.unit_pk], dtype=np.float64
            ).reshape(n_all, len(_CLASSES))
        ),
        unit_tasked=_arr(
            [[u.engages is None or c in u.engages for c in _CLASSES] for u in units]
            + air.unit_tasked,
            bool,
        ).reshape(n_all, len(_CLASSES)),
        unit_rounds_per_engagement=_arr(
            [s.shots_per_engagement if s.doctrine is Doctrine.SHOOT_SHOOT else 1 for s in systems]
            + air.unit_rounds,
            np.int64,
        ),
        unit_rounds_per_target=_arr(
            [
                s.rounds_per_target if u.rounds_per_target is None else u.rounds_per_target
                for u, s in zip(units, systems, strict=True)
            ]
            # an aircraft's weapon rows: no limit (the weapon choice of engine.air and its
            # wait for a cheaper weapon do not read one)
            + [0] * len(air.unit_ids),
            np.int64,
        ),
        unit_decoy_discrimination=_arr(
            [s.identification(daylight=scenario.daylight)[0] for s in systems]
            + [crew[0]] * len(air.unit_ids),
            np.float64,
        ),
        unit_reserves=_arr(
            [[u.reserve_for.get(c, 0) for c in _CLASSES] for u in units]
            + [[0] * len(_CLASSES)] * len(air.unit_ids),
            np.int64,
        ).reshape(n_all, len(_CLASSES)),
        unit_fire_control=_arr(
            [_FIRE_CONTROL.index(s.fire_control) for s in systems]
            + [network_fire] * len(air.unit_ids),
            np.int8,
        ),
        unit_radar_range_m=_arr(
            [s.radar_range_m for s in systems] + [0.0] * len(air.unit_ids), np.float64
        ),
        unit_radar_reference_rcs_m2=_arr(
            [s.radar_reference_rcs_m2 for s in systems] + [1.0] * len(air.unit_ids), np.float64
        ),
        unit_radar_height_m=_arr(
            [s.radar_height_m for s in systems] + air.unit_altitude_m, np.float64
        ),
        unit_radar_azimuth_rad=_arr(
            [math.radians(u.radar_azimuth_deg or 0.0) for u in units] + [0.0] * len(air.unit_ids),
            np.float64,
        ),
        unit_radar_half_sector_rad=_arr(
            [s.radar_sector_rad / 2 for s in systems] + [math.pi] * len(air.unit_ids), np.float64
        ),
        unit_networks=readonly(
            np.asarray(
                [membership(u.networks) for u in units]
                + [membership(n) for n in air.unit_networks],
                dtype=bool,
            ).reshape(n_all, len(networks))
        ),
        sensor_lon_deg=_arr(
            [s.position.lon_deg for s in sensors]
            + [u.position.lon_deg for u in units]
            + air.unit_lon_deg
            + air.sensor_lon_deg,
            np.float64,
        ),
        sensor_lat_deg=_arr(
            [s.position.lat_deg for s in sensors]
            + [u.position.lat_deg for u in units]
            + air.unit_lat_deg
            + air.sensor_lat_deg,
            np.float64,
        ),
        sensor_height_m=_arr(
            [s.height_m for s in sensors]
            + [s.radar_height_m for s in systems]
            + air.unit_altitude_m
            + air.sensor_height_m,
            np.float64,
        ),
        sensor_range_m=_arr(
            [s.radar_range_km * KM_TO_M for s in sensors]
            + [s.radar_range_m for s in systems]
            + [0.0] * len(air.unit_ids)
            + air.sensor_range_m,
            np.float64,
        ),
        sensor_reference_rcs_m2=_arr(
            [s.reference_rcs_m2 for s in sensors]
            + [s.radar_reference_rcs_m2 for s in systems]
            + [1.0] * len(air.unit_ids)
            + air.sensor_reference_rcs_m2,
            np.float64,
        ),
        ew_zone_lon_deg=_arr([z.position.lon_deg for z in scenario.ew_zones], np.float64),
        ew_zone_lat_deg=_arr([z.position.lat_deg for z in scenario.ew_zones], np.float64),
        ew_zone_radius_m=_arr([z.radius_km * KM_TO_M for z in scenario.ew_zones], np.float64),
        ew_zone_strength=_arr([z.strength for z in scenario.ew_zones], np.float64),
        sensor_networks=readonly(
            np.asarray(
                [membership(s.networks) for s in sensors]
                + [membership(u.networks) for u in units]
                + [membership(n) for n in air.unit_networks]
                + [membership(n) for n in air.sensor_networks],
                dtype=bool,
            ).reshape(-1, len(networks))
        ),
        network_names=networks,
        # issue #22
        roe_require_id=_arr([n.roe.require_identification for n in nations], bool),
        roe_engage_decoys=_arr([_ENGAGE_DECOYS[n.roe.engage_decoys] for n in nations], np.int8),
        roe_only_threatening=_arr([n.roe.engage_only_threatening for n in nations], bool),
        roe_threat_within_m=_arr([_within_m(n) for n in nations], np.float64),
        roe_threat_horizon_m=_arr([_horizon(n, in_time=False) for n in nations], np.float64),
        roe_threat_horizon_s=_arr([_horizon(n, in_time=True) for n in nations], np.float64),
        roe_clock=_arr([_CLOCKS[n.roe.authorization_clock] for n in nations], np.int8),
        unit_roe_nation=_arr(
            [nation_pos[u.operates_under or u.nation] for u in units]
            + [nation_pos[n] for n in air.unit_rules_nation],
            np.int32,
        ),
        unit_identification_delay_s=_arr(
            [s.identification(daylight=scenario.daylight)[2] for s in systems]
            + [crew[2]] * len(air.unit_ids),
            np.float64,
        ),
        unit_drone_taken_for_decoy=_arr(
            [s.identification(daylight=scenario.daylight)[1] for s in systems]
            + [crew[1]] * len(air.unit_ids),
            np.float64,
        ),
        threat_endurance_s=_arr([t.endurance_s for t in threat_types], np.float64),
        threat_loss_rate_per_s=_arr([t.loss_rate_per_s for t in threat_types], np.float64),
        # an air-to-air missile that misses comes down whole like the ground systems' rounds
        # (an AIM-120 hit a house at Wyryki-Wola, aa-2025-wyryki-aim120); a gun burst near the
        # intercept point
        unit_missed_ballistic=_arr(
            [s.missed_round is MissedRound.BALLISTIC for s in systems]
            + [not catalog.weapons[w].gun for w in air.unit_weapon],
            bool,
        ),
        asset_area_radius_m=_arr(
            [a.area_radius_km * KM_TO_M for a in scenario.assets.values()], np.float64
        ),
        # air patrols (appended): presence, platform and weapon choice per unit row
        unit_on_s=_arr(
            [-math.inf] * n_ground + [air.platform_on_s[p] for p in air.unit_platform], np.float64
        ),
        unit_off_s=_arr(
            [math.inf] * n_ground + [air.platform_off_s[p] for p in air.unit_platform], np.float64
        ),
        unit_platform=_arr(
            list(range(n_ground)) + [n_ground + p for p in air.unit_platform], np.int64
        ),
        unit_adequate_pk=_arr([0.0] * n_ground + air.unit_adequate_pk, np.float64),
        platform_ids=tuple(air.platform_ids),
        platform_patrol=_arr(air.platform_patrol, np.int64),
        platform_takeoff_s=_arr(air.platform_takeoff_s, np.float64),
        platform_on_s=_arr(air.platform_on_s, np.float64),
        platform_off_s=_arr(air.platform_off_s, np.float64),
        platform_landing_s=_arr(air.platform_landing_s, np.float64),
        patrol_ids=tuple(p.id for p in scenario.air_patrols),
        unit_alert=_arr(
            [-1] * n_ground + [air.platform_alert[p] for p in air.unit_platform], np.int64
        ),
        alert_networks=readonly(
            np.asarray([membership(n) for n in air.alert_networks], dtype=bool).reshape(
                -1, len(networks)
            )
        ),
        platform_alert=_arr(air.platform_alert, np.int64),
        orbit_sensor=_arr(
            [len(sensors) + len(units) + len(air.unit_ids) + k for k in air.orbit_sensor],
            np.int64,
        ),
        orbit_on_s=_arr(air.orbit_on_s, np.float64),
        orbit_off_s=_arr(air.orbit_off_s, np.float64),
        unit_wait_cheaper=_arr([False] * n_ground + air.unit_wait_cheaper, bool),
    )
