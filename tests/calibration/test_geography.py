"""Per-night geography (issue 23, item 3, model use): a report night's scenario flies from the
night's launch places at its targets within its window; unknown places fall back to defaults."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from skyshield.calibration.cover import ballistic_cover, cover_group
from skyshield.calibration.fit import NightData, night_data
from skyshield.calibration.model import NAMES, PARAMETERS, NightEngine
from skyshield.calibration.surrogate import (
    DEFAULT_GEOGRAPHY,
    INPUT_COLUMNS,
    Surrogate,
    _features,
    class_mask,
    fit_surrogate,
)
from skyshield.catalog import load_catalog
from skyshield.geo import geodesic_distance_m
from skyshield.geo.borders import nation_geometries
from skyshield.posture import LAUNCH_AREAS, NightComposition, night_scenario
from skyshield.posture.geography import (
    GEOGRAPHY_FEATURES,
    NightGeography,
    _near_line,
    _route_cities,
    geography_features,
    night_geographies,
)
from skyshield.posture.laydown import (
    BALLISTIC_TARGETS,
    DRONE_TARGETS,
    FAMILY_OF_SYSTEM,
    LAYDOWN,
    MISSILE_TARGETS,
    RANGE_MARGIN,
    city_point,
)
from skyshield.posture.routes import interleave, split_count
from skyshield.reports import load_reports

HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,affected region,launch_place_details,source\n"
)
KURSK = (36.18457, 51.72689)  # places.csv: launch "Kursk oblast" (GeoNames 538560)
CRIMEA = (34.11079, 44.95719)  # places.csv: launch "Crimea" (Simferopol)
KHERSON = ("Kherson oblast", 32.61458, 46.63695)  # places.csv; not a laydown city
CHERNIVTSI = ("Chernivtsi oblast", 25.93241, 48.29045)  # places.csv; ~700 km from Crimea


def _by_threat(scenario: object) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {}
    for wave in scenario.raid.waves:  # type: ignore[attr-defined]
        out.setdefault(wave.threat, []).append(wave.model_dump(mode="json"))
    return out


def test_night_geographies__read_from_the_rows(tmp_path: Path) -> None:
    """Located places per group, targets in Ukraine only, the clocked window per group."""
    path = tmp_path / "attacks.csv"
    path.write_text(
        HEADER
        + "2025-01-01 20:00,2025-01-02 08:00,Shahed-136/131,Kursk oblast and south-east,"
        + "south,,50,30,,\"['Odesa oblast']\",,kpszsu/posts/1\n"
        + "2025-01-02 02:00,2025-01-02 03:00,Iskander-M,Crimea,Ukraine,,2,1,,,,kpszsu/posts/1\n"
        + "2025-01-02 18:00,2025-01-03,Iskander-M,,Ukraine,,2,1,,,,kpszsu/posts/2\n",
        encoding="utf-8",
    )
    found = night_geographies(path)
    first = found[np.datetime64("2025-01-02")]
    assert first.launch == {"drone": (KURSK,), "ballistic": (CRIMEA,)}
    assert set(first.targets) == {"drone"}  # "south", "Ukraine": no point
    assert [t[0] for t in first.targets["drone"]] == ["Odesa oblast"]
    assert first.window_h == {"drone": (0.0, 12.0), "ballistic": (6.0, 7.0)}
    second = found[np.datetime64("2025-01-03")]
    assert second.empty  # no place located, a date-only end: every default


def test_night_scenario__uses_its_reports_places() -> None:
    geography = NightGeography(
        launch={"drone": (KURSK,), "ballistic": (CRIMEA,)},
        targets={"drone": (("Odesa oblast", 30.74383, 46.48572),), "ballistic": (KHERSON,)},
        window_h={"drone": (1.0, 13.0)},
    )
    scenario = night_scenario(NightComposition(40, 0, 3), geography=geography)
    waves = _by_threat(scenario)
    drones = waves["shahed-136"]
    assert {w["launch_site"] for w in drones} == {"report 36.18 51.73"}
    assert {tuple(w["targets"]) for w in drones} == {("Odesa",)}  # snapped to the laydown city
    assert scenario.raid.launch_sites["report 36.18 51.73"].lon_deg == pytest.approx(KURSK[0])
    # launches start at the report's start; they end before its end by the flight time
    assert drones[0]["launch_time_min"] == pytest.approx(60.0)
    ballistic = [w for t in ("iskander-m", "kinzhal") for w in waves.get(t, [])]
    assert {w["launch_site"] for w in ballistic} == {"report 34.11 44.96"}
    target = "report Kherson oblast 32.61 46.64"
    assert {tuple(w["targets"]) for w in ballistic} == {(target,)}
    assert scenario.assets[target].position.lon_deg == pytest.approx(KHERSON[1])
    assert sum(w["count"] for w in ballistic) == 3


def test_night_scenario__targets_out_of_range_fall_back() -> None:
    """An Iskander-M from Crimea cannot reach Chernivtsi (~700 km; 500 km range): it flies at
    the default ballistic targets in its range; a Kinzhal (2,000 km) flies at Chernivtsi."""
    geography = NightGeography(
        launch={"ballistic": (CRIMEA,)}, targets={"ballistic": (CHERNIVTSI,)}
    )
    waves = _by_threat(night_scenario(NightComposition(5, 0, 5), geography=geography))
    assert {tuple(w["targets"]) for w in waves["kinzhal"]} == {
        ("report Chernivtsi oblast 25.93 48.29",)
    }
    iskander = {t for w in waves["iskander-m"] for t in w["targets"]}
    assert iskander
    assert iskander <= set(BALLISTIC_TARGETS)
    reach_m = RANGE_MARGIN * load_catalog().threats["iskander-m"].range_m
    for name in iskander:  # each default it falls back to is within the Iskander-M's reach
        assert geodesic_distance_m(CRIMEA[0], CRIMEA[1], *city_point(name)) <= reach_m, name


def test_night_scenario__unknown_places_fall_back_per_class() -> None:
    """A group the geography does not give keeps the default areas, targets and window."""
    composition = NightComposition(40, 10, 3)
    default = _by_threat(night_scenario(composition))
    only_drones = NightGeography(launch={"drone": (KURSK,)})
    mixed = _by_threat(night_scenario(composition, geography=only_drones))
    for threat in ("kh-101", "kalibr", "iskander-m", "kinzhal"):
        assert mixed[threat] == default[threat]
    assert {w["launch_site"] for w in mixed["shahed-136"]} == {"report 36.18 51.73"}
    # the drones' targets and window are still the defaults
    assert {t for w in mixed["shahed-136"] for t in w["targets"]} == set(DRONE_TARGETS)
    assert mixed["shahed-136"][0]["launch_time_min"] == default["shahed-136"][0]["launch_time_min"]
    # an empty geography is the default night
    empty = night_scenario(composition, geography=NightGeography())
    assert empty.model_dump() == night_scenario(composition).model_dump()


def test_caspian_launch_area_is_at_sea() -> None:
    """The Kh-101 launch area lies in the Caspian Sea, not on land (it was west of Astrakhan)."""
    land = shapely.union_all(nation_geometries())
    point = shapely.Point(*LAUNCH_AREAS["caspian"])
    assert not land.contains(point)
    assert land.distance(point) > 0.5  # degrees: well out at sea


def test_geography_features__cover_and_launch_region() -> None:
    """Ballistic targets under Patriot/SAMP-T cover (Kyiv) or not (Kherson); drones from the
    south (Crimea) or the north (Kursk); a group the night lacks keeps the default's value."""
    covered = NightGeography(
        launch={"drone": (CRIMEA,)}, targets={"ballistic": (("Kyiv", 30.5238, 50.45466),)}
    )
    bare = NightGeography(launch={"drone": (KURSK,)}, targets={"ballistic": (KHERSON,)})
    feature = {n: i for i, n in enumerate(GEOGRAPHY_FEATURES)}
    got = geography_features(covered)
    assert got[feature["cover_ballistic"]] == 1.0
    assert got[feature["defence_ballistic"]] == 1.0  # Kyiv: the most Patriots of any city
    assert got[feature["focus_ballistic"]] == 1.0  # one target
    assert got[feature["south_drone"]] == 1.0
    assert got[feature["cover_cruise"]] == DEFAULT_GEOGRAPHY[feature["cover_cruise"]]
    got = geography_features(bare)
    assert got[feature["cover_ballistic"]] == 0.0
    assert got[feature["defence_ballistic"]] == 0.0
    assert got[feature["south_drone"]] == 0.0
    assert cover_group(covered) == "covered"
    assert cover_group(bare) == "not covered"
    assert cover_group(NightGeography(launch={"drone": (KURSK,)})) == "not located"


