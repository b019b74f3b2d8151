"""The ``campaign`` verb: a run of report nights with stocks that deplete and deliveries."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from skyshield.cli.common import check_outputs
from skyshield.terminal import (
    out,
    print_json,
    print_table,
    progress_bar,
    save_figure,
)

if TYPE_CHECKING:
    from skyshield.campaigns.simulate import CampaignResult, Plan
    from skyshield.campaigns.summary import CampaignSummary

__all__ = ["campaign_command"]

_MAX_RATE = 1e6  # rounds a month: beyond any plausible schedule
CREDIT = (
    "Raid tempo from: Petro Ivaniuk (piterfm), Massive Missile Attacks on Ukraine, Kaggle; "
    "based on Ukrainian Air Force reports. Posture notional; stocks and deliveries assumed."
)


def _schedule(plan: Plan, text: str) -> tuple[str, Plan]:
    """Parse ``SYSTEM=xK`` (K times its monthly delivery) or ``SYSTEM=N`` (rounds a month)."""
    system, sep, value = text.partition("=")
    problem = None
    if not sep or system not in plan.systems:
        problem = f"SYSTEM=xK or SYSTEM=N with SYSTEM one of {', '.join(plan.systems)}"
    else:
        try:
            rate = (
                float(value[1:]) * plan.per_month[plan.systems.index(system)]
                if value.startswith("x")
                else float(value)
            )
        except ValueError:
            rate = -1.0
        if not 0 <= rate <= _MAX_RATE:
            problem = "a multiplier xK or a number of rounds per month, >= 0"
    if problem is not None:
        sys.stderr.write(f"--deliveries: expected {problem}, got {text!r}\n")
        raise typer.Exit(2)
    return f"{system}={value}", plan.with_deliveries(system, rate)


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
    from skyshield.campaigns.build import build_plan, pool_for
    from skyshield.campaigns.load import DEFAULT_CAMPAIGN, load_campaign
    from skyshield.campaigns.simulate import simulate_campaign
    from skyshield.campaigns.solve import solve_deliveries as solve
    from skyshield.campaigns.summary import summarize_campaign
    from skyshield.reports import load_reports

    check_outputs(plot=plot, out_dir=out_dir)
    from skyshield.store import utc_now

    started = utc_now()
    campaign = load_campaign(source)
    reps = replications or campaign.monte_carlo.replications
    run_seed = campaign.monte_carlo.seed if seed is None else seed
    name = source or DEFAULT_CAMPAIGN
    plan = build_plan(campaign, load_reports(data), name)
    schedules = {"as planned": plan}
    for text in deliveries or []:
        label, variant = _schedule(plan, text)
        schedules[label] = variant
    if solve_deliveries is not None and solve_deliveries not in plan.systems:
        sys.stderr.write(
            f"--solve-deliveries: expected one of {', '.join(plan.systems)}, "
            f"got {solve_deliveries!r}\n"
        )
        raise typer.Exit(2)
    with progress_bar("raid pool (geometry)", quiet=as_json):
        pool = pool_for(campaign, plan, name)
    results: dict[str, CampaignResult] = {}
    for label, variant in schedules.items():
        with progress_bar(f"campaign: {label}", quiet=as_json) as progress:
            results[label] = simulate_campaign(
                pool, variant, replications=reps, seed=run_seed, workers=workers, progress=progress
            )
    summaries = {label: summarize_campaign(r) for label, r in results.items()}
    solution = None
    if solve_deliveries is not None:
        with progress_bar(f"solving {solve_deliveries}", quiet=as_json) as progress:
            solution = solve(
                pool,
                plan,
                solve_deliveries,
                max_risk,
                replications=reps,
                seed=run_seed,
                workers=workers,
                progress=progress,
                tried=None if as_json else _say_tried,
            )
        if solution.per_month is not None:  # the answer's own tables, beside the others
            label = f"{solve_deliveries}={solution.per_month} (solved)"
            with progress_bar(f"campaign: {label}", quiet=as_json) as progress:
                results[label] = simulate_campaign(
                    pool,
                    plan.with_deliveries(solve_deliveries, solution.per_month),
                    replications=reps,
                    seed=run_seed,
                    workers=workers,
                    progress=progress,
                )
            summaries[label] = summarize_campaign(results[label])
    document = _document(campaign.name, plan, summaries, solution)
    if plot is not None or out_dir is not None:
        from skyshield.campaigns.plots import plot_campaign

        figure = plot_campaign(results)
        if plot is not None:
            save_figure(figure, plot)
        if out_dir is not None:
            out_dir.mkdir(exist_ok=True)
            save_figure(figure, out_dir / "campaign.png")
            (out_dir / "campaign.json").write_text(json.dumps(document, indent=1) + "\n")
            for label, summary in summaries.items():
                name = "monthly.csv" if label == "as planned" else f"monthly-{_slug(label)}.csv"
                summary.monthly.to_csv(out_dir / name, index=False)
    if out_dir is not None:
        from skyshield.campaigns.store import campaign_record, campaign_tables
        from skyshield.store import save_run

        options = {
            "deliveries": list(deliveries or []),
            "solve_deliveries": solve_deliveries,
            "max_risk": max_risk if solve_deliveries is not None else None,
            "schedules": list(schedules),
        }
        record = campaign_record(
            campaign,
            source=source or DEFAULT_CAMPAIGN,
            seed=run_seed,
            replications=reps,
            options=options,
            data=data,
        )
        record = dataclasses.replace(record, started=started)
        save_run(out_dir, record, campaign_tables(results, summaries))
    if as_json:
        print_json(document, indent=1)
        return
    _print(campaign.name, plan, summaries, solution)


def _say_tried(per_month: int, risk: float) -> None:
    """One stderr line per delivery the solver tries, as it goes."""
    sys.stderr.write(f"solver: tried {per_month:,} rounds a month: P(stock-out) {risk:.3f}\n")


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in label)


def _document(
    name: str, plan: Plan, summaries: dict[str, CampaignSummary], solution: Any
) -> dict[str, Any]:
    base = summaries["as planned"].to_dict()
    document: dict[str, Any] = {"campaign": name, "start": plan.start.isoformat(), **base}
    if plan.generator is not None:
        document["raid_generator"] = plan.generator.to_dict()
    if len(summaries) > 1:
        document["schedules"] = [
            {"schedule": label, **s.to_dict()} for label, s in summaries.items()
        ]
    if solution is not None:
        document["solution"] = solution.to_dict()
    return document


def _fmt(value: object, digits: int = 0) -> str:
    if value is None or value != value:  # None or NaN: nothing to show
        return "-"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def _spread(row: dict[str, Any], name: str, digits: int) -> str:
    """``mean [p5-p95]`` of a monthly measure over the replications."""
    low, high = row[f"{name}_p5"], row[f"{name}_p95"]
    return f"{_fmt(row[name], digits)} [{_fmt(low, digits)}-{_fmt(high, digits)}]"


def _print(name: str, plan: Plan, summaries: dict[str, CampaignSummary], solution: Any) -> None:
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
        title="Per month: mean over replications [5-95% of replications]",
        title_justify="left",
    )
    for col in (
        "schedule",
        "month",
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
