"""The reference engine's out-of-reach shortcut changes no decision.

``may_fire`` skips the intercept search when the threat is farther from the unit than
``far_m`` (max range + the threat's top sampled speed × (max range / interceptor speed + one
step)). Wherever it skips, the full search must find no intercept within the unit's maximum
range; and it must skip something, or it saves nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from skyshield.engine.compile import compile_scenario
from skyshield.engine.reference import _Rules
from skyshield.engine.sampled import sample_trajectories

from ._build import coalition, drone_swarm, prepare, reserves, scenario


@pytest.mark.parametrize("build", [coalition, drone_swarm, lambda: reserves(3)])
def test_out_of_reach_shortcut_skips_only_what_the_range_check_refuses(
    build: Callable[[], dict[str, Any]],
) -> None:
    compiled = compile_scenario(scenario(build()))
    prepared = prepare(compiled, seed=5, n_reps=1)
    rules = _Rules(compiled, sample_trajectories(compiled, prepared.geometry.flights.routes[0]))
    dt = float(compiled.time_step_s)
    skipped = near_miss = 0
    for i in range(compiled.n_threats):
        for k in range(0, rules.last(i), 3):
            for u in range(compiled.n_units):
                distance = math.dist(rules.unit_xyz[u], rules.xyz[i][k])
                if distance <= rules.far_m[u][i]:
                    continue
                skipped += 1
                if distance > 2 * rules.far_m[u][i]:
                    continue  # far beyond the bound: sample the cases near it
                near_miss += 1
                tau = rules.intercept_s(u, i, k * dt)
                if not np.isnan(tau):
                    slant = math.dist(rules.unit_xyz[u], rules.where(i, tau)[0])
                    assert slant > compiled.unit_max_range_m[u], (u, i, k, tau, slant)
    assert skipped > 0
    assert near_miss > 0
