"""The page's campaign view and night-map layers in headless Chromium (see ``test_page``).

Screenshots go to ``tests/artifacts/``: ``serve-campaign.png``, ``serve-map-layers-country.png``
and ``serve-map-layers-nation.png``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from tests.web import test_page
from tests.web.test_page import ARTIFACTS, CHROMIUM, Browsed

# the page's fixtures: one server for the module, a fresh browser page for each test
server = test_page.server
browsed = test_page.browsed

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no chromium on PATH: `make test` installs Debian's chromium"
)


def _get(page: Any, server: str, path: str) -> Any:
    return page.evaluate(f"fetch('{server}{path}').then((r) => r.json())")


@pytest.mark.slow
def test_page__the_campaign_chart_shows_one_band_per_system(browsed: Browsed, server: str) -> None:
    page = browsed.page
    page.wait_for_selector("#campaign-box[data-ready=true]", timeout=60_000)
    page.select_option("#campaign", "h2-2025-patriot")
    rows = page.locator("#schedule tr.delivery")
    assert rows.count() == 4  # the file's schedule
    # one more month's PAC-3 from September: edited in the table
    rows.nth(0).locator(".per-month").fill("20")
    rows.nth(0).locator(".start").fill("2025-09-01")
    page.fill("#campaign-replications", "8")
    page.click("#campaign-run")
    page.wait_for_selector("#campaign-result:not([hidden])", timeout=300_000)
    job = page.locator("#campaign-result").get_attribute("data-job")
    status = _get(page, server, f"/api/campaigns/{job}")
    assert status["state"] == "done"
    pac3 = next(r for r in status["result"]["systems"] if r["system"] == "patriot-pac3-mse")
    assert pac3["deliveries_per_month"] == 20.0
    systems = [s["system"] for s in status["stock_bands"]["systems"]]
    bands = page.locator("#campaign-chart g.campaign-band")
    assert bands.count() == len(systems) == 4
    assert bands.evaluate_all("(gs) => gs.map((g) => g.dataset.system)") == systems
    nights = len(status["stock_bands"]["dates"])
    for k in range(bands.count()):
        band = bands.nth(k)
        assert band.locator("polygon.band").count() == 1
        assert band.locator("polyline.median").count() == 1
        points = band.locator("polyline.median").get_attribute("points") or ""
        assert len(points.split()) == nights
        assert len((band.locator("polygon.band").get_attribute("points") or "").split()) == (
            2 * nights
        )
    assert page.locator("#campaign-systems tbody tr").count() == 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#campaign-box").screenshot(path=str(ARTIFACTS / "serve-campaign.png"))
    browsed.assert_offline(server)


@pytest.mark.slow
def test_page__night_layers_colour_intercepts_by_nation_and_country_below(
    browsed: Browsed, server: str
) -> None:
    page = browsed.page
    page.select_option("#scenario", "western-raid-poland-100km")
    page.fill("#replications", "2")
    page.fill("#seed", "5")
    page.click("#run")
    page.wait_for_selector("#map-box[data-ready]", timeout=300_000)
    night = _get(
        page, server, f"/api/nights/{page.locator('#map-box').get_attribute('data-ready')}"
    )
    features = night["result"]["features"]
    shots = [f["properties"] for f in features if f["properties"]["layer"] == "intercept"]
    assert shots
    page.evaluate(
        "() => { const c = document.getElementById('clock'); c.value = c.max; "
        "c.dispatchEvent(new Event('input')); }"
    )
    # the slider snaps to its step: the intercepts drawn are those up to the time it shows
    clock = float(page.locator("#map-box").get_attribute("data-clock") or "nan")
    drawn = [s for s in shots if s["intercept_time_s"] <= clock]
    assert len(drawn) > 0.9 * len(shots)
    for by, field in (("nation", "nation"), ("country", "territory")):
        page.select_option("#intercept-colour", by)
        expected = Counter(s[field] or "none" for s in shots)
        legend = page.locator("#layers-legend .legend-key")
        shown = {
            legend.nth(k).get_attribute("data-key"): int(
                legend.nth(k).get_attribute("data-count") or -1
            )
            for k in range(legend.count())
        }
        assert shown == dict(expected), by
        keys = [legend.nth(k).get_attribute("data-key") for k in range(legend.count())]
        on_map = Counter(s[field] or "none" for s in drawn)
        for index, key in enumerate(keys):
            markers = page.locator(f"#map path.skyshield-key-{index}")
            assert markers.count() == on_map[key], (by, key)
    # the nation firing and the country below differ for some intercept (Poland's units
    # engage over Ukraine): the two colourings are not the same map
    assert any(s["nation"] != s["territory"] for s in shots)
    sectors = sum(f["properties"]["layer"] == "radar_sector" for f in features)
    assert sectors > 0
    assert page.locator("#map path.skyshield-sector").count() == sectors
    debris = sum(s["debris_near_populated"] for s in shots)
    ends = sum(
        f["properties"]["layer"] == "fate" and f["properties"]["near_populated"] for f in features
    )
    assert page.locator("#map path.skyshield-debris").count() == debris
    assert page.locator("#map path.skyshield-impact-near").count() == ends
    near = page.locator("#layers-near")
    assert (near.get_attribute("data-debris"), near.get_attribute("data-ends")) == (
        str(debris),
        str(ends),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#map-box").screenshot(path=str(ARTIFACTS / "serve-map-layers-country.png"))
    page.select_option("#intercept-colour", "nation")
    page.locator("#map-box").screenshot(path=str(ARTIFACTS / "serve-map-layers-nation.png"))
    browsed.assert_offline(server)
