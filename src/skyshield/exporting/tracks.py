"""Where every threat of one replication was, sampled from the engine's own pieces.

The engine flies each threat on straight pieces (:class:`skyshield.engine.pieces.Pieces`); a
track here samples them every ``time_step_s`` from launch and at every vertex
(:func:`skyshield.engine.pieces.track_samples`, display resolution), shifted to the
replication's launch time and cut at the threat's fate (intercept, loss to EW or impact), the
fate point placed as the outcome tables place it. Nothing is re-flown, so every exported
position lies on the path the engine used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import numpy as np
import pandas as pd

from skyshield.engine.pieces import track_samples
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.geo import lonlat_to_ecef_m
from skyshield.runner.montecarlo import Run

__all__ = [
    "REPLAY_TOLERANCE_M",
    "Replay",
    "Track",
    "check_replication",
    "replay_samples",
    "replication_rows",
    "replication_tracks",
    "utc_at",
]

# how far a replayed track (linear in time between kept samples) may stray from the engine's
# samples: well below what a viewer shows at a raid's scale, and below the time step's path
REPLAY_TOLERANCE_M = 10.0
_M_PER_DEG = 111_195.0  # a degree of latitude (mean Earth radius 6,371.0 km)


class Replay(Enum):
    """How a viewer interpolates a track's position between two of its samples (in time)."""

    GEOGRAPHIC = "geographic"
    """Longitude, latitude and altitude each linear in time (KML ``gx:Track``, Tacview)."""
    ECEF = "ecef"
    """Earth-centred Cartesian linear in time: Cesium turns CZML ``cartographicDegrees`` into
    Cartesian positions on load and interpolates those (CesiumGS/cesium#637), so a replay
    runs on the chord between samples, below a long leg's arc."""


@dataclass(frozen=True, slots=True)
class Track:
    """One threat's flight in one replication, launch to fate.

    ``time_s`` is seconds after the raid starts (the scenario's ``start_time``), strictly
    increasing; positions are (n,) float64 in degrees and metres.
    """

    threat: int
    type_key: str
    threat_class: str
    target: str
    fate: str
    unit: str  # intercepting unit, "" if not intercepted
    time_s: np.ndarray
    lon_deg: np.ndarray
    lat_deg: np.ndarray
    alt_m: np.ndarray


def check_replication(replication: int, replications: int, source: str) -> None:
    """Raise a :class:`ScenarioError` unless ``0 <= replication < replications``."""
    if not 0 <= replication < replications:
        expected = f"a replication index from 0 to {replications - 1} (runs {replications:,})"
        raise ScenarioError(source, [FieldProblem("--replication", expected, str(replication))])


def replication_rows(table: pd.DataFrame, replication: int) -> pd.DataFrame:
    """Select the rows of an outcome table (threats or shots) that belong to one replication."""
    return table[table["replication"] == replication].reset_index(drop=True)


def replication_tracks(run: Run, replication: int) -> tuple[Track, ...]:
    """Every threat's track in one replication of a finished run, in threat order.

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    check_replication(replication, run.replications, run.scenario.name)
    rows = replication_rows(run.outcomes.threats, replication).sort_values("threat")
    tracks = []
    for row in rows.itertuples():
        pieces = run.geometry.pieces[int(row.realization)]
        i = int(row.threat)
        fate_after_launch_s = float(row.time_s) - float(row.launch_time_s)
        times, lon, lat, alt = track_samples(
            pieces, i, float(run.compiled.time_step_s), fate_after_launch_s
        )
        tracks.append(
            Track(
                threat=i,
                type_key=str(row.type),
                threat_class=str(row.threat_class),
                target=str(row.target),
                fate=str(row.fate),
                unit=str(row.unit),
                time_s=float(row.launch_time_s) + times,
                lon_deg=lon,
                lat_deg=lat,
                alt_m=alt,
            )
        )
    return tuple(tracks)


def utc_at(start: datetime, time_s: float) -> datetime:
    """Return the absolute time ``time_s`` seconds after ``start`` (time-zone aware)."""
    return start + timedelta(seconds=time_s)


def replay_samples(
    track: Track,
    tolerance_m: float = REPLAY_TOLERANCE_M,
    *,
    replay: Replay = Replay.GEOGRAPHIC,
) -> np.ndarray:
    """(n,) int64 indices of the samples a time-tagged replay needs, first and last included.

    A viewer replays a track linearly in time between its samples, in the coordinates
    ``replay`` names; a sample that this interpolation of its kept neighbours places within
    ``tolerance_m`` of it (:attr:`Replay.GEOGRAPHIC`: horizontally, and in altitude;
    :attr:`Replay.ECEF`: in space) adds nothing, and is dropped (Douglas-Peucker in time: the
    farthest sample of a span splits it until every dropped sample is within the tolerance).
    A straight, steady leg then keeps its ends (in ECEF, samples close enough that the chord
    between them does not sag below the flight by more than the tolerance); turns, climbs and
    dives keep what shows them. Every kept sample is the engine's own.

    Units: metres in.
    """
    n = track.time_s.shape[0]
    if n <= 2:  # noqa: PLR2004
        return np.arange(n, dtype=np.int64)
    t = track.time_s
    if replay is Replay.ECEF:
        xyz = lonlat_to_ecef_m(track.lon_deg, track.lat_deg, track.alt_m)
        m_per_unit = np.ones((n, 3))
    else:  # metres per degree east and north, per metre up (local to each sample)
        xyz = np.column_stack([track.lon_deg, track.lat_deg, track.alt_m])
        east = _M_PER_DEG * np.cos(np.radians(track.lat_deg))
        m_per_unit = np.column_stack([east, np.full(n, _M_PER_DEG), np.ones(n)])
    keep = np.zeros(n, dtype=bool)
    keep[[0, n - 1]] = True
    spans = [(0, n - 1)]
    while spans:
        a, b = spans.pop()
        if b - a < 2:  # noqa: PLR2004
            continue
        inner = slice(a + 1, b)
        w = (t[inner] - t[a]) / (t[b] - t[a])
        off_m = (xyz[inner] - (xyz[a] + w[:, np.newaxis] * (xyz[b] - xyz[a]))) * m_per_unit[inner]
        if replay is Replay.ECEF:
            error = np.linalg.norm(off_m, axis=1)
        else:
            error = np.maximum(np.hypot(off_m[:, 0], off_m[:, 1]), np.abs(off_m[:, 2]))
        worst = int(np.argmax(error))
        if error[worst] > tolerance_m:
            k = a + 1 + worst
            keep[k] = True
            spans += [(a, k), (k, b)]
    return np.flatnonzero(keep).astype(np.int64)
