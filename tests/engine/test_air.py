"""Air patrols (:mod:`skyshield.engine.air`): sortie timelines, presence, weapon choice, channels.

Every rule runs in both engines (fast = reference draw for draw, as in test_reference.py),
and each guard has a hand-made case a broken rule fails.
"""

from __future__ import annotations

import dataclasses
import math
from types import MappingProxyType
from typing import Any

import numpy as np
import pytest

from skyshield.catalog import Catalog, load_catalog
from skyshield.engine.air import sortie_plan
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.fast import simulate_fast
from skyshield.engine.outcomes import RawOutcomes
from skyshield.engine.reference import simulate_reference
from skyshield.geo import geodesic_distance_m

from ._build import one_on_one, prepare, scenario
from .test_reference import _first_difference

STATION = {"lon_deg": 31.6, "lat_deg": 50.25}  # beside the LAUNCH-Kyiv route, ~100 km from LAUNCH
BASE = {"lon_deg": 30.0, "lat_deg": 50.3}


def _patrol(**kw: Any) -> dict[str, Any]:
    patrol: dict[str, Any] = {
        "id": "cap",
        "nation": "UA",
        "aircraft_type": "f-16",
        "base": BASE,
        "station": {"position": STATION, "commit_radius_km": 20},
        "aircraft": 2,
        "sorties": 2,
        "first_takeoff_min": 0,
        "time_on_station_min": 30,
        "sortie_interval_min": 60,
        "loadout": {"aim-9x": 2, "aim-120c": 1, "fighter-gun": 2},
        "networks": ["ua"],
    }
    patrol.update(kw)
    return patrol


def patrol_night(
    *, count: int = 8, threat: str = "shahed-136", spacing_s: float = 300, **kw: Any
) -> dict[str, Any]:
    """Drones from LAUNCH to Kyiv every 5 min; two sorties of an F-16 pair, nobody else."""
    d = one_on_one(threat=threat, count=count)
    d["fire_units"] = []
    d["raid"]["waves"][0]["launch_spacing_s"] = spacing_s
    d["air_patrols"] = [_patrol(**kw)]
    d["monte_carlo"]["seed"] = 3
    return d


def _compare(compiled: CompiledScenario, n_reps: int) -> tuple[RawOutcomes, Any]:
    prepared = prepare(compiled, seed=3, n_reps=n_reps)
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    detail = _first_difference(fast, ref, float(compiled.time_step_s))
    assert not detail, detail
    every = simulate_fast(compiled, prepared.geometry, prepared.draws, skip_idle_steps=False)
    assert not _first_difference(fast, every), "skipping idle steps changed the outcome"
    return fast, prepared


def _transit_s(catalog: Catalog) -> float:
    d = float(geodesic_distance_m(BASE["lon_deg"], BASE["lat_deg"], *STATION.values()))
    return d / catalog.aircraft_type("f-16").cruise_speed_mps


