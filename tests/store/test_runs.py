from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import skyshield
from skyshield.errors import StoreError
from skyshield.metrics.policy import wide_measures
from skyshield.scenario import Scenario
from skyshield.store import SCHEMAS, list_runs, read_run
from skyshield.store.catalog import RunStatus, record_run, run_status, utc_now
from skyshield.store.runs import canonical_scenario
from skyshield.testing import run_cli


def test_read_run__round_trip_equals_in_memory_tables(tiny: Scenario, tmp_path: Path) -> None:
    summary = skyshield.run(tiny, replications=20, out=tmp_path, progress=lambda d, t: None)
    assert summary.run_id is not None
    stored = read_run(tmp_path, summary.run_id)
    memory = summary.tables()
    assert sorted(stored) == sorted(memory)
    for name, frame in memory.items():
        pd.testing.assert_frame_equal(stored[name], frame, check_exact=True, obj=name)
    # the declared schema is what the file holds
    for name in memory:
        path = tmp_path / "runs" / summary.run_id / f"{name}.parquet"
        assert pq.read_schema(path).remove_metadata().equals(SCHEMAS[name]), name


def test_save_run__catalog_row(tiny: Scenario, tmp_path: Path) -> None:
    summary = skyshield.run(tiny, replications=5, seed=7, out=tmp_path, progress=lambda d, t: None)
    runs = list_runs(tmp_path)
    assert len(runs) == 1
    row = runs.iloc[0]
    text, digest = canonical_scenario(tiny)
    assert row["run_id"] == summary.run_id
    assert (row["kind"], row["status"], row["seed"], row["replications"]) == (
        "run",
        "complete",
        7,
        5,
    )
    assert row["scenario_sha256"] == digest
    assert json.loads(row["parameters"])["engine"] == "fast"
    assert row["code_version"].startswith(skyshield.__version__)
    assert row["finished"] >= row["started"]
    assert Scenario.model_validate_json(text) == tiny


def test_long_measures__wide_round_trip(tiny: Scenario) -> None:
    summary = skyshield.run(tiny, replications=6, progress=lambda d, t: None)
    wide = wide_measures(summary.measures)
    assert set(summary.measures.columns) == {"replication", "measure", "key", "value"}
    assert not summary.measures["measure"].str.contains("/").any()
    assert "interceptor_cost_usd" in wide.columns
    assert "leakers/all" in wide.columns
    assert wide.shape[0] == 6


def test_read_run__running_run_refused(tiny: Scenario, tmp_path: Path) -> None:
    """A run recorded but never finished (killed) does not read as complete."""
    from skyshield.store import RunRecord

    text, digest = canonical_scenario(tiny)
    record_run(
        tmp_path,
        [RunRecord("killed", "run", None, "tiny", digest, text, "{}", 1, 1)],
    )
    assert run_status(tmp_path, "killed") is RunStatus.RUNNING
    with pytest.raises(StoreError, match="expected a complete run, got running"):
        read_run(tmp_path, "killed")
    with pytest.raises(StoreError, match="expected a run id"):
        read_run(tmp_path, "nope")


def test_runs__cli_json_and_bad_directory(tmp_path: Path, tiny_path: Path) -> None:
    command = ["run", str(tiny_path), "-n", "3", "--json", "--out", str(tmp_path / "r")]
    run = run_cli(*command)
    assert run.returncode == 0, run.stderr
    run_id = json.loads(run.stdout)["run_id"]
    listed = run_cli("runs", tmp_path / "r", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["run_id"] for r in json.loads(listed.stdout)["runs"]] == [run_id]
    missing = run_cli("runs", tmp_path / "none")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"{tmp_path / 'none'}: expected a results directory, got no catalog.duckdb"
    )


def test_read_run__compare_tables(tiny: Scenario, tmp_path: Path) -> None:
    result = skyshield.compare(
        tiny, tiny, replications=4, vary=["fire_units.gepard.stock=3"], out=tmp_path
    )
    assert result.run_id is not None
    stored = read_run(tmp_path, result.run_id)
    for name, frame in result.tables().items():
        pd.testing.assert_frame_equal(stored[name], frame, obj=name)
    assert set(stored["policy_measures"]["policy"]) == set(result.names)
    row = list_runs(tmp_path).iloc[0]
    assert row["kind"] == "compare"
    assert json.loads(row["parameters"])["vary"] == [["fire_units.gepard.stock", [3]]]


def test_store__directory_as_text(
    tiny: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the README's `read_run("results", run_id)`: a str, not a Path
    monkeypatch.chdir(tmp_path)
    summary = skyshield.run(tiny, replications=2, out="results", progress=lambda d, t: None)
    assert summary.run_id is not None
    assert sorted(read_run("results", summary.run_id)) == sorted(summary.tables())
    assert list(list_runs("results")["run_id"]) == [summary.run_id]
    assert run_status("results", summary.run_id) is RunStatus.COMPLETE


def test_catalog_started__before_the_simulation(tiny: Scenario, tmp_path: Path) -> None:
    # started is when the work began, not when the tables were saved: the catalog's start
    # must precede a time stamped while the nights were still being simulated
    stamps: list[datetime] = []

    def progress(done: int, total: int) -> None:
        stamps.append(utc_now())

    before = utc_now()
    skyshield.run(tiny, replications=4, out=tmp_path, progress=progress)
    compared: list[datetime] = []  # one per policy, as each starts running
    skyshield.compare(
        tiny, tiny, replications=2, out=tmp_path, progress=lambda label: compared.append(utc_now())
    )
    runs = list_runs(tmp_path).set_index("kind")
    assert before <= runs.loc["run", "started"] <= stamps[0]
    assert stamps[-1] <= runs.loc["compare", "started"] <= compared[-1]
