"""Runs and comparisons queued, executed in worker processes, saved, cancelled.

Each of the server's ``slots`` owns one worker process (spawned, so it shares no thread or lock
with the server) and one thread that feeds it: the thread takes the next queued job, sends it
through the worker's own pipe, relays the progress the worker sends back, and, when the result
arrives, saves it in the store (this process alone writes the store's catalog, as DuckDB
wants) and keeps the document ``--json`` prints. The server's event loop only reads and queues,
so it answers while runs execute.

Cancelling a running job terminates its worker (a fresh one takes its place): the worker never
writes the store, and the result of a cancelled job is dropped, so a cancelled run leaves
nothing in the store. At most ``max_queued`` jobs wait; one more is refused
(:class:`BusyError`) rather than piled up.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import signal
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from skyshield.errors import SkyshieldError
from skyshield.scenario import Scenario
from skyshield.scenario.variation import Variation
from skyshield.web.calibrated import calibration_line

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from skyshield.calibration.applied import AppliedCalibration
    from skyshield.campaigns.models import Campaign

__all__ = [
    "BusyError",
    "CampaignTask",
    "CompareTask",
    "Job",
    "JobManager",
    "JobState",
    "NightTask",
    "NotCancellableError",
    "RunTask",
    "Task",
    "night_document",
]

# (done, total, stage): how far a job is; stage names what runs now (a comparison's policy)
Progress = Callable[[int, int, str | None], None]
# nights kept mapped for POST /api/nights (a default night's GeoJSON is a few MB)
NIGHTS_KEPT = 8


class JobState(StrEnum):
    """Where a job stands; ``done``, ``failed`` and ``cancelled`` are final."""

    QUEUED = "queued"
    RUNNING = "running"
    SAVING = "saving"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class BusyError(SkyshieldError):
    """The queue is full: the request is refused, not queued (HTTP 429)."""


class NotCancellableError(SkyshieldError):
    """The job is being saved or has ended: nothing to cancel (HTTP 409)."""


class Task(Protocol):
    """What a worker executes and the server then saves; picklable."""

    @property
    def kind(self) -> str:
        """Return ``run`` or ``compare``."""
        ...

    def execute(self, progress: Progress) -> Any:
        """Simulate (in the worker process); return the result to save."""
        ...

    def total(self) -> int:
        """Return the progress count a finished job reaches."""
        ...

    def save(self, result: Any, store: Path) -> tuple[str | None, dict[str, Any]]:
        """Save the result in the store (in the server); return its run id and document."""
        ...


@dataclass(frozen=True, slots=True)
class RunTask:
    """``skyshield run``: the API's :func:`skyshield.api.run`, then ``RunSummary.to_dict``."""

    scenario: Scenario
    replications: int | None = None
    seed: int | None = None
    route_sets: int | str | None = None
    kind: str = "run"
    # also map night 0 in the worker, while the run's geometry is in memory (the page draws it
    # next; from the store it is built again, which takes seconds)
    first_night: bool = False
    # applied as ``run --calibration`` applies it (the server's, read once at its start)
    calibration: AppliedCalibration | None = None

    def execute(self, progress: Progress) -> Any:
        """Run the replications in this (worker) process, saving nothing.

        With ``first_night``: the run and its night 0 as :class:`NightTask` maps it.
        """
        from skyshield.api import run_and_keep

        summary, result = run_and_keep(
            self.scenario,
            replications=self.replications,
            seed=self.seed,
            route_sets=self.route_sets,
            progress=lambda done, total: progress(done, total, None),
            calibration=self.calibration,
        )
        if not self.first_night:
            return summary
        return summary, night_document(result, 0)

    def extras(self, result: Any) -> dict[str, Any]:
        """``calibration_line``; ``night``: the first night's map, if made with the run."""
        summary = result[0] if isinstance(result, tuple) else result
        more = {"calibration_line": calibration_line(summary.calibration_applied)}
        return {**more, "night": result[1]} if isinstance(result, tuple) else more

    def total(self) -> int:
        """Replications the run makes."""
        if self.replications is not None:
            return self.replications
        return self.scenario.monte_carlo.replications

    def save(self, result: Any, store: Path) -> tuple[str, dict[str, Any]]:
        """Save as ``run --out`` does; the document is what ``run --json --out`` prints."""
        if isinstance(result, tuple):
            result = result[0]
        run_id = result.save(store)
        document: dict[str, Any] = dataclasses.replace(result, run_id=run_id).to_dict()
        return run_id, document


