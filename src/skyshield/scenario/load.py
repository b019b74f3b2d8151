"""Read scenario files into :class:`Scenario` objects, or fail with a clear error.

A broken file raises :class:`~skyshield.errors.ScenarioError` listing every problem found as
``file: field.path: expected X, got Y``; nothing else escapes (no traceback for the CLI to show).
"""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario.check import check_references
from skyshield.scenario.models import Scenario
from skyshield.yamlio import YamlInputError, load_yaml

__all__ = [
    "DEFAULT_SCENARIO",
    "builtin_scenario_names",
    "builtin_scenario_path",
    "load_scenario",
    "parse_scenario",
]

DEFAULT_SCENARIO = "default"
ModelT = TypeVar("ModelT", bound=BaseModel)
_MAX_FOUND_CHARS = 60
# pydantic error types whose message reads poorly after "expected"
_EXPECTED = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
}


def builtin_scenario_names() -> tuple[str, ...]:
    """Names of the example scenarios shipped inside the package, sorted."""
    examples = importlib.resources.files("skyshield.scenario") / "examples"
    return tuple(
        sorted(p.name[: -len(".yaml")] for p in examples.iterdir() if p.name.endswith(".yaml"))
    )


def builtin_scenario_path(name: str) -> Path:
    """Path of the shipped example scenario ``name`` (without ``.yaml``)."""
    if name not in builtin_scenario_names():
        known = ", ".join(builtin_scenario_names())
        raise ScenarioError(name, [FieldProblem("", f"a built-in scenario ({known})", repr(name))])
    return Path(str(importlib.resources.files("skyshield.scenario") / "examples" / f"{name}.yaml"))


def load_scenario(source: str | Path | None = None) -> Scenario:
    """Load a scenario from a file path, a built-in name, or the default when ``None``.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, not YAML, or does not describe a valid scenario.
    """
    if source is None:
        source = builtin_scenario_path(DEFAULT_SCENARIO)
    path = Path(source)
    if not path.exists() and str(source) in builtin_scenario_names():
        path = builtin_scenario_path(str(source))
    known = ", ".join(builtin_scenario_names())
    text = read_input(path, f"an existing file or a built-in scenario ({known})")
    return parse_scenario(text, source=str(path))


def read_input(path: Path, missing: str = "an existing file") -> str:
    """Read an input file's text, or raise :class:`ScenarioError` saying why it cannot be."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [FieldProblem("", missing, "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = FieldProblem("", "a readable UTF-8 text file", type(exc).__name__)
        raise ScenarioError(str(path), [problem]) from None


def parse_model(text: str, model: type[ModelT], *, source: str, what: str) -> ModelT:
    """Parse YAML text into a pydantic model, every problem a :class:`FieldProblem`.

    ``what`` names the file's kind in the message for a file that is not a mapping.
    """
    try:
        raw = load_yaml(text)
    except YamlInputError as exc:
        problem = FieldProblem(format_path(exc.path), exc.expected, exc.found)
        raise ScenarioError(source, [problem]) from None
    if not isinstance(raw, dict):
        found = "an empty file" if raw is None else type(raw).__name__
        raise ScenarioError(source, [FieldProblem("", f"a mapping of {what} fields", found)])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(source, [field_problem(e) for e in field_errors(exc)]) from None


def field_errors(exc: ValidationError) -> list[ErrorDetails]:
    """``exc``'s errors, less the ones that only repeat an item's error on its list."""
    return [e for e in exc.errors() if not _too_short_after_bad_items(e)]


def _too_short_after_bad_items(error: ErrorDetails) -> bool:
    """Tell if pydantic calls a list too short only because its items failed (each said alone).

    With one wave and a typo in it, pydantic also says ``raid.waves`` has "at least 1 item after
    validation, not 0": the file has its wave, so that second line would only mislead.
    """
    if error["type"] != "too_short":
        return False
    value = error.get("input")
    minimum = error.get("ctx", {}).get("min_length", 0)
    return isinstance(value, list | tuple | dict) and len(value) >= minimum


def parse_scenario(text: str, *, source: str = "<string>") -> Scenario:
    """Parse scenario YAML text; ``source`` names it in error messages."""
    scenario = parse_model(text, Scenario, source=source, what="scenario")
    problems = check_references(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def format_path(loc: tuple[int | str, ...]) -> str:
    """Dotted field path from a pydantic location: ``raid.waves[2].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _shorten_text(text: str) -> str:
    return text if len(text) <= _MAX_FOUND_CHARS else text[: _MAX_FOUND_CHARS - 3] + "..."


def _shorten(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int over Python's 4300-digit str() limit (a hex literal in YAML)
        text = f"a value too large to show ({type(value).__name__})"
    return _shorten_text(text)


def field_problem(error: ErrorDetails) -> FieldProblem:
    """One pydantic validation error as a :class:`FieldProblem` (path, expected, found)."""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = error["type"]
    message = error["msg"]
    if kind == "extra_forbidden":
        return FieldProblem(
            format_path(loc[:-1]) or "(top level)",
            "only known fields",
            f"unknown field {loc[-1]!r}",
        )
    if kind == "missing":
        return FieldProblem(format_path(loc), "a value (required field)", "nothing")
    if kind == "renamed_field":
        old = error.get("ctx", {}).get("old")
        return FieldProblem(format_path(loc) or "(top level)", message, f"{old!r}, its old name")
    if kind == "value_error":
        return FieldProblem(
            format_path(loc) or "(top level)",
            message.removeprefix("Value error, "),
            "an inconsistent combination",
        )
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
    else:
        # "Input should be a valid integer", "Tuple should have at least 1 item": keep what
        # follows; pydantic's own ", got ..." (a fractional number) would read "got" twice
        expected = re.sub(r"^\w+ should (?:be |have )?", "", message).split(", got ")[0]
    value = error.get("input")
    # a YAML boolean as the file spells it (`true`), not as Python prints it
    found = str(value).lower() if isinstance(value, bool) else _shorten(value)
    return FieldProblem(format_path(loc), expected, found)
