"""Threats that fly the same path every night, flown and solved once per scenario (issue #20).

A route set jitters only the inner waypoints of threats with a ``route_jitter_km``; a
ballistic threat flies launch site to target whatever its waypoints. Every other threat (a
ballistic one, one with no inner waypoint, one with no jitter) flies the same pieces in every
route set, so its territory, EW exposure, first tracks and engagement windows are the same
too: each depends on the threat's own pieces and the scenario alone (a threat's vertices do
not depend on the threats before it, :func:`~skyshield.engine.pieces._leg_starts`).

:func:`route_split` splits a scenario's threats into those that move between route sets and
those that do not, each as a compiled scenario of its own threats (:func:`threat_subset`);
the fixed ones are flown and solved once (kept with the scenario, :func:`per_scenario`), the
moving ones per route set, and the two are joined in threat order (``merge_*``). The joined
arrays are those of the whole scenario flown at once, bit for bit (``tests/engine/
test_fixed.py``, ``bench/geometry_digest.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from skyshield.engine.compiled import CompiledScenario, per_scenario, readonly
from skyshield.engine.ew import Exposure
from skyshield.engine.pieces import Pieces
from skyshield.engine.windows import Windows
from skyshield.engine.zones import IntervalSets

__all__ = [
    "RouteSplit",
    "ThreatSet",
    "merge_exposure",
    "merge_intervals",
    "merge_pieces",
    "merge_windows",
    "route_split",
    "take_intervals",
    "take_pieces",
    "threat_subset",
]


@dataclass(frozen=True, slots=True)
class ThreatSet:
    """Some of a scenario's threats (ascending indices) and their runs of consecutive ones."""

    index: np.ndarray  # (n,) int64
    runs: tuple[tuple[int, int, int], ...]  # (first position, end position, first threat)

    @classmethod
    def of(cls, index: np.ndarray) -> ThreatSet:
        """Make the set of the given threats (ascending)."""
        index = readonly(np.asarray(index, dtype=np.int64))
        return cls(index=index, runs=tuple(_runs(index)))


@dataclass(frozen=True, slots=True)
class RouteSplit:
    """A scenario's threats split by whether their path changes between route sets."""

    moving: ThreatSet  # threats with a jittered inner waypoint
    fixed: ThreatSet  # the others
    moving_points: np.ndarray  # (n_moving_points,) int64: the moving threats' route points
    moving_compiled: CompiledScenario  # the scenario with the moving threats alone
    fixed_compiled: CompiledScenario  # the scenario with the fixed threats alone


def moving_threats(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) bool: the threat's pieces change between route sets.

    An inner waypoint (neither launch site nor target) with a jitter is moved by
    :func:`~skyshield.engine.flight.realize_routes`; a ballistic threat's pieces ignore its
    inner waypoints (:func:`~skyshield.engine.pieces.build_pieces`).
    """
    inner = np.diff(compiled.route_offset) > 2  # noqa: PLR2004 - launch site and target
    return np.asarray(
        inner & (compiled.threat_route_jitter_m > 0) & ~compiled.threat_ballistic, dtype=bool
    )


def threat_subset(compiled: CompiledScenario, threats: np.ndarray) -> CompiledScenario:
    """``compiled`` with only the given threats (ascending indices), in their order.

    Every per-threat array (the ``threat_*`` fields of shape ``(n_threats, ...)``) and the
    route points are taken; units, sensors, nations and zones stay as they are.
    """
    n = compiled.n_threats
    update: dict[str, object] = {}
    for field in dataclasses.fields(compiled):
        value = getattr(compiled, field.name)
        if (
            field.name.startswith("threat_")
            and isinstance(value, np.ndarray)
            and value.shape[:1] == (n,)
        ):
            update[field.name] = readonly(value[threats])
    offset = compiled.route_offset
    points = _ragged_rows(offset, threats)
    update["route_offset"] = readonly(_offsets(np.diff(offset)[threats]))
    update["route_lon_deg"] = readonly(compiled.route_lon_deg[points])
    update["route_lat_deg"] = readonly(compiled.route_lat_deg[points])
    return dataclasses.replace(compiled, **update)  # type: ignore[arg-type]


def route_split(compiled: CompiledScenario) -> RouteSplit | None:
    """Split the scenario's threats into moving and fixed (kept per scenario).

    None when no threat is fixed (nothing to share). With none moving, every route set is the
    fixed part flown once and an empty moving part (issue #20: the calibration design's nights
    fly no inner waypoint, and each of their route sets was flown and solved again).
    """
    return per_scenario(compiled, "fixed.split", lambda: _split(compiled))


def _split(compiled: CompiledScenario) -> RouteSplit | None:
    moving_mask = moving_threats(compiled)
    moving = np.flatnonzero(moving_mask).astype(np.int64)
    fixed = np.flatnonzero(~moving_mask).astype(np.int64)
    if fixed.size == 0:
        return None
    return RouteSplit(
        moving=ThreatSet.of(moving),
        fixed=ThreatSet.of(fixed),
        moving_points=readonly(_ragged_rows(compiled.route_offset, moving)),
        moving_compiled=threat_subset(compiled, moving),
        fixed_compiled=threat_subset(compiled, fixed),
    )


def _offsets(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _runs(threats: np.ndarray) -> list[tuple[int, int, int]]:
    """List the runs of consecutive threats in ``threats`` (ascending): (first, end, threat).

    A scenario's threats come in waves, so a part is a few runs and is copied run by run,
    as slices, not gathered element by element.
    """
    breaks = np.flatnonzero(np.diff(threats) != 1) + 1
    edges = [0, *breaks.tolist(), int(threats.shape[0])]
    return [(a, b, int(threats[a])) for a, b in itertools.pairwise(edges) if b > a]


def _ragged_rows(offset: np.ndarray, threats: np.ndarray) -> np.ndarray:
    """Rows ``[offset[i], offset[i + 1])`` of every threat ``i`` in ``threats``, in order."""
    return np.concatenate(
        [np.arange(offset[t], offset[t + b - a], dtype=np.int64) for a, b, t in _runs(threats)]
        or [np.zeros(0, dtype=np.int64)]
    )


# A part of a route set's threats: (its threats in the whole; its offsets into its rows; its
# row arrays).
_Part = tuple[ThreatSet, np.ndarray, tuple[np.ndarray, ...]]


def _merge(n: int, parts: list[_Part]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Join ragged rows of disjoint threat subsets covering ``range(n)``, in threat order."""
    counts = np.zeros(n, dtype=np.int64)
    for threats, offset, _ in parts:
        counts[threats.index] = np.diff(offset)
    joined = _offsets(counts)
    columns = len(parts[0][2])
    out = [
        np.empty((int(joined[-1]), *parts[0][2][c].shape[1:]), dtype=parts[0][2][c].dtype)
        for c in range(columns)
    ]
    for threats, offset, arrays in parts:
        for a, b, t in threats.runs:
            lo, hi, at = int(offset[a]), int(offset[b]), int(joined[t])
            for c in range(columns):
                out[c][at : at + hi - lo] = arrays[c][lo:hi]
    return readonly(joined), [readonly(o) for o in out]


