"""Campaign benchmark: 1,000 replications of the built-in 180-night campaign (H1 2025 tempo).

Run: ``.venv/bin/python bench/bench_campaign.py [--quick]``. Prints wall times and ratios
measured in this run (to the dice floor of ``dice_floor.py`` and between runs); nothing is
compared against numbers from elsewhere. The issue's target: 1,000 replications x 180 nights
in at most 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from skyshield.campaigns import load_campaign
from skyshield.campaigns.build import build_plan, pool_for
from skyshield.campaigns.simulate import simulate_campaign
from skyshield.reports import load_reports

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 replications instead of 1,000")
    args = parser.parse_args()
    reps = 100 if args.quick else 1000
    floor = floor_s()
    print(f"dice floor (8,000 windows x 1,000 replications, 1 core): {floor:.3f} s")
    campaign = load_campaign()
    plan = build_plan(campaign, load_reports())
    start = time.perf_counter()
    pool = pool_for(campaign, plan)
    pool_s = time.perf_counter() - start
    cap = pool.capacity
    print(f"raid pool (drone {cap[0]}, cruise {cap[1]}, ballistic {cap[2]}): {pool_s:.2f} s")
    simulate_campaign(pool, plan, replications=2, seed=1)  # compile the kernel for this pool

    def timed(label: str, nights: int, n: int, workers: int) -> float:
        p = dataclasses.replace(plan, nights=nights)
        start = time.perf_counter()
        simulate_campaign(pool, p, replications=n, seed=1, workers=workers)
        elapsed = time.perf_counter() - start
        print(f"{label:<52s} {elapsed:8.2f} s  {elapsed / floor:8.0f}x floor")
        return elapsed

    two = timed(f"{reps} replications x 180 nights, 2 workers", 180, reps, 2)
    one = timed(f"{reps} replications x 180 nights, 1 worker", 180, reps, 1)
    print(f"worker speed-up: {one / two:.2f}x; with the pool: {pool_s + two:.1f} s in all")
    half_n = timed(f"{reps // 2} replications x 180 nights, 2 workers", 180, reps // 2, 2)
    half_t = timed(f"{reps} replications x 90 nights, 2 workers", 90, reps, 2)
    print(f"scaling: x2 replications -> x{two / half_n:.2f} time; x2 nights -> x{two / half_t:.2f}")


if __name__ == "__main__":
    main()
