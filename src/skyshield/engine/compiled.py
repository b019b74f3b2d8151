"""A scenario compiled to flat, read-only numpy arrays in SI units: what the engines read.

Index conventions: threats, fire units, sensors, nations, networks and assets are numbered in
scenario order; nation index ``n`` is ``CompiledScenario.nation_codes[n]`` (scenario nations), and
territory codes are indices into :data:`skyshield.geo.NATION_CODES` (``-1`` = no nation).
Fire units' own radars are appended after the stand-alone sensors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from shapely.geometry import Polygon

__all__ = ["CompiledScenario", "per_scenario", "readonly"]


def readonly(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only and return it."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True, slots=True)
class CompiledScenario:
    """Everything the engines need, as arrays (shape, dtype and unit in the comments)."""

    name: str
    time_step_s: float
    optimal_assignment: bool
    # nations (n_nations)
    nation_codes: tuple[str, ...]
    nation_territory: np.ndarray  # (n_nations,) int16: index in geo.NATION_CODES
    nation_allied: np.ndarray  # (n_nations,) bool: member of at least one alliance
    roe_classes: np.ndarray  # (n_nations, n_classes) bool
    roe_zone_kind: np.ndarray  # (n_nations,) int8: 0 own, 1 buffer, 2 polygon
    roe_buffer_m: np.ndarray  # (n_nations,) float64
    roe_buffer_into: np.ndarray  # (n_nations, n_geo_nations) bool
    roe_polygons: tuple[Polygon | None, ...]  # (n_nations,) lon/lat polygon of a polygon zone
    roe_must_head: np.ndarray  # (n_nations,) bool
    roe_heading_horizon_m: np.ndarray  # (n_nations,) float64
    roe_delay_s: np.ndarray  # (n_nations,) float64
    roe_cap_outside: np.ndarray  # (n_nations,) int64: -1 = no cap
    roe_no_populated: np.ndarray  # (n_nations,) bool
    roe_populated_min: np.ndarray  # (n_nations,) int64
    roe_populated_radius_m: np.ndarray  # (n_nations,) float64
    # assets (n_assets)
    asset_names: tuple[str, ...]
    asset_lon_deg: np.ndarray  # (n_assets,) float64
    asset_lat_deg: np.ndarray  # (n_assets,) float64
    asset_value: np.ndarray  # (n_assets,) float64
    # threats (n_threats), one per launched weapon
    threat_type_keys: tuple[str, ...]  # (n_types,) catalog keys
    threat_type: np.ndarray  # (n_threats,) int32: index in threat_type_keys
    threat_class: np.ndarray  # (n_threats,) int8: ThreatClass order
    threat_wave: np.ndarray  # (n_threats,) int32
    threat_target: np.ndarray  # (n_threats,) int32: asset index
    threat_launch_s: np.ndarray  # (n_threats,) float64: nominal launch time
    threat_launch_jitter_s: np.ndarray  # (n_threats,) float64: sd of launch-time jitter
    threat_route_jitter_m: np.ndarray  # (n_threats,) float64: sd of waypoint offsets
    threat_speed_mps: np.ndarray  # (n_threats,) float64
    threat_altitude_m: np.ndarray  # (n_threats,) float64: cruise altitude or apogee
    threat_terminal_speed_mps: np.ndarray  # (n_threats,) float64: speed along the dive
    threat_apogee_range_m: np.ndarray  # (n_threats,) float64: ballistic apogee reached at
    threat_dive_angle_rad: np.ndarray  # (n_threats,) float64: 0 = no terminal dive
    threat_dive_altitude_m: np.ndarray  # (n_threats,) float64: where the dive starts
    threat_ballistic: np.ndarray  # (n_threats,) bool
    threat_rcs_m2: np.ndarray  # (n_threats,) float64
    threat_cost_usd: np.ndarray  # (n_threats,) float64
    threat_ew_rate_per_m: np.ndarray  # (n_threats,) float64: loss hazard per m in a zone
    route_offset: np.ndarray  # (n_threats + 1,) int64: waypoints of threat i are [o[i], o[i+1])
    route_lon_deg: np.ndarray  # (n_points,) float64: launch site, waypoints, target
    route_lat_deg: np.ndarray  # (n_points,) float64
    # fire units (n_units)
    unit_ids: tuple[str, ...]
    unit_system_keys: tuple[str, ...]
    unit_nation: np.ndarray  # (n_units,) int32: scenario nation index
    unit_lon_deg: np.ndarray  # (n_units,) float64
    unit_lat_deg: np.ndarray  # (n_units,) float64
    unit_min_range_m: np.ndarray  # (n_units,) float64
    unit_max_range_m: np.ndarray  # (n_units,) float64
    unit_min_alt_m: np.ndarray  # (n_units,) float64
    unit_max_alt_m: np.ndarray  # (n_units,) float64
    unit_channels: np.ndarray  # (n_units,) int64
    unit_ready_capacity: np.ndarray  # (n_units,) int64: launchers x rounds per launcher
    unit_stock: np.ndarray  # (n_units,) int64: rounds available at the start
    unit_reload_s: np.ndarray  # (n_units,) float64
    unit_interceptor_mps: np.ndarray  # (n_units,) float64
    unit_cost_usd: np.ndarray  # (n_units,) float64: per round
    unit_pk: np.ndarray  # (n_units, n_classes) float64: single-round kill probability
    unit_tasked: np.ndarray  # (n_units, n_classes) bool: classes the unit is tasked against
    unit_rounds_per_engagement: np.ndarray  # (n_units,) int64
    unit_rounds_per_target: np.ndarray  # (n_units,) int64: most rounds at one threat; 0 = no limit
    unit_decoy_discrimination: np.ndarray  # (n_units,) float64: P(recognise a decoy)
    unit_reserves: np.ndarray  # (n_units, n_classes) int64: rounds held back for each class
    unit_networks: np.ndarray  # (n_units, n_networks) bool
    unit_fire_control: np.ndarray  # (n_units,) int8: FireControl order (0 own radar, ...)
    unit_radar_range_m: np.ndarray  # (n_units,) float64: own radar vs its reference RCS; 0 none
    unit_radar_reference_rcs_m2: np.ndarray  # (n_units,) float64
    unit_radar_height_m: np.ndarray  # (n_units,) float64
    unit_radar_azimuth_rad: np.ndarray  # (n_units,) float64: sector centre, clockwise from north
    unit_radar_half_sector_rad: np.ndarray  # (n_units,) float64: π = all round
    # sensors (n_sensors): stand-alone radars, then fire units' own radars
    sensor_lon_deg: np.ndarray  # (n_sensors,) float64
    sensor_lat_deg: np.ndarray  # (n_sensors,) float64
    sensor_height_m: np.ndarray  # (n_sensors,) float64
    sensor_range_m: np.ndarray  # (n_sensors,) float64: against the reference RCS
    sensor_reference_rcs_m2: np.ndarray  # (n_sensors,) float64
    sensor_networks: np.ndarray  # (n_sensors, n_networks) bool
    network_names: tuple[str, ...]
    # electronic-warfare zones (n_zones)
    ew_zone_lon_deg: np.ndarray  # (n_zones,) float64
    ew_zone_lat_deg: np.ndarray  # (n_zones,) float64
    ew_zone_radius_m: np.ndarray  # (n_zones,) float64
    ew_zone_strength: np.ndarray  # (n_zones,) float64
    # issue #22: identification, threat assessment, authorization clock, host-nation rules
    roe_require_id: np.ndarray  # (n_nations,) bool: fire only at identified targets
    roe_engage_decoys: np.ndarray  # (n_nations,) int8: 0 never, 1 if threatening, 2 always
    roe_only_threatening: np.ndarray  # (n_nations,) bool: engage only threatening tracks
    roe_threat_within_m: np.ndarray  # (n_nations,) float64: 0 = no threat assessment
    roe_threat_horizon_m: np.ndarray  # (n_nations,) float64: course horizon; -1 = by time
    roe_threat_horizon_s: np.ndarray  # (n_nations,) float64: horizon as flight time; -1 = by m
    roe_clock: np.ndarray  # (n_nations,) int8: 0 first track, 1 zone entry, 2 identification
    unit_roe_nation: np.ndarray  # (n_units,) int32: nation whose rules it fires under
    unit_identification_delay_s: np.ndarray  # (n_units,) float64: track to identification
    unit_drone_taken_for_decoy: np.ndarray  # (n_units,) float64: P(drone identified as decoy)
    # issue #22: threats falling on their own, missed interceptors coming down
    threat_endurance_s: np.ndarray  # (n_threats,) float64: flight time before fuel runs out
    threat_loss_rate_per_s: np.ndarray  # (n_threats,) float64: hazard of coming down on its own
    unit_missed_ballistic: np.ndarray  # (n_units,) bool: a missed round flies on (else bursts)
    asset_area_radius_m: np.ndarray  # (n_assets,) float64: a threat ending within reached it
    # air patrols (appended; skyshield.engine.air): fire-unit rows n_ground.. are (aircraft,
    # weapon) rows; ground units are present always and each its own platform
    unit_on_s: np.ndarray  # (n_units,) float64: on station from (after the raid start); -inf
    unit_off_s: np.ndarray  # (n_units,) float64: leaves station at; inf
    unit_platform: np.ndarray  # (n_units,) int64: channels are shared per platform (aircraft)
    unit_adequate_pk: np.ndarray  # (n_units,) float64: weapon choice threshold
    platform_ids: tuple[str, ...]  # (n_aircraft_sorties,) "patrol/sortie.aircraft"
    platform_patrol: np.ndarray  # (n_aircraft_sorties,) int64: index in patrol_ids
    platform_takeoff_s: np.ndarray  # (n_aircraft_sorties,) float64
    platform_on_s: np.ndarray  # (n_aircraft_sorties,) float64
    platform_off_s: np.ndarray  # (n_aircraft_sorties,) float64
    platform_landing_s: np.ndarray  # (n_aircraft_sorties,) float64
    patrol_ids: tuple[str, ...]
    # quick reaction alert (appended; skyshield.engine.air): an alert unit's unit_on_s and
    # unit_off_s (and its platform's times) count from its group's alert, raised each night at
    # the first step its networks hold a track on a threat still flying
    unit_alert: np.ndarray  # (n_units,) int64: alert group, -1 = scheduled or ground
    alert_networks: np.ndarray  # (n_alert_groups, n_networks) bool
    platform_alert: np.ndarray  # (n_aircraft_sorties,) int64: alert group, -1 = scheduled
    # airborne sensors' on-station orbits (appended; skyshield.engine.aew): a sensor listed
    # here detects only while on station, raid time [on, off); others always
    orbit_sensor: np.ndarray  # (n_orbits,) int64: index in sensor_*
    orbit_on_s: np.ndarray  # (n_orbits,) float64
    orbit_off_s: np.ndarray  # (n_orbits,) float64
    # air patrols' weapon choice: wait for a cheaper adequate weapon (skyshield.engine.air)
    unit_wait_cheaper: np.ndarray  # (n_units,) bool

    @property
    def n_threats(self) -> int:
        """Number of threats launched."""
        return int(self.threat_type.shape[0])

    @property
    def n_units(self) -> int:
        """Number of fire units."""
        return int(self.unit_nation.shape[0])


_T = TypeVar("_T")
# Per-scenario structures kept (a few scenarios' worth: a sweep compiles one per point; a
# scenario with threats flown once, engine.fixed, keeps about ten, its two parts' included).
_KEPT = 48
_kept: OrderedDict[tuple[int, str], tuple[object, object]] = OrderedDict()
_kept_lock = threading.RLock()


def per_scenario(compiled: CompiledScenario, name: str, build: Callable[[], _T]) -> _T:
    """``build()``, once per compiled scenario object and ``name``; kept for the last few.

    For structures that depend on the compiled scenario alone (unit and radar grids, zone
    polygons) and are read by every route set: built on first use, then shared. The entry
    holds the scenario itself, so an id is never taken for another object's while it is kept.
    """
    key = (id(compiled), name)
    with _kept_lock:
        hit = _kept.get(key)
        if hit is not None and hit[0] is compiled:
            _kept.move_to_end(key)
            return hit[1]  # type: ignore[return-value]
        value = build()
        _kept[key] = (compiled, value)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
        return value
