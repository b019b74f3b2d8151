"""A fitted calibration applied to any scenario, as the night model applies it (#23 item 10).

``skyshield calibrate`` fits the night model's parameters (:data:`.model.PARAMETERS`)
*jointly*: on the notional laydown a low kill-probability multiplier can be the other face of
a large system family (2025-Q1: ``pk_cruise`` 0.27 with the long and medium families x 2.7-2.8
and 0.19/h of cruise missiles lost in flight). Applying some of them alone gives shares the fit
never saw (a calibrated ``western-raid`` intercepted 16% of its cruise missiles where the
reports show ~80%). So ``--calibration`` applies the whole fitted set, each parameter the way
:meth:`.model.NightEngine._compiled_for` and :meth:`~.model.NightEngine.simulate` apply it:

* ``pk_drone``, ``pk_cruise``, ``pk_ballistic``: every unit's single-round kill probability
  against the class, capped at :data:`~skyshield.engine.scaling.PK_MAX` (allies' too, as the
  night model does with allied units);
* ``ew``: every threat's EW loss rate inside EW zones;
* ``posture_long``, ``posture_medium``, ``posture_short``: the effective size of each of the
  scenario's Ukrainian ground units by its system's family
  (:data:`~skyshield.posture.FAMILY_OF_SYSTEM`). Up to 1 it is the chance that the unit is in
  action on a night, drawn per replication (a unit not in action starts with no rounds); above
  1 the unit stands for that many co-located units: its channels, ready rounds, reserves and
  rounds are multiplied (rounded up) and, for the short family, each co-located unit takes its
  own shot, so its kill probability is ``1 - (1 - pk) ** size``. Ukrainian aircraft on patrol
  take the medium family's size up to 1, as the night model's fighter patrols do
  (:data:`~skyshield.posture.AIR_FAMILY`, :func:`.model.aircraft_size`; an aircraft is in
  action with all its weapons or none). Allied units and systems outside the night model's
  families keep size 1, as allied units do in the night model;
* ``tasking_beta``: the short family's size is ``posture_short x (drones launched / 100) **
  tasking_beta`` (:func:`.model.tasking_factor`), with the scenario's own drone count (decoys
  included). The night model stands the tasked surplus on the night's drone routes (its route
  pool); a user's scenario has no route pool, so its own short units take all of it: the night
  model's rule without a pool. The rollout of the low-cost layers over time
  (:mod:`.tasking`) is taken at its latest count, as a forecast carries it forward;
* ``loss_cruise``: cruise missiles' hazard per hour of flight of falling (fate ``fell``);
* ``fail_ballistic``: ballistic missiles' chance per flight of failing, as a hazard spread
  over each missile's flight time (its nominal launch-to-impact flight: ballistic missiles fly
  one geodesic, the same in every route set);
* ``decoy_share``: the share of Shahed-type drones flown as decoys, only where it means what it
  meant in the fit: a scenario whose drones include no decoys of its own (the reports count
  them together). A scenario that names its decoys keeps its own split.

What cannot transfer, and is said in the run's output (:attr:`CalibratedPosture.notes`): the
fit reproduced the reports with the notional laydown's positions and route pool; a scenario
with other units, positions or geography gets the same multipliers, not the same shares.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skyshield.calibration.calibrate import Calibration, load_calibration
from skyshield.calibration.model import NAMES, aircraft_size, tasking_factor, unit_families
from skyshield.catalog import ThreatClass
from skyshield.catalog.types import THREATS_OF_REPORT_CLASS
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.pieces import build_pieces
from skyshield.engine.scaling import PK_MAX, scaled_pk
from skyshield.posture import FAMILIES

__all__ = ["ACTIVATION_STREAM", "CalibratedPosture", "calibrated_posture", "latest_medians"]

# The word that sets the random stream of the units in action apart from the run's other
# streams: replication r of seed s draws its units from default_rng([s, ACTIVATION_STREAM, r]).
ACTIVATION_STREAM = 0x7A5C


def latest_medians(
    calibration: Calibration | str | Path, *, source: str | None = None
) -> dict[str, float]:
    """Return every fitted parameter's median over the latest quarter's posterior samples.

    ``calibration``: a fitted calibration, or the path of its file (read here; ``source``
    names where the path came from in errors).
    """
    if not isinstance(calibration, Calibration):
        calibration = load_calibration(Path(calibration), source=source, fitted=True)
    medians = calibration.latest().medians()
    return {name: medians[name] for name in NAMES}


def _class_mask(compiled: CompiledScenario, report_class: str) -> np.ndarray:
    positions = [cls.position for cls in THREATS_OF_REPORT_CLASS[report_class]]
    return np.isin(compiled.threat_class, positions)


@dataclass(frozen=True, slots=True)
class CalibratedPosture:
    """The night model's fitted parameters, applied to any compiled scenario (see the module).

    Called on a compiled scenario (before or after its geometry is built: nothing here moves
    a flight or a window) it returns the adjusted one; :meth:`initial_stock` draws which units
    are in action each night. It is what ``run``, ``compare`` and ``report`` apply for
    ``--calibration`` (:func:`skyshield.api.calibration_adjustment`).
    """

    theta: dict[str, float]  # every name of .model.NAMES
    seed: int  # the run's seed: the decoys' order and the units in action

    def unit_sizes(self, compiled: CompiledScenario) -> np.ndarray:
        """(n_units,) float64 effective size of each unit: its family's, or 1 (see the module)."""
        sizes = np.ones(compiled.n_units, dtype=np.float64)
        drones = int(_class_mask(compiled, "drone").sum())
        factor = float(tasking_factor(drones, self.theta.get("tasking_beta", 0.0)))
        families = unit_families(compiled)
        for k, family in enumerate(FAMILIES):
            size = self.theta[f"posture_{family}"]
            sizes[families == k] = size * factor if family == "short" else size
        aircraft = np.isfinite(compiled.unit_on_s) & (families >= 0)
        sizes[aircraft] = aircraft_size(sizes[aircraft])
        return sizes

    def decoys(self, compiled: CompiledScenario) -> np.ndarray:
        """Return the Shahed-type threats flown as decoys (none where the scenario has decoys)."""
        if np.any(compiled.threat_class == ThreatClass.DECOY.position):
            return np.zeros(0, dtype=np.int64)
        drones = np.flatnonzero(compiled.threat_class == ThreatClass.DRONE.position)
        order = np.random.default_rng(self.seed).permutation(drones)
        return np.sort(order[: round(self.theta["decoy_share"] * drones.size)])

    def __call__(self, compiled: CompiledScenario) -> CompiledScenario:
        """Return ``compiled`` with the whole fitted parameter set applied (see the module)."""
        t = self.theta
        sizes = self.unit_sizes(compiled)
        capacity = np.maximum(sizes, 1.0)
        pk = scaled_pk(compiled.unit_pk, t["pk_drone"], t["pk_cruise"], t["pk_ballistic"])
        short = (unit_families(compiled) == FAMILIES.index("short")) & (sizes != 1.0)
        # co-located low-cost units each take their own shot (the night model's rule)
        pk[short] = np.minimum(1.0 - (1.0 - pk[short]) ** capacity[short, None], PK_MAX)
        threat_class = np.array(compiled.threat_class)
        threat_class[self.decoys(compiled)] = ThreatClass.DECOY.position
        return dataclasses.replace(
            compiled,
            unit_pk=readonly(pk),
            threat_ew_rate_per_m=readonly(compiled.threat_ew_rate_per_m * t["ew"]),
            threat_loss_rate_per_s=readonly(self.loss_rates(compiled)),
            unit_channels=readonly(_scaled(compiled.unit_channels, capacity)),
            unit_ready_capacity=readonly(_scaled(compiled.unit_ready_capacity, capacity)),
            unit_reserves=readonly(_scaled(compiled.unit_reserves, capacity[:, None])),
            unit_stock=readonly(_scaled(compiled.unit_stock, capacity)),
            unit_rounds_per_target=readonly(_scaled(compiled.unit_rounds_per_target, capacity)),
            threat_class=readonly(threat_class),
        )

    def loss_rates(self, compiled: CompiledScenario) -> np.ndarray:
        """(n_threats,) hazard of falling (1/s): the scenario's, plus the missiles' fitted losses.

        Cruise: ``loss_cruise`` per hour of flight. Ballistic: ``fail_ballistic`` per flight,
        spread over each missile's nominal flight time, so that alone it brings down that
        share of the missiles (fewer once some are intercepted first).
        """
        rate = np.array(compiled.threat_loss_rate_per_s, dtype=np.float64)
        rate[_class_mask(compiled, "cruise")] += self.theta.get("loss_cruise", 0.0) / 3600.0
        fail = min(self.theta.get("fail_ballistic", 0.0), 0.999)
        ballistic = _class_mask(compiled, "ballistic")
        if fail > 0 and ballistic.any():
            routes = np.stack([compiled.route_lon_deg, compiled.route_lat_deg])
            flight_s = np.maximum(np.asarray(build_pieces(compiled, routes).flight_s), 1.0)
            rate[ballistic] += -np.log1p(-fail) / flight_s[ballistic]
        return rate

    def initial_stock(
        self, compiled: CompiledScenario, replications: np.ndarray
    ) -> np.ndarray | None:
        """(len(replications), n_units) rounds each night: none for a unit not in action.

        A unit of size below 1 is in action on a night with that probability, drawn from the
        run's seed and the replication's index alone (any block, any worker). None when every
        unit is always in action (the compiled scenario's stock then serves every night).
        """
        sizes = self.unit_sizes(compiled)
        if np.all(sizes >= 1.0):
            return None
        u = np.stack(
            [
                np.random.default_rng([self.seed, ACTIVATION_STREAM, int(r)]).random(sizes.size)
                for r in replications
            ]
        ).reshape(len(replications), sizes.size)[:, compiled.unit_platform]  # per aircraft
        stock = np.asarray(compiled.unit_stock, dtype=np.int64)
        return np.where(u < sizes[None, :], stock[None, :], 0).astype(np.int64)

    def for_point(self, pk_scale: dict[str, float], seed: int) -> CalibratedPosture:
        """Return the calibration at a sweep's point: its ``pk_scale.*`` x the fitted ones.

        A sweep point's kill-probability scales multiply the fitted multipliers (then capped
        as every scaled kill probability is); its seed draws the decoys and the units in
        action (:class:`skyshield.runner.sweep.PointCalibration`).
        """
        theta = dict(self.theta)
        for name, factor in pk_scale.items():
            theta[name] = theta[name] * factor
        return CalibratedPosture(theta=theta, seed=seed)

    def notes(self, compiled: CompiledScenario) -> list[str]:
        """Say what applying the calibration did here that the fit could not check (lines)."""
        sizes = self.unit_sizes(compiled)
        aircraft = np.isfinite(compiled.unit_on_s)  # weapon rows; an aircraft counts once
        changed = int(np.sum(sizes[~aircraft] != 1.0))
        planes = np.unique(compiled.unit_platform[aircraft]).size
        sized = np.unique(compiled.unit_platform[aircraft & (sizes != 1.0)]).size
        decoys = self.decoys(compiled).size
        drones = int(np.sum(compiled.threat_class == ThreatClass.DRONE.position))
        own_decoys = bool(np.any(compiled.threat_class == ThreatClass.DECOY.position))
        in_air = f" and to {sized} of {planes} aircraft (the medium family's)" if planes else ""
        lines = [
            f"fitted effective size applied to {changed} of {int((~aircraft).sum())} fire "
            f"units{in_air} (Ukrainian units of the night model's families; the short "
            f"family's tasked surplus stands with them, not on the drone routes)"
        ]
        if own_decoys:
            lines.append("the scenario names its own decoys: the fitted decoy share not applied")
        elif decoys:
            lines.append(f"{decoys} of {drones} Shahed-type drones flown as decoys (fitted share)")
        return lines


def _scaled(values: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """``ceil(values x capacity)`` in ``values``' dtype (1 leaves a value as it is)."""
    return np.asarray(np.ceil(values * capacity), dtype=values.dtype)


def calibrated_posture(
    path: str | Path, seed: int, *, source: str | None = None
) -> CalibratedPosture:
    """Read a calibration file: its latest quarter's medians, applied with the run's ``seed``."""
    return CalibratedPosture(theta=latest_medians(path, source=source), seed=seed)
