"""The night model runs the engine: report semantics and the parameters' direction of effect."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.calibration.fit import night_data
from skyshield.calibration.model import NightEngine
from skyshield.catalog import ThreatClass
from skyshield.posture import NightComposition, night_scenario
from skyshield.reports import load_reports

BASE = {
    "pk_drone": 1.0,
    "pk_cruise": 1.0,
    "pk_ballistic": 1.0,
    "ew": 1.0,
    "decoy_share": 0.0,
    "posture_long": 1.0,
    "posture_medium": 1.0,
    "posture_short": 1.0,
}


@pytest.fixture(scope="module")
def engine() -> NightEngine:
    return NightEngine(NightComposition(drone=120, cruise=30, ballistic=8), route_sets=2, seed=3)


def _mean(engine: NightEngine, **changes: float) -> tuple[np.ndarray, np.ndarray]:
    out = engine.simulate({**BASE, **changes}, replications=16, seed=9)
    return out.destroyed.mean(axis=0), out.not_reach_goal.mean(axis=0)


def test_night_engine__counts_per_class_and_never_more_than_launched(engine: NightEngine) -> None:
    out = engine.simulate(BASE, replications=16, seed=9)
    assert out.launched[0].tolist() == [120, 30, 8]
    assert np.all(out.neutralised <= out.launched)
    assert np.all(out.destroyed >= 0)


def test_night_engine__no_ew_no_decoys_only_falls_locationally_lost(engine: NightEngine) -> None:
    """Without EW and decoys, only drones that fell on their own are lost (issue #22: catalog
    0.02 per hour, under 15% of a night's 120 on flights of a few hours); missiles never."""
    _, lost = _mean(engine, ew=0.0, decoy_share=0.0)
    assert lost[1:].tolist() == [0.0, 0.0]
    assert 0 < lost[0] < 0.15 * 120
    _, lost_with_decoys = _mean(engine, ew=0.0, decoy_share=0.5)
    assert lost_with_decoys[0] > lost[0]  # decoys that reach their area count as lost too
    assert lost_with_decoys[1:].tolist() == [0.0, 0.0]


def test_night_engine__parameters_push_the_way_they_say(engine: NightEngine) -> None:
    """Common random numbers: each change moves its class's mean the stated way."""
    destroyed, lost = _mean(engine)
    assert _mean(engine, pk_ballistic=0.1)[0][2] < destroyed[2]
    assert _mean(engine, pk_cruise=0.2)[0][1] < destroyed[1]
    assert _mean(engine, ew=4.0)[1][0] > lost[0]
    assert _mean(engine, posture_short=0.1, posture_medium=0.1)[0][0] < destroyed[0]
    assert _mean(engine, posture_medium=3.0)[0][0] > destroyed[0]


def test_night_engine__same_seed_same_counts(engine: NightEngine) -> None:
    a = engine.simulate(BASE, replications=4, seed=2)
    b = engine.simulate(BASE, replications=4, seed=2)
    assert np.array_equal(a.destroyed, b.destroyed)
    assert np.array_equal(a.not_reach_goal, b.not_reach_goal)


def test_night_data__tactical_cruise_from_the_weapon_names() -> None:
    reports = load_reports()
    data = night_data(reports.by_night, reports.rows)
    day = {str(n): k for k, n in enumerate(data.nights)}
    # 2025-06-17: 29 cruise missiles, of them 9 Kh-59/69 or Iskander-K in rows of their own
    # (the tables above, from the shipped file); 2025-06-29: 46, of them 41 in a row naming
    # Kh-101 and Kalibr with tactical ones, which counts as strategic
    assert data.launched[day["2025-06-17"], 1] == 29
    assert data.tactical[day["2025-06-17"]] == 9
    assert data.tactical[day["2025-06-29"]] == 0
    assert (data.tactical <= data.launched[:, 1]).all()
    assert night_data(reports.by_night).tactical.sum() == 0  # without rows: none known


def test_night_scenario__tactical_cruise_missiles_fly_from_near_the_border() -> None:
    scenario = night_scenario(NightComposition(drone=10, cruise=12, ballistic=0, tactical=6))
    by_threat: dict[str, int] = {}
    for wave in scenario.raid.waves:
        by_threat[wave.threat] = by_threat.get(wave.threat, 0) + wave.count
    assert by_threat == {"shahed-136": 10, "kh-101": 4, "kalibr": 2, "kh-59-69": 6}
    with pytest.raises(ValueError, match="tactical"):
        NightComposition(drone=1, cruise=2, ballistic=0, tactical=3)


def test_night_scenario__cruise_hold_is_the_named_share_of_the_full_load() -> None:
    """Medium-range SAMs hold floor(CRUISE_HOLD_SHARE x full catalog load) rounds for cruise
    missiles, whatever they are issued; no other family holds any (issue 23, item 10)."""
    from skyshield.catalog import load_catalog
    from skyshield.posture import CRUISE_HOLD_SHARE, FAMILY_OF_SYSTEM

    catalog = load_catalog()
    scenario = night_scenario(NightComposition(drone=20, cruise=4, ballistic=1))
    medium = 0
    for unit in scenario.fire_units:
        system = catalog.systems[unit.system]
        if FAMILY_OF_SYSTEM[unit.system] == "medium":
            medium += 1
            full = system.launchers * system.rounds_per_launcher
            assert unit.reserve_for == {ThreatClass.CRUISE: int(CRUISE_HOLD_SHARE * full)}
        else:
            assert not unit.reserve_for
    assert medium == 14


def test_compiled_for__rounds_per_target_scale_with_the_family_size(engine: NightEngine) -> None:
    """Co-located units each fire their "two missiles per target": ceil(2 x size) for the
    S-300/Buk/Patriot/SAMP/T of a family above size 1; no limit (0) stays none."""
    from skyshield.catalog import load_catalog
    from skyshield.posture import FAMILY_OF_SYSTEM

    catalog = load_catalog()
    compiled = engine.compiled_for({**BASE, "posture_medium": 2.5, "posture_long": 0.5})
    for u, key in enumerate(compiled.unit_system_keys):
        if u >= len(engine.scenario.fire_units) or engine.route_pool[u]:
            # the route pool's units (short family) and the aircraft's rows: no limit
            assert compiled.unit_rounds_per_target[u] == 0, key
            continue
        limit = catalog.systems[key].rounds_per_target
        family = FAMILY_OF_SYSTEM[key]
        size = {"long": 1.0, "medium": 2.5}.get(family, 1.0)  # long 0.5: in action, size 1
        assert compiled.unit_rounds_per_target[u] == int(np.ceil(limit * size)), key
    assert {int(v) for v in compiled.unit_rounds_per_target} >= {0, 2, 5}
