"""The place table (issue 23, item 3, data half): every launch place and target name of the
shipped reports mapped, per role, to a point or said to have none; the per-night loader."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from skyshield.geo.borders import NATION_CODES
from skyshield.geo.territory import exact_territory_codes
from skyshield.reports import ReportsError
from skyshield.reports.places import load_places, night_places, place_names, split_places

CITIES = Path(__file__).resolve().parents[2] / "src/skyshield/geo/data/cities.csv"
HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,"
    "not_reach_goal,affected region,launch_place_details,source\n"
)


@pytest.fixture(scope="module")
def places() -> dict[tuple[str, str], dict[str, object]]:
    table = load_places()
    return {(r["role"], r["name"]): r for r in table.to_dict(orient="records")}


def test_table__every_name_of_the_shipped_file_once_per_role(
    places: dict[tuple[str, str], dict[str, object]],
) -> None:
    names = place_names()
    found = set(zip(names["role"], names["name"], strict=True))
    assert found == set(places)  # no name left out, none the file does not give
    assert (names["role"] == "launch").sum() == 62
    assert (names["role"] == "target").sum() == 55
    # a stray leading "and" is not a name of its own
    assert ("launch", "Shatalovo") in found
    assert not any(name.startswith("and ") for _, name in found)


def test_table__geonames_points_are_the_geonames_coordinates(
    places: dict[tuple[str, str], dict[str, object]],
) -> None:
    with CITIES.open(encoding="utf-8", newline="") as f:
        cities = {row["geonameid"]: row for row in csv.DictReader(f)}
    checked = 0
    for place in places.values():
        match = re.match(r"GeoNames (\d+) ", str(place["basis"]))
        if match:
            city = cities[match.group(1)]
            assert place["lon_deg"] == pytest.approx(float(city["lon_deg"]))
            assert place["lat_deg"] == pytest.approx(float(city["lat_deg"]))
            checked += 1
    assert checked >= 70


def test_table__points_lie_in_the_country_they_name(
    places: dict[tuple[str, str], dict[str, object]],
) -> None:
    """A swapped lon/lat or a wrong sign puts a point in another country (or the sea).

    Coastal points (Yeysk, capes, Ochakiv) may sit just off the 1:50m coastline of the shipped
    borders, so a point counts when it or one within 0.1 deg of it lies in its country; Snake
    Island, 35 km out at sea, is not in those borders at all.
    """
    located = [
        p
        for p in places.values()
        if np.isfinite(p["lon_deg"])
        and p["country"] in ("UA", "RU")
        and p["name"] != "Snake Island"
    ]
    assert len(located) >= 80
    offsets = [(dx, dy) for dx in (0.0, -0.1, 0.1) for dy in (0.0, -0.1, 0.1)]
    wrong = []
    for p in located:
        codes = exact_territory_codes(
            [p["lon_deg"] + dx for dx, _ in offsets], [p["lat_deg"] + dy for _, dy in offsets]
        )
        if not any(c >= 0 and NATION_CODES[c] == p["country"] for c in codes):
            wrong.append((p["role"], p["name"]))
    assert wrong == []


def test_table__no_point_only_with_a_reason(
    places: dict[tuple[str, str], dict[str, object]],
) -> None:
    for place in places.values():
        assert np.isfinite(place["lon_deg"]) == np.isfinite(place["lat_deg"])
        if not np.isfinite(place["lon_deg"]):
            assert str(place["basis"]).startswith("no point: ")
    assert not np.isfinite(places[("target", "Ukraine")]["lon_deg"])
    assert not np.isfinite(places[("launch", "south-east")]["lon_deg"])


def test_split_places() -> None:
    assert split_places("Primorsko-Akhtarsk and Bryansk oblast and Millerovo") == [
        "Primorsko-Akhtarsk",
        "Bryansk oblast",
        "Millerovo",
    ]
    assert split_places("Kursk oblast and and Shatalovo") == ["Kursk oblast", "Shatalovo"]
    assert split_places("  ") == []


def test_night_places__unknowns_said(tmp_path: Path) -> None:
    """Located, no point, a name the table lacks, and a row naming no place."""
    path = tmp_path / "attacks.csv"
    path.write_text(
        HEADER
        + "2025-01-01 18:00,2025-01-02 09:00,Shahed-136/131,Kursk oblast and Atlantis,"
        + "south,,50,30,,\"['Odesa oblast']\",,kpszsu/posts/1\n"
        + "2025-01-02 18:00,2025-01-03 09:00,Iskander-M,,Ukraine,,2,1,,,,kpszsu/posts/2\n",
        encoding="utf-8",
    )
    frame = night_places(path)
    names = [n if isinstance(n, str) else None for n in frame["name"]]
    status = {
        (night.strftime("%Y-%m-%d"), role, name): state
        for night, role, name, state in zip(
            frame["night"], frame["role"], names, frame["status"], strict=True
        )
    }
    assert status == {
        ("2025-01-02", "launch", "Kursk oblast"): "located",
        ("2025-01-02", "launch", "Atlantis"): "not in table",
        ("2025-01-02", "target", "south"): "no point",
        ("2025-01-02", "target", "Odesa oblast"): "located",
        ("2025-01-03", "launch", None): "not reported",
        ("2025-01-03", "target", "Ukraine"): "no point",
    }
    kursk = frame[frame["name"] == "Kursk oblast"].iloc[0]
    assert (kursk["threat_class"], kursk["lon_deg"], kursk["region"]) == (
        "drone",
        pytest.approx(36.18457),
        "Kursk oblast",
    )
    assert frame.loc[frame["name"] == "Odesa oblast", "column"].item() == "affected region"


def test_load_places__bad_coordinate_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(
        "role,name,kind,lon_deg,lat_deg,region,country,basis\n"
        "launch,Kursk oblast,oblast,east,51.7,Kursk oblast,RU,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ReportsError, match=r"lon_deg of \(launch, 'Kursk oblast'\): expected"):
        load_places(path)


def test_table__is_what_the_build_script_writes() -> None:
    """The shipped table equals scripts/build_places.py's output, and its digest the README's."""
    import hashlib
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("build_places", root / "scripts/build_places.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = root / "src/skyshield/reports/data/places.csv"
    with shipped.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f))[1:] == module.build_rows()
    readme = (shipped.parent / "README.md").read_text("utf-8")
    stated = re.search(r"## places\.csv.*?`([0-9a-f]{64})`", readme, flags=re.DOTALL)
    assert stated is not None
    assert stated.group(1) == hashlib.sha256(shipped.read_bytes()).hexdigest()
