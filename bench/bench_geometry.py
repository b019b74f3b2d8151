"""Geometry benchmark: build_geometry (routes, pieces, EW exposure, tracks, windows).

Run: ``.venv/bin/python bench/bench_geometry.py [--repeats N] [--stages]``. Prints the best of N
wall times of two route realizations on one thread for the record raid and the default
scenario, and their ratio to the dice floor measured in this process; with ``--stages``, the
split of one record-raid route set into its stages (best of N each). Nothing is compared
against numbers from elsewhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import realization_rng
from skyshield.engine.ew import ew_exposure
from skyshield.engine.flight import realize_routes
from skyshield.engine.geometry import build_geometry
from skyshield.engine.pieces import build_pieces
from skyshield.engine.reach import piece_spheres
from skyshield.engine.sensors import network_track_times_s
from skyshield.engine.windows import engagement_windows
from skyshield.engine.zones import territory_intervals, zone_polygons
from skyshield.scenario import builtin_scenario_path, load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

SCENARIOS = ("record-raid", "default")
REALIZATIONS = 2


def stage_split(compiled: CompiledScenario, repeats: int, floor: float) -> None:
    """Print the best time of each stage of one route set's geometry, in ms and % of the sum."""
    best: dict[str, float] = {}

    def timed(label: str, fn: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        value = fn(*args)
        best[label] = min(best.get(label, float("inf")), time.perf_counter() - start)
        return value

    polygons = zone_polygons(compiled)  # once per scenario
    for _ in range(repeats):
        routes = timed(
            "routes", lambda: readonly(realize_routes(compiled, rng=realization_rng(7, 0)))
        )
        pieces = timed("pieces", build_pieces, compiled, routes)
        territory = timed("territory", territory_intervals, pieces)
        timed("EW exposure", ew_exposure, compiled, pieces)
        spheres = timed("piece spheres", piece_spheres, pieces)
        track = timed("first detection", network_track_times_s, compiled, pieces, spheres)
        timed(
            "windows",
            engagement_windows,
            compiled,
            pieces,
            spheres,
            track,
            territory,
            polygons,
        )
    total = sum(best.values())
    print(f"stage split of one record-raid route set, best of {repeats} per stage:")
    for label, seconds in best.items():
        print(f"  {label:<18s} {seconds * 1e3:8.2f} ms {100 * seconds / total:5.1f}%")
    print(f"  {'sum':<18s} {total * 1e3:8.2f} ms ({total / floor:.2f}x the floor)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3, help="timings per scenario (best kept)")
    parser.add_argument("--stages", action="store_true", help="split one record-raid route set")
    args = parser.parse_args()
    repeats = args.repeats
    floor = floor_s()
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    for name in SCENARIOS:
        compiled = compile_scenario(load_scenario(builtin_scenario_path(name)))
        build_geometry(compiled, 1, 1)  # numba compilation and lazy geography, not timed
        if args.stages and name == "record-raid":
            stage_split(compiled, repeats, floor)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            geometry = build_geometry(compiled, 1, REALIZATIONS)
            times.append(time.perf_counter() - start)
        best = min(times)
        print(
            f"{name:<12s} {compiled.n_threats:4d} threats {compiled.n_units:4d} units, "
            f"{REALIZATIONS} realizations: best of {repeats} {best:6.2f} s "
            f"({best / floor:5.1f}x the floor; all: {', '.join(f'{t:.2f}' for t in times)}); "
            f"windows {geometry.unit.size}, vertices {geometry.vertex_time_s.size}"
        )


if __name__ == "__main__":
    main()
