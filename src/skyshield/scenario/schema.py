"""The published JSON Schema of scenario files (``skyshield schema`` writes it)."""

from __future__ import annotations

from typing import Any

from skyshield.scenario.models import Scenario

__all__ = ["SCHEMA_ID", "scenario_json_schema"]

SCHEMA_ID = "https://github.com/skyshield/skyshield/schema/scenario.schema.json"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, generated from the pydantic models."""
    schema = Scenario.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "skyshield scenario",
        **schema,
    }
