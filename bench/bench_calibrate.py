"""`skyshield calibrate`'s engine design, timed as a ratio to the dice floor (issue #20).

The design exactly as :func:`skyshield.calibration.calibrate.build_emulator` runs it (default
settings: compositions x parameter points x replications, each composition on its own
geography), or its first ``--fraction`` of the compositions. CPU time of this process, best of
``--repeats``; the floor is measured in the same process, before the design. Prints the design's
time, the floor and their ratio, and where the time goes (building the engines, simulating).

Run: ``.venv/bin/python bench/bench_calibrate.py [--fraction 0.25] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from skyshield.calibration import model, surrogate
from skyshield.calibration.settings import DEFAULTS
from skyshield.calibration.surrogate import design_compositions, design_geographies, run_design

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s


class _Stages:
    """CPU seconds spent in the engines' construction and in their ``simulate``."""

    def __init__(self) -> None:
        self.build = 0.0
        self.simulate = 0.0
        engine = model.NightEngine
        stages = self

        class Timed(engine):  # type: ignore[misc, valid-type]
            def __init__(self, *args: object, **kwargs: object) -> None:
                start = time.process_time()
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]
                stages.build += time.process_time() - start

            def simulate(self, *args: object, **kwargs: object) -> model.NightOutcome:
                start = time.process_time()
                out = super().simulate(*args, **kwargs)  # type: ignore[arg-type]
                stages.simulate += time.process_time() - start
                return out

        surrogate.NightEngine = Timed  # type: ignore[misc]


def _floor_cpu_s(repeats: int) -> float:
    """The dice floor in CPU seconds of this process, best of ``repeats``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        floor_s(repeats=1)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the compositions")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = DEFAULTS
    n = max(1, round(settings.compositions * args.fraction))
    compositions = design_compositions(settings.compositions, seed=settings.seed)[:n]
    geographies = design_geographies(settings.compositions, seed=settings.seed)[:n]
    floor = _floor_cpu_s(args.repeats)
    print(f"dice floor (CPU, best of {args.repeats})                            {floor:8.3f} s")
    # one warm-up composition: numba compilation and caches are not the design's cost
    run_design(compositions[:1], 1, replications=2, seed=settings.seed, geographies=geographies)
    best, best_stages = float("inf"), _Stages()
    for _ in range(args.repeats):
        stages = _Stages()
        start = time.process_time()
        run_design(
            compositions,
            settings.parameters,
            replications=settings.replications,
            route_sets=settings.route_sets,
            seed=settings.seed,
            geographies=geographies,
        )
        elapsed = time.process_time() - start
        if elapsed < best:
            best, best_stages = elapsed, stages
    label = f"{n} x {settings.parameters} x {settings.replications} replications"
    print(
        f"engine design ({label}, CPU, best of {args.repeats}) {best:8.2f} s {best / floor:7.0f}x"
    )
    print(f"  building the engines   {best_stages.build:8.2f} s {best_stages.build / floor:7.0f}x")
    print(
        f"  simulating             {best_stages.simulate:8.2f} s "
        f"{best_stages.simulate / floor:7.0f}x"
    )
    surrogate.NightEngine = model.NightEngine  # type: ignore[misc]


if __name__ == "__main__":
    main()
