"""What every result type shares to reach JSON and the store: strict JSON values, a run saved.

The result protocol (:class:`skyshield.results.Result`) asks every result for ``to_dict()``
(what ``--json`` prints: strict JSON, so no NaN) and ``save(directory)`` (the results store).
Results live in several packages; these helpers are the one implementation they call.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import pandas as pd

from skyshield.store.catalog import RunRecord, StrPath, parameters_json, utc_now
from skyshield.store.runs import new_run_id, save_run

__all__ = ["json_ready", "records", "save_result"]


def json_ready(value: Any) -> Any:
    """``value`` as strict JSON values: NaN and infinities None, NumPy scalars Python, dates ISO.

    Mappings, lists and tuples are converted item by item; keys become strings.
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()  # a NumPy scalar as the Python number it holds
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a table's rows as strict-JSON dicts (column name -> value)."""
    rows: list[dict[str, Any]] = json_ready(frame.to_dict(orient="records"))
    return rows


def save_result(
    directory: StrPath,
    tables: dict[str, pd.DataFrame],
    *,
    kind: str,
    name: str,
    parameters: dict[str, Any],
    seed: int,
    replications: int,
    scenario_json: str = "",
    scenario_sha256: str = "",
    started: datetime | None = None,
) -> str:
    """Record a result in ``directory``'s catalog with its tables (Parquet); return its run id.

    ``kind`` names the workflow (``run``, ``compare``, ``campaign``, ``calibrate``, ...) and
    prefixes the new run id; every table must have a schema in :data:`skyshield.store.SCHEMAS`.
    """
    record = RunRecord(
        run_id=new_run_id(kind),
        kind=kind,
        parent=None,
        scenario_name=name,
        scenario_sha256=scenario_sha256,
        scenario_json=scenario_json,
        parameters=parameters_json(json_ready(parameters)),
        seed=seed,
        replications=replications,
        started=utc_now() if started is None else started,
    )
    save_run(directory, record, tables)
    return record.run_id