def test_sortie_plan__hand_computed_timeline_and_coverage() -> None:
    # 2 aircraft, 3 h on station, 1 h transit each way, 4 sorties a day (every 6 h)
    catalog = load_catalog()
    distance_km = (
        float(geodesic_distance_m(BASE["lon_deg"], BASE["lat_deg"], *STATION.values())) / 1000
    )
    d = patrol_night(
        transit_speed_kmh=distance_km,  # 1 h transit
        time_on_station_min=180,
        sorties=4,
        sortie_interval_min=360,
        first_takeoff_min=-60,
    )
    compiled = compile_scenario(scenario(d))
    on, off = compiled.platform_on_s, compiled.platform_off_s
    assert on.size == 8  # 4 sorties x 2 aircraft
    np.testing.assert_allclose(on[::2], [0, 21600, 43200, 64800], atol=1e-6)
    np.testing.assert_allclose(off[::2], [10800, 32400, 54000, 75600], atol=1e-6)
    np.testing.assert_allclose(compiled.platform_takeoff_s[::2], on[::2] - 3600, atol=1e-6)
    np.testing.assert_allclose(compiled.platform_landing_s[::2], off[::2] + 3600, atol=1e-6)
    # coverage over the day: 4 x 3 h / 24 h = 0.5 (the pair flies together)
    grid = np.arange(0, 86400, 60.0)
    covered = ((grid[:, None] >= on[None, ::2]) & (grid[:, None] < off[None, ::2])).any(axis=1)
    assert covered.mean() == pytest.approx(0.5)
    # tanker support extends every sortie's time on station (and shifts nothing else)
    tanked = sortie_plan(scenario(patrol_night(tanker_extra_min=45)).air_patrols[0], catalog)
    plain = sortie_plan(scenario(patrol_night()).air_patrols[0], catalog)
    for a, b in zip(tanked, plain, strict=True):
        assert a.on_s == pytest.approx(b.on_s)
        assert a.off_s - a.on_s == pytest.approx(b.off_s - b.on_s + 45 * 60)
    assert plain[0].on_s == pytest.approx(_transit_s(catalog))


def test_air_patrol__fast_matches_reference_and_fires_only_on_station() -> None:
    # the greedy weapon choice: with the wait for a cheaper weapon, the AIM-9X shots come
    # later and every drone of these 4 nights is downed (no gap left to see)
    compiled = compile_scenario(scenario(patrol_night(wait_for_cheaper_weapon=False)))
    raw, _ = _compare(compiled, 4)
    assert raw.shot_rep.size > 0
    fire_s = raw.shot_step * compiled.time_step_s
    unit = raw.shot_unit
    assert (fire_s >= compiled.unit_on_s[unit]).all()
    assert (fire_s < compiled.unit_off_s[unit]).all()
    # the night has threats passing while nobody is on station: some get through untouched
    assert (raw.fate == 2).any()


def test_air_patrol__one_engagement_per_aircraft_at_a_time() -> None:
    # drones 20 s apart: several in an aircraft's reach at once, three weapons aboard
    compiled = compile_scenario(scenario(patrol_night(count=10, spacing_s=20)))
    raw, _ = _compare(compiled, 4)
    dt = compiled.time_step_s
    launch = raw.launch_step[raw.shot_rep, raw.shot_threat]
    arrive = launch + np.ceil(raw.shot_intercept_s / dt - 1e-9).astype(np.int64)
    platform = compiled.unit_platform[raw.shot_unit]
    busy_overlap = 0
    for rep in np.unique(raw.shot_rep):
        for p in np.unique(platform[raw.shot_rep == rep]):
            m = (raw.shot_rep == rep) & (platform == p)
            spans = sorted(
                {
                    (int(a), int(b), int(t))
                    for a, b, t in zip(raw.shot_step[m], arrive[m], raw.shot_threat[m], strict=True)
                }
            )
            for x, (a0, b0, t0) in enumerate(spans):
                for a1, _, t1 in spans[x + 1 :]:
                    busy_overlap += int(t0 != t1 and a0 <= a1 < b0)
    assert busy_overlap == 0
    assert len(np.unique(platform)) > 1


def _catalog_with(**weapons: tuple[float, float]) -> Catalog:
    """The shipped catalog with weapons' (Pk against drones, cost) replaced."""
    catalog = load_catalog()
    changed = dict(catalog.weapons)
    for key, (pk, cost) in weapons.items():
        w = changed[key.replace("_", "-")]
        changed[w.key] = dataclasses.replace(w, pk=(pk, *w.pk[1:]), cost_per_round_usd=cost)
    return dataclasses.replace(catalog, weapons=MappingProxyType(changed))


