"""The ``export`` verb: one simulated night as GeoJSON, CZML, KML or Tacview ACMI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from skyshield.cli.common import RouteSetsOption, check_outputs, route_sets_value
from skyshield.settings import ExportFormat
from skyshield.terminal import err, progress_bar, write_output

__all__ = ["export_command"]

# The formats each output suffix is taken for: CZML is JSON too, so .json suits both.
SUFFIX_FORMATS = {
    ".geojson": (ExportFormat.GEOJSON,),
    ".json": (ExportFormat.GEOJSON, ExportFormat.CZML),
    ".czml": (ExportFormat.CZML,),
    ".kml": (ExportFormat.KML,),
    ".acmi": (ExportFormat.ACMI,),
}


def _format_for(output: Path, file_format: ExportFormat | None) -> ExportFormat:
    """Return the format to write: --format, else the suffix's; exit 2 if they disagree."""
    suffix = output.suffix.lower()
    formats = SUFFIX_FORMATS.get(suffix)
    if file_format is None:
        if formats is None:
            found = f"suffix {output.suffix!r}" if suffix else "no suffix"
            sys.stderr.write(
                f"{output}: expected --format or a suffix naming one "
                f"({', '.join(SUFFIX_FORMATS)}), got {found}\n"
            )
            raise typer.Exit(2)
        return formats[0]
    if formats is not None and file_format not in formats:
        sys.stderr.write(
            f"{output}: --format {file_format.value}: expected a .{file_format.value} file, "
            f"got suffix {output.suffix!r} (a {formats[0].value} file's)\n"
        )
        raise typer.Exit(2)
    return file_format


def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario YAML file, built-in name, or a stored run's folder DIR/runs/<run id> "
            "(saved by run --out; read, not simulated again). Default: the default scenario."
        ),
    ] = None,
    file_format: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="geojson (GIS), czml (Cesium), kml (Google Earth) or acmi (Tacview 2.1); "
            "default: from the suffix of --output (.geojson or .json, .czml, .kml, .acmi).",
        ),
    ] = None,
    replication: Annotated[
        int, typer.Option("--replication", "-r", min=0, help="Which night (replication) to export.")
    ] = 0,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications",
            "-n",
            min=1,
            help="Nights to simulate (default: just enough to include --replication; the night "
            "is the same in a longer run).",
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the run seed.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker threads.")] = 1,
    route_sets: RouteSetsOption = None,
) -> None:
    """Write one simulated night as GeoJSON, CZML, KML or Tacview ACMI, with real times."""
    from skyshield.api import export

    file_format = _format_for(output, file_format)
    check_outputs(files=[output])
    with progress_bar("replications", quiet=False) as report:
        text = export(
            scenario,
            file_format,
            replication=replication,
            replications=replications,
            route_sets=route_sets_value(route_sets),
            seed=seed,
            workers=workers,
            progress=report,
        )
    write_output(output, text)
    err.print(f"wrote {output} ({len(text.encode('utf-8')) / 1e6:.1f} MB)", highlight=False)
