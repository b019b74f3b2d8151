"""Small scenarios for engine tests, built as dicts and validated as :class:`Scenario`."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from skyshield.catalog import ThreatClass
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import ReplicationDraws, draw_replications
from skyshield.engine.fast import simulate_fast
from skyshield.engine.geometry import RaidGeometry, build_geometry
from skyshield.engine.outcomes import Outcomes, RawOutcomes, tabulate
from skyshield.scenario import Scenario

LAUNCH = {"lon_deg": 33.0, "lat_deg": 50.0}  # east of Kyiv, in Ukraine
ON_ROUTE_NEAR_KYIV = {"lon_deg": 31.1, "lat_deg": 50.36}  # ~45 km short of Kyiv on the route


def one_on_one(
    *,
    system: str = "iris-t-slm",
    threat: str = "kh-101",
    count: int = 1,
    stock: int | None = None,
    unit_position: dict[str, float] | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    """One unit, one wave flying straight from LAUNCH to Kyiv, tracked from launch.

    The stand-alone sensor sits at 10 km height with a 1,000 km range, so its radar horizon
    (4.12 km (√10000 + √100) ≈ 453 km) and range cover the whole ~180 km flight.
    """
    unit: dict[str, Any] = {
        "id": "unit-1",
        "system": system,
        "nation": "UA",
        "position": unit_position or ON_ROUTE_NEAR_KYIV,
        "networks": ["ua"],
        "radar_azimuth_deg": 100,  # towards LAUNCH, for sector radars (Patriot)
    }
    if stock is not None:
        unit["stock"] = stock
    return {
        "name": "one-on-one",
        "nations": {"UA": {"name": "Ukraine"}},
        "assets": {"Kyiv": {"city": "Kyiv", "country": "UA", "value": 10}},
        "networks": {"ua": {}},
        "sensors": [
            {
                "id": "big-eye",
                "nation": "UA",
                "position": {"lon_deg": 31.5, "lat_deg": 50.2},
                "radar_range_km": 1000,
                "reference_rcs_m2": 1,
                "height_m": 10000,
                "networks": ["ua"],
            }
        ],
        "fire_units": [unit],
        "raid": {
            "launch_sites": {"east": LAUNCH},
            "waves": [
                {
                    "threat": threat,
                    "count": count,
                    "launch_site": "east",
                    "launch_spacing_s": 60,
                    "launch_jitter_s": 0,
                    "route_jitter_km": 0,
                    "targets": ["Kyiv"],
                }
            ],
        },
        "monte_carlo": {"replications": 100, "seed": seed, "route_sets": 1},
    }


def scenario(d: dict[str, Any]) -> Scenario:
    """Validate a scenario dict."""
    return Scenario.model_validate(d)


def with_pk(compiled: CompiledScenario, cls: ThreatClass, pk: float) -> CompiledScenario:
    """The compiled scenario with every unit's single-round Pk against ``cls`` set to ``pk``."""
    unit_pk = np.array(compiled.unit_pk)
    unit_pk[:, cls.position] = pk
    return dataclasses.replace(compiled, unit_pk=readonly(unit_pk))


@dataclasses.dataclass(frozen=True)
class Prepared:
    """A compiled scenario with its geometry and the draws of replications 0..n-1."""

    compiled: CompiledScenario
    geometry: RaidGeometry
    draws: ReplicationDraws

    def fast(self) -> RawOutcomes:
        return simulate_fast(self.compiled, self.geometry, self.draws)

    def tables(self, raw: RawOutcomes) -> Outcomes:
        return tabulate(self.compiled, self.geometry, raw)


def prepare(compiled: CompiledScenario, *, seed: int, n_reps: int, n_real: int = 1) -> Prepared:
    """Geometry and draws for ``n_reps`` replications from ``seed``."""
    geometry = build_geometry(compiled, seed, n_real)
    draws = draw_replications(compiled, seed, np.arange(n_reps), n_real)
    return Prepared(compiled, geometry, draws)


def _unit(uid: str, system: str, nation: str, lon: float, lat: float, **kw: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "system": system,
        "nation": nation,
        "position": {"lon_deg": lon, "lat_deg": lat},
        "networks": [nation.lower()],
        **kw,
    }


