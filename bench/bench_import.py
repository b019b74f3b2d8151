"""Time what a user waits for before anything runs: ``import skyshield`` and ``--help``.

Each is a fresh subprocess (best of N wall-clock runs), divided by a bare ``python -c pass``
measured in the same run; targets (issue 21): ``import skyshield`` <= 25x and
``skyshield --help`` <= 50x.

Run: .venv/bin/python bench/bench_import.py [--runs N] [--python PATH]
(``--python`` times another environment's interpreter and its ``skyshield`` script.)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"import skyshield": 25.0, "skyshield --help": 50.0}


def best_of(command: list[str], runs: int) -> float:
    """Fastest wall-clock time of ``runs`` fresh runs of ``command`` (the first is a warm-up)."""
    subprocess.run(command, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    python = args.python
    script = str(Path(python).with_name("skyshield"))
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "import skyshield": [python, "-c", "import skyshield"],
        "import skyshield.units": [python, "-c", "import skyshield.units"],
        "skyshield --help": [script, "--help"],
        "skyshield run --help": [script, "run", "--help"],
    }
    times = {name: best_of(cmd, args.runs) for name, cmd in commands.items()}
    floor = times["python -c pass"]
    print(f"{python}: best of {args.runs} runs each")
    for name, seconds in times.items():
        ratio = seconds / floor
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target <= {target:g}x: "
        if target is not None:
            verdict += "met)" if ratio <= target else "MISSED)"
        print(f"{name:24} {seconds * 1000:8.0f} ms  {ratio:6.1f}x{verdict}")


if __name__ == "__main__":
    main()
