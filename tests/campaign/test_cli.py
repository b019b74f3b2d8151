"""``skyshield campaign`` from the command line: JSON, schedules side by side, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skyshield.cli import app
from skyshield.testing import run_cli

SHORT = """
name: short-replay
start: 2025-01-01
nights: 10
raids: {mode: replay}
stocks: {patriot-pac3-mse: 30, nasams: 20}
deliveries: [{system: patriot-pac3-mse, per_month: 10}]
doctrine: {hold: {nasams: {below: 10, fire_at: [cruise, ballistic]}}}
monte_carlo: {replications: 20, route_sets: 1}
"""


@pytest.fixture(scope="module")
def campaign_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("campaign") / "short.yaml"
    path.write_text(SHORT)
    return path


def test_campaign_cli__json_has_the_documented_fields(campaign_file: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "campaign",
            str(campaign_file),
            "--json",
            "--workers",
            "2",
            "--deliveries",
            "patriot-pac3-mse=x3",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["nights"] == 10
    assert doc["replications"] == 20
    systems = {s["system"]: s for s in doc["systems"]}
    assert set(systems) == {"patriot-pac3-mse", "nasams"}
    for row in systems.values():
        assert {"nation", "p_stockout", "stockout_night_p50", "stock_end_p50"} <= set(row)
        assert row["nation"] == "UA"
    assert [m["month"] for m in doc["monthly"]] == ["2025-01"]
    schedules = {s["schedule"]: s for s in doc["schedules"]}
    assert set(schedules) == {"as planned", "patriot-pac3-mse=x3"}
    tripled = {s["system"]: s for s in schedules["patriot-pac3-mse=x3"]["systems"]}
    assert tripled["patriot-pac3-mse"]["deliveries_per_month"] == 30.0
    # the replay's first 10 nights of 2025, as the reports give them: both schedules see them
    assert doc["monthly"][0]["drone_launched"] == pytest.approx(
        schedules["patriot-pac3-mse=x3"]["monthly"][0]["drone_launched"]
    )
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [
        "campaign.json",
        "campaign.png",
        "catalog.duckdb",  # the run in the results store: tests/campaign/test_store.py
        "monthly-patriot-pac3-mse-x3.csv",
        "monthly.csv",
        "runs",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (SHORT.replace("nights: 10", "nights: -3"), "nights: expected greater than or equal to 1"),
        (
            SHORT.replace("patriot-pac3-mse: 30", "patriot-pac9: 30").replace(
                "deliveries: [{system: patriot-pac3-mse, per_month: 10}]", ""
            ),
            "stocks.patriot-pac9: expected a system of the national posture",
        ),
        (SHORT.replace("2025-01-01", "2025-13-01"), "start: expected a valid date"),
        (
            SHORT.replace("{mode: replay}", "{mode: generator}"),
            "raids: expected fit_from and fit_until",
        ),
    ],
)
def test_campaign_cli__bad_file_names_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    # as the entry point does: the error is one message on stderr
    result = run_cli("campaign", path)
    assert result.returncode == 2
    assert f"{path}: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_campaign_cli__bad_schedule_exits_2_before_running(campaign_file: Path) -> None:
    # the API raises the error; the entry point turns it into one line and exit 2
    result = run_cli("campaign", campaign_file, "--deliveries", "patriot-pac3-mse=lots")
    assert result.returncode == 2
    assert result.stderr.startswith("--deliveries: expected")
    assert "Traceback" not in result.stderr


def test_campaign__night_model_from_a_calibration_file(tmp_path: Path) -> None:
    from tests.calibration.conftest import CHOSEN, write_calibration_file

    from skyshield.calibration.model import NAMES
    from skyshield.campaigns.build import night_parameters
    from skyshield.campaigns.load import parse_campaign

    path = write_calibration_file(tmp_path)
    campaign = parse_campaign(SHORT + f"night_model: {{calibration: {path}}}\n")
    theta = night_parameters(campaign)
    assert theta == {name: CHOSEN.get(name, 0.5) for name in NAMES}
    assert night_parameters(parse_campaign(SHORT))["decoy_share"] == 0.25  # the file's default


def test_campaign_cli__monthly_table_has_replication_spread(campaign_file: Path) -> None:
    """Monthly hits and cost print as ``mean [p5-p95]`` from the summary's quantiles."""
    result = CliRunner().invoke(app, ["campaign", str(campaign_file)], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "│ 2025-01" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert re.fullmatch(r"[\d,.]+ \[[\d,.]+-[\d,.]+\]", cells[-1]), cells  # cost $M
    assert "upper bound" in result.output


def test_campaign_cli__solver_says_the_rates_tried_and_the_answers_tables(
    campaign_file: Path,
) -> None:
    result = run_cli(
        "campaign", campaign_file, "-n", "4", "--solve-deliveries", "nasams", "--max-risk", "0.5"
    )
    assert result.returncode == 0, result.stderr
    told = re.findall(
        r"^solver: tried ([\d,]+) rounds a month: P\(stock-out\) ([\d.]+)$",
        result.stderr,
        flags=re.MULTILINE,
    )
    assert told, result.stderr
    assert "Solver: monthly deliveries of nasams tried" in result.stdout
    answer = re.search(r"solver: nasams needs (\d+) rounds a month", result.stdout)
    assert answer is not None, result.stdout
    # the answer's schedule has its own rows in the stocks table
    assert f"nasams={answer.group(1)} (solved)" in result.stdout
