"""The fast engine against the plain reference engine (:mod:`skyshield.engine.reference`).

Given the same draws both engines must give identical outcomes, draw for draw: same fates,
fate units and steps, and the same shots in the same order. No tolerance: any difference is
a bug in one of them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from skyshield.engine.compile import compile_scenario
from skyshield.engine.outcomes import RawOutcomes
from skyshield.engine.reference import simulate_reference

from ._build import coalition, drone_swarm, one_on_one, prepare, scenario

_FIELDS = (
    "fate",
    "fate_unit",
    "fate_step",
    "fate_k",
    "shot_rep",
    "shot_unit",
    "shot_threat",
    "shot_step",
    "shot_k",
    "shot_hit",
)


def _first_difference(fast: RawOutcomes, ref: RawOutcomes) -> str:
    """Describe the first differing fate and the first differing shot."""
    lines = []
    for name in _FIELDS[:4]:
        a, b = getattr(fast, name), getattr(ref, name)
        if not np.array_equal(a, b):
            rep, threat = np.argwhere(a != b)[0]
            lines.append(
                f"{name}[rep {rep}, threat {threat}]: fast {a[rep, threat]}, ref {b[rep, threat]}"
            )
    fast_shots = np.column_stack([getattr(fast, f).astype(np.int64) for f in _FIELDS[4:]])
    ref_shots = np.column_stack([getattr(ref, f).astype(np.int64) for f in _FIELDS[4:]])
    n = min(len(fast_shots), len(ref_shots))
    bad = np.flatnonzero((fast_shots[:n] != ref_shots[:n]).any(axis=1))
    if bad.size or len(fast_shots) != len(ref_shots):
        at = int(bad[0]) if bad.size else n
        lines.append(
            f"shots ({', '.join(_FIELDS[4:])}) differ at #{at} of {len(fast_shots)} fast / "
            f"{len(ref_shots)} ref: fast {fast_shots[at : at + 1].tolist()}, "
            f"ref {ref_shots[at : at + 1].tolist()}"
        )
    return "; ".join(lines)


def _one_on_one() -> dict[str, Any]:
    return one_on_one(count=3, stock=4)


@pytest.mark.parametrize(
    ("build", "n_reps"),
    [(_one_on_one, 20), (coalition, 10), (drone_swarm, 15)],
    ids=["one-unit", "coalition-buffer-roe", "drone-swarm-ew"],
)
def test_simulate_reference__matches_fast_engine_draw_for_draw(build, n_reps: int) -> None:
    d = build()
    compiled = compile_scenario(scenario(d))
    mc = d["monte_carlo"]
    prepared = prepare(compiled, seed=mc["seed"], n_reps=n_reps, n_real=mc["route_realizations"])
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    assert fast.shot_rep.size > 0  # the scenario exercises the engagement rules
    detail = _first_difference(fast, ref)
    assert not detail, detail
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=name)


def test_simulate_reference__coalition_exercises_every_fate_and_both_nations() -> None:
    """Guard on the comparison above: it is only strong if the scenario does things."""
    d = coalition()
    compiled = compile_scenario(scenario(d))
    prepared = prepare(compiled, seed=7, n_reps=10, n_real=2)
    raw = prepared.fast()
    assert set(np.unique(raw.fate)) == {0, 1, 2}
    nations = set(compiled.unit_nation[raw.shot_unit].tolist())
    assert nations == {0, 1}


def test_simulate_fast__refuses_optimal_assignment() -> None:
    d = one_on_one()
    d["engine"] = {"assignment": "optimal"}
    compiled = compile_scenario(scenario(d))
    prepared = prepare(compiled, seed=1, n_reps=2)
    with pytest.raises(NotImplementedError, match="greedily"):
        prepared.fast()
    # the reference engine does optimal assignment; with one unit and one threat it equals greedy
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    greedy = dataclasses.replace(compiled, optimal_assignment=False)
    fast = prepare(greedy, seed=1, n_reps=2).fast()
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(ref, name), err_msg=name)
