"""Where every threat of one replication was, on the engine's own trajectory samples.

The engine samples each threat's flight every ``time_step_s`` from its launch
(:class:`skyshield.engine.flight.Trajectories`); a track here is those samples, shifted to the
replication's launch time, cut at the threat's fate (intercept, loss to EW or impact) with the
fate point from :func:`skyshield.engine.flight.points_at`, as the outcome tables place it.
Nothing is re-flown, so every exported position is one the engine used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from skyshield.engine.flight import points_at
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.runner.montecarlo import Run

__all__ = ["Track", "check_replication", "replication_rows", "replication_tracks", "utc_at"]

# Times closer than this are one instant: the outcome table stores launch + fate time, so the
# fate time after launch comes back with a rounding error of ~1e-12 s.
_SAME_INSTANT_S = 1e-6


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
        traj = run.geometry.trajectories[int(row.realization)]
        i = int(row.threat)
        lo, hi = int(traj.sample_offset[i]), int(traj.sample_offset[i + 1])
        fate_after_launch_s = float(row.time_s) - float(row.launch_time_s)
        keep = lo + int(
            np.searchsorted(traj.time_s[lo:hi], fate_after_launch_s - _SAME_INSTANT_S, side="left")
        )
        end = points_at(traj, np.asarray([i]), np.asarray([fate_after_launch_s]))
        tracks.append(
            Track(
                threat=i,
                type_key=str(row.type),
                threat_class=str(row.threat_class),
                target=str(row.target),
                fate=str(row.fate),
                unit=str(row.unit),
                time_s=float(row.launch_time_s)
                + np.append(traj.time_s[lo:keep], fate_after_launch_s),
                lon_deg=np.append(traj.lon_deg[lo:keep], end.lon_deg),
                lat_deg=np.append(traj.lat_deg[lo:keep], end.lat_deg),
                alt_m=np.append(traj.alt_m[lo:keep], end.alt_m),
            )
        )
    return tuple(tracks)


def utc_at(start: datetime, time_s: float) -> datetime:
    """Return the absolute time ``time_s`` seconds after ``start`` (time-zone aware)."""
    return start + timedelta(seconds=time_s)
