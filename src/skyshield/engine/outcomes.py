"""Outcomes of replications as tidy tables: one row per threat, one row per interceptor.

Both engines return :class:`RawOutcomes` (integer arrays, engine-neutral); :func:`tabulate`
turns them into pandas DataFrames with names, times in seconds and positions in degrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd

from skyshield.catalog import ThreatClass
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.geometry import RaidGeometry
from skyshield.engine.missed import missed_round_ground
from skyshield.engine.pieces import positions_at
from skyshield.geo import NATION_CODES, geodesic_distance_m, lonlat_to_ecef_m, territory_codes

__all__ = ["Fate", "Outcomes", "RawOutcomes", "concat_raw", "tabulate"]


class Fate(IntEnum):
    """How a threat ended; every threat has exactly one.

    The engines end a flight that nothing stopped as IMPACTED; a decoy carries no warhead, so
    its tables say REACHED_AREA instead (:func:`tabulate`): it never counts as an impact.
    FELL: it came down on its own where it was (fuel ran out, link loss, malfunction); FELL
    and LOST_TO_EW together are what the Air Force reports call "locationally lost".
    """

    INTERCEPTED = 0
    LOST_TO_EW = 1
    IMPACTED = 2
    REACHED_AREA = 3
    FELL = 4  # issue #22

    @property
    def label(self) -> str:
        """Lower-case label used in tables."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class RawOutcomes:
    """Engine output for a block of replications, as integer-coded arrays.

    Times are seconds after each threat's own launch (``launch_step * time_step_s``), exact
    on the trajectory; fire times are on the global step grid.
    """

    replications: np.ndarray  # (n_reps,) int64
    realization: np.ndarray  # (n_reps, n_threats) int64
    launch_step: np.ndarray  # (n_reps, n_threats) int64
    fate: np.ndarray  # (n_reps, n_threats) int8: Fate
    fate_s: np.ndarray  # (n_reps, n_threats) float64: after launch
    fate_unit: np.ndarray  # (n_reps, n_threats) int32: intercepting unit or -1
    initial_stock: np.ndarray  # (n_reps, n_units) int64: rounds at the start of the night
    final_stock: np.ndarray  # (n_reps, n_units) int64: rounds left at the end of the night
    shot_rep: np.ndarray  # (n_shots,) int32: row in ``replications``
    shot_unit: np.ndarray  # (n_shots,) int32
    shot_threat: np.ndarray  # (n_shots,) int32
    shot_step: np.ndarray  # (n_shots,) int64: global fire step
    shot_intercept_s: np.ndarray  # (n_shots,) float64: intercept time after the threat's launch
    shot_hit: np.ndarray  # (n_shots,) bool


def concat_raw(blocks: list[RawOutcomes]) -> RawOutcomes:
    """Join blocks of replications (in the given order) into one."""
    base = np.cumsum([0] + [b.replications.shape[0] for b in blocks[:-1]])
    return RawOutcomes(
        replications=np.concatenate([b.replications for b in blocks]),
        realization=np.concatenate([b.realization for b in blocks]),
        launch_step=np.concatenate([b.launch_step for b in blocks]),
        fate=np.concatenate([b.fate for b in blocks]),
        fate_s=np.concatenate([b.fate_s for b in blocks]),
        fate_unit=np.concatenate([b.fate_unit for b in blocks]),
        initial_stock=np.concatenate([b.initial_stock for b in blocks]),
        final_stock=np.concatenate([b.final_stock for b in blocks]),
        shot_rep=np.concatenate([b.shot_rep + o for b, o in zip(blocks, base, strict=True)]).astype(
            np.int32
        ),
        shot_unit=np.concatenate([b.shot_unit for b in blocks]),
        shot_threat=np.concatenate([b.shot_threat for b in blocks]),
        shot_step=np.concatenate([b.shot_step for b in blocks]),
        shot_intercept_s=np.concatenate([b.shot_intercept_s for b in blocks]),
        shot_hit=np.concatenate([b.shot_hit for b in blocks]),
    )


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Tidy outcome tables of a run.

    Attributes
    ----------
    threats : one row per threat per replication (columns in :func:`tabulate`)
    shots : one row per interceptor fired
    stocks : one row per fire unit per replication: rounds at the start and end of the night
    """

    threats: pd.DataFrame
    shots: pd.DataFrame
    stocks: pd.DataFrame


def _locate(
    geometry: RaidGeometry, realization: np.ndarray, threat: np.ndarray, time_s: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Longitude, latitude and territory of threats at times after their launch."""
    lon = np.zeros(threat.shape[0])
    lat = np.zeros(threat.shape[0])
    for r, pieces in enumerate(geometry.pieces):
        mine = realization == r
        if mine.any():
            lon[mine], lat[mine], _, _ = positions_at(pieces, threat[mine], time_s[mine])
    return lon, lat, territory_codes(lon, lat)


