"""Write the JSON Schemas of every ``--json`` document into ``schema/`` (run from the repo root).

Each document carries its id (``"schema": "skyshield/run/v1"``); its schema file is
``schema/<name>.v<version>.schema.json``. A schema changes only with its version: bump
``VERSION`` of the document here, run ``python scripts/write_schemas.py``, and record the new
file's hash in ``schema/hashes.json`` (tests/test_schemas.py says what to write). The old
version's file stays, so readers of old documents can still validate them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

NUMBER = {"type": ["number", "null"]}  # null: a value that does not exist (NaN in pandas)
INTEGER = {"type": "integer"}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
STATS = dict.fromkeys(("mean", "ci95_low", "ci95_high", "night_p2_5", "night_p97_5"), NUMBER)
# run v3 (issue #22): 5-95% night ranges beside the 2.5-97.5% ones
STATS_V3 = {**STATS, **dict.fromkeys(("night_p5", "night_p95"), NUMBER)}


def record(properties: dict[str, Any], *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object with exactly these properties (or, with ``extra``, others of that type)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": extra if extra is not None else False,
    }


def records(properties: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An array of :func:`record` rows."""
    return {"type": "array", "items": record(properties, **kwargs)}


def document(name: str, version: int, title: str, properties: dict[str, Any]) -> dict[str, Any]:
    """A top-level ``--json`` document whose ``schema`` is ``skyshield/<name>/v<version>``."""
    schema_id = f"skyshield/{name}/v{version}"
    body = record({"schema": {"const": schema_id}, **properties})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **body,
    }


# run v3, compare v3: the calibration a run applied (issue 23 item 10)
CALIBRATION_APPLIED = {
    "description": "the calibration applied (--calibration), null without one",
    "oneOf": [
        {"type": "null"},
        record(
            {
                "file": STRING,
                "path": STRING,
                "sha256": STRING,
                "train_until": NULLABLE_STRING,
                "period_start": STRING,
                "period_end": STRING,
                "multipliers": {"type": "object", "additionalProperties": NUMBER},
                "posture_fitted": {"type": "object", "additionalProperties": NUMBER},
                "description": STRING,
                "warnings": {"type": "array", "items": STRING},
            }
        ),
    ],
}

RUN = document(
    "run",
    3,
    "skyshield run --json: per-night means with 95% intervals by class, target, unit",
    {
        "scenario": STRING,
        "notional_positions": {"type": "boolean"},
        "replications": INTEGER,
        "route_sets": {
            "type": ["integer", "null"],
            "description": "route sets the nights flew (= replications: every night its own "
            "routes); null for a run read back from the store",
        },
        "seed": INTEGER,
        "engine": {"enum": ["fast", "reference"]},
        "by_class": records({"threat_class": STRING, "quantity": STRING, **STATS_V3}),
        "by_target": records({"target": STRING, "quantity": STRING, **STATS_V3}),
        "interceptors": records(
            {"nation": STRING, "system": STRING, "quantity": STRING, **STATS_V3}
        ),
        "by_unit": records(
            {
                "unit": STRING,
                "nation": STRING,
                "system": STRING,
                **dict.fromkeys(
                    (
                        "rounds_mean",
                        "rounds_ci95",
                        "kills_mean",
                        "kills_ci95",
                        "first_shot_h",
                        "last_shot_h",
                        "nights_fired",
                        "nights_dry",
                    ),
                    NUMBER,
                ),
            }
        ),
        "cross_border": records({"measure": STRING, "key": STRING, **STATS_V3}),
        "run_id": NULLABLE_STRING,
        "air_patrols": records(
            {
                "patrol": STRING,
                "nation": STRING,
                "aircraft_type": STRING,
                "aircraft_sorties": INTEGER,
                **dict.fromkeys(
                    (
                        "hours_on_station",
                        "rounds_mean",
                        "kills_mean",
                        "cost_usd_mean",
                        "cost_per_kill_usd",
                    ),
                    NUMBER,
                ),
            }
        ),
        "calibration": CALIBRATION_APPLIED,
    },
)

