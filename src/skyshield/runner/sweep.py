"""Sweeps: one Monte Carlo run per design point, on local processes or a Dask cluster.

The coordinating process plans the sweep (:func:`plan_sweep`: the design, every point's
scenario validated before anything runs), then :func:`execute_sweep` runs the points not yet
complete in the results directory. Workers run a point and write its measures atomically
(:mod:`skyshield.store.atomic`); only the coordinator writes the DuckDB catalog, marking a point
complete once its file is in place. A sweep killed at any moment is resumed by running the same
command: complete points are skipped, the others run again from their own seeds, so no point
is lost or counted twice and the results equal an uninterrupted sweep's.

Every point flies the sweep's route sets (route seed: the sweep's seed), while its other draws
(launch times, EW losses, kills, decoy recognition) come from its own seed: the points differ
by their parameters, not by their routes (common random numbers), and a process running
several points reuses the geometry of the points that do not change it
(:mod:`skyshield.runner.geometry_cache`), which gives the same numbers as building it again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
import pandas as pd

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import route_set
from skyshield.engine.geometry import build_geometry
from skyshield.engine.scaling import scaled_compiled
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.metrics.policy import (
    DEFAULT_DEBRIS,
    MASSED_RAIDS_PER_MONTH,
    Measure,
    long_measures,
    measure_frame,
)
from skyshield.metrics.sobol import sobol_indices
from skyshield.metrics.summary import half_width_95
from skyshield.runner.compare import SENSITIVITY_OUTPUTS, run_measures
from skyshield.runner.design import (
    Parameter,
    Point,
    grid_design,
    integer_fields,
    point_scenario,
    sobol_design,
    sobol_problem,
)
from skyshield.runner.geometry_cache import process_cache
from skyshield.runner.montecarlo import (
    EngineKind,
    ProgressCallback,
    own_routes_per_block,
    route_sets,
)
from skyshield.runner.pool import run_locally, run_on_dask
from skyshield.scenario import Scenario
from skyshield.store import (
    RunRecord,
    RunStatus,
    StrPath,
    canonical_scenario,
    check_results_directory,
    parameters_json,
    run_directory,
)
from skyshield.store.atomic import remove_stale_temporaries
from skyshield.store.catalog import finish_run, record_run, runs_with_status
from skyshield.store.documents import records, save_result
from skyshield.store.runs import write_tables
from skyshield.store.tables import TABLE_SUFFIX, read_table, write_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "PointCalibration",
    "PointTask",
    "SweepInterrupted",
    "SweepPlan",
    "SweepResult",
    "execute_sweep",
    "plan_sweep",
    "simulate_point",
]


class PointCalibration(Protocol):
    """A calibration a sweep applies at every point (issue 23 item 10; picklable).

    :class:`skyshield.calibration.transfer.CalibratedPosture`: ``for_point`` returns what the
    point applies, with the point's own ``pk_scale.*`` multiplying the fitted kill
    probabilities and its seed drawing the decoys and the units in action.
    """

    def for_point(
        self, pk_scale: dict[str, float], seed: int
    ) -> Callable[[CompiledScenario], CompiledScenario]:
        """Return the point's ``adjust`` (a :class:`~.montecarlo.StockAdjustment` or not)."""


@dataclass(frozen=True, slots=True)
class PointTask:
    """What a worker needs to run one point (picklable; no open files or connections).

    Attributes
    ----------
    run_id : the point's run id (``<sweep id>-<point key>``)
    point : the point's parameter values
    scenario : the point's scenario, validated (None for a model injected in tests)
    pk_scale : kill-probability multipliers (``pk_drone``, ...) the point applies
    seed : the point's own seed (:meth:`Point.seed`): its replications' draws
    route_seed : the sweep's seed: the route sets every point flies
    replications : nights per point
    engine : the engine to run them with
    directory : results directory the worker writes the point's measures in, or None
    share_geometry : take the geometry from the worker process's cache (same numbers; False
        builds it for every point, to measure or check the cache)
    calibration : a calibration applied at the point (``--calibration``), or None
    """

    run_id: str
    point: Point
    scenario: Scenario | None
    pk_scale: tuple[tuple[str, float], ...]
    seed: int
    route_seed: int
    replications: int
    engine: EngineKind
    directory: str | None
    share_geometry: bool = True
    calibration: PointCalibration | None = None  # issue 23 item 10


