"""One ``python -m skyshield VERB`` per verb, in a real process, as a user runs it.

Every other CLI test runs the commands in-process (``skyshield.testing.run_cli``); these check
what only a new process shows: the entry point, its exit status, one-line errors without a
traceback, output that is whole when the process ends. The commands are cheap (the tiny
scenario, or an input error caught before anything runs) and start together, two at a time,
so the ~4 s import each pays overlaps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from skyshield.testing import run_cli_subprocess

pytestmark = pytest.mark.smoke

TINY = Path(__file__).with_name("tiny.yaml")
EXIT_INPUT_ERROR = 2
CAMPAIGN = "name: c\nstart: 2025-01-01\nnights: 0\nraids: {mode: replay}\n"


def _commands(tmp: Path) -> dict[str, list[str | Path]]:
    return {
        "run": ["run", TINY, "-n", "2", "--json"],
        "compare": ["compare", TINY, TINY, "-n", "1", "--out", "/proc/nope"],
        "sweep": ["sweep", TINY, "--param", "raid.waves.0.count=1,2", "-n", "2", "--json"],
        "runs": ["runs", tmp / "none"],
        "validate": ["validate", TINY],
        "schema": ["schema"],
        "catalog": ["catalog", "--json"],
        "scenarios": ["scenarios"],
        "calibrate": ["calibrate", "--train-until", "2025-01-01", "--plot", tmp / "x.xyz"],
        "backtest": ["backtest", "--train-until", "2025-13-01", "--calibration", "none.json"],
        "campaign": ["campaign", tmp / "bad-campaign.yaml"],
        "report": ["report", TINY, "-n", "2", "-o", tmp / "report.html"],
        "export": ["export", TINY, "-f", "geojson", "-n", "1", "-o", tmp / "night.geojson"],
        "serve": ["serve", "--store", "/proc/nope"],
    }


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Future]]]:
    """Every verb's command started at once (two processes at a time), by verb."""
    tmp = tmp_path_factory.mktemp("smoke")
    (tmp / "bad-campaign.yaml").write_text(CAMPAIGN, encoding="utf-8")
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        yield (
            tmp,
            {
                verb: pool.submit(run_cli_subprocess, *args, cwd=tmp, timeout=300)
                for verb, args in _commands(tmp).items()
            },
        )


def _result(smoke: tuple[Path, dict[str, Future]], verb: str) -> subprocess.CompletedProcess[str]:
    result: subprocess.CompletedProcess[str] = smoke[1][verb].result()
    assert result.args[:4] == [sys.executable, "-m", "skyshield", verb]
    assert "Traceback" not in result.stderr
    return result


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == EXIT_INPUT_ERROR, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_smoke__every_verb_has_a_smoke_test() -> None:
    from skyshield.cli import app

    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    assert names == set(_commands(Path("/nonexistent")))


def test_smoke_run(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "run")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["replications"] == 2


def test_smoke_compare(smoke: tuple[Path, dict[str, Future]]) -> None:
    assert _one_line_error(_result(smoke, "compare")) == (
        "/proc/nope: --out: expected a directory it can create, got no such file or directory"
    )


def test_smoke_sweep(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "sweep")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert len({p["point"] for p in document["points"]}) == 2


def test_smoke_runs(smoke: tuple[Path, dict[str, Future]]) -> None:
    tmp = smoke[0]
    assert _one_line_error(_result(smoke, "runs")) == (
        f"{tmp / 'none'}: expected a results directory, got no catalog.duckdb"
    )


def test_smoke_validate(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{TINY}: valid\n"


def test_smoke_schema(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "schema")
    assert result.returncode == 0, result.stderr
    assert "raid" in json.loads(result.stdout)["properties"]


def test_smoke_catalog(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "catalog")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


def test_smoke_scenarios(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "scenarios")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(("default: ", "coalition")) or "\ndefault: " in result.stdout


def test_smoke_calibrate(smoke: tuple[Path, dict[str, Future]]) -> None:
    line = _one_line_error(_result(smoke, "calibrate"))
    assert line.startswith(f"{smoke[0] / 'x.xyz'}: --plot: expected a file type matplotlib writes")


def test_smoke_backtest(smoke: tuple[Path, dict[str, Future]]) -> None:
    line = _one_line_error(_result(smoke, "backtest"))
    assert "--train-until: expected a date YYYY-MM-DD" in line


def test_smoke_campaign(smoke: tuple[Path, dict[str, Future]]) -> None:
    line = _one_line_error(_result(smoke, "campaign"))
    assert line.startswith(f"{smoke[0] / 'bad-campaign.yaml'}: nights: expected ")


def test_smoke_report(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "report")
    assert result.returncode == 0, result.stderr
    assert (smoke[0] / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_smoke_export(smoke: tuple[Path, dict[str, Future]]) -> None:
    result = _result(smoke, "export")
    assert result.returncode == 0, result.stderr
    document = json.loads((smoke[0] / "night.geojson").read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"


def test_smoke_serve(smoke: tuple[Path, dict[str, Future]]) -> None:
    assert _one_line_error(_result(smoke, "serve")) == (
        "/proc/nope: --store: expected a directory it can create, got no such file or directory"
    )
