"""Write the policy example scenarios from the hand-written bases.

The bases are ``default.yaml`` (raid on Kyiv and Lviv) and ``western-raid.yaml`` (raid on
western Ukraine), both written by hand with comments. Every policy variant is a base raid and
Ukrainian defence, unchanged, plus allied nations, units, sensors and rules, so that
``skyshield compare`` can pair them (common random numbers). Run after editing a base:

    .venv/bin/python scripts/build_scenarios.py

``tests/scenario/test_examples.py`` fails when the shipped files differ from what this writes.
ALL ALLIED POSITIONS AND STOCKS ARE NOTIONAL; ROE PARAMETERS ARE ASSUMPTIONS (see comments).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from skyshield.scenario.notional import UA_EARLY_WARNING_SPOTS, city_ew_zones, early_warning_radar

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "skyshield" / "scenario" / "examples"


# Allied Patriot and NASAMS interceptors are kept for missiles (as Ukraine's in the bases);
# Gepards and Narew (CAMM) also take drones.
MISSILE_DEFENCE = {"patriot-gem-t", "patriot-pac3-mse", "nasams"}


def _unit(
    uid: str,
    system: str,
    nation: str,
    lon: float,
    lat: float,
    networks: list[str],
    azimuth_deg: float | None = None,
) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": uid, "system": system}
    if system in MISSILE_DEFENCE:
        unit["engages"] = ["cruise", "supersonic", "ballistic"]
    unit |= {
        "nation": nation,
        "position": {"lon_deg": lon, "lat_deg": lat},
        "networks": networks,
        "label": "notional position",
    }
    if azimuth_deg is not None:  # sector radars (Patriot) face the expected threat axis
        unit["radar_azimuth_deg"] = azimuth_deg
    return unit


def _allies(networks: dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Notional allied fire units and radars near the Ukrainian border; ``networks`` per nation."""
    pl, ro, sk, hu = networks["PL"], networks["RO"], networks["SK"], networks["HU"]
    units = [
        # Poland: Wisła (Patriot) and Narew (CAMM) in the south-east, near the border.
        _unit("pl-wisla-hrubieszow", "patriot-gem-t", "PL", 23.85, 50.80, pl, azimuth_deg=100),
        _unit("pl-wisla-przemysl", "patriot-pac3-mse", "PL", 22.80, 49.78, pl, azimuth_deg=80),
        _unit("pl-narew-lubaczow", "narew-camm", "PL", 23.12, 50.16, pl),
        _unit("pl-narew-chelm", "narew-camm", "PL", 23.47, 51.13, pl),
        # Romania: a Patriot near Suceava and Gepards on the Danube.
        _unit("ro-patriot-suceava", "patriot-pac3-mse", "RO", 26.25, 47.65, ro, azimuth_deg=45),
        _unit("ro-gepard-galati", "gepard", "RO", 28.05, 45.43, ro),
        _unit("ro-gepard-tulcea", "gepard", "RO", 28.80, 45.18, ro),
        # Slovakia and Hungary: NASAMS-class units near the border (notional).
        _unit("sk-nasams-michalovce", "nasams", "SK", 21.92, 48.75, sk),
        _unit("hu-nasams-nyiregyhaza", "nasams", "HU", 21.72, 47.95, hu),
    ]
    radars = [
        early_warning_radar("pl-ew-lublin", "PL", 22.90, 51.00, pl),
        early_warning_radar("ro-ew-iasi", "RO", 27.50, 47.20, ro),
        early_warning_radar("sk-ew-kosice", "SK", 21.30, 48.70, sk),
        early_warning_radar("hu-ew-debrecen", "HU", 21.60, 47.50, hu),
    ]
    return units, radars


def _nation(name: str, roe: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "alliances": ["NATO"], "roe": roe}


OWN_ONLY = {"zone": {"kind": "own"}}

