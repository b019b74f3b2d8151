"""A campaign's ballistic missiles fly where the reports aimed them (campaigns.ballistic).

The night model's defaults put 2 of the pool's 14 ballistic missiles at Kyiv, the one covered
city: the Iskander-M does not reach it from Belgorod or Crimea. The reports of H1 2025 (the
built-in campaign's training nights) aim about a third of their ballistic missiles at Kyiv.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from skyshield.campaigns import build
from skyshield.campaigns.ballistic import ballistic_aim
from skyshield.campaigns.load import load_campaign
from skyshield.catalog import load_catalog
from skyshield.geo import geodesic_distance_m
from skyshield.geo.cities import find_city
from skyshield.posture import NightComposition
from skyshield.posture.cover import patriot_covered
from skyshield.posture.laydown import CLASS_MIX, RANGE_MARGIN, night_scenario
from skyshield.reports import load_reports

POOL_BALLISTIC = 14  # the built-in campaign's pool holds 14 (its training's largest night)
H1_2025 = (date(2025, 1, 1), date(2025, 6, 30))
BALLISTIC_TYPES = frozenset(t for t, _, _ in CLASS_MIX["ballistic"])


def _covered_in_reach(ballistic: Any) -> tuple[float, int, set[tuple[float, float]]]:
    """Share of a 14-missile night's ballistic missiles aimed at cover from a site in reach.

    Also the launch points of those aimed at cover.
    """
    scenario = night_scenario(
        NightComposition(0, 0, POOL_BALLISTIC), route_pool=False, ballistic=ballistic
    )
    ranges = {k: t.range_m for k, t in load_catalog().threats.items()}
    sites = scenario.raid.launch_sites
    good = total = 0
    launched_at_cover = set()
    for wave in scenario.raid.waves:
        if wave.threat not in BALLISTIC_TYPES:
            continue
        site = sites[wave.launch_site]
        for k in range(wave.count):
            asset = scenario.assets[wave.targets[k % len(wave.targets)]]
            if asset.position is not None:
                lon, lat = asset.position.lon_deg, asset.position.lat_deg
            else:
                city = find_city(str(asset.city), str(asset.country))
                lon, lat = city.lon_deg, city.lat_deg
            metres = float(geodesic_distance_m(site.lon_deg, site.lat_deg, lon, lat))
            in_reach = metres <= RANGE_MARGIN * ranges[wave.threat]
            covered = patriot_covered(lon, lat, "2025-07-01")
            good += int(in_reach and covered)
            total += 1
            if covered:
                launched_at_cover.add((site.lon_deg, site.lat_deg))
    return good / total, total, launched_at_cover


def test_aim_reads_the_training_nights() -> None:
    """H1 2025: located and unnamed nights counted, cover and sites from the reports."""
    aim = ballistic_aim(*H1_2025)
    assert aim.targets == ("Kyiv",)
    assert aim.nights > aim.located > 0
    assert 0.2 < aim.covered < 0.5  # the located nights alone: 0.33
    assert aim.sites  # the reports locate launch points on the covered nights
    assert sum(aim.mix) == pytest.approx(1.0)


def test_pool_flies_the_reports_share_at_cover_from_sites_in_reach() -> None:
    """The pool's missiles at a covered target, fired within reach, are the reports' share."""
    campaign = load_campaign("h2-2025-patriot")
    aim = ballistic_aim(*build.aim_span(campaign))
    share, total, sites = _covered_in_reach(build.pool_ballistic(campaign, POOL_BALLISTIC))
    assert total == POOL_BALLISTIC
    assert abs(share - aim.covered) <= 1.0 / POOL_BALLISTIC
    assert sites <= set(aim.sites)  # fired from where the reports say, not the defaults
    # the night model's defaults (what the pool flew before): far fewer reach Kyiv (2 of 14)
    default, _, _ = _covered_in_reach(None)
    assert default < aim.covered - 1.0 / POOL_BALLISTIC


def test_pool_for_flies_the_campaign_aim(monkeypatch: pytest.MonkeyPatch) -> None:
    """The campaign's raid pool is built with its own aim (a pool of 14 ballistic missiles)."""
    campaign = load_campaign("h2-2025-patriot")
    plan = build.build_plan(campaign, load_reports(None))
    monkeypatch.setattr(build, "pool_capacity", lambda _: NightComposition(0, 0, POOL_BALLISTIC))
    c = build.pool_for(campaign, plan).compiled
    at = [c.asset_names[c.threat_target[i]] for i in np.flatnonzero(c.threat_ballistic)]
    aim = ballistic_aim(*build.aim_span(campaign))
    assert len(at) == POOL_BALLISTIC
    assert abs(at.count("Kyiv") / len(at) - aim.covered) <= 1.0 / POOL_BALLISTIC
