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

import numpy as np
from numba import njit

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.envelope import MAX_INTERVALS, antenna_ecef_m, envelope_on_piece
from skyshield.engine.pieces import Pieces
from skyshield.engine.reach import PieceIndex, piece_index, pieces_within
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


@njit(cache=True, nogil=True)
def _first_seen(
    pair_piece: np.ndarray,
    pair_sensor: np.ndarray,
    vertex_threat: np.ndarray,
    time_s: np.ndarray,
    ecef_m: np.ndarray,
    alt_m: np.ndarray,
    antenna: np.ndarray,
    height_m: np.ndarray,
    free_space_m: np.ndarray,
    out: np.ndarray,
) -> None:
    """First detection of each threat over (piece, sensor) pairs sorted by piece.

    ``free_space_m`` (n_sensors, n_threats): each sensor's range against each threat.
    """
    lo = np.empty(MAX_INTERVALS)
    hi = np.empty(MAX_INTERVALS)
    dummy = np.zeros(3)
    q = 0
    n = pair_piece.shape[0]
    while q < n:
        p = pair_piece[q]
        i = vertex_threat[p]
        if out[i] < np.inf:  # already detected on an earlier piece: skip the threat's pairs
            q += 1
            continue
        best = np.inf
        while q < n and pair_piece[q] == p:  # every sensor near this piece
            s = pair_sensor[q]
            q += 1
            k = envelope_on_piece(
                ecef_m[p], ecef_m[p + 1], time_s[p + 1] - time_s[p], alt_m[p], alt_m[p + 1],
                antenna[s], 0.0, _FAR_M, -np.inf, np.inf, True, antenna[s],
                free_space_m[s, i], height_m[s], dummy, dummy, 0.0, np.pi, lo, hi,
            )  # fmt: skip
            if k > 0:
                best = min(best, time_s[p] + lo[0])
        if best < np.inf:
            out[i] = best


def network_track_times_s(
    compiled: CompiledScenario, pieces: Pieces, index: PieceIndex | None = None
) -> np.ndarray:
    """First time after launch each network holds a track on each threat.

    Units: seconds after the threat's own launch; ``inf`` when never tracked.

    Returns
    -------
    (n_networks, n_threats) float64
    """
    index = piece_index(pieces) if index is None else index
    n_net = len(compiled.network_names)
    track = np.full((n_net, compiled.n_threats), np.inf)
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
    top_alt = float(max(pieces.alt_m.max(initial=0.0), 0.0))
    vertex_threat = np.repeat(np.arange(compiled.n_threats), np.diff(pieces.vertex_offset))
    candidates: list[np.ndarray] = []
    for s in range(antenna.shape[0]):
        if compiled.sensor_range_m[s] <= 0 or not compiled.sensor_networks[s].any():
            candidates.append(np.zeros(0, dtype=np.int64))
            continue
        reach = min(
            float(free_space[s].max(initial=0.0)),
            float(radar_horizon_m(compiled.sensor_height_m[s], top_alt)),
        )
        candidates.append(
            pieces_within(index, antenna[s], float(compiled.sensor_lat_deg[s]), reach)
        )
    for net in range(n_net):
        sensors = np.flatnonzero(compiled.sensor_networks[:, net])
        if sensors.size == 0:
            continue
        piece = np.concatenate([candidates[s] for s in sensors])
        sensor = np.concatenate([np.full(candidates[s].size, s) for s in sensors])
        order = np.lexsort((sensor, piece))
        _first_seen(
            piece[order].astype(np.int64), sensor[order].astype(np.int64), vertex_threat,
            pieces.time_s, pieces.ecef_m, pieces.alt_m, antenna,
            np.ascontiguousarray(compiled.sensor_height_m, dtype=np.float64), free_space,
            track[net],
        )  # fmt: skip
    return readonly(track)