@dataclass(frozen=True, slots=True)
class CompareTask:
    """``skyshield compare``: :func:`skyshield.api.compare`, then ``to_dict``."""

    scenarios: tuple[Scenario, ...]
    variations: tuple[Variation, ...] = ()
    replications: int | None = None
    seed: int | None = None
    route_sets: int | str | None = None
    kind: str = "compare"
    calibration: AppliedCalibration | None = None  # as ``compare --calibration`` applies it

    def execute(self, progress: Progress) -> Any:
        """Run every policy (and every varied value) on the same nights, saving nothing."""
        from skyshield.api import compare

        total = self.total()
        started: list[str] = []

        def stage(label: str) -> None:
            progress(len(started), total, label)
            started.append(label)

        return compare(
            *self.scenarios,
            replications=self.replications,
            seed=self.seed,
            route_sets=self.route_sets,
            vary=self.variations,
            progress=stage,
            calibration=self.calibration,
        )

    def extras(self, result: Any) -> dict[str, Any]:
        """``calibration_line``: the calibration the comparison applied, or none."""
        return {"calibration_line": calibration_line(result.calibration_applied)}

    def total(self) -> int:
        """Policies to run: each scenario, and each varied value of each non-baseline one."""
        varied = sum(len(v.values) for v in self.variations) * (len(self.scenarios) - 1)
        return len(self.scenarios) + varied

    def save(self, result: Any, store: Path) -> tuple[str, dict[str, Any]]:
        """Save as ``compare --out`` does; the document is what ``compare --json`` prints."""
        run_id = result.save(store)
        document: dict[str, Any] = dataclasses.replace(result, run_id=run_id).to_dict()
        return run_id, document


@dataclass(frozen=True, slots=True)
class NightTask:
    """One night of a stored run as the map draws it: ``skyshield export --format geojson``.

    The run is read back from the store (:func:`skyshield.api.export` of its folder), not
    simulated again; nothing is saved.
    """

    store: Path
    run_id: str
    replication: int = 0
    kind: str = "night"

    def execute(self, progress: Progress) -> Any:
        """Read the run and map the night, in this (worker) process.

        The document is :func:`skyshield.exporting.geojson_document`'s (what ``skyshield export
        --format geojson`` writes) with one more property per route: ``time_s``, the engine's
        time at each of its vertices, which the page's replay interpolates between.
        """
        from skyshield.runner.replay import stored_run

        progress(0, 1, None)
        return night_document(stored_run(self.store, self.run_id), self.replication)

    def total(self) -> int:
        """One night."""
        return 1

    def save(self, result: Any, store: Path) -> tuple[str | None, dict[str, Any]]:
        """Save nothing: the night is the stored run's; the document is the GeoJSON."""
        document: dict[str, Any] = result
        return None, document


def night_document(run: Any, replication: int) -> dict[str, Any]:
    """Map one night of a run (in memory or read back from the store) as the page draws it.

    :func:`skyshield.exporting.geojson_document`'s document (what ``skyshield export --format
    geojson`` writes) with one more property per route: ``time_s``, the engine's time at each
    of its vertices, which the page's replay interpolates between.
    """
    from skyshield.exporting import check_replication
    from skyshield.exporting.geojson import geojson_document, route_vertices
    from skyshield.exporting.tracks import replication_tracks

    check_replication(replication, run.replications, run.scenario.name)
    document = geojson_document(run, replication)
    routes = [f for f in document["features"] if f["properties"]["layer"] == "route"]
    tracks = replication_tracks(run, replication)
    for feature, track in zip(routes, tracks, strict=True):
        k = route_vertices(track)
        if k.size < 2:  # noqa: PLR2004  as the document's own line: a threat downed at launch
            k = np.asarray([0, 0])
        feature["properties"]["time_s"] = [float(t) for t in track.time_s[k]]
    mapped: dict[str, Any] = json.loads(json.dumps(document, allow_nan=False))
    return mapped


