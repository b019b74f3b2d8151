"""The fast engine against the plain reference engine (:mod:`skyshield.engine.reference`).

Given the same draws both engines must make identical discrete decisions, draw for draw: same
fates, fate units and final stocks, and the same shots (unit, threat, fire step, hit) in the
same order. Their geometry differs by construction — the fast engine flies straight pieces of
up to 20 km between exact vertices and solves every rule in continuous time, the reference
samples each flight every time step and decides at the samples — so times agree within a
stated tolerance: intercept times within :data:`_TIME_ATOL_S` (the two paths lie within ~20 m
of each other, a few milliseconds of flight), times of loss to EW within one time step (the
reference's trapezoid smears a disc's rim over one sampled segment). Any other difference is a
bug in one of them. Each rule of engagement has a tiny scenario of its own, and every
comparison also runs the fast event loop without its step skipping.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import readonly
from skyshield.engine.fast import simulate_fast
from skyshield.engine.outcomes import Fate, RawOutcomes
from skyshield.engine.reference import TIME_TOLERANCE_S, simulate_reference
from skyshield.geo import near_populated_place_mask

from ._build import (
    cap_entry,
    coalition,
    decoys,
    drone_swarm,
    heading_rule,
    one_on_one,
    polygon_zone,
    populated_rule,
    prepare,
    reloads,
    reserves,
    scenario,
    sector_radar,
    with_pk,
)

_EXACT = ("fate", "fate_unit", "final_stock")
_SHOT_EXACT = ("shot_rep", "shot_unit", "shot_threat", "shot_step", "shot_hit")
_TIMES = ("fate_s",)
# intercept times: the paths differ by up to ~20 m (pieces' chords against 5 s samples between
# 2 km anchors), a few milliseconds of flight; far above the bisection's TIME_TOLERANCE_S
_TIME_ATOL_S = 0.01
assert _TIME_ATOL_S > 1000 * TIME_TOLERANCE_S


def _first_difference(
    fast: RawOutcomes, ref: RawOutcomes, step_s: float = 5.0, time_atol_s: float = _TIME_ATOL_S
) -> str:
    """Describe the first differing fate and the first differing shot ('' if none)."""
    lines = []
    for name in _EXACT:
        a, b = getattr(fast, name), getattr(ref, name)
        if not np.array_equal(a, b):
            rep, col = np.argwhere(a != b)[0]
            lines.append(f"{name}[rep {rep}, {col}]: fast {a[rep, col]}, ref {b[rep, col]}")
    # a loss to EW within one step (the reference integrates exposure per sampled segment)
    atol = np.where(fast.fate == Fate.LOST_TO_EW, step_s, time_atol_s)
    close = np.isclose(fast.fate_s, ref.fate_s, rtol=0, atol=atol)
    if not close.all():
        rep, threat = np.argwhere(~close)[0]
        lines.append(
            f"fate_s[rep {rep}, threat {threat}]: fast {fast.fate_s[rep, threat]}, "
            f"ref {ref.fate_s[rep, threat]}"
        )
    fast_shots = np.column_stack([getattr(fast, f).astype(np.int64) for f in _SHOT_EXACT])
    ref_shots = np.column_stack([getattr(ref, f).astype(np.int64) for f in _SHOT_EXACT])
    n = min(len(fast_shots), len(ref_shots))
    bad = (fast_shots[:n] != ref_shots[:n]).any(axis=1) | ~np.isclose(
        fast.shot_intercept_s[:n], ref.shot_intercept_s[:n], rtol=0, atol=time_atol_s
    )
    if bad.any() or len(fast_shots) != len(ref_shots):
        at = int(np.flatnonzero(bad)[0]) if bad.any() else n
        lines.append(
            f"shots ({', '.join(_SHOT_EXACT)}, intercept) differ at #{at} of {len(fast_shots)} "
            f"fast / {len(ref_shots)} ref: fast {fast_shots[at : at + 1].tolist()} "
            f"{fast.shot_intercept_s[at : at + 1]}, ref {ref_shots[at : at + 1].tolist()} "
            f"{ref.shot_intercept_s[at : at + 1]}"
        )
    return "; ".join(lines)


def _compare(
    d: dict[str, Any], n_reps: int, rounds_per_target: int | None = None
) -> tuple[RawOutcomes, RawOutcomes, Any]:
    compiled = compile_scenario(scenario(d))
    if rounds_per_target is not None:  # every unit's doctrine replaced (0: no limit), and a
        limit = np.full(compiled.n_units, rounds_per_target, dtype=np.int64)  # cruise Pk of
        compiled = dataclasses.replace(compiled, unit_rounds_per_target=readonly(limit))
        compiled = with_pk(compiled, ThreatClass.CRUISE, 0.4)  # 0.4 so that salvos miss
    mc = d["monte_carlo"]
    prepared = prepare(compiled, seed=mc["seed"], n_reps=n_reps, n_real=mc["route_sets"])
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    detail = _first_difference(fast, ref, float(compiled.time_step_s))
    assert not detail, detail
    # the event loop's step skipping changes nothing (it only skips steps where nothing can)
    every_step = simulate_fast(compiled, prepared.geometry, prepared.draws, skip_idle_steps=False)
    assert not _first_difference(fast, every_step), "skipping idle steps changed the outcome"
    return fast, ref, prepared


def _one_on_one() -> dict[str, Any]:
    return one_on_one(count=3, stock=4)


@pytest.mark.parametrize(
    ("build", "n_reps"),
    [
        pytest.param(_one_on_one, 20, id="one-unit"),
        pytest.param(coalition, 10, id="coalition-buffer-roe"),
        # 17 s of the pure-Python engine: `make test-slow`
        pytest.param(drone_swarm, 15, id="drone-swarm-ew", marks=pytest.mark.slow),
    ],
)
def test_simulate_reference__matches_fast_engine_draw_for_draw(build, n_reps: int) -> None:
    fast, _, _ = _compare(build(), n_reps)
    assert fast.shot_rep.size > 0  # the scenario exercises the engagement rules


def test_simulate_reference__cap_entering_capped_nation() -> None:
    """Issue #8: fast fired nothing (5/5 impacts) where the reference intercepted over Poland."""
    fast, _, prepared = _compare(cap_entry(), 4)
    tables = prepared.tables(fast)
    assert len(tables.shots) > 0
    assert not tables.shots["outside_own_airspace"].any()
    assert (tables.shots["territory"] == "PL").all()


