"""Compare policies on the same raid, night by night (common random numbers).

Every scenario is run with the same seed. Where their raids are identical, replication ``r``
of each policy flies the same launch times, routes and electronic-warfare losses, and the n-th
interceptor fired at a threat draws the same uniform whichever unit fires it. Differences are
then taken per replication (paired), which removes the raid-to-raid variation that both share:
the paired 95% interval is mean ± 1.96·s_d/√n of the per-night differences; the unpaired one,
shown for comparison, is ± 1.96·√(s_a² + s_b²)/√n. A policy whose raid differs from the
baseline's (another size, other routes) has no night to pair with: its differences carry only
the unpaired interval (``paired_ci95`` is NaN) and the comparison lists it in ``unpaired``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import route_set
from skyshield.engine.geometry import build_geometry
from skyshield.errors import FieldProblem, ScenarioError, StoreError
from skyshield.metrics.policy import (
    DEFAULT_DEBRIS,
    MASSED_RAIDS_PER_MONTH,
    DebrisRule,
    Measure,
    long_measures,
    measure_frame,
    per_replication_measures,
)
from skyshield.metrics.summary import half_width_95, ratio_half_width_95
from skyshield.runner.geometry_cache import GeometryCache
from skyshield.runner.montecarlo import (
    EngineKind,
    GeometryBuilder,
    Run,
    own_routes_per_block,
    route_sets,
    run_own_routes_together,
    run_replications,
)
from skyshield.scenario import Scenario
from skyshield.scenario.variation import Variation, apply_variation, parse_variation
from skyshield.store import StrPath, canonical_scenario
from skyshield.store.documents import records, save_result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SENSITIVITY_MEASURES",
    "SENSITIVITY_OUTPUTS",
    "PolicyComparison",
    "Variation",
    "apply_variation",
    "compare",
    "parse_variation",
    "run_measures",
]

ESCALATION = "allied_engagements_over_non_allied"
# Measures shown for each value of a varied parameter.
SENSITIVITY_OUTPUTS = (
    Measure("leakers", "all"),
    Measure(ESCALATION, "all"),
    Measure("interceptor_cost_usd"),
)
# their columns in the wide per-replication tables
SENSITIVITY_MEASURES = tuple(m.column for m in SENSITIVITY_OUTPUTS)


@dataclass(frozen=True, slots=True)
class PolicyComparison:
    """Result of :func:`compare`; every table is tidy (one row per measure and policy).

    Attributes
    ----------
    summary : measure, key, policy, mean per night, ci95 (half width of the 95% CI of the
        mean); ``key`` says what the measure counts (a class, nation, target) or is ``""``
    differences : measure, key, policy, baseline, mean, diff, paired_ci95, unpaired_ci95
        (``paired_ci95`` NaN for a policy in ``unpaired``: its raid differs from the baseline's)
    cost_exchange : policy, interceptor cost, threat cost destroyed, their ratio (of means) and
        the ratio's 95% half-width (delta method)
    run_id : the comparison's id in the results directory it was saved to, else None
    sensitivity : policy, parameter, value, measure, key, diff vs baseline, ci95 (half width: paired
        if ``paired``, else unpaired because the varied raid differs from the baseline's)
    route_sets : how many route sets the nights flew (as many as nights: each its own routes)
    """

    names: tuple[str, ...]
    unpaired: tuple[str, ...]
    replications: int
    seed: int
    raids_per_month: float
    debris: DebrisRule
    measures: dict[str, pd.DataFrame]
    summary: pd.DataFrame
    differences: pd.DataFrame
    cost_exchange: pd.DataFrame
    sensitivity: pd.DataFrame
    run_id: str | None = None
    scenarios: tuple[Scenario, ...] = dataclasses.field(default=(), compare=False)
    variations: tuple[Variation, ...] = ()
    calibration: str | None = None
    started: datetime | None = None
    route_sets: int | None = None  # issue 20: reported like run's
    # issue 23 item 10: the calibration applied, as run --json gives it (None without one)
    calibration_applied: dict[str, Any] | None = None

    # v3: ``calibration``, the calibration applied (null without one), as in run/v3
    SCHEMA: ClassVar[str] = "skyshield/compare/v3"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``compare --json`` prints (no per-replication measures; no NaN)."""
        return {
            "schema": self.SCHEMA,
            "policies": list(self.names),
            "baseline": self.names[0],
            "unpaired": list(self.unpaired),
            "replications": self.replications,
            "route_sets": self.route_sets,
            "seed": self.seed,
            "raids_per_month": self.raids_per_month,
            "debris_radius_km": self.debris.radius_km,
            "debris_min_population": self.debris.min_population,
            "summary": records(self.summary),
            "differences": records(self.differences),
            "cost_exchange": records(self.cost_exchange),
            "sensitivity": records(self.sensitivity),
            "run_id": self.run_id,
            "calibration": self.calibration_applied,
        }

    def plot(self) -> Figure:
        """Plot each measure's mean per night ± 95% CI, one bar per policy."""
        from skyshield.plots import plot_interval_panels

        return plot_interval_panels(
            self.summary,
            panel="measure",
            x="policy",
            title=f"{self.replications:,} nights per policy: mean per night ± 95% CI",
        )

    def save(self, directory: StrPath) -> str:
        """Save every table in a results directory (Parquet, the run in its catalog).

        Returns the run id. The comparison must hold its scenarios (as :func:`compare` leaves
        them); :class:`StoreError` otherwise.
        """
        if not self.scenarios:
            raise StoreError("save: expected a comparison holding its scenarios, got none")
        text = "[" + ",".join(canonical_scenario(s)[0] for s in self.scenarios) + "]"
        return save_result(
            directory,
            self.tables(),
            kind="compare",
            name=",".join(self.names),
            parameters={
                "vary": [[v.path, list(v.values)] for v in self.variations],
                "raids_per_month": self.raids_per_month,
                "debris_radius_km": self.debris.radius_km,
                "debris_min_population": self.debris.min_population,
                "unpaired": list(self.unpaired),
                "calibration": self.calibration,
                "calibration_applied": self.calibration_applied,
            },
            seed=self.seed,
            replications=self.replications,
            scenario_json=text,
            scenario_sha256=hashlib.sha256(text.encode()).hexdigest(),
            started=self.started,
        )

    def __repr__(self) -> str:
        """Show the policies, the nights and each policy's leakers and cost per night."""
        lines = [
            f"PolicyComparison: baseline {self.names[0]} vs {', '.join(self.names[1:])}; "
            f"{self.replications:,} nights, seed {self.seed}"
            + (f"; unpaired: {', '.join(self.unpaired)}" if self.unpaired else "")
        ]
        summary = self.summary.set_index(["measure", "key", "policy"])
        for name in self.names:
            cells = [
                _headline(m, float(summary.loc[(*m, name), "mean"]))
                for m in SENSITIVITY_OUTPUTS
                if (*m, name) in summary.index
            ]
            lines.append(f"  {name}: " + ", ".join(cells) + " per night")
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, as the results store writes them (measures long, by policy)."""
        measures = pd.concat(
            [
                long_measures(table).assign(policy=name)[
                    ["policy", "replication", "measure", "key", "value"]
                ]
                for name, table in self.measures.items()
            ],
            ignore_index=True,
        )
        return {
            "policy_measures": measures,
            "summary": self.summary,
            "differences": self.differences,
            "cost_exchange": self.cost_exchange,
            "sensitivity": self.sensitivity.astype({"value": str}),
        }


def _headline(measure: Measure, mean: float) -> str:
    """``leakers (all) 39.2`` or ``interceptor cost USD M 287.5``: one measure's mean."""
    name = measure.measure.replace("_usd", "").replace("_", " ")
    if measure.measure.endswith("_usd"):
        return f"{name} USD M {mean / 1e6:,.1f}"
    return f"{name} ({measure.key}) {mean:,.1f}" if measure.key else f"{name} {mean:,.1f}"


def _check_comparable(scenarios: Sequence[Scenario], names: Sequence[str]) -> None:
    """Monte Carlo and engine settings must match; raids may differ (then unpaired)."""
    first = scenarios[0]
    for name, other in zip(names[1:], scenarios[1:], strict=True):
        for field in ("monte_carlo", "engine"):
            if getattr(other, field) != getattr(first, field):
                expected = f"the same {field} as {names[0]} (compare runs the same nights)"
                raise ScenarioError(name, [FieldProblem(field, expected, "a different one")])


def run_measures(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int,
    engine: EngineKind,
    raids_per_month: float,
    debris: DebrisRule,
    adjust: Callable[[CompiledScenario], CompiledScenario] | None = None,
    *,
    route_seed: int | None = None,
    build: GeometryBuilder = build_geometry,
) -> pd.DataFrame:
    """Run a scenario and return its per-replication measures (wide, ``measure/key`` columns).

    ``route_seed`` and ``build``: as :func:`~skyshield.runner.montecarlo.run_replications`.
    Adds the escalation measure summed over nations (``allied_engagements_over_non_allied/all``)
    and each escalation measure per month at ``raids_per_month``.
    """
    run = run_replications(
        scenario,
        replications=replications,
        seed=seed,
        workers=workers,
        engine=engine,
        adjust=adjust,
        route_seed=route_seed,
        build=build,
    )
    return _run_table(run, raids_per_month, debris)


def _run_table(run: Run, raids_per_month: float, debris: DebrisRule) -> pd.DataFrame:
    """Return a finished run's per-replication measures (see :func:`run_measures`)."""
    table = per_replication_measures(
        run.scenario, run.compiled, run.geometry, run.outcomes, run.replications, debris
    )
    escalation = [c for c in table.columns if c.startswith(f"{ESCALATION}/")]
    table[f"{ESCALATION}/all"] = table[escalation].sum(axis=1) if escalation else 0.0
    for column in [*escalation, f"{ESCALATION}/all"]:
        table[column.replace(ESCALATION, f"{ESCALATION}_per_month")] = (
            table[column] * raids_per_month
        )
    return table.sort_index(axis=1)


def _differences(
    base_name: str,
    base: pd.DataFrame,
    name: str,
    other: pd.DataFrame,
    clusters: np.ndarray,
    *,
    paired: bool = True,
) -> pd.DataFrame:
    columns = sorted(set(base.columns) | set(other.columns))
    a = base.reindex(columns=columns, fill_value=0.0)
    b = other.reindex(columns=columns, fill_value=0.0)
    diff = b - a
    paired_ci95 = np.asarray(half_width_95(diff, clusters)) if paired else np.nan
    return measure_frame(columns).assign(
        **{
            "policy": name,
            "baseline": base_name,
            "baseline_mean": a.mean().to_numpy(),
            "mean": b.mean().to_numpy(),
            "diff": diff.mean().to_numpy(),
            "paired_ci95": paired_ci95,
            "unpaired_ci95": np.sqrt(
                np.asarray(half_width_95(a, clusters)) ** 2
                + np.asarray(half_width_95(b, clusters)) ** 2
            ),
        }
    )


def compare(
    scenarios: Sequence[Scenario],
    *,
    names: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    engine: EngineKind = EngineKind.FAST,
    raids_per_month: float = MASSED_RAIDS_PER_MONTH,
    variations: Sequence[Variation] = (),
    debris: DebrisRule = DEFAULT_DEBRIS,
    progress: Callable[[str], None] | None = None,
    adjust: Callable[[CompiledScenario], CompiledScenario] | None = None,
) -> PolicyComparison:
    """Run each policy on the same raid nights and difference them against the first.

    Every ``variations`` value is applied and validated before anything runs.
    """
    if len(scenarios) < 2:  # noqa: PLR2004
        raise ScenarioError(
            "compare", [FieldProblem("", "at least two scenarios", f"{len(scenarios)}")]
        )
    names = tuple(names or (s.name for s in scenarios))
    _check_comparable(scenarios, names)
    varied_runs = [
        (
            variation.path,
            value,
            name,
            apply_variation(scenario, variation.path, value, source="--vary"),
        )
        for variation in variations
        for name, scenario in zip(names[1:], scenarios[1:], strict=True)
        for value in variation.values
    ]
    raid = scenarios[0].raid
    unpaired = tuple(n for n, s in zip(names, scenarios, strict=True) if s.raid != raid)
    n_reps = replications or scenarios[0].monte_carlo.replications
    run_seed = scenarios[0].monte_carlo.seed if seed is None else seed
    n_route_sets = route_sets(scenarios[0], n_reps)
    clusters = route_set(np.arange(n_reps), n_route_sets)

    # every run: the policies, then each varied policy
    runs = [*scenarios, *(varied for *_, varied in varied_runs)]
    labels = [*names, *(f"{name} with {path}={value}" for path, value, name, _ in varied_runs)]
    if all(own_routes_per_block(route_sets(s, n_reps), n_reps, build_geometry) for s in runs):
        # every night its own routes: the runs go block by block together, each block's
        # route sets flown once for all (and its windows solved once for the policies whose
        # geometry is the same), then dropped: memory bounded by the block
        if progress is not None:
            progress(", ".join(labels) + " (together, block by block)")
        together = run_own_routes_together(
            runs,
            replications=n_reps,
            seed=run_seed,
            workers=workers,
            engine=engine,
            adjust=adjust,
        )
        all_tables = []
        while together:  # each run's outcome tables go once its measures are taken
            all_tables.append(_run_table(together.pop(0), raids_per_month, debris))
    else:
        # policies fly the same routes (one seed): the flights are built once, and the whole
        # geometry once for policies differing only where the geometry does not look
        cache = GeometryCache(flights=1, geometries=1)

        def measure(scenario: Scenario, label: str) -> pd.DataFrame:
            if progress is not None:
                progress(label)
            return run_measures(
                scenario,
                n_reps,
                run_seed,
                workers,
                engine,
                raids_per_month,
                debris,
                adjust,
                build=cache,
            )

        all_tables = [measure(s, label) for s, label in zip(runs, labels, strict=True)]
    tables = dict(zip(names, all_tables[: len(names)], strict=True))
    # a measure one policy has (an ally's rounds, say) is zero for the others
    columns = sorted(set().union(*(t.columns for t in tables.values())))
    tables = {name: t.reindex(columns=columns, fill_value=0.0) for name, t in tables.items()}
    base_name, base = names[0], tables[names[0]]
    summary = pd.concat(
        [
            measure_frame(t.columns).assign(
                policy=n,
                mean=t.mean().to_numpy(),
                ci95=np.asarray(half_width_95(t, clusters)),
            )
            for n, t in tables.items()
        ],
        ignore_index=True,
    )
    differences = pd.concat(
        [
            _differences(base_name, base, n, tables[n], clusters, paired=n not in unpaired)
            for n in names[1:]
        ],
        ignore_index=True,
    )
    cost = pd.DataFrame(
        {
            "policy": list(tables),
            "interceptor_cost_usd": [t["interceptor_cost_usd"].mean() for t in tables.values()],
            "threat_cost_destroyed_usd": [
                t["threat_cost_destroyed_usd"].mean() for t in tables.values()
            ],
        }
    )
    cost["cost_exchange_ratio"] = cost["interceptor_cost_usd"] / cost[
        "threat_cost_destroyed_usd"
    ].where(cost["threat_cost_destroyed_usd"] > 0)
    # over each policy's own nights, which share route sets as the baseline's do
    cost["cost_exchange_ci95"] = [
        ratio_half_width_95(t["interceptor_cost_usd"], t["threat_cost_destroyed_usd"], clusters)
        for t in tables.values()
    ]
    rows = []
    for (path, value, name, varied), table in zip(
        varied_runs, all_tables[len(names) :], strict=True
    ):
        paired = varied.raid == raid
        diff = _differences(base_name, base, name, table, clusters, paired=paired)
        diff = diff.set_index(["measure", "key"])
        for m in SENSITIVITY_OUTPUTS:
            row = diff.loc[m] if m in diff.index else None
            ci = "paired_ci95" if paired else "unpaired_ci95"
            rows.append(
                {
                    "policy": name,
                    "parameter": path,
                    "value": value,
                    "measure": m.measure,
                    "key": m.key,
                    "diff": np.nan if row is None else row["diff"],
                    "ci95": np.nan if row is None else row[ci],
                    "paired": paired,
                }
            )
    sensitivity = pd.DataFrame(
        rows, columns=["policy", "parameter", "value", "measure", "key", "diff", "ci95", "paired"]
    )
    return PolicyComparison(
        names=names,
        unpaired=unpaired,
        replications=n_reps,
        seed=run_seed,
        raids_per_month=raids_per_month,
        debris=debris,
        measures=tables,
        summary=summary,
        differences=differences,
        cost_exchange=cost,
        sensitivity=sensitivity,
        route_sets=n_route_sets,
    )
