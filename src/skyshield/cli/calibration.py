"""The ``calibrate`` and ``backtest`` verbs: fit the night model to the reports, score it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from skyshield.calibration.settings import (
    DEFAULT_HALF_LIVES,
    DEFAULT_REFIT_DAYS,
    DEFAULT_STEPS,
    DEFAULT_WARM_STEPS,
    DEFAULT_WINDOW_DAYS,
    DEFAULTS,
    format_half_lives,
)
from skyshield.cli.common import check_outputs, staged_progress
from skyshield.terminal import (
    out,
    print_json,
    print_table,
    save_figure,
)

if TYPE_CHECKING:
    from skyshield.calibration.backtest import Backtest
    from skyshield.calibration.calibrate import Calibration

__all__ = ["backtest_command", "calibrate_command"]


DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Reports CSV in the shipped format; default: the copy in the package."
    ),
]
TrainUntil = Annotated[
    str, typer.Option("--train-until", help="Fit on report nights before this date (YYYY-MM-DD).")
]
CREDIT = (
    "Data: Petro Ivaniuk (piterfm), Massive Missile Attacks on Ukraine, Kaggle; based on "
    "Ukrainian Air Force reports."
)


def calibrate_command(
    train_until: TrainUntil,
    data: DataOption = None,
    output: Annotated[
        Path, typer.Option("--out", "-o", help="Calibration file to write (JSON).")
    ] = Path("calibration.json"),
    compositions: Annotated[
        int, typer.Option(min=4, help="Night compositions in the emulator's engine design.")
    ] = DEFAULTS.compositions,
    parameters: Annotated[
        int, typer.Option(min=4, help="Parameter points per composition in the design.")
    ] = DEFAULTS.parameters,
    replications: Annotated[
        int, typer.Option(min=2, help="Engine replications per design point.")
    ] = DEFAULTS.replications,
    steps: Annotated[int, typer.Option(min=50, help="MCMC steps per period.")] = DEFAULT_STEPS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the design and the MCMC.")] = 1,
    plot: Annotated[
        Path | None, typer.Option(help="Also save the parameters over time (PNG, SVG, PDF).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Fit the night model to the reports, quarter by quarter; write a calibration file."""
    from skyshield.api import calibrate

    check_outputs(files=[output], plot=plot)
    with staged_progress(quiet=as_json) as progress:
        result = calibrate(
            train_until,
            data=data,
            compositions=compositions,
            parameters=parameters,
            replications=replications,
            steps=steps,
            seed=seed,
            out=output,
            progress=progress,
        )
    if plot is not None:
        save_figure(result.plot(), plot)
    if as_json:
        print_json(result.to_dict(), indent=1)
        return
    _print_calibration(result, output)


def _print_calibration(result: Calibration, output: Path) -> None:
    from skyshield.calibration.model import NAMES, PARAMETERS

    out.print(f"[bold]calibrate[/]: {len(result.periods)} quarters fitted; written to {output}")
    out.print(CREDIT, style="dim")
    table = Table(
        title="Emulator vs engine on held-out compositions (share of launched)",
        title_justify="left",
    )
    for col in ("class", "quantity", "runs", "RMSE", "bias", "engine noise"):
        table.add_column(col, justify="left" if col in ("class", "quantity") else "right")
    for r in result.validation.itertuples():
        table.add_row(
            str(r._1),
            str(r.quantity),
            str(r.runs),
            f"{r.rmse:.3f}",
            f"{r.bias:+.3f}",
            f"{r.engine_se:.3f}",
        )
    print_table(table)
    summary = result.summary()
    table = Table(title="Posterior median per quarter", title_justify="left")
    table.add_column("quarter")
    table.add_column("nights", justify="right")
    short = {
        n: n.replace("posture_", "").replace("decoy_share", "decoys").replace("pk_", "pk ")
        for n in NAMES
    }
    for name in NAMES:
        table.add_column(short[name], justify="right")
    for (start, nights), g in summary.groupby(["start", "nights"], sort=False):
        cells = g.set_index("parameter")
        table.add_row(str(start), str(nights), *(f"{cells.loc[n, 'median']:.2f}" for n in NAMES))
    print_table(table)
    if result.check is not None and not result.check.empty:
        table = Table(
            title="Posterior predictive check: each quarter's fit run forward over its own "
            "nights (emulator); share neutralised, reported vs predicted median and 90%",
            title_justify="left",
        )
        for col in ("quarter", "class", "nights", "reported", "predicted", "90%", "inside"):
            table.add_column(col, justify="left" if col in ("quarter", "class") else "right")
        for r in result.check.itertuples():
            table.add_row(
                str(r.quarter),
                str(r._2),
                str(r.nights),
                f"{r.reported_share:.2f}",
                f"{r.predicted_share:.2f}",
                f"{r.predicted_p05:.2f}-{r.predicted_p95:.2f}",
                "yes" if r.inside_90 else "NO",
            )
        print_table(table)
    latest = result.latest()
    table = Table(
        title=f"Latest quarter ({latest.start} to {latest.end}): median and 5-95% interval",
        title_justify="left",
    )
    for col in ("parameter", "median", "5-95%", "meaning"):
        table.add_column(col, justify="right" if col in ("median", "5-95%") else "left")
    meaning = {p.name: p.meaning for p in PARAMETERS}
    for r in latest.summary().itertuples():
        table.add_row(
            str(r.parameter),
            f"{r.median:.2f}",
            f"{r.p5:.2f}-{r.p95:.2f}",
            meaning.get(str(r.parameter), "night-to-night overdispersion (beta-binomial ρ)"),
        )
    print_table(table)


