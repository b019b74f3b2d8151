"""One replication of a run as a GeoJSON FeatureCollection (RFC 7946): the map of a night.

Every feature carries ``properties.layer`` naming what it is:

========================  ==========  =======================================================
layer                     geometry    what
========================  ==========  =======================================================
``asset``                 Point       a target (city or position) and its value
``fire_unit``             Point       a fire unit: system, nation, stock, rounds fired
``envelope``              Polygon     a unit's maximum engagement range (geodesic circle)
``radar_sector``          Polygon     a unit's own radar coverage against its reference RCS
``sensor``                Point       a stand-alone radar
``sensor_coverage``       Polygon     its range against its reference RCS
``roe_zone``              (Multi)Pol  where a nation may place intercept points (outline)
``ew_zone``               Polygon     an electronic-warfare disc
``route``                 LineString  a threat's flight, launch to fate (lon, lat, alt)
``intercept``             Point       an interceptor's intercept point (hit or miss);
                                      ``debris_near_populated``: a hit within the debris
                                      rule's distance of a populated place (as ``compare``
                                      counts it)
``fate``                  Point       where a threat that was not intercepted ended;
                                      ``near_populated``: within the debris rule's distance
                                      of a populated place (an impact or a fall near people)
========================  ==========  =======================================================

Route vertices are a subset of the engine's trajectory samples (collinear samples dropped,
Douglas–Peucker at 1e-4 deg, about 10 m), so every vertex is an engine position. Coordinates
are lon, lat (degrees, WGS84) and, where given, altitude in metres.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, mapping
from shapely.geometry.base import BaseGeometry

from skyshield.exporting.shapes import circle, nation_zone, sector
from skyshield.exporting.tracks import Track, replication_rows, replication_tracks
from skyshield.geo import near_populated_place_mask
from skyshield.metrics.policy import DEFAULT_DEBRIS, DebrisRule
from skyshield.runner.montecarlo import Run
from skyshield.units import KM_TO_M, M_TO_KM

__all__ = ["LAYERS", "geojson_document", "geojson_text", "route_vertices"]

LAYERS = (
    "asset",
    "fire_unit",
    "envelope",
    "radar_sector",
    "sensor",
    "sensor_coverage",
    "roe_zone",
    "ew_zone",
    "route",
    "intercept",
    "fate",
)
_ROUTE_TOLERANCE_DEG = 1e-4


def _feature(geometry: BaseGeometry | dict[str, Any], **properties: Any) -> dict[str, Any]:
    geo = geometry if isinstance(geometry, dict) else mapping(geometry)
    return {"type": "Feature", "geometry": geo, "properties": properties}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(lon), float(lat)]}


def route_vertices(track: Track) -> np.ndarray:
    """(n,) int64 indices of the samples of ``track`` kept as route vertices (first and last)."""
    xy = np.column_stack([track.lon_deg, track.lat_deg])
    kept = shapely.get_coordinates(
        shapely.simplify(LineString(xy), _ROUTE_TOLERANCE_DEG, preserve_topology=False)
    )
    # each kept vertex is a sample: the first sample at exactly its position (kept x samples
    # compared at once; a Python loop over every sample took most of a night's map)
    same = (kept[:, 0, None] == xy[None, :, 0]) & (kept[:, 1, None] == xy[None, :, 1])
    index: np.ndarray = np.argmax(same, axis=1).astype(np.int64)
    # a track that returns to a point it passed (rare) would map to the earlier sample; the
    # last vertex is always the fate point
    index[-1] = xy.shape[0] - 1
    return index


def _static_features(run: Run) -> list[dict[str, Any]]:
    c, s = run.compiled, run.scenario
    features = [
        _feature(
            _point(c.asset_lon_deg[a], c.asset_lat_deg[a]),
            layer="asset",
            name=name,
            value=float(c.asset_value[a]),
        )
        for a, name in enumerate(c.asset_names)
    ]
    for u, unit in enumerate(s.fire_units):
        lon, lat = float(c.unit_lon_deg[u]), float(c.unit_lat_deg[u])
        props = {
            "unit": unit.id,
            "system": unit.system,
            "nation": unit.nation,
            "label": unit.label,
        }
        features.append(
            _feature(
                _point(lon, lat),
                layer="fire_unit",
                **props,
                stock=int(c.unit_stock[u]),
                channels=int(c.unit_channels[u]),
                max_range_km=float(c.unit_max_range_m[u]) * M_TO_KM,
                min_range_km=float(c.unit_min_range_m[u]) * M_TO_KM,
                max_altitude_km=float(c.unit_max_alt_m[u]) * M_TO_KM,
            )
        )
        features.append(
            _feature(circle(lon, lat, float(c.unit_max_range_m[u])), layer="envelope", **props)
        )
        if c.unit_radar_range_m[u] > 0:
            wedge = sector(
                lon,
                lat,
                float(c.unit_radar_range_m[u]),
                float(c.unit_radar_azimuth_rad[u]),
                float(c.unit_radar_half_sector_rad[u]),
            )
            features.append(
                _feature(
                    wedge,
                    layer="radar_sector",
                    **props,
                    radar_range_km=float(c.unit_radar_range_m[u]) * M_TO_KM,
                    reference_rcs_m2=float(c.unit_radar_reference_rcs_m2[u]),
                )
            )
    for sensor in s.sensors:
        pos = sensor.position
        props = {"sensor": sensor.id, "nation": sensor.nation, "label": sensor.label}
        features.append(_feature(_point(pos.lon_deg, pos.lat_deg), layer="sensor", **props))
        features.append(
            _feature(
                circle(pos.lon_deg, pos.lat_deg, sensor.radar_range_km / M_TO_KM),
                layer="sensor_coverage",
                **props,
                radar_range_km=sensor.radar_range_km,
                reference_rcs_m2=sensor.reference_rcs_m2,
            )
        )
    for n, code in enumerate(c.nation_codes):
        zone = s.nations[code].roe.zone
        features.append(
            _feature(
                nation_zone(c, n),
                layer="roe_zone",
                nation=code,
                kind=zone.kind.value,
                buffer_km=zone.buffer_km,
                into=list(zone.into),
            )
        )
    for ew in s.ew_zones:
        pos = ew.position
        features.append(
            _feature(
                circle(pos.lon_deg, pos.lat_deg, ew.radius_km / M_TO_KM),
                layer="ew_zone",
                zone=ew.id,
                nation=ew.nation,
                radius_km=ew.radius_km,
                strength=ew.strength,
                label=ew.label,
            )
        )
    return features


def geojson_document(
    run: Run, replication: int, debris: DebrisRule = DEFAULT_DEBRIS
) -> dict[str, Any]:
    """Map one replication of a run as a GeoJSON FeatureCollection (see module docstring).

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    tracks = replication_tracks(run, replication)
    features = _static_features(run)
    ends = [t for t in tracks if t.fate != "intercepted"]
    ended_near = near_populated_place_mask(
        np.asarray([t.lon_deg[-1] for t in ends], dtype=np.float64),
        np.asarray([t.lat_deg[-1] for t in ends], dtype=np.float64),
        debris.radius_km * KM_TO_M,
        debris.min_population,
    )
    near_end = {t.threat: bool(close) for t, close in zip(ends, ended_near.tolist(), strict=True)}
    for t in tracks:
        k = route_vertices(t)
        if k.size < 2:  # noqa: PLR2004 (a line needs two points; a threat downed at launch)
            k = np.asarray([0, 0])
        coords = np.column_stack([t.lon_deg[k], t.lat_deg[k], t.alt_m[k]]).tolist()
        features.append(
            _feature(
                {"type": "LineString", "coordinates": coords},
                layer="route",
                threat=t.threat,
                type=t.type_key,
                threat_class=t.threat_class,
                target=t.target,
                fate=t.fate,
                unit=t.unit,
                launch_time_s=float(t.time_s[0]),
                end_time_s=float(t.time_s[-1]),
            )
        )
        if t.fate != "intercepted":
            features.append(
                _feature(
                    _point(t.lon_deg[-1], t.lat_deg[-1]),
                    layer="fate",
                    threat=t.threat,
                    type=t.type_key,
                    threat_class=t.threat_class,
                    target=t.target,
                    fate=t.fate,
                    time_s=float(t.time_s[-1]),
                    near_populated=near_end[t.threat],
                )
            )
    shots = replication_rows(run.outcomes.shots, replication)
    near = near_populated_place_mask(
        shots["lon_deg"].to_numpy(),
        shots["lat_deg"].to_numpy(),
        debris.radius_km * KM_TO_M,
        debris.min_population,
    )
    for shot, close in zip(shots.itertuples(), near.tolist(), strict=True):
        features.append(
            _feature(
                _point(shot.lon_deg, shot.lat_deg),
                layer="intercept",
                unit=str(shot.unit),
                system=str(shot.system),
                nation=str(shot.nation),
                territory=str(shot.territory),
                threat=int(shot.threat),
                threat_class=str(shot.threat_class),
                hit=bool(shot.hit),
                fire_time_s=float(shot.fire_time_s),
                intercept_time_s=float(shot.intercept_time_s),
                outside_own_airspace=bool(shot.outside_own_airspace),
                debris_near_populated=bool(shot.hit) and bool(close),
            )
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "scenario": run.scenario.name,
            "replication": replication,
            "replications": run.replications,
            "seed": run.seed,
            "start_time": run.scenario.start_time.isoformat(),
            "notional_positions": run.scenario.notional,
        },
    }


def geojson_text(run: Run, replication: int) -> str:
    """:func:`geojson_document` as JSON text (strict: no NaN)."""
    return json.dumps(geojson_document(run, replication), allow_nan=False)
