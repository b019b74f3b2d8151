"""Sweep benchmark: a 40-point grid on 1 and 2 local worker processes and on Dask (2 workers).

Run: ``.venv/bin/python bench/bench_sweep.py [--reps N]``. Prints wall times and ratios
measured in this run (2 workers / 1 worker, Dask / 1 worker, each against the dice floor) and
the results store's cost per point (writing a point's measures atomically and marking it
complete in the catalog, timed on its own: the difference of two whole sweeps drowns in the
load of a shared machine). Every timed sweep must give the same table, or the script stops:
speed bought with different numbers is no speed-up. Each timing also prints the CPU seconds this process and its local workers
got (Dask's workers are not counted), to show how much of 2 cores a sweep had. The machine may
be shared, so the
1-worker sweep runs first and last and the ratios use the mean of the two. Worker start-up (a spawned process imports
skyshield and loads the compiled engine, about 4 s) is inside the timings, as a user pays it.
A 1-worker sweep with the geometry cache off (every point builds its own) measures what the
cache saves; the design (10 stocks x 4 raid sizes) has 4 distinct geometries, and the script
prints how many the 1-worker sweep built.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from skyshield.runner.design import parse_parameter
from skyshield.runner.geometry_cache import process_cache
from skyshield.runner.sweep import SweepResult, execute_sweep, plan_sweep
from skyshield.scenario import parse_scenario
from skyshield.store import RunStatus, run_directory
from skyshield.store.catalog import finish_run
from skyshield.store.runs import write_tables
from skyshield.store.tables import read_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

# Two Kh-101 and 10-40 Shahed-136 at Kyiv against an IRIS-T SLM and a Gepard (tests/tiny.yaml
# with more drones and 64 route sets): points of a few seconds, so that worker start-up does
# not decide the ratio, and a 40-point sweep still fits a benchmark run.
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
monte_carlo: {replications: 20, seed: 99, route_sets: 64}
"""
PARAMS = ["fire_units.iris.stock=0,1,2,3,4,5,6,7,8,9", "raid.waves.1.count=10,20,30,40"]


def timed(label: str, fn, *args, **kwargs) -> tuple[SweepResult, float]:  # type: ignore[no-untyped-def]
    """Wall time, and the CPU this process and its reaped children got (contention shows)."""
    start = time.perf_counter()
    cpu = _cpu_s()
    result = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    used = _cpu_s() - cpu
    print(f"{label}: {elapsed:.2f} s (CPU {used:.1f} s: {used / elapsed:.2f} cores on average)")
    return result, elapsed


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # local pool workers, once reaped
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=1000, help="nights per point")
    reps = parser.parse_args().reps
    scenario = parse_scenario(SCENARIO)
    params = [parse_parameter(p) for p in PARAMS]
    floor = floor_s()
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    plan = plan_sweep(scenario, params, replications=reps, seed=5)
    print(f"== {len(plan.tasks)} points x {reps} nights, {scenario.name} ({PARAMS})")
    execute_sweep(plan_sweep(scenario, params[:1], replications=2, seed=5))  # numba load

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        stored_plan = plan_sweep(
            scenario, params, replications=reps, seed=5, directory=directory / "one"
        )
        process_cache().clear()
        reference, t_1s = timed(
            "1 worker (this process), --out",
            execute_sweep,
            stored_plan,
            directory=directory / "one",
        )
        stats = process_cache().stats
        print(
            f"   geometry: routes flown {stats.flights_built}x, windows built "
            f"{stats.windows_built}x, reused {stats.geometry_hits}x for {len(plan.tasks)} points"
        )
        store_s = store_cost_s(directory / "one", stored_plan)
        uncached, t_nc = timed(
            "1 worker, geometry cache off, no store",
            execute_sweep,
            plan_sweep(scenario, params, replications=reps, seed=5, share_geometry=False),
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
        # the machine is shared: a second 1-worker sweep after the others brackets the load
        process_cache().clear()  # as the first one started: without the geometry it built
        again, t_1b = timed(
            "1 worker again (load bracket), no store",
            execute_sweep,
            plan_sweep(scenario, params, replications=reps, seed=5),
        )
    t_1s = (t_1s + t_1b) / 2
    print(f"   1 worker, mean of the two: {t_1s:.2f} s")
    results = (
        ("2 workers", two),
        ("Dask", dask),
        ("1 worker again", again),
        ("no cache", uncached),
    )
    for name, result in results:
        try:
            pd.testing.assert_frame_equal(result.table, reference.table, check_exact=True)
        except AssertionError as exc:
            sys.exit(f"{name}: results differ from the 1-worker sweep: {exc}")
    print("   every sweep gave the same table, value for value")
    print(
        f"   ratio to the dice floor: 1 worker {t_1s / floor:.0f}x, 2 workers {t_2 / floor:.0f}x,"
        f" Dask {t_d / floor:.0f}x"
    )
    print(
        f"   geometry cache: 1 worker {t_nc:.2f} s without, {t_1s:.2f} s with: {t_nc / t_1s:.2f}x"
    )
    print(f"   2 local workers / 1 worker speed-up: {t_1s / t_2:.2f}x")
    print(
        f"   Dask 2 workers / 1 worker speed-up: {t_1s / t_d:.2f}x"
        f" ({t_1s / (t_d + t_start):.2f}x with the cluster start)"
    )
    print(
        f"   store: {store_s * 1000:.0f} ms per point ({store_s * len(plan.tasks) / t_1s:.1%} "
        "of the 1-worker sweep): measures Parquet written atomically + catalog row completed"
    )


def store_cost_s(directory: Path, plan) -> float:  # type: ignore[no-untyped-def]
    """Seconds per point to write a point's measures and complete its catalog row again."""
    tasks = plan.tasks
    measures = {t.run_id: read_table(run_directory(directory, t.run_id), "measures") for t in tasks}
    start = time.perf_counter()
    for task in tasks:
        write_tables(directory, task.run_id, {"measures": measures[task.run_id]})
        finish_run(directory, [task.run_id], RunStatus.COMPLETE)
    return (time.perf_counter() - start) / len(tasks)


if __name__ == "__main__":
    main()
