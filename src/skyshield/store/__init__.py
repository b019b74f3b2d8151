"""Results store: Parquet tables with a declared schema and a DuckDB catalog of runs.

Writes are atomic (:mod:`skyshield.store.atomic`); a run reads as complete in the catalog only
once all its files are in place (:mod:`skyshield.store.catalog`).
"""

from __future__ import annotations

from skyshield.store.catalog import (
    CATALOG_NAME,
    RunRecord,
    RunStatus,
    StrPath,
    code_version,
    list_runs,
    parameters_json,
    utc_now,
)
from skyshield.store.runs import (
    canonical_scenario,
    check_results_directory,
    new_run_id,
    read_run,
    results_directory_problem,
    run_directory,
    save_run,
)
from skyshield.store.tables import SCHEMAS

__all__ = [
    "CATALOG_NAME",
    "SCHEMAS",
    "RunRecord",
    "RunStatus",
    "StrPath",
    "canonical_scenario",
    "check_results_directory",
    "code_version",
    "list_runs",
    "new_run_id",
    "parameters_json",
    "read_run",
    "results_directory_problem",
    "run_directory",
    "save_run",
    "utc_now",
]
