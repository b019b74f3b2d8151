"""Sweep designs: which points a sweep runs, each with its own seed.

A point is a tuple of ``(path, value)`` pairs. Its identity (:attr:`Point.key`) is a hash of
those pairs alone, and its seed derives from the run seed and that identity
(:func:`Point.seed`), so a point's results never depend on the workers, the order points run
in, or which other points the design holds; a point that occurs twice in a design (a Sobol
design with rounded integers) is run once.

Paths are scenario fields (:mod:`skyshield.scenario.variation`) or a kill-probability
multiplier ``pk_scale.drone`` / ``pk_scale.cruise`` / ``pk_scale.ballistic`` (every unit's
single-shot kill probability against that report class, capped at 0.99, as a calibration
applies it: :func:`skyshield.engine.scaling.scaled_compiled`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario import Scenario
from skyshield.scenario.variation import apply_variation, field_value

__all__ = [
    "PK_SCALE_PREFIX",
    "Parameter",
    "Point",
    "grid_design",
    "integer_fields",
    "parse_parameter",
    "point_scenario",
    "sobol_design",
    "sobol_problem",
]

PK_SCALE_PREFIX = "pk_scale."
PK_SCALE_CLASSES = ("drone", "cruise", "ballistic")


@dataclass(frozen=True, slots=True)
class Parameter:
    """A swept parameter: grid ``values``, or ``low``/``high`` bounds for a Sobol design."""

    path: str
    values: tuple[Any, ...] = ()
    low: float = math.nan
    high: float = math.nan

    @property
    def is_range(self) -> bool:
        """Whether the parameter was given as ``LOW:HIGH`` bounds."""
        return not self.values


def parse_parameter(text: str) -> Parameter:
    """Parse ``path=v1,v2,...`` (grid; YAML scalars) or ``path=LOW:HIGH`` (Sobol bounds)."""
    path, sep, rest = text.partition("=")
    path, rest = path.strip(), rest.strip()
    source = "--param"  # each problem names the path once (or the whole text, without one)
    if not sep or not path or not rest:
        raise ScenarioError(
            source, [FieldProblem("", "PATH=V1,V2,... or PATH=LOW:HIGH", repr(text))]
        )
    if ":" in rest and "," not in rest:
        low_text, _, high_text = rest.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise ScenarioError(
                source, [FieldProblem(path, "numbers LOW:HIGH", repr(rest))]
            ) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ScenarioError(
                source, [FieldProblem(path, "finite bounds with LOW < HIGH", repr(rest))]
            )
        return Parameter(path, low=low, high=high)
    values = tuple(yaml.safe_load(v.strip()) for v in rest.split(",") if v.strip())
    if not values:
        raise ScenarioError(source, [FieldProblem(path, "at least one value", repr(rest))])
    return Parameter(path, values=values)


@dataclass(frozen=True, slots=True)
class Point:
    """One point of a design: the value of every swept parameter, in parameter order."""

    values: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> str:
        """Identity of the point: 16 hex digits of the sha256 of its sorted (path, value)s."""
        text = json.dumps(sorted(self.values), separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seed(self, run_seed: int) -> int:
        """Return the point's run seed: from the run seed and the point's identity, nothing else."""
        words = tuple(int(self.key[i : i + 8], 16) for i in range(0, 16, 8))
        sequence = np.random.SeedSequence(run_seed, spawn_key=words)
        return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))

    def as_dict(self) -> dict[str, Any]:
        """Return the point as ``{path: value}``."""
        return dict(self.values)


def grid_design(parameters: list[Parameter]) -> list[Point]:
    """Every combination of the parameters' values (Cartesian product), first varying last."""
    if any(p.is_range for p in parameters):
        raise ScenarioError(
            "--param",
            [FieldProblem("", "V1,V2,... values for a grid (LOW:HIGH needs --sobol)", "LOW:HIGH")],
        )
    paths = [p.path for p in parameters]
    return [
        Point(tuple(zip(paths, combo, strict=True)))
        for combo in itertools.product(*(p.values for p in parameters))
    ]


def sobol_problem(parameters: list[Parameter]) -> dict[str, Any]:
    """Return the SALib problem of a Sobol design (names and bounds)."""
    if any(not p.is_range for p in parameters):
        raise ScenarioError(
            "--param",
            [FieldProblem("", "LOW:HIGH bounds for every --param with --sobol", "values")],
        )
    return {
        "num_vars": len(parameters),
        "names": [p.path for p in parameters],
        "bounds": [[p.low, p.high] for p in parameters],
    }


def sobol_design(
    parameters: list[Parameter], n: int, *, seed: int, integer: tuple[bool, ...] | None = None
) -> list[Point]:
    """Saltelli's design for first-order and total Sobol indices: ``n·(d + 2)`` points.

    ``n`` must be a power of two (the Sobol' sequence's balance properties need it).
    ``integer[i]``: round parameter ``i``'s values (an integer field such as a stock).

    References
    ----------
    Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Design
    and estimator for the total sensitivity index. Computer Physics Communications 181(2).
    """
    from SALib.sample import sobol  # slow to import: only for Sobol sweeps

    if n < 1 or n & (n - 1):
        raise ScenarioError("--sobol", [FieldProblem("", "a power of two (64, 128, ...)", f"{n}")])
    problem = sobol_problem(parameters)
    matrix = sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    integer = integer or (False,) * len(parameters)
    points = []
    for row in matrix:
        values = tuple(
            (p.path, round(float(v)) if whole else float(v))
            for p, v, whole in zip(parameters, row, integer, strict=True)
        )
        points.append(Point(values))
    return points


def point_scenario(scenario: Scenario, point: Point) -> tuple[Scenario, dict[str, float]]:
    """Return the point's scenario (every path applied, revalidated) and Pk multipliers.

    Raises
    ------
    ScenarioError
        A path that is no field, or a value the field refuses: ``--param: PATH: expected ...``.
    """
    pk_scale: dict[str, float] = {}
    for path, value in point.values:
        if path.startswith(PK_SCALE_PREFIX):
            cls = path.removeprefix(PK_SCALE_PREFIX)
            if cls not in PK_SCALE_CLASSES:
                expected = f"one of {', '.join(PK_SCALE_PREFIX + c for c in PK_SCALE_CLASSES)}"
                raise ScenarioError("--param", [FieldProblem(path, expected, cls)])
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ScenarioError("--param", [FieldProblem(path, "a number >= 0", repr(value))])
            pk_scale[f"pk_{cls}"] = float(value)
        else:
            scenario = apply_variation(scenario, path, value, source="--param")
    return scenario, pk_scale


def integer_fields(scenario: Scenario, parameters: list[Parameter]) -> tuple[bool, ...]:
    """Whether each parameter is an integer field of the scenario (Sobol values get rounded)."""
    flags = []
    for p in parameters:
        if p.path.startswith(PK_SCALE_PREFIX):
            flags.append(False)
            continue
        value = field_value(scenario, p.path, source="--param")
        flags.append(isinstance(value, int) and not isinstance(value, bool))
    return tuple(flags)
