"""Tests of the ``skyshield validate`` and ``skyshield schema`` verbs (skyshield.cli).

The CLI runs as the entry point runs it (in-process, ``skyshield.testing.run_cli``): exit status,
stdout and stderr are checked, and a broken file must never show a Python traceback.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield.scenario import DEFAULT_SCENARIO, builtin_scenario_path
from skyshield.scenario.schema import scenario_json_schema
from skyshield.testing import run_cli

DEFAULT_DICT: dict[str, Any] = yaml.safe_load(
    builtin_scenario_path(DEFAULT_SCENARIO).read_text(encoding="utf-8")
)
EXIT_INPUT_ERROR = 2  # cli.py: on-purpose errors exit with status 2


_skyshield = run_cli


def _unknown_system(d: dict[str, Any]) -> None:
    d["fire_units"][0]["system"] = "patriot-pac9"


def _latitude_out_of_range(d: dict[str, Any]) -> None:
    d["sensors"][0]["position"]["lat_deg"] = 95


def _unknown_field(d: dict[str, Any]) -> None:
    wave = d["raid"]["waves"][0]
    wave["lauch_site"] = wave.pop("launch_site")


def _old_route_field(d: dict[str, Any]) -> None:
    d.setdefault("monte_carlo", {})["route_realizations"] = 16


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    # file name: (edit, field path, words of the message)
    "unknown_system.yaml": (_unknown_system, "fire_units[0].system", "'patriot-pac9'"),
    "bad_latitude.yaml": (_latitude_out_of_range, "sensors[0].position.lat_deg", "90"),
    "typo.yaml": (_unknown_field, "raid.waves[0]", "'lauch_site'"),
    "renamed.yaml": (_old_route_field, "monte_carlo", "'route_realizations', its old name"),
}


def _write_broken(directory: Path, name: str) -> Path:
    data = copy.deepcopy(DEFAULT_DICT)
    BROKEN[name][0](data)
    path = directory / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_validate__default_example(tmp_path: Path) -> None:
    path = builtin_scenario_path(DEFAULT_SCENARIO)
    result = _skyshield("validate", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{path}: valid"
    assert result.stderr == ""


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_validate__broken_file(tmp_path: Path, name: str) -> None:
    _write_broken(tmp_path, name)
    result = _skyshield("validate", name, cwd=tmp_path)
    assert result.returncode == EXIT_INPUT_ERROR
    assert result.stdout == ""
    _, field, words = BROKEN[name]
    assert f"{name}: {field}: expected " in result.stderr
    assert words in result.stderr
    assert "got" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate__every_file_checked(tmp_path: Path) -> None:
    # Valid, broken and missing files together: each is reported, the run fails.
    good = builtin_scenario_path(DEFAULT_SCENARIO)
    broken = _write_broken(tmp_path, "unknown_system.yaml").name
    result = _skyshield("validate", broken, good, "missing.yaml", cwd=tmp_path)
    assert result.returncode == EXIT_INPUT_ERROR
    assert result.stdout.strip() == f"{good}: valid"
    assert result.stderr.startswith(f"{broken}: fire_units[0].system: expected ")
    assert result.stderr.splitlines()[-1].startswith(
        "missing.yaml: expected an existing file or a built-in scenario "
        "(airspace-violation, baseline, "
    )
    assert "Traceback" not in result.stderr


def test_validate__one_line_per_problem(tmp_path: Path) -> None:
    _write_broken(tmp_path, "unknown_system.yaml")
    result = _skyshield("validate", "unknown_system.yaml", cwd=tmp_path)
    assert result.returncode == EXIT_INPUT_ERROR
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("unknown_system.yaml: fire_units[0].system: expected ")
    assert lines[0].endswith(", got 'patriot-pac9'")


def test_schema__json_with_raid(tmp_path: Path) -> None:
    result = _skyshield("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert "raid" in schema["properties"]
    assert set(schema["required"]) >= {"name", "nations", "assets", "networks", "raid"}
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("missing/dir/x.json", "expected a path in an existing directory"),
        (".", "expected a file path, got a directory"),
    ],
)
def test_schema__bad_output_path_is_one_line(tmp_path: Path, target: str, expected: str) -> None:
    result = _skyshield("schema", "-o", target, cwd=tmp_path)
    assert result.returncode == EXIT_INPUT_ERROR
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _no_nan(token: str) -> None:
    raise AssertionError(f"not JSON: {token}")


def test_run_json__one_replication_is_strict_json(tmp_path: Path) -> None:
    """RFC 8259 has no NaN: intervals that need 2 replications are null."""
    result = _skyshield("run", "-n", "1", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout, parse_constant=_no_nan)
    assert data["replications"] == 1
    row = data["by_class"][0]
    assert row["ci95_low"] is None
    assert isinstance(row["mean"], float)
    assert {r["quantity"] for r in data["by_class"]} >= {"impacted", "reached_area"}


def test_schema__shipped_copy_is_up_to_date(tmp_path: Path) -> None:
    result = _skyshield("schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shipped = (Path(__file__).resolve().parents[1] / "schema" / "scenario.schema.json").read_text()
    assert json.loads(result.stdout) == json.loads(shipped), "run: skyshield schema -o schema/..."


def test_schema__descriptions_carry_no_sphinx_markup() -> None:
    """Editors and the web form show descriptions as written: `own`, not ``own`` or :class:."""
    descriptions: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    descriptions.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scenario_json_schema())
    assert any("`own`" in d for d in descriptions)  # the zone kinds, still marked as code
    marked = [d for d in descriptions if "``" in d or re.search(r":[a-z]+:`", d)]
    assert marked == []


def test_validate__campaign_files_checked_as_campaigns(tmp_path: Path) -> None:
    """A shipped campaign is valid; a broken one is named at its field, as scenarios are."""
    from skyshield.campaigns.load import _builtin_path, builtin_campaign_names

    shipped = [_builtin_path(name) for name in builtin_campaign_names()]
    ok = _skyshield("validate", *shipped, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count(": valid") == len(shipped)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nstart: 2025-01-01\nnights: 0\nraids: {mode: replay}\n")
    bad = _skyshield("validate", broken, cwd=tmp_path)
    assert bad.returncode == EXIT_INPUT_ERROR
    assert bad.stderr.strip() == f"{broken}: nights: expected greater than or equal to 1, got 0"


def test_scenarios__lists_the_builtin_campaigns(tmp_path: Path) -> None:
    from skyshield.campaigns.load import builtin_campaign_names

    listed = _skyshield("scenarios", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in builtin_campaign_names():
        assert f"{name}: " in listed.stdout


def test_validate__flight_beyond_range_is_a_warning(tmp_path: Path) -> None:
    """Issue #22: a Gerbera route beyond its 600 km range but within its endurance: valid,
    with a warning on stderr (``run`` prints the same warnings)."""
    data = copy.deepcopy(DEFAULT_DICT)
    gerbera = next(w for w in data["raid"]["waves"] if w["threat"] == "gerbera")
    gerbera["launch_site"] = "primorsko-akhtarsk"
    gerbera["route"] = [{"lon_deg": 34.2, "lat_deg": 48.4}, {"lon_deg": 32.0, "lat_deg": 49.2}]
    path = tmp_path / "far.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = _skyshield("validate", "far.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "far.yaml: valid"
    assert result.stderr.startswith("warning: far.yaml: raid.waves[")
    assert "beyond the gerbera catalog range of 600 km" in result.stderr
