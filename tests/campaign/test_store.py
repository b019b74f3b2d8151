"""``skyshield campaign --out DIR`` records the campaign in the results store."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.campaign.test_cli import SHORT as CLI_SHORT
from typer.testing import CliRunner

import skyshield.campaigns.workflow as campaign_workflow
from skyshield.campaigns.load import parse_campaign
from skyshield.campaigns.models import Campaign
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.cli import app
from skyshield.errors import StoreError
from skyshield.store import SCHEMAS, list_runs, read_run
from skyshield.store.catalog import RunStatus, run_record, run_status, utc_now
from skyshield.testing import run_cli

# test_cli's short replay, ten nights later: the reports of 2025-01-01..10 aim no ballistic
# missile at covered Kyiv, so (campaigns.ballistic) the tracked stocks fired nothing there
SHORT = CLI_SHORT.replace("start: 2025-01-01", "start: 2025-01-11")
assert SHORT != CLI_SHORT


@pytest.fixture(scope="module")
def campaign_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("campaign") / "short.yaml"
    path.write_text(SHORT)
    return path


def test_campaign_out__round_trip_and_catalog_row(
    campaign_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: dict[str, pd.DataFrame] = {}
    tables = campaign_workflow.campaign_tables

    def keeping(*args: Any) -> dict[str, pd.DataFrame]:
        written.update(tables(*args))
        return written

    monkeypatch.setattr(campaign_workflow, "campaign_tables", keeping)
    out = tmp_path / "results"
    args = ["campaign", str(campaign_file), "-n", "6", "--seed", "3", "--workers", "1"]
    result = CliRunner().invoke(
        app, [*args, "--deliveries", "nasams=x2", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    runs = list_runs(out)
    assert len(runs) == 1
    row = runs.iloc[0]
    assert (row["kind"], row["status"], row["seed"], row["replications"]) == (
        "campaign",
        "complete",
        3,
        6,
    )
    assert row["scenario_name"] == "short-replay"
    record = run_record(out, row["run_id"])
    assert record is not None
    assert hashlib.sha256(record.scenario_json.encode()).hexdigest() == row["scenario_sha256"]
    assert Campaign.model_validate_json(record.scenario_json) == parse_campaign(SHORT)
    parameters = json.loads(row["parameters"])
    assert parameters["deliveries"] == ["nasams=x2"]
    assert parameters["schedules"] == ["as planned", "nasams=x2"]

    stored = read_run(out, row["run_id"])
    assert sorted(stored) == sorted(written)
    for name, frame in written.items():
        pd.testing.assert_frame_equal(stored[name], frame, check_exact=True, obj=name)
        path = out / "runs" / row["run_id"] / f"{name}.parquet"
        assert pq.read_schema(path).remove_metadata().equals(SCHEMAS[name]), name

    # the long tables hold the campaign, not a reshuffle of it: each night once, the stocks of
    # the file on the first, and the stock accounting night by night
    keys = {
        "campaign_stocks": "system",
        "campaign_rounds": "system",
        "campaign_outcomes": "threat_class",
        "campaign_nights": None,
    }
    for name, label in keys.items():
        columns = ["schedule", "replication", "night", *([label] if label else [])]
        assert not stored[name].duplicated(columns).any(), name
        assert sorted(stored[name]["night"].unique()) == list(range(10)), name
    first = stored["campaign_stocks"].query("night == 0").groupby("system")["stock"].unique()
    assert {system: list(v) for system, v in first.items()} == {
        "nasams": [20],
        "patriot-pac3-mse": [30],
    }
    stocks = stored["campaign_stocks"].sort_values(["schedule", "system", "replication", "night"])
    for _, one in stocks.groupby(["schedule", "system", "replication"]):
        after = (one["stock"] + one["delivered"] - one["fired"]).to_numpy()
        np.testing.assert_array_equal(one["stock"].to_numpy()[1:], after[:-1])
    assert stocks["fired"].sum() > 0
    # ... and the summaries the command printed come from them
    outcomes = stored["campaign_outcomes"]
    planned = outcomes[outcomes["schedule"] == "as planned"]
    for name in REPORT_CLASSES:
        launched = planned[planned["threat_class"] == name].groupby("replication")["launched"]
        assert launched.sum().mean() == pytest.approx(document["monthly"][0][f"{name}_launched"])
    systems = stored["campaign_systems"].set_index(["schedule", "system"])
    for schedule in document["schedules"]:
        for s in schedule["systems"]:
            got = systems.loc[(schedule["schedule"], s["system"]), "p_stockout"]
            assert got == pytest.approx(s["p_stockout"])

    listing = run_cli("runs", out, "--json")
    assert listing.returncode == 0, listing.stderr
    assert [r["kind"] for r in json.loads(listing.stdout)["runs"]] == ["campaign"]


KILLED = """
import os, sys
import skyshield.store.runs as runs
from skyshield.cli import main

write = runs.write_table
def dying(folder, name, frame):
    write(folder, name, frame)
    os._exit(9)  # killed after its first table: no handler, no clean-up runs
runs.write_table = dying
sys.argv = ["skyshield", "campaign", sys.argv[1], "-n", "4", "--workers", "1", "--out", sys.argv[2]]
main()
"""


def test_campaign_out__killed_write_never_reads_complete(
    campaign_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-c", KILLED, str(campaign_file), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 9, result.stderr
    runs = list_runs(out)
    assert list(runs["status"]) == ["running"]
    run_id = runs["run_id"].iloc[0]
    assert len(list((out / "runs" / run_id).glob("*.parquet"))) == 1  # it did start writing
    with pytest.raises(StoreError, match="expected a complete run, got running"):
        read_run(out, run_id)


def test_campaign_out__failed_write_marked_failed(
    campaign_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skyshield.store.runs as runs

    def full_disk(folder: Path, name: str, frame: pd.DataFrame) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(runs, "write_table", full_disk)
    out = tmp_path / "results"
    result = CliRunner().invoke(
        app, ["campaign", str(campaign_file), "-n", "4", "--workers", "1", "--out", str(out)]
    )
    assert result.exit_code != 0
    run_id = list_runs(out)["run_id"].iloc[0]
    assert run_status(out, run_id) is RunStatus.FAILED
    with pytest.raises(StoreError, match="expected a complete run, got failed"):
        read_run(out, run_id)


def test_campaign_out__started_before_the_nights(
    campaign_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the catalog's start is the command's, not the save's: before the first night simulated
    stamps: list[datetime] = []
    simulate = campaign_workflow.simulate_campaign

    def stamped(*args: Any, **kwargs: Any) -> Any:
        stamps.append(utc_now())
        return simulate(*args, **kwargs)

    monkeypatch.setattr(campaign_workflow, "simulate_campaign", stamped)
    out = tmp_path / "results"
    args = ["campaign", str(campaign_file), "-n", "2", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert list_runs(out).iloc[0]["started"] <= stamps[0]
