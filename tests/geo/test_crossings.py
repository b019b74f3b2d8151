"""Border crossings against shapely, on random lines across every border the project ships.

For each nation, lines of 0.05-0.4 deg through random points of its boundary: the crossings
found per nation must match the points where shapely intersects the line with that nation's
boundary, and the code after each crossing must be the nation shapely puts the next stretch
of the line in (:func:`skyshield.geo.territory.exact_territory_codes`).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from skyshield.geo import NATION_CODES
from skyshield.geo.borders import nation_geometries
from skyshield.geo.crossings import code_changes, national_edge_grid, segment_crossings
from skyshield.geo.territory import exact_territory_codes

LINES_PER_NATION = 12


def _lines(code: int, rng: np.random.Generator) -> np.ndarray:
    """(n, 4) lines (lon0, lat0, lon1, lat1) through random points of a nation's boundary."""
    boundary = nation_geometries()[code].boundary
    points = shapely.line_interpolate_point(
        boundary, rng.uniform(0, 1, LINES_PER_NATION), normalized=True
    )
    xy = shapely.get_coordinates(points)
    angle = rng.uniform(0, 2 * np.pi, xy.shape[0])
    half = rng.uniform(0.025, 0.2, xy.shape[0])
    d = np.column_stack([np.cos(angle), np.sin(angle)]) * half[:, None]
    return np.column_stack([xy - d, xy + d])


@pytest.mark.parametrize("code", range(len(NATION_CODES)), ids=NATION_CODES)
def test_segment_crossings__match_shapely(code: int, rng: np.random.Generator) -> None:
    grid = national_edge_grid()
    geoms = nation_geometries()
    for lon0, lat0, lon1, lat1 in _lines(code, rng):
        line = shapely.LineString([(lon0, lat0), (lon1, lat1)])
        u, polygon = segment_crossings(grid, lon0, lat0, lon1, lat1)
        for p in {code, *polygon.tolist()}:
            hits = shapely.get_parts(shapely.intersection(line, geoms[p].boundary))
            assert np.all(shapely.get_type_id(hits) == 0), "no overlap along an edge"
            assert (polygon == p).sum() == len(hits), NATION_CODES[p]
        # the code after each crossing is the territory of the stretch that follows
        start = exact_territory_codes(lon0, lat0)
        vertex, at, after = code_changes(
            grid, np.array([0, 2]), np.array([lon0, lon1]), np.array([lat0, lat1]),
            np.atleast_1d(start).astype(np.int64),
        )  # fmt: skip
        assert np.all(vertex == 0)
        stops = np.unique(np.concatenate([[0.0], u, [1.0]]))
        mid = 0.5 * (stops[:-1] + stops[1:])
        truth = exact_territory_codes(lon0 + mid * (lon1 - lon0), lat0 + mid * (lat1 - lat0))
        found = np.full(mid.size, int(start))
        for a, c in zip(at, after, strict=True):
            found[mid > a] = c
        assert np.array_equal(found, truth), (NATION_CODES[code], found, truth)
