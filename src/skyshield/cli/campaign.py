"""The ``campaign`` verb: a run of report nights with stocks that deplete and deliveries."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from skyshield.cli.common import check_outputs, staged_progress
from skyshield.credits import REPORTS_CREDIT
from skyshield.terminal import (
    out,
    print_json,
    print_table,
    save_figure,
)

if TYPE_CHECKING:
    from skyshield.campaigns.workflow import CampaignRun

__all__ = ["campaign_command"]

CREDIT = f"Raid tempo from: {REPORTS_CREDIT} Posture notional; stocks and deliveries assumed."


def campaign_command(
    source: Annotated[
        str | None,
        typer.Argument(help="Campaign YAML file or built-in name; default: h2-2025-patriot."),
    ] = None,
    replications: Annotated[
        int | None, typer.Option("-n", "--replications", min=1, help="Replications.")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Run seed.")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker threads (results do not depend on it).")
    ] = min(os.cpu_count() or 1, 8),
    deliveries: Annotated[
        list[str] | None,
        typer.Option(
            "--deliveries",
            help="Also run another schedule, side by side: SYSTEM=xK (K times its monthly "
            "delivery) or SYSTEM=N (rounds a month). Repeat for more schedules.",
        ),
    ] = None,
    solve_deliveries: Annotated[
        str | None,
        typer.Option(
            "--solve-deliveries",
            help="Find the smallest monthly delivery of this system that keeps P(stock-out "
            "before the end) at most --max-risk.",
        ),
    ] = None,
    max_risk: Annotated[float, typer.Option(min=0.0, max=1.0, help="For the solver.")] = 0.1,
    data: Annotated[
        Path | None, typer.Option(help="Reports CSV in the shipped format (raid tempo).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Results directory: the run in its catalog with its tables as Parquet "
            "(`skyshield runs DIR`), plus campaign.json, monthly.csv and campaign.png.",
        ),
    ] = None,
    plot: Annotated[Path | None, typer.Option(help="Save the stock bands (PNG, SVG).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Run nights of raids with stocks and deliveries: when do interceptors run out."""
    from skyshield.api import campaign

    check_outputs(plot=plot, out_dir=out_dir)
    with staged_progress(quiet=as_json) as progress:
        result = campaign(
            source,
            replications=replications,
            seed=seed,
            workers=workers,
            deliveries=deliveries or [],
            solve=solve_deliveries,
            max_risk=max_risk,
            tried=None if as_json else _say_tried,
            data=data,
            out=out_dir,
            progress=progress,
        )
    if plot is not None:
        save_figure(result.plot(), plot)
    if as_json:
        print_json(result.to_dict(), indent=1)
        return
    _print(result)


def _fmt(value: object, digits: int = 0) -> str:
    if value is None or value != value:  # None or NaN: nothing to show
        return "-"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def _spread(row: dict[str, Any], name: str, digits: int) -> str:
    """``mean [p5-p95]`` of a monthly measure over the replications."""
    low, high = row[f"{name}_p5"], row[f"{name}_p95"]
    return f"{_fmt(row[name], digits)} [{_fmt(low, digits)}-{_fmt(high, digits)}]"


def _print(result: CampaignRun) -> None:
    name, plan, summaries, solution = (
        result.campaign.name,
        result.plan,
        result.summaries,
        result.solution,
    )
    first = next(iter(summaries.values()))
    out.print(
        f"[bold]campaign[/] {name}: {first.nights} nights from {plan.start}, "
        f"{first.replications} replications"
    )
    out.print(CREDIT, style="dim")
    table = Table(title="National stocks per system", title_justify="left")
    for col in (
        "schedule",
        "nation",
        "system",
        "start",
        "per month",
        "rounds /night",
        "P(out) [95%]",
        "out night p10/50/90",
        "nights held",
        "end p5/50/95",
    ):
        table.add_column(
            col, justify="left" if col in ("schedule", "nation", "system") else "right"
        )
    for label, summary in summaries.items():
        for r in summary.systems.itertuples():
            table.add_row(
                label,
                str(r.nation),
                str(r.system),
                str(r.stock_start),
                _fmt(r.deliveries_per_month),
                _fmt(r.rounds_per_night, 2),
                f"{r.p_stockout:.2f} [{r.p_stockout_lo:.2f}-{r.p_stockout_hi:.2f}]",
                "/".join(
                    _fmt(v)
                    for v in (r.stockout_night_p10, r.stockout_night_p50, r.stockout_night_p90)
                ),
                _fmt(r.nights_holding, 1),
                "/".join(_fmt(v) for v in (r.stock_end_p5, r.stock_end_p50, r.stock_end_p95)),
            )
    print_table(table)
    monthly = Table(
        title="Per month: mean over replications [5-95% of replications]; a month the campaign "
        "covers in part has fewer nights",
        title_justify="left",
    )
    for col in (
        "schedule",
        "month",
        "nights",
        "drones launched",
        "drone hits",
        "cruise hits",
        "ballistic hits",
        "interceptor cost $M",
    ):
        monthly.add_column(col, justify="left" if col in ("schedule", "month") else "right")
    for label, summary in summaries.items():
        for r in summary.monthly.to_dict(orient="records"):
            monthly.add_row(
                label,
                str(r["month"]),
                str(r["nights"]),
                _fmt(r["drone_launched"]),
                _spread(r, "drone_hits", 0),
                _spread(r, "cruise_hits", 1),
                _spread(r, "ballistic_hits", 1),
                _spread(r, "cost_musd", 0),
            )
    print_table(monthly)
    out.print(
        "interceptor cost: rounds fired times their catalog cost; units of untracked systems "
        "start every night fully loaded, so it is an upper bound",
        style="dim",
    )
    if first.truncated_launches > 0:
        out.print(
            f"{first.truncated_launches:.1f} launches per replication were beyond the raid "
            "pool's capacity (its 99.9% quantile per class) and were not flown.",
            style="dim",
        )
    if solution is not None:
        tried = Table(
            title=f"Solver: monthly deliveries of {solution.system} tried",
            title_justify="left",
        )
        for col in ("rounds a month", "P(stock-out)", f"<= {solution.max_risk}"):
            tried.add_column(col, justify="right")
        for per_month, risk in sorted(solution.tried.items()):
            tried.add_row(
                f"{per_month:,}", f"{risk:.3f}", "yes" if risk <= solution.max_risk else "no"
            )
        print_table(tried)
        if solution.per_month is None:
            out.print(
                f"[bold]solver[/]: no monthly delivery of {solution.system} up to "
                f"{max(solution.tried)} keeps P(stock-out) <= {solution.max_risk}"
            )
        else:
            out.print(
                f"[bold]solver[/]: {solution.system} needs {solution.per_month} rounds a month "
                f"for P(stock-out) <= {solution.max_risk}: estimated {solution.risk:.3f} "
                f"[95% {solution.risk_lo:.3f}-{solution.risk_hi:.3f}], bootstrap 90% of the "
                f"answer {_fmt(solution.bootstrap_p5)}-{_fmt(solution.bootstrap_p95)} "
                f"({solution.replications} replications per candidate)"
            )


def _say_tried(per_month: int, risk: float) -> None:
    """One stderr line per delivery the solver tries, as it goes."""
    sys.stderr.write(f"solver: tried {per_month:,} rounds a month: P(stock-out) {risk:.3f}\n")
