"""Peak memory of 1,000 record-raid nights each with its own routes, 2 workers (issue #20).

Run: ``.venv/bin/python bench/own_routes_memory.py [--up-front] [--reps N]``. Prints the wall
time, its ratio to the dice floor measured in this process, and the process's peak resident
memory (VmHWM). ``--up-front`` builds every route set before the nights (a builder other than
the default one), as runs did before each block flew its own route sets.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from skyshield.engine.geometry import RaidGeometry, build_geometry
from skyshield.runner.montecarlo import run_replications
from skyshield.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s


def _up_front(*args: Any, **kwargs: Any) -> RaidGeometry:
    return build_geometry(*args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--up-front", action="store_true", help="build every route set first")
    parser.add_argument("--reps", type=int, default=1000)
    args = parser.parse_args()
    floor = floor_s()
    scenario = load_scenario("record-raid")
    own = scenario.model_copy(
        update={"monte_carlo": scenario.monte_carlo.model_copy(update={"route_sets": "all"})}
    )
    run_replications(own, replications=2, workers=1)  # numba compilation, not timed
    start = time.perf_counter()
    run = run_replications(
        own,
        replications=args.reps,
        workers=2,
        build=_up_front if args.up_front else build_geometry,
    )
    elapsed = time.perf_counter() - start
    with open("/proc/self/status") as status:
        peak_mb = int(status.read().split("VmHWM:")[1].split()[0]) / 1024
    how = "up front" if args.up_front else "per block"
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    print(
        f"{args.reps} own-route nights, route sets built {how}, 2 workers: {elapsed:.1f} s "
        f"({elapsed / floor:.0f}x the floor); peak memory {peak_mb:.0f} MB; "
        f"{len(run.outcomes.shots)} shots"
    )


if __name__ == "__main__":
    main()
