"""Command line: ``skyshield VERB``. Parse, call one API function, print.

Errors raised on purpose (:class:`SkyshieldError`) are printed as one line per problem on
stderr and exit with status 2; no traceback.

Longer than the ~400 lines modules aim at because every verb's table printing lives here, next
to the shared cell formatters (``_fmt``, ``_pm``, ``_label``, ``_scale``); campaign and
calibration verbs already live in their packages' ``commands`` modules, and ``run``/``compare``/
``sweep`` would follow if it grows further.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skyshield.api import RunSummary, compare, run, sweep
from skyshield.calibration.commands import backtest_command, calibrate_command
from skyshield.campaigns.commands import campaign_command
from skyshield.campaigns.load import builtin_campaign_names, load_campaign
from skyshield.catalog import catalog_frame, load_catalog
from skyshield.errors import SkyshieldError
from skyshield.exporting.commands import export_command
from skyshield.metrics.policy import DEFAULT_DEBRIS, MASSED_RAIDS_PER_MONTH, DebrisRule
from skyshield.reporting.commands import report_command
from skyshield.runner.compare import SENSITIVITY_MEASURES, PolicyComparison
from skyshield.runner.montecarlo import EngineKind
from skyshield.runner.sweep import SweepResult
from skyshield.scenario import (
    builtin_scenario_names,
    load_scenario,
    placement_warnings,
    scenario_json_schema,
)
from skyshield.store import list_runs
from skyshield.terminal import (
    check_plot_path,
    check_results_option,
    err,
    out,
    print_json,
    print_table,
    progress_bar,
    save_figure,
    write_output,
)
from skyshield.yamlio import YamlInputError, load_yaml

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Monte Carlo simulator of multinational air and missile defence.",
)

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


@app.command("run")
def run_command(
    scenario: ScenarioArg = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications", "-n", min=1, help="Override the scenario's replication count."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Override the scenario's run seed.")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker threads (results do not depend on it).")
    ] = 1,
    engine: Annotated[
        EngineKind,
        typer.Option(
            help=(
                "fast (default) or reference: an independent engine for tests, thousands "
                "of times slower (minutes per night on the built-in raids)."
            )
        ),
    ] = EngineKind.FAST,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    units: Annotated[
        bool, typer.Option("--units", help="Also print what each fire unit did per night.")
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(help="Also save the per-night distribution of fates (PNG, SVG or PDF)."),
    ] = None,
    calibration: CalibrationOption = None,
    out_dir: OutOption = None,
) -> None:
    """Simulate a raid many times and report what gets through."""
    _check_outputs(plot=plot, out_dir=out_dir, calibration=calibration)
    loaded = load_scenario(scenario)
    _warn(placement_warnings(loaded))
    total = replications or loaded.monte_carlo.replications
    with progress_bar("replications", quiet=as_json, total=total) as report:
        summary = run(
            loaded,
            replications=replications,
            seed=seed,
            workers=workers,
            engine=engine,
            progress=report,
            calibration=calibration,
            out=out_dir,
        )
    if summary.run_id is not None:
        err.print(f"saved run {summary.run_id} in {out_dir}", highlight=False)
    idle = summary.by_unit[summary.by_unit["nights_fired"] == 0]["unit"].tolist()
    if idle:
        _warn(
            [
                f"{len(idle)} of {len(summary.by_unit)} fire units never fired in "
                f"{_plural(summary.replications, 'night')} (out of reach, not tasked, or barred "
                f"by their rules): {', '.join(idle)}"
            ]
        )
    if plot is not None:
        save_figure(summary.plot(), plot)
    if as_json:
        print_json(summary.to_dict())
        return
    _print_summary(summary)
    if units:
        _print_units(summary)


def _check_outputs(
    *, plot: Path | None = None, out_dir: Path | None = None, calibration: Path | None = None
) -> None:
    """Refuse bad --plot, --out and --calibration paths before anything is simulated."""
    if plot is not None:
        check_plot_path(plot)
    if out_dir is not None:
        check_results_option(out_dir)
    if calibration is not None:
        from skyshield.calibration.calibrate import load_calibration  # slow to import

        load_calibration(calibration, source="--calibration")


def _warn(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(f"warning: {line}\n")


def _print_units(summary: RunSummary) -> None:
    table = Table(title="Fire units per night (first/last shot: median hours after the raid start)")
    for col in ("unit", "rounds", "kills", "first h", "last h", "fired", "ran dry"):
        left = col == "unit"
        table.add_column(col, justify="left" if left else "right", no_wrap=not left)
    for r in summary.by_unit.itertuples():
        table.add_row(
            f"{r.unit} ({r.system})",
            f"{r.rounds_mean:.1f}±{r.rounds_ci95:.1f}",
            f"{r.kills_mean:.1f}±{r.kills_ci95:.1f}",
            "–" if math.isnan(r.first_shot_h) else f"{r.first_shot_h:.1f}",
            "–" if math.isnan(r.last_shot_h) else f"{r.last_shot_h:.1f}",
            f"{r.nights_fired:.0%}",
            f"{r.nights_dry:.0%}",
        )
    print_table(table)


def _fmt(mean: float, low: float, high: float, digits: int = 1) -> str:
    """Mean ± half-width of its 95% confidence interval."""
    return f"{mean:.{digits}f} ± {(high - low) / 2:.{digits}f}"


def _print_summary(summary: RunSummary) -> None:
    s = summary
    out.print(
        f"[bold]{s.scenario_name}[/]: {_plural(s.replications, 'replication')}, seed {s.seed}, "
        f"{s.engine} engine" + (" — defending positions are NOTIONAL" if s.notional else "")
    )
    table = Table(title="Threats per night: mean ± 95% CI of the mean", title_justify="left")
    table.add_column("class")
    quantities = ["launched", "intercepted", "lost_to_ew", "impacted", "reached_area"]
    for q in quantities:
        table.add_column(q.replace("_", " "), justify="right")
    for cls, group in s.by_class.groupby("threat_class", sort=False):
        cells = {r.quantity: _fmt(r.mean, r.ci95_low, r.ci95_high) for r in group.itertuples()}
        table.add_row(
            str(cls), *(cells[q] for q in quantities), style="bold" if cls == "all" else None
        )
    print_table(table)
    if s.replications < 2:
        out.print("(intervals of the mean need at least 2 replications; shown as nan)")
    table = Table(
        title="Impacts per target per night (95% of nights between)", title_justify="left"
    )
    for col in ("target", "mean ± 95% CI", "nights 2.5–97.5%"):
        table.add_column(col, justify="right" if col != "target" else "left")
    for r in s.by_target.itertuples():
        table.add_row(
            str(r.target),
            _fmt(r.mean, r.ci95_low, r.ci95_high),
            f"{r.night_p2_5:.0f}–{r.night_p97_5:.0f}",
        )
    print_table(table)
    table = Table(title="Interceptors per night, by nation and system", title_justify="left")
    for col in ("nation", "system", "rounds ± 95% CI", "of them at decoys", "cost USD M ± 95% CI"):
        table.add_column(col, justify="left" if col in ("nation", "system") else "right")
    by = s.interceptors.set_index(["quantity", "nation", "system"])
    for key, r in by.loc["rounds"].iterrows():
        d, c = by.loc[("rounds_at_decoys", *key)], by.loc[("cost_usd", *key)]
        table.add_row(
            *map(str, key),
            _fmt(r["mean"], r["ci95_low"], r["ci95_high"]),
            _fmt(d["mean"], d["ci95_low"], d["ci95_high"]),
            _fmt(c["mean"] / 1e6, c["ci95_low"] / 1e6, c["ci95_high"] / 1e6, 2),
        )
    print_table(table)
    _print_cross_border(s)


def _print_cross_border(summary: RunSummary) -> None:
    table = Table(
        title="Across borders per night: mean ± 95% CI (95% of nights between)",
        title_justify="left",
    )
    for col in ("measure", "mean ± 95% CI", "nights 2.5–97.5%"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for r in summary.cross_border.itertuples():
        if r.mean == 0 and r.night_p97_5 == 0:
            continue
        table.add_row(
            _label(str(r.measure)),
            _fmt(r.mean, r.ci95_low, r.ci95_high, 2),
            f"{r.night_p2_5:.0f}–{r.night_p97_5:.0f}",
        )
    print_table(table)


@app.command("compare")
def compare_command(
    scenarios: Annotated[
        list[str],
        typer.Argument(
            help="Two or more scenario files or built-in names; the first is the baseline."
        ),
    ],
    replications: Annotated[
        int | None,
        typer.Option("--replications", "-n", min=1, help="Override the replication count."),
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the run seed.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker threads (results do not depend on it).")
    ] = 1,
    raids_per_month: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="Raid tempo for per-month figures (default: massed raids per month, H1 2025).",
        ),
    ] = MASSED_RAIDS_PER_MONTH,
    debris_radius_km: Annotated[
        float,
        typer.Option(
            min=0.0, help="Intercepts this close to a populated place count as debris risk."
        ),
    ] = DEFAULT_DEBRIS.radius_km,
    debris_min_population: Annotated[
        int, typer.Option(min=0, help="Smallest population of a place counted for debris risk.")
    ] = DEFAULT_DEBRIS.min_population,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="Vary a field of every non-baseline policy: path=value1,value2 (repeatable)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    calibration: CalibrationOption = None,
    out_dir: OutOption = None,
) -> None:
    """Compare policies on the same raid nights (paired differences with 95% intervals).

    Policies whose raid differs from the baseline's are compared unpaired, and say so.
    """
    _check_outputs(out_dir=out_dir, calibration=calibration)
    result = compare(
        *scenarios,
        replications=replications,
        seed=seed,
        workers=workers,
        vary=vary or [],
        calibration=calibration,
        raids_per_month=raids_per_month,
        debris=DebrisRule(radius_km=debris_radius_km, min_population=debris_min_population),
        progress=None if as_json else lambda label: err.print(f"running {label}", highlight=False),
        out=out_dir,
    )
    if result.run_id is not None:
        err.print(f"saved run {result.run_id} in {out_dir}", highlight=False)
    if as_json:
        print_json(result.to_dict())
        return
    _print_comparison(result)


def _label(measure: str) -> str:
    kind, _, key = measure.partition("/")
    return f"{kind.replace('_', ' ')}: {key}" if key else kind.replace("_", " ")


def _pm(diff: float, half_width: float) -> str:
    return f"{diff:+.2f} ± {half_width:.2f}"


def _scale(measure: str) -> tuple[float, str]:
    return (1e-6, " (USD M)") if "cost" in measure else (1.0, "")


def _print_comparison(result: PolicyComparison) -> None:
    out.print(
        f"[bold]compare[/]: baseline {result.names[0]} vs {', '.join(result.names[1:])}; "
        f"{result.replications} nights, seed {result.seed}; per month at "
        f"{result.raids_per_month:g} massed raids; debris: intercepts within "
        f"{result.debris.radius_km:g} km of places of {result.debris.min_population:,}+"
    )
    shown = result.summary.groupby("measure")["mean"].apply(lambda m: bool((m.abs() > 0).any()))
    measures = [m for m in shown.index if shown[m]]
    table = Table(title="Per night: mean ± 95% CI", title_justify="left")
    table.add_column("measure")
    for name in result.names:
        table.add_column(name, justify="right")
    summary = result.summary.set_index(["measure", "policy"])
    for m in measures:
        factor, unit = _scale(m)
        cells = []
        for name in result.names:
            if (m, name) in summary.index:
                r = summary.loc[(m, name)]
                cells.append(f"{r['mean'] * factor:.2f} ± {r['ci95'] * factor:.2f}")
            else:
                cells.append("0")
        table.add_row(_label(m) + unit, *cells)
    print_table(table)
    if result.unpaired:
        out.print(
            f"{', '.join(result.unpaired)}: a different raid from {result.names[0]}'s, so no "
            "night pairs with another: differences are unpaired (mean ± unpaired 95% CI)"
        )
    table = Table(
        title=f"Difference vs {result.names[0]} per night: paired mean ± 95% CI (unpaired CI)",
        title_justify="left",
    )
    table.add_column("measure")
    for name in result.names[1:]:
        table.add_column(name, justify="right")
    diffs = result.differences.set_index(["measure", "policy"])
    for m in measures:
        factor, unit = _scale(m)
        cells = []
        for name in result.names[1:]:
            r = diffs.loc[(m, name)]
            if name in result.unpaired:
                cells.append(f"{_pm(r['diff'] * factor, r['unpaired_ci95'] * factor)} unpaired")
                continue
            cells.append(
                f"{_pm(r['diff'] * factor, r['paired_ci95'] * factor)} "
                f"({r['unpaired_ci95'] * factor:.2f})"
            )
        table.add_row(_label(m) + unit, *cells)
    print_table(table)
    table = Table(
        title=(
            "Cost exchange: interceptor cost / cost of threats destroyed (ratio of means, ± 95% CI)"
        ),
        title_justify="left",
    )
    for col in ("policy", "interceptors USD M", "destroyed USD M", "ratio"):
        table.add_column(col, justify="left" if col == "policy" else "right")
    for r in result.cost_exchange.itertuples():
        table.add_row(
            str(r.policy),
            f"{r.interceptor_cost_usd / 1e6:.1f}",
            f"{r.threat_cost_destroyed_usd / 1e6:.1f}",
            f"{r.cost_exchange_ratio:.2f} ± {r.cost_exchange_ci95:.2f}",
        )
    print_table(table)
    if not result.sensitivity.empty:
        table = Table(
            title=f"Which assumptions matter: difference vs {result.names[0]} per night (± 95% CI)",
            title_justify="left",
        )
        for col in (
            "policy",
            "parameter = value",
            "leakers",
            "allied engagements over non-allied",
            "interceptor cost USD M",
        ):
            table.add_column(
                col, justify="left" if col in ("policy", "parameter = value") else "right"
            )
        for (policy, parameter, value), group in result.sensitivity.groupby(
            ["policy", "parameter", "value"], sort=False
        ):
            cells = group.set_index("measure")
            row = [
                _pm(cells.loc[m, "diff"] * _scale(m)[0], cells.loc[m, "ci95"] * _scale(m)[0])
                + ("" if cells.loc[m, "paired"] else " unpaired")
                for m in cells.index
            ]
            short = str(parameter).removeprefix("nations.").replace(".roe.", ".")
            table.add_row(str(policy), f"{short} = {value}", *row)
        print_table(table)


@app.command("sweep")
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
        typer.Option(min=1, help="A Sobol design of N·(parameters + 2) points (N a power of 2)."),
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
) -> None:
    """Run a scenario over a grid or a Sobol design of its parameters (resumable with --out)."""
    if plot is not None and sobol is None:
        sys.stderr.write("--plot: expected --sobol N too (the chart shows Sobol indices)\n")
        raise typer.Exit(2)
    _check_outputs(plot=plot, out_dir=out_dir)
    with progress_bar("points", quiet=as_json) as report:
        result = sweep(
            scenario,
            param,
            sobol=sobol,
            replications=replications,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            out=out_dir,
            progress=report,
        )
    if plot is not None and result.sobol is not None:
        from skyshield.plots import plot_sobol  # slow to import: only when asked

        save_figure(plot_sobol(result.sobol, title=f"{scenario}: Sobol indices"), plot)
    if as_json:
        print_json(
            {
                "sweep_id": result.plan.sweep_id,
                "points": result.table.to_dict(orient="records"),
                "sobol": None if result.sobol is None else result.sobol.to_dict(orient="records"),
                "skipped": result.skipped,
            }
        )
        return
    _print_sweep(result)


def _print_sweep(result: SweepResult) -> None:
    plan = result.plan
    out.print(
        f"[bold]sweep[/] {plan.sweep_id}: {_plural(len(plan.tasks), 'point')} "
        f"({result.skipped} already complete, read back), "
        f"{_plural(plan.record.replications, 'night')} each, seed {plan.seed}"
    )
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
                _label(str(r.output)),
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
    for m in SENSITIVITY_MEASURES:
        table.add_column(_label(m) + _scale(m)[1], justify="right")
    stats = result.table.set_index(["point", "measure", "key"])
    for task in plan.tasks:
        values = task.point.as_dict()
        cells = [str(values[p]) for p in paths]
        for m in SENSITIVITY_MEASURES:
            measure, _, key = m.partition("/")
            factor = _scale(m)[0]
            row = stats.loc[(task.point.key, measure, key)]
            cells.append(f"{row['mean'] * factor:.2f} ± {row['ci95'] * factor:.2f}")
        table.add_row(*cells)
    print_table(table)


@app.command("runs")
def runs_command(
    directory: Annotated[Path, typer.Argument(help="A results directory written by --out.")],
    points: Annotated[
        bool, typer.Option("--points", help="Also list each sweep point as a run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """List the runs saved in a results directory (id, kind, scenario, seed, status)."""
    frame = list_runs(directory, points=points)
    if as_json:
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        print_json({"directory": str(directory), "runs": records})
        return
    table = Table(title=f"Runs in {directory}", title_justify="left")
    columns = ("run_id", "kind", "scenario_name", "seed", "replications", "started", "status")
    for col in columns:
        table.add_column(
            col.replace("_", " "),
            justify="right" if col == "seed" else "left",
            no_wrap=col in ("run_id", "started"),
        )
    for r in frame.itertuples():
        table.add_row(
            *(
                f"{getattr(r, c):%Y-%m-%d %H:%M:%S}" if c == "started" else str(getattr(r, c))
                for c in columns
            )
        )
    print_table(table)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or campaign YAML files.")],
) -> None:
    """Check scenario or campaign files; print every problem with its field path.

    A file with a top-level ``nights`` field is checked as a campaign, any other as a scenario.
    """
    failed = False
    for path in files:
        try:
            if _is_campaign(path):
                load_campaign(path)
            else:
                _warn([f"{path}: {w}" for w in placement_warnings(load_scenario(path))])
        except SkyshieldError as exc:
            sys.stderr.write(f"{exc}\n")
            failed = True
        else:
            out.print(f"{path}: valid", markup=False, highlight=False)
    if failed:
        raise typer.Exit(2)


def _is_campaign(path: Path) -> bool:
    """Whether the file reads as a mapping with ``nights`` (campaigns have it, scenarios not)."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlInputError):
        return False  # the scenario loader reports what is wrong with the file
    return isinstance(data, dict) and "nights" in data


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write the JSON Schema of scenario files (for editor completion)."""
    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)
        err.print(f"wrote {output}")


@app.command()
def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """List every threat and system type with each parameter's value, unit and sources."""
    cat = load_catalog()
    frame = catalog_frame(cat)
    if as_json:
        sources = {
            k: {"title": v.title, "organisation": v.organisation, "date": v.date, "url": v.url}
            for k, v in cat.sources.items()
        }
        out.print_json(
            json.dumps(
                {"parameters": json.loads(frame.to_json(orient="records")), "sources": sources}
            )
        )
        return
    for kind, group in frame.groupby("kind", sort=False):
        table = Table(title=f"{kind} types", title_justify="left", show_lines=False)
        for col in ("type", "parameter", "value", "unit", "confidence", "basis", "sources"):
            table.add_column(col, justify="right" if col == "value" else "left", overflow="fold")
        previous = None
        for r in group.itertuples():
            name = "" if r.type_key == previous else str(r.type_key)
            previous = r.type_key
            table.add_row(
                name,
                str(r.parameter),
                f"{r.value:g}" if isinstance(r.value, float) else str(r.value),
                str(r.unit),
                str(r.confidence),
                str(r.basis),
                str(r.sources),
            )
        print_table(table)
    out.print(
        f"{len(cat.sources)} sources; `skyshield catalog --json` lists their titles and URLs."
    )


@app.command("scenarios")
def scenarios() -> None:
    """List the built-in example scenarios and campaigns."""
    for name in builtin_scenario_names():
        out.print(f"{name}: {load_scenario(name).description}", markup=False, highlight=False)
    out.print("\nbuilt-in campaigns (skyshield campaign NAME):", markup=False, highlight=False)
    for name in builtin_campaign_names():
        description = " ".join(load_campaign(name).description.split())
        out.print(f"{name}: {description}", markup=False, highlight=False)


app.command("calibrate")(calibrate_command)
app.command("backtest")(backtest_command)
app.command("campaign")(campaign_command)
app.command("report")(report_command)
app.command("export")(export_command)


def main() -> None:
    """Entry point: run the app; turn on-purpose errors into a clean message and exit 2."""
    try:
        app()
    except SkyshieldError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        # what is saved stays saved: a sweep resumes with the same command
        sys.stderr.write("interrupted\n")
        sys.exit(130)
