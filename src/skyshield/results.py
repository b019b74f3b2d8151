"""Results of the API's workflows: one protocol (:class:`Result`) and :class:`RunSummary`.

Every workflow returns a result that satisfies :class:`Result` (its ``--json`` id):

- ``skyshield.run``: :class:`RunSummary` (``skyshield/run/v3``)
- ``skyshield.compare``: :class:`~skyshield.runner.compare.PolicyComparison` (``compare/v3``)
- ``skyshield.sweep``: :class:`~skyshield.runner.sweep.SweepResult` (``sweep/v2``)
- ``skyshield.campaign``: :class:`~skyshield.campaigns.workflow.CampaignRun` (``campaign/v1``),
  with its solver's :class:`~skyshield.campaigns.solve.DeliverySolution` (``delivery/v1``)
- ``skyshield.calibrate``: :class:`~skyshield.calibration.calibrate.Calibration`
  (``calibrate/v1``)
- ``skyshield.backtest``: :class:`~skyshield.calibration.backtest.Backtest` (``backtest/v2``)

The ``--json`` documents' JSON Schemas are in the repository's ``schema/`` folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from skyshield.errors import StoreError
from skyshield.metrics.air import air_patrols
from skyshield.metrics.policy import cross_border, long_measures, per_replication_measures
from skyshield.metrics.summary import by_class, by_target, by_unit, interceptors
from skyshield.runner.montecarlo import Run
from skyshield.scenario import Scenario
from skyshield.store import StrPath, canonical_scenario
from skyshield.store.documents import records, save_result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Result", "RunSummary", "summarize"]


@runtime_checkable
class Result(Protocol):
    """What every workflow's result offers (``skyshield.run``, ``compare``, ``sweep``, ...).

    ``SCHEMA`` is the id of its ``--json`` document (``"skyshield/run/v3"``), which
    ``to_dict()`` carries under ``"schema"``.
    """

    SCHEMA: ClassVar[str]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the result's tidy tables by name (measures as columns or long, never keys)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """Return exactly what the verb's ``--json`` prints: strict JSON values (no NaN)."""
        ...

    def plot(self) -> Figure:
        """Draw the result's headline figure (matplotlib, imported only now)."""
        ...

    def save(self, directory: StrPath) -> str:
        """Save the result in a results directory (:mod:`skyshield.store`); return its run id."""
        ...

    def __repr__(self) -> str:
        """Show what it is, its size and its headline numbers in a few lines."""
        ...


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What ``skyshield run`` reports, as DataFrames, plus the raw outcome tables.

    Attributes
    ----------
    threats : one row per threat per replication (fate, where, by whom)
    shots : one row per interceptor fired
    by_class : per threat class and quantity, per-night mean with 95% intervals
    by_target : impacts per target per night
    interceptors : rounds, rounds at decoys and cost per night by nation and system
    by_unit : per fire unit: rounds and kills per night, first and last shot, share of nights
        it fired and ran dry
    stocks : one row per fire unit per replication: rounds at the start and end of the night
    cross_border : per measure: intercepts over each country, intercepts near populated places
        per country, allied engagements over non-allied countries, threats bound for NATO
        airspace and those stopped before they got there (the ``compare`` measures)
    measures : the per-replication measures, long: replication, measure, key, value
    run_id : the run's id in the results directory it was saved to (``out``), else None
    route_sets : how many route sets the nights flew (as many as nights: each its own routes)
    """

    scenario_name: str
    notional: bool
    replications: int
    seed: int
    engine: str
    threats: pd.DataFrame
    shots: pd.DataFrame
    by_class: pd.DataFrame
    by_target: pd.DataFrame
    interceptors: pd.DataFrame
    by_unit: pd.DataFrame
    stocks: pd.DataFrame
    cross_border: pd.DataFrame
    measures: pd.DataFrame
    run_id: str | None = None
    scenario: Scenario | None = field(default=None, compare=False)
    route_sets: int | None = None
    calibration: str | None = None
    started: datetime | None = None
    # issue 23 item 10: the calibration applied (file, sha256, train_until, quarter, multipliers,
    # warnings), :meth:`skyshield.calibration.applied.AppliedCalibration.to_dict`; None if none
    calibration_applied: dict[str, Any] | None = None
    # air patrols (issue #22): per patrol sorties, hours on station, rounds, kills, cost; None
    # for a scenario without patrols
    air_patrols: pd.DataFrame | None = field(default=None, compare=False)

    # v3: ``calibration``, the calibration applied (null without one); by_target quantity
    # (impacts, reached_area), night_p5 and night_p95 in every summary table
    SCHEMA: ClassVar[str] = "skyshield/run/v3"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``run --json`` prints (no per-threat or per-shot table; no NaN)."""
        return {
            "schema": self.SCHEMA,
            "scenario": self.scenario_name,
            "notional_positions": self.notional,
            "replications": self.replications,
            "route_sets": self.route_sets,
            "seed": self.seed,
            "engine": self.engine,
            "by_class": records(self.by_class),
            "by_target": records(self.by_target),
            "interceptors": records(self.interceptors),
            "by_unit": records(self.by_unit),
            "cross_border": records(self.cross_border),
            "run_id": self.run_id,
            "calibration": self.calibration_applied,
            "air_patrols": [] if self.air_patrols is None else records(self.air_patrols),
        }

    def save(self, directory: StrPath) -> str:
        """Save every table in a results directory (Parquet, the run in its catalog).

        Returns the run id; ``skyshield runs DIR`` lists it and
        :func:`skyshield.store.read_run` reads the tables back.

        Raises
        ------
        StoreError
            The summary does not hold its scenario (one built by hand), or the directory
            cannot be written.
        """
        if self.scenario is None:
            raise StoreError("save: expected a summary holding its scenario, got none")
        text, digest = canonical_scenario(self.scenario)
        return save_result(
            directory,
            self.tables(),
            kind="run",
            name=self.scenario_name,
            parameters={
                "engine": self.engine,
                "calibration": self.calibration,
                "calibration_applied": self.calibration_applied,
            },
            seed=self.seed,
            replications=self.replications,
            scenario_json=text,
            scenario_sha256=digest,
            started=self.started,
        )

    def __repr__(self) -> str:
        """Show the scenario, its size and the mean threats per night by fate."""
        lines = [
            f"RunSummary {self.scenario_name}: {self.replications:,} nights, seed {self.seed}, "
            f"{self.engine} engine" + (", NOTIONAL positions" if self.notional else "")
        ]
        if self.calibration_applied is not None:
            lines.append(f"  {self.calibration_applied['description']}")
        table = self.by_class.set_index(["threat_class", "quantity"])["mean"]
        for cls in dict.fromkeys(self.by_class["threat_class"]):
            row = table.loc[cls]
            shown = ", ".join(f"{q.replace('_', ' ')} {v:.1f}" for q, v in row.items())
            lines.append(f"  {cls}: {shown} per night")
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the run by name, as the results store writes them."""
        return {
            "threats": self.threats,
            "shots": self.shots,
            "stocks": self.stocks,
            "measures": self.measures,
            "by_class": self.by_class,
            "by_target": self.by_target,
            "interceptors": self.interceptors,
            "by_unit": self.by_unit,
            "cross_border": self.cross_border,
            **({} if self.air_patrols is None else {"air_patrols": self.air_patrols}),
        }

    def plot(self) -> Figure:
        """Per-night distribution of each class's fates (a matplotlib Figure; save or show it)."""
        from skyshield.plots import plot_fates_per_night  # matplotlib: only when a plot is asked

        return plot_fates_per_night(
            self.threats,
            self.replications,
            title=f"{self.scenario_name}: threats per night by fate ({self.replications:,} nights)",
        )


def summarize(result: Run) -> RunSummary:
    """Summary tables of a finished run."""
    reps = np.arange(result.replications)
    measures = per_replication_measures(
        result.scenario, result.compiled, result.geometry, result.outcomes, result.replications
    )
    return RunSummary(
        scenario_name=result.scenario.name,
        notional=result.scenario.notional,
        replications=result.replications,
        seed=result.seed,
        engine=result.engine.value,
        threats=result.outcomes.threats,
        shots=result.outcomes.shots,
        by_class=by_class(result.outcomes, reps, result.route_sets),
        by_target=by_target(result.outcomes, reps, result.route_sets),
        interceptors=interceptors(result.outcomes, reps, result.route_sets),
        by_unit=by_unit(result.outcomes, reps, result.route_sets),
        stocks=result.outcomes.stocks,
        cross_border=cross_border(measures, result.route_sets),
        measures=long_measures(measures),
        route_sets=result.geometry.n_realizations,
        air_patrols=air_patrols(result.scenario, result.outcomes.shots, result.replications)
        if result.scenario.air_patrols
        else None,
    )
