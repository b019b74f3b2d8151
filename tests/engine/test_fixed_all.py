"""A scenario in which no threat moves between route sets is flown and solved once (issue #20).

The calibration design's nights fly direct routes (no inner waypoint to jitter), so every
route set is the same: the split keeps all threats as the fixed part and an empty moving part,
and the geometry must be the one of flying every route set whole, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

import skyshield.engine.geometry as geometry_module
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.fixed import moving_threats, route_split
from skyshield.engine.geometry import build_geometry
from skyshield.posture import NightComposition, night_scenario
from skyshield.testing import assert_same_arrays


@pytest.fixture(scope="module")
def compiled() -> CompiledScenario:
    night = NightComposition(drone=30, cruise=4, ballistic=2, tactical=1)
    return compile_scenario(night_scenario(night, seed=3, route_sets=3))


def test_route_split__nothing_moves_all_fixed(compiled: CompiledScenario) -> None:
    assert not moving_threats(compiled).any()
    split = route_split(compiled)
    assert split is not None  # one fixed part for every route set, not each flown again
    assert split.moving.index.size == 0
    assert np.array_equal(split.fixed.index, np.arange(compiled.n_threats))


def test_build_geometry__all_fixed_as_flown_whole_bit_for_bit(
    compiled: CompiledScenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = build_geometry(compiled, 5, 3, first=8)
    monkeypatch.setattr(geometry_module, "route_split", lambda _: None)
    whole = build_geometry(compiled, 5, 3, first=8)
    assert_same_arrays(kept, whole)
    assert kept.windows[0].unit.size > 0  # the night has engagement windows to compare
