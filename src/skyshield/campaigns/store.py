"""A campaign in the results store: a catalog row (kind ``campaign``) and its tables as Parquet.

Every schedule run side by side is in the same tables, told apart by the ``schedule`` column
(``as planned`` first). Nights are numbered from 0, the campaign's start. The tables
(schemas in :data:`skyshield.store.SCHEMAS`):

* ``campaign_stocks``: per schedule, replication, night and tracked system: the national stock
  at the start of the night before deliveries, rounds delivered, rounds fired, hold rule on;
* ``campaign_rounds``: rounds fired by every system of the raid pool (tracked or not);
* ``campaign_outcomes``: per report class: launched, destroyed, lost (EW, decoys unengaged),
  hits;
* ``campaign_nights``: cost of the rounds fired, allied rounds (and those outside own
  airspace), launches beyond the raid pool's capacity;
* ``campaign_systems`` and ``campaign_monthly``: the summaries the command prints, the monthly
  one long (``month, measure, value``) since its columns depend on the systems.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skyshield.campaigns.models import Campaign
from skyshield.campaigns.simulate import CampaignResult
from skyshield.campaigns.summary import CampaignSummary
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.store import RunRecord, new_run_id, parameters_json

__all__ = ["campaign_record", "campaign_tables"]

_SYSTEM_FLOATS = (
    "deliveries_per_month",
    "rounds_per_night",
    "p_stockout",
    "p_stockout_lo",
    "p_stockout_hi",
    "stockout_night_p10",
    "stockout_night_p50",
    "stockout_night_p90",
    "nights_without_rounds",
    "nights_holding",
    "stock_end_p5",
    "stock_end_p50",
    "stock_end_p95",
)


def _long(
    schedule: str, arrays: dict[str, np.ndarray], labels: tuple[str, ...] | None, label: str
) -> pd.DataFrame:
    """(R, nights[, K]) arrays as rows (schedule, replication, night[, label]) in C order."""
    first = next(iter(arrays.values()))
    reps, nights = first.shape[:2]
    k = 1 if labels is None else len(labels)
    frame: dict[str, Any] = {
        "schedule": np.full(reps * nights * k, schedule, dtype=object),
        "replication": np.repeat(np.arange(reps, dtype=np.int64), nights * k),
        "night": np.tile(np.repeat(np.arange(nights, dtype=np.int64), k), reps),
    }
    if labels is not None:
        frame[label] = np.tile(np.asarray(labels, dtype=object), reps * nights)
    for name, values in arrays.items():
        frame[name] = np.asarray(values).reshape(-1)
    return pd.DataFrame(frame)


def campaign_tables(
    results: dict[str, CampaignResult], summaries: dict[str, CampaignSummary]
) -> dict[str, pd.DataFrame]:
    """Every table of a campaign run, by name, as the store writes them (see the module)."""
    parts: dict[str, list[pd.DataFrame]] = {}
    for schedule, result in results.items():
        systems = result.plan.systems
        tables = {
            "campaign_stocks": _long(
                schedule,
                {
                    "stock": result.stock[:, :-1].astype(np.int64),
                    "delivered": result.delivered.astype(np.int64),
                    "fired": result.fired_tracked.astype(np.int64),
                    "held": result.held.astype(bool),
                },
                systems,
                "system",
            ),
            "campaign_rounds": _long(
                schedule, {"rounds": result.fired.astype(np.int64)}, result.pool_systems, "system"
            ),
            "campaign_outcomes": _long(
                schedule,
                {
                    name: getattr(result, name).astype(np.int64)
                    for name in ("launched", "destroyed", "lost", "hits")
                },
                REPORT_CLASSES,
                "threat_class",
            ),
            "campaign_nights": _long(
                schedule,
                {
                    "cost_usd": result.cost_usd.astype(np.float64),
                    "allied_rounds": result.allied_rounds.astype(np.int64),
                    "allied_rounds_outside_own": result.allied_rounds_outside.astype(np.int64),
                    "truncated_launches": result.truncated.astype(np.int64),
                },
                None,
                "",
            ),
        }
        summary = summaries[schedule]
        systems_table = summary.systems.astype({c: np.float64 for c in _SYSTEM_FLOATS})
        systems_table = systems_table.astype({"stock_start": np.int64})
        systems_table.insert(0, "schedule", schedule)
        tables["campaign_systems"] = systems_table
        monthly = summary.monthly.melt(id_vars="month", var_name="measure", value_name="value")
        monthly = monthly.astype({"month": str, "measure": str, "value": np.float64})
        monthly.insert(0, "schedule", schedule)
        tables["campaign_monthly"] = monthly
        for name, table in tables.items():
            parts.setdefault(name, []).append(table)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def campaign_record(
    campaign: Campaign,
    *,
    source: str,
    seed: int,
    replications: int,
    options: dict[str, Any],
    data: Path | None,
) -> RunRecord:
    """Return the catalog row of a campaign run: campaign as canonical JSON, options, data.

    ``data``: the reports CSV given with ``--data`` (its sha256 is recorded, since a replayed
    raid comes from it), None for the shipped one.
    """
    text = json.dumps(campaign.model_dump(mode="json"), separators=(",", ":"), allow_nan=False)
    data_sha256 = None if data is None else hashlib.sha256(data.read_bytes()).hexdigest()
    return RunRecord(
        run_id=new_run_id("campaign"),
        kind="campaign",
        parent=None,
        scenario_name=campaign.name,
        scenario_sha256=hashlib.sha256(text.encode()).hexdigest(),
        scenario_json=text,
        parameters=parameters_json(
            {
                "source": source,
                **options,
                "data": None if data is None else str(data),
                "data_sha256": data_sha256,
            }
        ),
        seed=seed,
        replications=replications,
    )
