"""The notional night laydown: one report night's raid and Ukraine's defences as a scenario.

Shared by the calibration (which fits multipliers on it) and the campaigns (which run nights of
it with stocks and deliveries); every position, stock and split is an illustrative assumption
(:mod:`skyshield.posture.laydown`).
"""

from __future__ import annotations

from skyshield.posture.fighters import FIGHTER_PATROL_PREFIX
from skyshield.posture.geography import NightGeography, night_geographies
from skyshield.posture.laydown import (
    AIR_FAMILY,
    CRUISE_HOLD_SHARE,
    FAMILIES,
    FAMILY_OF_SYSTEM,
    LAUNCH_AREAS,
    LAUNCHED_AT_SEA,
    LAYDOWN,
    TACTICAL_CRUISE_MODELS,
    TACTICAL_THREAT,
    NightComposition,
    allied_blocks,
    night_scenario,
)
from skyshield.posture.routes import ROUTE_UNIT_PREFIX

__all__ = [
    "AIR_FAMILY",
    "CRUISE_HOLD_SHARE",
    "FAMILIES",
    "FAMILY_OF_SYSTEM",
    "FIGHTER_PATROL_PREFIX",
    "LAUNCHED_AT_SEA",
    "LAUNCH_AREAS",
    "LAYDOWN",
    "ROUTE_UNIT_PREFIX",
    "TACTICAL_CRUISE_MODELS",
    "TACTICAL_THREAT",
    "NightComposition",
    "NightGeography",
    "allied_blocks",
    "night_geographies",
    "night_scenario",
]
