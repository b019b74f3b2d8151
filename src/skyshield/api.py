"""The Python API: one function per CLI verb, each returning a result with tidy pandas tables.

Every ``skyshield VERB`` is a thin wrapper of the function of the same name here:
:func:`run`, :func:`compare`, :func:`sweep`, :func:`campaign`, :func:`calibrate`,
:func:`backtest`, :func:`report` and :func:`export`. The results share one protocol
(:class:`skyshield.results.Result`): ``tables()``, ``to_dict()`` (what ``--json`` prints),
``plot()``, ``save(directory)`` and a readable ``repr``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skyshield import __version__
from skyshield.calibration.applied import (
    AppliedCalibration,
    applied_calibration,
    applied_warnings,
)
from skyshield.calibration.transfer import CalibratedPosture
from skyshield.calibration.workflow import backtest, calibrate
from skyshield.campaigns.workflow import campaign
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.exporting import check_replication, export_text
from skyshield.reporting import ReportRun, render_report
from skyshield.results import RunSummary, summarize
from skyshield.runner.compare import PolicyComparison, Variation, parse_variation
from skyshield.runner.compare import compare as compare_scenarios
from skyshield.runner.design import Parameter, parse_parameter
from skyshield.runner.montecarlo import EngineKind, ProgressCallback, Run, run_replications
from skyshield.runner.replay import stored_run, stored_run_reference
from skyshield.runner.sweep import SweepResult, execute_sweep, plan_sweep
from skyshield.scenario import Scenario, load_scenario
from skyshield.settings import ExportFormat
from skyshield.store import (
    check_results_directory,
    utc_now,
)
from skyshield.store.catalog import run_record

__all__ = [
    "AppliedCalibration",
    "CalibrationSource",
    "RunSummary",
    "backtest",
    "calibrate",
    "calibration_adjustment",
    "campaign",
    "compare",
    "export",
    "report",
    "run",
    "sweep",
]


# a calibration file from ``skyshield calibrate`` (its path), or one read before: the file is
# read once per call (:func:`skyshield.calibration.applied.applied_calibration`)
CalibrationSource = str | Path | AppliedCalibration
# a number of route sets, or "all" (every night its own routes)
RouteSets = int | str


def with_route_sets(scenario: Scenario, route_sets: RouteSets | None) -> Scenario:
    """Return the scenario with ``monte_carlo.route_sets`` replaced (None: unchanged).

    ``route_sets``: a number, or ``"all"`` (every night its own routes); checked as the
    scenario file's field is, refused in one line naming ``--route-sets`` otherwise.
    """
    if route_sets is None:
        return scenario
    settings = scenario.monte_carlo.model_dump()
    settings["route_sets"] = route_sets
    try:
        checked = type(scenario.monte_carlo).model_validate(settings)
    except ValidationError as problem:
        raise ScenarioError(
            "--route-sets", [FieldProblem("", "a whole number >= 1 or all", repr(route_sets))]
        ) from problem
    return scenario.model_copy(update={"monte_carlo": checked})


def run(
    scenario: Scenario | str | Path | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    engine: EngineKind | str = EngineKind.FAST,
    progress: ProgressCallback | None = None,
    calibration: CalibrationSource | None = None,
    out: str | Path | None = None,
    route_sets: RouteSets | None = None,
    geometry_progress: ProgressCallback | None = None,
) -> RunSummary:
    """Run a scenario (object, file, built-in name, or the default) and summarise it.

    Without a ``progress`` callback a progress bar shows (a widget in notebooks, text in a
    terminal, nothing when output is not interactive). ``calibration``: a file written by
    ``skyshield calibrate``; its latest quarter's whole fitted parameter set applies
    (:func:`calibration_adjustment`), and the summary names it (``calibration_applied``: file,
    SHA-256, train-until date, quarter, parameters, and a warning when the scenario's units
    differ from the posture the fit used:
    :func:`skyshield.calibration.applied.applied_warnings`).
    ``out``: a results directory (created if new) to save every table in, as Parquet, with the
    run in its DuckDB catalog (:mod:`skyshield.store`); the summary's ``run_id`` names it.
    ``geometry_progress``: a ``(done, total)`` callback for building the route sets before
    the nights (the "geometry" stage; none is shown without it).

    Examples
    --------
    >>> summary = skyshield.run("default", replications=20)  # doctest: +SKIP
    >>> summary.tables()["by_class"]  # doctest: +SKIP
    """
    if out is not None:
        check_results_directory(Path(out))
    summary, _ = run_and_keep(
        scenario,
        replications=replications,
        seed=seed,
        workers=workers,
        engine=engine,
        progress=progress,
        calibration=calibration,
        route_sets=route_sets,
        geometry_progress=geometry_progress,
    )
    if out is None:
        return summary
    return dataclasses.replace(summary, run_id=summary.save(out))


def run_and_keep(
    scenario: Scenario | str | Path | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    engine: EngineKind | str = EngineKind.FAST,
    progress: ProgressCallback | None = None,
    calibration: CalibrationSource | None = None,
    route_sets: RouteSets | None = None,
    geometry_progress: ProgressCallback | None = None,
) -> tuple[RunSummary, Run]:
    """:func:`run` (saving nothing), and the run itself with its geometry still in memory.

    For what maps a night right after the run (``skyshield serve``): read back from a store,
    the geometry is built again (:func:`skyshield.runner.replay.stored_run`).
    """
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    loaded = with_route_sets(loaded, route_sets)
    started = utc_now()
    applied = _applied(calibration)
    adjust = calibration_adjustment(applied, _seed(loaded, seed))
    with _progress_bar(progress) as report:
        result = run_replications(
            loaded,
            replications=replications,
            seed=seed,
            workers=workers,
            engine=EngineKind(engine),
            progress=report,
            adjust=adjust,
            geometry_progress=geometry_progress,
        )
    summary = dataclasses.replace(
        summarize(result),
        scenario=loaded,
        calibration=_calibration_path(calibration),
        started=started,
        calibration_applied=_calibration_applied(applied, loaded),
    )
    return summary, result


def _applied(calibration: CalibrationSource | None) -> AppliedCalibration | None:
    """Read a calibration file once (None: none; one read before: as it is)."""
    return None if calibration is None else applied_calibration(calibration)


def _calibration_path(calibration: CalibrationSource | None) -> str | None:
    """Return the calibration's path as given: what a result names it by (None: none)."""
    if isinstance(calibration, AppliedCalibration):
        return calibration.path
    return None if calibration is None else str(calibration)