# poland-100km: the July 2024 PL-UA agreement spoke of intercepting missiles and drones over
# Ukraine that head for Poland; it gave no depth or delay: 100 km and a 3-minute national
# authorization are notional values of this scenario.
# The 100 km heading horizon (how far ahead a course must reach Poland) is an assumption.
POLAND_100KM = {
    "zone": {"kind": "buffer", "buffer_km": 100, "into": ["UA"]},
    "must_head_to_own_territory": True,
    "heading_horizon_km": 100,
    "authorization_delay_s": 180,
}

# neighbours-buffer: each neighbour with its own depth, classes, delay and cap. All are
# assumptions for illustration, ordered by stated political willingness: Poland (2024 pact),
# Romania (2025-02-26 shoot-down law, own airspace; modest buffer here), Slovakia and Hungary
# (no stated intent; small buffers, long consultations, tight caps).
NEIGHBOURS = {
    "PL": ("Poland", POLAND_100KM),
    "RO": (
        "Romania",
        {
            "zone": {"kind": "buffer", "buffer_km": 30, "into": ["UA"]},
            "classes": ["drone", "decoy", "cruise"],
            "must_head_to_own_territory": True,
            "heading_horizon_km": 50,
            "authorization_delay_s": 300,
            "max_engagements_outside_own_airspace": 4,
        },
    ),
    "SK": (
        "Slovakia",
        {
            "zone": {"kind": "buffer", "buffer_km": 25, "into": ["UA"]},
            "classes": ["cruise", "drone"],
            "must_head_to_own_territory": True,
            "heading_horizon_km": 50,
            "authorization_delay_s": 300,
            "max_engagements_outside_own_airspace": 2,
        },
    ),
    "HU": (
        "Hungary",
        {
            "zone": {"kind": "buffer", "buffer_km": 20, "into": ["UA"]},
            "classes": ["cruise"],
            "must_head_to_own_territory": True,
            "heading_horizon_km": 50,
            "authorization_delay_s": 600,
            "max_engagements_outside_own_airspace": 1,
        },
    ),
}


def variant(
    base: dict[str, Any],
    name: str,
    description: str,
    nations: dict[str, tuple[str, dict[str, Any]]],
    shared: bool,
) -> dict[str, Any]:
    """``base`` plus allied nations with the given rules; ``shared``: allied radars feed UA."""
    out = copy.deepcopy(base)
    out["name"] = name
    out["description"] = description
    all_allies = {"PL": "Poland", "RO": "Romania", "SK": "Slovakia", "HU": "Hungary"}
    present = {code: nations.get(code, (all_allies[code], OWN_ONLY)) for code in all_allies}
    nets = {code: [code.lower(), "ua"] if shared else [code.lower()] for code in present}
    units, radars = _allies(nets)
    keep = [code for code in present if shared or code in nations]  # in a fixed order
    out["nations"].update(
        {code: _nation(n, copy.deepcopy(roe)) for code, (n, roe) in present.items() if code in keep}
    )
    out["networks"].update(
        {code.lower(): {"description": f"{present[code][0]} national air picture"} for code in keep}
    )
    out["fire_units"] += [u for u in units if u["nation"] in keep]
    out["sensors"] += [r for r in radars if r["nation"] in keep]
    return out


def header(name: str, base: str) -> str:
    return (
        f"# {name}: generated by scripts/build_scenarios.py from {base}.yaml; edit the generator,\n"
        "# not this file. Allied positions, stocks and radars are NOTIONAL; allied rules of\n"
        "# engagement are assumptions documented in the generator.\n"
    )


