"""Outlines drawn on maps: geodesic circles and sectors, and each nation's engagement zone.

These are pictures of what the engine tests point by point (a range, a sector, a zone), not
inputs to it: circles are 72-gons of exact geodesic points, buffer zones are drawn by buffering
the nation's border in an azimuthal equidistant projection centred on it (distances from the
centre exact, within ~1% elsewhere at these extents), which the engine never uses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from skyshield.engine.compiled import CompiledScenario
from skyshield.geo import destination_lonlat
from skyshield.geo.borders import nation_geometries

__all__ = ["circle", "nation_zone", "sector"]

_CIRCLE_VERTICES = 72  # 5 degrees apart: within 0.4% of the true circle's radius
_DISPLAY_TOLERANCE_DEG = 0.005  # about 500 m: far below what a map at report scale shows


def circle(lon_deg: float, lat_deg: float, radius_m: float) -> Polygon:
    """Return the geodesic circle of ``radius_m`` around a point, as a lon/lat polygon.

    Units: degrees and metres.
    """
    bearing = np.linspace(0.0, 2.0 * np.pi, _CIRCLE_VERTICES, endpoint=False)
    lon, lat = destination_lonlat(lon_deg, lat_deg, bearing, radius_m)
    return Polygon(np.column_stack([lon, lat]))


def sector(
    lon_deg: float, lat_deg: float, radius_m: float, azimuth_rad: float, half_width_rad: float
) -> Polygon:
    """Return a radar's wedge: ``radius_m`` either side of ``azimuth_rad`` by ``half_width_rad``.

    A half width of π or more is the full circle. Units: degrees, metres, radians clockwise
    from north.
    """
    if half_width_rad >= np.pi:
        return circle(lon_deg, lat_deg, radius_m)
    n = max(2, int(np.ceil(2.0 * half_width_rad / (2.0 * np.pi / _CIRCLE_VERTICES))) + 1)
    bearing = azimuth_rad + np.linspace(-half_width_rad, half_width_rad, n)
    lon, lat = destination_lonlat(lon_deg, lat_deg, bearing, radius_m)
    return Polygon([(lon_deg, lat_deg), *zip(lon.tolist(), lat.tolist(), strict=True)])


def _buffered(geometry: BaseGeometry, distance_m: float) -> BaseGeometry:
    centre = geometry.centroid
    local = pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m"
    )
    to_local = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    to_lonlat = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)

    def project(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
        return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    buffered = shapely.transform(geometry, project(to_local)).buffer(distance_m)
    return shapely.transform(buffered, project(to_lonlat))


def nation_zone(compiled: CompiledScenario, nation: int) -> BaseGeometry:
    """Outline of where a scenario nation may place intercept points (its ROE zone).

    Own territory; plus, for a buffer zone, the parts of the named neighbours within the buffer
    of it; plus, for a polygon zone, the polygon. Simplified for display.
    """
    geometries = nation_geometries()
    own = geometries[int(compiled.nation_territory[nation])]
    zone: BaseGeometry = own
    kind = int(compiled.roe_zone_kind[nation])
    if kind == 1:
        into = [geometries[g] for g in np.flatnonzero(compiled.roe_buffer_into[nation])]
        if into:
            reach = _buffered(own, float(compiled.roe_buffer_m[nation]))
            zone = shapely.union(own, shapely.intersection(reach, shapely.union_all(into)))
    elif kind == 2:  # noqa: PLR2004 (polygon zone, see CompiledScenario.roe_zone_kind)
        polygon = compiled.roe_polygons[nation]
        if polygon is not None:
            zone = shapely.union(own, polygon)
    return shapely.make_valid(shapely.simplify(zone, _DISPLAY_TOLERANCE_DEG))
