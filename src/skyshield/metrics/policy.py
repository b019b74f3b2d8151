"""Per-replication measures for the policy question: leakers, cost, escalation exposure, debris.

Every measure is a column of one table with a row per replication (a simulated night), so that
policies run on the same raid realizations can be differenced night by night (paired).
Column names are ``measure/key``: ``leakers/cruise``, ``impacts/Lviv``, ``rounds/PL``,
``asset_value_hit/all`` (the scenario's asset values of targets hit: a casualty proxy),
``allied_engagements_over_non_allied/PL``, ``intercepts_over/UA``, ``debris_near_populated/UA``;
issue #22: ``fell/all``, ``fell_in/PL`` (where threats fell on their own),
``fell_near_populated/PL``, ``failed_interceptors_near_populated/PL`` (missed rounds' ground
points within the debris rule's radius), ``locationally_lost/all`` (lost to EW or fell).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from skyshield.catalog import ThreatClass
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.geometry import RunGeometry
from skyshield.engine.outcomes import Fate, Outcomes
from skyshield.geo import NATION_CODES, near_populated_place_mask
from skyshield.metrics.summary import mean_interval
from skyshield.scenario import Scenario
from skyshield.settings import DEFAULT_DEBRIS, MASSED_RAIDS_PER_MONTH, DebrisRule
from skyshield.units import KM_TO_M

__all__ = [
    "DEFAULT_DEBRIS",
    "MASSED_RAIDS_PER_MONTH",
    "NATO_MEMBERS",
    "DebrisRule",
    "Measure",
    "cross_border",
    "long_measures",
    "measure_frame",
    "per_replication_measures",
    "wide_measures",
]


class Measure(NamedTuple):
    """A per-replication measure as data: its kind and key (``""`` for a measure without one).

    ``Measure("leakers", "all")``, ``Measure("impacts", "Lviv")``,
    ``Measure("interceptor_cost_usd", "")``: the ``measure`` and ``key`` columns of the long
    tables, so nothing downstream parses a ``measure/key`` string.
    """

    measure: str
    key: str = ""

    @property
    def column(self) -> str:
        """Its column name in :func:`per_replication_measures`'s wide table (``measure/key``)."""
        return f"{self.measure}/{self.key}" if self.key else self.measure

    @classmethod
    def of(cls, column: str) -> Measure:
        """Return the measure a wide column names (the one place such a name is parsed)."""
        measure, _, key = str(column).partition("/")
        return cls(measure, key)


def measure_frame(columns: pd.Index | list[str]) -> pd.DataFrame:
    """``measure`` and ``key`` columns for a wide table's measure columns, in their order."""
    parsed = [Measure.of(c) for c in columns]
    return pd.DataFrame(
        {
            "measure": pd.Series([m.measure for m in parsed], dtype=object).astype(str),
            "key": pd.Series([m.key for m in parsed], dtype=object).astype(str),
        }
    )


# The 32 NATO member states (ISO 3166-1 alpha-2), as listed by NATO, "NATO member countries",
# https://www.nato.int/cps/en/natohq/topics_52044.htm (Sweden joined on 2024-03-07).
NATO_MEMBERS = frozenset(
    [
        "AL",
        "BE",
        "BG",
        "CA",
        "HR",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IS",
        "IT",
        "LV",
        "LT",
        "LU",
        "ME",
        "NL",
        "MK",
        "NO",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "TR",
        "GB",
        "US",
    ]
)


def _counts(
    frame: pd.DataFrame, replications: np.ndarray, column: str, prefix: str
) -> pd.DataFrame:
    """Rows per replication and value of ``column``, as ``prefix/value`` columns (0 when none)."""
    if frame.empty:
        return pd.DataFrame(index=pd.Index(replications, name="replication"))
    wide = frame.groupby(["replication", column], observed=True).size().unstack(column)
    wide = wide.reindex(pd.Index(replications, name="replication"), fill_value=0).fillna(0)
    wide.columns = [f"{prefix}/{c}" for c in wide.columns]
    return wide


def _sums(
    frame: pd.DataFrame, replications: np.ndarray, column: str, value: str, prefix: str
) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(index=pd.Index(replications, name="replication"))
    wide = frame.groupby(["replication", column], observed=True)[value].sum().unstack(column)
    wide = wide.reindex(pd.Index(replications, name="replication"), fill_value=0).fillna(0)
    wide.columns = [f"{prefix}/{c}" for c in wide.columns]
    return wide


