"""Bad --calibration, --out and --plot values: one line naming the file and option, exit 2.

Each runs through the CLI as the entry point does (in-process, ``skyshield.testing.run_cli``), so a
traceback would show.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.testing import CliResult, run_cli

EXIT_INPUT_ERROR = 2
CAMPAIGN = """
name: short-replay
start: 2025-01-01
nights: 10
raids: {mode: replay}
stocks: {patriot-pac3-mse: 30}
"""
CALIBRATION = "--calibration: expected a calibration file from `skyshield calibrate`, got "


_skyshield = run_cli


def _one_line_error(result: CliResult) -> str:
    assert result.returncode == EXIT_INPUT_ERROR, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "no such file"),
        ("", "an empty file"),
        ("{", "not JSON (Expecting property name enclosed in double quotes: line 1, column 2)"),
        ('{"a": 1}', "JSON of another format (format None, expected 'skyshield-calibration/5')"),
    ],
)
def test_run_calibration__bad_file_one_line(tmp_path: Path, content: str | None, why: str) -> None:
    path = tmp_path / "calibration.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    line = _one_line_error(_skyshield("run", "default", "-n", "1", "--calibration", path))
    assert line == f"{CALIBRATION}{path}: {why}"


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "default", "western-raid", "-n", "1"],
        ["backtest", "--train-until", "2025-01-01"],
        ["sweep", "default", "--param", "raid.waves.0.count=1", "-n", "1"],
    ],
)
def test_calibration_option__missing_file_one_line(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "missing.json"
    line = _one_line_error(_skyshield(*args, "--calibration", path))
    assert line == f"{CALIBRATION}{path}: no such file"


def test_campaign_calibration__missing_file_names_the_field(tmp_path: Path) -> None:
    campaign = tmp_path / "c.yaml"
    missing = tmp_path / "missing.json"
    campaign.write_text(CAMPAIGN + f"night_model: {{calibration: {missing}}}\n")
    line = _one_line_error(_skyshield("campaign", campaign))
    assert line == (
        f"{campaign}: night_model.calibration: expected a calibration file from "
        f"`skyshield calibrate`, got {missing}: no such file"
    )


@pytest.mark.parametrize("command", ["run", "campaign"])
def test_out_option__a_file_refused_alike(tmp_path: Path, command: str) -> None:
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    line = _one_line_error(_skyshield(command, "-n", "1", "--out", a_file))
    assert line == f"{a_file}: --out: expected a directory for results, got a file"


@pytest.mark.parametrize(
    "args",
    [
        ["run", "default", "-n", "1"],
        ["compare", "default", "western-raid", "-n", "1"],
        ["sweep", "default", "--param", "raid.waves.0.count=1,2", "-n", "1"],
        ["campaign", "-n", "1"],
    ],
)
def test_out_option__uncreatable_refused_up_front(args: list[str]) -> None:
    # /proc refuses new directories even to root, whom permission bits would let through
    line = _one_line_error(_skyshield(*args, "--out", "/proc/nope"))
    assert line == (
        "/proc/nope: --out: expected a directory it can create, got no such file or directory"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["run", "default", "-n", "1"],
        ["sweep", "default", "--param", "pk_scale.drone=0.5:1", "--sobol", "2", "-n", "1"],
        ["campaign", "-n", "1"],
        ["backtest", "--train-until", "2025-01-01"],
        ["calibrate", "--train-until", "2025-01-01"],
    ],
)
def test_plot_option__unknown_file_type_refused_up_front(tmp_path: Path, args: list[str]) -> None:
    plot = tmp_path / "x.xyz"
    line = _one_line_error(_skyshield(*args, "--plot", plot))
    assert line.startswith(f"{plot}: --plot: expected a file type matplotlib writes (")
    assert ".png" in line
    assert line.endswith("got suffix '.xyz'")
