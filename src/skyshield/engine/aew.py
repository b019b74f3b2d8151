"""Airborne sensors with on-station windows: tracks that depend on each night's launch times.

An airborne sensor flying ``sorties`` (:func:`skyshield.engine.air.orbit_plan`) detects only
while on station, raid time ``[on, off)`` of one of its orbits. Launch times differ every
night, so its tracks cannot be solved once per route set like the other sensors'. Per route
set we solve instead:

* the networks' first tracks without these sensors (``fixed_track_s``);
* every interval of threat time in which each such sensor would see each threat
  (``lo``/``hi``, the same closed-form detection as :mod:`.sensors`, on every piece).

The event loop then takes, per night, a network's first track as the earlier of its fixed
track and, for each of its orbiting sensors, the first point of a detection interval that lies
on station (``[on - launch, off - launch)`` in the threat's time). The engagement windows are
solved with those sensors present all night, the earliest any night could track; the event
loop opens a window no earlier than the night's authorization (``track + offset``,
:func:`skyshield.engine.windows.authorization_offset_s`), which is the windows' own rule with
the later track: a unit's authorization is ``max(track + offset, zone entry + delay)`` and the
second term is already in the windows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.envelope import (
    MAX_INTERVALS,
    antenna_ecef_m,
    envelope_prepared,
    horizon_term_m,
)
from skyshield.engine.pieces import Pieces
from skyshield.engine.sensors import detection_range_m, network_track_times_s
from skyshield.engine.windows import authorization_offset_s

__all__ = ["AewInputs", "aew_inputs", "detection_intervals_s"]

_FAR_M = 1e9  # an outer range no radar reaches (the envelope solver's range band, unused)
_TOUCH_S = 1e-9  # intervals closer than this are merged


class AewInputs(NamedTuple):
    """What the event loop needs for orbiting sensors (empty arrays when there are none)."""

    fixed_track_s: np.ndarray  # (n_realizations, n_networks, n_threats); (0, 0, 0) if unused
    networks: np.ndarray  # (n_orbiting, n_networks) bool
    start: np.ndarray  # (n_realizations, n_orbiting, n_threats) int64: into lo/hi
    end: np.ndarray  # (n_realizations, n_orbiting, n_threats) int64
    lo: np.ndarray  # (n_intervals,) float64: detection, seconds after the threat's launch
    hi: np.ndarray  # (n_intervals,) float64
    orbit_start: np.ndarray  # (n_orbiting,) int64: into orbit_on_s/off_s
    orbit_end: np.ndarray  # (n_orbiting,) int64
    orbit_on_s: np.ndarray  # (n_orbits,) float64: raid time, sorted by sensor
    orbit_off_s: np.ndarray  # (n_orbits,) float64
    unit_networks: np.ndarray  # (n_units, n_networks) bool
    unit_track_offset_s: np.ndarray  # (n_units,) float64


@njit(cache=True, nogil=True)
def _intervals(
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    alt_m: np.ndarray,
    antenna: np.ndarray,
    height_m: float,
    free_space_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find one sensor's detection intervals over every threat's pieces (touching ones merged).

    Returns per threat the end index (cumulative count) and the flat ``lo``, ``hi``.
    """
    lo = np.empty(MAX_INTERVALS)
    hi = np.empty(MAX_INTERVALS)
    no_sector = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # sensors see all round
    horizon_m = horizon_term_m(height_m)
    n = vertex_offset.shape[0] - 1
    ends = np.zeros(n, dtype=np.int64)
    out_lo = np.empty(64)
    out_hi = np.empty(64)
    m = 0
    for i in range(n):
        first = m
        for p in range(vertex_offset[i], vertex_offset[i + 1] - 1):
            k = envelope_prepared(
                ecef_m[p], ecef_m[p + 1], time_s[p + 1] - time_s[p], alt_m[p], alt_m[p + 1],
                antenna, 0.0, _FAR_M, -np.inf, np.inf, True, antenna, free_space_m[i],
                horizon_m, np.pi, no_sector, lo, hi,
            )  # fmt: skip
            for c in range(k):
                a, b = time_s[p] + lo[c], time_s[p] + hi[c]
                if m > first and a <= out_hi[m - 1] + _TOUCH_S:
                    out_hi[m - 1] = max(out_hi[m - 1], b)
                    continue
                if m == out_lo.shape[0]:
                    out_lo = np.concatenate((out_lo, np.empty(m)))
                    out_hi = np.concatenate((out_hi, np.empty(m)))
                out_lo[m], out_hi[m] = a, b
                m += 1
        ends[i] = m
    return ends, out_lo[:m], out_hi[:m]


