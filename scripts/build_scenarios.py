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

import yaml

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


def _radar(uid: str, nation: str, lon: float, lat: float, networks: list[str]) -> dict[str, Any]:
    # Notional early-warning radar: 300 km against 1 m² from a 30 m mast (assumption).
    return {
        "id": uid,
        "nation": nation,
        "position": {"lon_deg": lon, "lat_deg": lat},
        "radar_range_km": 300,
        "reference_rcs_m2": 1,
        "height_m": 30,
        "networks": networks,
        "label": "notional position",
    }


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
        _radar("pl-ew-lublin", "PL", 22.90, 51.00, pl),
        _radar("ro-ew-iasi", "RO", 27.50, 47.20, ro),
        _radar("sk-ew-kosice", "SK", 21.30, 48.70, sk),
        _radar("hu-ew-debrecen", "HU", 21.60, 47.50, hu),
    ]
    return units, radars


def _nation(name: str, roe: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "alliances": ["NATO"], "roe": roe}


OWN_ONLY = {"zone": {"kind": "own"}}

# poland-100km: the July 2024 PL-UA agreement spoke of intercepting missiles and drones over
# Ukraine that head for Poland; 100 km depth, 3-minute national authorization (DESIGN.md).
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


def render(stem: str) -> str:
    base_name, data = scenarios()[stem]
    return header(stem, base_name) + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )


def main() -> None:
    for stem in scenarios():
        (EXAMPLES / f"{stem}.yaml").write_text(render(stem), encoding="utf-8")
        print(f"wrote {stem}.yaml")


if __name__ == "__main__":
    main()
