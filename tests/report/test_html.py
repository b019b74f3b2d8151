"""Tests of skyshield.reporting: the report opens offline in real headless Chromium.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``make test``), driven by Playwright;
every request the page makes is recorded and any to a non-local address is refused. The
screenshots and the measured size and load time go to ``tests/artifacts/`` (not in git).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import pytest
from tests.export.conftest import small

from skyshield.api import compare, summarize
from skyshield.catalog import catalog_frame, load_catalog
from skyshield.metrics.policy import per_replication_measures
from skyshield.reporting import ReportRun, render_report
from skyshield.runner.montecarlo import Run, run_replications

# Debian's chromium, which `make test` installs when missing
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPLICATIONS = 4
SEED = 11
SHOWN = 1  # the replication the maps show
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def _shots(run: Run) -> int:
    return int((run.outcomes.shots["replication"] == SHOWN).sum())


def _debris(run: Run) -> int:
    """Intercepts near populated places in the shown night, as `compare` counts them."""
    measures = per_replication_measures(
        run.scenario, run.compiled, run.geometry, run.outcomes, run.replications
    )
    columns = [c for c in measures.columns if c.startswith("debris_near_populated/")]
    return int(measures.loc[SHOWN, columns].sum())


@pytest.fixture(scope="module")
def runs() -> list[Run]:
    return [
        run_replications(small(name), replications=REPLICATIONS, seed=SEED)
        for name in ("western-raid", "western-raid-poland-100km")
    ]


@pytest.fixture(scope="module")
def report_file(runs: list[Run], tmp_path_factory: pytest.TempPathFactory) -> Path:
    comparison = compare(*(r.scenario for r in runs), replications=REPLICATIONS, seed=SEED)
    html = render_report(
        [ReportRun(run=r, summary=summarize(r), replication=SHOWN) for r in runs], comparison
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_render_report__inlines_everything(report_file: Path) -> None:
    html = report_file.read_text(encoding="utf-8")
    lowered = html.lower()
    assert "<script src" not in lowered
    assert "<link" not in lowered
    assert "url(images/" not in html  # leaflet.css images are data: URIs
    assert "leaflet 1.9.4" in lowered.replace("leaflet.js", "")  # the vendored build's banner


def test_render_report__every_catalog_parameter_used(report_file: Path, runs: list[Run]) -> None:
    frame = catalog_frame(load_catalog())
    used = {k for r in runs for k in (*r.compiled.threat_type_keys, *r.compiled.unit_system_keys)}
    rows = frame[frame["type_key"].isin(used)]
    html = report_file.read_text(encoding="utf-8")
    catalog = html.split('<section id="catalog">')[1].split("<h3>Sources</h3>")[0]
    assert catalog.count("<tr><td>") == len(rows) > 0


def test_render_report__comparison_names_measures_as_compare_prints_them(
    report_file: Path,
) -> None:
    html = report_file.read_text(encoding="utf-8")
    table = html.split('<table id="comparison-table">')[1].split("</table>")[0]
    names = re.findall(r"<tr><td>([^<]*)</td>", table)
    assert names  # some measure moved
    assert any(": " in n for n in names)  # "rounds: PL", keyed as the CLI keys them
    assert [n for n in names if "/" in n or "_" in n] == []  # no column ids (rounds/PL)


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no chromium on PATH: `make test` installs Debian's chromium"
)
def _nation_colours(html: str) -> dict[str, str]:
    found = re.search(r"^const NATION_COLOURS = (\{.*\});$", html, flags=re.MULTILINE)
    assert found is not None
    colours: dict[str, str] = json.loads(found.group(1))
    return colours


def _nation_scales(value: object) -> list[tuple[str, str]]:
    """Every (nation, colour) pair of a Vega-Lite colour scale on the field ``nation``."""
    pairs = []
    if isinstance(value, dict):
        if value.get("field") == "nation" and "scale" in value:
            pairs += list(zip(value["scale"]["domain"], value["scale"]["range"], strict=True))
        for v in value.values():
            pairs += _nation_scales(v)
    elif isinstance(value, list):
        for v in value:
            pairs += _nation_scales(v)
    return pairs


def test_render_report__one_colour_per_nation(report_file: Path, runs: list[Run]) -> None:
    html = report_file.read_text(encoding="utf-8")
    colours = _nation_colours(html)
    nations = {code for r in runs for code in r.scenario.nations}
    assert nations <= set(colours)
    assert len(set(colours.values())) == len(colours)  # no two nations alike
    sections = re.search(r"^const SECTIONS = (.*);$", html, flags=re.MULTILINE)
    assert sections is not None
    in_charts = _nation_scales(json.loads(sections.group(1)))
    in_tables = re.findall(r'<i class="swatch" style="background:(#[0-9a-f]{6})"></i>(\w+)<', html)
    # the Polish units fire in the second scenario: the charts show two nations
    assert {n for n, _ in in_charts} == {"UA", "PL"}
    assert {n for _, n in in_tables} == nations
    for nation, colour in in_charts:
        assert colour == colours[nation], nation
    for colour, nation in in_tables:
        assert colour == colours[nation], nation


def test_report__opens_offline_in_chromium(report_file: Path, runs: list[Run]) -> None:
    from playwright.sync_api import Route, sync_playwright

    refused: list[str] = []
    failed: list[str] = []
    requested: list[str] = []
    console: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if urlparse(url).scheme in LOCAL_SCHEMES:
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    ARTIFACTS.mkdir(exist_ok=True)
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    # Playwright draws from Python's global `random` (its own ids), which the suite's guard
    # forbids for our code; its state is put back once the browser is closed
    random_state = random.getstate()
    with sync_playwright() as p:
        # Chromium's sandbox refuses to run as root (CI containers): only then without it
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"] if root else []
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/*", guard)
        page.on("request", lambda r: requested.append(r.url))
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console.append(str(e)))
        start = time.perf_counter()
        page.goto(report_file.as_uri(), wait_until="load")
        page.wait_for_function(
            "window.skyshieldReport && "
            "window.skyshieldReport.charts + window.skyshieldReport.chartErrors === 8",
            timeout=60_000,
        )
        load_s = time.perf_counter() - start
        state = page.evaluate("window.skyshieldReport")
        n_borders = len(
            json.loads(
                resources.files("skyshield.geo").joinpath("data/borders.geojson").read_text()
            )["features"]
        )
        counts = []
        for k in range(len(runs)):
            counts.append(
                (
                    page.locator(f"#map-{k} path.skyshield-intercept").count(),
                    page.locator(f"#map-{k} path.skyshield-border").count(),
                    page.locator(f"#map-{k} path.skyshield-unit").count(),
                    page.locator(f"#map-{k} path.skyshield-debris").count(),
                )
            )
        page.locator("#map-1").scroll_into_view_if_needed()
        page.locator("#map-1").screenshot(path=str(ARTIFACTS / "report-map.png"))
        page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
        # the second intercept layer (by the country below) appears when ticked
        page.locator("#map-1").get_by_label("Intercept points by country below").check()
        by_territory = page.locator("#map-1 path.skyshield-intercept-territory").count()
        unit_fills = page.evaluate(
            "Array.from(document.querySelectorAll('#map-1 path.skyshield-unit'))"
            ".map((p) => [p.getAttribute('class'), p.getAttribute('fill')])"
        )
        browser.close()
    random.setstate(random_state)
    (ARTIFACTS / "report-load.json").write_text(
        json.dumps({"bytes": report_file.stat().st_size, "load_s": round(load_s, 2)})
    )
    # the map's fire units wear their nation's colour from the report's one table
    colours = _nation_colours(report_file.read_text(encoding="utf-8"))
    fills = {(re.findall(r"skyshield-nation-(\w+)", c)[0], f) for c, f in unit_fills}
    assert fills == {(u.nation, colours[u.nation]) for u in runs[1].scenario.fire_units}
    assert refused == []
    assert failed == []
    assert console == []
    assert all(urlparse(u).scheme in LOCAL_SCHEMES for u in requested)
    assert state["chartErrors"] == 0
    assert _shots(runs[0]) > 0  # else the marker counts check nothing
    assert _debris(runs[0]) > 0
    for k, run in enumerate(runs):
        expected = (_shots(run), n_borders, run.compiled.n_units, _debris(run))
        assert counts[k] == expected, f"map {k}"
        assert state["maps"][k]["intercepts"] == _shots(run)
    assert by_territory == _shots(runs[1])