def scenarios() -> dict[str, tuple[str, dict[str, Any]]]:
    """File stem -> (base name, scenario dict) of every generated example."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for base_name, prefix, raid in (
        ("default", "", "the default raid"),
        ("western-raid", "western-raid-", "the western raid"),
    ):
        base = yaml.safe_load((EXAMPLES / f"{base_name}.yaml").read_text(encoding="utf-8"))
        if not prefix:
            baseline = copy.deepcopy(base)
            baseline["name"] = "baseline"
            baseline["description"] = (
                "Ukraine defends alone against the default raid (same as `default`)."
            )
            out["baseline"] = (base_name, baseline)
        out[f"{prefix}poland-100km"] = (
            base_name,
            variant(
                base,
                f"{prefix}poland-100km",
                f"{raid}; Poland may engage up to 100 km inside Ukraine, only threats heading "
                "for Poland, after a 3-minute authorization.",
                {"PL": NEIGHBOURS["PL"]},
                shared=False,
            ),
        )
        out[f"{prefix}neighbours-buffer"] = (
            base_name,
            variant(
                base,
                f"{prefix}neighbours-buffer",
                f"{raid}; Poland, Romania, Slovakia and Hungary each engage over Ukraine within "
                "their own buffer, classes, delay and cap (assumptions).",
                NEIGHBOURS,
                shared=False,
            ),
        )
        out[f"{prefix}shared-tracks"] = (
            base_name,
            variant(
                base,
                f"{prefix}shared-tracks",
                f"{raid}; allied radars share tracks with Ukraine; allies fire only over their "
                "own territory.",
                {},
                shared=True,
            ),
        )
    return out


class _NoAliasDumper(yaml.SafeDumper):
    """Writes repeated objects out in full: skyshield's loader refuses anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True, width=100)


def render(stem: str) -> str:
    base_name, data = scenarios()[stem]
    return header(stem, base_name) + _dump(data)


# record-raid: the benchmark anyone can repeat (`skyshield run record-raid -n 1000 --workers 2`).
# A notional raid larger than any night in the shipped reports (their peak: 538 launched on
# 2025-06-29): 800 drones and missiles over 10 h against 200 notional fire units.
RECORD_CITIES = [
    "Kyiv",
    "Lviv",
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Zaporizhzhya",
    "Vinnytsya",
    "Rivne",
    "Lutsk",
    "Poltava",
]
RECORD_SITES = {
    "kursk": (36.19, 51.73),
    "bryansk": (34.36, 53.25),
    "primorsko-akhtarsk": (38.18, 46.05),
    "hvardiiske": (34.02, 45.11),
    "caspian": (47.0, 46.0),
}
RECORD_SYSTEMS = [
    *["mobile-fire-group"] * 8,
    *["gepard"] * 2,
    *["interceptor-drone"] * 3,
    "iris-t-slm",
    "nasams",
    "s-300",
    "buk-m1",
    "patriot-gem-t",
    "patriot-pac3-mse",
    "f-16",
]
RECORD_MIX = {"shahed-136": 0.6, "gerbera": 0.2, "kh-101": 0.15, "iskander-m": 0.05}


def _inside_ukraine(rng: np.random.Generator) -> tuple[float, float]:
    """A uniformly drawn point of Ukraine's territory (rejection from its bounding box)."""
    from skyshield.geo.borders import nation_index
    from skyshield.geo.territory import territory_codes

    ua = nation_index("UA")
    while True:
        lon, lat = float(rng.uniform(23.5, 36.0)), float(rng.uniform(46.5, 51.5))
        if int(territory_codes(np.array([lon]), np.array([lat]))[0]) == ua:
            return round(lon, 3), round(lat, 3)


def _reachable(threat: str, site: tuple[float, float], waypoint: tuple[float, float]) -> list[str]:
    """Record-raid cities within 85% of the threat's range via the waypoint (route jitter)."""
    from skyshield.catalog import load_catalog
    from skyshield.geo.cities import find_city
    from skyshield.geo.geodesy import geodesic_distance_m

    range_m = load_catalog().threat(threat).range_m
    out = []
    for name in RECORD_CITIES:
        city = find_city(name, "UA")
        legs = geodesic_distance_m(
            [site[0], waypoint[0]],
            [site[1], waypoint[1]],
            [waypoint[0], city.lon_deg],
            [waypoint[1], city.lat_deg],
        )
        if float(np.sum(legs)) <= 0.85 * range_m:
            out.append(name)
    return out


