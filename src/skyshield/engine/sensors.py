"""Radar detection and network track times, solved on the pieces of each threat's path.

A radar detects a target when the slant range is within both its detection range, scaled from
its reference radar cross-section by the radar equation (R ∝ σ^¼), and the 4/3-Earth radar
horizon between the antenna and the target heights. Tracks are shared within a network: a
network holds a track on a threat from the first time any of its sensors detects it (a track,
once held, is kept until the threat's fate: public information does not support modelling
track loss).

The first detection of each (network, threat) is found by walking the threat's pieces in time
order against the network's sensors that can reach them (:mod:`.reach`), each (piece, sensor)
solved in closed form (:func:`skyshield.engine.envelope.envelope_on_piece`), and stopping at
the first piece any sensor sees, once every sensor near that piece has been asked (a later
sensor may see the threat earlier on the same piece).

References
----------
Radar range equation, R ∝ σ^¼: M. I. Skolnik, *Introduction to Radar Systems*, 3rd ed.,
McGraw-Hill, 2001, ch. 2. 4/3-Earth radar line of sight: ATIS Telecom Glossary (Fed-Std-1037C).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, per_scenario, readonly
from skyshield.engine.envelope import (
    MAX_INTERVALS,
    antenna_ecef_m,
    envelope_on_piece,
    horizon_term_m,
)
from skyshield.engine.pieces import Pieces
from skyshield.engine.reach import (
    PieceSpheres,
    PointGrid,
    cell_of,
    margin_for,
    piece_spheres,
    point_grid,
)
from skyshield.geo import radar_horizon_m

__all__ = ["detection_range_m", "network_track_times_s"]

# An outer range no radar reaches (the envelope solver's range band, unused for sensors).
_FAR_M = 1e9


def detection_range_m(
    reference_range_m: np.ndarray | float,
    reference_rcs_m2: np.ndarray | float,
    target_rcs_m2: np.ndarray | float,
) -> np.ndarray:
    """Free-space detection range against a target of another radar cross-section.

    Units: metres and square metres in, metres out. R = R_ref (σ / σ_ref)^¼.
    """
    ratio = np.asarray(target_rcs_m2, dtype=np.float64) / np.asarray(
        reference_rcs_m2, dtype=np.float64
    )
    return np.asarray(reference_range_m, dtype=np.float64) * ratio**0.25


@dataclass(frozen=True, slots=True)
class _Radars:
    """A scenario's radars, built once (:func:`skyshield.engine.compiled.per_scenario`)."""

    antenna: np.ndarray  # (n_sensors, 3) float64: ECEF
    height_m: np.ndarray  # (n_sensors,) float64
    free_space_m: np.ndarray  # (n_sensors, n_threats) float64: range against each threat
    reach_m: np.ndarray  # (n_sensors,) float64: farthest free-space range; 0 if never used
    networks: np.ndarray  # (n_sensors, n_networks) bool
    grids: dict[float, PointGrid]  # by margin (the longest half-piece allowed for)


def _radars(compiled: CompiledScenario) -> _Radars:
    antenna = antenna_ecef_m(
        compiled.sensor_lon_deg, compiled.sensor_lat_deg, compiled.sensor_height_m
    )
    free_space = np.asarray(
        detection_range_m(
            compiled.sensor_range_m[:, None],
            compiled.sensor_reference_rcs_m2[:, None],
            compiled.threat_rcs_m2[None, :],
        )
    )
    used = (compiled.sensor_range_m > 0) & compiled.sensor_networks.any(axis=1)
    reach = np.where(used, free_space.max(axis=1, initial=0.0), 0.0)
    return _Radars(
        antenna=readonly(antenna),
        height_m=readonly(np.ascontiguousarray(compiled.sensor_height_m, dtype=np.float64)),
        free_space_m=readonly(free_space),
        reach_m=readonly(reach),
        networks=np.asarray(compiled.sensor_networks, dtype=bool),
        grids={},
    )


def _grid(radars: _Radars, compiled: CompiledScenario, margin_m: float) -> PointGrid:
    grid = radars.grids.get(margin_m)
    if grid is None:
        lon, lat = compiled.sensor_lon_deg, compiled.sensor_lat_deg
        grid = point_grid(lon, lat, radars.reach_m, margin_m)
        radars.grids[margin_m] = grid
    return grid


