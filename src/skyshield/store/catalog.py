"""The DuckDB catalog of a results directory: one row per run, whatever its kind.

Only the coordinating process writes it (DuckDB allows one writer per file), opening it for each
change and closing it at once, so ``skyshield runs DIR`` can read it between changes. A run is
inserted as ``running`` before its work starts and set ``complete`` only after all its files are
in place (:mod:`skyshield.store.atomic`), so a killed run never reads as complete.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import math
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from skyshield.errors import StoreError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "CATALOG_NAME",
    "RunRecord",
    "RunStatus",
    "StrPath",
    "code_version",
    "finish_run",
    "list_runs",
    "parameters_json",
    "record_run",
    "run_record",
    "run_status",
    "runs_with_status",
    "utc_now",
]

CATALOG_NAME = "catalog.duckdb"
# a results directory as callers name it: "results" as much as Path("results")
StrPath = str | os.PathLike[str]

_CREATE = """
CREATE TABLE IF NOT EXISTS runs (  -- started, finished: UTC
    run_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    parent VARCHAR,
    scenario_name VARCHAR NOT NULL,
    scenario_sha256 VARCHAR NOT NULL,
    scenario_json VARCHAR NOT NULL,
    parameters VARCHAR NOT NULL,
    seed UBIGINT NOT NULL,
    replications BIGINT NOT NULL,
    code_version VARCHAR NOT NULL,
    started TIMESTAMP NOT NULL,
    finished TIMESTAMP,
    status VARCHAR NOT NULL
)
"""


class RunStatus(StrEnum):
    """Where a run stands; only ``complete`` runs have all their files.

    ``pending``: a sweep point not finished when its sweep was interrupted (never started, or
    stopped by Ctrl-C); ``interrupted``: that sweep. The same command again runs them.
    """

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    PENDING = "pending"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What the catalog knows of a run before it starts.

    Attributes
    ----------
    run_id : the run's directory name under ``DIR/runs/``
    kind : ``run``, ``compare``, ``sweep`` or ``sweep-point``
    parent : the sweep a point belongs to, else None
    scenario_name, scenario_sha256, scenario_json : the scenario as run (canonical JSON)
    parameters : JSON text: the command's options, or a point's parameter values
    seed : the run seed (a sweep point: the point's own seed)
    replications : replications per scenario
    started : when the work began (UTC, no zone; :func:`utc_now`); None: when recorded. A
        run is recorded only once it is simulated, so its caller takes the time before.
    """

    run_id: str
    kind: str
    parent: str | None
    scenario_name: str
    scenario_sha256: str
    scenario_json: str
    parameters: str
    seed: int
    replications: int
    started: datetime | None = None


@functools.cache
def code_version() -> str:
    """Return the package version, plus ``git describe`` of its source tree when there is one."""
    version = importlib.metadata.version("skyshield")
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+git.{described}" if described else version


@contextmanager
def _connect(directory: StrPath, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    import duckdb  # here, not at import: a run without --out never opens a catalog

    path = Path(directory) / CATALOG_NAME
    if read_only and not path.exists():
        raise StoreError(f"{directory}: expected a results directory, got no {CATALOG_NAME}")
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"{path}: expected a DuckDB catalog it can open, got {exc}") from None
    try:
        if not read_only:
            connection.execute(_CREATE)
        yield connection
    finally:
        connection.close()


