"""The ``compare`` verb: policies on the same raid nights, paired differences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from skyshield.cli.common import (
    CalibrationOption,
    OutOption,
    RouteSetsOption,
    check_outputs,
    label,
    pm,
    route_sets_value,
    scale,
    warn,
)
from skyshield.settings import DEFAULT_DEBRIS, MASSED_RAIDS_PER_MONTH, DebrisRule
from skyshield.terminal import err, out, print_json, print_table

if TYPE_CHECKING:
    from skyshield.runner.compare import PolicyComparison

__all__ = ["compare_command"]


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
    route_sets: RouteSetsOption = None,
) -> None:
    """Compare policies on the same raid nights (paired differences with 95% intervals).

    Policies whose raid differs from the baseline's are compared unpaired, and say so.
    """
    from skyshield.api import compare

    applied = check_outputs(out_dir=out_dir, calibration=calibration)
    if applied is not None:  # as `run` warns: each policy whose units differ from the fit's
        from skyshield.calibration.applied import applied_warnings
        from skyshield.scenario import load_scenario

        warn(applied_warnings([load_scenario(s) for s in scenarios], applied))
    result = compare(
        *scenarios,
        replications=replications,
        route_sets=route_sets_value(route_sets),
        seed=seed,
        workers=workers,
        vary=vary or [],
        calibration=applied,
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


def _print_comparison(result: PolicyComparison) -> None:
    out.print(
        f"[bold]compare[/]: baseline {result.names[0]} vs {', '.join(result.names[1:])}; "
        f"{result.replications} nights, seed {result.seed}; per month at "
        f"{result.raids_per_month:g} massed raids; debris: intercepts within "
        f"{result.debris.radius_km:g} km of places of {result.debris.min_population:,}+"
    )
    if result.calibration_applied is not None:  # every policy ran with it: say which, as `run`
        out.print(result.calibration_applied["description"], highlight=False, soft_wrap=True)
    moved = result.summary.groupby(["measure", "key"])["mean"].apply(
        lambda m: bool((m.abs() > 0).any())
    )
    measures = [m for m in moved.index if moved[m]]
    table = Table(title="Per night: mean ± 95% CI", title_justify="left")
    table.add_column("measure")
    for name in result.names:
        table.add_column(name, justify="right")
    summary = result.summary.set_index(["measure", "key", "policy"])
    for m in measures:
        factor, unit = scale(m[0])
        cells = []
        for name in result.names:
            if (*m, name) in summary.index:
                r = summary.loc[(*m, name)]
                cells.append(f"{r['mean'] * factor:.2f} ± {r['ci95'] * factor:.2f}")
            else:
                cells.append("0")
        table.add_row(label(*m) + unit, *cells)
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
    diffs = result.differences.set_index(["measure", "key", "policy"])
    for m in measures:
        factor, unit = scale(m[0])
        cells = []
        for name in result.names[1:]:
            r = diffs.loc[(*m, name)]
            if name in result.unpaired:
                cells.append(f"{pm(r['diff'] * factor, r['unpaired_ci95'] * factor)} unpaired")
                continue
            cells.append(
                f"{pm(r['diff'] * factor, r['paired_ci95'] * factor)} "
                f"({r['unpaired_ci95'] * factor:.2f})"
            )
        table.add_row(label(*m) + unit, *cells)
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
            row = [
                pm(r.diff * scale(r.measure)[0], r.ci95 * scale(r.measure)[0])
                + ("" if r.paired else " unpaired")
                for r in group.itertuples()
            ]
            short = str(parameter).removeprefix("nations.").replace(".roe.", ".")
            table.add_row(str(policy), f"{short} = {value}", *row)
        print_table(table)
