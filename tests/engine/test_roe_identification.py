"""Issue #22 rules of engagement: identification, threat assessment, clock, host-nation rules.

Each rule is checked in both engines (fast = reference draw for draw, as in
:mod:`tests.engine.test_reference`) and by a property that fails when the rule is dropped.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.fast import simulate_fast
from skyshield.engine.outcomes import RawOutcomes
from skyshield.engine.reference import simulate_reference
from skyshield.engine.windows import _split_threatening
from skyshield.engine.zones import threat_intervals, zone_entry_s, zone_polygons

from ._build import Prepared, _one_nation_pair, _unit, _wave, prepare, scenario
from .test_reference import _first_difference

_DECOY = ThreatClass.DECOY.position
_DRONE = ThreatClass.DRONE.position
_LVIV = {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}}
_RZESZOW = {"Rzeszow": {"city": "Rzeszow", "country": "PL", "value": 5}}
_NO_PLACES = 100_000_000  # a population threshold no place reaches: only assets are protected


def _set(compiled: CompiledScenario, **fields: float) -> CompiledScenario:
    """The compiled scenario with the named per-unit arrays set to one value for every unit."""
    arrays = {
        name: readonly(np.full_like(getattr(compiled, name), value))
        for name, value in fields.items()
    }
    return dataclasses.replace(compiled, **arrays)


def _both(compiled: CompiledScenario, *, seed: int, n_reps: int) -> tuple[RawOutcomes, Prepared]:
    """Run both engines on the same draws; fail on the first difference."""
    prepared = prepare(compiled, seed=seed, n_reps=n_reps)
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    detail = _first_difference(fast, ref, float(compiled.time_step_s))
    assert not detail, detail
    every_step = simulate_fast(compiled, prepared.geometry, prepared.draws, skip_idle_steps=False)
    assert not _first_difference(fast, every_step), "skipping idle steps changed the outcome"
    return fast, prepared


def identification(engage_decoys: str = "never") -> dict[str, Any]:
    """Ukraine requires identification; an IRIS-T (all classes) against decoys and Shaheds."""
    return _one_nation_pair(
        {"zone": {"kind": "own"}},
        [_unit("ua-iris", "iris-t-slm", "UA", 24.3, 49.9, stock=40, networks=["ua"])],
        [
            _wave("gerbera", "east", ["Lviv"], count=6, launch_spacing_s=120),
            _wave("shahed-136", "east", ["Lviv"], count=4, launch_spacing_s=120),
        ],
        _LVIV,
    ) | {
        "nations": {
            "UA": {
                "name": "Ukraine",
                "roe": {"require_identification": True, "engage_decoys": engage_decoys},
            },
            "PL": {"name": "Poland"},
        }
    }


def _identifying(engage_decoys: str = "never") -> CompiledScenario:
    # both identification errors frequent, so a few nights show each
    compiled = compile_scenario(scenario(identification(engage_decoys)))
    return _set(compiled, unit_decoy_discrimination=0.5, unit_drone_taken_for_decoy=0.3)


def test_identification__fast_matches_reference() -> None:
    fast, _ = _both(_identifying(), seed=3, n_reps=6)
    assert fast.shot_rep.size > 0


def test_identification__decoy_never_engaged_once_recognised() -> None:
    """Under `engage_decoys: never` a recognised decoy (and a drone taken for one) draws no
    fire; the others do (so the rule, not a lack of opportunity, is what holds fire)."""
    compiled = _identifying()
    prepared = prepare(compiled, seed=3, n_reps=30)
    fast = prepared.fast()
    fired = np.zeros((30, compiled.n_threats), dtype=bool)
    fired[fast.shot_rep, fast.shot_threat] = True
    decoy = compiled.threat_class == _DECOY
    drone = compiled.threat_class == _DRONE
    as_decoy = (decoy & (prepared.draws.discrimination_u < 0.5)) | (
        drone & (prepared.draws.identification() < 0.3)
    )
    assert as_decoy.any()
    assert not (fired & as_decoy).any()
    assert (fired & ~as_decoy).sum() > 0.8 * (~as_decoy).sum()  # the rest are engaged
    # with `always`, recognised decoys are engaged like anything else
    always = prepare(_identifying("always"), seed=3, n_reps=30).fast()
    fired_always = np.zeros_like(fired)
    fired_always[always.shot_rep, always.shot_threat] = True
    assert (fired_always & as_decoy).sum() > 0.8 * as_decoy.sum()


def test_identification__waits_for_the_identification_delay() -> None:
    """No shot before the track plus the identification delay where identification is required;
    without the requirement the unit fires earlier."""
    d = identification("always")
    d["sensors"] = []  # tracked by the unit's own radar only, shortly before it can fire
    compiled = _set(compile_scenario(scenario(d)), unit_identification_delay_s=240.0)
    prepared = prepare(compiled, seed=3, n_reps=4)
    fast = prepared.fast()
    track = prepared.geometry.windows[0].track_s.min(axis=0)
    dt = float(compiled.time_step_s)
    fire_s = (fast.shot_step - prepared.draws.launch_step[fast.shot_rep, fast.shot_threat]) * dt
    assert fast.shot_rep.size > 0
    assert (fire_s >= track[fast.shot_threat] + 240.0 - 1e-9).all()
    free = dataclasses.replace(compiled, roe_require_id=readonly(np.zeros(2, dtype=bool)))
    loose = prepare(free, seed=3, n_reps=4).fast()
    loose_s = (loose.shot_step - prepared.draws.launch_step[loose.shot_rep, loose.shot_threat]) * dt
    assert (loose_s < track[loose.shot_threat] + 240.0).any()


def threat_assessment(roe: dict[str, Any]) -> dict[str, Any]:
    """Ukraine assesses tracks against Lviv (15 km, 60 km ahead; no populated places).

    Kh-101 and Gerbera fly straight at Lviv (threatening near the end); Gerbera fly west past
    north of Lviv to a waypoint, then turn north-east to Lutsk (never within 15 km of Lviv's
    course line).
    """
    d = _one_nation_pair(
        {"zone": {"kind": "own"}},
        [_unit("ua-iris", "iris-t-slm", "UA", 24.3, 49.9, stock=60, networks=["ua"])],
        [
            _wave("kh-101", "east", ["Lviv"], count=2, launch_spacing_s=120),
            _wave("gerbera", "east", ["Lviv"], count=3, launch_spacing_s=120),
            _wave(
                "gerbera",
                "east",
                ["Lutsk"],
                count=3,
                launch_spacing_s=120,
                route=[{"lon_deg": 24.3, "lat_deg": 50.2}],
            ),
        ],
        _LVIV | {"Lutsk": {"city": "Lutsk", "country": "UA", "value": 3}},
    )
    assessment = {"within_km": 15, "horizon_km": 60}
    d["nations"]["UA"]["roe"] = {
        "threat_assessment": assessment,
        "populated_min_population": _NO_PLACES,
        **roe,
    }
    return d


@pytest.mark.parametrize(
    "roe",
    [
        pytest.param({"engage_only_threatening": True}, id="only-threatening"),
        pytest.param({"engage_decoys": "if_threatening"}, id="decoys-if-threatening"),
    ],
)
def test_threat_assessment__fast_matches_reference(roe: dict[str, Any]) -> None:
    compiled = _set(
        compile_scenario(scenario(threat_assessment(roe))), unit_decoy_discrimination=0.5
    )
    fast, _ = _both(compiled, seed=5, n_reps=4)
    assert fast.shot_rep.size > 0
    if "engage_only_threatening" in roe:  # the Gerbera bound for Lutsk are never engaged
        lutsk = compiled.threat_target[fast.shot_threat] == 1
        assert not lutsk.any()


def test_threat_assessment__identical_tracks_aimed_at_different_targets() -> None:
    """Two threats fly the same first leg straight at Lviv; one continues there, the other
    turns for Lutsk at the waypoint. Up to the turn their tracks are identical, so is the
    assessment: it reads the track, never the target (an assessment that knew the target
    would call the one bound for Lutsk harmless)."""
    waypoint = {"lon_deg": 24.9, "lat_deg": 49.95}  # on the way from `east` to Lviv
    d = threat_assessment({"engage_only_threatening": True})
    d["raid"]["waves"] = [
        _wave("gerbera", "east", ["Lviv"], count=1, route=[waypoint]),
        _wave("gerbera", "east", ["Lutsk"], count=1, route=[waypoint]),
    ]
    d["nations"]["UA"]["roe"]["threat_assessment"] = {"within_km": 10, "horizon_km": 150}
    compiled = compile_scenario(scenario(d))
    prepared = prepare(compiled, seed=1, n_reps=1)
    pieces = prepared.geometry.pieces[0]
    o = pieces.vertex_offset
    lonlat = [np.column_stack([pieces.lon_deg[o[i] : o[i + 1]], pieces.lat_deg[o[i] : o[i + 1]]])
              for i in range(2)]  # fmt: skip
    n = min(len(lonlat[0]), len(lonlat[1]))
    same = np.all(np.isclose(lonlat[0][:n], lonlat[1][:n], rtol=0, atol=1e-12), axis=1)
    turn = int(np.argmin(same)) - 1  # the last common vertex: the waypoint
    assert turn > 0
    turn_s = float(pieces.time_s[o[0] + turn])
    assert np.isclose(turn_s, pieces.time_s[o[1] + turn])
    ta = threat_intervals(compiled, 0, pieces)

    def before_turn(i: int) -> list[tuple[float, float]]:
        lo = ta.lo_s[ta.offset[i] : ta.offset[i + 1]]
        hi = ta.hi_s[ta.offset[i] : ta.offset[i + 1]]
        return [
            (round(a, 6), round(min(b, turn_s), 6))
            for a, b in zip(lo, hi, strict=True)
            if a < turn_s
        ]

    assert before_turn(0), "the first leg heads for Lviv: threatening"
    assert before_turn(0) == before_turn(1)


def zone_clock(clock: str) -> dict[str, Any]:
    """Poland (own airspace only, 60 s delay) against Kh-101 tracked from launch in Ukraine."""
    return _one_nation_pair(
        {"zone": {"kind": "own"}, "authorization_delay_s": 60, "authorization_clock": clock},
        [_unit("pl-iris", "iris-t-slm", "PL", 23.3, 50.05, stock=20)],
        [_wave("kh-101", "east", ["Rzeszow"], count=3, launch_spacing_s=90)],
        _RZESZOW,
    )


def test_authorization_clock__zone_entry_counts_from_entering_the_zone() -> None:
    compiled = compile_scenario(scenario(zone_clock("zone_entry")))
    fast, prepared = _both(compiled, seed=2, n_reps=4)
    flights = prepared.geometry.flights
    entry = zone_entry_s(
        compiled, 1, flights.pieces[0], flights.territory[0], zone_polygons(compiled)
    )
    dt = float(compiled.time_step_s)
    launch = prepared.draws.launch_step[fast.shot_rep, fast.shot_threat]
    fire_s = (fast.shot_step - launch) * dt
    assert fast.shot_rep.size > 0
    assert (fire_s >= entry[fast.shot_threat] + 60.0 - 1e-9).all()
    # counted from the first track (long before the border) Poland fires earlier
    first = prepare(compile_scenario(scenario(zone_clock("first_track"))), seed=2, n_reps=4)
    early = first.fast()
    early_s = (early.shot_step - first.draws.launch_step[early.shot_rep, early.shot_threat]) * dt
    assert (early_s < entry[early.shot_threat] + 60.0).any()


def test_authorization_clock__identification_fast_matches_reference() -> None:
    d = zone_clock("identification")
    compiled = _set(compile_scenario(scenario(d)), unit_identification_delay_s=100.0)
    fast, _ = _both(compiled, seed=2, n_reps=3)
    assert fast.shot_rep.size > 0


def host_nation(operates_under: str | None) -> dict[str, Any]:
    """A German IRIS-T stationed in Poland; Germany's own rules: its own airspace only."""
    unit = _unit("de-iris", "iris-t-slm", "DE", 23.3, 50.05, stock=20, networks=["pl"])
    if operates_under:
        unit["operates_under"] = operates_under
    d = _one_nation_pair(
        {"zone": {"kind": "own"}},
        [unit],
        [_wave("kh-101", "east", ["Rzeszow"], count=3, launch_spacing_s=90)],
        _RZESZOW,
    )
    d["nations"]["PL"]["hosts"] = ["DE"]
    d["nations"]["DE"] = {"name": "Germany", "alliances": ["NATO"]}
    return d


