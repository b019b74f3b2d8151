"""Write ``src/skyshield/reports/data/places.csv``: report place names -> coordinates (run by hand).

Every distinct name the shipped attacks file gives for where threats were launched
(``launch_place``, ``launch_place_details``) and what they struck (``target``, ``target_main``,
``affected region``), split as :func:`skyshield.reports.places.place_names` splits them, gets
one row per role (``launch`` or ``target``: "Zaporizhzhia oblast" is the occupied south as a
launch place and the oblast's centre as a target). The script refuses to write when a name of
the file has no entry below, or an entry names no name of the file.

Coordinates come from GeoNames (``geo/data/cities.csv``, by id: a city, or an oblast's
administrative centre), from the night model's launch areas (:data:`skyshield.posture.LAUNCH_AREAS`:
the sea launch areas, representative points, not reported positions), or, for places GeoNames'
15,000-people table lacks (airfields, capes, villages), from their public coordinates rounded to
0.01 deg (each checked against the Wikipedia article the ``basis`` column names: within 3 km,
Kapustin Yar 2.3 km; the Sea of Azov's centre is its infobox's whole degrees). Names that
are not a place (directions, air-command zones, "Ukraine", "front line"), a country, or two
places in one name get no point; the README lists them with their night counts.

Run: ``.venv/bin/python scripts/build_places.py`` (from the repository root).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from skyshield.posture import LAUNCH_AREAS
from skyshield.reports.places import PLACE_COLUMNS, place_names

ROOT = Path(__file__).resolve().parent.parent
CITIES = ROOT / "src/skyshield/geo/data/cities.csv"
OUT = ROOT / "src/skyshield/reports/data/places.csv"

# name -> (kind, region, country, how): how is ("geonames", id), ("area", LAUNCH_AREAS key),
# ("public", lon, lat, what, checked against), or ("none", why)
Entry = tuple[str, str, str, tuple[object, ...]]

LAUNCH: dict[str, Entry] = {
    "Kursk oblast": ("oblast", "Kursk oblast", "RU", ("geonames", 538560)),
    "Primorsko-Akhtarsk": ("city", "Krasnodar Krai", "RU", ("geonames", 505259)),
    "Chauda, Crimea": (
        "site",
        "Crimea",
        "UA",
        (
            "public",
            35.84,
            45.00,
            "Cape Chauda, Kerch peninsula",
            "ru.wikipedia.org/wiki/Чауда_(мыс)",
        ),
    ),
    "Bryansk oblast": ("oblast", "Bryansk oblast", "RU", ("geonames", 571476)),
    "Oryol oblast": ("oblast", "Oryol oblast", "RU", ("geonames", 515012)),
    "Millerovo": ("city", "Rostov oblast", "RU", ("geonames", 526558)),
    "Crimea": ("region", "Crimea", "UA", ("geonames", 693805)),
    "Black Sea": ("sea", "Black Sea", "", ("area", "black-sea")),
    "Belgorod oblast": ("oblast", "Belgorod oblast", "RU", ("geonames", 578072)),
    "Voronezh oblast": ("oblast", "Voronezh oblast", "RU", ("geonames", 472045)),
    "Shatalovo": (
        "airfield",
        "Smolensk oblast",
        "RU",
        (
            "public",
            32.47,
            54.34,
            "Shatalovo air base",
            "ru.wikipedia.org/wiki/Шаталово_(Смоленская_область), the village by the base",
        ),
    ),
    "Yeysk": ("city", "Krasnodar Krai", "RU", ("geonames", 466885)),
    "Caspian Sea": ("sea", "Caspian Sea", "", ("area", "caspian")),
    "Rostov oblast": ("oblast", "Rostov oblast", "RU", ("geonames", 501175)),
    # occupied south of the oblast: the night model's launch area near Melitopol
    "Zaporizhzhia oblast": ("oblast", "Zaporizhzhia oblast", "UA", ("area", "zaporizhzhia-front")),
    "south-east": ("direction", "", "", ("none", "a direction, not a place")),
    "Donetsk oblast": ("oblast", "Donetsk oblast", "UA", ("geonames", 709717)),
    "Saratov oblast": ("oblast", "Saratov oblast", "RU", ("geonames", 498677)),
    "north": ("direction", "", "", ("none", "a direction, not a place")),
    "south": ("direction", "", "", ("none", "a direction, not a place")),
    "Kherson oblast": (
        "oblast",
        "Kherson oblast",
        "UA",
        ("none", "the occupied left bank; no place named (the oblast centre is Ukrainian-held)"),
    ),
    "Tambov oblast": ("oblast", "Tambov oblast", "RU", ("geonames", 484646)),
    "eastern coast of Sea of Azov": (
        "area",
        "Krasnodar Krai",
        "RU",
        ("none", "a stretch of coast (Yeysk and Primorsko-Akhtarsk lie on it), no one point"),
    ),
    "Balaklava, Crimea": ("city", "Crimea", "UA", ("geonames", 712930)),
    "Hvardiiske, Crimea": (
        "airfield",
        "Crimea",
        "UA",
        (
            "public",
            33.98,
            45.12,
            "Hvardiiske (Gvardeyskoye) air base",
            "ru.wikipedia.org/wiki/Гвардейское_(авиабаза)",
        ),
    ),
    "Sea of Azov": (
        "sea",
        "Sea of Azov",
        "",
        (
            "public",
            37.00,
            46.00,
            "centre of the sea",
            "en.wikipedia.org/wiki/Sea_of_Azov (infobox, whole degrees)",
        ),
    ),
    "Engels-2": (
        "airfield",
        "Saratov oblast",
        "RU",
        ("public", 46.21, 51.48, "Engels air base", "en.wikipedia.org/wiki/Engels-2"),
    ),
    "Volgodonsk": ("city", "Rostov oblast", "RU", ("geonames", 472761)),
    "Volgograd oblast": ("oblast", "Volgograd oblast", "RU", ("geonames", 472757)),
    "Ryazan oblast": ("oblast", "Ryazan oblast", "RU", ("geonames", 500096)),
    "Dzhankoi, Crimea": ("city", "Crimea", "UA", ("geonames", 709334)),
    "Taganrog": ("city", "Rostov oblast", "RU", ("geonames", 484907)),
    "Zaporizhzhia oblast, Prymorsk": (
        "city",
        "Zaporizhzhia oblast",
        "UA",
        ("public", 36.35, 46.73, "Prymorsk, Zaporizhzhia oblast", "cs.wikipedia.org/wiki/Prymorsk"),
    ),
    "Luhansk oblast": ("oblast", "Luhansk oblast", "UA", ("geonames", 702658)),
    "Tula oblast": ("oblast", "Tula oblast", "RU", ("geonames", 480562)),
    "north-east": ("direction", "", "", ("none", "a direction, not a place")),
    "Caspian Sea, Saratov oblast": (
        "several",
        "",
        "",
        ("none", "two launch areas in one name (Caspian Sea; Saratov oblast)"),
    ),
    "Krasnodar Krai": ("oblast", "Krasnodar Krai", "RU", ("geonames", 542420)),
    "Lipetsk oblast": ("oblast", "Lipetsk oblast", "RU", ("geonames", 535121)),
    "Bryansk oblast, Seshcha": (
        "airfield",
        "Bryansk oblast",
        "RU",
        ("public", 33.34, 53.72, "Seshcha air base", "ru.wikipedia.org/wiki/Сеща_(аэродром)"),
    ),
    "Caspian Sea, Engels-2": (
        "several",
        "",
        "",
        ("none", "two launch areas in one name (Caspian Sea; Engels-2)"),
    ),
    "Olenya": (
        "airfield",
        "Murmansk oblast",
        "RU",
        ("public", 33.46, 68.15, "Olenya air base", "en.wikipedia.org/wiki/Olenya_(air_base)"),
    ),
    "Belarus": ("country", "Belarus", "BY", ("none", "a country, no place named")),
    "Astrakhan oblast": ("oblast", "Astrakhan oblast", "RU", ("geonames", 580497)),
    "Berdiansk": ("city", "Zaporizhzhia oblast", "UA", ("geonames", 712451)),
    "Sevastopol, Crimea": ("city", "Crimea", "UA", ("geonames", 694423)),
    "Cape Tarkhankut, Crimea": (
        "site",
        "Crimea",
        "UA",
        ("public", 32.50, 45.35, "Cape Tarkhankut", "ru.wikipedia.org/wiki/Тарханкут_(мыс)"),
    ),
    "east": ("direction", "", "", ("none", "a direction, not a place")),
    "Black Sea, Yalta": ("sea", "Black Sea", "", ("geonames", 688533)),
    "Tokmak": ("city", "Zaporizhzhia oblast", "UA", ("geonames", 691469)),
    "Melitopol": ("city", "Zaporizhzhia oblast", "UA", ("geonames", 701404)),
    "Black Sea, Anapa": ("sea", "Black Sea", "", ("geonames", 582182)),
    "Astrakhan oblast, Kapustin Yar": (
        "site",
        "Astrakhan oblast",
        "RU",
        (
            "public",
            45.75,
            48.58,
            "Kapustin Yar",
            "it.wikipedia.org/wiki/Cosmodromo_di_Kapustin_Jar",
        ),
    ),
    "Belbek, Crimea": (
        "airfield",
        "Crimea",
        "UA",
        ("public", 33.57, 44.69, "Belbek air base", "de.wikipedia.org/wiki/Flughafen_Sewastopol"),
    ),
    "Black Sea, Feodosia": ("sea", "Black Sea", "", ("geonames", 709161)),
    "Soltsy-2": (
        "airfield",
        "Novgorod oblast",
        "RU",
        ("public", 30.33, 58.14, "Soltsy air base", "en.wikipedia.org/wiki/Soltsy-2"),
    ),
    "Shaykovka": (
        "airfield",
        "Kaluga oblast",
        "RU",
        (
            "public",
            34.37,
            54.23,
            "Shaykovka air base",
            "en.wikipedia.org/wiki/Shaykovka_(air_base)",
        ),
    ),
    "Savasleyka": (
        "airfield",
        "Nizhny Novgorod oblast",
        "RU",
        (
            "public",
            42.31,
            55.44,
            "Savasleyka air base",
            "en.wikipedia.org/wiki/Savasleyka_(air_base)",
        ),
    ),
    "Olenegorsk": ("city", "Murmansk oblast", "RU", ("geonames", 515698)),
    "Morozovsk": ("city", "Rostov oblast", "RU", ("geonames", 525162)),
    "Belgorod": ("city", "Belgorod oblast", "RU", ("geonames", 578072)),
    "Mariupol direction": ("direction", "Donetsk oblast", "UA", ("geonames", 701822)),
}

_ZONE = ("zone", "", "UA", ("none", "an air-command zone or direction, not a place"))
TARGET: dict[str, Entry] = {
    "Ukraine": ("country", "", "UA", ("none", "the whole country")),
    "south": _ZONE,
    "east": _ZONE,
    "north": _ZONE,
    "center": _ZONE,
    "west": _ZONE,
    "south-east": _ZONE,
    "north-east": _ZONE,
    "front line": ("zone", "", "UA", ("none", "the front line, not a place")),
    "Odesa oblast": ("oblast", "Odesa oblast", "UA", ("geonames", 698740)),
    "Kherson oblast": ("oblast", "Kherson oblast", "UA", ("geonames", 706448)),
    "Mykolaiv oblast": ("oblast", "Mykolaiv oblast", "UA", ("geonames", 700569)),
    "Kharkiv oblast": ("oblast", "Kharkiv oblast", "UA", ("geonames", 706483)),
    "Dnipropetrovsk oblast": ("oblast", "Dnipropetrovsk oblast", "UA", ("geonames", 709930)),
    "Kyiv oblast": ("oblast", "Kyiv oblast", "UA", ("geonames", 703448)),
    "Zaporizhzhia oblast": ("oblast", "Zaporizhzhia oblast", "UA", ("geonames", 687700)),
    "Sumy oblast": ("oblast", "Sumy oblast", "UA", ("geonames", 692194)),
    "Dnipropetrovsk oblast, Dnipro Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 709930),
    ),
    "Dnipropetrovsk oblast, Kryvyi Rih Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 703845),
    ),
    # the Ukrainian-held oblast's administration sits in Kramatorsk (Donetsk is occupied)
    "Donetsk oblast": ("oblast", "Donetsk oblast", "UA", ("geonames", 704508)),
    "Poltava oblast": ("oblast", "Poltava oblast", "UA", ("geonames", 696643)),
    "Dnipro": ("city", "Dnipropetrovsk oblast", "UA", ("geonames", 709930)),
    "Khmelnytskyi oblast": ("oblast", "Khmelnytskyi oblast", "UA", ("geonames", 706369)),
    "Kryvyi Rih": ("city", "Dnipropetrovsk oblast", "UA", ("geonames", 703845)),
    "Chernihiv oblast": ("oblast", "Chernihiv oblast", "UA", ("geonames", 710735)),
    "Dnipropetrovsk oblast, Synelnykove Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 693796),
    ),
    "Kyiv": ("city", "Kyiv", "UA", ("geonames", 703448)),
    "Odesa oblast, Black Sea": ("sea", "Odesa oblast", "UA", ("geonames", 698740)),
    "Kirovohrad oblast": ("oblast", "Kirovohrad oblast", "UA", ("geonames", 705812)),
    "Zaporizhzhia": ("city", "Zaporizhzhia oblast", "UA", ("geonames", 687700)),
    "Snake Island": (
        "site",
        "Odesa oblast",
        "UA",
        ("public", 30.20, 45.26, "Snake Island", "en.wikipedia.org/wiki/Snake_Island_(Black_Sea)"),
    ),
    "Dnipropetrovsk oblast, Pavlohrad Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 697889),
    ),
    "Vinnytsia oblast": ("oblast", "Vinnytsia oblast", "UA", ("geonames", 689558)),
    "Kharkiv": ("city", "Kharkiv oblast", "UA", ("geonames", 706483)),
    "Odesa": ("city", "Odesa oblast", "UA", ("geonames", 698740)),
    "Starokostiantyniv": ("city", "Khmelnytskyi oblast", "UA", ("geonames", 692818)),
    "Kursk oblast": ("oblast", "Kursk oblast", "RU", ("geonames", 538560)),
    "Lviv oblast": ("oblast", "Lviv oblast", "UA", ("geonames", 702550)),
    "Dnipropetrovsk oblast, Novomoskovsk Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 699445),  # Novomoskovsk, renamed Samar in 2024
    ),
    "Sumy": ("city", "Sumy oblast", "UA", ("geonames", 692194)),
    "Dnipropetrovsk oblast, Kamianske Raion": (
        "raion",
        "Dnipropetrovsk oblast",
        "UA",
        ("geonames", 709932),
    ),
    "Cherkasy oblast": ("oblast", "Cherkasy oblast", "UA", ("geonames", 710791)),
    "Kyiv oblast (south)": (
        "oblast",
        "Kyiv oblast",
        "UA",
        ("none", "part of an oblast, no place named"),
    ),
    "Kherson": ("city", "Kherson oblast", "UA", ("geonames", 706448)),
    "Kramatorsk": ("city", "Donetsk oblast", "UA", ("geonames", 704508)),
    "Poltava oblast, Myrhorod Raion": ("raion", "Poltava oblast", "UA", ("geonames", 701075)),
    "Kolomyia": ("city", "Ivano-Frankivsk oblast", "UA", ("geonames", 705392)),
    "Ochakiv": (
        "city",
        "Mykolaiv oblast",
        "UA",
        ("public", 31.54, 46.61, "Ochakiv", "en.wikipedia.org/wiki/Ochakiv"),
    ),
    "Zhytomyr oblast": ("oblast", "Zhytomyr oblast", "UA", ("geonames", 686967)),
    "Ivano-Frankivsk oblast": ("oblast", "Ivano-Frankivsk oblast", "UA", ("geonames", 707471)),
    "Volyn oblast": ("oblast", "Volyn oblast", "UA", ("geonames", 702569)),
    "Ternopil oblast": ("oblast", "Ternopil oblast", "UA", ("geonames", 691650)),
    "Rivne oblast": ("oblast", "Rivne oblast", "UA", ("geonames", 695594)),
    "Chernivtsi oblast": ("oblast", "Chernivtsi oblast", "UA", ("geonames", 710719)),
    "Kremenchuk": ("city", "Poltava oblast", "UA", ("geonames", 704147)),
}


def _cities() -> dict[int, dict[str, str]]:
    with CITIES.open(encoding="utf-8", newline="") as f:
        return {int(row["geonameid"]): row for row in csv.DictReader(f)}


def _row(role: str, name: str, entry: Entry, cities: dict[int, dict[str, str]]) -> list[str]:
    kind, region, country, how = entry
    lon = lat = ""
    if how[0] == "geonames":
        city = cities[int(how[1])]  # type: ignore[call-overload]
        lon, lat = city["lon_deg"], city["lat_deg"]
        what = {"oblast": "oblast centre", "sea": "off this city", "raion": "raion centre"}.get(
            kind, "city"
        )
        basis = f"GeoNames {how[1]} ({city['name']}; {what})"
    elif how[0] == "area":
        area = LAUNCH_AREAS[str(how[1])]
        lon, lat = f"{area[0]:.5f}", f"{area[1]:.5f}"
        basis = f"night model launch area {how[1]} (representative point)"
    elif how[0] == "public":
        lon, lat = f"{float(how[1]):.5f}", f"{float(how[2]):.5f}"  # type: ignore[arg-type]
        basis = f"public coordinates of {how[3]}, rounded to 0.01 deg (checked: {how[4]})"
    else:
        basis = f"no point: {how[1]}"
    return [role, name, kind, lon, lat, region, country, basis]


def build_rows() -> list[list[str]]:
    """Return the table's rows (without header); exit naming any name without an entry."""
    names = place_names()
    problems = []
    for role, table in (("launch", LAUNCH), ("target", TARGET)):
        found = set(names.loc[names["role"] == role, "name"])
        problems += [f"{role}: no entry for {n!r}" for n in sorted(found - set(table))]
        problems += [f"{role}: entry {n!r} not in the file" for n in sorted(set(table) - found)]
    if problems:
        sys.exit("\n".join(problems))
    cities = _cities()
    rows = [_row("launch", n, e, cities) for n, e in LAUNCH.items()]
    rows += [_row("target", n, e, cities) for n, e in TARGET.items()]
    return rows


def main() -> None:
    """Check every name of the shipped file has an entry, and write the table."""
    rows = build_rows()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(PLACE_COLUMNS)
        writer.writerows(rows)
    print(f"wrote {OUT.relative_to(ROOT)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
