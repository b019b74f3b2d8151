"""Fighter patrols against the strategic cruise missiles in the night posture (issue 23)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from skyshield.calibration.model import NightEngine, unit_families
from skyshield.calibration.transfer import CalibratedPosture
from skyshield.catalog import load_catalog
from skyshield.engine.air import sortie_plan
from skyshield.engine.compile import compile_scenario
from skyshield.geo import (
    destination_lonlat,
    distance_to_territory_m,
    geodesic_distance_m,
    initial_bearing_rad,
)
from skyshield.posture import FAMILIES, NightComposition, night_scenario
from skyshield.posture.fighters import (
    AIR_BASES,
    CRUISE_PER_PAIR,
    FIGHTER_PATROL_PREFIX,
    FRONT_STANDOFF_KM,
    MAX_PAIRS,
    STATION_BEFORE_TARGET_KM,
    STATION_LEAD_MIN,
    STATION_STEP_KM,
    fighter_patrols,
)
from skyshield.posture.geography import NightGeography
from skyshield.posture.laydown import city_point

from .test_tasking import BASE


def _line(label: str) -> tuple[str, str]:
    site, target = label.removeprefix("notional patrol on the cruise route ").split(" -> ")
    return site, target


def _wave(threat: str, count: int, site: str, targets: list[str], start_min: float) -> dict:
    return {
        "threat": threat,
        "count": count,
        "launch_site": site,
        "launch_time_min": start_min,
        "launch_spacing_s": 60.0,
        "launch_jitter_s": 120.0,
        "route_jitter_km": 15.0,
        "targets": targets,
    }


SITES = {"caspian": (49.0, 44.5), "black-sea": (33.0, 44.3), "kursk": (36.19, 51.73)}
CITIES = {name: city_point(name) for name in ("Kyiv", "Lviv", "Odesa", "Sumy", "Vinnytsya")}


def test_fighter_patrols__only_against_strategic_cruise_missiles() -> None:
    """Nights without Kh-101 or Kalibr fly no fighters; with them, every patrol engages cruise
    missiles only and its pairs are one per CRUISE_PER_PAIR missiles, at most MAX_PAIRS."""
    assert (
        night_scenario(NightComposition(drone=300, cruise=9, ballistic=8, tactical=9)).air_patrols
        == ()
    )
    for cruise in (3, 17, 40, 200):
        patrols = night_scenario(NightComposition(drone=50, cruise=cruise, ballistic=2)).air_patrols
        pairs = sum(p.aircraft for p in patrols) // 2
        assert pairs == min(math.ceil(cruise / CRUISE_PER_PAIR), MAX_PAIRS), cruise
        assert all(p.engages == ("cruise",) and p.nation == "UA" for p in patrols)
        assert not any(p.wait_for_cheaper_weapon for p in patrols)  # the best weapon now
        assert all(p.id.startswith(FIGHTER_PATROL_PREFIX) for p in patrols)
    assert (
        night_scenario(NightComposition(drone=0, cruise=9, ballistic=0), fighters=False).air_patrols
        == ()
    )


def test_fighter_patrols__stations_on_the_approach_off_the_border() -> None:
    """Each station lies on its line's geodesic, at most STATION_BEFORE_TARGET_KM before the
    target, and FRONT_STANDOFF_KM or more from Russia and Belarus; a target nearer the border
    (Sumy, ~35 km) gets no patrol, and the pairs go to the busier lines."""
    waves = [
        _wave("kh-101", 20, "caspian", ["Kyiv"], 240.0),
        _wave("kh-101", 12, "caspian", ["Vinnytsya"], 240.0),
        _wave("kalibr", 6, "black-sea", ["Odesa"], 250.0),
        _wave("kh-101", 9, "kursk", ["Sumy"], 240.0),
    ]
    patrols = fighter_patrols(waves, SITES, CITIES, load_catalog())
    lines = [_line(p["label"]) for p in patrols]
    assert ("kursk", "Sumy") not in lines
    assert set(lines) <= {("caspian", "Kyiv"), ("caspian", "Vinnytsya"), ("black-sea", "Odesa")}
    # 47 missiles -> 6 pairs (cap), split 20 : 12 : 6 over the lines that can be covered
    assert [p["aircraft"] // 2 for p in patrols] == [3, 2, 1]
    for patrol, (site, target) in zip(patrols, lines, strict=True):
        p = patrol["station"]["position"]
        s, t = SITES[site], CITIES[target]
        to_target = float(geodesic_distance_m(p["lon_deg"], p["lat_deg"], *t))
        via = float(geodesic_distance_m(*s, p["lon_deg"], p["lat_deg"])) + to_target
        assert via - float(geodesic_distance_m(*s, *t)) < 50.0  # on the line
        # far from the border: the full distance (within the 0.001-degree rounding)
        assert to_target == pytest.approx(STATION_BEFORE_TARGET_KM * 1000.0, abs=200.0)
        for code in ("RU", "BY"):
            far = float(distance_to_territory_m(p["lon_deg"], p["lat_deg"], code))
            assert far >= FRONT_STANDOFF_KM * 1000.0, (target, code, far)
        base = (patrol["base"]["lon_deg"], patrol["base"]["lat_deg"])
        nearest = min(
            AIR_BASES.values(),
            key=lambda b: float(geodesic_distance_m(*b, p["lon_deg"], p["lat_deg"])),
        )
        assert base == nearest


def test_fighter_patrols__a_station_near_the_border_pulled_back_no_more_than_needed() -> None:
    """Chernihiv approached from Bryansk: the station 60 km out is within 40 km of Russia or
    Belarus, so it moves towards the city in STATION_STEP_KM steps to the first point clear of
    both (30 km out); one step further out is not clear."""
    routes = [_wave("kh-101", 8, "bryansk", ["Chernihiv"], 240.0)]
    sites = {"bryansk": (34.36, 53.25)}
    (patrol,) = fighter_patrols(
        routes, sites, {"Chernihiv": city_point("Chernihiv")}, load_catalog()
    )
    p = patrol["station"]["position"]
    city = city_point("Chernihiv")
    out_km = float(geodesic_distance_m(p["lon_deg"], p["lat_deg"], *city)) / 1000.0
    assert out_km == pytest.approx(30.0, abs=0.2)

    def standoff_km(lon: float, lat: float) -> float:
        return min(float(distance_to_territory_m(lon, lat, c)) for c in ("RU", "BY")) / 1000.0

    assert standoff_km(p["lon_deg"], p["lat_deg"]) >= FRONT_STANDOFF_KM
    back = float(initial_bearing_rad(*city, *sites["bryansk"]))
    lon, lat = destination_lonlat(*city, back, (out_km + STATION_STEP_KM) * 1000.0)
    assert standoff_km(float(lon), float(lat)) < FRONT_STANDOFF_KM


def test_fighter_patrols__on_station_while_the_missiles_pass() -> None:
    """The patrol's sorties are on station without a gap from STATION_LEAD_MIN before the
    first missile can reach the station (launch + flight at the catalog speed) to after the
    last one can."""
    catalog = load_catalog()
    # three lines launched at other times, two from one site, two at one target; Kyiv's from
    # the Caspian over 145 minutes (spacing 300 s: more than one sortie's time on station)
    kyiv = {**_wave("kh-101", 30, "caspian", ["Kyiv"], 240.0), "launch_spacing_s": 300.0}
    odesa = _wave("kalibr", 8, "black-sea", ["Odesa"], 400.0)
    kyiv_from_sea = _wave("kalibr", 8, "black-sea", ["Kyiv"], 380.0)
    scenario = night_scenario(NightComposition(drone=0, cruise=1, ballistic=0))
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["air_patrols"] = fighter_patrols([kyiv, odesa, kyiv_from_sea], SITES, CITIES, catalog)
    patrols = type(scenario).model_validate(data).air_patrols
    lines = [("caspian", "Kyiv"), ("black-sea", "Kyiv"), ("black-sea", "Odesa")]
    assert [_line(p.label) for p in patrols] == lines
    for patrol, wave in zip(patrols, (kyiv, kyiv_from_sea, odesa), strict=True):
        station = patrol.station.position
        site = SITES[wave["launch_site"]]
        flight = float(geodesic_distance_m(*site, station.lon_deg, station.lat_deg))
        flight /= catalog.threats[wave["threat"]].speed_mps
        start = wave["launch_time_min"] * 60.0
        first = start + flight
        last = start + (wave["count"] - 1) * wave["launch_spacing_s"] + flight
        sorties = sortie_plan(patrol, catalog)
        assert sorties[0].on_s == pytest.approx(first - STATION_LEAD_MIN * 60.0, abs=60.0)
        assert sorties[-1].off_s >= last + STATION_LEAD_MIN * 60.0
        # no more sorties than the passage needs: the one before the last leaves before it ends
        assert len(sorties) == 1 or sorties[-2].off_s < last + STATION_LEAD_MIN * 60.0
        for before, after in itertools.pairwise(sorties):
            assert after.on_s <= before.off_s + 1e-6  # relieved on station, no gap
    assert len(sortie_plan(patrols[0], catalog)) >= 2


def test_night_engine__fighters_are_the_medium_family_and_shoot_cruise_missiles() -> None:
    """The aircraft's rows are sized by posture_medium (all rows of one aircraft in action
    together); with them a strategic salvo loses more missiles than without, and nothing else
    in the raid changes class."""
    composition = NightComposition(drone=0, cruise=40, ballistic=0)
    # a salvo at two western cities (as on 2024-12-13): the patrols stand on its two lines
    west = NightGeography(
        targets={"cruise": (("Lviv", 24.02, 49.84), ("Ivano-Frankivsk", 24.71, 48.92))}
    )
    with_f = NightEngine(composition, geography=west, route_sets=1, seed=3)
    without = NightEngine(composition, geography=west, route_sets=1, seed=3, fighters=False)
    aircraft = np.isfinite(with_f.compiled.unit_on_s)
    assert aircraft.sum() > 0
    assert not np.isfinite(without.compiled.unit_on_s).any()
    assert (with_f.families[aircraft] == FAMILIES.index("medium")).all()
    theta = {**BASE, "posture_medium": 0.5}
    assert with_f.unit_posture(theta)[aircraft] == pytest.approx(0.5)
    active = with_f.units_in_action(with_f.unit_posture(theta), 400, 1)
    platform = with_f.compiled.unit_platform
    for p in np.unique(platform[aircraft]):
        rows = active[:, platform == p]
        assert (rows == rows[:, :1]).all()  # all weapons of an aircraft, or none
    assert active[:, aircraft].mean() == pytest.approx(0.5, abs=0.05)
    # above 1 the ground units stand for co-located ones; an aircraft stays one aircraft
    dense = {**BASE, "posture_medium": 2.5}
    assert with_f.unit_posture(dense)[aircraft] == pytest.approx(1.0)
    compiled = with_f.compiled_for(dense)
    np.testing.assert_array_equal(
        compiled.unit_channels[aircraft], with_f.compiled.unit_channels[aircraft]
    )
    medium_ground = (with_f.families == FAMILIES.index("medium")) & ~aircraft
    assert (
        compiled.unit_channels[medium_ground] > with_f.compiled.unit_channels[medium_ground]
    ).all()
    # at a third of the catalog's kill probabilities the ground SAMs leave missiles to kill
    # (at full ones they destroy ~38 of 40 alone): measured +5.8 with the fighters (+0.7 when
    # the salvo spreads over the 18 default targets, more lines than the 5 pairs)
    low = {**BASE, "pk_cruise": 0.3}
    a = with_f.simulate(low, 200, 1).destroyed[:, 1].mean()
    b = without.simulate(low, 200, 1).destroyed[:, 1].mean()
    assert a > b + 3.0, (a, b)


def test_transfer__ukrainian_aircraft_take_the_medium_size_allied_ones_none() -> None:
    """A calibrated run sizes Ukrainian patrols' rows as the night model does (medium); an
    allied patrol keeps size 1; an aircraft is in action with all its weapons or none."""
    scenario = night_scenario(NightComposition(drone=0, cruise=24, ballistic=0), route_pool=False)
    data = scenario.model_dump(mode="json", exclude_none=True)
    allied = {**data["air_patrols"][0], "id": "pl-cap", "nation": "PL", "networks": ["pl"]}
    data["nations"]["PL"] = {"name": "Poland", "roe": {"zone": {"kind": "own"}}}
    data["networks"]["pl"] = {"description": "Polish air picture"}
    data["air_patrols"] = [*data["air_patrols"], allied]
    compiled = compile_scenario(type(scenario).model_validate(data))
    families = unit_families(compiled)
    aircraft = np.isfinite(compiled.unit_on_s)
    polish = np.asarray(compiled.unit_nation) == compiled.nation_codes.index("PL")
    assert (families[aircraft & ~polish] == FAMILIES.index("medium")).all()
    assert (families[polish] == -1).all()
    posture = CalibratedPosture(theta={**BASE, "posture_medium": 0.4}, seed=5)
    sizes = posture.unit_sizes(compiled)
    assert sizes[aircraft & ~polish] == pytest.approx(0.4)
    assert sizes[polish] == pytest.approx(1.0)
    # the run's note counts aircraft, not their weapon rows
    ua_planes = np.unique(compiled.unit_platform[aircraft & ~polish]).size
    all_planes = np.unique(compiled.unit_platform[aircraft]).size
    assert f"and to {ua_planes} of {all_planes} aircraft" in posture.notes(compiled)[0]
    dense = CalibratedPosture(theta={**BASE, "posture_medium": 2.5}, seed=5)
    assert dense.unit_sizes(compiled)[aircraft] == pytest.approx(1.0)
    stock = posture.initial_stock(compiled, np.arange(300))
    assert stock is not None
    platform = np.asarray(compiled.unit_platform)
    for p in np.unique(platform[aircraft & ~polish]):
        on = stock[:, platform == p] > 0
        assert (on == on[:, :1]).all()
    assert (stock[:, aircraft & ~polish] > 0).mean() == pytest.approx(0.4, abs=0.06)