def _calibration_applied(
    applied: AppliedCalibration | None, *scenarios: Scenario
) -> dict[str, Any] | None:
    """Say what a run applied: the calibration file, its hash, parameters, warnings.

    ``warnings``: one line per applied parameter held at an end of its prior box
    (:func:`~skyshield.calibration.model.at_prior_edge`, read with the file), and one per
    scenario whose units differ from the posture the fit used (the same line once).
    """
    if applied is None:
        return None
    return {**applied.to_dict(), "warnings": applied_warnings(list(scenarios), applied)}


def calibration_adjustment(
    calibration: CalibrationSource | None, seed: int
) -> CalibratedPosture | None:
    """Return what ``--calibration FILE`` does to any scenario run with ``seed`` (None: nothing).

    The one place every workflow applies a calibration (``run``, ``compare``, ``sweep``,
    ``report``, and the runs and comparisons of ``serve --calibration``): the latest quarter's
    medians of the WHOLE fitted parameter set, each applied as the night model applies it (kill
    probabilities, EW, each system family's effective size with the low-cost layers' tasking,
    missiles' in-flight losses, the decoy share where the scenario names no decoys):
    :class:`skyshield.calibration.transfer.CalibratedPosture`, an ``adjust`` of the compiled
    scenario that also draws which units are in action each night. ``seed``: the run's (the
    decoys' order and the units in action follow it). ``campaign`` runs the night model
    itself, which applies the same parameters the same way.
    """
    if calibration is None:
        return None
    return applied_calibration(calibration).adjustment(seed)


def _seed(scenario: Scenario, seed: int | None) -> int:
    """Return the run's seed: ``seed``, or the scenario's."""
    return scenario.monte_carlo.seed if seed is None else seed


@contextmanager
def _progress_bar(callback: ProgressCallback | None) -> Iterator[ProgressCallback]:
    """Yield the caller's callback, or one updating a tqdm bar (notebook widget or text)."""
    if callback is not None:
        yield callback
        return
    from tqdm.auto import tqdm  # only the API shows it

    with tqdm(desc="replications", unit="night", disable=None, leave=False) as bar:

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield update


