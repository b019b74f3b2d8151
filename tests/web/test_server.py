"""``skyshield serve`` running: jobs in worker processes, documents, cancel, responsiveness.

One server (uvicorn on a free loopback port, one worker process) serves the whole module; its
worker loads the engine once. The long runs here are cancelled, never waited for.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skyshield.cli import app as cli
from skyshield.store import list_runs
from skyshield.web import running_server
from skyshield.web.app import create_app
from skyshield.web.jobs import NightTask

TINY = Path(__file__).parents[1] / "tiny.yaml"
# a run long enough to be caught running: the default raid, many nights (cancelled in the tests)
LONG = {"scenario": "default", "replications": 5000}


def _call(method: str, url: str, body: Any = None, timeout: float = 60) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _wait(url: str, until: Any, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        _, status = _call("GET", url)
        if until(status):
            return dict(status)
        assert time.monotonic() < deadline, f"waited {timeout} s: {status}"
        time.sleep(0.1)


def _ended(status: dict[str, Any]) -> bool:
    return status["state"] in ("done", "failed", "cancelled")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve") / "store"


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    with running_server(create_app(store, slots=1, max_queued=2)) as url:
        yield url


def _store_files(store: Path) -> list[str]:
    runs = store / "runs"
    return sorted(str(p.relative_to(store)) for p in runs.rglob("*")) if runs.exists() else []


@pytest.mark.slow
def test_run__the_document_is_what_run_json_prints(server: str, store: Path) -> None:
    code, created = _call(
        "POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 4, "seed": 7}
    )
    assert code == 202
    status = _wait(f"{server}/api/runs/{created['id']}", _ended)
    assert status["state"] == "done", status["error"]
    assert status["progress"]["done"] == status["progress"]["total"] == 4
    printed = CliRunner().invoke(cli, ["run", str(TINY), "-n", "4", "--seed", "7", "--json"])
    assert printed.exit_code == 0, printed.output
    expected = json.loads(printed.stdout)
    document = status["result"]
    assert document["run_id"] == status["run_id"] is not None
    assert {**document, "run_id": None} == expected
    # saved in the store, complete, as `skyshield runs DIR` lists it
    runs = list_runs(store)
    listed = runs.set_index("run_id").loc[status["run_id"]]
    assert (listed["status"], listed["replications"], listed["seed"]) == ("complete", 4, 7)


@pytest.mark.slow
def test_run__50_status_requests_during_a_run_are_all_answered(server: str) -> None:
    _, created = _call("POST", f"{server}/api/runs", LONG)
    url = f"{server}/api/runs/{created['id']}"
    _wait(url, lambda s: s["state"] == "running")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda _: _call("GET", url, timeout=30), range(50)))
    took = time.monotonic() - started
    assert [code for code, _ in answers] == [200] * 50
    assert all(status["id"] == created["id"] for _, status in answers)
    assert took < 30
    assert _call("DELETE", url)[0] == 200


@pytest.mark.slow
def test_run__a_cancelled_run_leaves_nothing_in_the_store(server: str, store: Path) -> None:
    before = _store_files(store)
    listed_before = (
        set(list_runs(store)["run_id"]) if (store / "catalog.duckdb").exists() else set()
    )
    _, created = _call("POST", f"{server}/api/runs", LONG)
    url = f"{server}/api/runs/{created['id']}"
    _wait(url, lambda s: s["state"] == "running" and s["progress"]["done"] > 0)
    code, _ = _call("DELETE", url)
    assert code == 200
    final = _wait(url, _ended, timeout=30)
    assert final["state"] == "cancelled"
    assert final["run_id"] is None
    assert final["result"] is None
    assert _call("DELETE", url)[0] == 409
    time.sleep(1)  # a worker left running would be writing by now
    assert _store_files(store) == before
    listed = set(list_runs(store)["run_id"]) if (store / "catalog.duckdb").exists() else set()
    assert listed == listed_before
    # a fresh worker took the cancelled one's place: the next run runs
    _, again = _call("POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 2})
    assert _wait(f"{server}/api/runs/{again['id']}", _ended)["state"] == "done"


@pytest.mark.slow
def test_compare__one_scenario_against_itself_with_overrides(server: str, store: Path) -> None:
    override = "fire_units.iris.stock=0"
    code, created = _call(
        "POST",
        f"{server}/api/compares",
        {"policies": [{"yaml": TINY.read_text(), "overrides": [override]}], "replications": 4},
    )
    assert code == 202
    status = _wait(f"{server}/api/compares/{created['id']}", _ended)
    assert status["state"] == "done", status["error"]
    document = status["result"]
    assert document["schema"].startswith("skyshield/compare/")
    assert document["policies"] == ["tiny", f"tiny with {override}"]
    assert document["run_id"] == status["run_id"]
    # no IRIS-T rounds in the varied policy: fewer intercepts than the baseline's
    kills = {
        r["policy"]: r["diff"]
        for r in document["differences"]
        if r["measure"] == "intercepted" and r["key"] == "all"
    }
    assert kills[f"tiny with {override}"] < 0
    assert status["run_id"] in set(list_runs(store)["run_id"])


@pytest.mark.slow
def test_run__an_error_in_the_worker_fails_the_job_with_the_clis_line(server: str) -> None:
    # valid as a file, refused when run: the fast engine has no optimal assignment
    body = {"yaml": TINY.read_text(), "overrides": ["engine.assignment=optimal"], "replications": 2}
    code, created = _call("POST", f"{server}/api/runs", body)
    assert code == 202
    status = _wait(f"{server}/api/runs/{created['id']}", _ended)
    assert status["state"] == "failed"
    assert status["error"] == (
        "tiny: engine.assignment: expected greedy with the fast engine (optimal assignment needs "
        "the reference engine), got 'optimal'"
    )
    assert status["result"] is None
    assert status["run_id"] is None


@pytest.mark.slow
def test_night__is_skyshield_exports_geojson_with_the_routes_vertex_times(
    server: str, store: Path, tmp_path: Path
) -> None:
    _, created = _call(
        "POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 3, "seed": 4}
    )
    run_id = _wait(f"{server}/api/runs/{created['id']}", _ended)["run_id"]
    code, night = _call("POST", f"{server}/api/nights", {"run_id": run_id, "replication": 2})
    assert code == 202
    status = _wait(f"{server}/api/nights/{night['id']}", _ended)
    assert status["state"] == "done", status["error"]
    document = status["result"]
    out = tmp_path / "night.geojson"
    exported = CliRunner().invoke(
        cli,
        [
            "export",
            str(store / "runs" / run_id),
            "-f",
            "geojson",
            "--replication",
            "2",
            "-o",
            str(out),
        ],
    )
    assert exported.exit_code == 0, exported.output
    expected = json.loads(out.read_text())
    routes = [f for f in document["features"] if f["properties"]["layer"] == "route"]
    assert len(routes) == 6
    for f in routes:
        p = f["properties"]
        times = p.pop("time_s")
        assert len(times) == len(f["geometry"]["coordinates"])
        assert times == sorted(times)
        assert (times[0], times[-1]) == (p["launch_time_s"], p["end_time_s"])
    assert document == expected
    assert _call("POST", f"{server}/api/nights", {"run_id": run_id, "replication": 3})[1] == {
        "error": "request: replication: expected a night from 0 to 2, got 3"
    }


@pytest.mark.slow
def test_night__night_0_is_mapped_with_the_run_as_the_store_maps_it(
    server: str, store: Path
) -> None:
    _, created = _call(
        "POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 3, "seed": 9}
    )
    run_id = _wait(f"{server}/api/runs/{created['id']}", _ended)["run_id"]
    code, night = _call("POST", f"{server}/api/nights", {"run_id": run_id, "replication": 0})
    assert code == 202
    _, status = _call("GET", f"{server}/api/nights/{night['id']}")
    assert status["state"] == "done"  # at once: no worker job
    from_store = NightTask(store, run_id, 0).execute(lambda done, total, stage: None)
    assert status["result"] == from_store
    assert any(f["properties"]["layer"] == "route" for f in from_store["features"])
