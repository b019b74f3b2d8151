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
        "monte_carlo": {"replications": 100, "seed": seed, "route_realizations": 1},
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
            _unit("pl-patriot", "patriot-gem-t", "PL", 22.9, 50.2, stock=6),
            _unit("pl-gepard", "gepard", "PL", 23.5, 50.3),
            _unit("ua-iris", "iris-t-slm", "UA", 24.3, 49.9, stock=4, engages=["cruise"]),
            _unit("ua-nasams", "nasams", "UA", 25.2, 50.7, stock=3),
            _unit("ua-mfg", "mobile-fire-group", "UA", 24.2, 49.72),
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
        "monte_carlo": {"replications": 20, "seed": 7, "route_realizations": 2},
    }


def drone_swarm() -> dict[str, Any]:
    """Shaheds and Gerbera decoys on Kyiv (10% EW losses each) against guns and drones."""
    return {
        "name": "swarm",
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
        "monte_carlo": {"replications": 20, "seed": 11, "route_realizations": 2},
    }
