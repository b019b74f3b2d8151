"""The outcome table's target-area test: the chord shortcut answers as the geodesic (issue #20)."""

from __future__ import annotations

import numpy as np

from skyshield.engine.outcomes import _within_m
from skyshield.geo import destination_lonlat, geodesic_distance_m


def test_within_m__same_answers_as_the_geodesic_at_and_around_the_radius() -> None:
    rng = np.random.default_rng(5)
    n = 4_000
    to_lon, to_lat = rng.uniform(22.0, 40.0, n), rng.uniform(44.0, 52.0, n)
    radius = rng.choice([0.0, 500.0, 3_000.0, 20_000.0], n)
    # points at the radius to within a millimetre, inside, just outside and far away
    distance = radius * rng.choice([0.0, 0.5, 1.0, 1.0 - 1e-9, 1.0 + 1e-9, 1.001, 40.0], n)
    lon, lat = destination_lonlat(to_lon, to_lat, rng.uniform(0, 2 * np.pi, n), distance)
    expected = geodesic_distance_m(lon, lat, to_lon, to_lat) <= radius
    got = _within_m(lon, lat, to_lon, to_lat, radius)
    assert 0 < expected.sum() < n
    np.testing.assert_array_equal(got, expected)
