"""Territory, rule zones, populated areas and heading as time intervals per threat.

When each threat is over whose territory, inside a rule's zone, over a populated area, or
heading for a nation, from crossings of prebuilt polygons.

Polygons are built once per scenario (:func:`zone_polygons`): the nations' borders
(:func:`skyshield.geo.crossings.national_edge_grid`, shared by all), each explicit polygon zone,
and each buffer zone — the nation's territory grown by its buffer, inside the neighbours it
names. Along one route set's pieces, a threat's ground track is the straight line in longitude
and latitude between vertices (as :func:`~skyshield.engine.pieces.positions_at` places it);
crossings of the polygons' edges cut it into intervals
(:func:`skyshield.geo.crossings.code_changes`).
Populated areas are discs around places (:mod:`skyshield.geo.cities`), met as the EW zones are:
the ground chord of a piece against the chord of the disc's radius.

The heading rule reads the track at fire time: a threat heads for a nation while over its
territory, or while the straight course of its current piece (the initial bearing from the
piece's start to its end) would enter it within a quarter, a half, three quarters or all of the
heading horizon. Moving a piece along its course by a fixed distance gives another short
segment, crossed against the borders like the piece itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numba import njit
from pyproj import Transformer
from scipy.spatial import cKDTree

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.pieces import Pieces
from skyshield.geo import (
    destination_lonlat,
    initial_bearing_rad,
    lonlat_to_ecef_m,
    populated_places,
    territory_codes,
)
from skyshield.geo.borders import NATION_CODES, nation_geometries
from skyshield.geo.crossings import EdgeGrid, code_changes, edge_grid, national_edge_grid

__all__ = [
    "HEADING_FRACTIONS",
    "IntervalSets",
    "ZonePolygons",
    "heading_intervals",
    "nation_zone_intervals",
    "protected_points",
    "territory_intervals",
    "threat_intervals",
    "zone_entry_s",
    "zone_polygons",
]

# Fractions of the heading horizon at which the projected straight course is tested.
HEADING_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
_MEAN_EARTH_RADIUS_M = 6_371_008.8
_NO_COURSE_M = 1e-6  # a piece shorter on the ground has no course (a vertical dive)


@dataclass(frozen=True, slots=True)
class IntervalSets:
    """Sorted disjoint time intervals per threat, each with a code.

    Those of threat ``i`` are ``[offset[i], offset[i + 1])``, seconds after its launch.
    """

    offset: np.ndarray  # (n_threats + 1,) int64
    lo_s: np.ndarray  # (n,) float64
    hi_s: np.ndarray  # (n,) float64
    code: np.ndarray  # (n,) int64: territory code, or 1 / 0 for inside / outside a zone


@dataclass(frozen=True, slots=True)
class ZonePolygons:
    """A scenario's rule zones as edge grids, one per nation (None: own territory only)."""

    zone: tuple[EdgeGrid | None, ...]  # (n_nations,): polygon or buffer zone, as one polygon


def _buffer_zone(compiled: CompiledScenario, nation: int) -> shapely.Geometry:
    """Territory within the buffer of the nation's own, inside the neighbours it names.

    The nation's polygons are grown by the buffer in an azimuthal equidistant projection
    centred on them (distances from the centre exact, a fraction of a percent off a few
    hundred kilometres away), then cut to the named neighbours.
    """
    own = nation_geometries()[int(compiled.nation_territory[nation])]
    centre = own.centroid
    to_local = Transformer.from_crs(
        "EPSG:4326",
        f"+proj=aeqd +lat_0={centre.y} +lon_0={centre.x} +datum=WGS84 +units=m",
        always_xy=True,
    )
    local = shapely.transform(
        own, lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1]))
    )
    grown = shapely.buffer(local, float(compiled.roe_buffer_m[nation]), quad_segs=16)
    back = shapely.transform(
        grown,
        lambda xy: np.column_stack(to_local.transform(xy[:, 0], xy[:, 1], direction="INVERSE")),
    )
    into = [nation_geometries()[c] for c in np.flatnonzero(compiled.roe_buffer_into[nation])]
    return shapely.intersection(back, shapely.union_all(into)) if into else shapely.Polygon()