def test_host_nation__fires_under_the_hosts_rules() -> None:
    compiled = compile_scenario(scenario(host_nation("PL")))
    assert compiled.nation_codes[int(compiled.unit_roe_nation[0])] == "PL"
    fast, prepared = _both(compiled, seed=2, n_reps=3)
    assert fast.shot_rep.size > 0
    assert (prepared.tables(fast).shots["territory"] == "PL").all()
    # under its own (German) airspace rules it never fires over Poland
    home = prepare(compile_scenario(scenario(host_nation(None))), seed=2, n_reps=3).fast()
    assert home.shot_rep.size == 0


def test_split_threatening__by_hand() -> None:
    """Fire steps 0..9 (5 s), threatening from 12 s to 27 s: steps 3, 4, 5 (15, 20, 25 s)."""
    one = np.zeros(1, dtype=np.int64)
    threat, k0, k1, out, flag = _split_threatening(
        one, one, np.array([10]), np.array([True]), np.array([0, 1]),
        np.array([12.0]), np.array([27.0]), 5.0, True,
    )  # fmt: skip
    assert list(zip(k0.tolist(), k1.tolist(), flag.tolist(), strict=True)) == [
        (0, 3, False), (3, 6, True), (6, 10, False),
    ]  # fmt: skip
    assert threat.tolist() == [0, 0, 0]
    assert out.all()
    _, k0, k1, _, flag = _split_threatening(
        one, one, np.array([10]), np.array([True]), np.array([0, 1]),
        np.array([12.0]), np.array([27.0]), 5.0, False,
    )  # fmt: skip
    assert (k0.tolist(), k1.tolist(), flag.tolist()) == ([3], [6], [True])