def test_simulate_reference__polygon_zone() -> None:
    fast, _, prepared = _compare(polygon_zone(), 4)
    shots = prepared.tables(fast).shots
    assert (shots["territory"] == "UA").any()  # the polygon lets Poland engage over Ukraine
    assert (shots["lon_deg"] <= 24.3).all()


def test_simulate_reference__heading_toward_and_away() -> None:
    fast, _, prepared = _compare(heading_rule(), 4)
    shots = prepared.tables(fast).shots
    threats = prepared.tables(fast).threats.drop_duplicates("threat").set_index("threat")
    over_ua = shots[shots["territory"] == "UA"]
    assert len(over_ua) > 0
    # over Ukraine, Poland fired only at the wave heading for Rzeszów, never at Lutsk's
    assert set(threats.loc[over_ua["threat"].unique(), "target"]) == {"Rzeszow"}


def test_simulate_reference__no_intercept_over_populated_area() -> None:
    fast, _, prepared = _compare(populated_rule(), 6)
    shots = prepared.tables(fast).shots
    assert len(shots) > 0
    crowded = near_populated_place_mask(
        shots["lon_deg"].to_numpy(), shots["lat_deg"].to_numpy(), 15_000.0, 50_000, "UA"
    )
    assert not crowded.any()


@pytest.mark.slow  # `make test` runs it in the NUMBA_BOUNDSCHECK re-run
def test_simulate_reference__reloads_beyond_one_load() -> None:
    """Hand count: 18 ready rounds (3 launchers × 6), a 20-minute reload, then the other 8."""
    fast, _, prepared = _compare(reloads(), 3)
    per_night = np.bincount(fast.shot_rep, minlength=3)
    assert per_night.tolist() == [26, 26, 26]
    assert fast.final_stock[:, 0].tolist() == [0, 0, 0]
    step_s = prepared.compiled.time_step_s
    for rep in range(3):
        fired_s = np.sort(fast.shot_step[fast.shot_rep == rep]) * step_s
        assert np.diff(fired_s[:18]).max() < 20 * 60  # the first load goes in one stream
        assert fired_s[18] - fired_s[17] >= 20 * 60  # the 19th waits for the reload


def test_simulate_reference__reserve_cuts_a_salvo_short() -> None:
    """Two rounds per engagement (PAC-3), 3 of 6 held for ballistic: the cruise missiles get
    2 + 1 rounds at most, never 2 + 2, which would eat into the reserve."""
    fast, _, prepared = _compare(reserves(3), 8)
    cls = prepared.compiled.threat_class[fast.shot_threat]
    at_cruise = np.bincount(fast.shot_rep[cls == 2], minlength=8)
    assert at_cruise.max() == 3
    assert (fast.final_stock[:, 0] + np.bincount(fast.shot_rep, minlength=8) == 6).all()


def test_simulate_reference__a_threat_is_engaged_by_one_unit_at_a_time() -> None:
    """Two identical units side by side see each cruise missile in the same steps: one engages
    (the first, on the tie), the other may not take the same threat in that step."""
    d = one_on_one(count=2)
    twin = {**d["fire_units"][0], "id": "unit-2"}
    d["fire_units"] = [d["fire_units"][0], twin]
    fast, _, _ = _compare(d, 10)
    shots = pd.DataFrame(
        {"rep": fast.shot_rep, "threat": fast.shot_threat, "unit": fast.shot_unit}
    ).assign(step=fast.shot_step)
    assert len(shots) > 0
    units_per_look = shots.groupby(["rep", "threat", "step"])["unit"].nunique()
    assert (units_per_look == 1).all()


