"""Spatial culling (:mod:`skyshield.engine.nearby`) against brute force over every sample."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine.nearby import SampleIndex, _stable_order, straight_line_m
from skyshield.geo import lonlat_to_ecef_m


def test_straight_line_m__matches_norm(rng: np.random.Generator) -> None:
    points = rng.normal(size=(1_000, 3)) * 4e6
    point = rng.normal(size=3) * 4e6
    np.testing.assert_allclose(
        straight_line_m(points, point), np.linalg.norm(points - point, axis=1), rtol=1e-15
    )


@settings(deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 20_000),
    lon=st.floats(20.0, 40.0),
    lat=st.floats(44.0, 56.0),
    radius_m=st.floats(3.0, 5.8).map(lambda e: 10.0**e),
)
def test_sample_index_within__matches_brute_force(
    seed: int, n: int, lon: float, lat: float, radius_m: float
) -> None:
    rng = np.random.default_rng(seed)
    s_lon, s_lat = rng.uniform(18.0, 42.0, n), rng.uniform(42.0, 58.0, n)
    ecef = lonlat_to_ecef_m(s_lon, s_lat, rng.uniform(0.0, 20_000.0, n))
    ids = rng.permutation(10 * n + 1)[:n]
    point = lonlat_to_ecef_m(lon, lat, 0.0).reshape(3)
    found, distance = SampleIndex(s_lon, s_lat, ecef, ids).within(lon, lat, point, radius_m)
    true = np.linalg.norm(ecef - point, axis=1)
    assert np.unique(found).size == found.size
    # no sample farther than the radius, none nearer missed (ties to rounding aside)
    clear_in = set(ids[true < radius_m * (1 - 1e-12)].tolist())
    clear_out = set(ids[true > radius_m * (1 + 1e-12)].tolist())
    assert clear_in <= set(found.tolist())
    assert not clear_out & set(found.tolist())
    by_id = dict(zip(ids.tolist(), true.tolist(), strict=True))
    np.testing.assert_allclose(distance, [by_id[i] for i in found.tolist()], rtol=1e-15)


@settings(deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 5_000), n_keys=st.integers(1, 3_000))
def test_stable_order__equals_stable_argsort(seed: int, n: int, n_keys: int) -> None:
    key = np.random.default_rng(seed).integers(0, n_keys, n)
    np.testing.assert_array_equal(_stable_order(key), np.argsort(key, kind="stable"))