def coalition() -> dict[str, Any]:
    """Ukraine and Poland defend Lviv and Lutsk; Poland by a 60 km buffer into Ukraine.

    Poland's rules: cruise and drones only, the threat must head for Poland (150 km horizon),
    a 60 s authorization delay after the first track, at most 1 engagement outside Polish
    airspace. Two route realizations with 10 km jitter and 30 s launch jitter.
    """
    return {
        "name": "coalition",
        "nations": {
            "UA": {"name": "Ukraine"},
            "PL": {
                "name": "Poland",
                "alliances": ["NATO"],
                "roe": {
                    "zone": {"kind": "buffer", "buffer_km": 60, "into": ["UA"]},
                    "classes": ["cruise", "drone"],
                    "must_head_to_own_territory": True,
                    "authorization_delay_s": 60,
                    "max_engagements_outside_own_airspace": 1,
                },
            },
        },
        "assets": {
            "Lviv": {"city": "Lviv", "country": "UA", "value": 6},
            "Lutsk": {"city": "Lutsk", "country": "UA", "value": 3},
        },
        "networks": {"ua": {}, "pl": {}},
        "sensors": [
            {
                "id": "ua-eye",
                "nation": "UA",
                "position": {"lon_deg": 25.5, "lat_deg": 50.0},
                "radar_range_km": 400,
                "reference_rcs_m2": 1,
                "height_m": 3000,
                "networks": ["ua"],
            },
            {
                "id": "pl-eye",
                "nation": "PL",
                "position": {"lon_deg": 23.0, "lat_deg": 50.6},
                "radar_range_km": 250,
                "reference_rcs_m2": 1,
                "height_m": 500,
                "networks": ["pl"],
            },
        ],
        "fire_units": [
            _unit("pl-patriot", "patriot-gem-t", "PL", 23.2, 50.05, stock=6, radar_azimuth_deg=90),
            _unit("pl-gepard", "gepard", "PL", 23.5, 50.3),
            _unit("ua-iris", "iris-t-slm", "UA", 24.3, 49.9, stock=4, engages=["cruise"]),
            _unit("ua-nasams", "nasams", "UA", 25.2, 50.7, stock=3),
            _unit("ua-mfg", "mobile-fire-group", "UA", 24.2, 49.72),
        ],
        "ew_zones": [  # on the Shaheds' waypoint, so some are lost to EW
            {
                "id": "ua-ew",
                "nation": "UA",
                "position": {"lon_deg": 24.4, "lat_deg": 49.6},
                "radius_km": 40,
                "strength": 3,
            }
        ],
        "raid": {
            "launch_sites": {
                "air": {"lon_deg": 27.5, "lat_deg": 50.3},
                "south": {"lon_deg": 25.8, "lat_deg": 49.2},
            },
            "waves": [
                {
                    "threat": "kh-101",
                    "count": 3,
                    "launch_site": "air",
                    "launch_spacing_s": 40,
                    "launch_jitter_s": 30,
                    "route": [{"lon_deg": 24.6, "lat_deg": 50.5}],
                    "route_jitter_km": 10,
                    "targets": ["Lviv", "Lutsk"],
                },
                {
                    "threat": "shahed-136",
                    "count": 3,
                    "launch_site": "south",
                    "launch_spacing_s": 60,
                    "launch_jitter_s": 30,
                    "route": [{"lon_deg": 24.4, "lat_deg": 49.6}],
                    "route_jitter_km": 10,
                    "targets": ["Lviv"],
                },
            ],
        },
        "monte_carlo": {"replications": 20, "seed": 7, "route_sets": 2},
    }


