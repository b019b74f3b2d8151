"""Threats' own kill-probability scale and reaction time, as the fast engine reads them.

Issue 23 (cruise): the compiled scenario's ``threat_pk_scale`` multiplies a round's kill
chance against each threat (capped at :data:`~skyshield.engine.scaling.PK_MAX` where scaled;
units still choose and rank by their ``unit_pk``), and ``threat_engage_after_s`` is the time
after each threat's launch before any unit may fire at it. The event loop reads the first as
an array; the second moves the start of every engagement window on the threat: a window's
steps count from its threat's launch, so its first step becomes at least
``ceil(engage_after_s / time_step_s)``, capped at its end (an empty window). The reference
engine applies both rules on its own (:mod:`skyshield.engine.reference`, ``may_fire`` and the
kill draw).
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.geometry import RaidGeometry

__all__ = ["engage_after_steps", "reacting_k0", "threat_pk_scale", "window_threats"]

_STEP_EPS = 1e-9  # a time on the step grid counts as that step


def threat_pk_scale(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) float64: the scale on each threat's kill chance (ones when unset)."""
    if compiled.threat_pk_scale is None:
        return np.ones(compiled.n_threats)
    return np.ascontiguousarray(compiled.threat_pk_scale, dtype=np.float64)


def engage_after_steps(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) int64: the first step after launch at which a unit may fire at each threat."""
    if compiled.threat_engage_after_s is None:
        return np.zeros(compiled.n_threats, dtype=np.int64)
    after = np.asarray(compiled.threat_engage_after_s, dtype=np.float64)
    steps = np.ceil(after / float(compiled.time_step_s) - _STEP_EPS)
    return np.maximum(steps, 0).astype(np.int64)


def window_threats(geometry: RaidGeometry) -> np.ndarray:
    """(n_windows_all,) int64: the threat each engagement window is on (-1: none)."""
    start = np.asarray(geometry.threat_window_start, dtype=np.int64).ravel()
    end = np.asarray(geometry.threat_window_end, dtype=np.int64).ravel()
    n_threats = np.asarray(geometry.threat_window_start).shape[1]
    counts = np.maximum(end - start, 0)
    out = np.full(np.asarray(geometry.k0).shape[0], -1, dtype=np.int64)
    first = np.cumsum(counts) - counts
    positions = np.repeat(start - first, counts) + np.arange(int(counts.sum()))
    out[positions] = np.repeat(
        np.tile(np.arange(n_threats), start.size // max(n_threats, 1)), counts
    )
    return out


def reacting_k0(compiled: CompiledScenario, geometry: RaidGeometry) -> np.ndarray:
    """(n_windows_all,) int64: window starts with each threat's reaction time applied."""
    k0 = np.asarray(geometry.k0)
    steps = engage_after_steps(compiled)
    if not np.any(steps > 0):
        return k0
    owner = window_threats(geometry)
    late = np.where(owner >= 0, steps[np.maximum(owner, 0)], 0)
    return np.asarray(np.minimum(np.maximum(k0, late), np.asarray(geometry.k1)), dtype=k0.dtype)
