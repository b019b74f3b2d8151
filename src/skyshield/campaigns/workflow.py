"""The campaign workflow: a campaign file in, a :class:`CampaignRun` out (``skyshield campaign``).

Loads the campaign and the reports that set its raid tempo, builds the raid pool, runs the
planned delivery schedule and any alternative ones side by side, optionally solves for the
smallest monthly delivery that keeps the stock-out risk under a bound, and returns it all.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from skyshield.campaigns.build import build_plan, pool_for
from skyshield.campaigns.load import DEFAULT_CAMPAIGN, load_campaign
from skyshield.campaigns.models import Campaign
from skyshield.campaigns.simulate import CampaignResult, Plan, simulate_campaign
from skyshield.campaigns.solve import DeliverySolution, solve_deliveries
from skyshield.campaigns.store import campaign_record, campaign_tables
from skyshield.campaigns.summary import CampaignSummary, summarize_campaign
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.reports import load_reports
from skyshield.store import StrPath, check_results_directory, save_run, utc_now
from skyshield.store.documents import json_ready

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PLANNED", "CampaignRun", "campaign", "parse_schedule"]

PLANNED = "as planned"  # the campaign file's own delivery schedule
_MAX_RATE = 1e6  # rounds a month: beyond any plausible schedule

# (stage, done, total): a workflow's progress through its named stages, in order
StageProgress = Callable[[str, int, int], None]


def parse_schedule(plan: Plan, text: str) -> tuple[str, Plan]:
    """Parse ``SYSTEM=xK`` (K times its monthly delivery) or ``SYSTEM=N`` (rounds a month).

    Returns the schedule's label and the plan with that delivery.

    Raises
    ------
    ScenarioError
        ``--deliveries: expected ..., got '...'`` for an unknown system or a bad rate.
    """
    system, sep, value = text.partition("=")
    problem = None
    rate = -1.0
    if not sep or system not in plan.systems:
        problem = f"SYSTEM=xK or SYSTEM=N with SYSTEM one of {', '.join(plan.systems)}"
    else:
        try:
            rate = (
                float(value[1:]) * plan.per_month[plan.systems.index(system)]
                if value.startswith("x")
                else float(value)
            )
        except ValueError:
            rate = -1.0
        if not 0 <= rate <= _MAX_RATE:
            problem = "a multiplier xK or a number of rounds per month, >= 0"
    if problem is not None:
        raise ScenarioError("--deliveries", [FieldProblem("", problem, repr(text))])
    return f"{system}={value}", plan.with_deliveries(system, rate)


@dataclass(frozen=True, slots=True)
class CampaignRun:
    """A campaign run: every delivery schedule's replications, their summaries, the solver's answer.

    Attributes
    ----------
    campaign : the campaign as loaded
    source : the file or built-in name it came from
    plan : the planned schedule (start, systems, stocks, deliveries)
    results : per schedule label (``"as planned"`` first): the replications, night by night
    summaries : per schedule label: stock-out risk per system, monthly hits and cost
    solution : the delivery solver's answer, if one was asked for
    seed, replications : of the run
    options : the options as given (deliveries, solver), recorded with a saved run
    data : the reports CSV given (its hash is recorded), None for the shipped copy
    started : when the work began (UTC)
    run_id : the run's id in the results directory it was saved to, else None
    """

    campaign: Campaign
    source: str
    plan: Plan
    results: dict[str, CampaignResult]
    summaries: dict[str, CampaignSummary]
    solution: DeliverySolution | None
    seed: int
    replications: int
    options: dict[str, Any]
    data: Path | None
    started: datetime
    run_id: str | None = None

    SCHEMA: ClassVar[str] = "skyshield/campaign/v1"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``campaign --json`` prints: the planned schedule's summary, then others."""
        document: dict[str, Any] = {
            "schema": self.SCHEMA,
            "campaign": self.campaign.name,
            "start": self.plan.start.isoformat(),
            **self.summaries[PLANNED].to_dict(),
        }
        if self.plan.generator is not None:
            document["raid_generator"] = self.plan.generator.to_dict()
        if len(self.summaries) > 1:
            document["schedules"] = [
                {"schedule": label, **s.to_dict()} for label, s in self.summaries.items()
            ]
        if self.solution is not None:
            document["solution"] = self.solution.to_dict()
        document["run_id"] = self.run_id
        result: dict[str, Any] = json_ready(document)
        return result

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return every table (see :mod:`skyshield.campaigns.store`), schedules in one column.

        The solver's candidates are the tables of :attr:`solution`, a result of its own.
        """
        return campaign_tables(self.results, self.summaries)

    def plot(self) -> Figure:
        """Plot each tracked system's stock bands and stock-out nights, and cumulative hits."""
        from skyshield.campaigns.plots import plot_campaign

        figure: Figure = plot_campaign(self.results)
        return figure

    def save(self, directory: StrPath) -> str:
        """Save the run in a results directory; return its run id.

        The catalog row and every table (Parquet) as :func:`skyshield.store.save_run` writes
        them, plus ``campaign.json`` (this run's ``to_dict``), ``monthly.csv`` per schedule and
        ``campaign.png`` in the directory itself.
        """
        folder = Path(directory)
        check_results_directory(folder)
        record = campaign_record(
            self.campaign,
            source=self.source,
            seed=self.seed,
            replications=self.replications,
            options=self.options,
            data=self.data,
        )
        record = dataclasses.replace(record, started=self.started)
        save_run(folder, record, self.tables())
        document = dataclasses.replace(self, run_id=record.run_id).to_dict()
        self.plot().savefig(folder / "campaign.png")
        (folder / "campaign.json").write_text(json.dumps(document, indent=1) + "\n")
        for label, summary in self.summaries.items():
            name = "monthly.csv" if label == PLANNED else f"monthly-{_slug(label)}.csv"
            summary.monthly.to_csv(folder / name, index=False)
        return record.run_id

    def __repr__(self) -> str:
        """Show in a few lines: the campaign, its size, each schedule's stock-out risk."""
        first = self.summaries[PLANNED]
        lines = [
            f"CampaignRun {self.campaign.name}: {first.nights} nights from {self.plan.start}, "
            f"{self.replications} replications, {len(self.summaries)} schedule(s)"
        ]
        for label, summary in self.summaries.items():
            risks = ", ".join(
                f"{r.system} {r.p_stockout:.2f}" for r in summary.systems.itertuples()
            )
            lines.append(f"  {label}: P(stock-out) {risks}")
        if self.solution is not None:
            lines.append(f"  solver: {self.solution.system} needs {self.solution.per_month}/month")
        return "\n".join(lines)


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-." else "-" for ch in label)