def _territory_labels(codes: np.ndarray) -> pd.Categorical:
    # codes straight into the categories (the labels' own order): no string lookup per row
    return pd.Categorical.from_codes(
        np.where(codes < 0, len(NATION_CODES), codes), categories=[*NATION_CODES, "none"]
    )


def _within_m(
    lon: np.ndarray, lat: np.ndarray, to_lon: np.ndarray, to_lat: np.ndarray, radius_m: np.ndarray
) -> np.ndarray:
    """(n,) bool: the geodesic distance between the points is at most ``radius_m``.

    A straight line through the Earth is never longer than the geodesic, so pairs whose ECEF
    chord is longer than the radius are out without solving the geodesic (issue #20: most of
    a night's threats end far from their target). The same answers as solving every pair.
    """
    chord = np.linalg.norm(lonlat_to_ecef_m(lon, lat) - lonlat_to_ecef_m(to_lon, to_lat), axis=1)
    out = np.zeros(lon.shape[0], dtype=bool)
    # 1 m over the radius: a chord's rounding never drops a pair the geodesic keeps
    near = np.flatnonzero(chord <= radius_m + 1.0)
    distance_m = geodesic_distance_m(lon[near], lat[near], to_lon[near], to_lat[near])
    out[near] = distance_m <= radius_m[near]
    return out


def shot_effects(raw: RawOutcomes) -> tuple[np.ndarray, np.ndarray]:
    """(n_shots,) bool twice: which rounds hit, and the one round credited with each kill.

    The engines record each round's kill draw. A round whose draw succeeds hits only if the
    threat is still flying when it arrives: one lost to EW or fallen before the intercept time
    is gone (the engines resolve the engagement the same way). Both rounds of a salvo may hit one
    threat, which dies once: its kill goes to the first hitting round of the engagement that
    intercepted it (the fate's unit and time), so kills per unit add up to threats intercepted.
    """
    rep, threat = raw.shot_rep, raw.shot_threat.astype(np.int64)
    fate, fate_s = raw.fate[rep, threat], raw.fate_s[rep, threat]
    gone = ((fate == Fate.LOST_TO_EW) | (fate == Fate.FELL)) & (fate_s <= raw.shot_intercept_s)
    hit = raw.shot_hit & ~gone
    credited = (
        hit
        & (fate == Fate.INTERCEPTED)
        & (raw.fate_unit[rep, threat] == raw.shot_unit)
        & (fate_s == raw.shot_intercept_s)
    )
    kill = np.zeros_like(hit)
    rows = np.flatnonzero(credited)
    # shots are in firing order, rounds of one engagement consecutive: first per threat wins
    key = rep[rows].astype(np.int64) * raw.fate.shape[1] + threat[rows]
    _, first = np.unique(key, return_index=True)
    kill[rows[first]] = True
    return hit, kill


