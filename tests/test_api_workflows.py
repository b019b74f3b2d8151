"""Every workflow from Python in two lines, and every result type honours the result protocol.

Each example is what the API function's docstring shows, on small inputs (the tiny scenario,
a 10-night campaign, the fewest MCMC steps) so the whole file runs in seconds once the
engine is compiled. The protocol (:class:`skyshield.results.Result`): ``tables()`` of tidy
DataFrames, ``to_dict()`` strict JSON with its schema id, ``plot()`` a matplotlib Figure,
``save(dir)`` a run in the results store, and a short readable ``repr``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.campaign.test_cli import SHORT

import skyshield
from skyshield.calibration.calibrate import load_calibration
from skyshield.results import Result
from skyshield.store import list_runs, read_run

TINY = Path(__file__).parent / "tiny.yaml"
QUIET = {"progress": lambda *_: None}
MAX_REPR_LINES = 12


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("workflows")
    more = folder / "more-iris.yaml"  # the tiny scenario with more IRIS-T rounds
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    campaign = folder / "short.yaml"
    campaign.write_text(SHORT)
    return {"more": more, "campaign": campaign, "calibration": folder / "calibration.json"}


@pytest.fixture(scope="module")
def results(files: dict[str, Path]) -> dict[str, Any]:
    """One result of every workflow, each from the two lines its docstring shows."""
    run = skyshield.run(TINY, replications=20, **QUIET)
    comparison = skyshield.compare(TINY, files["more"], replications=20)
    sweep = skyshield.sweep(TINY, ["raid.waves.1.count=2,6"], replications=10, **QUIET)
    campaign = skyshield.campaign(
        files["campaign"], replications=20, solve="patriot-pac3-mse", max_risk=0.5
    )
    calibration = skyshield.calibrate(
        "2023-01-01",
        compositions=4,
        parameters=4,
        replications=2,
        steps=50,
        out=files["calibration"],
    )
    backtest = skyshield.backtest(
        "2025-06-01",
        test_until="2025-06-07",
        calibration=files["calibration"],
        steps=50,
        warm_steps=50,
    )
    assert campaign.solution is not None
    return {
        "run": run,
        "compare": comparison,
        "sweep": sweep,
        "campaign": campaign,
        "delivery": campaign.solution,
        "backtest": backtest,
        "calibrate": calibration,
    }


def test_run__two_lines(results: dict[str, Any]) -> None:
    by_class = results["run"].tables()["by_class"]
    launched = by_class.query("threat_class == 'all' and quantity == 'launched'")["mean"]
    assert launched.item() == 6  # tiny.yaml: 2 cruise missiles + 4 drones a night


def test_compare__two_lines(results: dict[str, Any]) -> None:
    comparison = results["compare"]
    assert comparison.names == ("tiny", "more-iris")
    assert set(comparison.tables()["differences"]["policy"]) == {"more-iris"}


def test_sweep__two_lines(results: dict[str, Any]) -> None:
    points = results["sweep"].tables()["points"]
    assert points["point"].nunique() == 2
    assert {"measure", "key", "mean", "ci95"} <= set(points.columns)


def test_campaign__two_lines(results: dict[str, Any]) -> None:
    systems = results["campaign"].tables()["campaign_systems"]
    assert set(systems["system"]) == {"patriot-pac3-mse", "nasams"}  # SHORT's two stocks
    assert results["delivery"].per_month is None or results["delivery"].per_month >= 0


def test_backtest__two_lines(results: dict[str, Any]) -> None:
    nights = results["backtest"].tables()["backtest_nights"]
    assert set(nights["night"]) <= {f"2025-06-0{d}" for d in range(1, 8)}
    assert not nights.empty


def test_calibrate__two_lines(results: dict[str, Any], files: dict[str, Path]) -> None:
    periods = results["calibrate"].tables()["calibration_periods"]
    assert set(periods["start"]) == {"2022-10-01"}  # the reports start in 2022's last quarter
    assert load_calibration(files["calibration"]).periods[0].start == "2022-10-01"


def test_report_and_export__two_lines() -> None:
    html = skyshield.report(TINY, replications=2)
    assert html.lstrip().lower().startswith("<!doctype html")
    text = skyshield.export(TINY, "geojson", replication=1, **QUIET)
    assert json.loads(text)["type"] == "FeatureCollection"


KINDS = ("run", "compare", "sweep", "campaign", "delivery", "backtest", "calibrate")


@pytest.mark.parametrize("kind", KINDS)
def test_result_protocol__every_result_type(
    results: dict[str, Any], kind: str, tmp_path: Path
) -> None:
    result = results[kind]
    assert isinstance(result, Result)
    tables = result.tables()
    assert tables
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    for name, table in tables.items():  # tidy: no "measure/key" strings in any column
        for column in table.select_dtypes(include=["object", "string"]).columns:
            if column in ("measure", "output"):
                assert not table[column].astype(str).str.contains("/").any(), (name, column)
    document = result.to_dict()
    json.dumps(document, allow_nan=False)  # strict JSON, as --json prints it
    assert document["schema"] == result.SCHEMA
    assert re.fullmatch(rf"skyshield/{kind}/v\d+", result.SCHEMA)
    figure = result.plot()
    assert type(figure).__name__ == "Figure"
    run_id = result.save(tmp_path / "results")
    runs = list_runs(tmp_path / "results")
    assert run_id in set(runs["run_id"])
    assert sorted(read_run(tmp_path / "results", run_id)) == sorted(tables)
    text = repr(result)
    assert type(result).__name__ in text.splitlines()[0]
    assert 1 <= len(text.splitlines()) <= MAX_REPR_LINES