# Runs a point and returns its per-replication measures, long (replication, measure, key, value).
PointEvaluator = Callable[[PointTask], pd.DataFrame]


def simulate_point(task: PointTask) -> pd.DataFrame:
    """Run one point single-threaded and write its measures (in whichever process runs it)."""
    if task.scenario is None:
        raise ValueError(f"point {task.run_id}: a simulated point needs a scenario")
    adjust: Callable[[CompiledScenario], CompiledScenario] | None = None
    if task.calibration is not None:
        adjust = task.calibration.for_point(dict(task.pk_scale), task.seed)
    elif task.pk_scale:
        adjust = functools.partial(_scale_pk, scales=dict(task.pk_scale))
    # every night its own routes: the point builds each block's route sets and drops them
    # (memory bounded by the block); a cache of whole geometries would hold them all
    own = own_routes_per_block(
        route_sets(task.scenario, task.replications), task.replications, build_geometry
    )
    wide = run_measures(
        task.scenario,
        task.replications,
        task.seed,
        1,
        task.engine,
        MASSED_RAIDS_PER_MONTH,
        DEFAULT_DEBRIS,
        adjust,
        route_seed=task.route_seed,
        build=process_cache() if task.share_geometry and not own else build_geometry,
    )
    measures = long_measures(wide)
    if task.directory is not None:
        write_tables(Path(task.directory), task.run_id, {"measures": measures})
    return measures


def _scale_pk(compiled: CompiledScenario, scales: dict[str, float]) -> CompiledScenario:
    return scaled_compiled(
        compiled,
        pk_drone=scales.get("pk_drone", 1.0),
        pk_cruise=scales.get("pk_cruise", 1.0),
        pk_ballistic=scales.get("pk_ballistic", 1.0),
    )


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """A sweep's design and tasks, every point validated.

    Attributes
    ----------
    sweep_id : the same for the same scenario, parameters, design, seed, replications, engine
    points : the design in order (a Sobol design may hold a point twice; it runs once)
    tasks : one per distinct point
    problem : the SALib problem of a Sobol design, else None
    record : the sweep's catalog row
    """

    sweep_id: str
    parameters: tuple[Parameter, ...]
    points: tuple[Point, ...]
    tasks: tuple[PointTask, ...]
    problem: dict[str, Any] | None
    seed: int
    record: RunRecord
    # issue 23 item 10: the calibration applied at every point, as run --json names it
    calibration_applied: dict[str, Any] | None = None


