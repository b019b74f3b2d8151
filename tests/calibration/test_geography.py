"""Per-night geography (issue 23, item 3, model use): a report night's scenario flies from the
night's launch places at its targets within its window; unknown places fall back to defaults."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from skyshield.geo.borders import nation_geometries
from skyshield.posture import LAUNCH_AREAS, NightComposition, night_scenario
from skyshield.posture.geography import NightGeography, night_geographies

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
    default = _by_threat(night_scenario(NightComposition(5, 0, 5)))
    assert {tuple(w["targets"]) for w in waves["kinzhal"]} == {
        ("report Chernivtsi oblast 25.93 48.29",)
    }
    iskander = {t for w in waves["iskander-m"] for t in w["targets"]}
    assert iskander
    assert iskander <= {t for w in default["iskander-m"] for t in w["targets"]}


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
    assert {tuple(w["targets"]) for w in mixed["shahed-136"]} == {
        tuple(w["targets"]) for w in default["shahed-136"]
    }
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
