"""Time the geography layer against its references, same process, 1,000,000 points.

Run: .venv/bin/python bench/bench_geo.py
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import shapely
from pyproj import Geod

N = 1_000_000
SEED = 20240601


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    rng = np.random.default_rng(SEED)
    lon = rng.uniform(14.0, 42.0, N)
    lat = rng.uniform(43.0, 56.0, N)

    t_import = timed(lambda: __import__("skyshield.geo"))
    from skyshield.geo import geodesic_distance_m, territory_codes
    from skyshield.geo.borders import nation_geometries

    cold = timed(lambda: territory_codes(lon, lat))  # loads borders, builds the grid
    warm = min(timed(lambda: territory_codes(lon, lat)) for _ in range(3))

    union = shapely.union_all(nation_geometries())
    t_union = timed(lambda: shapely.prepare(union))
    plain_cold = timed(lambda: shapely.contains_xy(union, lon, lat))
    plain_warm = min(timed(lambda: shapely.contains_xy(union, lon, lat)) for _ in range(3))

    print(f"territory_codes, {N:,} points over lon 14..42, lat 43..56")
    print(f"  import skyshield.geo           {t_import:8.3f} s")
    print(f"  cold (load + grid + lookup)    {cold:8.3f} s")
    print(f"  warm                           {warm:8.3f} s")
    print(f"  shapely contains_xy on union   {plain_cold:8.3f} s cold, {plain_warm:.3f} s warm")
    print(f"    (union prepare {t_union:.3f} s; answers land/sea only, not which nation)")
    print(f"  ratio warm / contains_xy warm  {warm / plain_warm:8.3f}")

    pairs = rng.uniform([10.0, 40.0, 10.0, 40.0], [50.0, 60.0, 50.0, 60.0], size=(N, 4)).T
    geod = Geod(ellps="WGS84")
    geodesic_distance_m(*pairs[:, :10])
    fast = min(timed(lambda: geodesic_distance_m(*pairs)) for _ in range(2))
    ref = min(timed(lambda: geod.inv(*pairs)) for _ in range(2))
    err = np.max(np.abs(geodesic_distance_m(*pairs) - geod.inv(*pairs)[2]))
    print(f"geodesic distance, {N:,} pairs over lon 10..50, lat 40..60")
    print(f"  skyshield (numba Vincenty)     {fast:8.3f} s")
    print(f"  pyproj Geod.inv                {ref:8.3f} s")
    print(f"  ratio fast / pyproj            {fast / ref:8.3f}   max |error| {err:.2e} m")


if __name__ == "__main__":
    main()