COMPARE = document(
    "compare",
    3,
    "skyshield compare --json: policies on the same nights, paired differences",
    {
        "policies": {"type": "array", "items": STRING, "minItems": 2},
        "baseline": STRING,
        "unpaired": {"type": "array", "items": STRING},
        "replications": INTEGER,
        "route_sets": {
            "type": ["integer", "null"],
            "description": "route sets the nights flew (= replications: every night its own "
            "routes); null for a comparison built by hand",
        },
        "seed": INTEGER,
        "raids_per_month": NUMBER,
        "debris_radius_km": NUMBER,
        "debris_min_population": INTEGER,
        "summary": records(
            {"measure": STRING, "key": STRING, "policy": STRING, "mean": NUMBER, "ci95": NUMBER}
        ),
        "differences": records(
            {
                "measure": STRING,
                "key": STRING,
                "policy": STRING,
                "baseline": STRING,
                **dict.fromkeys(
                    ("baseline_mean", "mean", "diff", "paired_ci95", "unpaired_ci95"), NUMBER
                ),
            }
        ),
        "cost_exchange": records(
            {
                "policy": STRING,
                **dict.fromkeys(
                    (
                        "interceptor_cost_usd",
                        "threat_cost_destroyed_usd",
                        "cost_exchange_ratio",
                        "cost_exchange_ci95",
                    ),
                    NUMBER,
                ),
            }
        ),
        "sensitivity": records(
            {
                "policy": STRING,
                "parameter": STRING,
                "value": {"type": ["string", "number", "boolean", "null"]},
                "measure": STRING,
                "key": STRING,
                "diff": NUMBER,
                "ci95": NUMBER,
                "paired": {"type": "boolean"},
            }
        ),
        "run_id": NULLABLE_STRING,
        # v3 (issue 23 item 10): the calibration applied, as in run v3
        "calibration": CALIBRATION_APPLIED,
    },
)

SWEEP = document(
    "sweep",
    2,
    "skyshield sweep --json: every point's measures (mean, 95% half width), Sobol indices",
    {
        "sweep_id": STRING,
        "points": records(
            {
                "point": STRING,
                "parameters": {"type": "string", "description": "the point's values, as JSON"},
                "measure": STRING,
                "key": STRING,
                "mean": NUMBER,
                "ci95": NUMBER,
            }
        ),
        "sobol": {
            "oneOf": [
                {"type": "null"},
                records(
                    {
                        "measure": STRING,
                        "key": STRING,
                        "parameter": STRING,
                        **dict.fromkeys(("s1", "s1_ci95", "st", "st_ci95"), NUMBER),
                    }
                ),
            ]
        },
        "skipped": INTEGER,
        # v2 (issue 23 item 10): the calibration applied at every point, as in run v3
        "calibration": CALIBRATION_APPLIED,
    },
)

