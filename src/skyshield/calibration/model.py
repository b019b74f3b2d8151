"""The night model: a report night's raid run through the engine under uncertain parameters.

The parameters the calibration fits act on the compiled scenario and the event loop only, so
one night's geometry (trajectories and engagement windows) serves every parameter value:

* ``pk_drone``, ``pk_cruise``, ``pk_ballistic``: multipliers on every unit's single-round kill
  probability against the class (drone also scales decoys; cruise also supersonic), capped
  at 0.99;
* ``ew``: multiplier on the catalog's electronic-warfare loss rate inside EW zones;
* ``decoy_share``: share of the Shahed-type threats that are decoys (the reports do not
  separate them);
* ``posture_long``, ``posture_medium``, ``posture_short``: effective size of each system
  family relative to the notional laydown. Up to 1 it is the share of the family's units in
  action that night (each unit with that probability, drawn per replication, so a share
  between two unit counts is represented exactly on average); above 1 every unit is in action
  with that many times its rounds, channels, ready rounds and reserves (a denser defence than the
  laydown shows, without new positions).

Appended by issue 23 (night model v2):

* ``tasking_beta``: the low-cost layers (the short family: mobile fire groups, interceptor
  drones, guns) are tasked per night with the threat: their effective size is
  ``posture_short × (drones launched / TASKING_REFERENCE_DRONES) ** tasking_beta``
  (:func:`tasking_factor`). 0 is the fixed layer of before; at 1 the layer grows in proportion
  to the raid. The surplus above ``posture_short`` stands on the night's drone routes (the
  route pool of :mod:`skyshield.posture.routes`, see :meth:`NightEngine.unit_posture`): tasked
  units limited by coverage, not by capacity. The fit estimates it, so whether the destroyed
  share of drones falls, stays or rises with the raid is an output of this mechanism, not a
  fitted slope. Their growth over
  time is a dated, sourced rollout applied per night by the fit (:mod:`.tasking`).
* ``loss_cruise``: cruise missiles' hazard per hour of flight of coming down on their own or
  being spoofed off course (added to the catalog's ``loss_rate``; fate ``fell``, counted as
  locationally lost).
* ``fail_ballistic``: ballistic missiles' chance per flight of failing or being spoofed: a
  hazard ``-ln(1 - p) / flight time`` over each missile's own flight (fate ``fell``).

Report semantics (what the Air Force counts): *destroyed* = intercepted; *not reached the
goal* ("locationally lost") = lost to EW, plus decoys that reached their area without being
shot down (they fall without an explosion); the rest of the Shahed-type drones are hits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from skyshield.catalog import ThreatClass
from skyshield.catalog.types import REPORT_CLASSES, THREATS_OF_REPORT_CLASS
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import ReplicationDraws, draw_replications
from skyshield.engine.ew import ew_loss_times_s
from skyshield.engine.falls import fall_times_s
from skyshield.engine.fast import initial_stock_rows, kernel_inputs, reserve_floor_rows
from skyshield.engine.geometry import build_geometry
from skyshield.engine.kernel import KernelInputs, simulate_block
from skyshield.engine.outcomes import Fate
from skyshield.engine.scaling import PK_MAX, scaled_pk
from skyshield.posture import (
    AIR_FAMILY,
    FAMILIES,
    FAMILY_OF_SYSTEM,
    ROUTE_UNIT_PREFIX,
    NightComposition,
    NightGeography,
    night_scenario,
)

__all__ = [
    "PARAMETERS",
    "TASKING_REFERENCE_DRONES",
    "FittedParameter",
    "NightEngine",
    "NightOutcome",
    "aircraft_size",
    "at_prior_edge",
    "tasking_factor",
    "unit_families",
]


@dataclass(frozen=True, slots=True)
class FittedParameter:
    """One fitted parameter: its name, prior bounds (uniform) and meaning."""

    name: str
    low: float
    high: float
    meaning: str


PARAMETERS = (
    FittedParameter(
        "pk_drone", 0.1, 3.0, "multiplier on kill probabilities against drones, decoys"
    ),
    FittedParameter(
        "pk_cruise", 0.1, 3.0, "multiplier on kill probabilities against cruise missiles"
    ),
    FittedParameter(
        "pk_ballistic", 0.02, 3.0, "multiplier on kill probabilities against ballistic"
    ),
    FittedParameter("ew", 0.0, 6.0, "multiplier on the EW loss rate inside EW zones"),
    FittedParameter("decoy_share", 0.0, 0.8, "share of Shahed-type launches that are decoys"),
    FittedParameter("posture_long", 0.1, 3.0, "effective size of the long-range SAM family"),
    FittedParameter("posture_medium", 0.1, 3.0, "effective size of the medium-range SAM family"),
    FittedParameter("posture_short", 0.1, 3.0, "effective size of guns, fire groups, drones"),
    # issue 23 item 2: the low-cost layers tasked with the raid (prior box holds 0, the fixed
    # layer of before; above 1 would task more than in proportion, which no source suggests)
    FittedParameter(
        "tasking_beta",
        -0.25,
        1.25,
        "low-cost layers' size grows as (drones launched / 100) ** tasking_beta",
    ),
    # issue 23 item 4: missiles locationally lost. No public in-flight loss rate (catalog
    # notes, source sofrep-2022-missile-failure: US officials, March 2022, "failure rates up to
    # 60%" for some Russian precision-guided missiles, launch failures and duds included, so an
    # upper bound). In Oct 2015 at least 4 of 26 Kalibr missiles fired from the Caspian at Syria
    # came down in Iran (US officials to CNN, relayed e.g. by
    # http://www.awrm.net/forums/ubbthreads.php?Number=158784): ~15% on a ~1.7 h flight, ~0.1/h.
    # Boxes: 0-0.3/h (3x that) for cruise; 0-0.5 per flight for ballistic, wide enough for the
    # shipped reports' 16% of ballistic neutralised that were lost (assumption, to calibrate).
    FittedParameter(
        "loss_cruise", 0.0, 0.3, "cruise missiles' chance per hour of falling or spoofing"
    ),
    FittedParameter(
        "fail_ballistic", 0.0, 0.5, "ballistic missiles' chance per flight of failing/spoofing"
    ),
)
NAMES = tuple(p.name for p in PARAMETERS)
# a posterior's 5-95% interval this close to an end of its prior box (share of the box's
# width) says the prior's limit, not the reports, holds the fit on that side
PRIOR_EDGE = 0.03


def at_prior_edge(summary: pd.DataFrame) -> list[str]:
    """Name in one line the fitted parameters whose posterior reaches an end of its prior box.

    An empty list when none does.

    ``summary``: :meth:`~skyshield.calibration.fit.Posterior.summary` (parameter, p5, median,
    p95). An upper end is named when the 95% quantile reaches it; a lower end when the 5%
    quantile does and the end is not 0 (a rate, share or multiplier of 0 is a physical floor).
    """
    pressed = []
    rows = summary.set_index("parameter")
    for p in PARAMETERS:
        if p.name not in rows.index:
            continue
        r = rows.loc[p.name]
        margin = PRIOR_EDGE * (p.high - p.low)
        if r["p95"] >= p.high - margin:
            pressed.append(
                f"{p.name} {r['median']:.2f} (90% up to {r['p95']:.2f}; box end {p.high:g})"
            )
        if p.low != 0 and r["p5"] <= p.low + margin:
            pressed.append(
                f"{p.name} {r['median']:.2f} (90% down to {r['p5']:.2f}; box end {p.low:g})"
            )
    if not pressed:
        return []
    return [
        "the posterior reaches an end of the prior box for "
        + ", ".join(pressed)
        + ": there the prior's limits, not the reports, hold the fit"
    ]


# The raid size at which the tasked low-cost layers have the laydown's size (posture_short): a
# typical night of 2024-2025 in the shipped reports (median ~90 Shahed-type drones a night
# from 2024-07 to 2025-06), rounded.
TASKING_REFERENCE_DRONES = 100.0
NATIONAL = "UA"  # the nation whose posture the night model fits


def tasking_factor(drones: float | np.ndarray, beta: float) -> np.ndarray:
    """(drones / TASKING_REFERENCE_DRONES) ** beta: the low-cost layers' tasked size factor.

    A night without drones counts as one drone (the layers still stand, at their smallest).
    """
    d = np.maximum(np.asarray(drones, dtype=float), 1.0)
    return np.asarray((d / TASKING_REFERENCE_DRONES) ** beta)


def unit_families(compiled: CompiledScenario) -> np.ndarray:
    """(n_units,) index in :data:`FAMILIES` of each Ukrainian unit row; -1 for the others.

    A ground unit's family is its system's (:data:`FAMILY_OF_SYSTEM`; -1 for a system outside
    it); an aircraft's weapon rows (air patrols, :mod:`skyshield.engine.air`) are in
    :data:`AIR_FAMILY`. Allied units are -1 (the night model fits Ukraine's posture only).
    """
    codes = compiled.nation_codes
    national = codes.index(NATIONAL) if NATIONAL in codes else -1
    aircraft = np.isfinite(compiled.unit_on_s)  # ground units are present always (-inf)
    families = np.full(compiled.n_units, -1, dtype=np.int64)
    for u, key in enumerate(compiled.unit_system_keys):
        family = AIR_FAMILY if aircraft[u] else FAMILY_OF_SYSTEM.get(key)
        if family is not None and int(compiled.unit_nation[u]) == national:
            families[u] = FAMILIES.index(family)
    return families


def aircraft_size(family_size: np.ndarray) -> np.ndarray:
    """Return an aircraft's effective size: its family's, at most 1.

    Above 1 a family's ground units stand for co-located units (more rounds and channels); an
    aircraft does not: the fighters flown are the tasking's (:mod:`skyshield.posture.fighters`,
    a pair per 8 strategic cruise missiles, at most 6), out of a fleet the sources count in
    dozens, so a family size above 1 must not multiply them (at 2025-Q1's ``posture_medium``
    2.68 it made each aircraft ~2.7 aircraft with 15-18 rounds). Below 1 it is the share of them
    in action, as for any unit.
    """
    return np.minimum(np.asarray(family_size, dtype=np.float64), 1.0)


@dataclass(frozen=True, slots=True)
class NightOutcome:
    """Per replication and report class: counts as the reports give them, (n_reps, 3) int."""

    launched: np.ndarray
    destroyed: np.ndarray
    not_reach_goal: np.ndarray

    @property
    def neutralised(self) -> np.ndarray:
        """Destroyed plus locationally lost."""
        return np.asarray(self.destroyed + self.not_reach_goal)


class NightEngine:
    """One night composition compiled once, with its geometry; simulated for any parameters."""

    def __init__(
        self,
        composition: NightComposition,
        *,
        route_sets: int = 4,
        seed: int = 1,
        time_step_s: float = 10.0,
        allies: dict[str, Any] | None = None,
        geography: NightGeography | None = None,
        route_pool: bool = True,
        ballistic: tuple[list[dict[str, Any]], dict[str, tuple[float, float]]] | None = None,
        fighters: bool = True,
    ) -> None:
        self.composition = composition
        self.scenario = night_scenario(
            composition,
            seed=seed,
            route_sets=route_sets,
            time_step_s=time_step_s,
            allies=allies,
            geography=geography,
            route_pool=route_pool,
            ballistic=ballistic,  # a campaign's own ballistic aim (campaigns.ballistic)
            fighters=fighters,
        )
        self.compiled = compile_scenario(self.scenario)
        if self.compiled.optimal_assignment:  # simulate runs the greedy event loop directly
            msg = "the night model assigns greedily; a night scenario never asks for optimal"
            raise NotImplementedError(msg)
        self.seed = seed
        self.route_sets = route_sets
        self.geometry = build_geometry(self.compiled, seed, route_sets)
        c = self.compiled
        self.families = unit_families(c)
        # the route pool (last ground units): the tasked low-cost surplus on the drone routes;
        # the aircraft's weapon rows (the fighters, .fighters) come after it
        self.route_pool = np.zeros(c.n_units, dtype=bool)
        self.route_pool[: len(self.scenario.fire_units)] = [
            u.id.startswith(ROUTE_UNIT_PREFIX) for u in self.scenario.fire_units
        ]
        self._aircraft = np.isfinite(c.unit_on_s)
        drone_like = np.flatnonzero(c.threat_class == ThreatClass.DRONE.position)
        # a fixed order in which Shahed-type threats become decoys as the share grows
        self._decoy_order = np.random.default_rng(seed).permutation(drone_like)
        self._report_class = np.full(c.n_threats, -1, dtype=np.int64)
        for k, name in enumerate(REPORT_CLASSES):
            for cls in THREATS_OF_REPORT_CLASS[name]:
                self._report_class[c.threat_class == cls.position] = k
        # (n_threats, n_report_classes) int64: 1 where the threat counts in the class
        self._class_table = (
            self._report_class[:, None] == np.arange(len(REPORT_CLASSES))[None, :]
        ).astype(np.int64)
        self._inputs: KernelInputs | None = None  # what no parameter changes (kernel_inputs)
        # each threat's mean flight time over the route sets (launch to impact), > 0
        self._flight_s = np.maximum(np.asarray(self.geometry.flight_s).mean(axis=0), 1.0)

    def unit_posture(self, theta: dict[str, float]) -> np.ndarray:
        """(n_units,) effective size of each unit's family (1 for allied units).

        The short family (the low-cost layers) is tasked with the night's drones: its size is
        ``posture_short`` × :func:`tasking_factor` (``tasking_beta``, 0 when absent). With a
        route pool (:mod:`skyshield.posture.routes`), the laydown's short units keep at most
        ``posture_short`` and the tasked surplus, ``posture_short × (factor − 1)`` times their
        count in unit-equivalents, goes to the pool on the drone routes, shared evenly by its
        units (each in action with that share up to 1, above it co-located units): the layer's
        total is the tasked size, but the growth stands where the drones fly. Without a pool
        (``route_pool=False`` or no drone routes) the laydown's short units take it all.

        Aircraft (the fighter patrols, :data:`~skyshield.posture.AIR_FAMILY`) take their
        family's size up to 1 (:func:`aircraft_size`).
        """
        sizes = np.array([*(theta[f"posture_{f}"] for f in FAMILIES), 1.0])
        short = FAMILIES.index("short")
        factor = float(tasking_factor(self.composition.drone, theta.get("tasking_beta", 0.0)))
        pool = int(self.route_pool.sum())
        if pool == 0:
            sizes[short] *= factor
            out = np.array(sizes[self.families])
        else:
            posture_short = float(sizes[short])
            sizes[short] = posture_short * min(factor, 1.0)
            out = np.array(sizes[self.families])
            laydown_short = int(((self.families == short) & ~self.route_pool).sum())
            surplus = posture_short * max(factor - 1.0, 0.0) * laydown_short
            out[self.route_pool] = surplus / pool
        out[self._aircraft] = aircraft_size(out[self._aircraft])
        return out

    def route_units_in_action(self, theta: dict[str, float]) -> float:
        """Return the route pool's expected units in action (unit-equivalents) under ``theta``."""
        return float(self.unit_posture(theta)[self.route_pool].sum())

    def compiled_for(self, theta: dict[str, float]) -> CompiledScenario:
        """Return the compiled scenario with the parameters' kill probabilities, EW, decoys."""
        return self._compiled_for(theta, self.unit_posture(theta))

    def _compiled_for(self, theta: dict[str, float], posture: np.ndarray) -> CompiledScenario:
        """:meth:`compiled_for` with the posture (:meth:`unit_posture`) already computed."""
        c = self.compiled
        pk = scaled_pk(c.unit_pk, theta["pk_drone"], theta["pk_cruise"], theta["pk_ballistic"])
        threat_class = np.array(c.threat_class)
        n_decoys = round(theta["decoy_share"] * self._decoy_order.size)
        threat_class[self._decoy_order[:n_decoys]] = ThreatClass.DECOY.position
        capacity = np.maximum(posture, 1.0)
        # a tasked low-cost unit above size 1 stands for that many co-located units, each
        # engaging a passing threat on its own: kill probability 1 - (1 - pk) ** size (their
        # fields of fire, not only their rounds, are what limits guns and interceptor drones)
        short = self.families == FAMILIES.index("short")
        pk[short] = np.minimum(1.0 - (1.0 - pk[short]) ** capacity[short, None], PK_MAX)
        return dataclasses.replace(
            c,
            unit_pk=readonly(pk),
            threat_ew_rate_per_m=readonly(c.threat_ew_rate_per_m * theta["ew"]),
            threat_loss_rate_per_s=readonly(self._missile_loss_rates(c, theta)),
            unit_channels=readonly(
                np.ceil(c.unit_channels * capacity).astype(c.unit_channels.dtype)
            ),
            unit_ready_capacity=readonly(
                np.ceil(c.unit_ready_capacity * capacity).astype(c.unit_ready_capacity.dtype)
            ),
            unit_reserves=readonly(
                np.ceil(c.unit_reserves * capacity[:, None]).astype(c.unit_reserves.dtype)
            ),
            # co-located units each fire their doctrine's rounds at a target
            unit_rounds_per_target=readonly(
                np.ceil(c.unit_rounds_per_target * capacity).astype(np.int64)
            ),
            threat_class=readonly(threat_class),
        )

    def _missile_loss_rates(self, c: CompiledScenario, theta: dict[str, float]) -> np.ndarray:
        """Per-threat hazard of falling (1/s): the catalog's, plus the missiles' fitted losses.

        Cruise: ``loss_cruise`` per hour of flight. Ballistic: ``fail_ballistic`` per flight,
        spread over each missile's mean flight time on this night's routes, so that alone it
        brings down that share of the missiles (fewer once some are intercepted first).
        """
        rate = np.array(c.threat_loss_rate_per_s, dtype=np.float64)
        cruise = self._report_class == REPORT_CLASSES.index("cruise")
        rate[cruise] += theta.get("loss_cruise", 0.0) / 3600.0
        fail = min(theta.get("fail_ballistic", 0.0), 0.999)
        if fail > 0:
            ballistic = self._report_class == REPORT_CLASSES.index("ballistic")
            rate[ballistic] += -np.log1p(-fail) / self._flight_s[ballistic]
        return rate

    def simulate(self, theta: dict[str, float], replications: int, seed: int) -> NightOutcome:
        """Simulate ``replications`` nights under ``theta``; common random numbers by ``seed``."""
        posture = self.unit_posture(theta)
        compiled = self._compiled_for(theta, posture)
        draws = draw_replications(compiled, seed, np.arange(replications), self.route_sets)
        active = self.units_in_action(posture, replications, seed)
        rounds = np.ceil(compiled.unit_stock * np.maximum(posture, 1.0)).astype(np.int64)
        stock = np.where(active, rounds[None, :], 0)
        fate = simulate_block(self.kernel_inputs(compiled, draws, stock)).fate
        decoy = compiled.threat_class == ThreatClass.DECOY.position
        destroyed = fate == Fate.INTERCEPTED
        gone = (fate == Fate.LOST_TO_EW) | (fate == Fate.FELL)  # locationally lost (#22)
        lost = gone | ((fate == Fate.IMPACTED) & decoy[None, :])
        # per report class: a (n_threats, 3) 0/1 table sums each class's threats at once
        launched = np.broadcast_to(self._class_table.sum(axis=0), (replications, 3))
        return NightOutcome(
            launched=np.array(launched),
            destroyed=destroyed.astype(np.int64) @ self._class_table,
            not_reach_goal=lost.astype(np.int64) @ self._class_table,
        )

    def units_in_action(self, posture: np.ndarray, replications: int, seed: int) -> np.ndarray:
        """(replications, n_units) bool: which units are in action each night (size ``posture``).

        A unit of size below 1 is in action with that probability. The laydown's ground units
        draw as they did before the route pool, the pool (after them) its own stream, and an
        aircraft once for all its weapon rows (a fighter flies its sortie or not), from a third.
        """
        ground = ~self._aircraft
        base = int((ground & ~self.route_pool).sum())
        platform = np.asarray(self.compiled.unit_platform)[self._aircraft]
        platform = platform - platform.min(initial=0)
        u = np.concatenate(
            [
                np.random.default_rng([seed, 7]).random((replications, base)),
                np.random.default_rng([seed, 8]).random((replications, int(ground.sum()) - base)),
                np.random.default_rng([seed, 9]).random(
                    (replications, int(platform.max(initial=-1)) + 1)
                )[:, platform],
            ],
            axis=1,
        )
        return u < posture

    def kernel_inputs(
        self, compiled: CompiledScenario, draws: ReplicationDraws, initial_stock: np.ndarray
    ) -> KernelInputs:
        """:func:`~skyshield.engine.fast.kernel_inputs` of ``compiled`` (a :meth:`compiled_for`).

        The same record, cheaper: what no parameter changes (the geometry's arrays, the units'
        positions, rules and alert tracks) is assembled on the first call and kept; later calls
        replace only the fields that the parameters (through :meth:`compiled_for`), the draws
        or the stock change. tests/calibration/test_model_inputs.py holds every field equal to
        a fresh :func:`~skyshield.engine.fast.kernel_inputs` under other parameters.
        """
        if self._inputs is None:
            self._inputs = kernel_inputs(compiled, self.geometry, draws, initial_stock)
            return self._inputs
        n_reps = draws.launch_step.shape[0]
        stock = initial_stock_rows(compiled, n_reps, initial_stock)
        per_rep = min(stock.sum(axis=1).max(initial=0), compiled.n_threats * draws.kill_u.shape[2])
        return self._inputs._replace(
            launch_step=draws.launch_step,
            realization=draws.realization,
            ew_lost_s=ew_loss_times_s(
                compiled, self.geometry.flights.exposure, draws.realization, draws.ew_budget
            ),
            kill_u=draws.kill_u,
            initial_stock=stock,
            threat_class=compiled.threat_class.astype(np.int64),
            threat_decoy=compiled.threat_class == ThreatClass.DECOY.position,
            discrimination_u=draws.discrimination_u,
            unit_channels=compiled.unit_channels,
            unit_ready_capacity=compiled.unit_ready_capacity,
            unit_rounds_per_target=compiled.unit_rounds_per_target,
            unit_pk=compiled.unit_pk,
            unit_reserve_floor=reserve_floor_rows(compiled, n_reps, None),
            shot_capacity=max(int(per_rep) * n_reps, 1),
            threat_drone=compiled.threat_class == ThreatClass.DRONE.position,
            identification_u=np.ascontiguousarray(draws.identification(), dtype=np.float64),
            fall_s=fall_times_s(compiled, draws.fall_budget),
        )
