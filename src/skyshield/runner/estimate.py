"""How long the reference engine will take, estimated from the scenario's size before it runs.

The reference engine (:mod:`skyshield.engine.reference`) walks every time step of every threat's
flight in plain Python, and at each step every fire unit and sensor: its time grows as threats x
flight time x (fire units + sensors). :func:`reference_seconds` multiplies that work by a
constant measured on the project's 2-core machine (:data:`REFERENCE_S_PER_UNIT_THREAT_FLIGHT_S`);
routes are taken as straight lines from launch site to first target, so it is an estimate, said
as one.
"""

from __future__ import annotations

from skyshield.catalog import load_catalog
from skyshield.geo import geodesic_distance_m
from skyshield.scenario import Scenario
from skyshield.scenario.check import asset_position

__all__ = ["REFERENCE_S_PER_UNIT_THREAT_FLIGHT_S", "reference_seconds", "reference_work"]

# Seconds of reference engine per (threat flight second x fire unit or sensor), one night.
# Measured (CPU time of skyshield.run(engine="reference", replications=1), geometry built
# before) on the shared 2-core machine: tests/tiny.yaml with 5x the threats launched from
# 37.5E, 50.5N (637,395 units of work): 3.78 s, 5.9e-6 s a unit; tests/tiny.yaml itself
# (47,326): 0.58 s, mostly fixed cost.
REFERENCE_S_PER_UNIT_THREAT_FLIGHT_S = 6.0e-6


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
    return REFERENCE_S_PER_UNIT_THREAT_FLIGHT_S * reference_work(scenario) * replications
