"""Tests of the ``skyshield export`` verb (skyshield.exporting.commands) through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skyshield.cli import app
from skyshield.errors import ScenarioError
from skyshield.scenario import parse_scenario
from skyshield.testing import run_cli

SMALL = """
name: tiny
start_time: {start}
nations: {{UA: {{}}}}
assets: {{Kyiv: {{city: Kyiv, country: UA}}}}
networks: {{ua: {{}}}}
raid:
  launch_sites: {{north: {{lon_deg: 31.0, lat_deg: 52.0}}}}
  waves: [{{threat: shahed-136, count: 2, launch_site: north, targets: [Kyiv]}}]
"""


def test_export__writes_geojson_of_the_asked_night(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SMALL.format(start="2024-07-08T02:00:00+03:00"))
    out = tmp_path / "night.geojson"
    result = CliRunner().invoke(
        app, ["export", str(scenario), "--format", "geojson", "-o", str(out), "-r", "1"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["properties"]["replication"] == 1
    assert document["properties"]["start_time"] == "2024-07-08T02:00:00+03:00"
    assert sum(f["properties"]["layer"] == "route" for f in document["features"]) == 2


def test_export__replication_beyond_the_run_exits_2(tmp_path: Path) -> None:
    # the exit status and the absent traceback are what skyshield.cli.main makes
    out = tmp_path / "x.acmi"
    result = run_cli("export", "default", "-f", "acmi", "-o", out, "-n", "2", "-r", "2")
    assert result.returncode == 2
    assert result.stderr == (
        "default: --replication: expected a replication index from 0 to 1 (runs 2), got 2\n"
    )
    assert not out.exists()


def test_export__bad_output_directory_exits_2_before_running(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["export", "default", "-f", "kml", "-o", str(tmp_path / "no" / "x.kml")]
    )
    assert result.exit_code == 2
    assert "expected a path in an existing directory" in result.output


def test_start_time__without_time_zone_is_an_error_naming_the_field() -> None:
    with pytest.raises(ScenarioError, match=r"^tiny.yaml: start_time: expected timezone info"):
        parse_scenario(SMALL.format(start="2024-07-08T02:00:00"), source="tiny.yaml")


@pytest.mark.parametrize(
    ("suffix", "opening"),
    [
        (".kml", "<kml "),
        (".czml", '[{"id":"document"'),
        (".acmi", "FileType=text/acmi/tacview"),
        (".json", '{"type":"FeatureCollection"'),
    ],
)
def test_export__format_from_the_output_suffix(tmp_path: Path, suffix: str, opening: str) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SMALL.format(start="2024-07-08T02:00:00+03:00"))
    out = tmp_path / f"y{suffix}"
    result = run_cli("export", scenario, "-o", out, "-n", "1")
    assert result.returncode == 0, result.stderr
    assert out.read_text().lstrip("\ufeff").replace(" ", "").startswith(opening.replace(" ", ""))


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["-f", "geojson", "-o", "y.kml"],
            "y.kml: --format geojson: expected a .geojson file, got suffix '.kml' (a kml file's)",
        ),
        (
            ["-o", "y.txt"],
            "y.txt: expected --format or a suffix naming one (.geojson, .json, .czml, .kml, "
            ".acmi), got suffix '.txt'",
        ),
    ],
)
def test_export__suffix_and_format_disagree_one_line(
    tmp_path: Path, args: list[str], line: str
) -> None:
    result = run_cli("export", "default", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [line]
    assert list(tmp_path.iterdir()) == []
