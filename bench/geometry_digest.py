"""Digest of every geometry array of the shipped scenarios (issue #20: outputs bit for bit).

Run: ``.venv/bin/python bench/geometry_digest.py [--route-sets N] > digests.txt`` before and
after a change to the geometry, then ``diff`` the two files: one line per (scenario, array),
the SHA-256 of its bytes. Nothing is timed.
"""

from __future__ import annotations

import argparse
import hashlib

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.geometry import build_geometry
from skyshield.scenario import builtin_scenario_names, builtin_scenario_path, load_scenario
from skyshield.testing import array_leaves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--route-sets", type=int, default=3)
    args = parser.parse_args()
    for name in builtin_scenario_names():
        compiled = compile_scenario(load_scenario(builtin_scenario_path(name)))
        geometry = build_geometry(compiled, 11, args.route_sets)
        for path, array in array_leaves(geometry, "geometry"):
            digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]
            print(f"{name} {path} {array.dtype} {array.shape} {digest}")


if __name__ == "__main__":
    main()