@pytest.mark.parametrize(
    ("adequate", "expected"),
    [
        pytest.param(0.7, "iris-t-aam", id="cheapest-adequate"),
        pytest.param(0.9, "aim-9x", id="none-adequate-best-pk"),
    ],
)
def test_weapon_choice__cheapest_adequate_else_best_pk(adequate: float, expected: str) -> None:
    # two weapons of equal reach and speed: IRIS-T cheap with Pk 0.75, AIM-9X dear with 0.85
    catalog = _catalog_with(iris_t_aam=(0.75, 1000.0), aim_9x=(0.85, 9000.0))
    d = patrol_night(
        loadout={"aim-9x": 4, "iris-t-aam": 4}, adequate_pk=adequate, sorties=1,
        time_on_station_min=600,
    )  # fmt: skip
    compiled = compile_scenario(scenario(d), catalog)
    raw, _ = _compare(compiled, 3)
    used = np.asarray(compiled.unit_system_keys)[raw.shot_unit]
    assert used.size > 0
    # while an aircraft still holds the preferred weapon it never fires the other
    first = {}
    for rep, u, w in zip(raw.shot_rep, raw.shot_unit, used, strict=True):
        first.setdefault((int(rep), int(compiled.unit_platform[u])), w)
    assert set(first.values()) == {expected}


def test_presence__windows_outside_station_time_are_never_used() -> None:
    # one sortie on station 30 min; the raid lasts longer: every shot inside [on, off)
    compiled = compile_scenario(scenario(patrol_night(sorties=1, count=12)))
    raw, _ = _compare(compiled, 3)
    fire_s = raw.shot_step * compiled.time_step_s
    on, off = compiled.platform_on_s[0], compiled.platform_off_s[0]
    assert raw.shot_rep.size > 0
    assert ((fire_s >= on) & (fire_s < off)).all()
    assert not math.isinf(off)


def test_airborne_sensor__its_tracks_cue_the_patrol_in_both_engines() -> None:
    # no ground radar: only the AEW orbit (at its altitude) gives the network its tracks
    d = patrol_night(sorties=1, time_on_station_min=600)
    d["sensors"] = []
    blind = compile_scenario(scenario(d))
    d["airborne_sensors"] = [
        {
            "id": "aew",
            "nation": "UA",
            "aircraft_type": "saab-340-aew",
            "position": {"lon_deg": 30.5, "lat_deg": 50.4},
            "networks": ["ua"],
        }
    ]
    cued = compile_scenario(scenario(d))
    assert cued.sensor_height_m[-1] == pytest.approx(6000.0)  # the catalog's orbit altitude
    raw, _ = _compare(cued, 3)
    assert raw.shot_rep.size > 0
    assert prepare(blind, seed=3, n_reps=3).fast().shot_rep.size == 0


def test_air_patrol__operates_under_its_host_fires_under_the_hosts_rules() -> None:
    """The Dutch F-35s of ``airspace-violation`` police Polish airspace under Polish rules.

    Their own rules (own zone: the Netherlands) would allow no shot over Poland; under the
    host's they fire there, and every shot lies in Polish territory.
    """
    from skyshield.engine.outcomes import tabulate
    from skyshield.scenario import load_scenario

    compiled = compile_scenario(load_scenario("airspace-violation"))
    dutch = np.flatnonzero(
        np.asarray([compiled.nation_codes[n] for n in compiled.unit_nation]) == "NL"
    )
    assert dutch.size > 0
    poland = compiled.nation_codes.index("PL")
    assert (compiled.unit_roe_nation[dutch] == poland).all()
    prepared = prepare(compiled, seed=5, n_reps=4)
    raw = prepared.fast()
    shots = tabulate(compiled, prepared.geometry, raw).shots
    mine = shots[np.isin(raw.shot_unit, dutch)]
    assert len(mine) > 0
    assert (mine["territory"] == "PL").all()