def test_night_data__carries_each_nights_geography(tmp_path: Path) -> None:
    path = tmp_path / "attacks.csv"
    path.write_text(
        HEADER
        + "2025-01-01 20:00,2025-01-02 08:00,Iskander-M,Kursk oblast,Kyiv,,4,1,,,,kpszsu/posts/1\n"
        + "2025-01-02 20:00,2025-01-03 08:00,Iskander-M,Kursk oblast,Ukraine,,2,0,,,,"
        + "kpszsu/posts/2\n",
        encoding="utf-8",
    )
    reports = load_reports(path)
    data = night_data(reports.by_night, reports.rows, night_geographies(path))
    width = len(INPUT_COLUMNS)
    cover = 4 + GEOGRAPHY_FEATURES.index("cover_ballistic")
    assert data.counts.shape == (2, width)
    assert data.counts[0, cover] == 1.0  # Kyiv: under cover
    assert data.counts[1, cover] == DEFAULT_GEOGRAPHY[cover - 4]  # "Ukraine": the default mix
    assert data.between(data.nights[1], data.nights[1] + 1).counts.shape == (1, width)
    assert night_data(reports.by_night, reports.rows).counts.shape == (2, 4)


@pytest.mark.slow
def test_surrogate__reads_geography_when_fitted_with_it(rng: np.random.Generator) -> None:
    """A design with geography columns gives an emulator of 4 + 9 inputs that recovers a known
    surface in them (each class reading its own geography only); a night given without
    geography is read as the default's."""
    n = 400
    inputs = len(INPUT_COLUMNS)
    counts = np.column_stack(
        [
            rng.integers(10**5, 10**7, (n, 3)),
            rng.integers(0, 10**5, n),
            rng.uniform(0, 1, (n, inputs - 4)),
        ]
    ).astype(float)
    theta = np.column_stack([rng.uniform(p.low, p.high, n) for p in PARAMETERS])
    n_features = _features(counts, theta).shape[1]
    truth = rng.normal(0, 0.3, size=(3, 2, n_features))
    for k in range(3):
        truth[k, :, ~class_mask(n_features, inputs, k)] = 0.0
    destroyed, lost = Surrogate(truth, inputs).shares(counts, theta)
    design = pd.DataFrame(counts, columns=list(INPUT_COLUMNS))
    for name, column in zip(NAMES, theta.T, strict=True):
        design[name] = column
    for k, cls in enumerate(["drone", "cruise", "ballistic"]):
        design[f"destroyed_{cls}"] = destroyed[:, k] * counts[:, k]
        design[f"lost_{cls}"] = lost[:, k] * counts[:, k]
    fitted = fit_surrogate(design, ridge=0.0)
    assert fitted.inputs == inputs
    got, _ = fitted.shares(counts, theta)
    assert np.abs(got - destroyed).max() < 1e-3
    defaults = np.column_stack([counts[:, :4], np.tile(DEFAULT_GEOGRAPHY, (n, 1))])
    assert np.allclose(fitted.shares(counts[:, :4], theta)[0], fitted.shares(defaults, theta)[0])
    assert Surrogate.from_dict(fitted.to_dict()).inputs == inputs


