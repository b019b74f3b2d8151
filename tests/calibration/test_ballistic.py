"""Issue 23, ballistic missiles: fired from where they reach their target, the emulator's reach
feature (range and the Patriot's sector), and where an unnamed salvo was aimed (fitted)."""

from __future__ import annotations

from datetime import date

import numpy as np

from skyshield.calibration.aim import aim_unnamed, fit_aim
from skyshield.calibration.fit import NightData
from skyshield.calibration.model import NightEngine
from skyshield.calibration.surrogate import design_geographies
from skyshield.posture import NightComposition, night_scenario
from skyshield.posture.geography import (
    GEOGRAPHY_FEATURES,
    NightGeography,
    geography_features,
    night_geographies,
)

KYIV = ("Kyiv", 30.52, 50.45)
BRYANSK = (34.36, 53.25)  # ~410 km from Kyiv, north-east: in front of the radar
VORONEZH = (39.2, 51.67)  # ~620 km: beyond the Iskander-M's 500 km
CRIMEA = (34.1, 45.0)  # ~650 km, south: out of the Iskander-M's range, not the Kinzhal's
TAMBOV = (41.45, 52.72)  # ~780 km: no laydown city within the Iskander-M's reach
REACH = GEOGRAPHY_FEATURES.index("reach_ballistic")
COVER = GEOGRAPHY_FEATURES.index("cover_ballistic")


def _kyiv_night(*sites: tuple[float, float]) -> NightGeography:
    return NightGeography(launch={"ballistic": sites}, targets={"ballistic": (KYIV,)})


def test_ballistic_waves__fired_from_the_named_site_that_reaches_the_target() -> None:
    """Kyiv struck by Iskander-M from "Bryansk and Voronezh oblast" (2024-12-20): every
    Iskander-M flies from Bryansk, in reach, at Kyiv; none is fired from Voronezh, ~620 km out,
    where it could only be retargeted at another city. The Kinzhal (2,000 km) keeps both."""
    scenario = night_scenario(
        NightComposition(0, 0, 10), geography=_kyiv_night(BRYANSK, VORONEZH), route_pool=False
    )
    waves = [w for w in scenario.raid.waves if w.threat == "iskander-m"]
    assert sum(w.count for w in waves) == 8
    assert {w.launch_site for w in waves} == {f"report {BRYANSK[0]:.2f} {BRYANSK[1]:.2f}"}
    assert all(tuple(w.targets) == ("Kyiv",) for w in waves)
    kinzhal = [w for w in scenario.raid.waves if w.threat == "kinzhal"]
    assert len({w.launch_site for w in kinzhal}) == 2


def test_reach_ballistic__the_missiles_that_can_get_to_a_covered_target() -> None:
    """All targets covered (cover_ballistic 1) on each night, but reach is 1 from Bryansk (in
    range), 0.2 from Crimea (the Kinzhal: the Iskander-M are retargeted at cities in range) and
    from Tambov (the Iskander-M fly at Kyiv and fall short); the engine's share at a high
    kill probability agrees."""
    composition = NightComposition(0, 0, 5)
    day = np.datetime64("2025-02-12")
    reach = []
    for sites in (BRYANSK, CRIMEA, TAMBOV):
        features = geography_features(_kyiv_night(sites), composition, day)
        assert features[COVER] == 1.0
        reach.append(features[REACH])
    assert reach == [1.0, 0.2, 0.2]
    theta = {
        "pk_drone": 1.0,
        "pk_cruise": 1.0,
        "pk_ballistic": 3.0,
        "ew": 1.0,
        "decoy_share": 0.0,
        "posture_long": 2.0,
        "posture_medium": 1.0,
        "posture_short": 1.0,
        "tasking_beta": 0.0,
        "loss_cruise": 0.0,
        "fail_ballistic": 0.0,
    }
    shares = []
    for sites in (BRYANSK, CRIMEA, TAMBOV):
        engine = NightEngine(composition, route_sets=1, seed=3, geography=_kyiv_night(sites))
        shares.append(engine.simulate(theta, 8, seed=5).destroyed[:, 2].mean() / 5)
    np.testing.assert_allclose(shares, reach, atol=0.1)


def test_fit_aim__recovers_a_known_rise_with_the_salvo() -> None:
    """Covered shares drawn with logit p = -3 + 1.5 ln n: the fit recovers the slope."""
    rng = np.random.default_rng(4)
    launched = rng.integers(1, 20, size=4000).astype(float)
    p = 1.0 / (1.0 + np.exp(-(-3.0 + 1.5 * np.log(launched))))
    fit = fit_aim((rng.random(launched.size) < p).astype(float), launched)
    assert abs(fit.slope - 1.5) < 0.2, fit
    assert abs(fit.intercept + 3.0) < 0.3, fit


