"""A scenario compiled to flat, read-only numpy arrays in SI units: what the engines read.

Index conventions: threats, fire units, sensors, nations, networks and assets are numbered in
scenario order; nation index ``n`` is ``CompiledScenario.nation_codes[n]`` (scenario nations), and
territory codes are indices into :data:`skyshield.geo.NATION_CODES` (``-1`` = no nation).
Fire units' own radars are appended after the stand-alone sensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

__all__ = ["CompiledScenario", "readonly"]


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

    @property
    def n_threats(self) -> int:
        """Number of threats launched."""
        return int(self.threat_type.shape[0])

    @property
    def n_units(self) -> int:
        """Number of fire units."""
        return int(self.unit_nation.shape[0])