def drone_swarm() -> dict[str, Any]:
    """Shaheds and Gerbera decoys on Kyiv, through an EW zone around it, against guns and drones."""
    return {
        "name": "swarm",
        "ew_zones": [
            {
                "id": "kyiv-ew",
                "nation": "UA",
                "position": {"lon_deg": 30.6, "lat_deg": 50.45},
                "radius_km": 30,
            }
        ],
        "nations": {"UA": {"name": "Ukraine"}},
        "assets": {"Kyiv": {"city": "Kyiv", "country": "UA", "value": 10}},
        "networks": {"ua": {}},
        "sensors": [
            {
                "id": "ua-eye",
                "nation": "UA",
                "position": {"lon_deg": 31.0, "lat_deg": 50.3},
                "radar_range_km": 300,
                "reference_rcs_m2": 1,
                "height_m": 2000,
                "networks": ["ua"],
            }
        ],
        "fire_units": [
            _unit("gepard", "gepard", "UA", 30.9, 50.42),
            _unit("mfg-1", "mobile-fire-group", "UA", 30.75, 50.44),
            _unit("mfg-2", "mobile-fire-group", "UA", 30.65, 50.45),
            _unit("drones", "interceptor-drone", "UA", 31.1, 50.4, stock=5),
        ],
        "raid": {
            "launch_sites": {"east": {"lon_deg": 31.9, "lat_deg": 50.3}},
            "waves": [
                {
                    "threat": "shahed-136",
                    "count": 5,
                    "launch_site": "east",
                    "launch_spacing_s": 20,
                    "launch_jitter_s": 60,
                    "route_jitter_km": 5,
                    "route": [{"lon_deg": 31.3, "lat_deg": 50.45}],
                    "targets": ["Kyiv"],
                },
                {
                    "threat": "gerbera",
                    "count": 3,
                    "launch_site": "east",
                    "launch_spacing_s": 20,
                    "launch_jitter_s": 60,
                    "route_jitter_km": 5,
                    "route": [{"lon_deg": 31.3, "lat_deg": 50.45}],
                    "targets": ["Kyiv"],
                },
            ],
        },
        "monte_carlo": {"replications": 20, "seed": 11, "route_sets": 2},
    }


def _one_nation_pair(
    nation_roe: dict[str, Any],
    units: list[dict[str, Any]],
    waves: list[dict[str, Any]],
    assets: dict[str, Any],
    *,
    seed: int = 3,
) -> dict[str, Any]:
    """Ukraine plus Poland under ``nation_roe``; one all-seeing sensor on both networks."""
    return {
        "name": "rule",
        "nations": {
            "UA": {"name": "Ukraine"},
            "PL": {"name": "Poland", "alliances": ["NATO"], "roe": nation_roe},
        },
        "assets": assets,
        "networks": {"ua": {}, "pl": {}},
        "sensors": [
            {
                "id": "eye",
                "nation": "PL",
                "position": {"lon_deg": 23.5, "lat_deg": 50.0},
                "radar_range_km": 1000,
                "reference_rcs_m2": 1,
                "height_m": 10000,
                "networks": ["ua", "pl"],
            }
        ],
        "fire_units": units,
        "raid": {
            "launch_sites": {
                "lviv-east": {"lon_deg": 24.6, "lat_deg": 49.9},
                "east": {"lon_deg": 26.5, "lat_deg": 50.1},
            },
            "waves": waves,
        },
        "monte_carlo": {"replications": 10, "seed": seed, "route_sets": 1},
    }


def _wave(threat: str, site: str, targets: list[str], count: int = 1, **kw: Any) -> dict[str, Any]:
    return {
        "threat": threat,
        "count": count,
        "launch_site": site,
        "launch_spacing_s": 30,
        "launch_jitter_s": 0,
        "route_jitter_km": 0,
        "targets": targets,
        **kw,
    }


_RZESZOW = {"Rzeszow": {"city": "Rzeszow", "country": "PL", "value": 5}}


def cap_entry() -> dict[str, Any]:
    """Kh-101s from near Lviv into Poland (Rzeszów) against a Polish GEM-T, cap 0 outside.

    Poland may engage 100 km into Ukraine, but no engagement at all outside its own airspace:
    every shot must intercept over Poland. (The first engine skipped the step where the
    intercept point crossed into Poland and fired nothing.)
    """
    return _one_nation_pair(
        {
            "zone": {"kind": "buffer", "buffer_km": 100, "into": ["UA"]},
            "max_engagements_outside_own_airspace": 0,
        },
        [_unit("pl-gemt", "patriot-gem-t", "PL", 22.2, 50.0, radar_azimuth_deg=90)],
        [_wave("kh-101", "lviv-east", ["Rzeszow"], count=3)],
        _RZESZOW,
    )


def polygon_zone() -> dict[str, Any]:
    """Poland may engage inside an explicit polygon over Ukraine west of 24.3° E."""
    polygon = [
        {"lon_deg": 22.0, "lat_deg": 49.0},
        {"lon_deg": 24.3, "lat_deg": 49.0},
        {"lon_deg": 24.3, "lat_deg": 51.0},
        {"lon_deg": 22.0, "lat_deg": 51.0},
    ]
    return _one_nation_pair(
        {"zone": {"kind": "polygon", "polygon": polygon}},
        [_unit("pl-iris", "iris-t-slm", "PL", 23.9, 50.3)],
        [_wave("kh-101", "east", ["Rzeszow"], count=3)],
        _RZESZOW,
    )


