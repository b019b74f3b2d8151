"""skyshield: Monte Carlo simulator of multinational air and missile defence.

An analysis tool at the level of public information; it takes no live data and controls nothing.
"""

from __future__ import annotations

from skyshield.api import RunSummary, compare, run, sweep
from skyshield.errors import CatalogError, GeographyError, ScenarioError, SkyshieldError
from skyshield.scenario import Scenario, load_scenario

__all__ = [
    "CatalogError",
    "GeographyError",
    "RunSummary",
    "Scenario",
    "ScenarioError",
    "SkyshieldError",
    "compare",
    "load_scenario",
    "run",
    "sweep",
]

__version__ = "0.1.0.dev0"