def _nights(covered_big: float) -> tuple[NightData, dict[np.datetime64, NightGeography]]:
    """Twelve named nights before 2025-01-01 (small ones not covered, big ones covered), then
    a named night after it with ``covered_big`` and two unnamed nights of 1 and 12 missiles."""
    days = np.arange(np.datetime64("2024-12-01"), np.datetime64("2024-12-13"))
    days = np.concatenate([days, np.array(["2025-01-05", "2025-01-06", "2025-01-07"], "M8[D]")])
    n = np.array([1, 2, 1, 2, 1, 3, 8, 10, 12, 2, 1, 9, 12, 1, 12])
    cover = np.array([0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, covered_big, 0, 0], dtype=float)
    geography = np.zeros((n.size, len(GEOGRAPHY_FEATURES)))
    geography[:, COVER] = cover
    launched = np.column_stack([np.zeros_like(n), np.zeros_like(n), n])
    data = NightData(
        days, launched, np.zeros_like(launched), np.full(launched.shape, np.nan), 0 * n, geography
    )
    named = {d: _kyiv_night(BRYANSK) for d in days[:13]}
    return data, named


def test_aim_unnamed__big_unnamed_salvos_aimed_at_cover_fitted_on_earlier_nights_only() -> None:
    """An unnamed 12-missile night gets a higher covered share than an unnamed one-missile
    night, from the earlier named nights; a named night after the cut-off changes nothing."""
    data, named = _nights(covered_big=1.0)
    out, fit = aim_unnamed(data, named, date(2025, 1, 1))
    assert fit is not None
    assert fit.nights == 12
    small, big = out.geography[-2], out.geography[-1]
    assert big[COVER] > small[COVER] + 0.3, (small[COVER], big[COVER])
    assert big[REACH] == big[COVER]  # from the default areas all reach Kyiv
    np.testing.assert_array_equal(out.geography[:13], data.geography[:13])  # named: unchanged
    later, _ = aim_unnamed(_nights(covered_big=0.0)[0], named, date(2025, 1, 1))
    np.testing.assert_allclose(later.geography[-2:], out.geography[-2:])


def test_ballistic_types__the_nights_own_kinzhal_and_iskander() -> None:
    """The reports' model cells set the night's types: 2024-01-02 (10 "X-47 Kinzhal") flies
    ten Kinzhal, 2024-03-21 (one row "X-47 Kinzhal and Iskander-M/KN-23") one of each; a night
    without its own keeps the fixed 0.8 / 0.2."""
    geographies = night_geographies()
    only = geographies[np.datetime64("2024-01-02")]
    assert only.mix == {"ballistic": (0.0, 10.0)}
    assert geographies[np.datetime64("2024-03-21")].mix == {"ballistic": (1.0, 1.0)}
    for geography, expected in ((only, {"kinzhal": 10}), (None, {"iskander-m": 8, "kinzhal": 2})):
        scenario = night_scenario(NightComposition(0, 0, 10), geography=geography)
        flown: dict[str, int] = {}
        for wave in scenario.raid.waves:
            flown[wave.threat] = flown.get(wave.threat, 0) + wave.count
        assert flown == expected


def test_design_geographies__no_ballistic_launch_point_out_of_every_reach() -> None:
    """The design's drawn ballistic launch points (the reports', Kinzhal carriers' included)
    are kept only where every type reaches a drawn target or a default city: an Iskander-M
    from Tambov would fall short, lost, which no emulator feature reads (the held-out RMSE
    of the ballistic lost share was 0.236 against a spread of 0.243 with such points)."""
    from skyshield.geo import geodesic_distance_m
    from skyshield.posture.laydown import RANGE_MARGIN, TARGETS, city_point

    drawn = [g for g in design_geographies(64, seed=1) if g is not None and "ballistic" in g.launch]
    assert len(drawn) > 20
    cities = [city_point(name) for name in TARGETS["ballistic"]]
    for geography in drawn:
        points = cities + [(x, y) for _, x, y in geography.targets["ballistic"]]
        for lon, lat in geography.launch["ballistic"]:
            nearest = min(float(geodesic_distance_m(lon, lat, x, y)) for x, y in points)
            assert nearest <= RANGE_MARGIN * 500_000.0, (lon, lat)  # Iskander-M: 500 km


def test_reach_ballistic__counts_the_missiles_each_target_is_sent() -> None:
    """Default nights (no place named), by hand: of 10, one Iskander-M of Kursk's 3 and one
    Kinzhal of 2 fly at Kyiv (reach 0.2; counting each wave's list of reachable targets instead
    of its missiles gave 0.075 before session 10); of 30, two of Kursk's 9 and one Kinzhal of 6
    (0.1)."""
    day = np.datetime64("2025-02-12")
    for launched, kursk, kinzhal in ((10, 1, 1), (30, 2, 1)):
        composition = NightComposition(0, 0, launched)
        waves = night_scenario(composition, route_pool=False).raid.waves
        sent = [(w.threat, w.targets[k % len(w.targets)]) for w in waves for k in range(w.count)]
        assert sent.count(("iskander-m", "Kyiv")) == kursk
        assert sent.count(("kinzhal", "Kyiv")) == kinzhal
        reach = geography_features(None, composition, day)[REACH]
        assert reach == (kursk + kinzhal) / launched
