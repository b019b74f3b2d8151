"""``skyshield serve``'s API without worker processes: validation, errors, assets, the queue.

The application is used without its lifespan, so its workers never start: what a request
queues stays queued, which makes the queue's bound testable in milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from skyshield.errors import ScenarioError
from skyshield.scenario import load_scenario
from skyshield.web import is_loopback
from skyshield.web.app import asset_path, create_app
from skyshield.yamlio import MAX_BYTES_ENV

TINY = Path(__file__).parents[1] / "tiny.yaml"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def client(store: Path) -> TestClient:
    # no `with`: the lifespan (the workers) does not start; jobs queue and wait
    return TestClient(create_app(store, max_queued=2))


def _error(response: object) -> str:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    message: str = body["error"]
    return message


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../app.py",
        "/assets/%2e%2e/app.py",
        "/assets/..%2Fapp.py",
        "/assets/..%2F..%2Fscenario%2Fexamples%2Fdefault.yaml",
        "/vendor/..%2F..%2Fweb%2Fapp.py",
        "/vendor/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/assets//etc/passwd",
        "/assets/",
    ],
)
def test_assets__a_path_out_of_the_asset_folder_is_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "expected" in _error(response)


def test_asset_path__refuses_what_resolves_outside_even_when_it_exists() -> None:
    # the check itself, without the URL layer that may normalise dots first
    assert asset_path("assets", "index.html") is not None
    assert (asset_path("assets", ".") or Path()).name != "assets"  # a folder is no file
    assert asset_path("assets", "../app.py") is None
    assert asset_path("vendor", "../../web/app.py") is None
    assert asset_path("vendor", "/etc/passwd") is None
    assert asset_path("nothing", "index.html") is None


def test_assets__the_page_and_the_vendored_leaflet_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    leaflet = client.get("/vendor/leaflet.js")
    assert leaflet.status_code == 200
    assert "javascript" in leaflet.headers["content-type"]


def test_scenarios__lists_the_built_ins(client: TestClient) -> None:
    listed = client.get("/api/scenarios").json()["scenarios"]
    names = [s["name"] for s in listed]
    assert "default" in names
    assert all(s["description"] for s in listed)
    # the descriptions the CLI's `skyshield scenarios` prints
    shown = {s["name"]: s["description"] for s in listed}
    assert shown["default"] == " ".join(load_scenario("default").description.split())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"scenario": "nope"}, "nope: expected a built-in scenario ("),
        # a path is never read, even one that exists
        ({"scenario": str(TINY)}, f"{TINY}: expected a built-in scenario ("),
        ({"scenario": "default", "replications": 0}, "request: replications: expected greater"),
        ({"scenario": "default", "seed": -1}, "request: seed: expected greater than or equal"),
        ({"scenario": "default", "colour": "red"}, "request: (top level): expected only known"),
        ({"scenario": "default", "yaml": "name: x"}, "request: expected either scenario"),
        ({"yaml": "name: [1"}, "uploaded YAML: expected valid YAML, got did not find"),
        ({"yaml": "a: 1\na: 2\n"}, "uploaded YAML: a: expected each key once per mapping"),
        ({"yaml": "a: &x [1]\nb: *x\n"}, "uploaded YAML: expected no anchors or aliases"),
        ({"yaml": "- 1\n"}, "uploaded YAML: expected a mapping of scenario fields, got list"),
        (
            {"yaml": TINY.read_text().replace("count: 2,", "count: -2,")},
            "uploaded YAML: raid.waves[0].count: expected greater than or equal to 1, got -2",
        ),
        (
            {"scenario": "default", "overrides": ["nations.PL.roe.zone.nothing=1"]},
            "overrides[0]: nations.PL.roe.zone.nothing: expected the path of a field",
        ),
        (
            {"scenario": "default", "overrides": ["no equals sign"]},
            "overrides[0]: expected path=value1,value2, got 'no equals sign'",
        ),
        (
            {"scenario": "default", "overrides": ["monte_carlo.seed=1,2"]},
            "overrides[0]: expected path=value (one value",
        ),
        (
            {"scenario": "default", "overrides": ["monte_carlo.replications=zero"]},
            "overrides[0]: monte_carlo.replications: expected an integer, got 'zero'",
        ),
        (
            {"scenario": "default", "replications": 10**9},
            "request: replications: expected at most 10,000",
        ),
        ([1, 2], "request: expected a JSON object, got list"),
    ],
)
def test_runs__bad_input_is_a_400_with_the_clis_line(
    client: TestClient, body: object, message: str
) -> None:
    response = client.post("/api/runs", json=body)
    assert response.status_code == 400
    assert _error(response).startswith(message), _error(response)
    assert "Traceback" not in response.text


def test_runs__an_upload_is_refused_with_the_line_validate_prints_for_the_file(
    client: TestClient, tmp_path: Path
) -> None:
    text = TINY.read_text().replace("stock: 2,", "stock: many,").replace("seed: 99", "sed: 99")
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)
    with pytest.raises(ScenarioError) as cli:
        load_scenario(broken)
    response = client.post("/api/runs", json={"yaml": text})
    assert response.status_code == 400
    assert _error(response) == str(cli.value).replace(str(broken), "uploaded YAML")
    assert len(_error(response).splitlines()) == 2  # every problem, one line each


def test_runs__bad_json_and_a_wrong_content_type_are_refused(client: TestClient) -> None:
    bad = client.post("/api/runs", content=b"{", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert _error(bad).startswith("request: expected a JSON object, got invalid JSON")
    # a form post (which a page of another site may send without asking) is refused
    form = client.post(
        "/api/runs", content=b"scenario=default", headers={"content-type": "text/plain"}
    )
    assert form.status_code == 415
    assert "application/json" in _error(form)


def test_runs__an_oversized_upload_is_refused_by_the_loaders_cap(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_BYTES_ENV, "2000")
    text = TINY.read_text() + "#" * 3000 + "\n"
    response = client.post("/api/runs", json={"yaml": text})
    assert response.status_code == 400
    assert _error(response).startswith(
        f"uploaded YAML: expected a file of at most 2,000 bytes (set {MAX_BYTES_ENV}"
    )


def test_runs__a_body_past_the_cap_is_not_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_BYTES_ENV, "2000")
    body = json.dumps({"yaml": "#" * 200_000}).encode()
    declared = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert "expected a body of at most 69,536 bytes" in _error(declared)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        yield from (body[i : i + 8192] for i in range(0, len(body), 8192))

    streamed = client.post(
        "/api/runs", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


def test_runs__a_good_request_is_queued_and_its_status_read(client: TestClient) -> None:
    response = client.post(
        "/api/runs", json={"yaml": TINY.read_text(), "replications": 3, "seed": 5}
    )
    assert response.status_code == 202
    status = client.get(f"/api/runs/{response.json()['id']}").json()
    assert status["state"] == "queued"
    assert status["progress"] == {"done": 0, "total": 3, "stage": None}
    assert status["name"] == "tiny"
    assert status["result"] is None


def test_runs__past_the_queues_bound_a_request_is_busy_429(client: TestClient) -> None:
    body = {"scenario": "default", "replications": 2}
    ids = [client.post("/api/runs", json=body).json()["id"] for _ in range(2)]
    busy = client.post("/api/runs", json=body)
    assert busy.status_code == 429
    assert _error(busy).startswith("busy: 2 jobs already wait")
    assert (
        client.post("/api/compares", json={"policies": [{"scenario": "default"}] * 2}).status_code
        == 429
    )
    # cancelling a waiting job frees its place
    cancelled = client.delete(f"/api/runs/{ids[0]}")
    assert cancelled.json()["state"] == "cancelled"
    assert client.post("/api/runs", json=body).status_code == 202


def test_runs__lists_the_jobs_and_an_empty_store(client: TestClient) -> None:
    assert client.get("/api/runs").json() == {"jobs": [], "stored": []}
    job = client.post("/api/runs", json={"scenario": "default"}).json()["id"]
    listed = client.get("/api/runs").json()
    assert [j["id"] for j in listed["jobs"]] == [job]
    assert "result" not in listed["jobs"][0]


def test_runs__an_unknown_id_is_404_and_an_ended_job_is_not_cancelled_again(
    client: TestClient,
) -> None:
    assert client.get("/api/runs/0123").status_code == 404
    assert client.delete("/api/runs/0123").status_code == 404
    job = client.post("/api/runs", json={"scenario": "default"}).json()["id"]
    assert client.delete(f"/api/runs/{job}").status_code == 200
    again = client.delete(f"/api/runs/{job}")
    assert again.status_code == 409
    assert "got cancelled" in _error(again)


def test_compares__one_policy_needs_overrides_and_gets_its_unchanged_baseline(
    client: TestClient,
) -> None:
    alone = client.post("/api/compares", json={"policies": [{"scenario": "default"}]})
    assert alone.status_code == 400
    assert "request: policies: expected two or more policies, or one with overrides" in _error(
        alone
    )
    varied = client.post(
        "/api/compares",
        json={"policies": [{"scenario": "default", "overrides": ["monte_carlo.route_sets=3"]}]},
    )
    assert varied.status_code == 202
    status = client.get(f"/api/compares/{varied.json()['id']}").json()
    assert status["kind"] == "compare"
    assert status["name"] == "default vs default with monte_carlo.route_sets=3"
    bad = client.post(
        "/api/compares",
        json={"policies": [{"scenario": "default"}, {"scenario": "baseline"}], "vary": ["x"]},
    )
    assert _error(bad) == "vary[0]: expected path=value1,value2, got 'x'"


def test_nights__only_a_complete_run_of_the_store_and_one_of_its_nights(
    client: TestClient,
) -> None:
    unknown = client.post("/api/nights", json={"run_id": "../../etc", "replication": 0})
    assert unknown.status_code == 400
    assert _error(unknown) == (
        "request: run_id: expected a complete run in the store, got '../../etc'"
    )
    negative = client.post("/api/nights", json={"run_id": "x", "replication": -1})
    assert _error(negative).startswith("request: replication: expected greater than or equal")


def test_borders__the_reports_borders_are_served(client: TestClient) -> None:
    borders = client.get("/api/borders").json()
    assert borders["type"] == "FeatureCollection"
    assert len(borders["features"]) > 5


def test_hosts__a_loopback_server_answers_only_its_own_names(store: Path) -> None:
    guarded = TestClient(create_app(store, allowed_hosts=("127.0.0.1", "localhost")))
    assert guarded.get("/api/scenarios", headers={"host": "127.0.0.1:8765"}).status_code == 200
    assert guarded.get("/api/scenarios", headers={"host": "evil.example"}).status_code == 400


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False), ("::", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_campaigns__lists_the_built_ins_with_their_schedules(client: TestClient) -> None:
    listed = {c["name"]: c for c in client.get("/api/campaigns").json()["campaigns"]}
    assert {"h2-2025-patriot", "h2-2025-poland-engages"} <= set(listed)
    patriot = listed["h2-2025-patriot"]
    assert patriot["stocks"]["patriot-pac3-mse"] == 50
    assert {"system": "patriot-pac3-mse", "per_month": 12, "sd": 8.0, "start": None} in patriot[
        "deliveries"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"campaign": "../../etc/passwd"},
            "request: campaign: expected a built-in campaign (h2-2025-patriot, "
            "h2-2025-poland-engages), got '../../etc/passwd'",
        ),
        (
            {"deliveries": [{"system": "nasams", "per_month": -3}]},
            "request: deliveries[0].per_month: expected greater than or equal to 0, got -3",
        ),
        (
            {"deliveries": [{"system": "s-400", "per_month": 3}]},
            "request: (top level): expected deliveries only of systems with a stock "
            "(add stocks.s-400)",
        ),
        (
            {"deliveries": [{"system": "nasams", "per_month": 3, "start": "soon"}]},
            "request: deliveries[0].start",
        ),
        ({"replications": 0}, "request: replications: expected greater than or equal to 1"),
        (
            {"nights": 3},
            "request: (top level): expected only known fields, got unknown field 'nights'",
        ),
    ],
)
def test_campaigns__a_bad_schedule_is_a_400_with_the_campaign_files_line(
    client: TestClient, body: dict[str, object], message: str
) -> None:
    response = client.post("/api/campaigns", json=body)
    assert response.status_code == 400
    assert _error(response).startswith(message)


def test_campaigns__an_edited_schedule_is_queued_and_bounded_like_runs(client: TestClient) -> None:
    body = {
        "campaign": "h2-2025-patriot",
        "deliveries": [{"system": "patriot-gem-t", "per_month": 9, "start": "2025-08-01"}],
        "replications": 5,
    }
    first = client.post("/api/campaigns", json=body)
    assert first.status_code == 202
    status = client.get(f"/api/campaigns/{first.json()['id']}").json()
    assert (status["kind"], status["name"], status["state"]) == (
        "campaign",
        "h2-2025-patriot",
        "queued",
    )
    assert status["progress"]["total"] == 5
    assert client.post("/api/campaigns", json=body).status_code == 202
    busy = client.post("/api/campaigns", json=body)
    assert busy.status_code == 429
    assert client.delete(f"/api/campaigns/{first.json()['id']}").json()["state"] == "cancelled"
