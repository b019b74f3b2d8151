"""The job manager's states without worker processes: the races a cancel can meet.

The manager's slot-thread callbacks (``next_job``, ``progress``, ``save``, ``ended``) are called
here by hand, in the orders the threads and a ``DELETE`` can interleave.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from skyshield.web.jobs import (
    BusyError,
    JobManager,
    JobState,
    NotCancellableError,
    _worker_main,
)


class FakeTask:
    """A task that records whether it was saved (nothing runs)."""

    kind = "run"

    def __init__(self) -> None:
        self.saved: list[Any] = []

    def execute(self, progress: Any) -> Any:
        raise AssertionError("not run here")

    def total(self) -> int:
        return 10

    def save(self, result: Any, store: Path) -> tuple[str, dict[str, Any]]:
        self.saved.append(result)
        return "run-x", {"result": result}


class FakeSlot:
    """Stands for a slot: its job, and whether its worker was told to stop."""

    def __init__(self) -> None:
        self.job: Any = None
        self.stopped = 0
        self.thread = threading.Thread(target=lambda: None)  # never started: not alive

    def stop_worker(self) -> None:
        self.stopped += 1


@pytest.fixture
def manager(tmp_path: Path) -> tuple[JobManager, FakeSlot]:
    jobs = JobManager(tmp_path, slots=0, max_queued=2)
    slot = FakeSlot()
    jobs._slots = [slot]  # type: ignore[list-item]
    return jobs, slot


def test_a_result_arriving_after_a_cancel_is_dropped_unsaved(
    manager: tuple[JobManager, FakeSlot],
) -> None:
    jobs, slot = manager
    task = FakeTask()
    job = jobs.submit(task, name="x")
    assert jobs.next_job(slot) is job  # type: ignore[arg-type]
    jobs.progress(job, 3, 10, None)
    assert jobs.cancel(job.id)["state"] == "running"  # type: ignore[index]
    assert slot.stopped == 1
    jobs.save(slot, job, "the result")  # type: ignore[arg-type]  # sent before the worker stopped
    assert task.saved == []
    assert job.state is JobState.CANCELLED
    assert job.document is None
    with pytest.raises(NotCancellableError):
        jobs.cancel(job.id)


def test_a_worker_stopped_by_a_cancel_ends_the_job_cancelled_not_failed(
    manager: tuple[JobManager, FakeSlot],
) -> None:
    jobs, slot = manager
    job = jobs.submit(FakeTask(), name="x")
    jobs.next_job(slot)  # type: ignore[arg-type]
    jobs.cancel(job.id)
    jobs.ended(slot, job, JobState.FAILED, "the worker process stopped")  # type: ignore[arg-type]
    assert job.state is JobState.CANCELLED
    assert job.error is None


def test_a_finished_job_is_saved_once_and_keeps_its_document(
    manager: tuple[JobManager, FakeSlot],
) -> None:
    jobs, slot = manager
    task = FakeTask()
    job = jobs.submit(task, name="x")
    jobs.next_job(slot)  # type: ignore[arg-type]
    jobs.save(slot, job, "r")  # type: ignore[arg-type]
    assert task.saved == ["r"]
    status = jobs.status(job.id)
    assert status is not None
    assert (status["state"], status["run_id"], status["result"]) == (
        "done",
        "run-x",
        {"result": "r"},
    )
    assert status["progress"] == {"done": 10, "total": 10, "stage": None}
    with pytest.raises(NotCancellableError):
        jobs.cancel(job.id)


def test_the_queue_is_bounded_and_a_running_job_does_not_count(
    manager: tuple[JobManager, FakeSlot],
) -> None:
    jobs, slot = manager
    first = jobs.submit(FakeTask(), name="a")
    jobs.next_job(slot)  # type: ignore[arg-type]  # running: no longer waiting
    jobs.submit(FakeTask(), name="b")
    jobs.submit(FakeTask(), name="c")
    with pytest.raises(BusyError, match="busy: 2 jobs already wait"):
        jobs.submit(FakeTask(), name="d")
    assert first.state is JobState.RUNNING
    jobs.close()  # the waiting jobs end cancelled; the running one's worker is stopped
    assert [(s["name"], s["state"]) for s in jobs.statuses()] == [
        ("c", "cancelled"),
        ("b", "cancelled"),
        ("a", "running"),
    ]
    assert first.cancel_requested
    assert slot.stopped == 1
    with pytest.raises(BusyError, match="stopping"):
        jobs.submit(FakeTask(), name="e")


class UnpicklableResultTask(FakeTask):
    """A task whose result cannot be sent back (a local function does not pickle)."""

    def execute(self, progress: Any) -> Any:
        return lambda: None


def _refuse_to_unpickle() -> None:
    raise AttributeError("no such task class in this process")


class UnloadableTask(FakeTask):
    """A task the worker cannot unpickle (as when its class is missing there)."""

    def __reduce__(self) -> Any:
        return _refuse_to_unpickle, ()


class DoneTask(FakeTask):
    def execute(self, progress: Any) -> Any:
        return "done"


def test_a_worker_reports_a_task_it_cannot_load_or_answer_and_serves_the_next() -> None:
    """Both used to kill the worker, shown only as "the worker process stopped"."""
    parent, child = multiprocessing.Pipe()
    for task in (UnloadableTask(), UnpicklableResultTask(), DoneTask()):
        parent.send(task)
    parent.send(None)
    handler = signal.getsignal(signal.SIGINT)
    try:
        _worker_main(child)  # here, in this process: it returns at the None
    finally:
        signal.signal(signal.SIGINT, handler)
    replies = [parent.recv() for _ in range(3)]
    assert replies[0] == (
        "error",
        "internal error: AttributeError: no such task class in this process",
    )
    assert replies[1][0] == "error"
    assert replies[1][1].startswith("internal error: ")
    assert replies[2] == ("result", "done")
    assert not parent.poll()
