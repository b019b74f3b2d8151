"""Parquet tables with a declared schema, written atomically, and read back.

Each table a run stores has its schema here: the column names, in order, and their Arrow types.
Writing a frame whose columns differ from its schema is an error (a schema change is made here,
on purpose, not by whatever a frame happens to hold). Categorical columns are Arrow
dictionaries, so they read back as pandas categoricals with the same categories.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from skyshield.errors import StoreError
from skyshield.store.atomic import atomic_write

__all__ = ["SCHEMAS", "TABLE_SUFFIX", "read_table", "write_table"]

TABLE_SUFFIX = ".parquet"

_CAT = pa.dictionary(pa.int32(), pa.string())
_STATS = [
    ("mean", pa.float64()),
    ("ci95_low", pa.float64()),
    ("ci95_high", pa.float64()),
    ("night_p2_5", pa.float64()),
    ("night_p97_5", pa.float64()),
    ("night_p5", pa.float64()),
    ("night_p95", pa.float64()),
]


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in fields])


SCHEMAS: dict[str, pa.Schema] = {
    # outcomes: :func:`skyshield.engine.outcomes.tabulate`
    "threats": _schema(
        ("replication", pa.int64()),
        ("threat", pa.int64()),
        ("type", _CAT),
        ("threat_class", _CAT),
        ("wave", pa.int32()),
        ("target", _CAT),
        ("fate", _CAT),
        ("launch_time_s", pa.float64()),
        ("time_s", pa.float64()),
        ("unit", pa.string()),
        ("nation", pa.string()),
        ("lon_deg", pa.float64()),
        ("lat_deg", pa.float64()),
        ("territory", _CAT),
        ("realization", pa.int64()),
        ("in_target_area", pa.bool_()),
    ),
    "shots": _schema(
        ("replication", pa.int64()),
        ("unit", _CAT),
        ("system", pa.string()),
        ("nation", pa.string()),
        ("threat", pa.int64()),
        ("threat_class", _CAT),
        ("fire_time_s", pa.float64()),
        ("intercept_time_s", pa.float64()),
        ("lon_deg", pa.float64()),
        ("lat_deg", pa.float64()),
        ("territory", _CAT),
        ("outside_own_airspace", pa.bool_()),
        ("hit", pa.bool_()),
        ("kill", pa.bool_()),
        ("cost_usd", pa.float64()),
        ("ground_lon_deg", pa.float64()),
        ("ground_lat_deg", pa.float64()),
        ("ground_territory", _CAT),
    ),
    "stocks": _schema(
        ("replication", pa.int64()),
        ("unit", _CAT),
        ("system", pa.string()),
        ("nation", pa.string()),
        ("initial_stock", pa.int64()),
        ("final_stock", pa.int64()),
    ),
    # per-replication measures, long: :func:`skyshield.metrics.policy.long_measures`
    "measures": _schema(
        ("replication", pa.int64()),
        ("measure", pa.string()),
        ("key", pa.string()),
        ("value", pa.float64()),
    ),
    # summaries: :mod:`skyshield.metrics.summary` and :func:`skyshield.metrics.policy.cross_border`
    "by_class": _schema(("threat_class", pa.string()), ("quantity", pa.string()), *_STATS),
    "by_target": _schema(("target", pa.string()), ("quantity", pa.string()), *_STATS),
    "interceptors": _schema(
        ("nation", pa.string()), ("system", pa.string()), ("quantity", pa.string()), *_STATS
    ),
    "by_unit": _schema(
        ("unit", pa.string()),
        ("nation", pa.string()),
        ("system", pa.string()),
        ("rounds_mean", pa.float64()),
        ("rounds_ci95", pa.float64()),
        ("kills_mean", pa.float64()),
        ("kills_ci95", pa.float64()),
        ("first_shot_h", pa.float64()),
        ("last_shot_h", pa.float64()),
        ("nights_fired", pa.float64()),
        ("nights_dry", pa.float64()),
    ),
    "cross_border": _schema(("measure", pa.string()), ("key", pa.string()), *_STATS),
    # compare: :class:`skyshield.runner.compare.PolicyComparison`
    "policy_measures": _schema(
        ("policy", pa.string()),
        ("replication", pa.int64()),
        ("measure", pa.string()),
        ("key", pa.string()),
        ("value", pa.float64()),
    ),
    "summary": _schema(
        ("measure", pa.string()),
        ("key", pa.string()),
        ("policy", pa.string()),
        ("mean", pa.float64()),
        ("ci95", pa.float64()),
    ),
    "differences": _schema(
        ("measure", pa.string()),
        ("key", pa.string()),
        ("policy", pa.string()),
        ("baseline", pa.string()),
        ("baseline_mean", pa.float64()),
        ("mean", pa.float64()),
        ("diff", pa.float64()),
        ("paired_ci95", pa.float64()),
        ("unpaired_ci95", pa.float64()),
    ),
    "cost_exchange": _schema(
        ("policy", pa.string()),
        ("interceptor_cost_usd", pa.float64()),
        ("threat_cost_destroyed_usd", pa.float64()),
        ("cost_exchange_ratio", pa.float64()),
        ("cost_exchange_ci95", pa.float64()),
    ),
    "sensitivity": _schema(
        ("policy", pa.string()),
        ("parameter", pa.string()),
        ("value", pa.string()),
        ("measure", pa.string()),
        ("key", pa.string()),
        ("diff", pa.float64()),
        ("ci95", pa.float64()),
        ("paired", pa.bool_()),
    ),
    # sweep: one row per point and measure (:mod:`skyshield.runner.sweep`)
    "points": _schema(
        ("point", pa.string()),
        ("parameters", pa.string()),
        ("measure", pa.string()),
        ("key", pa.string()),
        ("mean", pa.float64()),
        ("ci95", pa.float64()),
    ),
    # campaign: per schedule, replication and night (:mod:`skyshield.campaigns.store`)
    "campaign_stocks": _schema(
        ("schedule", pa.string()),
        ("replication", pa.int64()),
        ("night", pa.int64()),
        ("system", pa.string()),
        ("stock", pa.int64()),
        ("delivered", pa.int64()),
        ("fired", pa.int64()),
        ("held", pa.bool_()),
    ),
    "campaign_rounds": _schema(
        ("schedule", pa.string()),
        ("replication", pa.int64()),
        ("night", pa.int64()),
        ("system", pa.string()),
        ("rounds", pa.int64()),
    ),
    "campaign_outcomes": _schema(
        ("schedule", pa.string()),
        ("replication", pa.int64()),
        ("night", pa.int64()),
        ("threat_class", pa.string()),
        ("launched", pa.int64()),
        ("destroyed", pa.int64()),
        ("lost", pa.int64()),
        ("hits", pa.int64()),
    ),
    "campaign_nights": _schema(
        ("schedule", pa.string()),
        ("replication", pa.int64()),
        ("night", pa.int64()),
        ("cost_usd", pa.float64()),
        ("allied_rounds", pa.int64()),
        ("allied_rounds_outside_own", pa.int64()),
        ("truncated_launches", pa.int64()),
    ),
    # campaign summaries (:mod:`skyshield.campaigns.summary`)
    "campaign_systems": _schema(
        ("schedule", pa.string()),
        ("nation", pa.string()),
        ("system", pa.string()),
        ("stock_start", pa.int64()),
        ("deliveries_per_month", pa.float64()),
        ("rounds_per_night", pa.float64()),
        ("p_stockout", pa.float64()),
        ("p_stockout_lo", pa.float64()),
        ("p_stockout_hi", pa.float64()),
        ("stockout_night_p10", pa.float64()),
        ("stockout_night_p50", pa.float64()),
        ("stockout_night_p90", pa.float64()),
        ("nights_without_rounds", pa.float64()),
        ("nights_holding", pa.float64()),
        ("stock_end_p5", pa.float64()),
        ("stock_end_p50", pa.float64()),
        ("stock_end_p95", pa.float64()),
    ),
    "campaign_monthly": _schema(
        ("schedule", pa.string()),
        ("month", pa.string()),
        ("measure", pa.string()),
        ("value", pa.float64()),
    ),
    # calibrate: the emulator's validation and each quarter's posterior (skyshield.calibration)
    "calibration_validation": _schema(
        ("class", pa.string()),
        ("quantity", pa.string()),
        ("runs", pa.int64()),
        ("rmse", pa.float64()),
        ("bias", pa.float64()),
        ("engine_se", pa.float64()),
        ("spread", pa.float64()),
    ),
    "calibration_periods": _schema(
        ("parameter", pa.string()),
        ("p5", pa.float64()),
        ("median", pa.float64()),
        ("p95", pa.float64()),
        ("start", pa.string()),
        ("end", pa.string()),
        ("nights", pa.int64()),
    ),
    # backtest: per test night, class and target; scores per class and target
    "backtest_nights": _schema(
        ("night", pa.string()),
        ("class", pa.string()),
        ("target", pa.string()),
        ("launched", pa.int64()),
        ("reported", pa.int64()),
        *((name, pa.float64()) for name in ("p5", "p25", "median", "p75", "p95", "crps")),
        *(
            (name, pa.float64())
            for name in ("baseline", "baseline_median", "baseline_crps", "b_p5", "b_p25")
        ),
        ("b_p75", pa.float64()),
        ("b_p95", pa.float64()),
        ("origin", pa.string()),
        # the randomised PIT's chance of the central 90%, model's and baseline's (#23)
        ("pit_90", pa.float64()),
        ("b_pit_90", pa.float64()),
    ),
    "backtest_metrics": _schema(
        ("class", pa.string()),
        ("target", pa.string()),
        ("nights", pa.int64()),
        *(
            (name, pa.float64())
            for name in (
                "mae",
                "baseline_mae",
                "crps",
                "baseline_crps",
                "coverage_50",
                "coverage_90",
                "baseline_coverage_50",
                "baseline_coverage_90",
                # #23 item 7: mean 90% interval width, Diebold-Mariano test of the CRPS
                "width_90",
                "baseline_width_90",
                "dm_statistic",
                "dm_p",
                "pit_coverage_90",
                "baseline_pit_coverage_90",
            )
        ),
    ),
    # backtest: per test night and class, reported and the predicted neutralised (#23 item 9)
    "backtest_forecasts": _schema(
        ("date", pa.string()),
        ("class", pa.string()),
        ("launched", pa.int64()),
        ("reported_neutralised", pa.int64()),
        ("reported_destroyed", pa.int64()),  # null where the split is not reported
        ("predicted_mean", pa.float64()),
        ("predicted_median", pa.float64()),
        ("predicted_p05", pa.float64()),
        ("predicted_p95", pa.float64()),
    ),
    # a delivery solver's candidates: monthly delivery and its estimated P(stock-out)
    "delivery_tried": _schema(("per_month", pa.int64()), ("p_stockout", pa.float64())),
    # sensitivity indices of a Sobol sweep (:mod:`skyshield.metrics.sobol`)
    "sobol": _schema(
        ("measure", pa.string()),
        ("key", pa.string()),
        ("parameter", pa.string()),
        ("s1", pa.float64()),
        ("s1_ci95", pa.float64()),
        ("st", pa.float64()),
        ("st_ci95", pa.float64()),
    ),
}


def write_table(directory: Path, name: str, frame: pd.DataFrame) -> Path:
    """Write ``frame`` as ``directory/name.parquet`` with the declared schema, atomically."""
    schema = SCHEMAS[name]
    if list(frame.columns) != schema.names:
        raise StoreError(
            f"table {name}: expected columns {schema.names}, got {list(frame.columns)}"
        )
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    path = directory / f"{name}{TABLE_SUFFIX}"

    def write(file: BinaryIO) -> None:
        pq.write_table(table, file)

    atomic_write(path, write)
    return path


def read_table(directory: Path, name: str) -> pd.DataFrame:
    """Read ``directory/name.parquet`` back as pandas (categoricals for dictionary columns)."""
    table = pq.read_table(directory / f"{name}{TABLE_SUFFIX}", schema=SCHEMAS[name])
    return table.to_pandas()