def zone_polygons(compiled: CompiledScenario) -> ZonePolygons:
    """Build the rule zones' edge grids of a scenario (once; reused by every route set)."""
    zones: list[EdgeGrid | None] = []
    for nation in range(len(compiled.nation_codes)):
        kind = int(compiled.roe_zone_kind[nation])
        if kind == 1:
            zones.append(edge_grid([_buffer_zone(compiled, nation)]))
        elif kind == 2:  # noqa: PLR2004
            polygon = compiled.roe_polygons[nation]
            zones.append(edge_grid([polygon]) if polygon is not None else None)
        else:
            zones.append(None)
    return ZonePolygons(zone=tuple(zones))


@njit(cache=True, nogil=True)
def _changes_to_intervals(
    path_offset: np.ndarray,
    time_s: np.ndarray,
    start_code: np.ndarray,
    at_vertex: np.ndarray,
    at_u: np.ndarray,
    code_after: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_paths = path_offset.shape[0] - 1
    n = n_paths + at_vertex.shape[0]
    lo, hi, code = np.empty(n), np.empty(n), np.empty(n, dtype=np.int64)
    offset = np.zeros(n_paths + 1, dtype=np.int64)
    m, c = 0, 0
    for p in range(n_paths):
        first, last = path_offset[p], path_offset[p + 1] - 1
        lo[m], code[m] = time_s[first], start_code[p]
        while c < at_vertex.shape[0] and at_vertex[c] < last:
            v = at_vertex[c]
            t = time_s[v] + at_u[c] * (time_s[v + 1] - time_s[v])
            hi[m] = t
            m += 1
            lo[m], code[m] = t, code_after[c]
            c += 1
        hi[m] = time_s[last]
        m += 1
        offset[p + 1] = m
    return offset, lo[:m], hi[:m], code[:m]


def _along(grid: EdgeGrid, pieces: Pieces, start_code: np.ndarray) -> IntervalSets:
    at_vertex, at_u, after = code_changes(
        grid, pieces.vertex_offset, pieces.lon_deg, pieces.lat_deg, start_code
    )
    offset, lo, hi, code = _changes_to_intervals(
        pieces.vertex_offset, pieces.time_s, start_code.astype(np.int64), at_vertex, at_u, after
    )
    return IntervalSets(readonly(offset), readonly(lo), readonly(hi), readonly(code))


def territory_intervals(pieces: Pieces) -> IntervalSets:
    """Whose territory each threat's ground track is over, as intervals coded by nation.

    Codes index :data:`skyshield.geo.NATION_CODES`, -1 none.
    """
    first = pieces.vertex_offset[:-1]
    start = np.asarray(
        territory_codes(pieces.lon_deg[first], pieces.lat_deg[first]), dtype=np.int64
    )
    return _along(national_edge_grid(), pieces, start)


def _inside_zone(grid: EdgeGrid, pieces: Pieces) -> IntervalSets:
    first = pieces.vertex_offset[:-1]
    start = np.zeros(first.shape[0], dtype=np.int64) - 1
    # a path starts inside when an odd number of edges lie to the west of its first point
    for k, f in enumerate(first):
        u, _ = _ray_west(grid, float(pieces.lon_deg[f]), float(pieces.lat_deg[f]))
        start[k] = 0 if u % 2 == 1 else -1
    return _along(grid, pieces, start)


def _ray_west(grid: EdgeGrid, lon: float, lat: float) -> tuple[int, int]:
    """Edges a ray from the point to the grid's west edge crosses (point-in-polygon parity)."""
    y = lat
    x0, x1, y0, y1 = grid.x0, grid.x1, grid.y0, grid.y1
    straddles = (y0 <= y) != (y1 <= y)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross_x = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
    return int(np.count_nonzero(straddles & (cross_x < lon))), 0


@njit(cache=True, nogil=True)
def _disc_intervals(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ground_m: np.ndarray,
    centre_m: np.ndarray,
    chord_m: float,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Threat, start and end times of each piece's stretch inside any of the discs.

    ``candidates`` (n, 2) int64: (piece's first vertex, disc) pairs, sorted by vertex.
    """
    n = candidates.shape[0]
    threat = np.empty(n, dtype=np.int64)
    lo, hi = np.empty(n), np.empty(n)
    m, i = 0, 0
    r2 = chord_m * chord_m
    for q in range(n):
        v, z = candidates[q, 0], candidates[q, 1]
        while vertex_offset[i + 1] <= v:
            i += 1
        gx, gy, gz = ground_m[v, 0], ground_m[v, 1], ground_m[v, 2]
        wx, wy, wz = ground_m[v + 1, 0] - gx, ground_m[v + 1, 1] - gy, ground_m[v + 1, 2] - gz
        ax, ay, az = gx - centre_m[z, 0], gy - centre_m[z, 1], gz - centre_m[z, 2]
        qa = wx * wx + wy * wy + wz * wz
        qb = 2.0 * (ax * wx + ay * wy + az * wz)
        qc = ax * ax + ay * ay + az * az - r2
        if qa <= 0.0:
            continue
        disc = qb * qb - 4.0 * qa * qc
        if disc < 0.0:
            continue
        sq = np.sqrt(disc)
        s0, s1 = max((-qb - sq) / (2.0 * qa), 0.0), min((-qb + sq) / (2.0 * qa), 1.0)
        if s0 < s1:
            d = time_s[v + 1] - time_s[v]
            threat[m], lo[m], hi[m] = i, time_s[v] + s0 * d, time_s[v] + s1 * d
            m += 1
    return threat[:m], lo[:m], hi[:m]


def _populated(compiled: CompiledScenario, nation: int, pieces: Pieces) -> IntervalSets:
    """Intervals over which the ground track is within the rule's radius of a populated place."""
    own = NATION_CODES[int(compiled.nation_territory[nation])]
    places = populated_places(int(compiled.roe_populated_min[nation]), own)
    radius = float(compiled.roe_populated_radius_m[nation])
    chord = 2.0 * _MEAN_EARTH_RADIUS_M * np.sin(radius / (2.0 * _MEAN_EARTH_RADIUS_M))
    n = pieces.n_threats
    if places.population.size == 0:
        return IntervalSets(np.zeros(n + 1, dtype=np.int64), np.zeros(0), np.zeros(0),
                            np.zeros(0, dtype=np.int64))  # fmt: skip
    centre = np.asarray(lonlat_to_ecef_m(places.lon_deg, places.lat_deg, 0.0)).reshape(-1, 3)
    ground = np.asarray(lonlat_to_ecef_m(pieces.lon_deg, pieces.lat_deg, 0.0))
    start = pieces.piece_starts()
    # pieces near a place: their ground chord's bounding sphere reaches the disc
    mid = 0.5 * (ground[start] + ground[start + 1])
    half = 0.5 * np.linalg.norm(ground[start + 1] - ground[start], axis=1)
    tree = cKDTree(centre)
    near = tree.query_ball_point(mid, chord + half.max(initial=0.0))
    pairs = [(int(start[k]), int(z)) for k, zs in enumerate(near) for z in zs]
    cand = np.asarray(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    threat, lo, hi = _disc_intervals(
        pieces.vertex_offset, pieces.time_s, ground, centre, chord, cand
    )
    return _union_by_threat(n, threat, lo, hi)


def _union_by_threat(n: int, threat: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> IntervalSets:
    order = np.lexsort((lo, threat))
    threat, lo, hi = threat[order], lo[order], hi[order]
    out_t: list[int] = []
    out_lo: list[float] = []
    out_hi: list[float] = []
    for t, a, b in zip(threat.tolist(), lo.tolist(), hi.tolist(), strict=True):
        if out_t and out_t[-1] == t and a <= out_hi[-1]:
            out_hi[-1] = max(out_hi[-1], b)
        else:
            out_t.append(t)
            out_lo.append(a)
            out_hi.append(b)
    offset = np.searchsorted(np.asarray(out_t, dtype=np.int64), np.arange(n + 1)).astype(np.int64)
    return IntervalSets(
        offset, np.asarray(out_lo), np.asarray(out_hi), np.ones(len(out_t), dtype=np.int64)
    )


@njit(cache=True, nogil=True, inline="always")
def _copied(buffer: np.ndarray, k: int, ends: np.ndarray, off: np.ndarray, i: int) -> int:
    """Copy threat ``i``'s ``ends`` to ``buffer`` from ``k``; return the index after them."""
    for q in range(off[i], off[i + 1]):
        buffer[k] = ends[q]
        k += 1
    return k


@njit(cache=True, nogil=True)
def _allowed(
    n_threats: int,
    own: int,
    t_off: np.ndarray, t_lo: np.ndarray, t_hi: np.ndarray, t_code: np.ndarray,
    z_off: np.ndarray, z_lo: np.ndarray, z_hi: np.ndarray, z_code: np.ndarray,
    p_off: np.ndarray, p_lo: np.ndarray, p_hi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Merge territory, zone and populated intervals into allowed intervals with an outside flag.

    Allowed: over own territory and not populated; or inside the zone (outside own).
    """
    cap = t_lo.shape[0] + z_lo.shape[0] + p_lo.shape[0] + 4 * n_threats + 8
    lo, hi = np.empty(cap), np.empty(cap)
    outside = np.empty(cap, dtype=np.int64)
    offset = np.zeros(n_threats + 1, dtype=np.int64)
    m = 0
    # one buffer for every threat's change times (np.concatenate and np.unique allocated two
    # arrays per threat): the longest threat's six interval ends
    most = 0
    for i in range(n_threats):
        most = max(
            most, t_off[i + 1] - t_off[i] + z_off[i + 1] - z_off[i] + p_off[i + 1] - p_off[i]
        )
    buffer = np.empty(2 * most)
    for i in range(n_threats):
        # every change time of the three sets cuts the threat's flight into pieces of one state
        # (sorted, each once: np.unique's values)
        k = _copied(buffer, 0, t_lo, t_off, i)
        k = _copied(buffer, k, t_hi, t_off, i)
        k = _copied(buffer, k, z_lo, z_off, i)
        k = _copied(buffer, k, z_hi, z_off, i)
        k = _copied(buffer, k, p_lo, p_off, i)
        k = _copied(buffer, k, p_hi, p_off, i)
        buffer[:k].sort()
        n_cuts = 0
        for q in range(k):
            if n_cuts == 0 or buffer[q] != buffer[n_cuts - 1]:
                buffer[n_cuts] = buffer[q]
                n_cuts += 1
        cuts = buffer[:n_cuts]
        for c in range(cuts.shape[0] - 1):
            a, b = cuts[c], cuts[c + 1]
            mid = 0.5 * (a + b)
            over_own = False
            for q in range(t_off[i], t_off[i + 1]):
                if t_lo[q] <= mid < t_hi[q]:
                    over_own = t_code[q] == own
                    break
            ok = False
            if over_own:
                ok = True
                for q in range(p_off[i], p_off[i + 1]):
                    if p_lo[q] <= mid < p_hi[q]:
                        ok = False
                        break
            else:
                for q in range(z_off[i], z_off[i + 1]):
                    if z_lo[q] <= mid < z_hi[q] and z_code[q] == 0:
                        ok = True
                        break
            if not ok:
                continue
            flag = 0 if over_own else 1
            if m > offset[i] and hi[m - 1] == a and outside[m - 1] == flag:
                hi[m - 1] = b
                continue
            if m == lo.shape[0]:
                lo = np.concatenate((lo, np.empty(m)))
                hi = np.concatenate((hi, np.empty(m)))
                outside = np.concatenate((outside, np.empty(m, dtype=np.int64)))
            lo[m], hi[m], outside[m] = a, b, flag
            m += 1
        offset[i + 1] = m
    return offset, lo[:m], hi[:m], outside[:m]


def _empty(n: int) -> IntervalSets:
    return IntervalSets(
        np.zeros(n + 1, dtype=np.int64), np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int64)
    )


def nation_zone_intervals(
    compiled: CompiledScenario,
    nation: int,
    pieces: Pieces,
    territory: IntervalSets,
    polygons: ZonePolygons,
) -> IntervalSets:
    """Where a nation may intercept each threat: code 0 over own territory, 1 outside it.

    Own territory (less its populated areas where the nation forbids firing over them), or,
    outside it, inside the nation's buffer or polygon zone.
    """
    n = pieces.n_threats
    grid = polygons.zone[nation]
    zone = _inside_zone(grid, pieces) if grid is not None else _empty(n)
    crowd = _populated(compiled, nation, pieces) if compiled.roe_no_populated[nation] else _empty(n)
    offset, lo, hi, outside = _allowed(
        n, int(compiled.nation_territory[nation]),
        territory.offset, territory.lo_s, territory.hi_s, territory.code,
        zone.offset, zone.lo_s, zone.hi_s, zone.code,
        crowd.offset, crowd.lo_s, crowd.hi_s,
    )  # fmt: skip
    return IntervalSets(offset, lo, hi, outside)


def heading_intervals(
    compiled: CompiledScenario, nation: int, pieces: Pieces, territory: IntervalSets
) -> IntervalSets:
    """Fire times at which each threat's track heads for the nation (code 1), per threat."""
    own = int(compiled.nation_territory[nation])
    horizon = float(compiled.roe_heading_horizon_m[nation])
    start = pieces.piece_starts()
    lon0, lat0 = pieces.lon_deg[start], pieces.lat_deg[start]
    lon1, lat1 = pieces.lon_deg[start + 1], pieces.lat_deg[start + 1]
    course = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64)
    n = pieces.n_threats
    piece_threat = np.repeat(np.arange(n), np.diff(pieces.vertex_offset) - 1)
    threat_parts = [np.repeat(np.arange(n), np.diff(territory.offset))[territory.code == own]]
    lo_parts = [territory.lo_s[territory.code == own]]
    hi_parts = [territory.hi_s[territory.code == own]]
    path_offset = np.arange(0, 2 * start.size + 1, 2, dtype=np.int64)
    for fraction in HEADING_FRACTIONS:
        a_lon, a_lat = destination_lonlat(lon0, lat0, course, horizon * fraction)
        b_lon, b_lat = destination_lonlat(lon1, lat1, course, horizon * fraction)
        lon = np.column_stack([a_lon, b_lon]).ravel()
        lat = np.column_stack([a_lat, b_lat]).ravel()
        codes = np.asarray(territory_codes(a_lon, a_lat), dtype=np.int64)
        time = np.column_stack([pieces.time_s[start], pieces.time_s[start + 1]]).ravel()
        at_vertex, at_u, after = code_changes(national_edge_grid(), path_offset, lon, lat, codes)
        off, lo, hi, code = _changes_to_intervals(path_offset, time, codes, at_vertex, at_u, after)
        keep = code == own
        owner = np.repeat(piece_threat, np.diff(off))
        threat_parts.append(owner[keep])
        lo_parts.append(lo[keep])
        hi_parts.append(hi[keep])
    return _union_by_threat(
        n, np.concatenate(threat_parts), np.concatenate(lo_parts), np.concatenate(hi_parts)
    )


# issue #22: authorization clock from zone entry, and threat assessment of tracks


def zone_entry_s(
    compiled: CompiledScenario,
    nation: int,
    pieces: Pieces,
    territory: IntervalSets,
    polygons: ZonePolygons,
) -> np.ndarray:
    """(n_threats,) float64: when each threat first enters the nation's zone (inf: never).

    The zone is own territory or the buffer or polygon zone outside it; populated areas where
    the nation may not fire do not delay the entry.
    """
    n = pieces.n_threats
    grid = polygons.zone[nation]
    zone = _inside_zone(grid, pieces) if grid is not None else _empty(n)
    crowd = _empty(n)
    offset, lo, _, _ = _allowed(
        n, int(compiled.nation_territory[nation]),
        territory.offset, territory.lo_s, territory.hi_s, territory.code,
        zone.offset, zone.lo_s, zone.hi_s, zone.code,
        crowd.offset, crowd.lo_s, crowd.hi_s,
    )  # fmt: skip
    counts = np.diff(offset)
    entry = np.full(n, np.inf)
    has = counts > 0
    entry[has] = lo[offset[:-1][has]]
    return entry


def protected_points(compiled: CompiledScenario, nation: int) -> tuple[np.ndarray, np.ndarray]:
    """Lon and lat (deg) of what a nation's threat assessment protects.

    The scenario's assets (defended assets and critical sites) on the nation's own territory,
    then its own populated places of at least its ROE's ``populated_min_population``.
    """
    code = int(compiled.nation_territory[nation])
    places = populated_places(int(compiled.roe_populated_min[nation]), NATION_CODES[code])
    on_own = (
        np.asarray(territory_codes(compiled.asset_lon_deg, compiled.asset_lat_deg), dtype=np.int64)
        == code
    )
    lon = np.concatenate([compiled.asset_lon_deg[on_own], places.lon_deg]).astype(np.float64)
    lat = np.concatenate([compiled.asset_lat_deg[on_own], places.lat_deg]).astype(np.float64)
    return lon, lat


@njit(cache=True, nogil=True)
def _course_near(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ground_m: np.ndarray,
    centre_m: np.ndarray,
    within_m: float,
    horizon_m: float,
    horizon_s: float,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Threat, start and end fire times at which a piece's course passes near a point.

    At time ``t`` on a piece the track is at along-distance ``s(t)`` from its start and its
    straight course (the piece's chord, extended) over the horizon ``H`` covers
    ``[s, s + H]``; a point at along-distance ``a`` and cross distance ``h <= R`` is within
    ``R`` of that segment iff ``a - H - w <= s <= a + w`` with ``w = sqrt(R² - h²)``.
    ``H`` is ``horizon_m``, or ``horizon_s`` times the piece's ground speed when
    ``horizon_m < 0``. ``candidates`` (n, 2) int64: (piece's first vertex, point).
    """
    n = candidates.shape[0]
    threat = np.empty(n, dtype=np.int64)
    lo, hi = np.empty(n), np.empty(n)
    m, i = 0, 0
    r2 = within_m * within_m
    for q in range(n):
        v, z = candidates[q, 0], candidates[q, 1]
        while vertex_offset[i + 1] <= v:
            i += 1
        t0, t1 = time_s[v], time_s[v + 1]
        ex = ground_m[v + 1, 0] - ground_m[v, 0]
        ey = ground_m[v + 1, 1] - ground_m[v, 1]
        ez = ground_m[v + 1, 2] - ground_m[v, 2]
        length = np.sqrt(ex * ex + ey * ey + ez * ez)
        cx = centre_m[z, 0] - ground_m[v, 0]
        cy = centre_m[z, 1] - ground_m[v, 1]
        cz = centre_m[z, 2] - ground_m[v, 2]
        c2 = cx * cx + cy * cy + cz * cz
        if length <= _NO_COURSE_M or t1 <= t0:  # no ground course: threatening where it is
            if c2 <= r2:
                threat[m], lo[m], hi[m] = i, t0, t1
                m += 1
            continue
        a = (cx * ex + cy * ey + cz * ez) / length
        h2 = c2 - a * a
        if h2 > r2:
            continue
        w = np.sqrt(max(r2 - h2, 0.0))
        horizon = horizon_m if horizon_m >= 0.0 else horizon_s * length / (t1 - t0)
        s0, s1 = max(a - horizon - w, 0.0), min(a + w, length)
        if s0 <= s1:
            d = t1 - t0
            threat[m], lo[m], hi[m] = i, t0 + s0 / length * d, t0 + s1 / length * d
            m += 1
    return threat[:m], lo[:m], hi[:m]


def threat_intervals(compiled: CompiledScenario, nation: int, pieces: Pieces) -> IntervalSets:
    """Fire times at which each threat's track threatens what the nation protects (code 1).

    A track threatens while the straight course of its current piece, over the horizon (a
    distance, or a flight time at the piece's ground speed), passes within the assessment's
    distance of a protected point (:func:`protected_points`). It reads only the track
    (position, course, speed), never the threat's target.
    """
    n = pieces.n_threats
    within = float(compiled.roe_threat_within_m[nation])
    horizon_m = float(compiled.roe_threat_horizon_m[nation])
    horizon_s = float(compiled.roe_threat_horizon_s[nation])
    lon, lat = protected_points(compiled, nation)
    if lon.size == 0 or within <= 0:
        return _empty(n)
    centre = np.asarray(lonlat_to_ecef_m(lon, lat, 0.0)).reshape(-1, 3)
    ground = np.asarray(lonlat_to_ecef_m(pieces.lon_deg, pieces.lat_deg, 0.0)).reshape(-1, 3)
    start = pieces.piece_starts()
    length = np.linalg.norm(ground[start + 1] - ground[start], axis=1)
    duration = np.maximum(pieces.time_s[start + 1] - pieces.time_s[start], 1e-9)
    horizon = horizon_m if horizon_m >= 0 else horizon_s * length / duration
    # points that can be near: within half the piece, the horizon and the distance of its middle
    mid = 0.5 * (ground[start] + ground[start + 1])
    reach = 0.5 * length + horizon + within
    tree = cKDTree(centre)
    near = tree.query_ball_point(mid, reach)
    pairs = [(int(start[k]), int(z)) for k, zs in enumerate(near) for z in zs]
    cand = np.asarray(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    threat, lo, hi = _course_near(
        pieces.vertex_offset, pieces.time_s, ground, centre, within, horizon_m, horizon_s, cand
    )
    return _union_by_threat(n, threat, lo, hi)