def _near(
    lon: pd.Series | list[float], lat: pd.Series | list[float], debris: DebrisRule
) -> np.ndarray:
    """(n,) bool: points within the debris rule's radius of a populated place."""
    lon_deg, lat_deg = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    if lon_deg.size == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(
        near_populated_place_mask(
            lon_deg, lat_deg, debris.radius_km * KM_TO_M, debris.min_population
        ),
        dtype=bool,
    )


def _first_nato_time_s(geometry: RunGeometry, n_threats: int) -> np.ndarray:
    """(n_realizations, n_threats) first time over a NATO member after launch, or inf."""
    nato = np.asarray([code in NATO_MEMBERS for code in NATION_CODES] + [False])
    out = np.full((geometry.n_realizations, n_threats), np.inf)
    for r, terr in enumerate(geometry.territory):
        over = nato[np.where(terr.code < 0, len(NATION_CODES), terr.code)]
        owner = np.repeat(np.arange(n_threats), np.diff(terr.offset))
        np.minimum.at(out[r], owner[over], terr.lo_s[over])
    return out


def per_replication_measures(
    scenario: Scenario,
    compiled: CompiledScenario,
    geometry: RunGeometry,
    outcomes: Outcomes,
    replications: int,
    debris: DebrisRule = DEFAULT_DEBRIS,
) -> pd.DataFrame:
    """One row per replication, one column per measure (see the module docstring)."""
    threats, shots = outcomes.threats, outcomes.shots
    reps = np.arange(replications)
    index = pd.Index(reps, name="replication")
    impacted = threats[threats["fate"] == Fate.IMPACTED.label]
    intercepted = threats[threats["fate"] == Fate.INTERCEPTED.label]
    parts = [
        _counts(impacted, reps, "threat_class", "leakers"),
        _counts(impacted, reps, "target", "impacts"),
        _counts(shots, reps, "nation", "rounds"),
        _sums(shots, reps, "nation", "cost_usd", "cost_usd"),
        _counts(intercepted, reps, "territory", "intercepts_over"),
    ]
    measures = pd.concat(parts, axis=1).reindex(index).fillna(0.0)
    measures["leakers/all"] = impacted.groupby("replication").size().reindex(index, fill_value=0)
    # casualty proxy: the scenario's asset values of the targets hit, summed per night
    value_hit = compiled.asset_value[compiled.threat_target[impacted["threat"].to_numpy()]]
    measures["asset_value_hit/all"] = (
        pd.Series(value_hit, index=impacted["replication"].to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0.0)
    )
    measures["intercepted/all"] = (
        intercepted.groupby("replication").size().reindex(index, fill_value=0)
    )
    destroyed_cost = compiled.threat_cost_usd[intercepted["threat"].to_numpy()]
    measures["threat_cost_destroyed_usd"] = (
        pd.Series(destroyed_cost, index=intercepted["replication"].to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0.0)
    )
    at_decoys = shots[shots["threat_class"] == ThreatClass.DECOY.value]
    measures["rounds_at_decoys/all"] = (
        at_decoys.groupby("replication").size().reindex(index, fill_value=0)
    )
    measures["interceptor_cost_usd"] = (
        shots.groupby("replication")["cost_usd"].sum().reindex(index, fill_value=0.0)
    )

    # escalation exposure: engagements by an allied nation over a country outside its alliances
    engagements = shots.drop_duplicates(["replication", "unit", "threat", "fire_time_s"])
    for code, nation in scenario.nations.items():
        if not nation.alliances:
            continue
        partners = {
            c for c, n in scenario.nations.items() if set(n.alliances) & set(nation.alliances)
        }
        if "NATO" in nation.alliances:
            partners |= NATO_MEMBERS
        mine = engagements[
            (engagements["nation"] == code) & ~engagements["territory"].astype(str).isin(partners)
        ]
        measures[f"allied_engagements_over_non_allied/{code}"] = (
            mine.groupby("replication").size().reindex(index, fill_value=0)
        )

    # debris: intercepts within the radius of a populated place, by country of the intercept
    if not intercepted.empty:
        near = near_populated_place_mask(
            intercepted["lon_deg"].to_numpy(),
            intercepted["lat_deg"].to_numpy(),
            debris.radius_km * KM_TO_M,
            debris.min_population,
        )
        parts_debris = _counts(intercepted[near], reps, "territory", "debris_near_populated")
        measures = measures.join(parts_debris.reindex(index).fillna(0.0))

    # issue #22: threats that fell on their own (where, and near populated places), missed
    # interceptors landing near populated places (by the country of their ground point), and
    # the "locationally lost" of the reports (lost to EW or fell)
    fell = threats[threats["fate"] == Fate.FELL.label]
    measures["fell/all"] = fell.groupby("replication").size().reindex(index, fill_value=0)
    lost = threats[threats["fate"].isin([Fate.FELL.label, Fate.LOST_TO_EW.label])]
    measures["locationally_lost/all"] = (
        lost.groupby("replication").size().reindex(index, fill_value=0)
    )
    measures = measures.join(_counts(fell, reps, "territory", "fell_in").reindex(index).fillna(0.0))
    near_fell = _near(fell["lon_deg"], fell["lat_deg"], debris)
    measures = measures.join(
        _counts(fell[near_fell], reps, "territory", "fell_near_populated")
        .reindex(index)
        .fillna(0.0)
    )
    missed = shots[~shots["hit"]]
    near_missed = _near(missed["ground_lon_deg"], missed["ground_lat_deg"], debris)
    measures = measures.join(
        _counts(missed[near_missed], reps, "ground_territory", "failed_interceptors_near_populated")
        .reindex(index)
        .fillna(0.0)
    )

    # threats bound for NATO airspace, and those stopped before they got there
    first_nato = _first_nato_time_s(geometry, compiled.n_threats)
    fate_s = (threats["time_s"] - threats["launch_time_s"]).to_numpy()
    real = threats["realization"].to_numpy()
    bound_s = first_nato[real, threats["threat"].to_numpy()]
    bound = np.isfinite(bound_s)
    stopped_fates = [Fate.INTERCEPTED.label, Fate.LOST_TO_EW.label, Fate.FELL.label]
    stopped = bound & threats["fate"].isin(stopped_fates).to_numpy() & (fate_s < bound_s)
    measures["nato_bound/all"] = (
        pd.Series(bound, index=threats["replication"].to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0)
    )
    measures["nato_bound_stopped_before/all"] = (
        pd.Series(stopped, index=threats["replication"].to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(index, fill_value=0)
    )
    return measures.astype(float).sort_index(axis=1)


# Measures that say what happens across borders, shown by ``skyshield run`` as well as compare.
CROSS_BORDER_PREFIXES = (
    "intercepts_over/",
    "debris_near_populated/",
    "allied_engagements_over_non_allied/",
    "nato_bound/",
    "nato_bound_stopped_before/",
    "fell_in/",
    "fell_near_populated/",
    "failed_interceptors_near_populated/",
)


def cross_border(measures: pd.DataFrame, clusters: np.ndarray | None = None) -> pd.DataFrame:
    """Cross-border measures of one run: per-night mean, 95% CI and 95% range of nights.

    One row per measure, named by ``measure`` and ``key`` columns (``intercepts_over``,
    ``PL``; ``nato_bound``, ``all``; ...); the statistics are
    :func:`skyshield.metrics.summary.mean_interval`'s.
    """
    columns = [c for c in measures.columns if c.startswith(CROSS_BORDER_PREFIXES)]
    table = mean_interval(measures[columns], clusters).reset_index(drop=True)
    return pd.concat([measure_frame(columns), table], axis=1)


def long_measures(wide: pd.DataFrame) -> pd.DataFrame:
    """Return the per-replication measures as a long table: replication, measure, key, value.

    ``wide`` is :func:`per_replication_measures`'s table (``measure/key`` column names, one
    row per replication); a measure without a key (``interceptor_cost_usd``) gets key ``""``.
    Rows are sorted by replication, then measure and key, so equal inputs give equal tables.
    """
    names = measure_frame(wide.columns)
    n_reps, n_cols = wide.shape
    table = pd.DataFrame(
        {
            "replication": np.repeat(wide.index.to_numpy(dtype=np.int64), n_cols),
            "measure": np.tile(names["measure"].to_numpy(dtype=object), n_reps),
            "key": np.tile(names["key"].to_numpy(dtype=object), n_reps),
            "value": wide.to_numpy(dtype=np.float64).ravel(),
        }
    )
    table = table.astype({"measure": "str", "key": "str"})
    return table.sort_values(["replication", "measure", "key"], ignore_index=True)


def wide_measures(long: pd.DataFrame) -> pd.DataFrame:
    """Inverse of :func:`long_measures`: one row per replication, ``measure/key`` columns."""
    name = long["measure"].where(long["key"] == "", long["measure"] + "/" + long["key"])
    wide = long.assign(name=name).pivot(index="replication", columns="name", values="value")
    wide.columns.name = None
    return wide.sort_index(axis=1)