def tabulate(compiled: CompiledScenario, geometry: RaidGeometry, raw: RawOutcomes) -> Outcomes:
    """Turn raw engine output into the threat and shot tables."""
    dt = compiled.time_step_s
    n_reps, n = raw.fate.shape
    threat = np.tile(np.arange(n), n_reps)
    realization = raw.realization.ravel()
    launch_s = raw.launch_step.ravel() * dt
    fate_s = raw.fate_s.ravel()
    lon, lat, terr = _locate(geometry, realization, threat, fate_s)
    unit = raw.fate_unit.ravel()
    unit_ids = np.asarray([*compiled.unit_ids, ""], dtype=object)
    unit_nation = np.asarray(
        [*(compiled.nation_codes[i] for i in compiled.unit_nation), ""], dtype=object
    )
    classes = [c.value for c in ThreatClass]
    fate = raw.fate.ravel()
    decoy = compiled.threat_class[threat] == ThreatClass.DECOY.position
    fate = np.where(decoy & (fate == Fate.IMPACTED), Fate.REACHED_AREA, fate)
    target = compiled.threat_target[threat]
    in_area = _within_m(
        lon,
        lat,
        compiled.asset_lon_deg[target],
        compiled.asset_lat_deg[target],
        compiled.asset_area_radius_m[target],
    )
    threats = pd.DataFrame(
        {
            "replication": np.repeat(raw.replications, n),
            "threat": threat,
            "type": pd.Categorical.from_codes(
                compiled.threat_type[threat], categories=list(compiled.threat_type_keys)
            ),
            "threat_class": pd.Categorical.from_codes(
                compiled.threat_class[threat], categories=classes
            ),
            "wave": compiled.threat_wave[threat],
            "target": pd.Categorical.from_codes(
                compiled.threat_target[threat], categories=list(compiled.asset_names)
            ),
            "fate": pd.Categorical.from_codes(fate, categories=[f.label for f in Fate]),
            "launch_time_s": launch_s,
            "time_s": launch_s + fate_s,
            "unit": unit_ids[unit],
            "nation": unit_nation[unit],
            "lon_deg": lon,
            "lat_deg": lat,
            "territory": _territory_labels(terr),
            "realization": realization,
            # issue #22: it ended (any way) within its target's area radius
            "in_target_area": in_area,
        }
    )
    s_threat = raw.shot_threat.astype(np.int64)
    s_unit = raw.shot_unit.astype(np.int64)
    hit, kill = shot_effects(raw)
    s_real = raw.realization[raw.shot_rep, s_threat]
    s_lon, s_lat, s_terr = _locate(geometry, s_real, s_threat, raw.shot_intercept_s)
    s_nation = compiled.unit_nation[s_unit]
    launch_step = raw.launch_step[raw.shot_rep, s_threat]
    # issue #22: where each missed round comes down (NaN for rounds that hit)
    g_lon, g_lat = missed_round_ground(
        compiled.unit_lon_deg[s_unit],
        compiled.unit_lat_deg[s_unit],
        s_lon,
        s_lat,
        compiled.unit_max_range_m[s_unit],
        compiled.unit_missed_ballistic[s_unit],
    )
    g_lon, g_lat = np.where(hit, np.nan, g_lon), np.where(hit, np.nan, g_lat)
    g_terr = territory_codes(g_lon, g_lat)  # -1 for NaN
    shots = pd.DataFrame(
        {
            "replication": raw.replications[raw.shot_rep],
            "unit": pd.Categorical.from_codes(s_unit, categories=list(compiled.unit_ids)),
            "system": np.asarray(compiled.unit_system_keys, dtype=object)[s_unit],
            "nation": np.asarray(compiled.nation_codes, dtype=object)[s_nation],
            "threat": s_threat,
            "threat_class": pd.Categorical.from_codes(
                compiled.threat_class[s_threat], categories=classes
            ),
            "fire_time_s": raw.shot_step * dt,
            "intercept_time_s": launch_step * dt + raw.shot_intercept_s,
            "lon_deg": s_lon,
            "lat_deg": s_lat,
            "territory": _territory_labels(s_terr),
            "outside_own_airspace": s_terr != compiled.nation_territory[s_nation],
            "hit": hit,
            "kill": kill,
            "cost_usd": compiled.unit_cost_usd[s_unit],
            "ground_lon_deg": g_lon,
            "ground_lat_deg": g_lat,
            "ground_territory": _territory_labels(np.asarray(g_terr, dtype=np.int64)),
        }
    )
    n_units = compiled.n_units
    unit_of_row = np.tile(np.arange(n_units), n_reps)
    stocks = pd.DataFrame(
        {
            "replication": np.repeat(raw.replications, n_units),
            "unit": pd.Categorical.from_codes(unit_of_row, categories=list(compiled.unit_ids)),
            "system": np.asarray(compiled.unit_system_keys, dtype=object)[unit_of_row],
            "nation": np.asarray(compiled.nation_codes, dtype=object)[
                compiled.unit_nation[unit_of_row]
            ],
            "initial_stock": raw.initial_stock.ravel(),
            "final_stock": raw.final_stock.ravel(),
        }
    )
    return Outcomes(threats=threats, shots=shots, stocks=stocks)
