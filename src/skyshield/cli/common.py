"""What the verbs share: common options, output checks, warnings and table cell formatters."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated

import typer

from skyshield.terminal import check_plot_path, check_results_option, progress_bar

__all__ = [
    "CalibrationOption",
    "OutOption",
    "ScenarioArg",
    "check_outputs",
    "fmt",
    "label",
    "plural",
    "pm",
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
ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help="Scenario YAML file or built-in name; default: the built-in default scenario."
    ),
]


def check_outputs(
    *, plot: Path | None = None, out_dir: Path | None = None, calibration: Path | None = None
) -> None:
    """Refuse bad --plot, --out and --calibration paths before anything is simulated."""
    if plot is not None:
        check_plot_path(plot)
    if out_dir is not None:
        check_results_option(out_dir)
    if calibration is not None:
        from skyshield.calibration.calibrate import load_calibration

        load_calibration(calibration, source="--calibration", fitted=True)


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
