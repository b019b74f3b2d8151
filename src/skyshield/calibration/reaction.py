"""Tactical cruise missiles apart: their own reaction time and kill probability (issue 23).

A strategic cruise salvo is announced hours ahead: the Air Force posts the Tu-95MS bombers'
take-off and when they should reach their launch areas (e.g. Ukrinform, 2024-11-13: "up to
six Tu-95ms bombers from Olenegorsk ... expected to reach the missile launch areas at 5:00
a.m.", ``ukrinform-2024-tu95-takeoff``; APP, 2024-02-15, ``app-2024-tu95-olenya``), and the
Kh-101s then fly for an hour or more before they reach Ukraine. A tactical cruise missile
(Kh-59/69 from a Su-34 near the border, Iskander-K from the ground: the night model's
:data:`~skyshield.posture.laydown.TACTICAL_THREAT`) gives no such notice: it flies 20 minutes
at most (the catalog's ``kh-59-69`` endurance, range over speed), so crews, fighters and mobile
groups not already on it have little or no time to be cued.

Two fitted parameters of the night model (:data:`~skyshield.calibration.model.PARAMETERS`)
act on the tactical missiles only, through the engines' per-threat rules
(:class:`~skyshield.engine.compiled.CompiledScenario`'s ``threat_engage_after_s`` and
``threat_pk_scale``, in the fast and the reference engine alike):

* ``reaction_tactical``: no unit may engage a tactical cruise missile before that many
  minutes after its launch; strategic cruise missiles are not delayed (their warning came
  before their launch);
* ``pk_tactical``: the multiplier on kill probabilities against tactical cruise missiles, in
  place of ``pk_cruise`` (which then acts on the strategic ones alone): different missiles
  (the catalog's Kh-59/69 flies at 100 m, the Kh-101 lower; the fit decides what the reports
  say), and short flights at the front, where the defence stands thinner.

So the strategic salvos' share is fitted by ``pk_cruise`` from the nights that fly them, and
is no longer pulled down by the many small tactical nights (40 of the 50 validation cruise
nights; session 5's finding). At ``reaction_tactical`` 0 and ``pk_tactical`` = ``pk_cruise``
every outcome is the engine's as before.
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.posture.laydown import TACTICAL_THREAT

__all__ = ["tactical_rules", "tactical_threats"]


def tactical_threats(compiled: CompiledScenario) -> np.ndarray:
    """(n_threats,) bool: the tactical cruise missiles (no advance warning)."""
    keys = np.asarray(compiled.threat_type_keys)
    return np.asarray(keys[compiled.threat_type] == TACTICAL_THREAT)


def tactical_rules(
    tactical: np.ndarray, reaction_min: float, pk_tactical: float, pk_cruise: float
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(threat_engage_after_s, threat_pk_scale) for the engines; None where nothing changes.

    The compiled scenario's cruise kill probabilities are already scaled by ``pk_cruise``
    (:func:`~skyshield.engine.scaling.scaled_compiled`), so a tactical missile's scale is
    ``pk_tactical / pk_cruise``: its kill chance becomes the catalog's × ``pk_tactical``
    (capped at :data:`~skyshield.engine.scaling.PK_MAX`; where the catalog's × ``pk_cruise``
    was already capped, from that cap).
    """
    if not np.any(tactical):
        return None, None
    after = None
    if reaction_min > 0:
        after = readonly(np.where(tactical, 60.0 * reaction_min, 0.0))
    scale = None
    ratio = pk_tactical / pk_cruise
    if ratio != 1.0:
        scale = readonly(np.where(tactical, ratio, 1.0))
    return after, scale
