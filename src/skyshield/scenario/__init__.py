"""Scenario files: typed models, loading with clear errors, the JSON Schema, shipped examples."""

from __future__ import annotations

from skyshield.scenario.check import placement_warnings, range_warnings, scenario_warnings
from skyshield.scenario.load import (
    DEFAULT_SCENARIO,
    builtin_scenario_names,
    builtin_scenario_path,
    load_scenario,
    parse_scenario,
)
from skyshield.scenario.models import Scenario
from skyshield.scenario.schema import scenario_json_schema

__all__ = [
    "DEFAULT_SCENARIO",
    "Scenario",
    "builtin_scenario_names",
    "builtin_scenario_path",
    "load_scenario",
    "parse_scenario",
    "placement_warnings",
    "range_warnings",
    "scenario_json_schema",
    "scenario_warnings",
]
