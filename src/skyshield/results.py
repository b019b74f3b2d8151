"""Results of the API's workflows, as tidy pandas tables: :class:`RunSummary` (``run``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from skyshield.metrics.policy import cross_border, long_measures, per_replication_measures
from skyshield.metrics.summary import by_class, by_target, by_unit, interceptors
from skyshield.runner.montecarlo import Run

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RunSummary", "summarize"]


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (without the per-threat and per-shot tables)."""
        return {
            "scenario": self.scenario_name,
            "notional_positions": self.notional,
            "replications": self.replications,
            "seed": self.seed,
            "engine": self.engine,
            "by_class": self.by_class.to_dict(orient="records"),
            "by_target": self.by_target.to_dict(orient="records"),
            "interceptors": self.interceptors.to_dict(orient="records"),
            "by_unit": self.by_unit.to_dict(orient="records"),
            "cross_border": self.cross_border.to_dict(orient="records"),
            "run_id": self.run_id,
        }

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
    )
