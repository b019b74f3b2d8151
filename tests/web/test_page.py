"""``skyshield serve``'s page in Debian's headless Chromium (Playwright), against a live server.

Every request the page makes is recorded, and any to another host is refused: the page must
work with no network. Screenshots go to ``tests/artifacts/`` (not in git).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from tests.web._browser import ARTIFACTS, CHROMIUM, Browsed, browse

from skyshield.scenario import builtin_scenario_names
from skyshield.web import running_server
from skyshield.web.app import create_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

TINY = Path(__file__).parents[1] / "tiny.yaml"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no chromium on PATH: `make test` installs Debian's chromium"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("page") / "store"
    with running_server(create_app(store, slots=1)) as url:
        yield url


@pytest.fixture
def browsed(server: str) -> Iterator[Browsed]:
    with browse(server) as seen:
        yield seen


def test_page__loads_offline_and_lists_the_scenarios(browsed: Browsed, server: str) -> None:
    page = browsed.page
    options = page.locator("#scenario option").all_text_contents()
    assert options == list(builtin_scenario_names())
    assert page.locator("#scenario").input_value() == "default"
    assert page.locator("#scenario-description").inner_text()
    # the policy form, built from the schema for the default scenario (test_form.py: in full)
    page.wait_for_selector("#policy-form[data-state=ready][data-scenario=default]")
    assert page.locator("select[data-path='nations.UA.roe.zone.kind']").input_value() == "0"
    assert page.evaluate("policyForm.overrides()") == []
    # a map tooltip shows a name from an uploaded scenario as text, never as markup
    shown = page.evaluate(
        "tooltipHtml({layer: 'fire_unit', id: 'pl-1', name: '<img src=x onerror=alert(1)>'})"
    )
    assert shown == "fire unit<br>id: pl-1<br>name: &#60;img src=x onerror=alert(1)&#62;"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-page.png"), full_page=True)
    browsed.assert_offline(server)


def _api_document(page: Page, server: str, job: str) -> Any:
    return page.evaluate(f"fetch('{server}/api/runs/{job}').then((r) => r.json())")


def _set_clock(page: Page, seconds: float) -> float:
    """Move the replay slider (it snaps to its step); return the time it shows."""
    page.evaluate(
        "(t) => { const c = document.getElementById('clock'); c.value = String(t); "
        "c.dispatchEvent(new Event('input')); }",
        seconds,
    )
    return float(page.locator("#map-box").get_attribute("data-clock") or "nan")


def _in_flight(route: dict[str, Any], t: float) -> bool:
    times = route["time_s"]
    if not times[0] <= t <= times[-1]:
        return False
    return not (route["fate"] == "intercepted" and t >= route["end_time_s"])


@pytest.mark.slow
def test_page__runs_an_upload_compares_it_and_cancels(browsed: Browsed, server: str) -> None:
    page = browsed.page
    page.set_input_files("#upload", str(TINY))
    # a selector, not wait_for_function: its polling evaluates a string, which the page's CSP
    # (no 'unsafe-eval') refuses whenever the first check is not already true
    page.wait_for_selector("#scenario-description:text-matches('^uploaded')")
    page.fill("#replications", "4")
    page.fill("#seed", "7")
    page.click("#run")
    page.wait_for_selector("#outcome:not([hidden])", timeout=240_000)
    job = page.locator("#outcome").get_attribute("data-job")
    assert job is not None
    status = _api_document(page, server, job)
    assert status["state"] == "done"
    shown = {
        q: page.locator(f"#by-class tr[data-class=all] td[data-quantity={q}]").inner_text()
        for q in ("launched", "intercepted", "impacted")
    }
    for q, text in shown.items():
        row = next(
            r
            for r in status["result"]["by_class"]
            if r["threat_class"] == "all" and r["quantity"] == q
        )
        assert text.startswith(f"{row['mean']:.1f} ± "), (q, text)
    assert status["run_id"] in page.locator("#stored-runs").inner_text()
    # the first night on the map: one marker per interceptor fired, as the API gives them
    page.wait_for_selector("#map-box[data-ready]", timeout=240_000)
    night_job = page.locator("#map-box").get_attribute("data-ready")
    night = page.evaluate(f"fetch('{server}/api/nights/{night_job}').then((r) => r.json())")
    features = night["result"]["features"]
    shots = sum(f["properties"]["layer"] == "intercept" for f in features)
    assert shots > 0
    assert page.locator("#map path.skyshield-intercept").count() == shots
    routes = sum(f["properties"]["layer"] == "route" for f in features)
    assert page.locator("#map path.skyshield-route").count() == routes == 6
    assert page.locator("#map path.skyshield-border").count() > 0
    # the replay: threats in flight at the slider's time, where the engine's path puts them
    route_features = [f for f in features if f["properties"]["layer"] == "route"]
    launch = min(f["properties"]["time_s"][0] for f in route_features)
    end = max(f["properties"]["end_time_s"] for f in route_features)
    positions = []
    for share in (0.3, 0.35):
        clock = _set_clock(page, launch + share * (end - launch))
        flying = [f for f in route_features if _in_flight(f["properties"], clock)]
        markers = page.locator("#map path.skyshield-threat")
        assert markers.count() == len(flying) > 0
        fired = sum(
            f["properties"]["layer"] == "intercept" and f["properties"]["intercept_time_s"] <= clock
            for f in features
        )
        assert page.locator("#map path.skyshield-intercept").count() == fired < shots
        positions.append(sorted(markers.evaluate_all("(ps) => ps.map((p) => p.getAttribute('d'))")))
    assert positions[0] != positions[1]  # the threats moved
    page.locator("#map-box").screenshot(path=str(ARTIFACTS / "serve-map-replay.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-page-run.png"), full_page=True)
    # the same scenario with an override, against itself unchanged on the same nights
    page.fill("#overrides", "fire_units.iris.stock=0")
    page.click("#compare")
    page.wait_for_selector("#comparison:not([hidden])", timeout=240_000)
    job = page.locator("#comparison").get_attribute("data-job")
    assert job is not None
    compared = page.evaluate(f"fetch('{server}/api/compares/{job}').then((r) => r.json())")
    row = next(
        r
        for r in compared["result"]["differences"]
        if r["measure"] == "intercepted" and r["key"] == "all"
    )
    assert row["diff"] < 0  # no IRIS-T rounds: fewer intercepts
    shown_diff = page.locator("#differences tr[data-measure='intercepted/all'] td[data-diff]")
    assert shown_diff.inner_text() == f"{row['diff']:+.2f} ± {row['paired_ci95']:.2f}"
    cells = page.locator("#differences tr[data-measure='intercepted/all'] td").all_inner_texts()
    assert cells[1:3] == [f"{row['baseline_mean']:.2f}", f"{row['mean']:.2f}"]
    shown_rows = page.locator("#differences tbody tr").count()
    moved = [r for r in compared["result"]["differences"] if r["baseline_mean"] or r["mean"]]
    assert shown_rows == len(moved) > 0
    page.screenshot(path=str(ARTIFACTS / "serve-page-compare.png"), full_page=True)
    page.fill("#overrides", "")
    # a long run, cancelled from the page
    page.set_input_files("#upload", [])
    page.select_option("#scenario", "default")
    page.fill("#replications", "5000")
    page.click("#run")
    page.wait_for_selector("#status[data-state=running]", timeout=120_000)
    page.click("#cancel")
    page.wait_for_selector("#status[data-state=cancelled]", timeout=60_000)
    assert page.locator("#cancel").is_disabled()
    browsed.assert_offline(server)
