"""The published JSON Schema of scenario files (``skyshield schema`` writes it)."""

from __future__ import annotations

import re
from typing import Any

from skyshield.scenario.models import Scenario

__all__ = ["SCHEMA_ID", "scenario_json_schema"]

SCHEMA_ID = "https://github.com/skyshield/skyshield/schema/scenario.schema.json"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, generated from the pydantic models."""
    schema = _plain_descriptions(Scenario.model_json_schema(mode="validation"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "skyshield scenario",
        **schema,
    }


# Sphinx markup of the models' docstrings: ``literal`` and :role:`Target` (or `~a.b.Target`)
_LITERAL = re.compile(r"``([^`]+)``")
_ROLE = re.compile(r":[a-z]+:`~?(?:[\w.]+\.)?([^`.]+)`")


def plain_description(text: str) -> str:
    """Rewrite a docstring's Sphinx markup as Markdown, as editors and the web form show it.

    A double-backticked literal becomes single-backticked; a cross-reference role (class,
    func, ...) around a name becomes the name in single backticks.
    """
    return _LITERAL.sub(r"`\1`", _ROLE.sub(r"`\1`", text))


def _plain_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: plain_description(v)
            if k == "description" and isinstance(v, str)
            else _plain_descriptions(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_plain_descriptions(v) for v in node]
    return node