@dataclass(frozen=True, slots=True)
class CampaignTask:
    """``skyshield campaign``: :func:`skyshield.api.campaign` of a campaign, saving nothing.

    The document is what ``skyshield campaign --json`` prints (no ``--out``: its ``run_id`` is
    null); the job also shows the planned schedule's ``stock_bands``
    (:func:`skyshield.campaigns.summary.stock_bands`), which the page charts.
    """

    campaign: Campaign
    replications: int | None = None
    seed: int | None = None
    kind: str = "campaign"

    def execute(self, progress: Progress) -> Any:
        """Run the campaign in this (worker) process, one thread (results do not depend on it)."""
        from skyshield.api import campaign
        from skyshield.campaigns.summary import stock_bands
        from skyshield.campaigns.workflow import PLANNED

        def stage(label: str, done: int, total: int) -> None:
            progress(done, total, label)

        result = campaign(
            self.campaign, replications=self.replications, seed=self.seed, progress=stage
        )
        return {"document": result.to_dict(), "stock_bands": stock_bands(result.results[PLANNED])}

    def extras(self, result: Any) -> dict[str, Any]:
        """``stock_bands`` of the planned schedule, for the chart."""
        return {"stock_bands": result["stock_bands"]}

    def total(self) -> int:
        """Replications (the stages report their own counts as they go)."""
        if self.replications is not None:
            return self.replications
        return self.campaign.monte_carlo.replications

    def save(self, result: Any, store: Path) -> tuple[None, dict[str, Any]]:
        """Save nothing (as ``campaign --json`` without ``--out``); the document is its JSON."""
        document: dict[str, Any] = result["document"]
        return None, document


@dataclass(slots=True)
class Job:
    """One run or comparison asked of the server; read and changed under the manager's lock."""

    id: str
    task: Task
    name: str
    warnings: tuple[str, ...] = ()
    state: JobState = JobState.QUEUED
    done: int = 0
    total: int = 0
    stage: str | None = None
    error: str | None = None
    run_id: str | None = None
    document: dict[str, Any] | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # more of the result, beside it
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    cancel_requested: bool = False

    def status(self, *, with_result: bool = True) -> dict[str, Any]:
        """Return the job as ``GET /api/runs/{id}`` shows it (the document once done)."""
        status: dict[str, Any] = {
            "id": self.id,
            "kind": self.task.kind,
            "name": self.name,
            "state": str(self.state),
            "progress": {"done": self.done, "total": self.total, "stage": self.stage},
            "warnings": list(self.warnings),
            "error": self.error,
            "run_id": self.run_id,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
        }
        if with_result:
            status["result"] = self.document
            status.update(self.extras)
        return status


def _iso(seconds: float | None) -> str | None:
    """Return a time.time() as ISO 8601 UTC text (None stays None)."""
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat()


def _worker_main(conn: Connection) -> None:
    """Execute each task sent (a worker process), sending progress and the result back."""
    # Ctrl-C reaches the whole process group: the server stops its workers itself, so a
    # worker ignores it rather than print a traceback in the middle of a job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import skyshield.api  # noqa: F401  load the engine now, not when the first job comes

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as exc:  # a task this process cannot unpickle: fail it, keep serving
            conn.send(("error", _internal_error(exc)))
            continue
        if message is None:
            return
        task: Task = message

        def progress(done: int, total: int, stage: str | None) -> None:
            conn.send(("progress", done, total, stage))

        try:
            result = task.execute(progress)
        except SkyshieldError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # a defect: say what, keep the worker for the next job
            conn.send(("error", _internal_error(exc)))
        else:
            try:
                conn.send(("result", result))
            except (EOFError, OSError):
                return
            except Exception as exc:  # the result does not pickle (nothing was sent yet)
                conn.send(("error", _internal_error(exc)))


