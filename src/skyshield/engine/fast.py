"""The fast engine: precomputed windows plus the compiled event loop in :mod:`.kernel`."""

from __future__ import annotations

import numpy as np

from skyshield.catalog import ThreatClass
from skyshield.engine.aew import aew_inputs
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import ReplicationDraws
from skyshield.engine.ew import ew_loss_times_s
from skyshield.engine.falls import fall_times_s
from skyshield.engine.geometry import RaidGeometry
from skyshield.engine.kernel import KernelInputs, simulate_block
from skyshield.engine.outcomes import RawOutcomes
from skyshield.engine.windows import classes_allowed
from skyshield.geo import lonlat_to_ecef_m

__all__ = [
    "alert_track_times_s",
    "initial_stock_rows",
    "kernel_inputs",
    "reserve_floor",
    "reserve_floor_rows",
    "simulate_fast",
    "threat_priority",
]

# Priority of a threat aimed at an asset of value 0: such threats are still engaged, last.
_MIN_PRIORITY = 1e-3


def threat_priority(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) float64: value of the asset each threat is aimed at (floored above 0)."""
    return np.asarray(np.maximum(compiled.asset_value[compiled.threat_target], _MIN_PRIORITY))


def reserve_floor(compiled: CompiledScenario) -> np.ndarray:
    """(n_units, n_classes) int64: stock a unit keeps when firing at each class (reserves)."""
    reserves = compiled.unit_reserves
    return np.asarray(reserves.sum(axis=1, keepdims=True) - reserves, dtype=np.int64)


def reserve_floor_rows(
    compiled: CompiledScenario, n_reps: int, floor: np.ndarray | None
) -> np.ndarray:
    """(n_reps, n_units, n_classes) int64 reserve floor per replication.

    ``floor`` may be None (the scenario's reserves, :func:`reserve_floor`, every night), one
    (n_units, n_classes) array for all replications, or one per replication.
    """
    shape = (n_reps, *compiled.unit_reserves.shape)
    rows = reserve_floor(compiled) if floor is None else np.asarray(floor, dtype=np.int64)
    return np.ascontiguousarray(np.broadcast_to(rows, shape), dtype=np.int64)


def initial_stock_rows(
    compiled: CompiledScenario, n_reps: int, initial_stock: np.ndarray | None
) -> np.ndarray:
    """(n_reps, n_units) int64 rounds per unit at the start of each replication.

    ``initial_stock`` may be None (every replication starts from the scenario's stock), one row
    (n_units,) for all replications, or one row per replication (campaigns chain nights).
    """
    if initial_stock is None:
        return np.broadcast_to(compiled.unit_stock, (n_reps, compiled.n_units)).astype(np.int64)
    stock = np.asarray(initial_stock, dtype=np.int64)
    rows = np.broadcast_to(stock, (n_reps, compiled.n_units)).astype(np.int64)
    if (rows < 0).any():
        msg = "initial stock must be >= 0 for every unit"
        raise ValueError(msg)
    return rows


def kernel_inputs(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    draws: ReplicationDraws,
    initial_stock: np.ndarray | None = None,
    *,
    skip_idle_steps: bool = True,
    unit_reserve_floor: np.ndarray | None = None,
) -> KernelInputs:
    """Assemble the event loop's one input record for the replications in ``draws``.

    ``initial_stock``: see :func:`initial_stock_rows`; ``unit_reserve_floor``: see
    :func:`reserve_floor_rows`.
    """
    n_reps = draws.launch_step.shape[0]
    stock = initial_stock_rows(compiled, n_reps, initial_stock)
    allowed = classes_allowed(compiled)
    per_rep = int(min(stock.sum(axis=1).max(initial=0), compiled.n_threats * draws.kill_u.shape[2]))
    return KernelInputs(
        launch_step=draws.launch_step,
        realization=draws.realization,
        ew_lost_s=ew_loss_times_s(
            compiled, geometry.flights.exposure, draws.realization, draws.ew_budget
        ),
        kill_u=draws.kill_u,
        initial_stock=stock,
        flight_s=geometry.flight_s,
        threat_window_start=geometry.threat_window_start,
        threat_window_end=geometry.threat_window_end,
        window_unit=geometry.unit,
        window_k0=geometry.k0,
        window_k1=geometry.k1,
        window_outside_own=geometry.outside_own,
        vertex_start=geometry.vertex_start,
        vertex_end=geometry.vertex_end,
        vertex_time_s=geometry.vertex_time_s,
        vertex_ecef_m=geometry.vertex_ecef_m,
        unit_ecef_m=np.asarray(
            lonlat_to_ecef_m(compiled.unit_lon_deg, compiled.unit_lat_deg, 0.0), dtype=np.float64
        ).reshape(-1, 3),
        unit_interceptor_mps=np.asarray(compiled.unit_interceptor_mps, dtype=np.float64),
        time_step_s=float(compiled.time_step_s),
        threat_class=compiled.threat_class.astype(np.int64),
        threat_priority=threat_priority(compiled),
        threat_decoy=compiled.threat_class == ThreatClass.DECOY.position,
        discrimination_u=draws.discrimination_u,
        unit_knows_decoys=np.ascontiguousarray(allowed[:, ThreatClass.DECOY.position]),
        unit_takes_drones=np.ascontiguousarray(allowed[:, ThreatClass.DRONE.position]),
        unit_decoy_discrimination=compiled.unit_decoy_discrimination,
        unit_nation=compiled.unit_roe_nation.astype(np.int64),  # whose cap (issue #22)
        unit_channels=compiled.unit_channels,
        unit_ready_capacity=compiled.unit_ready_capacity,
        unit_reload_steps=np.ceil(compiled.unit_reload_s / compiled.time_step_s).astype(np.int64),
        unit_pk=compiled.unit_pk,
        unit_rounds=compiled.unit_rounds_per_engagement,
        unit_rounds_per_target=compiled.unit_rounds_per_target,
        unit_reserve_floor=reserve_floor_rows(compiled, n_reps, unit_reserve_floor),
        nation_cap=compiled.roe_cap_outside,
        shot_capacity=max(per_rep * n_reps, 1),
        skip_idle_steps=skip_idle_steps,
        # issue #22: identification and what is done with a target identified as a decoy
        window_threatening=geometry.threatening,
        threat_drone=compiled.threat_class == ThreatClass.DRONE.position,
        identification_u=np.ascontiguousarray(draws.identification(), dtype=np.float64),
        unit_require_id=np.asarray(compiled.roe_require_id[compiled.unit_roe_nation]),
        unit_drone_taken_for_decoy=compiled.unit_drone_taken_for_decoy,
        unit_engage_decoys=compiled.roe_engage_decoys[compiled.unit_roe_nation].astype(np.int64),
        fall_s=fall_times_s(compiled, draws.fall_budget),
        unit_on_s=compiled.unit_on_s,
        unit_off_s=compiled.unit_off_s,
        unit_platform=compiled.unit_platform,
        unit_adequate_pk=compiled.unit_adequate_pk,
        unit_cost_usd=compiled.unit_cost_usd,
        unit_alert=compiled.unit_alert,
        alert_track_s=alert_track_times_s(compiled, geometry),
        alert_networks=np.ascontiguousarray(compiled.alert_networks, dtype=bool),
        aew=aew_inputs(compiled, geometry.pieces if compiled.orbit_sensor.size else ()),
        unit_wait_cheaper=np.asarray(compiled.unit_wait_cheaper, dtype=bool),
    )


def alert_track_times_s(compiled: CompiledScenario, geometry: RaidGeometry) -> np.ndarray:
    """(n_realizations, n_alert_groups, n_threats) float64: first track of each alert group.

    The first time after each threat's launch any network of the group holds a track on it
    (``inf``: never), per route set (:mod:`skyshield.engine.air`, quick reaction alert).
    """
    groups = compiled.alert_networks
    out = np.full((geometry.n_realizations, groups.shape[0], compiled.n_threats), np.inf)
    for r, windows in enumerate(geometry.windows):
        for g in range(groups.shape[0]):
            out[r, g] = windows.track_s[groups[g]].min(axis=0, initial=np.inf)
    return out


def simulate_fast(
    compiled: CompiledScenario,
    geometry: RaidGeometry,
    draws: ReplicationDraws,
    initial_stock: np.ndarray | None = None,
    *,
    skip_idle_steps: bool = True,
) -> RawOutcomes:
    """Simulate the replications in ``draws`` with the fast engine.

    ``initial_stock``: see :func:`initial_stock_rows`. ``skip_idle_steps=False`` makes the
    event loop visit every step (slower; tests compare both).
    """
    if compiled.optimal_assignment:
        msg = "the fast engine assigns greedily; use the reference engine for optimal assignment"
        raise NotImplementedError(msg)
    inputs = kernel_inputs(
        compiled, geometry, draws, initial_stock, skip_idle_steps=skip_idle_steps
    )
    out = simulate_block(inputs)
    return RawOutcomes(
        replications=draws.replications,
        realization=np.asarray(draws.realization),
        launch_step=np.asarray(draws.launch_step),
        fate=out.fate,
        fate_s=out.fate_s,
        fate_unit=out.fate_unit,
        initial_stock=inputs.initial_stock,
        final_stock=out.final_stock,
        shot_rep=out.shot_rep,
        shot_unit=out.shot_unit,
        shot_threat=out.shot_threat,
        shot_step=out.shot_step,
        shot_intercept_s=out.shot_intercept_s,
        shot_hit=out.shot_hit,
    )