_SYSTEM = {
    "nation": STRING,
    "system": STRING,
    "stock_start": INTEGER,
    **dict.fromkeys(
        (
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
        ),
        NUMBER,
    ),
}
# monthly columns name the campaign's systems (rounds_<system>, ...): numbers beside the month
_MONTH = record({"month": STRING, "nights": INTEGER}, extra=NUMBER)
_SUMMARY = {
    "nights": INTEGER,
    "replications": INTEGER,
    "truncated_launches_per_replication": NUMBER,
    "systems": {"type": "array", "items": record(_SYSTEM)},
    "monthly": {"type": "array", "items": _MONTH},
}
DELIVERY = document(
    "delivery",
    1,
    "the campaign delivery solver's answer: smallest monthly delivery meeting the risk bound",
    {
        "system": STRING,
        "max_risk": NUMBER,
        "per_month": {"type": ["integer", "null"]},
        "p_stockout": NUMBER,
        "p_stockout_95": {"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2},
        "per_month_bootstrap_90": {
            "type": "array",
            "items": NUMBER,
            "minItems": 2,
            "maxItems": 2,
        },
        "replications": INTEGER,
        "tried": records({"per_month": INTEGER, "p_stockout": NUMBER}),
    },
)
_CAMPAIGN = document(
    "campaign",
    1,
    "skyshield campaign --json: stock-out risk per system, monthly hits and cost",
    {
        "campaign": STRING,
        "start": {"type": "string", "format": "date"},
        **_SUMMARY,
        "raid_generator": {"type": "object"},
        "schedules": records({"schedule": STRING, **_SUMMARY}),
        "solution": {"$ref": "#/$defs/delivery"},
        "run_id": NULLABLE_STRING,
    },
)
_CAMPAIGN["required"] = [
    k for k in _CAMPAIGN["required"] if k not in ("raid_generator", "schedules", "solution")
]
_CAMPAIGN["$defs"] = {"delivery": {k: v for k, v in DELIVERY.items() if k != "$schema"}}
CAMPAIGN = _CAMPAIGN

CALIBRATE = document(
    "calibrate",
    1,
    "skyshield calibrate --json: the emulator's validation and each quarter's posterior",
    {
        "train_until": {"type": ["string", "null"], "format": "date"},
        "file": NULLABLE_STRING,
        "emulator_validation": records(
            {
                "class": STRING,
                "quantity": STRING,
                "runs": INTEGER,
                **dict.fromkeys(("rmse", "bias", "engine_se", "spread"), NUMBER),
            }
        ),
        "periods": records(
            {
                "parameter": STRING,
                "p5": NUMBER,
                "median": NUMBER,
                "p95": NUMBER,
                "start": STRING,
                "end": STRING,
                "nights": INTEGER,
            }
        ),
    },
)

_NIGHT_NUMBERS = (
    "p5",
    "p25",
    "median",
    "p75",
    "p95",
    "crps",
    "baseline",
    "baseline_median",
    "baseline_crps",
    "b_p5",
    "b_p25",
    "b_p75",
    "b_p95",
    # v5 (#23): the randomised PIT's chance of the central 90%, the model's and the baseline's
    "pit_90",
    "b_pit_90",
)
BACKTEST = document(
    "backtest",
    5,
    "skyshield backtest --json: each test night predicted from earlier reports, and scores",
    {
        "train_until": STRING,
        "test_from": NULLABLE_STRING,
        "test_until": NULLABLE_STRING,
        "refit_every_days": INTEGER,
        "window_days": INTEGER,
        "half_lives": {"type": "object", "additionalProperties": NUMBER},
        # v3 (#23 items 5, 7): drift as a state, interval width and DM test, the checks
        "drift": {"enum": ["refits", "state"]},
        "state_noise": {
            "type": ["object", "null"],
            "additionalProperties": NUMBER,
            "description": "logit^2 per day per class with drift state; null with refits",
        },
        "engine_term": {"type": "boolean"},
        # v4 (#23): the predictive's overdispersion, the checks spread and bias
        "dispersion": {"enum": ["posterior", "ml", "ml-split"]},
        "metrics": records(
            {
                "class": STRING,
                "target": STRING,
                "nights": INTEGER,
                **dict.fromkeys(
                    (
                        "mae",
                        "baseline_mae",
                        "crps",
                        "baseline_crps",
                        "coverage_50",
                        "coverage_90",
                        "baseline_coverage_50",
                        "baseline_coverage_90",
                        "width_90",
                        "baseline_width_90",
                        "dm_statistic",
                        "dm_p",
                        # v5 (#23): interval coverage of the counts by the randomised PIT
                        "pit_coverage_90",
                        "baseline_pit_coverage_90",
                    ),
                    NUMBER,
                ),
            }
        ),
        "nights": records(
            {
                "date": STRING,
                "class": STRING,
                "launched": INTEGER,
                "reported_neutralised": INTEGER,
                "reported_destroyed": {
                    "type": ["integer", "null"],
                    "description": "null where the report does not give the destroyed/lost "
                    "split of the class",
                },
                **dict.fromkeys(
                    ("predicted_mean", "predicted_median", "predicted_p05", "predicted_p95"),
                    NUMBER,
                ),
            }
        ),
        "predictions": records(
            {
                "night": STRING,
                "class": STRING,
                "target": STRING,
                "launched": INTEGER,
                "reported": INTEGER,
                **dict.fromkeys(_NIGHT_NUMBERS, NUMBER),
                "origin": STRING,
            }
        ),
        "checks": record(
            {
                "slopes": records(
                    {
                        "class": STRING,
                        "quarter": STRING,
                        "nights": INTEGER,
                        "launched_min": INTEGER,
                        "launched_max": INTEGER,
                        **dict.fromkeys(
                            (
                                "reported_slope",
                                "reported_p5",
                                "reported_p95",
                                "model_slope",
                                "model_p5",
                                "model_p95",
                            ),
                            NUMBER,
                        ),
                    }
                ),
                "split": records(
                    {
                        "class": STRING,
                        "nights": INTEGER,
                        "launched": INTEGER,
                        **dict.fromkeys(
                            (
                                "reported_destroyed",
                                "reported_lost",
                                "predicted_destroyed",
                                "predicted_lost",
                            ),
                            NUMBER,
                        ),
                    }
                ),
                "patriot": records(
                    {
                        "cover": {"enum": ["covered", "not covered", "unknown"]},
                        "nights": INTEGER,
                        "launched": INTEGER,
                        "reported_share": NUMBER,
                        "predicted_share": NUMBER,
                    }
                ),
                "pit": records({"class": STRING, "low": NUMBER, "high": NUMBER, "nights": INTEGER}),
                "stability": records(
                    {
                        "parameter": STRING,
                        "refits": INTEGER,
                        **dict.fromkeys(
                            ("first", "last", "min", "max", "mean_width_90", "drift_vs_width"),
                            NUMBER,
                        ),
                    }
                ),
                "spread": records(
                    {
                        "class": STRING,
                        "nights": INTEGER,
                        **dict.fromkeys(
                            (
                                "sd",
                                *(
                                    f"{kind}_{part}"
                                    for part in ("binomial", "overdispersion", "parameter")
                                    for kind in ("share", "sd")
                                ),
                            ),
                            NUMBER,
                        ),
                    }
                ),
                "bias": records(
                    {
                        "class": STRING,
                        "launched": STRING,
                        "nights": INTEGER,
                        **dict.fromkeys(
                            ("bias", "bias_share", "baseline_bias", "mae", "baseline_mae"), NUMBER
                        ),
                    }
                ),
            }
        ),
    },
)

RUNS = document(
    "runs",
    2,
    "skyshield runs DIR --json: the runs saved in a results directory",
    {
        "directory": STRING,
        "runs": records(
            {
                "run_id": STRING,
                "kind": STRING,
                "parent": NULLABLE_STRING,
                "scenario_name": STRING,
                "scenario_sha256": STRING,
                "parameters": {"type": "string", "description": "the run's options, as JSON"},
                "seed": INTEGER,
                "replications": INTEGER,
                "code_version": STRING,
                "started": NULLABLE_STRING,
                "finished": NULLABLE_STRING,
                "status": {"enum": ["running", "complete", "failed", "pending", "interrupted"]},
            }
        ),
    },
)

SCHEMAS = {
    "run": RUN,
    "compare": COMPARE,
    "sweep": SWEEP,
    "campaign": CAMPAIGN,
    "delivery": DELIVERY,
    "calibrate": CALIBRATE,
    "backtest": BACKTEST,
    "runs": RUNS,
}


def main() -> None:
    """Write every schema file and print each one's name and sha256 (for schema/hashes.json)."""
    for schema in SCHEMAS.values():
        _, name, version = schema["$id"].split("/")
        path = SCHEMA_DIR / f"{name}.{version}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(path.name, hashlib.sha256(path.read_bytes()).hexdigest())


if __name__ == "__main__":
    main()
