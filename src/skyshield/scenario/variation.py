"""Scenario variations: a field reached by a dotted path, set to another value, revalidated.

``compare --vary`` and ``sweep --param`` both go through :func:`apply_variation`, so a path
means the same thing everywhere: dict keys by name (``nations.PL.roe.zone.buffer_km``), list
items by index (``raid.waves.0.count`` or ``raid.waves[0].count``) or, in lists of objects with
an ``id`` (fire units, sensors, EW zones), by that id (``fire_units.ua-gepard-kharkiv.stock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario.check import check_references
from skyshield.scenario.load import field_errors, field_problem
from skyshield.scenario.models import Scenario

__all__ = ["Variation", "apply_variation", "field_value", "parse_variation"]


@dataclass(frozen=True, slots=True)
class Variation:
    """A scenario field (dotted path) and the values to try, from ``--vary path=a,b``."""

    path: str
    values: tuple[Any, ...]


def parse_variation(text: str) -> Variation:
    """Parse ``path=value1,value2`` (values read as YAML scalars: ``60``, ``true``, ``own``).

    A value may also be a YAML flow list or mapping, or a quoted text: commas inside brackets,
    braces or quotes do not separate values (``roe.classes=[drone, cruise],[drone]`` is two
    lists, ``roe.threat_assessment={within_km: 30}`` one mapping).
    """
    path, sep, values = text.partition("=")
    items = [v.strip() for v in _split_values(values) if v.strip()]
    if not sep or not path.strip() or not items:
        raise ScenarioError("--vary", [FieldProblem("", "path=value1,value2", repr(text))])
    parsed = []
    for item in items:
        try:
            parsed.append(yaml.safe_load(item))
        except yaml.YAMLError:
            expected = "a YAML value (a number, true, a name, [a list] or {a: mapping})"
            problem = FieldProblem(path.strip(), expected, repr(item))
            raise ScenarioError("--vary", [problem]) from None
    return Variation(path.strip(), tuple(parsed))


def _split_values(text: str) -> list[str]:
    """Split ``text`` at the commas outside brackets, braces and quotes."""
    items: list[str] = []
    depth, quote, start = 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _path_keys(path: str) -> list[str | int]:
    keys: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            keys.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            keys.append(int(index))
            rest = rest.removeprefix("[")
    return keys


def _resolve(data: Any, path: str) -> tuple[Any, str | int, tuple[str | int, ...]]:
    """Find the container of the field at ``path`` in a dumped scenario.

    A list item is reached by index (``raid.waves.0.count``, ``raid.waves[0].count``) or, in a
    list of objects with an ``id``, by that id (``fire_units.ua-gepard-kharkiv.stock``).
    Returns the container, the key in it, and the pydantic location of the field.

    Raises
    ------
    KeyError, IndexError, TypeError, ValueError
        No such field.
    """
    node: Any = data
    loc: list[str | int] = []
    keys = _path_keys(path)
    for depth, key in enumerate(keys):
        if isinstance(node, list):
            if isinstance(key, str) and not key.isdigit():
                ids = [i for i, item in enumerate(node) if isinstance(item, dict)]
                matches = [i for i in ids if node[i].get("id") == key]
                if not matches:
                    raise KeyError(key)
                key = matches[0]
            key = int(key)
            if not 0 <= key < len(node):
                raise IndexError(key)
        elif not isinstance(node, dict) or key not in node:
            raise KeyError(key)
        loc.append(key)
        if depth == len(keys) - 1:
            return node, key, tuple(loc)
        node = node[key]
    raise KeyError(path)


def apply_variation(scenario: Scenario, path: str, value: Any, *, source: str) -> Scenario:
    """Return ``scenario`` with the field at dotted ``path`` set to ``value``, revalidated.

    List items are addressed by index or, for fire units, sensors and EW zones, by id (see
    :func:`_resolve`); a problem with the value is reported at ``path`` as the user wrote it.
    """
    data = scenario.model_dump(mode="json", exclude_defaults=False)
    try:
        node, key, loc = _resolve(data, path)
    except (KeyError, IndexError, TypeError, ValueError):
        raise ScenarioError(
            source, [FieldProblem(path, "the path of a field in the scenario", "no such field")]
        ) from None
    node[key] = value
    try:
        varied = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in field_errors(exc):
            problem = field_problem(error)
            if tuple(error["loc"]) == loc:  # the varied field: name it as the user did
                problem = FieldProblem(path, problem.expected, problem.found)
            problems.append(problem)
        raise ScenarioError(source, problems) from None
    problems = check_references(varied)
    if problems:
        raise ScenarioError(source, problems)
    return varied


def field_value(scenario: Scenario, path: str, *, source: str) -> Any:
    """Return the value (as JSON: numbers, text, lists, dicts) of the field at ``path``."""
    data = scenario.model_dump(mode="json", exclude_defaults=False)
    try:
        node, key, _ = _resolve(data, path)
    except (KeyError, IndexError, TypeError, ValueError):
        raise ScenarioError(
            source, [FieldProblem(path, "the path of a field in the scenario", "no such field")]
        ) from None
    return node[key]
