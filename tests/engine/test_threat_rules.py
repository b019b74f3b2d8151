"""Issue 23, cruise: a threat's own reaction time and kill-probability scale, in both engines.

``threat_engage_after_s``: no unit fires at a threat before that long after its launch;
``threat_pk_scale``: a round's kill chance against it is the unit's × the scale (capped at
PK_MAX). The night model sets them for tactical cruise missiles (calibration.reaction).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.reaction import reacting_k0, window_threats
from skyshield.engine.reference import simulate_reference

from ._build import one_on_one, prepare, scenario
from .test_reference import _first_difference

# four Kh-101s at Kyiv past one IRIS-T (first shot ~6 min after launch): engaged at once, from
# 7 minutes, never, at once with a quarter of the kill chance
_AFTER_S = (0.0, 420.0, 1e6, 0.0)
_SCALE = (1.0, 1.0, 1.0, 0.25)


def _base() -> CompiledScenario:
    return compile_scenario(scenario(one_on_one(threat="kh-101", count=4, stock=16)))


def _with(compiled: CompiledScenario) -> CompiledScenario:
    return dataclasses.replace(
        compiled,
        threat_engage_after_s=readonly(np.array(_AFTER_S)),
        threat_pk_scale=readonly(np.array(_SCALE)),
    )


def test_threat_rules__fast_equals_reference_and_the_rules_bite() -> None:
    base = _base()
    compiled = _with(base)
    prepared = prepare(compiled, seed=5, n_reps=12)
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    assert not _first_difference(fast, ref, float(compiled.time_step_s))
    dt = float(compiled.time_step_s)
    since_launch = fast.shot_step - fast.launch_step[fast.shot_rep, fast.shot_threat]
    assert not (fast.shot_threat == 2).any()  # never engaged
    late = fast.shot_threat == 1
    assert late.any()
    assert (since_launch[late] * dt >= _AFTER_S[1]).all()
    # without the rules the first missile's first shot comes earlier than the reaction time
    before = prepare(base, seed=5, n_reps=12).fast()
    first = before.shot_step - before.launch_step[before.shot_rep, before.shot_threat]
    assert (first[before.shot_threat == 1] * dt < _AFTER_S[1]).any()
    # the scaled missile is hit on fewer of its rounds (the same kill draws)
    hit_rate = [float(fast.shot_hit[fast.shot_threat == i].mean()) for i in (0, 3)]
    assert hit_rate[1] < hit_rate[0], hit_rate


def test_reacting_k0__moves_only_the_delayed_threats_windows() -> None:
    compiled = _with(_base())
    geometry = prepare(compiled, seed=5, n_reps=1).geometry
    owner = window_threats(geometry)
    assert (owner >= 0).all()
    k0 = reacting_k0(compiled, geometry)
    steps = np.ceil(np.array(_AFTER_S) / float(compiled.time_step_s) - 1e-9)
    assert np.array_equal(k0[owner == 0], geometry.k0[owner == 0])
    assert (k0[owner == 1] >= np.minimum(steps[1], geometry.k1[owner == 1])).all()
    assert (k0[owner == 2] == geometry.k1[owner == 2]).all()  # empty windows
    assert (k0 <= geometry.k1).all()
    assert reacting_k0(_base(), geometry) is geometry.k0  # unset: the geometry's own


def test_reference__restates_the_fast_engines_cap() -> None:
    from skyshield.engine import reference, scaling

    assert reference._PK_MAX == scaling.PK_MAX
