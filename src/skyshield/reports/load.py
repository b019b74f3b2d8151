"""Read the Air Force reports file into a tidy table of nights x threat class.

The attacks file has one row per weapon group per report (see ``data/README.md``). The loader
turns it into :class:`Reports` by these rules, and lists every row it leaves out with a reason
(:class:`~skyshield.reports.rules.DropReason`). Numbers below are for the shipped copy.

Night
    ``night`` is the date of ``time_end``. A night raid starts in the evening and ends in the
    morning the Air Force posts its report, and rows whose ``time_start`` has no clock (1,724
    of 2,617) are dated by that report morning; ``time_end`` is the one date both conventions
    share. Windows ending from 13:00 on (daytime raids, 169 kept rows, 4.8 % of launches) stay
    under their ``time_end`` date, marked ``end_period = "day"`` in :attr:`Reports.rows`.
    A window ending before it starts or more than one day after its start date is dropped
    (none in the shipped copy).
Classes
    Each weapon name maps to a :class:`~skyshield.reports.weapons.ReportClass` through the
    weapon table and the override table of :mod:`skyshield.reports.weapons`: ``drone``
    (Shahed-type, decoys included), ``other_uav`` (reconnaissance and tactical UAVs: Orlan,
    ZALA, Supercam, Lancet, Molniya ...), ``cruise`` (Kh-101/555, Kalibr, Kh-59/69, Kh-35,
    Iskander-K), ``supersonic`` (Kh-22, Kh-32, Kh-31, Oniks, Zircon), ``ballistic``
    (Iskander-M, KN-23, Kinzhal), ``s300`` (S-300/S-400 fired at the ground), ``guided_bomb``,
    ``other`` (unidentified missiles, bombs). A name neither knows is dropped.
Mixed rows
    A row whose names span several classes (``C-400 and Iskander-M``) is split by its
    ``launched_details`` when those name every weapon with a known class and sum to
    ``launched``. ``destroyed`` and ``not_reach_goal`` are not given per weapon: they are
    shared in proportion to launched (largest remainders, so the parts are whole and add up),
    exact when all or none were destroyed; the parts have ``split = True``. Without such
    details the row is dropped (8 rows; the 4 rows with details each join one class).
Deduplication
    The Air Force Command's own posts (channel ``kpszsu``: the national nightly totals) come
    first. A row from an air command or another source is dropped when a national row reports
    the same night and class: the regional count is then part of, or the same as, the national
    one (regional <= national in 42 of the 47 such night-class pairs of drones and missiles).
    Otherwise it is kept: it is the only report of that class that night, and the South and
    East commands cover different zones, so their rows add up. 95 rows (162 launched) go this
    way. A row repeating an earlier one exactly (window, model, target, launch place, counts)
    is dropped as a re-post (2 rows).
Counts
    ``launched`` and ``destroyed`` must be whole numbers >= 0 (else the row is dropped). An
    empty ``not_reach_goal`` is *not reported*, never a reported 0 (NA in the tables): the
    file never writes 0 there, it is empty on every row before 2024-07-10 and on some rows
    after, and in some periods the source folds the lost into ``destroyed`` and leaves the
    cell empty. So the destroyed/lost split of a night and class is known only when every row
    of it gives the cell. ``neutralised = destroyed + not_reach_goal`` (shot down, or lost to
    electronic warfare), an empty lost adding nothing, is known on every night;
    ``launched - neutralised`` also holds those still flying when the report was posted.

Rows are never silently lost: ``launched`` kept plus ``launched`` dropped equals ``launched`` in
the file (an empty or non-numeric cell counting 0).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd

from skyshield.errors import SkyshieldError
from skyshield.reports.cells import channel_of, parse_count, parse_details, parse_number, parse_time
from skyshield.reports.rules import Drop, DropReason, Piece, Row, end_period, judge, night_of
from skyshield.reports.weapons import ReportClass, WeaponTable, classes_of_model, name_key

__all__ = ["Reports", "ReportsError", "load_reports"]

ATTACKS_FILE = "missile_attacks_daily.csv"
WEAPONS_FILE = "missiles_and_uavs.csv"
REQUIRED_COLUMNS = ("time_end", "model", "launched", "destroyed")
OPTIONAL_COLUMNS = (
    "time_start",
    "not_reach_goal",
    "launched_details",
    "source",
    "target",
    "launch_place",
)
WEAPON_REQUIRED_COLUMNS = ("model", "category")
WEAPON_COLUMNS = ("category", "type")


class ReportsError(SkyshieldError, ValueError):
    """An attacks or weapon file cannot be read: the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Reports:
    """The reports of one attacks file, tidy, with what was left out.

    Attributes
    ----------
    source : the file read (or the shipped copy)
    by_night : one row per (night, threat_class): ``night`` (datetime64, midnight of the
        ``time_end`` date), ``threat_class`` (str), ``launched``, ``destroyed``,
        ``neutralised``, ``rows`` (int64; rows merged), ``not_reach_goal`` (Int64; NA unless
        every row of the night and class reports it: the split is then unknown)
    rows : every kept row or part of a split row: ``line`` (where the record starts; the
        header is line 1), ``night``, ``threat_class``, ``model``, ``channel``, ``tier``,
        ``end_period`` (``morning``, ``day`` or ``date-only``), the four counts
        (``not_reach_goal`` Int64, NA where the cell is empty), ``split``
    dropped : one row per reason that occurred, in :class:`DropReason` order: ``reason``,
        ``rows`` (file rows), ``launched`` (float; an unreadable cell counts 0)
    dropped_rows : every dropped row or part: ``line``, ``reason``, ``model``, ``channel``,
        ``night`` (NaT when unreadable), ``launched`` (float)
    rows_read : data rows in the file
    launched_read : sum of ``launched`` over the file (an unreadable cell counts 0)
    """

    source: str
    by_night: pd.DataFrame
    rows: pd.DataFrame
    dropped: pd.DataFrame
    dropped_rows: pd.DataFrame
    rows_read: int
    launched_read: float


