"""The fast engine: precomputed windows plus the compiled event loop in :mod:`.kernel`."""

from __future__ import annotations

import numpy as np

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import ReplicationDraws
from skyshield.engine.geometry import RaidGeometry
from skyshield.engine.kernel import simulate_block
from skyshield.engine.outcomes import RawOutcomes

__all__ = ["simulate_fast", "threat_priority"]

# Priority of a threat aimed at an asset of value 0: such threats are still engaged, last.
_MIN_PRIORITY = 1e-3


def threat_priority(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) float64: value of the asset each threat is aimed at (floored above 0)."""
    return np.asarray(np.maximum(compiled.asset_value[compiled.threat_target], _MIN_PRIORITY))


def simulate_fast(
    compiled: CompiledScenario, geometry: RaidGeometry, draws: ReplicationDraws
) -> RawOutcomes:
    """Simulate the replications in ``draws`` with the fast engine."""
    if compiled.optimal_assignment:
        msg = "the fast engine assigns greedily; use the reference engine for optimal assignment"
        raise NotImplementedError(msg)
    n_reps = draws.launch_step.shape[0]
    per_rep = int(min(compiled.unit_stock.sum(), compiled.n_threats * draws.kill_u.shape[2]))
    reload_steps = np.ceil(compiled.unit_reload_s / compiled.time_step_s).astype(np.int64)
    out = simulate_block(
        draws.launch_step,
        draws.realization,
        draws.ew_fraction,
        draws.kill_u,
        geometry.last_sample,
        geometry.threat_window_start,
        geometry.threat_window_end,
        geometry.unit,
        geometry.k0,
        geometry.k1,
        geometry.offset,
        geometry.intercept_k,
        geometry.outside_own,
        compiled.threat_class.astype(np.int64),
        threat_priority(compiled),
        compiled.unit_nation.astype(np.int64),
        compiled.unit_channels,
        compiled.unit_ready_capacity,
        compiled.unit_stock,
        reload_steps,
        compiled.unit_pk,
        compiled.unit_rounds_per_engagement,
        compiled.roe_cap_outside,
        max(per_rep * n_reps, 1),
    )
    fate, fate_step, fate_unit, fate_k, s_rep, s_unit, s_threat, s_step, s_k, s_hit = out
    return RawOutcomes(
        replications=draws.replications,
        realization=np.asarray(draws.realization),
        fate=fate,
        fate_step=fate_step,
        fate_unit=fate_unit,
        fate_k=fate_k,
        shot_rep=s_rep,
        shot_unit=s_unit,
        shot_threat=s_threat,
        shot_step=s_step,
        shot_k=s_k,
        shot_hit=s_hit,
    )