@pytest.mark.parametrize("guns_allowed", [True, False])
def test_air_patrol__guns_fire_only_where_the_rules_allow(guns_allowed: bool) -> None:
    """``guns_allowed: false`` leaves the fighters their missiles only, in both engines."""
    import yaml

    from skyshield.scenario import builtin_scenario_path

    d = yaml.safe_load(builtin_scenario_path("airspace-violation").read_text(encoding="utf-8"))
    d["nations"]["PL"]["roe"]["guns_allowed"] = guns_allowed
    d["raid"]["waves"] = d["raid"]["waves"][:1]  # 12 decoys: enough to reach the guns
    compiled = compile_scenario(scenario(d))
    gun = np.asarray(["fighter-gun" in u for u in compiled.unit_ids])
    assert gun.any()
    prepared = prepare(compiled, seed=3, n_reps=3)
    raw = prepared.fast()
    assert not _first_difference(
        raw, simulate_reference(compiled, prepared.geometry, prepared.draws)
    )
    gun_shots = int(gun[raw.shot_unit].sum())
    assert (gun_shots > 0) == guns_allowed, gun_shots
    assert raw.shot_unit.size > gun_shots  # the missiles still fire


def test_scramble__hand_computed_timeline_from_the_first_track() -> None:
    """A pair on quick reaction alert, in both engines.

    The big-eye sensor tracks each drone from its launch; the first drone leaves at t0 = 30
    min, so the alert is raised at t0. Scramble delay d = 10 min, transit D at v = 4 D per
    hour (15 min): on station at t0 + d + D/v = t0 + 1,500 s, never earlier; drones pass the
    station every 5 min, so the first shot comes at the first step at or after it.
    """
    distance_km = (
        float(geodesic_distance_m(BASE["lon_deg"], BASE["lat_deg"], *STATION.values())) / 1000
    )
    d = patrol_night(
        on_alert=True,
        scramble_delay_min=10,
        transit_speed_kmh=4 * distance_km,
        sorties=1,
        time_on_station_min=120,
    )
    d["raid"]["waves"][0]["launch_time_min"] = 30
    compiled = compile_scenario(scenario(d))
    # the sortie plan counts from the alert
    np.testing.assert_allclose(compiled.platform_takeoff_s, [600.0, 600.0], atol=1e-6)
    np.testing.assert_allclose(compiled.platform_on_s, [1500.0, 1500.0], atol=1e-6)
    raw, _ = _compare(compiled, 3)
    dt = float(compiled.time_step_s)
    t0 = raw.launch_step.min(axis=1) * dt
    assert t0 == pytest.approx([1800.0] * 3)
    on = t0 + 600.0 + 900.0
    fire_s = raw.shot_step * dt
    assert raw.shot_rep.size > 0
    assert (fire_s >= on[raw.shot_rep] - 1e-9).all()
    assert (fire_s < on[raw.shot_rep] + 120 * 60).all()  # and leaves at Bingo fuel
    for rep in range(3):
        first = fire_s[raw.shot_rep == rep].min()
        assert first == pytest.approx(math.ceil(on[rep] / dt - 1e-9) * dt), rep


def test_scramble__first_takeoff_with_alert_is_refused() -> None:
    with pytest.raises(ValueError, match="first_takeoff_min"):
        scenario(patrol_night(on_alert=True, first_takeoff_min=10))


def _aew(**kw: Any) -> dict[str, Any]:
    sensor: dict[str, Any] = {
        "id": "aew",
        "nation": "UA",
        "aircraft_type": "saab-340-aew",
        "position": {"lon_deg": 30.5, "lat_deg": 50.4},
        "networks": ["ua"],
    }
    sensor.update(kw)
    return sensor