def detection_intervals_s(
    compiled: CompiledScenario, pieces: Pieces, sensor: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Intervals of threat time in which ``sensor`` sees each threat (present all night).

    Returns ``(ends, lo, hi)``: threat ``i``'s intervals are ``lo[a:b]``, ``hi[a:b]`` with
    ``a = ends[i - 1]`` (0 for the first) and ``b = ends[i]``.
    """
    antenna = antenna_ecef_m(
        compiled.sensor_lon_deg[sensor : sensor + 1],
        compiled.sensor_lat_deg[sensor : sensor + 1],
        compiled.sensor_height_m[sensor : sensor + 1],
    ).reshape(3)
    free_space = np.asarray(
        detection_range_m(
            float(compiled.sensor_range_m[sensor]),
            float(compiled.sensor_reference_rcs_m2[sensor]),
            compiled.threat_rcs_m2,
        ),
        dtype=np.float64,
    )
    if compiled.sensor_range_m[sensor] <= 0:
        free_space = np.zeros_like(free_space)
    return _intervals(
        pieces.vertex_offset, pieces.time_s, pieces.ecef_m, pieces.alt_m,
        np.ascontiguousarray(antenna, dtype=np.float64), float(compiled.sensor_height_m[sensor]),
        np.ascontiguousarray(free_space),
    )  # fmt: skip


def aew_inputs(compiled: CompiledScenario, pieces: tuple[Pieces, ...]) -> AewInputs:
    """Build the event loop's orbiting-sensor inputs for every route set (module docstring)."""
    n_net, n = len(compiled.network_names), compiled.n_threats
    orbiting = np.unique(compiled.orbit_sensor)
    order = np.argsort(compiled.orbit_sensor, kind="stable")
    sensor_of_orbit = compiled.orbit_sensor[order]
    common = {
        "orbit_start": np.searchsorted(sensor_of_orbit, orbiting, side="left").astype(np.int64),
        "orbit_end": np.searchsorted(sensor_of_orbit, orbiting, side="right").astype(np.int64),
        "orbit_on_s": np.ascontiguousarray(compiled.orbit_on_s[order], dtype=np.float64),
        "orbit_off_s": np.ascontiguousarray(compiled.orbit_off_s[order], dtype=np.float64),
        "unit_networks": np.ascontiguousarray(compiled.unit_networks, dtype=bool),
        "unit_track_offset_s": authorization_offset_s(compiled),
        "networks": np.ascontiguousarray(
            np.asarray(compiled.sensor_networks, dtype=bool)[orbiting].reshape(-1, n_net)
        ),
    }
    if orbiting.size == 0:
        none_i = np.zeros((0, 0, 0), dtype=np.int64)
        return AewInputs(
            fixed_track_s=np.zeros((0, 0, 0)), start=none_i, end=none_i,
            lo=np.zeros(0), hi=np.zeros(0), **common,
        )  # fmt: skip
    exclude = np.zeros(compiled.sensor_lon_deg.shape[0], dtype=bool)
    exclude[orbiting] = True
    n_r = len(pieces)
    fixed = np.empty((n_r, n_net, n))
    start = np.empty((n_r, orbiting.size, n), dtype=np.int64)
    end = np.empty((n_r, orbiting.size, n), dtype=np.int64)
    lo_parts: list[np.ndarray] = []
    hi_parts: list[np.ndarray] = []
    base = 0
    for r, route_set in enumerate(pieces):
        fixed[r] = network_track_times_s(compiled, route_set, exclude=exclude)
        for j, sensor in enumerate(orbiting):
            ends, lo, hi = detection_intervals_s(compiled, route_set, int(sensor))
            end[r, j] = base + ends
            start[r, j] = base + np.concatenate(([0], ends[:-1]))
            lo_parts.append(lo)
            hi_parts.append(hi)
            base += lo.shape[0]
    return AewInputs(
        fixed_track_s=fixed,
        start=start,
        end=end,
        lo=np.concatenate(lo_parts) if lo_parts else np.zeros(0),
        hi=np.concatenate(hi_parts) if hi_parts else np.zeros(0),
        **common,
    )
