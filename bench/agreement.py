"""Reference agreement table (issue #20 item 3): fast engine against the reference engine.

Run: ``.venv/bin/python bench/agreement.py [SCENARIO...] [--reps N] [--per-wave K|all]
[--wave-stride S] [--per-type] [--route-sets R] [--step S]``. For every shipped scenario (or those named),
a cut-down (at most K threats of every S-th wave, same nations, rules, sensors and units) is
run by both engines on the same draws; prints per scenario and threat class the mean number
intercepted per night in each engine with its 95% interval, and whether every discrete
decision (fates, fate units, final stocks, shots in order) is identical, with intercept times
within 0.01 s and losses to EW within one step. Exits 1 if any decision differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skyshield.scenario import builtin_scenario_names

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from engine._agreement import Agreement, compare, cut_down, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="shipped scenario names (default: all)")
    parser.add_argument("--reps", type=int, default=4, help="replications per scenario")
    parser.add_argument("--per-wave", default="1", help="threats kept per wave, or 'all'")
    parser.add_argument("--wave-stride", type=int, default=1, help="keep every S-th wave")
    parser.add_argument(
        "--per-type", action="store_true", help="only the first wave of each threat type"
    )
    parser.add_argument("--route-sets", type=int, default=2, help="at most this many route sets")
    parser.add_argument("--step", type=float, default=None, help="engine time step (s)")
    args = parser.parse_args()
    per_wave = None if args.per_wave == "all" else int(args.per_wave)
    names = args.scenarios or list(builtin_scenario_names())
    rows: list[Agreement] = []
    print("\n".join(table([]).splitlines()[:2]), flush=True)
    for name in names:
        d = cut_down(
            name,
            per_wave=per_wave,
            wave_stride=args.wave_stride,
            per_type=args.per_type,
            route_sets=args.route_sets,
            step_s=args.step,
        )
        rows.append(compare(name, d, args.reps))
        print("\n".join(table(rows[-1:]).splitlines()[2:]), flush=True)
    return 0 if all(a.identical for a in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
