"""Peak memory of ``skyshield compare`` of two record-raid policies, own routes (issue #20).

Run: ``.venv/bin/python bench/compare_own_routes_memory.py [--reps N] [--src DIR]``. Writes the
record raid and a copy whose Ukrainian rules of engagement wait 30 s after the first track
(``authorization_delay_s: 30``: other windows, the same flights) to a temporary directory,
runs ``skyshield compare A B --route-sets all -n N --workers 2`` under ``/usr/bin/time -v``
and prints its wall time and peak resident memory. ``--src DIR``: import skyshield from
``DIR`` (another checkout's ``src``, e.g. ``git archive main src | tar -x -C /tmp/main``) to
measure the code before a change with this venv. Run it twice: the first run of a checkout
compiles the numba kernels, which adds time and memory.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RECORD_RAID = (
    Path(__file__).resolve().parents[1] / "src/skyshield/scenario/examples/record-raid.yaml"
)
ROE = "    roe:\n      zone:\n        kind: own\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--src", type=Path, default=None, help="import skyshield from here")
    args = parser.parse_args()
    text = RECORD_RAID.read_text()
    if text.count(ROE) != 1:
        sys.exit(f"{RECORD_RAID}: expected Ukraine's rules of engagement as {ROE!r}")
    delayed = text.replace(ROE, ROE + "      authorization_delay_s: 30\n").replace(
        "name: record-raid\n", "name: record-raid-delay\n", 1
    )
    env = dict(os.environ)
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
    with tempfile.TemporaryDirectory() as folder:
        base, policy = Path(folder, "record-raid.yaml"), Path(folder, "record-raid-delay.yaml")
        base.write_text(text)
        policy.write_text(delayed)
        command = [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "-m",
            "skyshield",
            "compare",
            str(base),
            str(policy),
            "--route-sets",
            "all",
            "-n",
            str(args.reps),
            "--workers",
            "2",
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(done.stderr)
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if elapsed is None or peak is None:
        sys.exit(f"expected /usr/bin/time -v's report, got:\n{done.stderr}")
    print(
        f"compare record-raid record-raid-delay --route-sets all -n {args.reps} --workers 2"
        f"{'' if args.src is None else f' (skyshield from {args.src})'}: {elapsed[1]} wall, "
        f"peak {int(peak[1]):,} kB"
    )


if __name__ == "__main__":
    main()