def _twin_patriots() -> dict[str, Any]:
    d = one_on_one(system="patriot-gem-t", count=3)
    d["fire_units"] = [d["fire_units"][0], {**d["fire_units"][0], "id": "unit-2"}]
    return d


@pytest.mark.parametrize(
    ("build", "limit"),
    [
        pytest.param(_twin_patriots, 2, id="twin-2"),
        pytest.param(_twin_patriots, 3, id="twin-3"),
        pytest.param(_twin_patriots, 0, id="twin-none"),
        pytest.param(heading_rule, 1, id="two-windows-1"),  # a unit with two windows on a threat
        pytest.param(coalition, 1, id="coalition-1"),
    ],
)
def test_simulate_reference__rounds_per_target(build, limit: int) -> None:
    """No unit fires more than ``limit`` rounds at one threat over the night (0: no limit), in
    both engines alike, counted over all of its windows on that threat; a unit whose rounds
    per target are spent leaves the threat to the others (it does not hold it under a
    phantom engagement). Twin Patriots: salvos of two at Kh-101 whose windows allow ~7."""
    fast, _, _ = _compare(build(), 30 if build is _twin_patriots else 6, limit)
    shots = pd.DataFrame({"rep": fast.shot_rep, "threat": fast.shot_threat, "unit": fast.shot_unit})
    rounds = shots.groupby(["rep", "threat", "unit"]).size()
    assert len(rounds) > 0
    if not limit:
        assert rounds.max() >= 5  # re-engaged: where a limit is set, it is what stops it
        return
    assert rounds.max() <= limit
    if build is _twin_patriots:
        assert rounds.max() == limit
        units_per_threat = shots.groupby(["rep", "threat"])["unit"].nunique()
        assert (units_per_threat == 2).any()  # the twin took over where the first's were spent


@pytest.mark.parametrize("azimuth", [90.0, 270.0])
def test_simulate_reference__sector_radar(azimuth: float) -> None:
    fast, _, _ = _compare(sector_radar(azimuth), 3)
    if azimuth == 90.0:  # facing the raid from the east: it engages
        assert fast.shot_rep.size > 0
    else:  # facing away: its own radar never sees the intercept point
        assert fast.shot_rep.size == 0


def test_simulate_reference__coalition_exercises_every_fate_and_both_nations() -> None:
    """Guard on the comparison above: it is only strong if the scenario does things."""
    d = coalition()
    compiled = compile_scenario(scenario(d))
    prepared = prepare(compiled, seed=7, n_reps=10, n_real=2)
    raw = prepared.fast()
    assert set(np.unique(raw.fate)) == {0, 1, 2, 4}  # 4: fell (issue #22)
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
    assert not _first_difference(fast, ref)


@pytest.mark.parametrize(
    "reps", [pytest.param(6, id="6"), pytest.param(20, id="20", marks=pytest.mark.slow)]
)
def test_simulate_reference__decoys_taken_for_drones_unless_recognised(reps: int) -> None:
    """A drones-only unit fires at a decoy iff it takes it for a drone: P = 1 − 0.2."""
    fast, _, prepared = _compare(decoys(), reps)
    compiled = prepared.compiled
    decoy = np.flatnonzero(compiled.threat_class == 1)
    assert compiled.unit_decoy_discrimination[0] == 0.2
    fired = np.zeros((reps, compiled.n_threats), dtype=bool)
    fired[fast.shot_rep, fast.shot_threat] = True
    recognised = prepared.draws.discrimination_u[:, decoy] < 0.2
    # a recognised decoy never draws fire; of those not lost to EW, exactly the unrecognised do
    assert not (fired[:, decoy] & recognised).any()
    flew = ~np.isin(fast.fate[:, decoy], (1, 4))  # not lost to EW, did not fall (issue #22)
    assert np.array_equal(fired[:, decoy][flew], ~recognised[flew])
    share = (~recognised).mean()
    assert abs(share - 0.8) < 4 * np.sqrt(0.8 * 0.2 / recognised.size)
    tables = prepared.tables(fast)
    assert not (tables.threats.query("threat_class == 'decoy'")["fate"] == "impacted").any()


def test_simulate_reference__reserve_for_ballistic() -> None:
    """6 rounds, 4 held for ballistic: at most 2 go to cruise missiles; without, more do."""
    fast, _, prepared = _compare(reserves(4), 8)
    cls = prepared.compiled.threat_class[fast.shot_threat]
    at_cruise = np.bincount(fast.shot_rep[cls == 2], minlength=8)
    at_ballistic = np.bincount(fast.shot_rep[cls == 4], minlength=8)
    assert at_cruise.max() <= 2
    assert at_ballistic.max() > 0
    assert (np.bincount(fast.shot_rep, minlength=8) + fast.final_stock[:, 0] == 6).all()
    free, _, prepared_free = _compare(reserves(0), 8)
    cls_free = prepared_free.compiled.threat_class[free.shot_threat]
    assert np.bincount(free.shot_rep[cls_free == 2], minlength=8).max() > 2  # the reserve binds
