"""A sweep on a Dask LocalCluster whose worker is killed mid-sweep completes, same results."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.runner.design import parse_parameter
from skyshield.runner.sweep import execute_sweep, plan_sweep
from skyshield.scenario import Scenario

distributed = pytest.importorskip("distributed")

PARAMS = ["fire_units.iris.stock=0,1,2", "raid.waves.1.count=2,4,6"]  # 9 points
REPS = 8


@pytest.fixture
def _dask_scheduler_state() -> Iterator[None]:
    """Put back the global ``random`` state the in-process Dask scheduler draws from.

    LocalCluster runs its scheduler in this process, and distributed's scheduler picks workers
    with the global ``random`` module; skyshield draws nothing from it (the sweep's points get
    their seeds from :meth:`Point.seed`), so restoring it keeps the global guard meaningful.
    """
    python_state = random.getstate()
    numpy_state = np.random.get_state()  # noqa: NPY002
    yield
    random.setstate(python_state)
    np.random.set_state(numpy_state)  # noqa: NPY002


@pytest.mark.usefixtures("_dask_scheduler_state")
def test_execute_sweep__dask_worker_killed_mid_sweep(tmp_path: Path, tiny: Scenario) -> None:
    params = [parse_parameter(p) for p in PARAMS]
    reference = execute_sweep(plan_sweep(tiny, params, replications=REPS, seed=3))
    plan = plan_sweep(tiny, params, replications=REPS, seed=3, directory=tmp_path)
    killed: list[int] = []
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)

        def kill_one_busy_worker(done: int, total: int) -> None:
            if killed or done == 0:
                return
            busy = [a for a, keys in client.processing().items() if keys]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(pids[busy[0]])

        started = time.monotonic()
        result = execute_sweep(
            plan,
            scheduler=cluster.scheduler_address,
            directory=tmp_path,
            progress=kill_one_busy_worker,
        )
        assert time.monotonic() - started < 300
    assert killed, "no worker was busy when the first point completed: nothing was tested"
    pd.testing.assert_frame_equal(result.table, reference.table, check_exact=True)
    assert result.table["point"].nunique() == 9
