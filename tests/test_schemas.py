"""Every ``--json`` document validates against its versioned JSON Schema in ``schema/``.

A schema file changes only with its version: ``schema/hashes.json`` records the sha256 of
each ``<name>.v<N>.schema.json``, so editing a published version fails here; write a new
version instead (``scripts/write_schemas.py``) and record its hash.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests.campaign.test_cli import SHORT
from typer.testing import CliRunner

from skyshield.calibration.backtest import Backtest
from skyshield.calibration.calibrate import Calibration
from skyshield.campaigns.solve import DeliverySolution
from skyshield.campaigns.workflow import CampaignRun
from skyshield.cli import app
from skyshield.results import RunSummary
from skyshield.runner.compare import PolicyComparison
from skyshield.runner.sweep import SweepResult

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
HASHES = SCHEMA_DIR / "hashes.json"
TINY = Path(__file__).parent / "tiny.yaml"
RESULT_TYPES = (
    RunSummary,
    PolicyComparison,
    SweepResult,
    CampaignRun,
    DeliverySolution,
    Calibration,
    Backtest,
)


def _schema(schema_id: str) -> dict[str, Any]:
    _, name, version = schema_id.split("/")
    path = SCHEMA_DIR / f"{name}.{version}.schema.json"
    assert path.is_file(), f"{schema_id}: expected a schema file {path.name}"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _validate(document: dict[str, Any]) -> None:
    schema = _schema(document["schema"])
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def test_schema_files__changed_only_with_their_version() -> None:
    recorded = json.loads(HASHES.read_text(encoding="utf-8"))
    files = sorted(SCHEMA_DIR.glob("*.v*.schema.json"))
    assert files
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert path.name in recorded, f"{path.name}: new schema; add it to hashes.json: {digest}"
        assert recorded[path.name] == digest, (
            f"{path.name} changed, but a published version never changes: write the change as "
            "a new version (scripts/write_schemas.py) and record that file's hash"
        )
    assert sorted(recorded) == [p.name for p in files], "hashes.json lists a missing file"


@pytest.mark.parametrize("path", sorted(SCHEMA_DIR.glob("*.v*.schema.json")), ids=str)
def test_schema_files__are_valid_json_schemas(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    name, version = path.name.split(".")[:2]
    assert schema["$id"] == f"skyshield/{name}/{version}"


@pytest.mark.parametrize("kind", RESULT_TYPES, ids=lambda t: t.__name__)
def test_result_types__schema_id_has_a_file(kind: type) -> None:
    assert _schema(kind.SCHEMA)["$id"] == kind.SCHEMA  # type: ignore[attr-defined]


def test_validate__a_missing_key_fails() -> None:
    # the guard can fail: a run document without its by_class table is refused
    document = {"schema": "skyshield/run/v1", "scenario": "x"}
    with pytest.raises(jsonschema.ValidationError):
        _validate(document)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every verb's ``--json`` document, run in-process on small inputs."""
    folder = tmp_path_factory.mktemp("schemas")
    more = folder / "more.yaml"
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    campaign = folder / "short.yaml"
    campaign.write_text(SHORT)
    results = folder / "results"
    calibration = folder / "calibration.json"
    commands = {
        "run": ["run", str(TINY), "-n", "5", "--out", str(results)],
        "compare": ["compare", str(TINY), str(more), "-n", "5", "--vary", "raid.waves.1.count=8"],
        "sweep": ["sweep", str(TINY), "--param", "raid.waves.1.count=2,6", "-n", "3"],
        "campaign": [
            *("campaign", str(campaign), "-n", "5", "--workers", "1"),
            *("--deliveries", "nasams=x2", "--solve-deliveries", "nasams", "--max-risk", "0.5"),
        ],
        "calibrate": [
            *("calibrate", "--train-until", "2023-01-01", "--out", str(calibration)),
            *("--compositions", "4", "--parameters", "4", "--replications", "2", "--steps", "50"),
        ],
        "backtest": [
            *("backtest", "--train-until", "2025-06-01", "--test-until", "2025-06-07"),
            *("--calibration", str(calibration), "--steps", "50", "--warm-steps", "50"),
        ],
        "runs": ["runs", str(results)],
    }
    documents = {}
    for name, args in commands.items():  # in order: backtest reads calibrate's file
        result = CliRunner().invoke(app, [*args, "--json"])
        assert result.exit_code == 0, (name, result.output)
        documents[name] = json.loads(result.stdout)
    return documents


# run v2 and compare v2: route_sets; runs v2: the statuses pending and interrupted; backtest v2:
# nights one per night and class, the scored rows under predictions; run v3: the calibration
# applied, by_target quantity (impacts, reached_area), night_p5 and night_p95 in every summary,
# air_patrols; backtest v3: drift, state_noise, engine_term, metrics' width_90 and DM test, checks;
# backtest v4: dispersion, checks spread and bias; compare v3, sweep v2: the calibration applied
CURRENT_VERSION = {"run": 3, "runs": 2, "compare": 3, "backtest": 5, "sweep": 2}


@pytest.mark.parametrize(
    "verb", ["run", "compare", "sweep", "campaign", "calibrate", "backtest", "runs"]
)
def test_cli_json__validates_against_its_schema(
    outputs: dict[str, dict[str, Any]], verb: str
) -> None:
    document = outputs[verb]
    version = CURRENT_VERSION.get(verb, 1)
    assert document["schema"] == f"skyshield/{verb}/v{version}"
    _validate(document)


def test_cli_json__campaign_solution_validates_as_a_delivery(
    outputs: dict[str, dict[str, Any]],
) -> None:
    solution = outputs["campaign"]["solution"]
    assert solution["schema"] == "skyshield/delivery/v1"
    _validate(solution)
    solved = f"{solution['system']}={solution['per_month']} (solved)"
    schedules = [s["schedule"] for s in outputs["campaign"]["schedules"]]
    assert schedules == ["as planned", "nasams=x2", solved]


def test_run_json__air_patrols_validate_and_hold_each_patrol() -> None:
    """A scenario with air patrols: ``run --json`` lists each patrol's night (run/v3)."""
    result = CliRunner().invoke(app, ["run", "airspace-violation", "-n", "3", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    _validate(document)
    patrols = {p["patrol"]: p for p in document["air_patrols"]}
    assert set(patrols) == {"pl-f16-east", "nl-f35-southeast"}
    # 4 sorties x 2 F-16 x 1.5 h and 3 sorties x 2 F-35 x 2 h on station (catalog times)
    assert patrols["pl-f16-east"]["hours_on_station"] == pytest.approx(12.0)
    assert patrols["nl-f35-southeast"]["aircraft_sorties"] == 6