def test_engine__ballistic_targets_under_patriot_cover_are_neutralised_more() -> None:
    """Item 4: the mixture comes from geography. Six Iskander-M from Kursk at Kyiv (Patriots,
    in the laydown) are neutralised more often than six at Poltava (a Buk only)."""
    theta = {p.name: 1.0 for p in PARAMETERS} | {
        "decoy_share": 0.0,
        "ew": 0.0,
        "tasking_beta": 0.0,
        "loss_cruise": 0.0,
        "fail_ballistic": 0.0,  # 1.0 would bring every missile down on its own
    }
    share = {}
    for name, point in (("Kyiv", (30.5238, 50.45466)), ("Poltava", (34.55367, 49.58925))):
        geography = NightGeography(
            launch={"ballistic": (KURSK,)}, targets={"ballistic": ((name, *point),)}
        )
        engine = NightEngine(NightComposition(5, 0, 6), route_sets=1, geography=geography)
        outcome = engine.simulate(theta, 64, seed=3)
        share[name] = float(outcome.neutralised[:, 2].mean()) / 6.0
    assert share["Kyiv"] > share["Poltava"] + 0.2, share


def test_ballistic_cover__groups_nights_by_their_targets() -> None:
    nights = np.array(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"], "datetime64[D]")
    launched = np.array([[10, 0, 4], [10, 0, 2], [10, 0, 5], [10, 0, 0]])
    neutralised = np.array([[5, 0, 2], [5, 0, 0], [5, 0, 1], [5, 0, 0]])
    data = NightData(nights, launched, neutralised, neutralised * 1.0, np.zeros(4, dtype=int))
    kyiv = ("Kyiv", 30.5238, 50.45466)
    geographies = {
        nights[0]: NightGeography(targets={"ballistic": (kyiv,)}),
        nights[1]: NightGeography(targets={"ballistic": (KHERSON,)}),
        nights[3]: NightGeography(targets={"ballistic": (KHERSON,)}),  # no ballistic launched
    }
    theta = np.ones(len(NAMES))
    zero = Surrogate(np.zeros((3, 2, _features(data.counts, np.tile(theta, (4, 1))).shape[1])))
    table = ballistic_cover(data, geographies, zero, theta)
    rows = {r["cover"]: r for r in table.to_dict(orient="records")}
    assert set(rows) == {"covered", "not covered", "not located"}
    assert (rows["covered"]["nights"], rows["covered"]["reported"]) == (1, 0.5)
    assert (rows["not covered"]["nights"], rows["not covered"]["reported"]) == (1, 0.0)
    assert rows["not located"]["reported"] == pytest.approx(0.2)
    assert rows["covered"]["model"] == pytest.approx(0.75)  # destroyed 1/2 + lost 1/2 of 1/2


ENGELS = (45.99, 51.54)  # Saratov oblast: Tu-95MS bombers' base, on land
BLACK_SEA = (33.0, 44.3)


@pytest.mark.parametrize(
    ("named", "kh101_from", "kalibr_from"),
    [
        ((ENGELS, BLACK_SEA), {ENGELS}, {BLACK_SEA}),
        ((ENGELS,), {ENGELS}, {LAUNCH_AREAS["black-sea"]}),  # no place at sea: Kalibr's default
        ((BLACK_SEA,), {LAUNCH_AREAS["caspian"]}, {BLACK_SEA}),  # none on land: Kh-101's default
    ],
)
def test_night_scenario__ships_fire_from_sea_bombers_from_land(
    named: tuple[tuple[float, float], ...],
    kh101_from: set[tuple[float, float]],
    kalibr_from: set[tuple[float, float]],
) -> None:
    """A report naming a bomber base and the Black Sea (2025-05-25) flies its Kh-101 from the
    base and its Kalibr from the sea, not each type from both (8 Kalibr from Engels reached only
    Kharkiv); a type no named place fits flies from its default area."""
    scenario = night_scenario(
        NightComposition(drone=0, cruise=20, ballistic=0),
        geography=NightGeography(launch={"cruise": named}),
    )
    sites = {k: (v.lon_deg, v.lat_deg) for k, v in scenario.raid.launch_sites.items()}
    flown: dict[str, set[tuple[float, float]]] = {}
    for wave in scenario.raid.waves:
        point = sites[wave.launch_site]
        flown.setdefault(wave.threat, set()).add((round(point[0], 2), round(point[1], 2)))
    assert flown["kh-101"] == kh101_from
    assert flown["kalibr"] == kalibr_from


def _target_counts(scenario: object, threats: set[str]) -> Counter[str]:
    """Threats sent at each target (a wave's k-th at targets[k % len(targets)])."""
    count: Counter[str] = Counter()
    for wave in scenario.raid.waves:  # type: ignore[attr-defined]
        if wave.threat in threats:
            for k in range(wave.count):
                count[wave.targets[k % len(wave.targets)]] += 1
    return count


def test_night_scenario__default_cruise_targets_take_their_weights() -> None:
    """A night naming no cruise target splits its strategic missiles over the default targets in
    proportion to MISSILE_TARGETS (the Kh-101 from the Caspian reach them all: each target
    within a missile of its exact share); a night that names its targets splits them alike."""
    scenario = night_scenario(NightComposition(0, 262, 0))
    got = _target_counts(scenario, {"kh-101"})
    launched = sum(got.values())
    total = sum(MISSILE_TARGETS.values())
    assert set(got) == set(MISSILE_TARGETS)
    for name, weight in MISSILE_TARGETS.items():
        assert abs(got[name] - launched * weight / total) < 1, name
    assert got["Ivano-Frankivsk"] > 3 * got["Chernihiv"]  # 13 vs 3
    named = NightGeography(
        targets={"cruise": (("Lviv", 24.02, 49.84), ("Ivano-Frankivsk", 24.71, 48.92))}
    )
    alike = _target_counts(night_scenario(NightComposition(0, 40, 0), geography=named), {"kh-101"})
    assert alike == {"Lviv": 14, "Ivano-Frankivsk": 14}


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(1, 30), min_size=1))
def test_interleave__every_name_its_count_spread_evenly(counts: dict[str, int]) -> None:
    """Each name appears its count; every prefix holds each name near its proportional share
    (a list grouped name by name would not)."""
    dealt = interleave(counts)
    assert Counter(dealt) == counts
    total = sum(counts.values())
    for k in range(1, total + 1):
        prefix = Counter(dealt[:k])
        for name, n in counts.items():
            assert abs(prefix[name] - k * n / total) <= len(counts) / 2 + 0.5, (name, k)


