"""The ``calibrate`` and ``backtest`` verbs: fit the night model to the reports, score it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from skyshield.calibration.settings import (
    DEFAULT_DISPERSION,
    DEFAULT_DRIFT,
    DEFAULT_HALF_LIVES,
    DEFAULT_REFIT_DAYS,
    DEFAULT_STATE_NOISE,
    DEFAULT_STEPS,
    DEFAULT_WARM_STEPS,
    DEFAULT_WINDOW_DAYS,
    DEFAULTS,
    TEST_PERIOD,
    VALIDATION_PERIOD,
    format_half_lives,
    format_state_noise,
)
from skyshield.cli.common import check_outputs, staged_progress, warn
from skyshield.credits import REPORTS_CREDIT
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
CREDIT = f"Data: {REPORTS_CREDIT}"


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
    if result.skipped:
        out.print(result.skipped_line())
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
            meaning.get(str(r.parameter)) or _overdispersion_meaning(str(r.parameter)),
        )
    print_table(table)
    warn(result.warnings())


def _overdispersion_meaning(name: str) -> str:
    """Say what a fitted overdispersion term is (fit.overdispersion)."""
    cls = name.rsplit("_", 1)[-1]
    part = "its small-salvo part, ρ_small / n" if "small" in name else "its constant part, ρ"
    return (
        f"night-to-night overdispersion of {cls} (beta-binomial ρ(n) = ρ + ρ_small / n for n "
        f"launched): {part}"
    )


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
            "class (drone=7,cruise=none,ballistic=none), one number for all, or none.",
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
    drift: Annotated[
        str,
        typer.Option(
            help="How the model follows drift: refits (refit every --refit-every-days with "
            "--half-life forgetting) or state (one fit before --train-until, then a filtered "
            "daily random-walk offset per class on the logit of the share; the refit interval "
            "and half-lives do not apply).",
        ),
    ] = DEFAULT_DRIFT,
    state_noise: Annotated[
        str,
        typer.Option(
            help="With --drift state: the offset's variance per day (logit^2), per class "
            "(drone=0.005,...) or one number for all.",
        ),
    ] = format_state_noise(DEFAULT_STATE_NOISE),
    engine_term: Annotated[
        bool,
        typer.Option(
            "--engine-term/--no-engine-term",
            help="With --drift state: the offset moves the engine's share (default) or a "
            "constant share per class (to see what the engine adds).",
        ),
    ] = True,
    dispersion: Annotated[
        str,
        typer.Option(
            help="The predictive's overdispersion: posterior (mixed over the fit's samples), "
            "ml (each refit's maximum-likelihood one) or ml-split (the neutralised count's "
            "and the destroyed/lost split's each their own).",
        ),
    ] = DEFAULT_DISPERSION,
) -> None:
    """Predict each report night from earlier nights only; score against a naive baseline.

    Protocol (issue #23): every default was chosen on the validation period
    {validation_from} to {validation_until} (--train-until {validation_from} --test-until
    {validation_until}), then frozen and scored once on the test period {test_from} to
    {test_until}; both lie inside the shipped reports (docs/calibration.md).
    """
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
            drift=drift,
            state_noise=state_noise,
            engine_term=engine_term,
            dispersion=dispersion,
        )
    if plot is not None and not result.nights.empty:
        save_figure(result.plot(), plot)
    if as_json:
        print_json(result.to_dict(), indent=1)
        return
    _print_backtest(result, result.settings["train_until"])


# the protocol's periods in the help, from the one place they are set (settings)
backtest_command.__doc__ = (backtest_command.__doc__ or "").format(
    validation_from=VALIDATION_PERIOD[0],
    validation_until=VALIDATION_PERIOD[1],
    test_from=TEST_PERIOD[0],
    test_until=TEST_PERIOD[1],
)


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
            "Model vs naive baseline (launched × share of the 30 days before); each 'base' "
            "is the baseline's value of the column before it. MAE: mean absolute error of the "
            "median; CRPS: continuous ranked probability score of the whole forecast (both in "
            "missiles or drones, lower is better); 50% / 90%: share of nights inside the "
            "model's intervals (inclusive ranges of counts: over 90% on small counts); PIT 90%: "
            "the same by the randomised probability integral transform (90% when calibrated); "
            "width: mean 90% interval width; DM p: Diebold-Mariano test of equal CRPS "
            "(Newey-West, Harvey). More: docs/calibration.md, 'Mechanism checks'"
        ),
        title_justify="left",
    )
    columns = ("class", "target", "nights", "MAE", "base", "CRPS", "base", "50%", "90%")
    for col in (*columns, "PIT 90%", "base", "width", "base", "DM p"):
        table.add_column(col, justify="left" if col in ("class", "target") else "right")
    for r in result.metrics.itertuples():
        table.add_row(
            str(r._1),
            str(r.target),
            str(r.nights),
            *(
                _number(value, spec)
                for value, spec in (
                    (r.mae, ".2f"),
                    (r.baseline_mae, ".2f"),
                    (r.crps, ".2f"),
                    (r.baseline_crps, ".2f"),
                    (r.coverage_50, ".0%"),
                    (r.coverage_90, ".0%"),
                    (r.pit_coverage_90, ".0%"),
                    (r.baseline_pit_coverage_90, ".0%"),
                    (r.width_90, ".1f"),
                    (r.baseline_width_90, ".1f"),
                    (r.dm_p, ".3f"),
                )
            ),
        )
    print_table(table)
    _print_checks(result)


def _number(value: float, spec: str = "+.3f") -> str:
    """Format a table's number; "-" where there is none (NaN: e.g. a DM test on < 3 nights)."""
    return "-" if value != value else format(value, spec)


def _check_table(title: str, columns: tuple[str, ...], left: tuple[str, ...]) -> Table:
    """Return a check's table: its title, and its columns (those in ``left`` left-aligned)."""
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, justify="left" if col in left else "right")
    return table


