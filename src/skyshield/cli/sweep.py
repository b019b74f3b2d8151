"""The ``sweep`` verb: a scenario over a grid or a Sobol design of its parameters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from skyshield.cli.common import (
    CalibrationOption,
    RouteSetsOption,
    check_outputs,
    label,
    plural,
    route_sets_value,
    scale,
    warn,
)
from skyshield.terminal import out, print_json, print_table, progress_bar, save_figure

if TYPE_CHECKING:
    from skyshield.runner.sweep import SweepResult

__all__ = ["sweep_command"]


def sweep_command(
    scenario: Annotated[str, typer.Argument(help="Scenario YAML file or built-in name.")],
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            help="PATH=V1,V2,... (grid) or PATH=LOW:HIGH (with --sobol); repeatable. Paths as "
            "--vary takes them (fire_units.<id>.stock, raid.waves.0.count, ...) or "
            "pk_scale.drone|cruise|ballistic.",
        ),
    ],
    sobol: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="A Sobol design of N·(parameters + 2) points (N a power of 2; below 64 the "
            "indices are noise and a warning says so).",
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, help="Nights per point."),
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the run seed.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Local worker processes.")] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run the points on this Dask scheduler (tcp://host:8786) instead."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Results directory: each point saved as it completes; the same command again "
            "resumes, skipping complete points.",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(help="With --sobol: save a bar chart of the indices (PNG, SVG or PDF)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    route_sets: RouteSetsOption = None,
    calibration: CalibrationOption = None,
) -> None:
    """Run a scenario over a grid or a Sobol design of its parameters (resumable with --out)."""
    if plot is not None and sobol is None:
        sys.stderr.write("--plot: expected --sobol N too (the chart shows Sobol indices)\n")
        raise typer.Exit(2)
    from skyshield.api import sweep
    from skyshield.runner.sweep import SweepInterrupted

    applied = check_outputs(plot=plot, out_dir=out_dir, calibration=calibration)
    if applied is not None:  # as `run` warns: the scenario's units against the fit's
        from skyshield.calibration.applied import applied_warnings
        from skyshield.scenario import load_scenario

        warn(applied_warnings([load_scenario(scenario)], applied))
    from skyshield.metrics.sobol import sobol_warnings

    before = sobol_warnings(sobol) if sobol is not None else []
    warn(before)  # a design too small to trust, said before it runs
    try:
        with progress_bar("points", quiet=as_json) as report:
            result = sweep(
                scenario,
                param,
                sobol=sobol,
                replications=replications,
                route_sets=route_sets_value(route_sets),
                seed=seed,
                workers=workers,
                scheduler=scheduler,
                out=out_dir,
                progress=report,
                calibration=applied,
            )
    except SweepInterrupted as stop:
        sys.stderr.write(f"{stop}\n")  # "interrupted: 4/10 saved, rerun to resume"
        raise typer.Exit(130) from None
    if sobol is not None and result.sobol is not None:
        warn(sobol_warnings(sobol, result.sobol)[len(before) :])  # indices below zero
    # the tables first: a figure that cannot be saved after all must not lose them
    if as_json:
        print_json(result.to_dict())
    else:
        _print_sweep(result)
    if plot is not None and result.sobol is not None:
        save_figure(result.plot(), plot)


def _print_sweep(result: SweepResult) -> None:
    from skyshield.runner.compare import SENSITIVITY_OUTPUTS

    plan = result.plan
    out.print(
        f"[bold]sweep[/] {plan.sweep_id}: {plural(len(plan.tasks), 'point')} "
        f"({result.skipped} already complete, read back), "
        f"{plural(plan.record.replications, 'night')} each, seed {plan.seed}"
    )
    if plan.calibration_applied is not None:  # every point ran with it: say which
        out.print(plan.calibration_applied["description"], highlight=False, soft_wrap=True)
    if result.sobol is not None:
        table = Table(
            title="Sobol indices: share of each output's variance (± 95% CI)", title_justify="left"
        )
        for col in ("output", "parameter", "first order S1", "total ST"):
            table.add_column(
                col,
                justify="left" if col in ("output", "parameter") else "right",
                no_wrap=col == "parameter",
            )
        for r in result.sobol.itertuples():
            table.add_row(
                label(str(r.measure), str(r.key)),
                str(r.parameter).removeprefix("nations.").replace(".roe.", "."),
                f"{r.s1:.2f} ± {r.s1_ci95:.2f}",
                f"{r.st:.2f} ± {r.st_ci95:.2f}",
            )
        print_table(table)
        return
    table = Table(title="Per night at each point: mean ± 95% CI", title_justify="left")
    paths = [p.path for p in plan.parameters]
    for path in paths:
        table.add_column(path.removeprefix("nations.").replace(".roe.", "."), justify="right")
    for m in SENSITIVITY_OUTPUTS:
        table.add_column(label(m.measure, m.key) + scale(m.measure)[1], justify="right")
    stats = result.table.set_index(["point", "measure", "key"])
    for task in plan.tasks:
        values = task.point.as_dict()
        cells = [str(values[p]) for p in paths]
        for m in SENSITIVITY_OUTPUTS:
            factor = scale(m.measure)[0]
            row = stats.loc[(task.point.key, m.measure, m.key)]
            cells.append(f"{row['mean'] * factor:.2f} ± {row['ci95'] * factor:.2f}")
        table.add_row(*cells)
    print_table(table)
