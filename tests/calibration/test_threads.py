"""The calibration's commands run BLAS on one thread (#23's performance line)."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from skyshield.calibration.threads import one_blas_thread


def _blas_threads() -> list[int]:
    return [int(info["num_threads"]) for info in threadpool_info() if info["user_api"] == "blas"]


def test_one_blas_thread__limits_every_blas_during_the_call_only() -> None:
    @one_blas_thread
    def inside(x: np.ndarray) -> tuple[list[int], float]:
        return _blas_threads(), float((x @ x.T).trace())

    x = np.arange(6.0).reshape(2, 3)
    with threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core runner
        threads, value = inside(x)
        assert threads  # numpy's and scipy's
        assert all(n == 1 for n in threads)
        assert value == float((x @ x.T).trace())
        assert all(n == 2 for n in _blas_threads())  # restored after the call


def test_workflow_commands__run_on_one_blas_thread() -> None:
    from skyshield.calibration import workflow

    for command in (workflow.calibrate, workflow.backtest):
        assert command.__wrapped__  # type: ignore[attr-defined]
        assert command.__code__ is one_blas_thread(lambda: None).__code__