def test_aew_orbit__tracks_only_while_on_station_in_both_engines() -> None:
    """An AEW orbit on station 20-50 min after the raid start, nothing else on the network.

    It flies from a base under its orbit (no transit): on station [1,200 s, 3,000 s). Drones
    leave every 5 min from 0 to 55 min; the patrol is on station all along. No shot before
    the orbit starts (the all-night orbit fires earlier), and a drone launched after the
    orbit has left is never tracked, so never shot at.
    """
    # the greedy weapon choice, so the all-night orbit's earliest shots show (the wait for
    # the cheaper AIM-9X would delay them past 1,200 s)
    d = patrol_night(
        count=12, sorties=1, time_on_station_min=600, first_takeoff_min=-30,
        wait_for_cheaper_weapon=False,
    )  # fmt: skip
    d["sensors"] = []
    d["airborne_sensors"] = [_aew()]
    all_night = compile_scenario(scenario(d))
    d["airborne_sensors"] = [
        _aew(
            base={"lon_deg": 30.5, "lat_deg": 50.4},
            sorties=1,
            first_takeoff_min=20,
            time_on_station_min=30,
        )
    ]
    compiled = compile_scenario(scenario(d))
    np.testing.assert_allclose(compiled.orbit_on_s, [1200.0], atol=1e-6)
    np.testing.assert_allclose(compiled.orbit_off_s, [3000.0], atol=1e-6)
    raw, _ = _compare(compiled, 3)
    dt = float(compiled.time_step_s)
    fire_s = raw.shot_step * dt
    assert raw.shot_rep.size > 0
    assert (fire_s >= 1200.0).all()
    launch_s = raw.launch_step[raw.shot_rep, raw.shot_threat] * dt
    assert (launch_s < 3000.0).all()
    assert (raw.launch_step * dt >= 3000.0).any()  # such drones exist
    earlier = prepare(all_night, seed=3, n_reps=3).fast()
    assert (earlier.shot_step * dt < 1200.0).any()


@pytest.mark.parametrize("wait", [True, False])
def test_weapon_choice__waits_for_the_cheaper_adequate_weapon(wait: bool) -> None:
    """One drone head-on at an F-16 orbiting on its route (commit radius 0), both engines.

    Reach is then the weapon's range from the orbit centre, flown at the weapon's speed. A
    drone at speed ``vt`` heading straight at the centre can be hit at the edge ``R`` by a
    shot fired ``(d0 - R) / vt - R / v`` after launch. AIM-120C (50 km, USD 1.0 M) opens first;
    AIM-9X (15 km, USD 416 k, Pk 0.85 >= 0.7) later but well before impact. Waiting: the
    first shot is an AIM-9X, fired Δ = 35 km / vt - 15 km / v9x + 50 km / v120 later than the
    AIM-120C shot fired without the rule (hand-computed below; ± a step for the grid and the
    drone's height).
    """
    from ._build import ON_ROUTE_NEAR_KYIV

    def night(wait_for_cheaper: bool) -> tuple[CompiledScenario, RawOutcomes]:
        d = patrol_night(
            count=1,
            sorties=1,
            time_on_station_min=600,
            first_takeoff_min=-60,
            loadout={"aim-9x": 2, "aim-120c": 2},
            station={"position": ON_ROUTE_NEAR_KYIV, "commit_radius_km": 0},
            wait_for_cheaper_weapon=wait_for_cheaper,
        )
        compiled = compile_scenario(scenario(d))
        raw, _ = _compare(compiled, 2)
        return compiled, raw

    compiled, raw = night(wait)
    assert raw.shot_rep.size > 0
    weapons = np.asarray(compiled.unit_system_keys)[raw.shot_unit]
    dt = float(compiled.time_step_s)
    first = {}
    for rep, step, weapon in zip(raw.shot_rep, raw.shot_step, weapons, strict=True):
        first.setdefault(int(rep), (int(step), str(weapon)))
    assert {w for _, w in first.values()} == ({"aim-9x"} if wait else {"aim-120c"})
    if not wait:
        return
    _, greedy = night(False)
    catalog = load_catalog()
    vt = catalog.threat("shahed-136").speed_mps
    v9, v120 = catalog.weapon("aim-9x").speed_mps, catalog.weapon("aim-120c").speed_mps
    delta = 35_000 / vt - 15_000 / v9 + 50_000 / v120
    for rep, (step, _) in first.items():
        greedy_step = int(greedy.shot_step[greedy.shot_rep == rep].min())
        assert (step - greedy_step) * dt == pytest.approx(delta, abs=2 * dt), rep
