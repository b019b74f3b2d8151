"""A results directory: ``DIR/catalog.duckdb`` and one folder of Parquet tables per run.

Layout::

    DIR/catalog.duckdb               the runs (:mod:`skyshield.store.catalog`)
    DIR/runs/<run_id>/<table>.parquet

:func:`save_run` records the run as running, writes every table atomically, then marks it
complete; :func:`read_run` reads only complete runs.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from skyshield.errors import StoreError
from skyshield.scenario import Scenario
from skyshield.store.atomic import TEMP_MARKER
from skyshield.store.catalog import (
    RunRecord,
    RunStatus,
    StrPath,
    finish_run,
    record_run,
    run_status,
)
from skyshield.store.tables import TABLE_SUFFIX, read_table, write_table

__all__ = [
    "canonical_scenario",
    "check_results_directory",
    "new_run_id",
    "read_run",
    "results_directory_problem",
    "run_directory",
    "save_run",
    "write_tables",
]


def canonical_scenario(scenario: Scenario) -> tuple[str, str]:
    """Return the scenario as canonical JSON (no spaces) and that text's sha256.

    Keys keep the scenario's order, not sorted: the order of nations and zones sets their
    indices in the compiled arrays, so a run read back (:mod:`skyshield.runner.replay`) must
    rebuild them in the same order, and two files that differ only in it are different runs.
    """
    text = json.dumps(scenario.model_dump(mode="json"), separators=(",", ":"), allow_nan=False)
    return text, hashlib.sha256(text.encode()).hexdigest()


def new_run_id(kind: str) -> str:
    """Return a fresh run id: kind, UTC time and a random suffix (sortable, never reused)."""
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def run_directory(directory: StrPath, run_id: str) -> Path:
    """Where a run's tables live."""
    return Path(directory) / "runs" / run_id


def results_directory_problem(directory: StrPath) -> str | None:
    """Why ``directory`` cannot hold results (``expected ..., got ...``), or None if it can.

    It can if it is a writable directory, or a new one in an existing directory where one can
    be made. Both are tried for real (a temporary file, a directory made and removed):
    permission bits say nothing under root or on /proc. Nothing is left behind.
    """
    path = Path(directory)
    if path.exists() and not path.is_dir():
        return "expected a directory for results, got a file"
    if path.is_dir():
        try:
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as exc:
            return f"expected a directory it can write in, got {_reason(exc)}"
        return None
    if not path.parent.is_dir():
        return f"expected a directory (or a new one in an existing directory), got no {path.parent}"
    try:
        path.mkdir()
        path.rmdir()
    except OSError as exc:
        return f"expected a directory it can create, got {_reason(exc)}"
    return None


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def check_results_directory(directory: StrPath) -> None:
    """Create ``directory`` if its parent exists; raise StoreError if it cannot be one."""
    path = Path(directory)
    problem = results_directory_problem(path)
    if problem is not None:
        raise StoreError(f"{path}: {problem}")
    try:
        path.mkdir(exist_ok=True)
        (path / "runs").mkdir(exist_ok=True)
    except OSError as exc:  # gone read-only since the check, say
        raise StoreError(
            f"{path}: expected a directory it can create, got {_reason(exc)}"
        ) from None


def write_tables(directory: StrPath, run_id: str, tables: dict[str, pd.DataFrame]) -> None:
    """Write a run's tables into its folder, each atomically (any process may call this)."""
    folder = run_directory(directory, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_table(folder, name, frame)


def save_run(directory: StrPath, record: RunRecord, tables: dict[str, pd.DataFrame]) -> None:
    """Record a run, write its tables, and mark it complete only when all are in place."""
    check_results_directory(directory)
    record_run(directory, [record])
    try:
        write_tables(directory, record.run_id, tables)
    except BaseException:
        finish_run(directory, [record.run_id], RunStatus.FAILED)
        raise
    finish_run(directory, [record.run_id], RunStatus.COMPLETE)


def read_run(directory: StrPath, run_id: str) -> dict[str, pd.DataFrame]:
    """Every table of a complete run, by name.

    Raises
    ------
    StoreError
        The run is not in the catalog, or not complete.
    """
    status = run_status(directory, run_id)
    if status is None:
        raise StoreError(f"{directory}: expected a run id from `skyshield runs`, got {run_id!r}")
    if status is not RunStatus.COMPLETE:
        raise StoreError(f"{directory}: run {run_id}: expected a complete run, got {status}")
    folder = run_directory(directory, run_id)
    names = sorted(
        p.name.removesuffix(TABLE_SUFFIX)
        for p in folder.glob(f"*{TABLE_SUFFIX}")
        if TEMP_MARKER not in p.name
    )
    return {name: read_table(folder, name) for name in names}
