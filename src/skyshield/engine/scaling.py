"""Transforms of a compiled scenario that keep its geometry: kill probabilities and EW scaled.

Engagement windows depend on whether a kill probability is non-zero, not on its value, and the
flight paths not on EW loss rates, so a run's geometry holds for every scaled copy: the
calibration's night model, the sweep's ``pk_scale.*`` parameters and an applied calibration use
these on one compiled scenario and one geometry.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from skyshield.catalog.types import THREATS_OF_REPORT_CLASS
from skyshield.engine.compiled import CompiledScenario, readonly

__all__ = ["PK_MAX", "scaled_compiled", "scaled_pk"]

PK_MAX = 0.99  # a scaled single-round kill probability never reaches certainty


def scaled_compiled(
    compiled: CompiledScenario,
    *,
    pk_drone: float = 1.0,
    pk_cruise: float = 1.0,
    pk_ballistic: float = 1.0,
    ew: float = 1.0,
) -> CompiledScenario:
    """Kill probabilities scaled per report class (capped at PK_MAX), EW loss rates by ``ew``.

    Drone also scales decoys, cruise also supersonic. Engagement windows do not depend on
    either (only on whether a kill probability is non-zero), so a run's geometry still holds.
    """
    return dataclasses.replace(
        compiled,
        unit_pk=readonly(scaled_pk(compiled.unit_pk, pk_drone, pk_cruise, pk_ballistic)),
        threat_ew_rate_per_m=readonly(compiled.threat_ew_rate_per_m * ew),
    )


def scaled_pk(
    unit_pk: np.ndarray, pk_drone: float, pk_cruise: float, pk_ballistic: float
) -> np.ndarray:
    """(n_units, n_classes) float64: a copy of ``unit_pk`` scaled as in :func:`scaled_compiled`."""
    pk = np.array(unit_pk)
    factors = {"drone": pk_drone, "cruise": pk_cruise, "ballistic": pk_ballistic}
    for name, factor in factors.items():
        for cls in THREATS_OF_REPORT_CLASS[name]:
            pk[:, cls.position] = np.minimum(pk[:, cls.position] * factor, PK_MAX)
    return pk
