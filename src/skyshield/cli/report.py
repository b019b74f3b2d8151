"""The ``report`` verb: one self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skyshield.cli.common import (
    CalibrationOption,
    RouteSetsOption,
    check_outputs,
    route_sets_value,
    warn,
)
from skyshield.terminal import err, progress_bar, write_output

__all__ = ["report_command"]


def report_command(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            help="Scenario YAML files, built-in names, or stored runs' folders DIR/runs/<run id> "
            "(saved by run --out; read, not simulated again). Default: the default scenario. "
            "With two or more scenarios, the first is the baseline of a comparison."
        ),
    ] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
        "report.html"
    ),
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, help="Override the replication count."),
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the run seed.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker threads.")] = 1,
    replication: Annotated[
        int, typer.Option("--replication", "-r", min=0, help="The night the maps show.")
    ] = 0,
    route_sets: RouteSetsOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Write one self-contained HTML report: maps, charts with intervals, comparison, sources."""
    from skyshield.api import report

    applied = check_outputs(files=[output], calibration=calibration)
    if applied is not None:
        from skyshield.calibration.applied import applied_warnings
        from skyshield.runner.replay import stored_run_reference
        from skyshield.scenario import load_scenario

        sources: list[str | None] = [*scenarios] if scenarios else [None]
        fresh = [s for s in sources if s is None or stored_run_reference(s) is None]
        warn(applied_warnings([load_scenario(s) for s in fresh], applied))
    with progress_bar("replications", quiet=False) as replications_progress:
        html = report(
            *(scenarios or []),
            replications=replications,
            route_sets=route_sets_value(route_sets),
            seed=seed,
            workers=workers,
            replication=replication,
            progress=lambda label: err.print(f"running {label}", highlight=False),
            replications_progress=replications_progress,
            calibration=applied,
        )
    write_output(output, html)
    err.print(f"wrote {output} ({len(html.encode('utf-8')) / 1e6:.1f} MB)", highlight=False)