def backtest_command(
    train_until: TrainUntil,
    data: DataOption = None,
    test_until: Annotated[
        str | None, typer.Option(help="Last test night (YYYY-MM-DD); default: the last one.")
    ] = None,
    refit_every_days: Annotated[
        int, typer.Option(min=1, max=30, help="Refit interval (days).")
    ] = DEFAULT_REFIT_DAYS,
    window_days: Annotated[
        int, typer.Option(min=7, help="Each refit uses the nights of this many days before it.")
    ] = DEFAULT_WINDOW_DAYS,
    half_life: Annotated[
        str,
        typer.Option(
            help="Forget older nights: weigh each by 2^(-age/half-life) in the fit; days per "
            "class (drone=7,cruise=7,ballistic=none), one number for all, or none.",
        ),
    ] = format_half_lives(DEFAULT_HALF_LIVES),
    calibration: Annotated[
        Path | None,
        typer.Option(help="Reuse this calibration file's emulator instead of building one."),
    ] = None,
    steps: Annotated[
        int, typer.Option(min=50, help="MCMC steps of the first refit.")
    ] = DEFAULT_STEPS,
    warm_steps: Annotated[
        int, typer.Option(min=50, help="MCMC steps of each later (warm-started) refit.")
    ] = DEFAULT_WARM_STEPS,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the design and the MCMC.")] = 1,
    plot: Annotated[
        Path | None, typer.Option(help="Also save reported vs predicted per night (PNG, ...).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Predict each report night from earlier nights only; score against a naive baseline."""
    from skyshield.api import backtest

    check_outputs(plot=plot)
    with staged_progress(quiet=as_json) as progress:
        result = backtest(
            train_until,
            data=data,
            test_until=test_until,
            refit_every_days=refit_every_days,
            window_days=window_days,
            half_lives=half_life,
            calibration=calibration,
            steps=steps,
            warm_steps=warm_steps,
            seed=seed,
            progress=progress,
        )
    if plot is not None and not result.nights.empty:
        save_figure(result.plot(), plot)
    if as_json:
        print_json(result.to_dict(), indent=1)
        return
    _print_backtest(result, result.settings["train_until"])


def _print_backtest(result: Backtest, until: str) -> None:
    nights = result.nights
    if nights.empty:
        out.print(f"backtest: no report night on or after {until}")
        return
    out.print(
        f"[bold]backtest[/]: nights {nights['night'].min()} → {nights['night'].max()}, "
        f"{len(result.fits)} refits; each night predicted from earlier reports only"
    )
    out.print(CREDIT, style="dim")
    table = Table(
        title=(
            "Model vs naive baseline (launched × share of the 30 days before); "
            "50% / 90%: share of nights inside the model's intervals"
        ),
        title_justify="left",
    )
    for col in ("class", "target", "nights", "MAE", "base", "CRPS", "base", "50%", "90%"):
        table.add_column(col, justify="left" if col in ("class", "target") else "right")
    for r in result.metrics.itertuples():
        table.add_row(
            str(r._1),
            str(r.target),
            str(r.nights),
            f"{r.mae:.2f}",
            f"{r.baseline_mae:.2f}",
            f"{r.crps:.2f}",
            f"{r.baseline_crps:.2f}",
            f"{r.coverage_50:.0%}",
            f"{r.coverage_90:.0%}",
        )
    print_table(table)