def plan_sweep(
    scenario: Scenario | None,
    parameters: Sequence[Parameter],
    *,
    replications: int,
    seed: int,
    sobol: int | None = None,
    engine: EngineKind = EngineKind.FAST,
    directory: Path | None = None,
    share_geometry: bool = True,
    calibration: PointCalibration | None = None,
    calibration_applied: dict[str, Any] | None = None,
) -> SweepPlan:
    """Design a sweep and validate every point's scenario before anything runs.

    ``scenario`` None: the points are not applied to a scenario (a model injected through
    :func:`execute_sweep`'s ``evaluate``). ``share_geometry`` False: every point builds its
    geometry (same results, slower; to measure or check the cache). ``calibration``: applied
    at every point (:class:`PointCalibration`); ``calibration_applied`` names it (its SHA-256
    is part of the sweep's id, so a sweep with another calibration is another sweep).

    Raises
    ------
    ScenarioError
        Every bad path or value of every point, each once, named by its field path.
    """
    params = list(parameters)
    if not params:
        raise ScenarioError("sweep", [FieldProblem("--param", "at least one parameter", "none")])
    integer = (False,) * len(params)
    if sobol is None:
        points = grid_design(params)
    else:
        if scenario is not None:
            integer = integer_fields(scenario, params)
        points = sobol_design(params, sobol, seed=seed, integer=integer)
    distinct = list({p.key: p for p in points}.values())
    text, digest = ("", "") if scenario is None else canonical_scenario(scenario)
    spec = {
        "parameters": [[p.path, list(p.values), p.low, p.high] for p in params],
        "sobol": sobol,
        "engine": engine.value,
        # every point flies the sweep's route sets: not comparable with points of a sweep
        # saved before, whose points each flew their own, so not the same sweep id
        "routes": "sweep seed",
    }
    if calibration_applied is not None:  # only then: an uncalibrated sweep keeps its id
        spec["calibration"] = calibration_applied["sha256"]
    identity = json.dumps([digest, spec, seed, replications], default=str, sort_keys=True)
    sweep_id = "sweep-" + hashlib.sha256(identity.encode()).hexdigest()[:16]
    tasks: list[PointTask] = []
    problems: list[FieldProblem] = []

    def check(point: Point) -> tuple[Scenario | None, dict[str, float]] | None:
        if scenario is None:
            return scenario, {}
        try:
            return point_scenario(scenario, point)
        except ScenarioError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
            return None

    # each value alone first, in the order given, so every bad value is named once; then each
    # point, whose values together may still break a rule (a reference, a consistency check)
    for param, is_integer in zip(params, integer, strict=True):
        # a Sobol bound of an integer field is rounded as the design's values are: strict
        # integer fields refuse 1.0
        bounds = [round(b) if is_integer else b for b in (param.low, param.high)]
        for value in param.values or bounds:
            check(Point(((param.path, value),)))
    for point in distinct:
        checked = check(point)
        if checked is None:
            continue
        varied, pk_scale = checked
        tasks.append(
            PointTask(
                run_id=f"{sweep_id}-{point.key}",
                point=point,
                scenario=varied,
                pk_scale=tuple(sorted(pk_scale.items())),
                seed=point.seed(seed),
                route_seed=seed,
                replications=replications,
                engine=engine,
                directory=None if directory is None else str(directory),
                share_geometry=share_geometry,
                calibration=calibration,
            )
        )
    if problems:
        raise ScenarioError("--param", problems)
    record = RunRecord(
        run_id=sweep_id,
        kind="sweep",
        parent=None,
        scenario_name="" if scenario is None else scenario.name,
        scenario_sha256=digest,
        scenario_json=text,
        parameters=parameters_json(
            spec
            if calibration_applied is None
            else {**spec, "calibration_applied": calibration_applied}
        ),
        seed=seed,
        replications=replications,
    )
    return SweepPlan(
        sweep_id=sweep_id,
        parameters=tuple(params),
        points=tuple(points),
        tasks=tuple(tasks),
        problem=None if sobol is None else sobol_problem(params),
        seed=seed,
        record=record,
        calibration_applied=calibration_applied,
    )