@njit(cache=True, nogil=True)
def _first_seen(
    cell_start: np.ndarray,
    cell_points: np.ndarray,
    lon0: float,
    lat0: float,
    n_lon: int,
    n_lat: int,
    mid_m: np.ndarray,
    half_m: np.ndarray,
    mid_lon: np.ndarray,
    mid_lat: np.ndarray,
    vertex_offset: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    alt_m: np.ndarray,
    member: np.ndarray,
    reach_m: np.ndarray,
    antenna: np.ndarray,
    height_m: np.ndarray,
    free_space_m: np.ndarray,
    out: np.ndarray,
) -> None:
    """First detection of each threat by the network's sensors (``member``).

    Walks each threat's pieces in time order; a piece asks every member sensor listed in its
    cell whose reach touches the piece's bounding sphere, and the first piece any of them sees
    ends the walk. ``free_space_m`` (n_sensors, n_threats): each sensor's range per threat.
    """
    lo = np.empty(MAX_INTERVALS)
    hi = np.empty(MAX_INTERVALS)
    no_sector = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # sensors see all round
    horizon_m = np.empty(height_m.shape[0])  # each antenna's share of the horizon
    for s in range(height_m.shape[0]):
        horizon_m[s] = horizon_term_m(height_m[s])
    for i in range(vertex_offset.shape[0] - 1):
        for p in range(vertex_offset[i], vertex_offset[i + 1] - 1):
            q = p - i  # the piece's index: vertices less one per threat before it
            c = cell_of(mid_lat[q], lat0, n_lat) * n_lon + cell_of(mid_lon[q], lon0, n_lon)
            best = np.inf
            for e in range(cell_start[c], cell_start[c + 1]):
                s = cell_points[e]
                if not member[s]:
                    continue
                dx = mid_m[q, 0] - antenna[s, 0]
                dy = mid_m[q, 1] - antenna[s, 1]
                dz = mid_m[q, 2] - antenna[s, 2]
                reach = reach_m[s] + half_m[q]
                if dx * dx + dy * dy + dz * dz > reach * reach:
                    continue
                k = envelope_on_piece(
                    ecef_m, p, time_s[p + 1] - time_s[p], alt_m[p], alt_m[p + 1],
                    antenna[s], 0.0, _FAR_M, -np.inf, np.inf, True, antenna[s],
                    free_space_m[s, i], horizon_m[s], np.pi, no_sector, lo, hi,
                )  # fmt: skip
                if k == 0:
                    continue
                best = min(best, time_s[p] + lo[0])
            if best < np.inf:  # every sensor near this piece was asked: the earliest holds
                out[i] = best
                break


def network_track_times_s(
    compiled: CompiledScenario,
    pieces: Pieces,
    spheres: PieceSpheres | None = None,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """First time after launch each network holds a track on each threat.

    Units: seconds after the threat's own launch; ``inf`` when never tracked. ``exclude``
    (n_sensors,) bool: sensors left out (airborne sensors with on-station orbits, :mod:`.aew`).

    Returns
    -------
    (n_networks, n_threats) float64
    """
    spheres = piece_spheres(pieces) if spheres is None else spheres
    radars = per_scenario(compiled, "sensors.radars", lambda: _radars(compiled))
    grid = _grid(radars, compiled, margin_for(spheres))
    n_net = len(compiled.network_names)
    track = np.full((n_net, compiled.n_threats), np.inf)
    top_alt = float(max(pieces.alt_m.max(initial=0.0), 0.0))
    # a sensor reaches no farther than its range against the largest target, nor its horizon
    reach = np.minimum(radars.reach_m, radar_horizon_m(radars.height_m, top_alt))
    for net in range(n_net):
        member = np.ascontiguousarray(radars.networks[:, net])
        if exclude is not None:
            member = member & ~exclude
        if not member.any():
            continue
        _first_seen(
            grid.cell_start, grid.cell_points, grid.lon0_deg, grid.lat0_deg, grid.n_lon,
            grid.n_lat, spheres.mid_m, spheres.half_m, spheres.mid_lon_deg, spheres.mid_lat_deg,
            pieces.vertex_offset, pieces.time_s, pieces.ecef_m, pieces.alt_m, member, reach,
            radars.antenna, radars.height_m, radars.free_space_m, track[net],
        )  # fmt: skip
    return readonly(track)
