"""Where a sweep's points run: in this process, on local worker processes, or on Dask.

The coordinating process hands tasks out and receives results through ``done``, in completion
order; it alone touches the results catalog. Nothing here knows what a task is.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from skyshield.errors import SkyshieldError

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
    except BaseException as exc:
        # Ctrl-C or a failed point: return now; points running finish their own atomic writes
        # in the background and are run again on resume (the catalog does not hold them)
        pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(exc, BrokenProcessPool) and _script_without_main_guard():
            raise SkyshieldError(MAIN_GUARD_HINT) from exc
        raise
    pool.shutdown()


MAIN_GUARD_HINT = (
    "worker processes died before finishing: with workers > 1 a Python script must call "
    'skyshield under `if __name__ == "__main__":` (each worker imports the script, and would '
    "start the sweep again); notebooks and the command line need nothing"
)


def _script_without_main_guard() -> bool:
    """Whether ``__main__`` is a script file whose text lacks the ``__main__`` guard.

    Spawned workers import the main script; unguarded top-level code starting processes makes
    them exit at once, which the pool reports only as "terminated abruptly".
    """
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is None or not str(path).endswith(".py"):
        return False
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return False
    return "__main__" not in text


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