@dataclass(frozen=True, slots=True)
class SweepResult:
    """A finished sweep.

    Attributes
    ----------
    plan : what was run
    table : one row per distinct point and measure: point, parameters (JSON), measure, key,
        mean per night, ci95 (half width of its 95% interval)
    sobol : Sobol indices of the outputs for a Sobol design (measure, key, parameter, s1,
        s1_ci95, st, st_ci95; :func:`skyshield.metrics.sobol.sobol_indices`), else None
    skipped : points found complete in the results directory and not run again
    """

    plan: SweepPlan
    table: pd.DataFrame
    sobol: pd.DataFrame | None
    skipped: int

    # v2: ``calibration``, the calibration applied (null without one), as in run/v3
    SCHEMA: ClassVar[str] = "skyshield/sweep/v2"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``sweep --json`` prints: the sweep id, every point's measures, Sobol."""
        return {
            "schema": self.SCHEMA,
            "sweep_id": self.plan.sweep_id,
            "points": records(self.table),
            "sobol": None if self.sobol is None else records(self.sobol),
            "skipped": self.skipped,
            "calibration": self.plan.calibration_applied,
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``points`` (point, parameters, measure, key, mean, ci95) and ``sobol``."""
        tables = {"points": self.table}
        if self.sobol is not None:
            tables["sobol"] = self.sobol
        return tables

    def plot(self) -> Figure:
        """Plot the Sobol indices of a Sobol design, else each measure's mean at every point."""
        from skyshield.plots import plot_interval_panels, plot_sobol

        name = self.plan.record.scenario_name
        if self.sobol is not None:
            return plot_sobol(self.sobol, title=f"{name}: Sobol indices")
        wanted = pd.MultiIndex.from_tuples(SENSITIVITY_OUTPUTS)
        shown = self.table[pd.MultiIndex.from_frame(self.table[["measure", "key"]]).isin(wanted)]
        panel = shown["measure"].where(shown["key"] == "", shown["measure"] + ": " + shown["key"])
        return plot_interval_panels(
            shown.assign(panel=panel), panel="panel", x="point", title=f"{name}: per night"
        )

    def save(self, directory: StrPath) -> str:
        """Save the points' summary (and Sobol indices) in a results directory; return its id.

        A sweep run with ``out`` is already saved point by point as it runs; this saves the
        summary of one held in memory (a sweep run without ``out``) as a run of its own.
        """
        return save_result(
            directory,
            self.tables(),
            kind="sweep",
            name=self.plan.record.scenario_name,
            parameters={"sweep_id": self.plan.sweep_id, **json.loads(self.plan.record.parameters)},
            seed=self.plan.seed,
            replications=self.plan.record.replications,
            scenario_json=self.plan.record.scenario_json,
            scenario_sha256=self.plan.record.scenario_sha256,
        )

    def __repr__(self) -> str:
        """Show in a few lines what was swept, how many points, and the design."""
        params = ", ".join(p.path for p in self.plan.parameters)
        design = "Sobol design" if self.plan.problem is not None else "grid"
        return (
            f"SweepResult {self.plan.sweep_id}: {len(self.plan.tasks)} points ({design}) over "
            f"{params}; {self.plan.record.replications} nights each, seed {self.plan.seed}; "
            f"{self.skipped} read back"
        )


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a sweep: how many points were done, of how many, and whether kept.

    A ``KeyboardInterrupt``, so code that stops on Ctrl-C still stops; its text is the
    line the command prints.
    """

    def __init__(self, done: int, total: int, *, saved: bool) -> None:
        self.done = done
        self.total = total
        self.saved = saved
        if saved:
            text = f"interrupted: {done}/{total} saved, rerun to resume"
        else:
            text = (
                f"interrupted: {done}/{total} points done, none kept (rerun with --out DIR to "
                "keep each point as it completes)"
            )
        super().__init__(text)


def _point_record(task: PointTask, sweep_id: str) -> RunRecord:
    text, digest = ("", "") if task.scenario is None else canonical_scenario(task.scenario)
    return RunRecord(
        run_id=task.run_id,
        kind="sweep-point",
        parent=sweep_id,
        scenario_name="" if task.scenario is None else task.scenario.name,
        scenario_sha256=digest,
        scenario_json=text,
        parameters=parameters_json(
            {"point": task.point.as_dict(), "key": task.point.key, "route_seed": task.route_seed}
        ),
        seed=task.seed,
        replications=task.replications,
    )


def _summary(task: PointTask, measures: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% half width of each measure of one point (route sets as clusters)."""
    wide = measures.pivot(index="replication", columns=["measure", "key"], values="value")
    n = len(wide)
    clusters = None
    if task.scenario is not None:
        clusters = route_set(np.arange(n), route_sets(task.scenario, n))
    return pd.DataFrame(
        {
            "point": task.point.key,
            "parameters": json.dumps(task.point.as_dict(), sort_keys=True),
            "measure": wide.columns.get_level_values(0).astype(str),
            "key": wide.columns.get_level_values(1).astype(str),
            "mean": wide.mean().to_numpy(),
            "ci95": np.asarray(half_width_95(wide, clusters)) if n > 1 else np.nan,
        }
    )


def _complete_points(directory: Path, plan: SweepPlan) -> set[str]:
    """Points of this sweep complete in the catalog whose measures file is in place."""
    complete = runs_with_status(directory, plan.sweep_id, RunStatus.COMPLETE)
    return {
        t.run_id
        for t in plan.tasks
        if t.run_id in complete
        and (run_directory(directory, t.run_id) / f"measures{TABLE_SUFFIX}").is_file()
    }


def execute_sweep(
    plan: SweepPlan,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    directory: Path | None = None,
    evaluate: PointEvaluator = simulate_point,
    outputs: Iterable[Measure] = SENSITIVITY_OUTPUTS,
    progress: ProgressCallback | None = None,
) -> SweepResult:
    """Run a sweep's points not yet complete in ``directory`` and summarise every point.

    Parameters
    ----------
    plan : from :func:`plan_sweep` (with the same ``directory``)
    workers : local worker processes (1: in this process)
    scheduler : address of a Dask scheduler; the points run on its workers instead
    directory : results directory; None keeps nothing (no resume)
    evaluate : runs one point (default: the simulation); injectable for a known model
    outputs : measures whose Sobol indices a Sobol design reports
    progress : called with (points done, points in all) as points complete

    Raises
    ------
    SweepInterrupted
        on Ctrl-C (a KeyboardInterrupt, here or in ``progress``): the points not finished are
        marked ``pending`` and the sweep ``interrupted`` in the catalog, not ``failed``.
    """
    results: dict[str, pd.DataFrame] = {}
    tasks = list(plan.tasks)
    skipped: set[str] = set()
    if directory is not None:
        check_results_directory(directory)
        record_run(directory, [plan.record], again=True)
        skipped = _complete_points(directory, plan)
        for task in tasks:
            if task.run_id in skipped:
                results[task.run_id] = read_table(run_directory(directory, task.run_id), "measures")
            elif run_directory(directory, task.run_id).is_dir():
                remove_stale_temporaries(run_directory(directory, task.run_id))
        # ``again``: a point marked complete whose file is gone runs again (same seed, same
        # numbers) instead of standing in the catalog without its results
        record_run(
            directory,
            [_point_record(t, plan.sweep_id) for t in tasks if t.run_id not in skipped],
            again=True,
        )
    total = len(tasks)
    if progress is not None:
        progress(len(results), total)

    def done(task: PointTask, measures: pd.DataFrame) -> None:
        if directory is not None:
            finish_run(directory, [task.run_id], RunStatus.COMPLETE)
        results[task.run_id] = measures
        if progress is not None:
            progress(len(results), total)

    pending = [t for t in tasks if t.run_id not in skipped]
    try:
        if scheduler is not None:
            run_on_dask(pending, evaluate, scheduler, done)
        else:
            run_locally(pending, evaluate, workers, done)
    except KeyboardInterrupt as exc:
        # nothing failed: the points not finished wait for the same command to run them
        if directory is not None:
            unfinished = [t.run_id for t in pending if t.run_id not in results]
            finish_run(directory, unfinished, RunStatus.PENDING)
            finish_run(directory, [plan.sweep_id], RunStatus.INTERRUPTED)
        raise SweepInterrupted(len(results), total, saved=directory is not None) from exc
    except BaseException:
        if directory is not None:
            unfinished = [t.run_id for t in pending if t.run_id not in results]
            finish_run(directory, unfinished, RunStatus.FAILED)
            finish_run(directory, [plan.sweep_id], RunStatus.FAILED)
        raise
    table = pd.concat(
        [_summary(t, results[t.run_id]) for t in tasks], ignore_index=True
    ).sort_values(["point", "measure", "key"], ignore_index=True)
    indices = None
    if plan.problem is not None:
        means = table.set_index(["point", "measure", "key"])["mean"]
        series = {}
        for output in outputs:
            by_point = means.xs((output.measure, output.key), level=("measure", "key"))
            series[output.column] = by_point.reindex([p.key for p in plan.points]).to_numpy()
        named = sobol_indices(plan.problem, series, seed=plan.seed)
        indices = pd.concat([measure_frame(named["output"]), named.drop(columns="output")], axis=1)
    if directory is not None:
        folder = run_directory(directory, plan.sweep_id)
        folder.mkdir(parents=True, exist_ok=True)
        write_table(folder, "points", table)
        if indices is not None:
            write_table(folder, "sobol", indices)
        finish_run(directory, [plan.sweep_id], RunStatus.COMPLETE)
    return SweepResult(plan=plan, table=table, sobol=indices, skipped=len(skipped))