def record_raid(n_threats: int = 800, n_units: int = 200, hours: float = 10.0) -> dict[str, Any]:
    """The record-raid scenario dict: waves of 20 over ``hours``, fire units all over Ukraine."""

    rng = np.random.default_rng(1)
    waves = []
    per_wave = 20
    for w in range(int(np.ceil(n_threats / per_wave))):
        threat = str(rng.choice(list(RECORD_MIX), p=list(RECORD_MIX.values())))
        if threat == "kh-101":
            site = "caspian"
        elif threat == "iskander-m":
            site = "bryansk"
        else:
            site = str(rng.choice(["kursk", "primorsko-akhtarsk", "hvardiiske"]))
        waypoint = (float(rng.uniform(30, 35)), float(rng.uniform(48, 51)))
        if threat == "iskander-m":
            targets = ["Kyiv", "Kharkiv", "Poltava"]
        else:
            reachable = _reachable(threat, RECORD_SITES[site], waypoint)
            if len(reachable) < 2:  # too far a detour: fly straight
                waypoint = RECORD_SITES[site]
                reachable = _reachable(threat, RECORD_SITES[site], waypoint)
            targets = [str(t) for t in rng.choice(reachable, size=2, replace=False)]
        flight_h = 7.0 if threat in ("shahed-136", "gerbera") else 2.0
        wave: dict[str, Any] = {
            "threat": threat,
            "count": min(per_wave, n_threats - w * per_wave),
            "launch_site": site,
            "launch_time_min": round(float(rng.uniform(0, max(hours - flight_h, 0.5) * 60)), 1),
            "launch_spacing_s": 30.0,
            "launch_jitter_s": 120.0,
            "route_jitter_km": 15.0,
        }
        if threat != "iskander-m" and waypoint != RECORD_SITES[site]:
            wave["route"] = [{"lon_deg": round(waypoint[0], 2), "lat_deg": round(waypoint[1], 2)}]
        wave["targets"] = targets
        waves.append(wave)
    units = []
    for u in range(n_units):
        system = RECORD_SYSTEMS[u % len(RECORD_SYSTEMS)]
        lon, lat = _inside_ukraine(rng)
        unit = _unit(f"ua-{u:03d}-{system}", system, "UA", lon, lat, ["ua"])
        if system.startswith("patriot"):
            unit["radar_azimuth_deg"] = 60.0  # sector radars face the north-east threat axis
        units.append(unit)
    sensors = [
        early_warning_radar(f"ua-ew-{i}", "UA", lon, lat, ["ua"])
        for i, (lon, lat) in enumerate(UA_EARLY_WARNING_SPOTS)
    ]
    return {
        "name": "record-raid",
        "description": (
            f"Benchmark: {n_threats} drones, decoys, cruise and ballistic missiles over "
            f"{hours:g} h against {n_units} notional Ukrainian fire units."
        ),
        "notional": True,
        "nations": {"UA": {"name": "Ukraine", "roe": OWN_ONLY}},
        "assets": {c: {"city": c, "country": "UA"} for c in RECORD_CITIES},
        "networks": {"ua": {"description": "Ukrainian national air picture"}},
        "sensors": sensors,
        # EW discs around every target city (notional)
        "ew_zones": city_ew_zones(RECORD_CITIES),
        "fire_units": units,
        "raid": {
            "launch_sites": {
                k: {"lon_deg": v[0], "lat_deg": v[1]} for k, v in RECORD_SITES.items()
            },
            "waves": waves,
        },
        # 16 route sets keep a 1,000-night benchmark within minutes (about 4 s of geometry per
        # route set on one core); intervals are cluster-robust over route sets.
        "monte_carlo": {"replications": 1000, "seed": 7, "route_sets": 16},
    }


def render_record_raid() -> str:
    return (
        "# record-raid: generated by scripts/build_scenarios.py (record_raid); edit the\n"
        "# generator, not this file. A NOTIONAL benchmark raid: every position, stock and wave\n"
        "# is synthetic.\n"
    ) + _dump(record_raid())


def main() -> None:
    for stem in scenarios():
        (EXAMPLES / f"{stem}.yaml").write_text(render(stem), encoding="utf-8")
        print(f"wrote {stem}.yaml")
    (EXAMPLES / "record-raid.yaml").write_text(render_record_raid(), encoding="utf-8")
    print("wrote record-raid.yaml")


if __name__ == "__main__":
    main()
