"""Geometry benchmark: build_geometry (routes, pieces, EW exposure, tracks, windows).

Run: ``.venv/bin/python bench/bench_geometry.py [--repeats N]``. Prints the best of N wall times
of two route realizations on one thread for the record raid and the default scenario, and
their ratio to the dice floor measured in this process; nothing is compared against numbers
from elsewhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from skyshield.engine.compile import compile_scenario
from skyshield.engine.geometry import build_geometry
from skyshield.scenario import builtin_scenario_path, load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

SCENARIOS = ("record-raid", "default")
REALIZATIONS = 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3, help="timings per scenario (best kept)")
    repeats = parser.parse_args().repeats
    floor = floor_s()
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    for name in SCENARIOS:
        compiled = compile_scenario(load_scenario(builtin_scenario_path(name)))
        build_geometry(compiled, 1, 1)  # numba compilation and lazy geography, not timed
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
