"""Verbs that list and check: ``runs``, ``validate``, ``schema``, ``catalog``, ``scenarios``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skyshield.cli.common import warn
from skyshield.errors import SkyshieldError
from skyshield.terminal import err, out, print_json, print_table, write_output
from skyshield.yamlio import YamlInputError, load_yaml

__all__ = ["catalog", "runs_command", "scenarios", "schema", "validate"]


def runs_command(
    directory: Annotated[Path, typer.Argument(help="A results directory written by --out.")],
    points: Annotated[
        bool, typer.Option("--points", help="Also list each sweep point as a run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """List the runs saved in a results directory (id, kind, scenario, seed, status)."""
    from skyshield.store import list_runs

    frame = list_runs(directory, points=points)
    if as_json:
        records = json.loads(frame.to_json(orient="records", date_format="iso"))
        print_json({"schema": "skyshield/runs/v2", "directory": str(directory), "runs": records})
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


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or campaign YAML files.")],
) -> None:
    """Check scenario or campaign files; print every problem with its field path.

    A file with a top-level ``nights`` field is checked as a campaign, any other as a scenario.
    """
    from skyshield.campaigns.load import load_campaign
    from skyshield.scenario import load_scenario, scenario_warnings

    failed = False
    for path in files:
        try:
            if _is_campaign(path):
                load_campaign(path)
            else:
                warn([f"{path}: {w}" for w in scenario_warnings(load_scenario(path))])
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


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write the JSON Schema of scenario files (for editor completion)."""
    from skyshield.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)
        err.print(f"wrote {output}")


def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """List every threat and system type with each parameter's value, unit and sources."""
    from skyshield.catalog import catalog_frame, load_catalog

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


def scenarios() -> None:
    """List the built-in example scenarios and campaigns."""
    from skyshield.campaigns.load import builtin_campaign_names, load_campaign
    from skyshield.scenario import builtin_scenario_names, load_scenario

    for name in builtin_scenario_names():
        out.print(f"{name}: {load_scenario(name).description}", markup=False, highlight=False)
    out.print("\nbuilt-in campaigns (skyshield campaign NAME):", markup=False, highlight=False)
    for name in builtin_campaign_names():
        description = " ".join(load_campaign(name).description.split())
        out.print(f"{name}: {description}", markup=False, highlight=False)