def compare(
    *scenarios: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    vary: Sequence[str | Variation] = (),
    calibration: CalibrationSource | None = None,
    out: str | Path | None = None,
    route_sets: RouteSets | None = None,
    **options: Any,
) -> PolicyComparison:
    """Compare policies (objects, files or built-in names; the first is the baseline).

    ``vary`` takes ``"path=value1,value2"`` strings as ``skyshield compare --vary`` does; other
    keyword options go to :func:`skyshield.runner.compare.compare`. ``out``: a results
    directory to save the comparison's tables in (see :func:`run`).

    Examples
    --------
    >>> comparison = skyshield.compare("baseline", "poland-100km")  # doctest: +SKIP
    >>> comparison.tables()["differences"]  # doctest: +SKIP
    """
    loaded = [
        with_route_sets(s if isinstance(s, Scenario) else load_scenario(s), route_sets)
        for s in scenarios
    ]
    names = [s.name if isinstance(s, Scenario) else Path(str(s)).stem for s in scenarios]
    variations = [v if isinstance(v, Variation) else parse_variation(v) for v in vary]
    if out is not None:
        check_results_directory(Path(out))
    started = utc_now()
    applied = _applied(calibration)
    result = compare_scenarios(
        loaded,
        names=names,
        replications=replications,
        seed=seed,
        workers=workers,
        variations=variations,
        adjust=calibration_adjustment(applied, _seed(loaded[0], seed)),
        **options,
    )
    result = dataclasses.replace(
        result,
        scenarios=tuple(loaded),
        variations=tuple(variations),
        calibration=_calibration_path(calibration),
        started=started,
        calibration_applied=_calibration_applied(applied, *loaded),
    )
    if out is None:
        return result
    return dataclasses.replace(result, run_id=result.save(out))


def sweep(
    scenario: Scenario | str | Path | None,
    parameters: Sequence[str | Parameter],
    *,
    sobol: int | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    engine: EngineKind | str = EngineKind.FAST,
    out: str | Path | None = None,
    progress: ProgressCallback | None = None,
    route_sets: RouteSets | None = None,
    calibration: CalibrationSource | None = None,
) -> SweepResult:
    """Run a scenario at every point of a grid or a Sobol design over its parameters.

    ``parameters``: ``"path=v1,v2"`` strings (a grid: every combination) or, with
    ``sobol=N`` (a power of two), ``"path=low:high"`` bounds; paths as
    ``skyshield compare --vary`` takes them, plus ``pk_scale.drone|cruise|ballistic``. Every
    point's value is validated before anything runs. With ``out`` (a results directory) each
    point is saved as it completes, and calling again with the same arguments resumes: points
    already complete are read, not run. ``scheduler``: a Dask scheduler's address.
    ``calibration``: applied at every point as :func:`run` applies it
    (:func:`calibration_adjustment`; a point's ``pk_scale.*`` multiply the fitted kill
    probabilities), and named in the result (``calibration`` of ``sweep --json``).

    Examples
    --------
    >>> result = skyshield.sweep("default", ["raid.waves.0.count=10,20"])  # doctest: +SKIP
    >>> result.tables()["points"]  # doctest: +SKIP
    """
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    loaded = with_route_sets(loaded, route_sets)
    params = [p if isinstance(p, Parameter) else parse_parameter(p) for p in parameters]
    directory = None if out is None else Path(out)
    applied = _applied(calibration)
    # every value is checked before the results directory is created (execute_sweep does)
    plan = plan_sweep(
        loaded,
        params,
        replications=loaded.monte_carlo.replications if replications is None else replications,
        seed=_seed(loaded, seed),
        sobol=sobol,
        engine=EngineKind(engine),
        directory=directory,
        calibration=calibration_adjustment(applied, _seed(loaded, seed)),
        calibration_applied=_calibration_applied(applied, loaded),
    )
    with _progress_bar(progress) as report:
        return execute_sweep(
            plan, workers=workers, scheduler=scheduler, directory=directory, progress=report
        )


