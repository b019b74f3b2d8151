"""Sweep benchmark: a 40-point grid on 1 and 2 local worker processes and on Dask (2 workers).

Run: ``.venv/bin/python bench/bench_sweep.py [--reps N]``. Prints wall times and ratios
measured in this run (2 workers / 1 worker, Dask / 1 worker, each against the dice floor) and
the results store's overhead per point (the 1-worker sweep with and without ``--out``). Every
timed sweep must give the same table, or the script stops: speed bought with different numbers
is no speed-up. Pool and cluster start-up are inside the timings, as a user pays them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from skyshield.runner.design import parse_parameter
from skyshield.runner.sweep import SweepResult, execute_sweep, plan_sweep
from skyshield.scenario import parse_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

# Two Kh-101 and four Shahed-136 at Kyiv against an IRIS-T SLM and a Gepard (tests/tiny.yaml
# with 16 route sets): a point takes about a second, so a 40-point sweep fits a benchmark run.
SCENARIO = """
name: bench-sweep
nations: {UA: {name: Ukraine}}
assets: {Kyiv: {city: Kyiv, country: UA, value: 10}}
networks: {ua: {}}
sensors:
  - {id: eye, nation: UA, position: {lon_deg: 31.5, lat_deg: 50.2}, radar_range_km: 1000,
     reference_rcs_m2: 1, height_m: 10000, networks: [ua]}
fire_units:
  - {id: iris, system: iris-t-slm, nation: UA, position: {lon_deg: 31.1, lat_deg: 50.36},
     stock: 2, networks: [ua]}
  - {id: gepard, system: gepard, nation: UA, position: {lon_deg: 30.7, lat_deg: 50.43},
     networks: [ua]}
raid:
  launch_sites: {east: {lon_deg: 33.0, lat_deg: 50.0}}
  waves:
    - {threat: kh-101, count: 2, launch_site: east, launch_jitter_s: 30, route_jitter_km: 2,
       targets: [Kyiv]}
    - {threat: shahed-136, count: 4, launch_site: east, launch_jitter_s: 60, route_jitter_km: 5,
       targets: [Kyiv]}
monte_carlo: {replications: 20, seed: 99, route_realizations: 16}
"""
PARAMS = ["fire_units.iris.stock=0,1,2,3,4,5,6,7,8,9", "raid.waves.1.count=2,4,6,8"]


def timed(label: str, fn, *args, **kwargs) -> tuple[SweepResult, float]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=400, help="nights per point")
    reps = parser.parse_args().reps
    scenario = parse_scenario(SCENARIO)
    params = [parse_parameter(p) for p in PARAMS]
    floor = floor_s()
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    plan = plan_sweep(scenario, params, replications=reps, seed=5)
    print(f"== {len(plan.tasks)} points x {reps} nights, {scenario.name} ({PARAMS})")
    execute_sweep(plan_sweep(scenario, params[:1], replications=2, seed=5))  # numba load

    reference, t_1 = timed("1 worker (this process), no store", execute_sweep, plan)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        stored_plan = plan_sweep(
            scenario, params, replications=reps, seed=5, directory=directory / "one"
        )
        stored, t_1s = timed(
            "1 worker (this process), --out",
            execute_sweep,
            stored_plan,
            directory=directory / "one",
        )
        two, t_2 = timed(
            "2 local worker processes, --out",
            execute_sweep,
            plan_sweep(scenario, params, replications=reps, seed=5, directory=directory / "two"),
            workers=2,
            directory=directory / "two",
        )
        from distributed import Client, LocalCluster

        start = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            t_start = time.perf_counter() - start
            print(f"Dask LocalCluster start (2 worker processes): {t_start:.2f} s")
            dask, t_d = timed(
                "Dask, 2 workers, --out",
                execute_sweep,
                plan_sweep(
                    scenario, params, replications=reps, seed=5, directory=directory / "dask"
                ),
                scheduler=cluster.scheduler_address,
                directory=directory / "dask",
            )
    for name, result in (("--out", stored), ("2 workers", two), ("Dask", dask)):
        try:
            pd.testing.assert_frame_equal(result.table, reference.table, check_exact=True)
        except AssertionError as exc:
            sys.exit(f"{name}: results differ from the 1-worker sweep: {exc}")
    print("   every sweep gave the same table, value for value")
    print(
        f"   ratio to the dice floor: 1 worker {t_1 / floor:.0f}x, 2 workers {t_2 / floor:.0f}x,"
        f" Dask {t_d / floor:.0f}x"
    )
    print(f"   2 local workers / 1 worker speed-up: {t_1s / t_2:.2f}x (both with --out)")
    print(
        f"   Dask 2 workers / 1 worker speed-up: {t_1s / t_d:.2f}x"
        f" ({t_1s / (t_d + t_start):.2f}x with the cluster start)"
    )
    per_point = (t_1s - t_1) / len(plan.tasks)
    print(
        f"   store overhead: {per_point * 1000:.0f} ms per point "
        f"({(t_1s - t_1) / t_1:.1%} of the 1-worker sweep)"
    )


if __name__ == "__main__":
    main()