def test_geography_features__weigh_the_default_targets() -> None:
    """focus_cruise is the default targets' sum of squared shares (1 / n when alike), and
    defence_cruise the mean of their medium- and long-range units weighted by their shares."""
    feature = {n: i for i, n in enumerate(GEOGRAPHY_FEATURES)}
    shares = np.array(list(MISSILE_TARGETS.values())) / sum(MISSILE_TARGETS.values())
    got = geography_features(None, NightComposition(0, 30, 0))
    assert got[feature["focus_cruise"]] == pytest.approx(float(np.sum(shares**2)))
    units = {
        city: sum(FAMILY_OF_SYSTEM[s] in ("long", "medium") for s in systems)
        for city, systems in LAYDOWN.items()
    }
    by_hand = np.dot(shares, [units[c] for c in MISSILE_TARGETS]) / max(units.values())
    assert got[feature["defence_cruise"]] == pytest.approx(by_hand)
    # route_cruise: per target, the mean over the default sites (Caspian, Black Sea) of the SAMs
    # near the line; the targets weighted by their shares
    cities, near = _route_cities()
    sites = [LAUNCH_AREAS["caspian"], LAUNCH_AREAS["black-sea"]]
    per_target = [
        np.mean([near[_near_line(site, city_point(c), cities)].sum() for site in sites])
        for c in MISSILE_TARGETS
    ]
    by_hand = np.dot(shares, per_target) / near.sum()
    assert got[feature["route_cruise"]] == pytest.approx(by_hand)
    assert abs(by_hand - np.mean(per_target) / near.sum()) > 5e-4  # unweighted: 0.115 vs 0.116
    two = NightGeography(targets={"cruise": (("Lviv", 24.02, 49.84), ("Kyiv", 30.52, 50.45))})
    got = geography_features(two, NightComposition(0, 30, 0))
    assert got[feature["focus_cruise"]] == pytest.approx(0.5)


def test_split_count__refuses_weights_that_deal_nothing() -> None:
    """An all-zero or negative weight would deal NaN shares (an empty target list and a modulo
    by zero in the compiler): refused with the weights named; no weights, no parts."""
    assert split_count(7, [0.0, 2.0, 1.0]) == [0, 5, 2]
    assert split_count(3, []) == []
    for bad in ([0.0, 0.0], [2.0, -1.0]):
        with pytest.raises(ValueError, match="positive sum"):
            split_count(3, bad)