def export(
    scenario: Scenario | str | Path | None,
    file_format: ExportFormat | str,
    *,
    replication: int = 0,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
    route_sets: RouteSets | None = None,
) -> str:
    """Return one replication as a GeoJSON, CZML, KML or ACMI text.

    ``scenario``: a scenario (object, file, built-in name) to simulate, or a stored run's
    folder ``DIR/runs/<run id>`` (saved by ``run --out``), which is read, not simulated again.
    ``replications`` defaults to ``replication + 1``, the fewest runs that include it: a
    replication's raid, routes and draws depend on its index and the seed alone (up to the
    scenario's route-set cap), so it is the same night a longer run would show.

    Examples
    --------
    >>> text = skyshield.export("default", "czml", replication=3)  # doctest: +SKIP
    >>> Path("night3.czml").write_text(text)  # doctest: +SKIP
    """
    file_format = ExportFormat(file_format)
    stored = _stored(scenario)
    if stored is not None:
        check_replication(replication, stored.replications, stored.scenario.name)
        return export_text(stored, file_format, replication)
    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    loaded = with_route_sets(loaded, route_sets)
    n_reps = replication + 1 if replications is None else replications
    check_replication(replication, n_reps, loaded.name)  # before the work, not after
    with _progress_bar(progress) as report:
        result = run_replications(
            loaded, replications=n_reps, seed=seed, workers=workers, progress=report
        )
    return export_text(result, file_format, replication)


def _stored_calibration(source: Scenario | str | Path | None) -> dict[str, Any] | None:
    """Return the calibration a stored run recorded (``run --out --calibration``), or None."""
    reference = None if isinstance(source, Scenario) or source is None else source
    found = None if reference is None else stored_run_reference(reference)
    if found is None:
        return None
    record = run_record(*found)
    if record is None:
        return None
    applied = json.loads(record.parameters).get("calibration_applied")
    return applied if isinstance(applied, dict) else None


def _stored(source: Scenario | str | Path | None) -> Run | None:
    """Read the stored run ``source`` names (a folder ``DIR/runs/<run id>``); else None."""
    if source is None or isinstance(source, Scenario):
        return None
    reference = stored_run_reference(source)
    return None if reference is None else stored_run(*reference)


def report(
    *scenarios: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    replication: int = 0,
    progress: Callable[[str], None] | None = None,
    replications_progress: ProgressCallback | None = None,
    route_sets: RouteSets | None = None,
    calibration: CalibrationSource | None = None,
) -> str:
    """Return the self-contained HTML report of scenarios or stored runs.

    ``progress`` is called with each stage's name; ``replications_progress`` with
    (replications done, in all) as each scenario is simulated.

    Each source is a scenario (object, file, built-in name), simulated here, or a stored run's
    folder ``DIR/runs/<run id>`` (saved by ``run --out``), read back without simulating it
    again. With two or more scenarios the report also compares them as :func:`compare` does
    (the first is the baseline), which simulates them on the same nights; stored runs are
    shown side by side, not compared (save a comparison with ``compare --out``).
    ``replication`` is the night each map shows. ``calibration``: applied to the scenarios
    simulated here as :func:`run` applies it; each section names the calibration it ran with
    (a stored run: the one recorded when it was saved).

    Examples
    --------
    >>> html = skyshield.report("baseline", "poland-100km", replications=50)  # doctest: +SKIP
    >>> Path("report.html").write_text(html)  # doctest: +SKIP
    """
    sources: list[Scenario | str | Path | None] = list(scenarios) or [None]
    stored = [_stored(s) for s in sources]
    loaded = [
        run.scenario
        if run is not None
        else with_route_sets(s if isinstance(s, Scenario) else load_scenario(s), route_sets)
        for s, run in zip(sources, stored, strict=True)
    ]
    for scenario, run in zip(loaded, stored, strict=True):
        if run is not None:
            n_reps = run.replications
        else:
            n_reps = scenario.monte_carlo.replications if replications is None else replications
        check_replication(replication, n_reps, scenario.name)
    # read once, and only if a scenario is simulated here (a stored run keeps its own)
    applied = _applied(calibration) if any(run is None for run in stored) else None
    entries = []
    for source, scenario, run in zip(sources, loaded, stored, strict=True):
        if run is None:
            if progress is not None:
                progress(scenario.name)
            run = run_replications(
                scenario,
                replications=replications,
                seed=seed,
                workers=workers,
                progress=replications_progress,
                adjust=calibration_adjustment(applied, _seed(scenario, seed)),
            )
            named = _calibration_applied(applied, scenario)
        else:
            named = _stored_calibration(source)
        summary = dataclasses.replace(summarize(run), calibration_applied=named)
        entries.append(ReportRun(run=run, summary=summary, replication=replication))
    comparison = None
    if len(loaded) > 1 and not any(run is not None for run in stored):
        if progress is not None:
            progress("the comparison")
        comparison = compare(
            *loaded, replications=replications, seed=seed, workers=workers, calibration=applied
        )
    return render_report(entries, comparison, version=__version__)
