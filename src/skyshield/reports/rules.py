"""The rules of :func:`skyshield.reports.load_reports`, row by row (stated in its module).

Each data row is parsed into a :class:`Row`, checked into a :class:`Valid` row or a
:class:`DropReason`, cut into :class:`Piece` s (one per class) and deduplicated by
:func:`judge`. No pandas here: plain records, so every rule reads as Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from skyshield.reports.cells import CellTime, SourceTier, tier_of
from skyshield.reports.weapons import ReportClass, WeaponTable, classes_of_model

__all__ = [
    "Drop",
    "DropReason",
    "Piece",
    "Row",
    "Valid",
    "apportion",
    "cut_into_pieces",
    "end_period",
    "judge",
    "night_of",
]

# A night window ends on the day it starts or the next; the shipped file never spans more.
MAX_WINDOW_DAYS = 1
# Windows ending at or after 13:00 are daytime raids: in the shipped file 1,343 of the 1,439
# national rows with a clock end before 13:00, 1,030 of them at 08:xx or 09:xx.
DAY_END_HOUR = 13


class DropReason(StrEnum):
    """Why a row (or the part of a split row) is left out; the order is the order of checks."""

    TIME_END_UNPARSEABLE = "time_end_unparseable"
    WINDOW_NOT_ONE_NIGHT = "window_not_one_night"  # ends before it starts or > 1 day later
    LAUNCHED_MISSING = "launched_missing"  # empty, or not a whole number >= 0
    DESTROYED_MISSING = "destroyed_missing"
    NOT_REACH_GOAL_INVALID = "not_reach_goal_invalid"
    OUTCOMES_EXCEED_LAUNCHED = "outcomes_exceed_launched"  # destroyed + not_reach_goal
    UNKNOWN_MODEL = "unknown_model"
    MIXED_CLASSES_NO_DETAILS = "mixed_classes_no_details"
    REPEATED_ROW = "repeated_row"
    COVERED_BY_NATIONAL = "covered_by_national"  # a regional/other row, national row same night


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of the attacks file, its cells parsed (None: missing or unreadable)."""

    line: int
    model: str
    channel: str
    start: CellTime | None
    end: CellTime | None
    launched: int | None
    launched_in_file: float
    destroyed: int | None
    not_reach_goal: int | None  # None: empty (not reported) or unreadable (see lost_reported)
    lost_reported: bool  # the not_reach_goal cell is not empty
    classes: frozenset[ReportClass] | None
    details: dict[str, int] | None
    repeat_key: tuple[object, ...]

    @property
    def tier(self) -> SourceTier:
        """Who published the row (from its channel)."""
        return tier_of(self.channel)


@dataclass(frozen=True, slots=True)
class Valid:
    """A row that passed the checks of :func:`validate`: its fields, no longer optional."""

    row: Row
    night: date
    classes: frozenset[ReportClass]
    launched: int
    destroyed: int
    not_reach_goal: int | None  # None: not reported (the destroyed/lost split is unknown)


@dataclass(frozen=True, slots=True)
class Piece:
    """A kept row, or one class's part of a split row."""

    valid: Valid
    threat_class: ReportClass
    launched: int
    destroyed: int
    not_reach_goal: int | None  # None: not reported
    split: bool


@dataclass(frozen=True, slots=True)
class Drop:
    """A row, or the part of a split row, left out, with the launched it takes along."""

    row: Row
    reason: DropReason
    launched: float


def night_of(row: Row) -> date | None:
    """Return the row's night: the date of ``time_end`` (None when unreadable)."""
    return row.end.when.date() if row.end is not None else None


def is_one_night(start: CellTime | None, end: CellTime) -> bool:
    """Tell whether a window ends on the day it starts or the next, and not before it starts."""
    if start is None:  # no usable start: nothing to hold the end against
        return True
    days = (end.when.date() - start.when.date()).days
    if start.has_clock and end.has_clock and end.when < start.when:
        return False
    return 0 <= days <= MAX_WINDOW_DAYS


