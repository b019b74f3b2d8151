"""What the verbs share: common options, output checks, warnings and table cell formatters."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer import _click  # typer's own copy of click, whose classes its commands use
from typer.core import TyperCommand, TyperGroup

from skyshield.terminal import (
    check_output_path,
    check_plot_path,
    check_results_option,
    progress_bar,
)

if TYPE_CHECKING:
    from skyshield.calibration.applied import AppliedCalibration
    from skyshield.scenario import Scenario

__all__ = [
    "CalibrationOption",
    "OutOption",
    "PlainFlagsCommand",
    "PlainFlagsGroup",
    "RouteSetsOption",
    "ScenarioArg",
    "check_outputs",
    "fmt",
    "label",
    "plural",
    "pm",
    "route_sets_value",
    "say_reference_time",
    "scale",
    "staged_progress",
    "warn",
]

CalibrationOption = Annotated[
    Path | None,
    typer.Option(
        help="A file from `skyshield calibrate`: apply its latest quarter's kill-probability "
        "and EW multipliers."
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Results directory (created if new): every table as Parquet, the run in "
        "DIR/catalog.duckdb; list with `skyshield runs DIR`.",
    ),
]
RouteSetsOption = Annotated[
    str | None,
    typer.Option(
        "--route-sets",
        metavar="N|all",
        help="Route sets the nights fly: N (nights beyond N share them) or all (every night "
        "its own routes); default: the scenario's monte_carlo.route_sets.",
    ),
]
ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help="Scenario YAML file or built-in name; default: the built-in default scenario."
    ),
]


def _plain_flags(params: list[_click.Parameter]) -> list[_click.Parameter]:
    """Give every flag (``--json``, ``--help``) an empty metavar: help shows it bare.

    typer labels every option with its type (``<bool>``); a flag takes no value, so the label
    only misleads. An empty metavar is the declaration that hides it.
    """
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class PlainFlagsCommand(TyperCommand):
    """A verb whose help shows its flags without typer's ``<bool>``."""

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        """Return the verb's parameters, every flag without a type label."""
        return _plain_flags(super().get_params(ctx))


class PlainFlagsGroup(TyperGroup):
    """The command group (``skyshield --help``), its flags without typer's ``<bool>``."""

    def get_params(self, ctx: _click.Context) -> list[_click.Parameter]:
        """Return the group's parameters, every flag without a type label."""
        return _plain_flags(super().get_params(ctx))


def check_outputs(
    *,
    files: Sequence[Path] = (),
    plot: Path | None = None,
    out_dir: Path | None = None,
    calibration: Path | None = None,
) -> AppliedCalibration | None:
    """Refuse bad output files, --plot, --out and --calibration paths before any simulation.

    Every verb that writes a file calls this first, so a path it cannot write fails in a
    second with one line, not after the simulation. Returns the calibration read (None
    without one), for the verb to pass on: the file is read once.
    """
    for path in files:
        check_output_path(path)
    if plot is not None:
        check_plot_path(plot)
    if out_dir is not None:
        check_results_option(out_dir)
    if calibration is None:
        return None
    from skyshield.calibration.applied import applied_calibration

    return applied_calibration(calibration)


_SHOWN_IN_MINUTES_FROM_S = 90
_SHOWN_IN_HOURS_FROM_S = 5400


def say_reference_time(scenario: Scenario, nights: int) -> None:
    """Say on stderr, before it starts, about how long the reference engine will take."""
    from skyshield.runner.estimate import reference_seconds

    seconds = reference_seconds(scenario, nights)
    if seconds < 90:
        took = f"{seconds:.0f} s"
    elif seconds < 5400:
        took = f"{seconds / 60:.0f} min"
    else:
        took = f"{seconds / 3600:.1f} h"
    threats = sum(w.count for w in scenario.raid.waves)
    sys.stderr.write(
        f"reference engine: expect about {took} for {plural(nights, 'night')} (an estimate from "
        f"the raid's size: {threats:,} threats' flights x {len(scenario.fire_units)} fire units "
        f"and {len(scenario.sensors)} sensors); --engine fast takes seconds\n"
    )


def route_sets_value(text: str | None) -> int | str | None:
    """``--route-sets`` as the API takes it: a whole number, ``"all"``, or None (the scenario's).

    Anything else is left as text for the API to refuse in one line, naming the option.
    """
    if text is None or text == "all":
        return text
    try:
        return int(text)
    except ValueError:
        return text


def warn(lines: list[str]) -> None:
    """Print each line on stderr as a warning."""
    for line in lines:
        sys.stderr.write(f"warning: {line}\n")


def fmt(mean: float, low: float, high: float, digits: int = 1) -> str:
    """Mean ± half-width of its 95% confidence interval."""
    return f"{mean:.{digits}f} ± {(high - low) / 2:.{digits}f}"


def label(measure: str, key: str = "") -> str:
    """Show a measure and its key as table text: ``measure: key``."""
    return f"{measure.replace('_', ' ')}: {key}" if key else measure.replace("_", " ")


def pm(diff: float, half_width: float) -> str:
    """Show a signed difference ± its interval's half-width."""
    return f"{diff:+.2f} ± {half_width:.2f}"


def scale(measure: str) -> tuple[float, str]:
    """Factor and unit suffix a measure is shown in (costs in USD M)."""
    return (1e-6, " (USD M)") if "cost" in measure else (1.0, "")


def plural(n: int, word: str) -> str:
    """``n word`` or ``n words``, with thousands separators."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


@contextmanager
def staged_progress(*, quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    """Yield a ``(stage, done, total)`` callback: one transient bar per stage, in turn.

    For the API's workflows of several stages (``calibrate``, ``backtest``, ``campaign``): a
    new stage closes the previous stage's bar; a total of 0 shows a bar without a count.
    """
    with ExitStack() as stack:
        current: list[str] = []
        bars: list[Callable[[int, int], None]] = []

        def update(stage: str, done: int, total: int) -> None:
            if current != [stage]:
                stack.close()
                bars[:] = [stack.enter_context(progress_bar(stage, quiet=quiet))]
                current[:] = [stage]
            if total > 0:
                bars[0](done, total)

        yield update
