"""When a threat comes down on its own: fuel exhaustion and random losses (issue #22).

A threat falls at ``min(endurance, E / rate)`` after its launch, where ``E`` is its
replication's standard exponential draw (:attr:`ReplicationDraws.fall_budget`, its own random
stream) and ``rate`` its type's hazard of coming down per second of flight (link loss,
malfunction): the random time is exponential with that rate. It falls only if this comes
before the end of its flight and before it is lost to electronic warfare; both engines treat it
like the EW loss time (alive until the earlier of the two, intercepted only before it).
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.compiled import CompiledScenario

__all__ = ["fall_times_s"]


def fall_times_s(compiled: CompiledScenario, fall_budget: np.ndarray) -> np.ndarray:
    """Time after launch each threat comes down on its own, or inf.

    Units: seconds.

    Parameters
    ----------
    compiled : the scenario (``threat_endurance_s``, ``threat_loss_rate_per_s``)
    fall_budget : (n_reps, n_threats) float64, standard exponential draws

    Returns
    -------
    (n_reps, n_threats) float64
    """
    rate = np.asarray(compiled.threat_loss_rate_per_s, dtype=np.float64)
    budget = np.asarray(fall_budget, dtype=np.float64)
    random_s = np.where(rate > 0, budget / np.where(rate > 0, rate, 1.0), np.inf)
    return np.ascontiguousarray(
        np.minimum(np.asarray(compiled.threat_endurance_s, dtype=np.float64), random_s)
    )
