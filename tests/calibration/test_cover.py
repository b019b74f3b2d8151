"""Issue 23: one definition of Patriot/SAMP-T cover (the back-test's check, the cover groups and
the emulator's features agree, and the laydown follows it); the cruise features and the design
that lets the emulator learn where missiles fly from and how spread out they are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.calibration.checks import patriot_nights
from skyshield.calibration.cover import cover_group
from skyshield.calibration.fit import night_data
from skyshield.calibration.surrogate import DEFAULT_GEOGRAPHY, design_geographies
from skyshield.geo import geodesic_distance_m
from skyshield.geo.cities import find_city
from skyshield.posture import LAUNCH_AREAS, NightComposition
from skyshield.posture.cover import PATRIOT_SITES, laydown_outside_sites, patriot_covered
from skyshield.posture.geography import (
    CRUISE_DISTANCE_KM,
    CRUISE_SPAN_H,
    GEOGRAPHY_FEATURES,
    NightGeography,
    geography_features,
    night_geographies,
)
from skyshield.reports import load_reports

HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,affected region,launch_place_details,source\n"
)
FEATURE = {n: i for i, n in enumerate(GEOGRAPHY_FEATURES)}
KHARKIV = ("Kharkiv", 36.25, 50.0)


def test_cover__one_definition_for_the_check_the_groups_and_the_emulator(tmp_path: Path) -> None:
    """Ballistic nights at Kyiv (after the first public report), at Odesa (the laydown's old
    SAMP/T city, no public cover: the reports' Odesa nights were neutralised ~1 in 26), at Kyiv
    before 2023-05-04, and at "Ukraine": the back-test's check, the cover groups and the
    emulator's cover feature say the same of each."""
    path = tmp_path / "attacks.csv"
    path.write_text(
        HEADER
        + "2025-01-01 20:00,2025-01-02 04:00,Iskander-M,Kursk oblast,Kyiv,,4,3,,,,kpszsu/p/1\n"
        + "2025-01-05 20:00,2025-01-06 04:00,Iskander-M,Crimea,Odesa oblast,,2,0,,,,kpszsu/p/2\n"
        + "2023-01-05 20:00,2023-01-06 04:00,Iskander-M,Kursk oblast,Kyiv,,2,0,,,,kpszsu/p/3\n"
        + "2025-01-09 20:00,2025-01-10 04:00,Iskander-M,Crimea,Ukraine,,2,0,,,,kpszsu/p/4\n",
        encoding="utf-8",
    )
    check = dict(patriot_nights(path).itertuples(index=False, name=None))
    assert check == {
        "2025-01-02": "covered",
        "2025-01-06": "not covered",
        "2023-01-06": "not covered",
        "2025-01-10": "unknown",
    }
    geographies = night_geographies(path)
    groups = {str(n): cover_group(g, n) for n, g in geographies.items()}
    assert groups == {
        "2025-01-02": "covered",
        "2025-01-06": "not covered",
        "2023-01-06": "not covered",
        "2025-01-10": "not located",
    }
    reports = load_reports(path)
    data = night_data(reports.by_night, reports.rows, geographies)
    feature = dict(
        zip(
            [str(n) for n in data.nights],
            data.geography[:, FEATURE["cover_ballistic"]],  # type: ignore[index]
            strict=True,
        )
    )
    assert feature["2025-01-02"] == 1.0
    assert feature["2025-01-06"] == 0.0
    assert feature["2023-01-06"] == 0.0
    assert feature["2025-01-10"] == DEFAULT_GEOGRAPHY[FEATURE["cover_ballistic"]]


def test_cover__the_laydown_places_long_range_units_only_at_reported_sites() -> None:
    assert laydown_outside_sites() == []
    assert PATRIOT_SITES == {"Kyiv": "2023-05-04"}
    assert patriot_covered(30.5238, 50.45466, "2023-05-04")
    assert not patriot_covered(30.5238, 50.45466, "2023-05-03")
    assert not patriot_covered(30.7233, 46.4825)  # Odesa
    assert not patriot_covered(30.5238, 50.45466 + 0.3)  # ~33 km north of Kyiv: beyond 25 km


def test_cruise_features__distance_and_launch_span_from_the_nights_geography() -> None:
    """Six Kh-59/69 from Belgorod at Kharkiv within a reported 0-10 h window: the distance is
    the great circle over CRUISE_DISTANCE_KM; the launch span is the window less the flight
    (night_scenario's rule), over CRUISE_SPAN_H; with no window, the default's shorter span."""
    belgorod = LAUNCH_AREAS["belgorod"]
    composition = NightComposition(0, 6, 0, tactical=6)
    timed = NightGeography(
        launch={"tactical": (belgorod,)},
        targets={"tactical": (KHARKIV,)},
        window_h={"tactical": (0.0, 10.0)},
    )
    got = geography_features(timed, composition)
    city = find_city("Kharkiv", "UA")  # the target snaps to the laydown city's point
    km = float(geodesic_distance_m(*belgorod, city.lon_deg, city.lat_deg)) / 1000.0
    assert got[FEATURE["distance_cruise"]] == pytest.approx(km / CRUISE_DISTANCE_KM)
    flight_h = km * 1000.0 / 250.0 / 3600.0  # kh-59-69 at its catalog 250 m/s
    assert got[FEATURE["window_cruise"]] == pytest.approx((10.0 - flight_h) / CRUISE_SPAN_H, 1e-3)
    untimed = geography_features(
        NightGeography(launch={"tactical": (belgorod,)}, targets={"tactical": (KHARKIV,)}),
        composition,
    )
    assert untimed[FEATURE["window_cruise"]] == pytest.approx(0.5 / CRUISE_SPAN_H)  # 6.0-6.5 h
    caspian = NightGeography(launch={"cruise": (LAUNCH_AREAS["caspian"],)})
    far = geography_features(caspian, NightComposition(0, 6, 0))
    assert far[FEATURE["distance_cruise"]] > 3 * got[FEATURE["distance_cruise"]]


def test_cruise_features__route_counts_the_defences_passed_on_the_way() -> None:
    """Kh-59/69 from Belgorod at Kharkiv pass Kharkiv's S-300 and Buk only (2 of the laydown's
    medium- and long-range units); at Poltava, 140 km on, they pass Kharkiv's and Poltava's
    (3): the route feature counts both, the target's defence only Poltava's."""
    from skyshield.posture import LAYDOWN
    from skyshield.posture.laydown import FAMILY_OF_SYSTEM

    total = sum(
        FAMILY_OF_SYSTEM[s] in ("long", "medium") for systems in LAYDOWN.values() for s in systems
    )
    composition = NightComposition(0, 4, 0, tactical=4)
    poltava = ("Poltava", 34.55367, 49.58925)
    for target, units in ((KHARKIV, 2), (poltava, 3)):
        geography = NightGeography(
            launch={"tactical": (LAUNCH_AREAS["belgorod"],)}, targets={"tactical": (target,)}
        )
        got = geography_features(geography, composition)
        assert got[FEATURE["route_cruise"]] == pytest.approx(units / total), target


def test_design_geographies__missiles_fly_their_own_launch_points_and_windows() -> None:
    """The design varies what the cruise features read: most drawn geographies give the cruise
    groups launch points the reports locate for them (only where its threats reach a target)
    and many a window of their own, so the emulator sees distances and spans beyond the
    defaults'."""
    geographies = [g for g in design_geographies(64, seed=1) if g is not None]
    # tactical: only points within the Kh-59/69's reach of a drawn target (fewer draws pass)
    for group, share in (("cruise", 0.5), ("tactical", 0.2)):
        assert sum(group in g.launch for g in geographies) > share * len(geographies), group
    # issue 23: the ballistic group too (the reach_ballistic feature reads what it means)
    assert sum("ballistic" in g.launch for g in geographies) > 0.5 * len(geographies)
    assert sum("cruise" in g.window_h for g in geographies) > len(geographies) // 4
    features = np.array([geography_features(g) for g in geographies])
    for name in ("distance_cruise", "window_cruise", "reach_ballistic"):
        column = features[:, FEATURE[name]]
        assert column.std() > 0.05, name
        assert (column != DEFAULT_GEOGRAPHY[FEATURE[name]]).mean() > 0.5, name
