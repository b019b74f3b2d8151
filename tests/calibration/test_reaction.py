"""Issue 23, cruise: tactical cruise missiles come without warning and are other missiles: their
own fitted reaction time and kill-probability multiplier (calibration.reaction)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.model import NAMES, PARAMETERS, NightEngine
from skyshield.calibration.reaction import tactical_rules
from skyshield.calibration.surrogate import Surrogate, fit_surrogate
from skyshield.posture import NightComposition

from .test_tasking import BASE

CRUISE = 1  # REPORT_CLASSES index


@pytest.fixture(scope="module")
def tactical() -> NightEngine:
    """A small night whose cruise missiles are all tactical (Kh-59/69 from near the border)."""
    return NightEngine(NightComposition(drone=20, cruise=6, ballistic=0, tactical=6), seed=3)


@pytest.fixture(scope="module")
def strategic() -> NightEngine:
    return NightEngine(NightComposition(drone=20, cruise=6, ballistic=0), route_sets=2, seed=3)


def test_parameters__appended_with_the_engine_as_before_in_the_box() -> None:
    assert NAMES[-2:] == ("reaction_tactical", "pk_tactical")
    reaction, pk = PARAMETERS[-2:]
    assert reaction.low == 0.0 < reaction.high  # 0 = no delay
    cruise = PARAMETERS[NAMES.index("pk_cruise")]
    assert (pk.low, pk.high) == (cruise.low, cruise.high)  # pk_tactical = pk_cruise: as before


def test_tactical_rules__only_the_tactical_threats_and_nothing_when_neutral() -> None:
    tactical = np.array([False, True, True, False])
    after, scale = tactical_rules(tactical, 5.0, 0.5, 2.0)
    assert after is not None
    assert scale is not None
    assert after.tolist() == [0.0, 300.0, 300.0, 0.0]
    assert scale.tolist() == [1.0, 0.25, 0.25, 1.0]
    assert tactical_rules(tactical, 0.0, 1.3, 1.3) == (None, None)
    assert tactical_rules(np.zeros(4, dtype=bool), 5.0, 0.5, 2.0) == (None, None)


def test_reaction__neutral_values_are_the_engine_as_before(tactical: NightEngine) -> None:
    theta = {k: v for k, v in BASE.items() if k not in ("reaction_tactical", "pk_tactical")}
    theta["pk_cruise"] = 1.0
    before = tactical.simulate(theta, 16, seed=2)
    now = tactical.simulate({**theta, "reaction_tactical": 0.0, "pk_tactical": 1.0}, 16, seed=2)
    assert np.array_equal(before.destroyed, now.destroyed)
    assert np.array_equal(before.not_reach_goal, now.not_reach_goal)
    compiled = tactical.compiled_for({**theta, "reaction_tactical": 0.0, "pk_tactical": 1.0})
    assert compiled.threat_engage_after_s is None
    assert compiled.threat_pk_scale is None


def test_reaction__tactical_share_falls_strategic_untouched(
    tactical: NightEngine, strategic: NightEngine
) -> None:
    """The sign of the mechanism: the longer the reaction, the fewer tactical missiles are shot
    down (none once it exceeds their flights); a strategic salvo's outcome does not change."""
    theta = {**BASE, "pk_cruise": 1.5, "pk_tactical": 1.5}
    shares = [
        float(
            tactical.simulate({**theta, "reaction_tactical": r}, 24, seed=5).destroyed[:, 1].mean()
        )
        / 6
        for r in (0.0, 4.0, 8.0, 20.0)
    ]
    assert shares[0] > 0.7  # without a reaction time the near-border SAMs shoot most down
    assert all(a >= b for a, b in itertools.pairwise(shares)), shares
    assert shares[-1] < shares[0] - 0.5, shares
    fixed = strategic.simulate({**theta, "reaction_tactical": 0.0}, 16, seed=5)
    late = strategic.simulate({**theta, "reaction_tactical": 20.0}, 16, seed=5)
    assert np.array_equal(fixed.destroyed, late.destroyed)
    assert fixed.destroyed[:, CRUISE].mean() > 0


def test_pk_tactical__acts_on_tactical_missiles_alone(
    tactical: NightEngine, strategic: NightEngine
) -> None:
    """pk_tactical lowers the tactical share and leaves a strategic salvo alone; pk_cruise no
    longer moves the tactical missiles (the strategic share is not carried by them)."""
    theta = {**BASE, "pk_cruise": 1.5, "pk_tactical": 1.5}

    def share(engine: NightEngine, **change: float) -> float:
        out = engine.simulate({**theta, **change}, 24, seed=5)
        return float(out.destroyed[:, CRUISE].mean()) / 6

    assert share(tactical, pk_tactical=0.2) < share(tactical) - 0.2
    assert share(tactical, pk_cruise=0.2) == pytest.approx(share(tactical), abs=0.05)
    same = strategic.simulate({**theta, "pk_tactical": 0.2}, 16, seed=5)
    assert np.array_equal(same.destroyed, strategic.simulate(theta, 16, seed=5).destroyed)
    assert share(strategic, pk_cruise=0.2) < share(strategic) - 0.2


def test_surrogate__tactical_missiles_fitted_apart_and_weighed_by_count() -> None:
    """With the design's tactical columns the emulator fits the tactical missiles' shares apart
    and a night's cruise share is the two groups' weighted by their counts: strategic 0.9,
    tactical 0.3 (known), a half-tactical night 0.6; the JSON round trip keeps it."""
    rng = np.random.default_rng(4)
    rows = []
    for cruise, tactical in [(c, t) for c in (2, 6, 20, 60) for t in (0, c // 2, c)] * 12:
        theta = dict(
            zip(
                NAMES,
                rng.uniform([p.low for p in PARAMETERS], [p.high for p in PARAMETERS]),
                strict=True,
            )
        )
        strategic = cruise - tactical
        rows.append(
            {
                "replications": 24, "drone": 10, "cruise": cruise, "ballistic": 0,
                "tactical": tactical, **theta,
                "destroyed_drone": 5.0, "lost_drone": 1.0,
                "destroyed_cruise": 0.9 * strategic + 0.3 * tactical, "lost_cruise": 0.0,
                "destroyed_ballistic": 0.0, "lost_ballistic": 0.0,
                "destroyed_tactical": 0.3 * tactical, "lost_tactical": 0.0,
            }
        )  # fmt: skip
    surrogate = fit_surrogate(pd.DataFrame(rows))
    assert surrogate.tactical is not None
    counts = np.array([[10, 20, 0, 0], [10, 20, 0, 20], [10, 20, 0, 10], [10, 7, 0, 3]])
    middle = np.array([(p.low + p.high) / 2 for p in PARAMETERS])
    destroyed, _ = surrogate.shares(counts, middle)
    expected = [0.9, 0.3, 0.6, 0.9 * 4 / 7 + 0.3 * 3 / 7]
    np.testing.assert_allclose(destroyed[:, CRUISE], expected, atol=0.02)
    again = Surrogate.from_dict(json.loads(json.dumps(surrogate.to_dict())))
    np.testing.assert_array_equal(
        again.shares(counts, np.ones(len(NAMES)))[0],
        surrogate.shares(counts, np.ones(len(NAMES)))[0],
    )
