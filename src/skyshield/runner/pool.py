"""Where a sweep's points run: in this process, on local worker processes, or on Dask.

The coordinating process hands tasks out and receives results through ``done``, in completion
order; it alone touches the results catalog. Nothing here knows what a task is.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TypeVar

__all__ = ["run_locally", "run_on_dask"]

T = TypeVar("T")
R = TypeVar("R")


def run_locally(
    tasks: Sequence[T],
    evaluate: Callable[[T], R],
    workers: int,
    done: Callable[[T, R], None],
) -> None:
    """Evaluate tasks here (1 worker) or on worker processes; ``done`` as each completes."""
    if workers == 1:
        for task in tasks:
            done(task, evaluate(task))
        return
    # spawn, not fork: the coordinator has threads (progress bar) that a fork would copy
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    pending: dict[Future[R], T] = {pool.submit(evaluate, t): t for t in tasks}
    try:
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done(pending.pop(future), future.result())
    except BaseException:
        # Ctrl-C or a failed point: return now; points running finish their own atomic writes
        # in the background and are run again on resume (the catalog does not hold them)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def run_on_dask(
    tasks: Sequence[T],
    evaluate: Callable[[T], R],
    scheduler: str,
    done: Callable[[T, R], None],
) -> None:
    """Evaluate tasks on a Dask cluster; ``done`` (in this process) as each completes."""
    from distributed import Client, as_completed  # only with --scheduler

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        # a point lost with a killed worker is rescheduled by the scheduler; retries cover
        # errors raised inside a point (a worker out of memory, say)
        futures = {client.submit(evaluate, t, pure=False, retries=2): t for t in tasks}
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            done(futures[future], future.result())
