"""A raid pool: one compiled raid with its geometry, from which each campaign night flies a subset.

Building geometry (trajectories, engagement windows) is the costly part of a run, and a
campaign runs thousands of nights. A pool is built once: the largest night the campaign can
hold, per report class (drone, cruise, ballistic), flown from the usual launch areas at the
usual targets, the ballistic missiles as the reports of the campaign's nights aimed them
(:mod:`skyshield.campaigns.ballistic`). A night with ``n`` threats of a class flies ``n`` of
the pool's threats of that class drawn at random without replacement (so launch areas and
targets keep their mix); the others are idle that night: they fly an empty route set (no
window, nothing fires at them) and are not counted. The event loop
(:func:`skyshield.engine.kernel.simulate_block`) is the same as a single run's; only its inputs
change from night to night.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.calibration.model import NightEngine
from skyshield.catalog.types import REPORT_CLASSES, THREATS_OF_REPORT_CLASS
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.geometry import RaidGeometry, build_geometry
from skyshield.posture import NightComposition
from skyshield.scenario import Scenario

__all__ = ["HOME", "RaidPool", "national_pool", "scenario_pool"]

HOME = "UA"  # the defending nation: its systems' stocks are labelled by system key alone


@dataclass(frozen=True, slots=True)
class RaidPool:
    """A compiled raid pool with its geometry and what each night draws from it."""

    compiled: CompiledScenario
    geometry: RaidGeometry
    report_class: np.ndarray  # (n_threats,) int64: index in REPORT_CLASSES, -1 never flown
    unit_load: np.ndarray  # (n_units,) int64: rounds a unit takes into a night, stock allowing
    unit_in_action: np.ndarray  # (n_units,) float64: probability a unit is in action a night

    @property
    def capacity(self) -> np.ndarray:
        """(3,) int64: threats of each report class in the pool (the largest night it holds)."""
        return np.bincount(self.report_class[self.report_class >= 0], minlength=3).astype(np.int64)

    @property
    def systems(self) -> tuple[str, ...]:
        """Stock label of each fire unit: its system key, ``NATION/system`` for allies."""
        c = self.compiled
        return tuple(
            system if c.nation_codes[n] == HOME else f"{c.nation_codes[n]}/{system}"
            for system, n in zip(c.unit_system_keys, c.unit_nation, strict=True)
        )


def _report_classes(compiled: CompiledScenario) -> np.ndarray:
    out = np.full(compiled.n_threats, -1, dtype=np.int64)
    for k, name in enumerate(REPORT_CLASSES):
        for cls in THREATS_OF_REPORT_CLASS[name]:
            out[compiled.threat_class == cls.position] = k
    return out


def national_pool(
    capacity: NightComposition,
    theta: dict[str, float],
    *,
    route_sets: int = 4,
    seed: int = 1,
    allies: dict[str, Any] | None = None,
    ballistic: tuple[list[dict[str, Any]], dict[str, tuple[float, float]]] | None = None,
) -> RaidPool:
    """Build the night model's raid and national posture (:mod:`skyshield.posture.laydown`).

    ``allies`` (:func:`skyshield.posture.laydown.allied_blocks`) adds allied nations with
    their rules of engagement, units and sensors; their units are always in action.
    ``ballistic``: the pool's own ballistic waves and their launch sites
    (:func:`skyshield.campaigns.ballistic.ballistic_waves`), instead of the night model's
    default launch areas and targets.

    ``theta`` holds the night model's parameters (:data:`skyshield.calibration.model.PARAMETERS`):
    kill-probability and EW multipliers, the decoy share of Shahed-type threats, and the
    effective size of each system family (up to 1: the probability a unit is in action a night;
    above 1: its rounds, channels and ready rounds scaled, as in the night model).
    """
    night = NightEngine(
        capacity, route_sets=route_sets, seed=seed, allies=allies, ballistic=ballistic
    )
    compiled = night.compiled_for(theta)
    posture = night.unit_posture(theta)
    load = np.ceil(compiled.unit_stock * np.maximum(posture, 1.0)).astype(np.int64)
    return RaidPool(
        compiled=compiled,
        geometry=night.geometry,
        report_class=_report_classes(compiled),
        unit_load=load,
        unit_in_action=np.minimum(posture, 1.0),
    )


def scenario_pool(scenario: Scenario, *, seed: int = 1, route_sets: int = 1) -> RaidPool:
    """Any scenario's raid as a pool, every unit in action with its scenario stock as its load."""
    compiled = compile_scenario(scenario)
    geometry = build_geometry(compiled, seed, route_sets)
    return RaidPool(
        compiled=compiled,
        geometry=geometry,
        report_class=_report_classes(compiled),
        unit_load=np.asarray(compiled.unit_stock, dtype=np.int64),
        unit_in_action=np.ones(compiled.n_units),
    )
