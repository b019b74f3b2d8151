"""The ``run`` verb: simulate a raid many times and print what gets through."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from skyshield.cli.common import (
    CalibrationOption,
    OutOption,
    RouteSetsOption,
    ScenarioArg,
    check_outputs,
    fmt,
    label,
    plural,
    route_sets_value,
    say_reference_time,
    staged_progress,
    warn,
)
from skyshield.settings import EngineKind
from skyshield.terminal import err, out, print_json, print_table, save_figure

if TYPE_CHECKING:
    import pandas as pd

    from skyshield.results import RunSummary

__all__ = ["run_command"]

# below this many replications the intervals of the mean do not exist
_MIN_REPLICATIONS_FOR_CI = 2


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
    route_sets: RouteSetsOption = None,
) -> None:
    """Simulate a raid many times and report what gets through."""
    from skyshield.api import run
    from skyshield.scenario import load_scenario, scenario_warnings

    applied = check_outputs(plot=plot, out_dir=out_dir, calibration=calibration)
    loaded = load_scenario(scenario)
    warn(scenario_warnings(loaded))
    if applied is not None:
        from skyshield.calibration.applied import applied_warnings

        warn(applied_warnings([loaded], applied))
    total = replications or loaded.monte_carlo.replications
    if engine is EngineKind.REFERENCE:
        say_reference_time(loaded, total)
    # two stages: the route sets built before the nights, then the nights
    with staged_progress(quiet=as_json) as stage:
        summary = run(
            loaded,
            replications=replications,
            route_sets=route_sets_value(route_sets),
            seed=seed,
            workers=workers,
            engine=engine,
            progress=lambda done, total: stage("replications", done, total),
            calibration=applied,
            out=out_dir,
            geometry_progress=lambda done, total: stage("geometry", done, total),
        )
    if summary.run_id is not None:
        err.print(f"saved run {summary.run_id} in {out_dir}", highlight=False)
    idle, everyone = _idle_units(summary)
    if idle:
        warn([idle_warning(idle, everyone, summary.replications)])
    # the tables first: a figure that cannot be saved after all must not lose them
    if as_json:
        print_json(summary.to_dict())
    else:
        _print_summary(summary)
        if units:
            _print_units(summary)
    if plot is not None:
        save_figure(summary.plot(), plot)


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


def _print_summary(summary: RunSummary) -> None:
    s = summary
    out.print(
        f"[bold]{s.scenario_name}[/]: {plural(s.replications, 'replication')}, seed {s.seed}, "
        f"{s.engine} engine" + (" — defending positions are NOTIONAL" if s.notional else "")
    )
    if s.calibration_applied is not None:
        out.print(s.calibration_applied["description"], highlight=False, soft_wrap=True)
    calibrated = (
        "" if s.calibration_applied is None else f" (calibrated: {s.calibration_applied['file']})"
    )
    table = Table(
        title=f"Threats per night: mean ± 95% CI of the mean{calibrated}", title_justify="left"
    )
    table.add_column("class")
    quantities = ["launched", "intercepted", "lost_to_ew", "fell", "impacted", "reached_area"]
    for q in quantities:
        table.add_column(q.replace("_", " "), justify="right")
    for cls, group in s.by_class.groupby("threat_class", sort=False):
        cells = {r.quantity: fmt(r.mean, r.ci95_low, r.ci95_high) for r in group.itertuples()}
        table.add_row(
            str(cls), *(cells[q] for q in quantities), style="bold" if cls == "all" else None
        )
    print_table(table)
    if s.replications < _MIN_REPLICATIONS_FOR_CI:
        out.print("(intervals of the mean need at least 2 replications; shown as nan)")
    table = Table(
        title="Per target per night: impacts, and decoys whose flight ended within its area "
        "(shot down there or not); mean ± 95% CI, and the range of the middle 95% (impacts) "
        "or 90% (decoys) of nights",
        title_justify="left",
    )
    for col in ("target", "impacts", "nights 2.5–97.5%", "decoys ended in area", "nights 5–95%"):
        table.add_column(col, justify="right" if col != "target" else "left")
    by_target = s.by_target.set_index(["quantity", "target"])
    for target in dict.fromkeys(s.by_target["target"]):
        hit, area = by_target.loc[("impacts", target)], by_target.loc[("reached_area", target)]
        table.add_row(
            str(target),
            fmt(hit["mean"], hit["ci95_low"], hit["ci95_high"]),
            f"{hit['night_p2_5']:.0f}–{hit['night_p97_5']:.0f}",
            fmt(area["mean"], area["ci95_low"], area["ci95_high"]),
            f"{area['night_p5']:.0f}–{area['night_p95']:.0f}",
        )
    print_table(table)
    table = Table(title="Interceptors per night, by nation and system", title_justify="left")
    columns = (
        "nation",
        "system",
        "rounds ± 95% CI",
        "of them at decoys",
        "cost USD M ± 95% CI",
        "USD M per downed",
    )
    for col in columns:
        table.add_column(col, justify="left" if col in ("nation", "system") else "right")
    by = s.interceptors.set_index(["quantity", "nation", "system"])
    for key, r in by.loc["rounds"].iterrows() if "rounds" in by.index else ():
        d, c = by.loc[("rounds_at_decoys", *key)], by.loc[("cost_usd", *key)]
        table.add_row(
            *map(str, key),
            fmt(r["mean"], r["ci95_low"], r["ci95_high"]),
            fmt(d["mean"], d["ci95_low"], d["ci95_high"]),
            fmt(c["mean"] / 1e6, c["ci95_low"] / 1e6, c["ci95_high"] / 1e6, 2),
            _per_downed(by, key),
        )
    if ("cost_per_downed_usd", "all", "all") in by.index:
        table.add_row("all", "all", "", "", "", _per_downed(by, ("all", "all")), style="bold")
    print_table(table)
    _print_air_patrols(s)
    _print_cross_border(s)


def _per_downed(by: pd.DataFrame, key: tuple[str, str]) -> str:
    """Cost per threat downed, USD M ± 95% CI ("–" when nothing was downed)."""
    r = by.loc[("cost_per_downed_usd", *key)]
    if math.isnan(r["mean"]):
        return "–"
    return fmt(r["mean"] / 1e6, r["ci95_low"] / 1e6, r["ci95_high"] / 1e6, 2)


# Names listed in the idle warning; a big laydown's warning was a screenful of ids
IDLE_NAMES_SHOWN = 12


def idle_warning(idle: list[str], everyone: int, nights: int) -> str:
    """Return the warning about units that never fired: how many, and the first names."""
    names = ", ".join(idle[:IDLE_NAMES_SHOWN])
    if len(idle) > IDLE_NAMES_SHOWN:
        names += f" and {len(idle) - IDLE_NAMES_SHOWN} more (--json: by_unit lists every unit)"
    return (
        f"{len(idle)} of {everyone} fire units and patrols never fired in "
        f"{plural(nights, 'night')} (out of reach, not tasked, or barred by their rules): {names}"
    )


def _idle_units(summary: RunSummary) -> tuple[list[str], int]:
    """Fire units, and air patrols none of whose aircraft fired, that never fired; how many.

    A patrol's rows (``patrol/sortie.aircraft/weapon``) are judged together: a later sortie
    finding nothing left to engage is the plan working, not a unit out of reach.
    """
    patrols = {p.id for p in summary.scenario.air_patrols} if summary.scenario else set()
    by_unit = summary.by_unit
    owner = by_unit["unit"].str.split("/", n=1).str[0]
    of_patrol = owner.isin(patrols) & by_unit["unit"].str.contains("/", regex=False)
    fired = by_unit["nights_fired"] > 0
    idle = by_unit.loc[~of_patrol & ~fired, "unit"].tolist()
    fired_patrols = set(owner[of_patrol & fired])
    idle += [p for p in sorted(patrols) if p not in fired_patrols]
    return idle, int((~of_patrol).sum()) + len(patrols)


def _print_air_patrols(summary: RunSummary) -> None:
    patrols = summary.air_patrols
    if patrols is None or patrols.empty:
        return
    table = Table(title="Air patrols per night (means)", title_justify="left")
    for col in (
        "patrol", "nation", "aircraft", "aircraft sorties", "hours on station", "rounds",
        "kills", "cost USD M", "USD M per kill",
    ):  # fmt: skip
        table.add_column(
            col, justify="left" if col in ("patrol", "nation", "aircraft") else "right"
        )
    for r in patrols.itertuples():
        table.add_row(
            str(r.patrol), str(r.nation), str(r.aircraft_type), str(r.aircraft_sorties),
            f"{r.hours_on_station:.1f}", f"{r.rounds_mean:.1f}", f"{r.kills_mean:.1f}",
            f"{r.cost_usd_mean / 1e6:.2f}", f"{r.cost_per_kill_usd / 1e6:.2f}",
        )  # fmt: skip
    print_table(table)  # the cost per threat downed of all interceptors: the table above


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
            label(str(r.measure), str(r.key)),
            fmt(r.mean, r.ci95_low, r.ci95_high, 2),
            f"{r.night_p2_5:.0f}–{r.night_p97_5:.0f}",
        )
    print_table(table)