def _print_checks(result: Backtest) -> None:
    """Print the mechanism checks of ``result.checks`` (#23 item 7)."""
    checks = result.checks

    slopes = checks.get("slopes")
    if slopes is not None and not slopes.empty:
        table = _check_table(
            "Share neutralised vs raid size: slope on log10(launched) per quarter "
            "(share per tenfold raid), reports vs model's predicted mean, 90% bootstrap",
            ("class", "quarter", "nights", "launched", "reports", "90%", "model", "90%"),
            left=("class", "quarter"),
        )
        for r in slopes.itertuples():
            table.add_row(
                str(r._1),
                str(r.quarter),
                str(r.nights),
                f"{r.launched_min}-{r.launched_max}",
                _number(r.reported_slope),
                f"{_number(r.reported_p5)}..{_number(r.reported_p95)}",
                _number(r.model_slope),
                f"{_number(r.model_p5)}..{_number(r.model_p95)}",
            )
        print_table(table)
    split = checks.get("split")
    if split is not None and not split.empty:
        table = _check_table(
            "Destroyed vs locationally lost on the nights that report the split "
            "(sums; model: predicted means)",
            ("class", "nights", "launched", "destroyed", "model", "lost", "model"),
            left=("class",),
        )
        for r in split.itertuples():
            table.add_row(
                str(r._1),
                str(r.nights),
                str(r.launched),
                f"{r.reported_destroyed:.0f}",
                f"{r.predicted_destroyed:.1f}",
                f"{r.reported_lost:.0f}",
                f"{r.predicted_lost:.1f}",
            )
        print_table(table)
    patriot = checks.get("patriot")
    if patriot is not None and not patriot.empty:
        table = _check_table(
            "Ballistic share neutralised by the night's targets: under Patriot cover "
            "(Kyiv, sourced) or not, from the report's target names",
            ("targets", "nights", "launched", "reported", "model"),
            left=("targets",),
        )
        for r in patriot.itertuples():
            table.add_row(
                str(r.cover),
                str(r.nights),
                str(r.launched),
                _number(r.reported_share, ".2f"),
                _number(r.predicted_share, ".2f"),
            )
        print_table(table)
    pit = checks.get("pit")
    if pit is not None and not pit.empty:
        table = Table(
            title="PIT histogram of neutralised (nights per tenth; flat = calibrated)",
            title_justify="left",
        )
        table.add_column("class")
        for low in sorted(pit["low"].unique()):
            table.add_column(f"{low:.1f}", justify="right")
        for cls, g in pit.groupby("class", sort=False):
            table.add_row(str(cls), *(str(n) for n in g["nights"]))
        print_table(table)
    spread = checks.get("spread")
    if spread is not None and not spread.empty:
        table = _check_table(
            "Where the predictive spread of neutralised comes from: mean sd, and each "
            "part's share of the variance (sd alone): binomial count noise, overdispersion "
            "(what the emulator does not explain), parameter uncertainty (with forgetting)",
            ("class", "nights", "sd", "binomial", "overdispersion", "parameter"),
            left=("class",),
        )
        for r in spread.itertuples():
            table.add_row(
                str(r._1),
                str(r.nights),
                f"{r.sd:.2f}",
                *(
                    f"{getattr(r, f'share_{p}'):.0%} ({getattr(r, f'sd_{p}'):.2f})"
                    for p in ("binomial", "overdispersion", "parameter")
                ),
            )
        print_table(table)
    bias = checks.get("bias")
    if bias is not None and not bias.empty:
        table = _check_table(
            "Bias of the centre (median − reported neutralised) by raid size, model vs "
            "baseline, and their MAE",
            ("class", "launched", "nights", "bias", "share", "base", "MAE", "base"),
            left=("class", "launched"),
        )
        for r in bias.itertuples():
            table.add_row(
                str(r._1),
                str(r.launched),
                str(r.nights),
                _number(r.bias, "+.2f"),
                _number(r.bias_share, "+.3f"),
                _number(r.baseline_bias, "+.2f"),
                _number(r.mae, ".2f"),
                _number(r.baseline_mae, ".2f"),
            )
        print_table(table)
    stability = checks.get("stability")
    if stability is not None and len(stability) and int(stability["refits"].iloc[0]) > 1:
        table = _check_table(
            "Parameters across refits: posterior median (first, last, range) and the "
            "spread of the medians over the mean 90% posterior width",
            ("parameter", "first", "last", "min", "max", "90% width", "spread/width"),
            left=("parameter",),
        )
        for r in stability.itertuples():
            table.add_row(
                str(r.parameter),
                *(f"{v:.3g}" for v in (r.first, r.last, r.min, r.max, r.mean_width_90)),
                _number(r.drift_vs_width, ".2f"),
            )
        print_table(table)
