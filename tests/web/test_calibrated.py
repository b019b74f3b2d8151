"""``skyshield serve --calibration FILE``: web runs apply the server's calibration as the CLI does.

The fast tests use the application without its lifespan (no worker process): a request's job
stays queued, and its task is executed here, in this process, as a worker would execute it.
One slow test runs the whole way through a live server and its worker.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from tests.calibration.conftest import write_calibration_file
from tests.web._browser import ARTIFACTS, CHROMIUM, browse

from skyshield.calibration.applied import AppliedCalibration, applied_calibration
from skyshield.store.catalog import run_record
from skyshield.terminal import strict_json
from skyshield.testing import run_cli
from skyshield.web import json_request, running_server
from skyshield.web.app import create_app
from skyshield.web.calibrated import UNCALIBRATED, calibration_line
from skyshield.web.jobs import CompareTask, RunTask

TINY = Path(__file__).parents[1] / "tiny.yaml"
# a small run: the tiny scenario, a few nights, a seed of its own
RUN = {"yaml": TINY.read_text(), "replications": 3, "seed": 11}
LINE = "calibrated: calibration.json (2025-Q1 medians)"


@pytest.fixture(scope="module")
def calibration_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_calibration_file(tmp_path_factory.mktemp("webcal"))


@pytest.fixture(scope="module")
def applied(calibration_file: Path) -> AppliedCalibration:
    return applied_calibration(calibration_file)


def _queued_task(app: Starlette) -> Any:
    """The task of the one job queued (no worker takes it: the lifespan never started)."""
    (job,) = app.state.manager._jobs.values()
    return job.task


def _executed(app: Starlette, client: TestClient, path: str, body: dict[str, Any]) -> Any:
    """Queue a request, then execute its task here as a worker would; the task and result."""
    response = client.post(path, json=body)
    assert response.status_code == 202, response.json()
    task = _queued_task(app)
    app.state.manager._jobs.clear()
    return task, task.execute(lambda *_: None)


def test_calibration_line__file_and_quarter_or_uncalibrated() -> None:
    named = {"file": "fit.json", "period_start": "2024-10-01", "period_end": "2025-01-01"}
    assert calibration_line(named) == "calibrated: fit.json (2024-Q4 medians)"
    odd = {**named, "period_start": "2024-11-01"}  # no calendar quarter: its dates
    assert calibration_line(odd) == "calibrated: fit.json (2024-11-01 to 2025-01-01 medians)"
    assert calibration_line(None) == UNCALIBRATED == "uncalibrated: catalog values"


def test_calibration__a_server_without_one_says_uncalibrated(tmp_path: Path) -> None:
    app = create_app(tmp_path / "store")
    client = TestClient(app)
    shown = client.get("/api/calibration").json()
    assert shown == {"calibration": None, "line": UNCALIBRATED, "uncalibrated_line": UNCALIBRATED}
    # asking for a calibration it does not have is refused, in the CLI's one-line form
    refused = client.post("/api/runs", json={**RUN, "calibrated": True})
    assert refused.status_code == 400
    assert refused.json()["error"] == (
        "request: calibrated: expected false or absent (the server was started without "
        "--calibration), got true"
    )
    # a file is never named by a request: only a boolean is taken
    named = client.post("/api/runs", json={**RUN, "calibrated": "calibration.json"})
    assert named.status_code == 400
    assert named.json()["error"].startswith("request: calibrated: expected a valid boolean")
    task, result = _executed(app, client, "/api/runs", RUN)
    assert task.calibration is None
    assert result[0].to_dict()["calibration"] is None
    assert task.extras(result)["calibration_line"] == UNCALIBRATED


def test_calibration__a_server_with_one_names_it(
    tmp_path: Path, applied: AppliedCalibration, calibration_file: Path
) -> None:
    client = TestClient(create_app(tmp_path / "store", calibration=applied))
    shown = client.get("/api/calibration").json()
    assert shown["line"] == LINE
    assert shown["uncalibrated_line"] == UNCALIBRATED
    assert shown["calibration"]["file"] == "calibration.json"
    digest = hashlib.sha256(calibration_file.read_bytes()).hexdigest()
    assert shown["calibration"]["sha256"] == digest
    assert (shown["calibration"]["period_start"], shown["calibration"]["period_end"]) == (
        "2025-01-01",
        "2025-04-01",
    )


def test_runs__the_servers_calibration_applies_as_run_calibration_does(
    tmp_path: Path, applied: AppliedCalibration, calibration_file: Path
) -> None:
    store = tmp_path / "store"
    app = create_app(store, calibration=applied)
    client = TestClient(app)
    task, result = _executed(app, client, "/api/runs", RUN)
    assert isinstance(task, RunTask)
    assert task.calibration == applied
    run_id, document = task.save(result, store)
    document = json.loads(json.dumps(strict_json(document), allow_nan=False))
    printed = run_cli(
        "run", TINY, "-n", "3", "--seed", "11", "--calibration", calibration_file, "--json"
    )
    assert printed.returncode == 0, printed.stderr
    expected = json.loads(printed.stdout)
    # the same numbers, the same calibration named: the document `run --json` prints
    assert {**document, "run_id": None} == expected
    assert document["calibration"]["sha256"] == applied.sha256
    assert task.extras(result)["calibration_line"] == LINE
    # the store keeps it with the run, as `run --out --calibration` does
    record = run_record(store, run_id)
    assert record is not None
    assert json.loads(record.parameters)["calibration_applied"]["sha256"] == applied.sha256
    # "calibrated": false runs the catalog's values: other numbers, no calibration named
    plain_task, plain = _executed(app, client, "/api/runs", {**RUN, "calibrated": False})
    assert plain_task.calibration is None
    plain_document = plain[0].to_dict()
    assert plain_document["calibration"] is None
    assert plain_task.extras(plain)["calibration_line"] == UNCALIBRATED
    assert plain_document["by_class"] != result[0].to_dict()["by_class"]


def test_compares__the_servers_calibration_applies_unless_refused(
    tmp_path: Path, applied: AppliedCalibration
) -> None:
    app = create_app(tmp_path / "store", calibration=applied)
    client = TestClient(app)
    policy = {"yaml": RUN["yaml"], "overrides": ["fire_units.iris.stock=6"]}
    body = {"policies": [policy], "replications": 2, "seed": 11}
    task, result = _executed(app, client, "/api/compares", body)
    assert isinstance(task, CompareTask)
    assert task.calibration == applied
    assert result.to_dict()["calibration"]["sha256"] == applied.sha256
    assert task.extras(result)["calibration_line"] == LINE
    response = client.post("/api/compares", json={**body, "calibrated": False})
    assert response.status_code == 202
    assert _queued_task(app).calibration is None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, applied: AppliedCalibration) -> Iterator[str]:
    store = tmp_path_factory.mktemp("webcal-serve") / "store"
    with running_server(create_app(store, slots=1, calibration=applied)) as url:
        yield url


@pytest.mark.slow  # a worker process spawned and the engine loaded in it (~10 s)
def test_run__a_live_servers_calibrated_run_is_what_run_calibration_json_prints(
    server: str, calibration_file: Path
) -> None:
    import time

    created = json_request("POST", f"{server}/api/runs", RUN)
    deadline = time.monotonic() + 240
    while (status := json_request("GET", f"{server}/api/runs/{created['id']}"))["state"] not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)
    assert status["state"] == "done", status["error"]
    assert status["calibration_line"] == LINE
    printed = run_cli(
        "run", TINY, "-n", "3", "--seed", "11", "--calibration", calibration_file, "--json"
    )
    assert printed.returncode == 0, printed.stderr
    assert {**status["result"], "run_id": None} == json.loads(printed.stdout)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium: `make test` installs Debian's")
def test_page__shows_the_calibration_and_runs_with_or_without_it(server: str) -> None:
    with browse(server) as browsed:
        page = browsed.page
        line = page.locator("#calibration")
        assert line.inner_text() == LINE
        assert page.locator("#calibrated").is_checked()
        page.uncheck("#calibrated")
        assert line.inner_text() == UNCALIBRATED
        assert line.get_attribute("data-calibrated") == "false"
        page.check("#calibrated")
        assert line.inner_text() == LINE
        # a run from the page applies it, and its outcome says so; unticked, it does not
        page.set_input_files("#upload", str(TINY))
        page.wait_for_selector("#scenario-description:text-matches('^uploaded')")
        page.fill("#replications", "2")
        for tick, shown in ((True, LINE), (False, UNCALIBRATED)):
            page.set_checked("#calibrated", tick)
            page.click("#run")
            page.wait_for_selector("#outcome:not([hidden])", timeout=240_000)
            job = page.locator("#outcome").get_attribute("data-job")
            status = json_request("GET", f"{server}/api/runs/{job}")
            assert (status["result"]["calibration"] is not None) is tick
            assert page.locator("#outcome-calibration").inner_text() == shown
            if tick:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "serve-calibration.png"), full_page=True)
            page.wait_for_selector("#map-box[data-ready]", timeout=240_000)
        browsed.assert_offline(server)
