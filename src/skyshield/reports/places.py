"""Where each report night's threats came from and what they struck, as places with coordinates.

The reports name launch places (``launch_place``, and per weapon in ``launch_place_details``)
and targets (``target``, ``target_main``, and the oblasts in ``affected region``) as free text:
``"Primorsko-Akhtarsk and Kursk oblast and Hvardiiske, Crimea"``. :func:`place_names` splits
every cell into names (at ``" and "``; a stray leading ``"and "`` dropped) and counts, per role
and name, the rows and nights that give it. The shipped table ``data/places.csv``
(:func:`load_places`; built by ``scripts/build_places.py``, its basis in ``data/README.md``)
maps each name of the shipped file, per role, to a kind (oblast, city, airfield, sea, ...),
a point (lon, lat) where one place is meant, the region and country, and the basis of the
point. Directions and air-command zones (``south``, ``north-east``), ``Ukraine``, a country,
or two places in one name have no point: the table says so rather than guess.

:func:`night_places` joins the table to the loader's kept rows: one row per report row, role
and name, with the night and class of the row, and explicit unknowns (a name the table lacks,
a name without a point, a row that names no place at all).
"""

from __future__ import annotations

import ast
import csv
import io
import re
from importlib import resources
from pathlib import Path

import pandas as pd

from skyshield.reports.cells import parse_time
from skyshield.reports.load import ATTACKS_FILE, ReportsError, _read_table, load_reports

__all__ = [
    "PLACES_FILE",
    "PLACE_COLUMNS",
    "PLACE_SOURCES",
    "load_places",
    "night_places",
    "place_names",
    "row_windows",
    "split_places",
]

PLACES_FILE = "places.csv"
PLACE_COLUMNS = ("role", "name", "kind", "lon_deg", "lat_deg", "region", "country", "basis")
# report column -> role of the names it gives
PLACE_SOURCES = {
    "launch_place": "launch",
    "launch_place_details": "launch",
    "target": "target",
    "target_main": "target",
    "affected region": "target",
}
_NAN_WORD = re.compile(r"\bnan\b", re.IGNORECASE)
_NIGHT_COLUMN = "time_end"


def split_places(cell: str) -> list[str]:
    """Split one ``launch_place`` or ``target`` cell into names (at ``" and "``).

    >>> split_places("Kursk oblast and Hvardiiske, Crimea")
    ['Kursk oblast', 'Hvardiiske, Crimea']
    """
    names = []
    for part in cell.split(" and "):
        name = re.sub(r"^and\s+", "", part.strip()).strip()
        if name:
            names.append(name)
    return names


def _cell_names(column: str, cell: str) -> list[str]:
    """Return the names one cell of ``column`` gives (lists and dicts are Python literals)."""
    text = cell.strip()
    if not text:
        return []
    if column in ("affected region", "launch_place_details"):
        try:
            value = ast.literal_eval(_NAN_WORD.sub("None", text))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return split_places(text)  # not a literal: read it as a plain cell
        values = value.values() if isinstance(value, dict) else value
        if not isinstance(values, list | tuple | set) and not isinstance(value, dict):
            return []
        return [n for v in values if isinstance(v, str) for n in split_places(v)]
    return split_places(text)


def _cells(path: Path | None) -> list[tuple[int, str, dict[str, str]]]:
    """(line, night YYYY-MM-DD, {place column: cell}) for every record of an attacks file."""
    table = _read_table(path, ATTACKS_FILE)
    index = {name: table.header.index(name) for name in PLACE_SOURCES if name in table.header}
    end = table.header.index(_NIGHT_COLUMN) if _NIGHT_COLUMN in table.header else None
    out = []
    for line, cells in table.body:
        night = cells[end].strip()[:10] if end is not None and end < len(cells) else ""
        out.append(
            (
                line,
                night,
                {c: cells[i] if i < len(cells) else "" for c, i in index.items()},
            )
        )
    return out


def place_names(path: Path | None = None) -> pd.DataFrame:
    """Every distinct place name of an attacks file (default: the shipped copy), per role.

    Returns one row per (``role``, ``name``): ``role`` (``launch`` or ``target``),
    ``name``, ``columns`` (the report columns it appears in, ``;``-joined), ``rows`` (records
    naming it) and ``nights`` (distinct ``time_end`` dates of those records), sorted by role,
    then nights (most first), then name.
    """
    seen: dict[tuple[str, str], dict[str, set[object]]] = {}
    for line, night, cells in _cells(path):
        for column, cell in cells.items():
            for name in _cell_names(column, cell):
                entry = seen.setdefault(
                    (PLACE_SOURCES[column], name),
                    {"columns": set(), "rows": set(), "nights": set()},
                )
                entry["columns"].add(column)
                entry["rows"].add(line)
                entry["nights"].add(night)
    rows = [
        {
            "role": role,
            "name": name,
            "columns": ";".join(c for c in PLACE_SOURCES if c in entry["columns"]),
            "rows": len(entry["rows"]),
            "nights": len(entry["nights"]),
        }
        for (role, name), entry in seen.items()
    ]
    frame = pd.DataFrame(rows, columns=["role", "name", "columns", "rows", "nights"])
    return frame.sort_values(
        ["role", "nights", "name"], ascending=[True, False, True], ignore_index=True
    )