def load_reports(path: Path | None = None, *, weapons_path: Path | None = None) -> Reports:
    """Read an attacks file (default: the shipped copy, cut at 2025-06-30).

    Parameters
    ----------
    path : an attacks CSV in the format of ``data/missile_attacks_daily.csv``
    weapons_path : a weapon table CSV (default: the shipped ``data/missiles_and_uavs.csv``)

    Raises
    ------
    ReportsError
        A file is unreadable, not UTF-8 CSV, has a row longer than its header, or lacks a
        required column.
    """
    weapons = _weapon_table(_read_table(weapons_path, WEAPONS_FILE))
    table = _read_table(path, ATTACKS_FILE)
    table.require(REQUIRED_COLUMNS)
    rows = [_parse_row(cells, line, weapons) for line, cells in table.records()]
    pieces, drops = judge(rows, weapons)
    return Reports(
        source=table.source,
        by_night=_by_night(pieces),
        rows=_rows_frame(pieces),
        dropped=_dropped_summary(drops),
        dropped_rows=_dropped_frame(drops),
        rows_read=len(rows),
        launched_read=sum(r.launched_in_file for r in rows),
    )


@dataclass(frozen=True, slots=True)
class _Table:
    """A CSV file as text cells: header, and (line number, cells) per record."""

    source: str
    header: tuple[str, ...]
    body: tuple[tuple[int, tuple[str, ...]], ...]

    def require(self, columns: Sequence[str]) -> None:
        """Raise :class:`ReportsError` naming the file and the first missing column."""
        for column in columns:
            if column not in self.header:
                found = ", ".join(self.header)
                raise ReportsError(
                    f"{self.source}: missing required column {column!r} (found: {found})"
                )

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield each record's line and its cells by column; a missing column reads as ''."""
        wanted = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *WEAPON_COLUMNS)
        # The first of duplicated header names counts.
        index = {name: self.header.index(name) for name in wanted if name in self.header}
        for line, cells in self.body:
            yield line, {name: cells[index[name]] if name in index else "" for name in wanted}


def _read_bytes(path: Path | None, shipped_name: str) -> tuple[str, bytes]:
    if path is None:
        data = resources.files("skyshield.reports").joinpath(f"data/{shipped_name}").read_bytes()
        return f"{shipped_name} (shipped copy)", data
    try:
        return str(path), Path(path).read_bytes()
    except OSError as exc:
        raise ReportsError(f"{path}: cannot read the file ({exc.strerror})") from exc


