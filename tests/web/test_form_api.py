"""The API behind the policy form and the downloads, without worker processes.

``GET /api/schema`` (what the form is generated from), ``POST /api/policies`` (a scenario's
values, overridden and checked as a run's), the nights cap counting a scenario's own size, and
the downloads' refusals. The downloads themselves: ``test_downloads.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from skyshield.scenario.schema import scenario_json_schema
from skyshield.web.app import create_app

TINY = Path(__file__).parents[1] / "tiny.yaml"
SHIPPED = Path(__file__).resolve().parents[2] / "schema" / "scenario.schema.json"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    # no `with`: the lifespan (the workers) does not start; jobs queue and wait
    return TestClient(create_app(tmp_path / "store", max_queued=2, max_replications=500))


def test_schema__is_the_scenario_schema_skyshield_schema_prints(client: TestClient) -> None:
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == scenario_json_schema() == json.loads(SHIPPED.read_text())


def test_policies__a_scenarios_values_with_its_overrides(client: TestClient) -> None:
    body = {
        "scenario": "western-raid-poland-100km",
        "overrides": ["nations.PL.roe.zone.buffer_km=30", "nations.PL.roe.classes=[drone]"],
    }
    response = client.post("/api/policies", json=body)
    assert response.status_code == 200
    roe = response.json()["scenario"]["nations"]["PL"]["roe"]
    assert roe["zone"] == {"kind": "buffer", "buffer_km": 30.0, "into": ["UA"], "polygon": []}
    assert roe["classes"] == ["drone"]
    uploaded = client.post("/api/policies", json={"yaml": TINY.read_text()}).json()
    assert uploaded["scenario"]["name"] == "tiny"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"scenario": "default", "overrides": ["nations.UA.roe.zone.buffer_km=-5"]},
            "overrides[0]: nations.UA.roe.zone.buffer_km: expected greater than or equal to 0, "
            "got -5",
        ),
        (
            {"scenario": "default", "overrides": ["nations.UA.roe.nothing=1"]},
            "overrides[0]: nations.UA.roe.nothing: expected the path of a field in the "
            "scenario, got no such field",
        ),
        (
            {"scenario": "default", "yaml": "name: x"},
            "request: expected either scenario (a built-in name) or yaml, not both, got both",
        ),
        ({"scenario": "../etc/passwd"}, "../etc/passwd: expected a built-in scenario ("),
    ],
)
def test_policies__refused_with_the_clis_line(
    client: TestClient, body: dict[str, object], message: str
) -> None:
    response = client.post("/api/policies", json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)


@pytest.mark.parametrize(
    ("kind", "name"),
    [("runs", "default"), ("compares", "default with monte_carlo.replications=100000")],
)
def test_submit__an_override_past_the_nights_cap_is_refused(
    tmp_path: Path, kind: str, name: str
) -> None:
    client = TestClient(create_app(tmp_path / "store"))  # the cap: 10,000 nights
    policy = {"scenario": "default", "overrides": ["monte_carlo.replications=100000"]}
    body = policy if kind == "runs" else {"policies": [policy]}
    response = client.post(f"/api/{kind}", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "error": f"{name}: monte_carlo.replications: expected at most 10,000 nights "
        "(skyshield serve --max-replications), got 100,000"
    }
    # the request's own size decides when given
    assert client.post(f"/api/{kind}", json={**body, "replications": 3}).status_code == 202


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/runs/nothing/report", 404, "expected the id of a complete run in the store"),
        ("/api/runs/nothing/export?format=kml", 404, "expected the id of a complete run"),
        ("/api/runs/x/export?format=shp", 400, "request: format: expected 'geojson', 'czml', "),
        ("/api/runs/x/export", 400, "request: format: expected a value (required field)"),
        (
            "/api/runs/x/report?replication=-1",
            400,
            "request: replication: expected greater than or equal to 0, got '-1'",
        ),
        (
            "/api/runs/x/report?path=/etc/passwd",
            400,
            "request: (top level): expected only known fields, got unknown field 'path'",
        ),
        ("/api/runs/..%2F..%2Fetc/report", 404, "expected a page or an /api address, got "),
    ],
)
def test_downloads__refused_before_anything_is_read(
    client: TestClient, path: str, status: int, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["error"].startswith(message)


def test_downloads__a_job_without_a_saved_run_is_not_found(client: TestClient) -> None:
    queued = client.post("/api/runs", json={"scenario": "default", "replications": 2}).json()
    response = client.get(f"/api/runs/{queued['id']}/report")
    assert response.status_code == 404
    assert queued["id"] in response.json()["error"]