def load_places(path: Path | None = None) -> pd.DataFrame:
    """Read the place table (default: the shipped ``data/places.csv``).

    Columns :data:`PLACE_COLUMNS`; ``lon_deg`` and ``lat_deg`` are float, NaN where the name
    means no one place (the ``basis`` says why). One row per (``role``, ``name``).

    Raises
    ------
    ReportsError
        The file cannot be read, lacks a column, repeats a (role, name), or has a coordinate
        that is not a number in range.
    """
    if path is None:
        text = (
            resources.files("skyshield.reports").joinpath(f"data/{PLACES_FILE}").read_text("utf-8")
        )
        source = f"{PLACES_FILE} (shipped copy)"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ReportsError(f"{source}: cannot read the place table ({exc})") from exc
    frame = pd.read_csv(
        io.StringIO(text), dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL
    )
    missing = [c for c in PLACE_COLUMNS if c not in frame.columns]
    if missing:
        raise ReportsError(f"{source}: missing column {missing[0]!r} of the place table")
    frame = frame[list(PLACE_COLUMNS)]
    repeated = frame.duplicated(["role", "name"])
    if repeated.any():
        first = frame[repeated].iloc[0]
        raise ReportsError(f"{source}: ({first['role']}, {first['name']!r}) listed twice")
    for column, limit in (("lon_deg", 180.0), ("lat_deg", 90.0)):
        values = pd.to_numeric(frame[column].replace("", "nan"), errors="coerce")
        bad = (values.isna() & (frame[column] != "")) | (values.abs() > limit)
        if bad.any():
            row = frame[bad].iloc[0]
            raise ReportsError(
                f"{source}: {column} of ({row['role']}, {row['name']!r}): expected a number "
                f"within ±{limit:g}, got {row[column]!r}"
            )
        frame[column] = values
    return frame.reset_index(drop=True)


def night_places(path: Path | None = None, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per kept report row: its launch places and targets, located, unknowns said.

    Joins the names of each row the loader keeps (:func:`~skyshield.reports.load_reports`;
    a split row's parts share its names) with the place table (default :func:`load_places`).

    Returns one row per (report row, part, role, name): ``night``, ``threat_class``,
    ``line``, ``launched``, ``role`` (``launch`` / ``target``), ``column`` (the report column),
    ``name``, ``kind``, ``lon_deg``, ``lat_deg``, ``region``, ``country``, and ``status``:

    - ``located``: a point (lon, lat);
    - ``no point``: the table knows the name but it means no one place (a direction, a
      zone, ``Ukraine``, two places in one name);
    - ``not in table``: a name the table lacks (a newer file's; kind and point NA);
    - ``not reported``: the row names no place in that role (``name`` NA).
    """
    reports = load_reports(path)
    table = load_places() if places is None else places
    lookup = {(r["role"], r["name"]): r for r in table.to_dict(orient="records")}
    by_line = {line: cells for line, _, cells in _cells(path)}
    out: list[dict[str, object]] = []
    for row in reports.rows.itertuples(index=False):
        cells = by_line.get(int(row.line), {})
        for role in ("launch", "target"):
            named = [
                (column, name)
                for column, cell in cells.items()
                if PLACE_SOURCES[column] == role
                for name in _cell_names(column, cell)
            ]
            base = {
                "night": row.night,
                "threat_class": row.threat_class,
                "line": int(row.line),
                "launched": int(row.launched),
                "role": role,
            }
            if not named:
                out.append({**base, "column": None, "name": None, "status": "not reported"})
                continue
            first: dict[str, str] = {}  # a name given by two columns counts once
            for column, name in named:
                first.setdefault(name, column)
            for name, column in first.items():
                entry = {**base, "column": column, "name": name}
                place = lookup.get((role, name))
                if place is None:
                    out.append({**entry, "status": "not in table"})
                    continue
                located = pd.notna(place["lon_deg"]) and pd.notna(place["lat_deg"])
                out.append(
                    {
                        **entry,
                        "kind": place["kind"],
                        "lon_deg": place["lon_deg"],
                        "lat_deg": place["lat_deg"],
                        "region": place["region"],
                        "country": place["country"],
                        "status": "located" if located else "no point",
                    }
                )
    columns = [
        "night",
        "threat_class",
        "line",
        "launched",
        "role",
        "column",
        "name",
        "kind",
        "lon_deg",
        "lat_deg",
        "region",
        "country",
        "status",
    ]
    frame = pd.DataFrame(out).reindex(columns=columns)
    frame["lon_deg"] = frame["lon_deg"].astype(float)
    frame["lat_deg"] = frame["lat_deg"].astype(float)
    return frame


def row_windows(path: Path | None = None) -> pd.DataFrame:
    """Return the reported window of every record of an attacks file (default: the shipped copy).

    One row per record: ``line``, ``start`` and ``end`` (``time_start``, ``time_end`` as
    timestamps; NaT where the cell gives no time of day, a date only, or cannot be read).
    """
    table = _read_table(path, ATTACKS_FILE)
    index = {name: table.header.index(name) for name in ("time_start", "time_end")}
    out: dict[str, list[object]] = {"line": [], "start": [], "end": []}
    for line, cells in table.body:
        out["line"].append(line)
        for key, column in (("start", "time_start"), ("end", "time_end")):
            i = index[column]
            parsed = parse_time(cells[i]) if i < len(cells) else None
            out[key].append(parsed.when if parsed is not None and parsed.has_clock else pd.NaT)
    return pd.DataFrame(
        {
            "line": pd.Series(out["line"], dtype="int64"),
            "start": pd.to_datetime(pd.Series(out["start"], dtype=object)),
            "end": pd.to_datetime(pd.Series(out["end"], dtype=object)),
        }
    )
