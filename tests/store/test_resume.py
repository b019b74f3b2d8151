"""Kill a sweep with SIGKILL at random moments, resume it, and compare with one never killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.store.atomic import TEMP_MARKER
from skyshield.store.tables import read_table

PARAMS = ["fire_units.iris.stock=0,1,2", "raid.waves.1.count=2,3,4,5"]  # 12 points
REPS = 8
KILLS = 3


def _command(scenario: Path, out: Path) -> list[str]:
    params = [a for p in PARAMS for a in ("--param", p)]
    options = ["-n", str(REPS), "--workers", "2", "--out", str(out), "--json"]
    return [sys.executable, "-m", "skyshield", "sweep", str(scenario), *params, *options]


def _written(out: Path) -> int:
    return len(list((out / "runs").glob("*/measures.parquet"))) if out.exists() else 0


def _points(out: Path) -> pd.DataFrame:
    with duckdb.connect(str(out / "catalog.duckdb"), read_only=True) as db:
        rows = db.execute(
            "SELECT run_id, status FROM runs WHERE kind = 'sweep-point' ORDER BY run_id"
        ).fetchall()
    return pd.DataFrame(rows, columns=["run_id", "status"])


@pytest.mark.slow
def test_sweep__sigkill_and_resume_equals_uninterrupted(
    tmp_path: Path, tiny_path: Path, rng: np.random.Generator
) -> None:
    out = tmp_path / "killed"
    command = _command(tiny_path, out)
    killed_with_points: list[int] = []
    for _ in range(KILLS):
        # the whole process group: the coordinator and its worker processes, mid-write or not
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        # kill once a random number of points more have been written, then a random instant
        # later: mid-write, between a file and its catalog row, or between points
        target = _written(out) + int(rng.integers(1, 4))
        deadline = time.monotonic() + 120
        while _written(out) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(float(rng.uniform(0.0, 0.6)))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if not (out / "catalog.duckdb").exists():
            killed_with_points.append(0)
            continue
        points = _points(out)
        complete = points[points["status"] == "complete"]
        killed_with_points.append(len(complete))
        for run_id in complete["run_id"]:  # a complete point's file is whole
            assert len(read_table(out / "runs" / run_id, "measures")) > 0
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stderr
    # at least one kill must have landed mid-sweep, or the test tested nothing
    assert any(0 < n < 12 for n in killed_with_points), killed_with_points

    reference = tmp_path / "reference"
    expected = skyshield.sweep(
        tiny_path, PARAMS, replications=REPS, out=reference, progress=lambda d, t: None
    )
    sweep_id = expected.plan.sweep_id
    got = read_table(out / "runs" / sweep_id, "points")
    pd.testing.assert_frame_equal(got, expected.table, check_exact=True)
    points = _points(out)
    assert len(points) == 12
    assert points["run_id"].is_unique
    assert (points["status"] == "complete").all()
    assert len(got) == len(got.drop_duplicates(["point", "measure", "key"]))
    for run_id in points["run_id"]:
        pd.testing.assert_frame_equal(
            read_table(out / "runs" / run_id, "measures"),
            read_table(reference / "runs" / run_id, "measures"),
            check_exact=True,
        )
    assert not [p for p in out.rglob("*") if TEMP_MARKER in p.name]
