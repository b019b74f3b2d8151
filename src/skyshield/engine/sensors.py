"""Radar detection and network track times.

A radar detects a target when the slant range is within both its detection range, scaled from
its reference radar cross-section by the radar equation (R ∝ σ^¼), and the 4/3-Earth radar
horizon between the antenna and the target heights. Tracks are shared within a network: a
network holds a track on a threat from the first sample any of its sensors detects it (a track,
once held, is kept until the threat's fate: public information does not support modelling
track loss).

References
----------
Radar range equation, R ∝ σ^¼: M. I. Skolnik, *Introduction to Radar Systems*, 3rd ed.,
McGraw-Hill, 2001, ch. 2. 4/3-Earth radar line of sight: ATIS Telecom Glossary (Fed-Std-1037C).
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.flight import Trajectories
from skyshield.engine.nearby import TypeSamples, samples_by_type
from skyshield.geo import lonlat_to_ecef_m, radar_horizon_m

__all__ = ["detection_range_m", "network_track_times_s"]


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


def _reach_m(compiled: CompiledScenario, sensor: int, group: TypeSamples) -> float:
    """Farthest a sensor can see any threat of a type: free-space range within the horizon."""
    free_space = detection_range_m(
        compiled.sensor_range_m[sensor], compiled.sensor_reference_rcs_m2[sensor], group.rcs_m2
    )
    horizon = radar_horizon_m(compiled.sensor_height_m[sensor], max(group.max_alt_m, 0.0))
    return float(min(free_space, horizon))


def network_track_times_s(
    compiled: CompiledScenario,
    trajectories: Trajectories,
    groups: tuple[TypeSamples, ...] | None = None,
) -> np.ndarray:
    """First time after launch each network holds a track on each threat.

    Units: seconds after the threat's own launch; ``inf`` when never tracked.

    Returns
    -------
    (n_networks, n_threats) float64
    """
    n_net = len(compiled.network_names)
    track = np.full((n_net, compiled.n_threats), np.inf)
    offsets = trajectories.sample_offset
    owner = np.repeat(np.arange(compiled.n_threats), np.diff(offsets))
    t = trajectories
    if groups is None:
        groups = samples_by_type(compiled, t.sample_offset, t.lon_deg, t.lat_deg, t.alt_m, t.ecef_m)
    sensor_ecef = np.asarray(
        lonlat_to_ecef_m(
            compiled.sensor_lon_deg, compiled.sensor_lat_deg, compiled.sensor_height_m
        ),
        dtype=np.float64,
    ).reshape(-1, 3)
    for s in range(sensor_ecef.shape[0]):
        nets = np.flatnonzero(compiled.sensor_networks[s])
        if compiled.sensor_range_m[s] <= 0 or nets.size == 0:
            continue
        lon_s, lat_s = float(compiled.sensor_lon_deg[s]), float(compiled.sensor_lat_deg[s])
        seen_parts = []
        for g in groups:
            ids, slant = g.index.within(lon_s, lat_s, sensor_ecef[s], _reach_m(compiled, s, g))
            # threats of one type share its catalog radar cross-section: one range per group
            free_space = float(
                detection_range_m(
                    compiled.sensor_range_m[s], compiled.sensor_reference_rcs_m2[s], g.rcs_m2
                )
            )
            horizon = radar_horizon_m(
                compiled.sensor_height_m[s], np.maximum(trajectories.alt_m[ids], 0.0)
            )
            seen_parts.append(ids[slant <= np.minimum(free_space, horizon)])
        idx = np.concatenate(seen_parts)
        if idx.size == 0:
            continue
        threat = owner[idx]
        first_s = np.full(compiled.n_threats, np.inf)
        np.minimum.at(first_s, threat, (idx - offsets[threat]) * compiled.time_step_s)
        for net in nets:
            np.minimum(track[net], first_s, out=track[net])
    return readonly(track)
