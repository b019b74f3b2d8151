"""How long the reference engine will take, estimated from the scenario's size before it runs.

The reference engine (:mod:`skyshield.engine.reference`) walks every time step of every threat's
flight in plain Python, and at each step every fire unit and sensor: its time grows as threats x
flight time x (fire units + sensors), somewhat faster than in proportion.
:func:`reference_seconds` turns that work into seconds by a power law fitted to runs measured
on the project's 2-core machine (:data:`REFERENCE_EXPONENT`); routes are taken as straight
lines from launch site to first target, so it is an estimate, said as one.
"""

from __future__ import annotations

from skyshield.catalog import load_catalog
from skyshield.geo import geodesic_distance_m
from skyshield.scenario import Scenario
from skyshield.scenario.check import asset_position

__all__ = [
    "REFERENCE_EXPONENT",
    "REFERENCE_NIGHT_S",
    "REFERENCE_WORK",
    "reference_seconds",
    "reference_work",
]

# One night of the reference engine takes REFERENCE_NIGHT_S x (work / REFERENCE_WORK) **
# REFERENCE_EXPONENT seconds, a power law through two runs measured on the shared 2-core
# machine (CPU time of skyshield.run(engine="reference", replications=1), geometry built
# before): tests/tiny.yaml with 5x the threats launched from 37.5E, 50.5N (work 637,395):
# 3.78 s; western-raid (work 39,885,847): stopped still running after 18 min 27 s of CPU (of
# which under a minute was the fast run and geometry), so at least ~1,050 s, which gives the
# exponent 1.36 (more than 1: the engine's work per step grows with the threats in the air
# too). A lower bound: the estimate errs short on the largest raids.
# tests/tiny.yaml (work 47,326) took 0.58 s, mostly fixed cost; the law says 0.1 s.
REFERENCE_NIGHT_S = 3.78
REFERENCE_WORK = 637_395.0
REFERENCE_EXPONENT = 1.36


def reference_work(scenario: Scenario) -> float:
    """Threat flight seconds x (fire units + sensors) of one night, straight-line routes.

    Units: seconds (of flight) times a count.
    """
    threats = load_catalog().threats
    flight_s = 0.0
    for wave in scenario.raid.waves:
        site = scenario.raid.launch_sites[wave.launch_site]
        target = asset_position(scenario, wave.targets[0])
        if target is None:
            continue
        metres = float(
            geodesic_distance_m(site.lon_deg, site.lat_deg, target.lon_deg, target.lat_deg)
        )
        flight_s += wave.count * metres / threats[wave.threat].speed_mps
    return flight_s * (len(scenario.fire_units) + len(scenario.sensors))


def reference_seconds(scenario: Scenario, replications: int) -> float:
    """Estimated seconds the reference engine takes for ``replications`` nights (not geometry).

    Units: seconds.
    """
    ratio = reference_work(scenario) / REFERENCE_WORK
    per_night = REFERENCE_NIGHT_S * float(ratio**REFERENCE_EXPONENT)
    return per_night * replications
