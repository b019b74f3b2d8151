"""Engine benchmark: a record-size raid, fast vs reference, scaling with replications and threats.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_engine.py [--quick]``). Prints wall times
and ratios measured in this run; nothing is compared against numbers from elsewhere.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from skyshield.engine.draws import draw_replications
from skyshield.engine.fast import simulate_fast
from skyshield.runner.montecarlo import EngineKind, prepare, run_replications
from skyshield.scenario import Scenario

CITIES = [
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
SITES = {
    "kursk": (36.19, 51.73),
    "bryansk": (34.36, 53.25),
    "primorsko-akhtarsk": (38.18, 46.05),
    "hvardiiske": (34.02, 45.11),
    "caspian": (47.0, 46.0),
}
SYSTEMS = (
    ["mobile-fire-group"] * 8
    + ["gepard"] * 2
    + ["interceptor-drone"] * 3
    + [
        "iris-t-slm",
        "nasams",
        "s-300",
        "buk-m1",
        "patriot-gem-t",
        "patriot-pac3-mse",
        "f-16",
    ]
)


def record_raid(
    n_threats: int = 800, n_units: int = 200, hours: float = 10.0, seed: int = 1
) -> Scenario:
    """A synthetic record-size raid: drones, decoys, cruise and ballistic missiles over ``hours``."""
    rng = np.random.default_rng(seed)
    mix = {"shahed-136": 0.6, "gerbera": 0.2, "kh-101": 0.15, "iskander-m": 0.05}
    waves = []
    per_wave = 20
    for w in range(int(np.ceil(n_threats / per_wave))):
        threat = str(rng.choice(list(mix), p=list(mix.values())))
        site = (
            "caspian"
            if threat == "kh-101"
            else (
                "bryansk"
                if threat == "iskander-m"
                else str(rng.choice(["kursk", "primorsko-akhtarsk", "hvardiiske"]))
            )
        )
        targets = (
            ["Kyiv", "Kharkiv", "Poltava"]
            if threat == "iskander-m"
            else list(rng.choice(CITIES, size=2, replace=False))
        )
        count = min(per_wave, n_threats - w * per_wave)
        flight_h = 7.0 if threat in ("shahed-136", "gerbera") else 2.0
        waves.append(
            {
                "threat": threat,
                "count": count,
                "launch_site": site,
                "launch_time_min": float(rng.uniform(0, max(hours - flight_h, 0.5) * 60)),
                "launch_spacing_s": 30.0,
                "launch_jitter_s": 120.0,
                "route_jitter_km": 15.0,
                "route": []
                if threat == "iskander-m"
                else [
                    {"lon_deg": float(rng.uniform(30, 35)), "lat_deg": float(rng.uniform(48, 51))}
                ],
                "targets": [str(t) for t in targets],
            }
        )
    units = [
        {
            "id": f"u{u}",
            "system": SYSTEMS[u % len(SYSTEMS)],
            "nation": "UA",
            "networks": ["ua"],
            "position": {
                "lon_deg": float(rng.uniform(23.5, 36.0)),
                "lat_deg": float(rng.uniform(46.5, 51.5)),
            },
        }
        for u in range(n_units)
    ]
    return Scenario.model_validate(
        {
            "name": f"record-{n_threats}x{n_units}",
            "nations": {"UA": {}},
            "assets": {c: {"city": c, "country": "UA"} for c in CITIES},
            "networks": {"ua": {}},
            "sensors": [
                {
                    "id": f"ew{i}",
                    "nation": "UA",
                    "position": {"lon_deg": lon, "lat_deg": lat},
                    "radar_range_km": 300,
                    "reference_rcs_m2": 1,
                    "height_m": 20,
                    "networks": ["ua"],
                }
                for i, (lon, lat) in enumerate(
                    [
                        (31.3, 51.5),
                        (34.5, 49.6),
                        (32.0, 46.9),
                        (28.5, 49.2),
                        (25.3, 50.6),
                        (36.0, 48.5),
                    ]
                )
            ],
            "fire_units": units,
            "raid": {
                "launch_sites": {k: {"lon_deg": v[0], "lat_deg": v[1]} for k, v in SITES.items()},
                "waves": waves,
            },
            "monte_carlo": {"replications": 1000, "seed": 7, "route_realizations": 4},
        }
    )


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label:<58s} {elapsed:8.2f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    quick = parser.parse_args().quick
    reps = 200 if quick else 1000
    n_threats = 200 if quick else 800
    n_units = 50 if quick else 200

    print(f"== record raid: {n_threats} threats, {n_units} fire units, 10 h, {reps} replications")
    scenario = record_raid(n_threats, n_units)
    small = record_raid(40, 10)
    run_replications(small, replications=2)  # numba compilation, not timed
    (compiled, geometry), _ = timed("geometry (4 route realizations)", prepare, scenario, 7)
    print(f"   windows per realization: {[w.n_windows for w in geometry.windows]}")
    _, t_1 = timed(
        f"full run, {reps} reps, 1 worker (geometry + MC + tables)",
        run_replications,
        scenario,
        replications=reps,
        workers=1,
    )
    _, t_2 = timed(
        f"full run, {reps} reps, 2 workers",
        run_replications,
        scenario,
        replications=reps,
        workers=2,
    )
    draws = draw_replications(compiled, 7, np.arange(reps), geometry.n_realizations)
    _, t_kernel = timed(f"event loop only, {reps} reps", simulate_fast, compiled, geometry, draws)
    print(
        f"   2 workers / 1 worker speed-up: {t_1 / t_2:.2f}x; event loop share of 1-worker run: {t_kernel / t_1:.0%}"
    )

    print("== scaling (event loop, same geometry)")
    base = None
    for r in (reps // 4, reps // 2, reps):
        d = draw_replications(compiled, 7, np.arange(r), geometry.n_realizations)
        _, t = timed(f"  {r} replications", simulate_fast, compiled, geometry, d)
        base = base or t
        print(f"     ratio to {reps // 4}: {t / base:.2f}")
    base = None
    for n in (n_threats // 4, n_threats // 2, n_threats):
        sc = record_raid(n, n_units)
        c, g = prepare(sc, 7)
        d = draw_replications(c, 7, np.arange(reps // 4), g.n_realizations)
        _, t = timed(f"  {n} threats, {reps // 4} reps (event loop)", simulate_fast, c, g, d)
        base = base or t
        print(
            f"     ratio to {n_threats // 4} threats: {t / base:.2f}; windows: {sum(w.n_windows for w in g.windows)}"
        )

    print("== fast vs reference engine, whole run (geometry included), 40 threats, 10 units")
    ref, t_ref = timed(
        "  reference engine, 2 reps",
        run_replications,
        small,
        replications=2,
        engine=EngineKind.REFERENCE,
    )
    fast, t_fast2 = timed("  fast engine, 2 reps", run_replications, small, replications=2)
    _, t_fast400 = timed("  fast engine, 400 reps", run_replications, small, replications=400)
    same = ref.outcomes.threats.equals(fast.outcomes.threats) and ref.outcomes.shots.equals(
        fast.outcomes.shots
    )
    print(
        f"   same 2 reps: fast/reference speed ratio {t_ref / t_fast2:.0f}x; identical tables: {same}"
    )
    print(
        f"   per replication, fast amortised over 400 reps: {(t_ref / 2) / (t_fast400 / 400):.0f}x"
    )


if __name__ == "__main__":
    main()