def validate(row: Row, weapons: WeaponTable) -> Valid | DropReason:
    """Return the row's checked fields, or the first rule it breaks (before deduplication)."""
    if row.end is None:
        return DropReason.TIME_END_UNPARSEABLE
    if not is_one_night(row.start, row.end):
        return DropReason.WINDOW_NOT_ONE_NIGHT
    if row.launched is None:
        return DropReason.LAUNCHED_MISSING
    if row.destroyed is None:
        return DropReason.DESTROYED_MISSING
    if row.lost_reported and row.not_reach_goal is None:
        return DropReason.NOT_REACH_GOAL_INVALID
    if row.destroyed + (row.not_reach_goal or 0) > row.launched:
        return DropReason.OUTCOMES_EXCEED_LAUNCHED
    if row.classes is None:
        return DropReason.UNKNOWN_MODEL
    if len(row.classes) > 1 and launched_by_class(row, weapons) is None:
        return DropReason.MIXED_CLASSES_NO_DETAILS
    return Valid(
        row=row,
        night=row.end.when.date(),
        classes=row.classes,
        launched=row.launched,
        destroyed=row.destroyed,
        not_reach_goal=row.not_reach_goal,
    )


def launched_by_class(row: Row, weapons: WeaponTable) -> dict[ReportClass, int] | None:
    """Count launched per class from ``launched_details``; None unless they cover the row.

    Every named weapon must have one known class among the row's classes, and the counts
    must add up to ``launched``.
    """
    if row.details is None or row.classes is None:
        return None
    by_class: dict[ReportClass, int] = {}
    for name, count in row.details.items():
        classes = classes_of_model(name, weapons)
        if classes is None or len(classes) != 1 or not classes <= row.classes:
            return None
        (threat_class,) = classes
        by_class[threat_class] = by_class.get(threat_class, 0) + count
    return by_class if sum(by_class.values()) == row.launched else None


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Share a whole ``total`` in proportion to ``weights`` by largest remainders.

    The shares are whole, add up to ``total`` and, when ``total <= sum(weights)``, none
    exceeds its weight. Ties go to the earlier weight. Integer arithmetic throughout.

    References
    ----------
    Hamilton's (largest remainder) method, e.g. Balinski & Young, *Fair Representation* (2001).
    """
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [0] * len(weights)
    shares = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(shares)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


def cut_into_pieces(valid: Valid, weapons: WeaponTable) -> list[Piece]:
    """Cut a row into one piece, or one per class when it mixes classes (details checked)."""
    if len(valid.classes) == 1:
        (only,) = valid.classes
        return [
            Piece(valid, only, valid.launched, valid.destroyed, valid.not_reach_goal, split=False)
        ]
    by_class = launched_by_class(valid.row, weapons) or {}
    classes = sorted(by_class, key=lambda c: c.position)
    launched = [by_class[c] for c in classes]
    lost = valid.not_reach_goal
    neutralised = apportion(valid.destroyed + (lost or 0), launched)
    destroyed = apportion(valid.destroyed, neutralised)
    return [
        Piece(valid, c, n, d, None if lost is None else t - d, split=True)
        for c, n, t, d in zip(classes, launched, neutralised, destroyed, strict=True)
    ]


def national_coverage(rows: Iterable[Row]) -> set[tuple[date, ReportClass]]:
    """(night, class) pairs a national row reports, whatever else is wrong with that row."""
    covered: set[tuple[date, ReportClass]] = set()
    for row in rows:
        night = night_of(row)
        if row.tier is SourceTier.NATIONAL and night is not None and row.classes is not None:
            covered.update((night, c) for c in row.classes)
    return covered


def judge(rows: Sequence[Row], weapons: WeaponTable) -> tuple[list[Piece], list[Drop]]:
    """Split the rows into kept pieces and drops, rule by rule in :class:`DropReason` order."""
    covered = national_coverage(rows)
    seen: set[tuple[object, ...]] = set()
    pieces: list[Piece] = []
    drops: list[Drop] = []
    for row in rows:
        valid = validate(row, weapons)
        if isinstance(valid, Valid) and row.repeat_key in seen:
            valid = DropReason.REPEATED_ROW
        if not isinstance(valid, Valid):
            drops.append(Drop(row, valid, row.launched_in_file))
            continue
        seen.add(row.repeat_key)
        for piece in cut_into_pieces(valid, weapons):
            if row.tier is not SourceTier.NATIONAL and (valid.night, piece.threat_class) in covered:
                drops.append(Drop(row, DropReason.COVERED_BY_NATIONAL, float(piece.launched)))
            else:
                pieces.append(piece)
    return pieces, drops


def end_period(row: Row) -> str:
    """Say when the window ends: ``morning``, ``day`` (from 13:00) or ``date-only``."""
    if row.end is None or not row.end.has_clock:
        return "date-only"
    return "day" if row.end.when.hour >= DAY_END_HOUR else "morning"
