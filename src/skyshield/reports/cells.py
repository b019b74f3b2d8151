"""Parsing of single cells of the attacks file: times, counts, launch details and sources.

Every function takes the raw cell text and never raises on bad text: it returns None (or an
empty result) and the loader decides what that means for the row.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

__all__ = [
    "CellTime",
    "SourceTier",
    "channel_of",
    "parse_count",
    "parse_details",
    "parse_number",
    "parse_time",
    "tier_of",
]

# `YYYY-MM-DD`, optionally followed by ` H:MM`, ` HH:MM` or `HH:MM:SS` (also after a `T`).
_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
)
# Python-literal dicts write missing values as NaN, which ast.literal_eval does not accept.
_NAN_WORD = re.compile(r"\bnan\b", re.IGNORECASE)
# literal_eval on a huge or deeply nested cell costs time and memory; real cells are < 200 chars.
_MAX_DETAILS_CHARS = 10_000

NATIONAL_CHANNEL = "kpszsu"  # the Air Force Command's own posts
_REGIONAL_PREFIX = "pvk"  # air commands: PvKPivden (South), pvkshid (East), PvkCenter, ...
_URL_CHANNEL_HOSTS = ("t.me", "telegram.me", "facebook.com", "www.facebook.com", "m.facebook.com")


@dataclass(frozen=True, slots=True)
class CellTime:
    """A parsed ``time_start`` / ``time_end`` cell.

    Attributes
    ----------
    when : the time; midnight when the cell has a date only
    has_clock : whether the cell gave a time of day
    """

    when: datetime
    has_clock: bool


def parse_time(text: str) -> CellTime | None:
    """``YYYY-MM-DD`` with an optional ``H:MM[:SS]``, spaces around allowed; None otherwise."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    parts = match.groupdict()
    has_clock = parts["h"] is not None
    try:
        when = datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
        )
    except ValueError:  # 2025-02-30, 25:00 ...
        return None
    return CellTime(when=when, has_clock=has_clock)


def parse_number(text: str) -> float | None:
    """Read a finite number (``12.0``, `` 3 ``); None for empty, text, NaN or inf."""
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def parse_count(text: str) -> int | None:
    """Read a whole number >= 0 written as an int or a float (``12.0``); None otherwise."""
    value = parse_number(text)
    if value is None or value < 0 or not value.is_integer():
        return None
    return int(value)


def parse_details(text: str) -> dict[str, int] | None:
    """Read a ``launched_details`` cell as {model: count}; None when it is not such a dict.

    The cell is a Python literal such as ``{'X-101/X-555': 50, 'Kalibr': 12}``; a missing
    count (NaN) or any value that is not a whole non-negative number makes the whole cell
    unusable, since it could no longer account for every weapon of the row.
    """
    text = text.strip()
    if not text or len(text) > _MAX_DETAILS_CHARS:
        return None
    try:
        value = ast.literal_eval(_NAN_WORD.sub("None", text))
    except (ValueError, SyntaxError, TypeError, OverflowError, MemoryError, RecursionError):
        return None
    if not isinstance(value, dict) or not value:
        return None
    details: dict[str, int] = {}
    for key, count in value.items():
        whole = _whole_count(count)
        if not isinstance(key, str) or whole is None:
            return None
        details[key] = whole
    return details


def _whole_count(value: object) -> int | None:
    """Return a parsed literal as a whole number >= 0; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        return None
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        return None
    return int(number)


class SourceTier(StrEnum):
    """Who published a report row."""

    NATIONAL = "national"  # Air Force Command (kpszsu): the nationwide nightly totals
    REGIONAL = "regional"  # an air command (South, East, Centre ...)
    OTHER = "other"  # General Staff, Commander-in-Chief, monitoring channels, oblast offices


def channel_of(source: str) -> str:
    """Return the channel or site of a ``source`` cell.

    ``kpszsu/posts/pfbid...`` -> ``kpszsu``; ``https://t.me/kpszsu/22252`` -> ``kpszsu``;
    ``kharkivoda.gov.ua/news/1`` -> ``kharkivoda.gov.ua``; empty -> empty.
    """
    text = source.strip()
    if "://" not in text:
        return text.split("/", 1)[0]
    try:
        url = urlsplit(text)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return text
    host = url.hostname or ""
    first_segment = url.path.strip("/").split("/", 1)[0]
    return first_segment if host in _URL_CHANNEL_HOSTS and first_segment else host


def tier_of(channel: str) -> SourceTier:
    """National for the Air Force Command, regional for an air command, else other."""
    folded = channel.casefold()
    if folded == NATIONAL_CHANNEL:
        return SourceTier.NATIONAL
    if folded.startswith(_REGIONAL_PREFIX):
        return SourceTier.REGIONAL
    return SourceTier.OTHER