def heading_rule() -> dict[str, Any]:
    """Poland engages over Ukraine only threats heading for Poland: one wave towards
    Rzeszów, one along the border towards Lutsk."""
    return _one_nation_pair(
        {
            "zone": {"kind": "buffer", "buffer_km": 100, "into": ["UA"]},
            "must_head_to_own_territory": True,
            "heading_horizon_km": 100,
        },
        [_unit("pl-iris", "iris-t-slm", "PL", 23.7, 50.2)],
        [
            _wave("kh-101", "east", ["Rzeszow"], count=2),
            _wave("kh-101", "lviv-east", ["Lutsk"], count=2),
        ],
        _RZESZOW | {"Lutsk": {"city": "Lutsk", "country": "UA", "value": 3}},
    )


def populated_rule() -> dict[str, Any]:
    """Ukraine may not intercept over its own populated places (≥ 50,000 within 15 km)."""
    d = _one_nation_pair(
        {"zone": {"kind": "own"}},
        [_unit("ua-iris", "iris-t-slm", "UA", 24.0, 49.85)],
        [_wave("kh-101", "east", ["Lviv"], count=3)],
        {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}},
    )
    d["nations"]["UA"]["roe"] = {
        "zone": {"kind": "own"},
        "no_intercept_over_own_populated_area": True,
        "populated_min_population": 50000,
        "populated_radius_km": 15,
    }
    return d


def reloads() -> dict[str, Any]:
    """A NASAMS with more stock than one load (3 launchers × 6) against 60 Shaheds, 1 a minute.

    The stream outlasts one load plus the 20-minute reload, so every night spends all 26 rounds.
    """
    return _one_nation_pair(
        {"zone": {"kind": "own"}},
        [_unit("ua-nasams", "nasams", "UA", 24.3, 49.9, stock=26)],
        [_wave("shahed-136", "east", ["Lviv"], count=60, launch_spacing_s=60)],
        {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}},
    )


def sector_radar(azimuth_deg: float) -> dict[str, Any]:
    """A Ukrainian PAC-3 battery west of Lviv whose sector radar faces ``azimuth_deg``."""
    return _one_nation_pair(
        {"zone": {"kind": "own"}},
        [_unit("ua-pac3", "patriot-pac3-mse", "UA", 23.7, 49.85, radar_azimuth_deg=azimuth_deg)],
        [_wave("kh-101", "east", ["Lviv"], count=3)],
        {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}},
    )


def decoys() -> dict[str, Any]:
    """An IRIS-T tasked against drones only, 6 Gerbera decoys and 2 Shaheds on Lviv.

    Decoys 2 minutes apart so the unit is never saturated: it fires at a decoy exactly when it
    does not recognise it (catalog discrimination 0.2 for radar-guided systems).
    """
    return _one_nation_pair(
        {"zone": {"kind": "own"}},
        [
            _unit(
                "ua-iris",
                "iris-t-slm",
                "UA",
                24.3,
                49.9,
                stock=40,
                engages=["drone"],
                networks=["ua"],
            )
        ],
        [
            _wave("gerbera", "east", ["Lviv"], count=6, launch_spacing_s=120),
            _wave("shahed-136", "east", ["Lviv"], count=2, launch_spacing_s=120),
        ],
        {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}},
    )


def reserves(reserve: int = 4) -> dict[str, Any]:
    """A PAC-3 battery with 6 rounds, ``reserve`` held for ballistic missiles; 4 Kh-101 on Lviv,
    then 2 Iskander-M 20 minutes later."""
    unit = _unit("ua-pac3", "patriot-pac3-mse", "UA", 23.9, 49.8, stock=6, radar_azimuth_deg=90)
    if reserve:
        unit["reserve_for"] = {"ballistic": reserve}
    return _one_nation_pair(
        {"zone": {"kind": "own"}},
        [unit],
        [
            _wave("kh-101", "east", ["Lviv"], count=4, launch_spacing_s=60),
            _wave("iskander-m", "east", ["Lviv"], count=2, launch_time_min=20, launch_spacing_s=60),
        ],
        {"Lviv": {"city": "Lviv", "country": "UA", "value": 6}},
    )