def utc_now() -> datetime:
    """UTC, without a zone: DuckDB's TIMESTAMPTZ would need pytz to read back."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_run(directory: StrPath, records: list[RunRecord], *, again: bool = False) -> None:
    """Insert runs as ``running``, replacing rows of the same id that never completed.

    ``again``: also replace complete rows (a sweep run a second time, to add or check points);
    otherwise a complete run of the same id is an error: results are never overwritten.
    """
    if not records:
        return
    now = utc_now()
    rows = [
        (
            r.run_id,
            r.kind,
            r.parent,
            r.scenario_name,
            r.scenario_sha256,
            r.scenario_json,
            r.parameters,
            r.seed,
            r.replications,
            code_version(),
            now if r.started is None else r.started,
            None,
            RunStatus.RUNNING.value,
        )
        for r in records
    ]
    with _connect(directory) as db:
        db.execute("BEGIN")
        ids = [r.run_id for r in records]
        complete = db.execute(
            "SELECT run_id FROM runs WHERE status = ? AND list_contains(?, run_id)",
            [RunStatus.COMPLETE.value, ids],
        ).fetchall()
        if complete and not again:
            db.execute("ROLLBACK")
            raise StoreError(f"{directory}: run {complete[0][0]} is already complete")
        db.execute("DELETE FROM runs WHERE list_contains(?, run_id)", [ids])
        db.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("COMMIT")


def finish_run(directory: StrPath, run_ids: list[str], status: RunStatus) -> None:
    """Set runs' status and finish time (call ``complete`` only once their files are in place).

    A ``pending`` run has not finished: its finish time stays empty.
    """
    if not run_ids:
        return
    finished = None if status is RunStatus.PENDING else utc_now()
    with _connect(directory) as db:
        db.execute(
            "UPDATE runs SET status = ?, finished = ? WHERE list_contains(?, run_id)",
            [status.value, finished, run_ids],
        )


def runs_with_status(directory: StrPath, parent: str, status: RunStatus) -> set[str]:
    """Ids of a sweep's points with this status (none if the catalog does not exist yet)."""
    if not (Path(directory) / CATALOG_NAME).exists():
        return set()
    with _connect(directory) as db:
        rows = db.execute(
            "SELECT run_id FROM runs WHERE parent = ? AND status = ?", [parent, status.value]
        ).fetchall()
    return {str(r[0]) for r in rows}


def run_status(directory: StrPath, run_id: str) -> RunStatus | None:
    """Return a run's status, or None if the catalog does not hold it."""
    with _connect(directory, read_only=True) as db:
        row = db.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return None if row is None else RunStatus(row[0])


def run_record(directory: StrPath, run_id: str) -> RunRecord | None:
    """Return what the catalog recorded of a run when it started (None: no such run)."""
    with _connect(directory, read_only=True) as db:
        row = db.execute(
            "SELECT run_id, kind, parent, scenario_name, scenario_sha256, scenario_json, "
            "parameters, seed, replications FROM runs WHERE run_id = ?",
            [run_id],
        ).fetchone()
    if row is None:
        return None
    return RunRecord(
        run_id=str(row[0]),
        kind=str(row[1]),
        parent=None if row[2] is None else str(row[2]),
        scenario_name=str(row[3]),
        scenario_sha256=str(row[4]),
        scenario_json=str(row[5]),
        parameters=str(row[6]),
        seed=int(row[7]),
        replications=int(row[8]),
    )


def list_runs(directory: StrPath, *, points: bool = False) -> pd.DataFrame:
    """Return the catalog as a table, oldest first (sweep points left out unless ``points``)."""
    with _connect(directory, read_only=True) as db:
        result = db.execute(
            "SELECT run_id, kind, parent, scenario_name, scenario_sha256, parameters, seed, "
            "replications, code_version, started, finished, status FROM runs "
            + ("" if points else "WHERE kind <> 'sweep-point' ")
            + "ORDER BY started, run_id"
        )
        # rows, not DuckDB's ``.df()``: that calls a pandas API pandas 3.1 deprecates
        columns = [d[0] for d in result.description]
        return pd.DataFrame(result.fetchall(), columns=columns)


def parameters_json(parameters: dict[str, Any]) -> str:
    """Canonical JSON text of a run's parameters (sorted keys: equal inputs, equal text).

    A NaN or infinity (a grid parameter's unused bounds) is written as null: ``NaN`` is not
    JSON, and readers of ``runs --json`` or the catalog would fail on it.
    """
    return json.dumps(
        _finite(parameters), sort_keys=True, separators=(",", ":"), default=str, allow_nan=False
    )


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