def _read_table(path: Path | None, shipped_name: str) -> _Table:
    """Read a CSV file with the csv module: every cell stays text, nothing is inferred."""
    source, data = _read_bytes(path, shipped_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportsError(f"{source}: not UTF-8 text (byte {exc.start})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    body: list[tuple[int, tuple[str, ...]]] = []
    try:
        header = tuple(name.strip() for name in next(reader, []))
        line = reader.line_num + 1  # where the next record starts
        for cells in reader:
            if cells and len(cells) > len(header):
                raise ReportsError(
                    f"{source}: line {line}: {len(cells)} cells, the header has {len(header)}"
                )
            if cells:  # a blank line is no record
                body.append((line, (*cells, *[""] * (len(header) - len(cells)))))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ReportsError(f"{source}: line {reader.line_num}: not readable CSV ({exc})") from exc
    if not header:
        raise ReportsError(f"{source}: empty file, expected a CSV header line")
    return _Table(source=source, header=header, body=tuple(body))


def _weapon_table(table: _Table) -> WeaponTable:
    table.require(WEAPON_REQUIRED_COLUMNS)
    triples = ((c["model"], c["category"], c["type"]) for _, c in table.records())
    return WeaponTable.from_records(triples)


def _parse_row(cells: dict[str, str], line: int, weapons: WeaponTable) -> Row:
    launched = parse_count(cells["launched"])
    destroyed = parse_count(cells["destroyed"])
    nrg_text = cells["not_reach_goal"].strip()
    lost_reported = bool(nrg_text)  # an empty cell: not reported, never a reported 0
    not_reach_goal = parse_count(nrg_text) if lost_reported else None
    repeat_key = (
        cells["time_start"].strip(),
        cells["time_end"].strip(),
        name_key(cells["model"]),
        cells["target"].strip(),
        cells["launch_place"].strip(),
        launched,
        destroyed,
        not_reach_goal,
    )
    return Row(
        line=line,
        model=cells["model"].strip(),
        channel=channel_of(cells["source"]),
        start=parse_time(cells["time_start"]),
        end=parse_time(cells["time_end"]),
        launched=launched,
        launched_in_file=parse_number(cells["launched"]) or 0.0,
        destroyed=destroyed,
        not_reach_goal=not_reach_goal,
        lost_reported=lost_reported,
        classes=classes_of_model(cells["model"], weapons),
        details=parse_details(cells["launched_details"]),
        repeat_key=repeat_key,
    )


def _nights(values: Sequence[date | None]) -> pd.Series:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).astype("datetime64[ns]")


def _rows_frame(pieces: Sequence[Piece]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": pd.Series([p.valid.row.line for p in pieces], dtype="int64"),
            "night": _nights([p.valid.night for p in pieces]),
            "threat_class": pd.Series([str(p.threat_class) for p in pieces], dtype="str"),
            "model": pd.Series([p.valid.row.model for p in pieces], dtype="str"),
            "channel": pd.Series([p.valid.row.channel for p in pieces], dtype="str"),
            "tier": pd.Series([str(p.valid.row.tier) for p in pieces], dtype="str"),
            "end_period": pd.Series([end_period(p.valid.row) for p in pieces], dtype="str"),
            "launched": pd.Series([p.launched for p in pieces], dtype="int64"),
            "destroyed": pd.Series([p.destroyed for p in pieces], dtype="int64"),
            "not_reach_goal": pd.Series([p.not_reach_goal for p in pieces], dtype="Int64"),
            "split": pd.Series([p.split for p in pieces], dtype="bool"),
        }
    )


def _by_night(pieces: Sequence[Piece]) -> pd.DataFrame:
    """Sum the pieces per (night, class), sorted by night then class order.

    ``not_reach_goal`` is known (not NA) only when every piece of the night and class reports
    it; ``neutralised`` adds the reported lost only (an empty lost adds nothing).
    """
    sums: dict[tuple[date, ReportClass], list[int]] = {}
    unreported: set[tuple[date, ReportClass]] = set()
    for p in pieces:
        key = (p.valid.night, p.threat_class)
        total = sums.setdefault(key, [0, 0, 0, 0])
        for i, value in enumerate((p.launched, p.destroyed, p.not_reach_goal or 0, 1)):
            total[i] += value
        if p.not_reach_goal is None:
            unreported.add(key)
    keys = sorted(sums, key=lambda k: (k[0], k[1].position))
    launched, destroyed, reported_lost, merged = (
        pd.Series([sums[k][i] for k in keys], dtype="int64") for i in range(4)
    )
    not_reach_goal = pd.Series(
        [None if k in unreported else sums[k][2] for k in keys], dtype="Int64"
    )
    return pd.DataFrame(
        {
            "night": _nights([k[0] for k in keys]),
            "threat_class": pd.Series([str(k[1]) for k in keys], dtype="str"),
            "launched": launched,
            "destroyed": destroyed,
            "not_reach_goal": not_reach_goal,
            "neutralised": destroyed + reported_lost,
            "rows": merged,
        }
    )


def _dropped_frame(drops: Sequence[Drop]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": pd.Series([d.row.line for d in drops], dtype="int64"),
            "reason": pd.Series([str(d.reason) for d in drops], dtype="str"),
            "model": pd.Series([d.row.model for d in drops], dtype="str"),
            "channel": pd.Series([d.row.channel for d in drops], dtype="str"),
            "night": _nights([night_of(d.row) for d in drops]),
            "launched": pd.Series([d.launched for d in drops], dtype="float64"),
        }
    )


def _dropped_summary(drops: Sequence[Drop]) -> pd.DataFrame:
    """Per reason that occurred: distinct file rows and launched, in :class:`DropReason` order."""
    reasons = [r for r in DropReason if any(d.reason is r for d in drops)]
    lines = [len({d.row.line for d in drops if d.reason is r}) for r in reasons]
    launched = [sum(d.launched for d in drops if d.reason is r) for r in reasons]
    return pd.DataFrame(
        {
            "reason": pd.Series([str(r) for r in reasons], dtype="str"),
            "rows": pd.Series(lines, dtype="int64"),
            "launched": pd.Series(launched, dtype="float64"),
        }
    )
