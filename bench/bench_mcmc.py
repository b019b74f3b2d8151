"""#23's performance line: `skyshield calibrate` and a back-test, CPU time of the child process.

Run, from any tree's venv (the floor is measured in this process)::

    python bench/bench_mcmc.py --out /tmp/mcmc pre23=/work/wt/calibspeed-pre23 branch=.

Each ``TAG=TREE`` runs ``TREE/.venv/bin/skyshield`` as a child process: ``calibrate
--train-until 2025-04-01 -o OUT/cal-TAG.json``, then a back-test with that calibration file
(``--backtest quarter``: 2025-04-01 to 2025-06-30; ``year``: 2024-07-01 to 2025-06-30, the
issue's line; ``none``). It prints each child's CPU seconds (``RUSAGE_CHILDREN``: user +
system, the child and what it waited for) and their ratio to the dice floor's CPU time
(:func:`dice_floor.floor_s` on ``time.process_time``, best of the floors measured before and
after the runs), with the load average. ``--warm`` first runs a tiny calibrate and back-test per
tree, untimed, so that numba's on-disk caches are filled (a fresh tree compiles its kernels
on the first run: tens of seconds of CPU that are not the command's). The trees run back to back, one after the other, so
they see the same machine. Outputs (the calibration files, the back-tests' ``--json``) stay
in ``OUT`` for comparison between trees.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

BACKTESTS = {
    "quarter": ("2025-04-01", "2025-06-30"),
    "year": ("2024-07-01", "2025-06-30"),
}


def _floor() -> float:
    best = floor_s(repeats=3, clock=time.process_time)
    print(f"dice floor (CPU, best of 3) {best:.4f} s  load {os.getloadavg()[0]:.2f}", flush=True)
    return best


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(name: str, tree: Path, args: list[str], out: Path) -> float:
    exe = tree / ".venv" / "bin" / "skyshield"
    cpu0, wall0, load0 = _child_cpu(), time.perf_counter(), os.getloadavg()[0]
    done = subprocess.run([str(exe), *args], cwd=out, capture_output=True, text=True, check=False)
    cpu, wall = _child_cpu() - cpu0, time.perf_counter() - wall0
    (out / f"{name}.out").write_text(done.stdout)
    (out / f"{name}.err").write_text(done.stderr)
    load = (load0 + os.getloadavg()[0]) / 2
    print(
        f"{name:<28s} rc={done.returncode} cpu {cpu:8.1f} s  wall {wall:8.1f} s  load {load:.2f}",
        flush=True,
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", help="TAG=TREE (a worktree with its own .venv)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_mcmc"))
    parser.add_argument("--backtest", choices=[*BACKTESTS, "none"], default="quarter")
    parser.add_argument("--no-calibrate", action="store_true", help="reuse OUT/cal-TAG.json")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="first run a tiny calibrate and back-test per tree, untimed: numba's caches",
    )
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    trees = [(tag, Path(tree).resolve()) for tag, tree in (t.split("=", 1) for t in options.trees)]
    if options.warm:  # compiling the kernels is not the commands' cost (numba caches them)
        for tag, tree in trees:
            warm = options.out / f"warm-{tag}.json"
            tiny = ["--compositions", "4", "--parameters", "4", "--replications", "2"]
            _run(
                f"warm-{tag}",
                tree,
                [
                    "calibrate",
                    "--train-until",
                    "2025-04-01",
                    *tiny,
                    "--steps",
                    "60",
                    "-o",
                    str(warm),
                ],
                options.out,
            )
            _run(
                f"warm-backtest-{tag}",
                tree,
                [
                    "backtest",
                    "--train-until",
                    "2025-06-01",
                    "--calibration",
                    str(warm),
                    "--steps",
                    "60",
                    "--warm-steps",
                    "60",
                ],
                options.out,
            )
    floors = [_floor()]
    cpu: dict[str, float] = {}
    for tag, tree in trees:
        calibration = options.out / f"cal-{tag}.json"
        if not options.no_calibrate:
            cpu[f"calibrate {tag}"] = _run(
                f"calibrate-{tag}",
                tree,
                ["calibrate", "--train-until", "2025-04-01", "-o", str(calibration)],
                options.out,
            )
        if options.backtest != "none":
            first, last = BACKTESTS[options.backtest]
            cpu[f"backtest {options.backtest} {tag}"] = _run(
                f"backtest-{options.backtest}-{tag}",
                tree,
                [
                    "backtest",
                    "--train-until",
                    first,
                    "--test-until",
                    last,
                    "--calibration",
                    str(calibration),
                    "--json",
                ],
                options.out,
            )
    floors.append(_floor())
    floor = min(floors)
    print(f"floors {', '.join(f'{f:.4f}' for f in floors)} s; ratios to {floor:.4f} s")
    for name, seconds in cpu.items():
        print(f"{name:<28s} {seconds:8.1f} s CPU  {seconds / floor:8,.0f}x the floor")


if __name__ == "__main__":
    main()