def campaign(
    source: str | Path | Campaign | None = None,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    deliveries: Sequence[str] = (),
    solve: str | None = None,
    max_risk: float = 0.1,
    data: str | Path | None = None,
    out: StrPath | None = None,
    progress: StageProgress | None = None,
    tried: Callable[[int, float], None] | None = None,
) -> CampaignRun:
    """Run nights of raids with stocks that deplete and deliveries: when do interceptors run out.

    Parameters
    ----------
    source : a campaign YAML file or built-in name; default ``h2-2025-patriot``; or a
        :class:`Campaign` already loaded (named by its ``name``)
    replications, seed : override the campaign's Monte Carlo settings
    workers : threads (the results do not depend on them)
    deliveries : other schedules to run side by side: ``"SYSTEM=xK"`` (K times its monthly
        delivery) or ``"SYSTEM=N"`` (rounds a month)
    solve : find the smallest monthly delivery of this system that keeps P(stock-out before
        the end) at most ``max_risk``
    data : a reports CSV in the shipped format (the raid tempo); default: the shipped copy
    out : a results directory to save the run in (:meth:`CampaignRun.save`)
    progress : called with (stage, done, total): ``raid pool (geometry)``, ``campaign: LABEL``
        per schedule, ``solving SYSTEM``
    tried : with ``solve``, called with (rounds a month, P(stock-out)) for each delivery the
        solver tries, as it goes; the answer is then run as a schedule of its own, labelled
        ``SYSTEM=N (solved)``

    Examples
    --------
    >>> run = skyshield.campaign(replications=20)  # doctest: +SKIP
    >>> run.tables()["campaign_systems"]  # doctest: +SKIP
    """
    started = utc_now()
    if out is not None:
        check_results_directory(Path(out))
    loaded = source if isinstance(source, Campaign) else load_campaign(source)
    reps = replications or loaded.monte_carlo.replications
    run_seed = loaded.monte_carlo.seed if seed is None else seed
    if isinstance(source, Campaign):
        name = source.name
    else:
        name = str(source) if source is not None else DEFAULT_CAMPAIGN
    data_path = None if data is None else Path(data)
    plan = build_plan(loaded, load_reports(data_path), name)
    schedules = {PLANNED: plan}
    for text in deliveries:
        label, variant = parse_schedule(plan, text)
        schedules[label] = variant
    if solve is not None and solve not in plan.systems:
        expected = f"one of {', '.join(plan.systems)}"
        raise ScenarioError("--solve-deliveries", [FieldProblem("", expected, repr(solve))])

    def stage(label: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(label, done, total)

    pool_stage = stage("raid pool (geometry)")
    if pool_stage is not None:
        pool_stage(0, 0)
    pool = pool_for(loaded, plan, name, data_path)
    results: dict[str, CampaignResult] = {}
    for label, variant in schedules.items():
        results[label] = simulate_campaign(
            pool,
            variant,
            replications=reps,
            seed=run_seed,
            workers=workers,
            progress=stage(f"campaign: {label}"),
        )
    solution = None
    if solve is not None:
        solution = solve_deliveries(
            pool,
            plan,
            solve,
            max_risk,
            replications=reps,
            seed=run_seed,
            workers=workers,
            progress=stage(f"solving {solve}"),
            tried=tried,
        )
        if solution.per_month is not None:  # the answer's own tables, beside the others
            label = f"{solve}={solution.per_month} (solved)"
            results[label] = simulate_campaign(
                pool,
                plan.with_deliveries(solve, solution.per_month),
                replications=reps,
                seed=run_seed,
                workers=workers,
                progress=stage(f"campaign: {label}"),
            )
    run = CampaignRun(
        campaign=loaded,
        source=name,
        plan=plan,
        results=results,
        summaries={label: summarize_campaign(r) for label, r in results.items()},
        solution=solution,
        seed=run_seed,
        replications=reps,
        options={
            "deliveries": list(deliveries),
            "solve_deliveries": solve,
            "max_risk": max_risk if solve is not None else None,
            "schedules": list(schedules),
        },
        data=data_path,
        started=started,
    )
    if out is None:
        return run
    return dataclasses.replace(run, run_id=run.save(out))