def _take(offset: np.ndarray, arrays: tuple[np.ndarray, ...], threats: ThreatSet) -> _Part:
    """Take the ragged rows of the given threats, as a part of their own."""
    taken = tuple(
        readonly(
            np.concatenate(
                [a[offset[t] : offset[t + b - s]] for s, b, t in threats.runs] or [a[:0]]
            )
        )
        for a in arrays
    )
    return threats, readonly(_offsets(np.diff(offset)[threats.index])), taken


_PIECE_ROWS = ("time_s", "lon_deg", "lat_deg", "alt_m", "ecef_m")


def _pieces(offset: np.ndarray, rows: Sequence[np.ndarray], flight_s: np.ndarray) -> Pieces:
    time_s, lon_deg, lat_deg, alt_m, ecef_m = rows
    return Pieces(
        vertex_offset=offset,
        time_s=time_s,
        lon_deg=lon_deg,
        lat_deg=lat_deg,
        alt_m=alt_m,
        ecef_m=ecef_m,
        flight_s=flight_s,
    )


def merge_pieces(n: int, parts: list[tuple[ThreatSet, Pieces]]) -> Pieces:
    """Join pieces of disjoint threat subsets ``(threats, pieces)`` into all ``n`` threats'."""
    offset, rows = _merge(
        n,
        [(t, p.vertex_offset, tuple(getattr(p, r) for r in _PIECE_ROWS)) for t, p in parts],
    )
    flight_s = np.empty(n)
    for threats, p in parts:
        flight_s[threats.index] = p.flight_s
    return _pieces(offset, rows, readonly(flight_s))


def take_pieces(pieces: Pieces, threats: ThreatSet) -> Pieces:
    """Take the pieces of the given threats (ascending), as a scenario of them alone flies them."""
    _, offset, rows = _take(
        pieces.vertex_offset, tuple(getattr(pieces, r) for r in _PIECE_ROWS), threats
    )
    return _pieces(offset, rows, readonly(pieces.flight_s[threats.index]))


def merge_intervals(n: int, parts: list[tuple[ThreatSet, IntervalSets]]) -> IntervalSets:
    """Join interval sets of disjoint threat subsets into all ``n`` threats'."""
    offset, rows = _merge(n, [(t, s.offset, (s.lo_s, s.hi_s, s.code)) for t, s in parts])
    lo_s, hi_s, code = rows
    return IntervalSets(offset=offset, lo_s=lo_s, hi_s=hi_s, code=code)


def take_intervals(sets: IntervalSets, threats: ThreatSet) -> IntervalSets:
    """Take the interval sets of the given threats (ascending)."""
    _, offset, rows = _take(sets.offset, (sets.lo_s, sets.hi_s, sets.code), threats)
    lo_s, hi_s, code = rows
    return IntervalSets(offset=offset, lo_s=lo_s, hi_s=hi_s, code=code)


def merge_exposure(n: int, parts: list[tuple[ThreatSet, Exposure]]) -> Exposure:
    """Join EW exposures of disjoint threat subsets into all ``n`` threats'."""
    offset, rows = _merge(n, [(t, e.knot_offset, (e.time_s, e.exposure_m)) for t, e in parts])
    time_s, exposure_m = rows
    return Exposure(knot_offset=offset, time_s=time_s, exposure_m=exposure_m)


def merge_windows(n: int, parts: list[tuple[ThreatSet, Windows]]) -> Windows:
    """Join windows of disjoint threat subsets into all ``n`` threats'.

    Each part's windows are sorted by (threat, unit, k0), their threats being indices into
    the part's threats; the joined ones are sorted the same way.
    """
    offset, (unit, k0, k1, outside, threatening) = _merge(
        n,
        [
            (
                t,
                _offsets(np.bincount(w.threat, minlength=t.index.shape[0]).astype(np.int64)),
                (w.unit, w.k0, w.k1, w.outside_own, w.threatening),
            )
            for t, w in parts
        ],
    )
    track_s = np.empty((parts[0][1].track_s.shape[0], n))
    for threats, w in parts:
        track_s[:, threats.index] = w.track_s
    return Windows(
        unit=unit,
        threat=readonly(np.repeat(np.arange(n, dtype=np.int32), np.diff(offset))),
        k0=k0,
        k1=k1,
        outside_own=outside,
        track_s=readonly(track_s),
        threatening=threatening,
    )