def _internal_error(exc: Exception) -> str:
    """Return a defect's one-line message, as a failed job shows it."""
    return f"internal error: {type(exc).__name__}: {exc}"


class _Slot:
    """One worker process and the thread feeding it jobs."""

    def __init__(self, manager: JobManager, index: int) -> None:
        self.manager = manager
        self.index = index
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None
        self.job: Job | None = None
        self.thread = threading.Thread(
            target=self._loop, name=f"skyshield-slot-{index}", daemon=True
        )

    def start_worker(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker_main, args=(child,), name=f"skyshield-worker-{self.index}", daemon=True
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent

    def stop_worker(self) -> None:
        """Terminate the worker at once (a cancelled job, or the server stopping)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()

    def _reap(self) -> None:
        if self.conn is not None:
            self.conn.close()
        if self.process is not None:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.process, self.conn = None, None

    def _loop(self) -> None:
        manager = self.manager
        while True:
            job = manager.next_job(self)
            if job is None:
                break
            if self.conn is None:
                self.start_worker()
            assert self.conn is not None
            outcome = self._execute(job, self.conn)
            if outcome is None:  # the worker died or was terminated: a fresh one at once
                self._reap()
                manager.ended(self, job, JobState.FAILED, "the worker process stopped")
                if not manager.closed:
                    self.start_worker()
                continue
            kind, value = outcome
            if kind == "error":
                manager.ended(self, job, JobState.FAILED, str(value))
            else:
                manager.save(self, job, value)
        self.stop_worker()
        self._reap()

    def _execute(self, job: Job, conn: Connection) -> tuple[str, Any] | None:
        try:
            conn.send(job.task)
            while True:
                message = conn.recv()
                if message[0] == "progress":
                    self.manager.progress(job, *message[1:])
                else:
                    return message[0], message[1]
        except (EOFError, OSError, BrokenPipeError):
            return None


class JobManager:
    """The server's jobs: a bounded queue, ``slots`` worker processes, the store they save in.

    Call :meth:`start` before submitting and :meth:`close` when done.
    """

    def __init__(self, store: Path, *, slots: int = 1, max_queued: int = 4) -> None:
        self.store = store
        self.max_queued = max_queued
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._save_lock = threading.Lock()  # one writer of the store's catalog at a time
        self._jobs: dict[str, Job] = {}
        self._queue: deque[Job] = deque()
        self._nights: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
        self._closed = False
        self._slots = [_Slot(self, i) for i in range(slots)]

    def start(self) -> None:
        """Spawn the workers (they load the engine while idle) and their threads."""
        for slot in self._slots:
            slot.start_worker()
            slot.thread.start()

    def close(self) -> None:
        """Stop every worker; running and queued jobs end as cancelled."""
        with self._lock:
            self._closed = True
            for job in self._queue:
                self._end(job, JobState.CANCELLED, "the server stopped")
            self._queue.clear()
            for slot in self._slots:
                if slot.job is not None:
                    slot.job.cancel_requested = True
            self._wake.notify_all()
        for slot in self._slots:
            slot.stop_worker()
        for slot in self._slots:
            if slot.thread.is_alive():
                slot.thread.join(timeout=30)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def submit(self, task: Task, *, name: str, warnings: tuple[str, ...] = ()) -> Job:
        """Queue a job; :class:`BusyError` when ``max_queued`` jobs already wait."""
        with self._lock:
            if self._closed:
                raise BusyError("the server is stopping")
            if len(self._queue) >= self.max_queued:
                raise BusyError(
                    f"busy: {len(self._queue)} jobs already wait (skyshield serve --queue); "
                    "try again when one has finished"
                )
            job = Job(id=uuid.uuid4().hex, task=task, name=name, warnings=warnings)
            job.total = task.total()
            self._jobs[job.id] = job
            self._queue.append(job)
            self._wake.notify()
            return job

    def mapped_night(self, run_id: str, replication: int) -> Job | None:
        """Return a finished night job for a night already mapped (with its run, or before).

        None when the night is not kept: then it is mapped by a :class:`NightTask`.
        """
        with self._lock:
            document = self._nights.get((run_id, replication))
            if document is None:
                return None
            self._nights.move_to_end((run_id, replication))
            task = NightTask(self.store, run_id, replication)
            job = Job(id=uuid.uuid4().hex, task=task, name=f"{run_id} night {replication}")
            job.total = job.done = 1
            job.document = document
            self._jobs[job.id] = job
            job.started = job.created
            self._end(job, JobState.DONE, None)
            return job

    def _keep_night(self, run_id: str, replication: int, document: dict[str, Any]) -> None:
        self._nights[(run_id, replication)] = document
        self._nights.move_to_end((run_id, replication))
        while len(self._nights) > NIGHTS_KEPT:
            self._nights.popitem(last=False)

    def status(self, job_id: str) -> dict[str, Any] | None:
        """Return the job's status (a copy, taken under the lock), or None for an unknown id."""
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.status()

    def forget(self, job_id: str) -> None:
        """Drop an ended job and its document (a download, once handed to its request)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.state in FINAL:
                del self._jobs[job_id]

    def statuses(self) -> list[dict[str, Any]]:
        """Every job of this server's life, newest first, without their documents."""
        with self._lock:
            jobs = sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)
            return [j.status(with_result=False) for j in jobs]

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Cancel a queued or running job; None for an unknown id.

        Raises
        ------
        NotCancellableError
            The job is being saved, or has ended.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.state is JobState.QUEUED:
                self._queue.remove(job)
                self._end(job, JobState.CANCELLED, None)
                return job.status()
            if job.state is not JobState.RUNNING:
                raise NotCancellableError(
                    f"job {job_id}: expected a queued or running job to cancel, got {job.state}"
                )
            job.cancel_requested = True
            slot = next(s for s in self._slots if s.job is job)
        slot.stop_worker()  # its thread sees the pipe close and ends the job as cancelled
        with self._lock:
            return job.status()

    # called by the slots' threads

    def next_job(self, slot: _Slot) -> Job | None:
        """Block until a job is queued (take it) or the manager closes (None)."""
        with self._lock:
            while not self._queue and not self._closed:
                self._wake.wait()
            if self._closed:
                slot.job = None
                return None
            job = self._queue.popleft()
            job.state, job.started, slot.job = JobState.RUNNING, time.time(), job
            return job

    def progress(self, job: Job, done: int, total: int, stage: str | None) -> None:
        """Record how far a running job is."""
        with self._lock:
            job.done, job.total, job.stage = done, total, stage

    def ended(self, slot: _Slot, job: Job, state: JobState, error: str | None) -> None:
        """End a job without a result (failed, or its worker was stopped to cancel it)."""
        with self._lock:
            slot.job = None
            if job.cancel_requested:
                self._end(job, JobState.CANCELLED, None)
            else:
                self._end(job, state, error)

    def save(self, slot: _Slot, job: Job, result: Any) -> None:
        """Save a finished job's result in the store, unless it was cancelled meanwhile."""
        with self._lock:
            if job.cancel_requested:
                slot.job = None
                self._end(job, JobState.CANCELLED, None)
                return
            job.state, job.done, job.stage = JobState.SAVING, job.total, None
        try:
            with self._save_lock:
                run_id, document = job.task.save(result, self.store)
        except SkyshieldError as exc:
            self.ended(slot, job, JobState.FAILED, str(exc))
            return
        extras = getattr(job.task, "extras", None)
        more: dict[str, Any] = {} if extras is None else dict(extras(result))
        night = more.pop("night", None)
        with self._lock:
            slot.job = None
            job.run_id, job.document, job.extras = run_id, document, more
            if night is not None and run_id is not None:
                self._keep_night(run_id, 0, night)
            if isinstance(job.task, NightTask):
                self._keep_night(job.task.run_id, job.task.replication, document)
            self._end(job, JobState.DONE, None)

    def _end(self, job: Job, state: JobState, error: str | None) -> None:
        job.state, job.error, job.finished = state, error, time.time()
