"""What ``--calibration FILE`` applied to a run, said wherever the run's results go.

A calibrated run names its calibration in every output (the terminal's header, ``--json``, the
HTML report, the results store): :func:`applied_calibration` reads the file once and returns
its name, content hash, training cut-off, the quarter whose medians apply and those medians:
the one object a run passes down (:meth:`AppliedCalibration.adjustment` is what it applies),
so the file is read once however many places name or apply it.

The fit estimated the kill-probability and EW multipliers *jointly* with the effective size of
each system family of the night model's notional posture (:data:`skyshield.posture.LAYDOWN`)
and the missiles' in-flight losses: on that posture a low kill multiplier can be the other
face of a high posture multiplier (in 2025-Q1 ``pk_cruise`` 0.27 with ``posture_medium``
2.8). So ``--calibration`` applies the whole fitted set, each parameter as the night model
applies it (:mod:`skyshield.calibration.transfer`). What cannot transfer is the laydown
itself: on a scenario whose units differ from it the multipliers are the fit's, the shares
need not be; :func:`posture_warnings` says so in one line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skyshield.calibration.calibrate import load_calibration
from skyshield.calibration.model import NAMES, at_prior_edge
from skyshield.calibration.transfer import CalibratedPosture, latest_medians
from skyshield.credits import REPORTS_CREDIT
from skyshield.engine.compile import compile_scenario
from skyshield.posture import FAMILIES, FAMILY_OF_SYSTEM, LAYDOWN
from skyshield.scenario import Scenario

__all__ = [
    "APPLIED_PARAMETERS",
    "AppliedCalibration",
    "applied_calibration",
    "applied_warnings",
    "posture_warnings",
]

# the fitted parameters ``--calibration`` applies to any scenario: all of them (issue 23 item
# 10; :mod:`skyshield.calibration.transfer` says how), in the file's order
APPLIED_PARAMETERS = (
    "pk_drone",
    "pk_cruise",
    "pk_ballistic",
    "ew",
    "decoy_share",
    "posture_long",
    "posture_medium",
    "posture_short",
    "tasking_beta",
    "loss_cruise",
    "fail_ballistic",
)
# fitted in-flight losses of missiles (the night model's): applied, and named apart
LOSS_PARAMETERS = ("loss_cruise", "fail_ballistic")
HASH_SHOWN = 12  # hex digits of the file's SHA-256 shown in one-line descriptions


@dataclass(frozen=True, slots=True)
class AppliedCalibration:
    """The calibration a run applied: which file, fitted on what, and the multipliers used."""

    file: str  # the file's name
    path: str  # the path as given
    sha256: str  # of the file's bytes: the calibration's id
    train_until: str | None  # fitted on report nights before this date
    period_start: str  # the quarter whose posterior medians apply
    period_end: str
    multipliers: dict[str, float]  # APPLIED_PARAMETERS -> median: every one applied
    posture: dict[str, float]  # posture_<family> -> median (applied; also in multipliers)
    # missiles' losses (LOSS_PARAMETERS -> median; applied, also in multipliers)
    losses: dict[str, float] = field(default_factory=dict)
    # the applied quarter's parameters held by their prior's limits (model.at_prior_edge);
    # warnings of the run, not in this record
    prior_edges: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: what ``run --json`` prints under ``calibration``."""
        return {
            "file": self.file,
            "path": self.path,
            "sha256": self.sha256,
            "train_until": self.train_until,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "multipliers": {k: round(v, 4) for k, v in self.multipliers.items()},
            "posture_fitted": {k: round(v, 4) for k, v in self.posture.items()},
            "description": self.describe(),
        }

    def adjustment(self, seed: int) -> CalibratedPosture:
        """Return what the calibration does to any scenario run with ``seed`` (see the module)."""
        return CalibratedPosture(theta={name: self.multipliers[name] for name in NAMES}, seed=seed)

    def describe(self) -> str:
        """One line: file, training cut-off, quarter, hash and the parameters applied."""
        m = self.multipliers
        until = (
            "training cut-off not recorded"
            if self.train_until is None
            else f"report nights before {self.train_until}"
        )
        return (
            f"calibrated with {self.file} (sha256 {self.sha256[:HASH_SHOWN]}; {until}; "
            f"medians of {self.period_start} to {self.period_end}): "
            f"kill probability x drone {m['pk_drone']:.2f}, cruise {m['pk_cruise']:.2f}, "
            f"ballistic {m['pk_ballistic']:.2f}; EW x {m['ew']:.2f}; family size {_sizes(m)}"
            f"{_losses(self.losses)}; decoy share {m.get('decoy_share', 0.0):.2f} "
            "(where the scenario names no decoys). Medians only: the run's intervals are its "
            "Monte Carlo noise, not the fit's uncertainty. Fitted to: " + REPORTS_CREDIT.rstrip(".")
        )


def applied_calibration(calibration: str | Path | AppliedCalibration) -> AppliedCalibration:
    """Read a calibration file (fitted) and say what applying it does (see the module).

    An :class:`AppliedCalibration` (a file read before) is returned as it is.

    Raises
    ------
    ScenarioError
        The file is not a fitted calibration (``--calibration: expected a calibration file
        ...``; :func:`~skyshield.calibration.calibrate.load_calibration`).
    """
    if isinstance(calibration, AppliedCalibration):
        return calibration
    path = Path(calibration)
    loaded = load_calibration(path, source="--calibration", fitted=True)
    assert loaded.sha256 is not None  # read from a file
    latest = loaded.latest()
    medians = latest_medians(loaded)
    train_until = loaded.data.get("train_until")
    return AppliedCalibration(
        file=path.name,
        path=str(path),
        sha256=loaded.sha256,
        train_until=None if train_until is None else str(train_until),
        period_start=latest.start,
        period_end=latest.end,
        multipliers={k: float(medians[k]) for k in APPLIED_PARAMETERS if k in medians},
        posture={f"posture_{f}": float(medians[f"posture_{f}"]) for f in FAMILIES},
        losses={k: float(medians[k]) for k in LOSS_PARAMETERS if k in medians},
        prior_edges=tuple(at_prior_edge(latest.summary())),
    )


def _sizes(m: dict[str, float]) -> str:
    """Return the families' fitted sizes, the short one tasked with the raid's drones."""
    beta = m.get("tasking_beta", 0.0)
    return (
        f"long {m['posture_long']:.2f}, medium {m['posture_medium']:.2f}, "
        f"short {m['posture_short']:.2f} x (drones/100)^{beta:.2f}"
    )


def _families(systems: Counter[str]) -> str:
    counts = Counter[str]()
    for system, n in systems.items():
        counts[FAMILY_OF_SYSTEM.get(system, "other")] += n
    order = (*FAMILIES, "other")
    return ", ".join(f"{counts[f]} {f}" for f in order if counts[f])


def applied_warnings(scenarios: list[Scenario], applied: AppliedCalibration) -> list[str]:
    """Warnings of a run that applies ``applied`` to ``scenarios``, each line once.

    The applied quarter's parameters held by their prior's limits
    (:func:`~skyshield.calibration.model.at_prior_edge`), then :func:`posture_warnings` per
    scenario.
    """
    lines = [f"--calibration {applied.file}: {line}" for line in applied.prior_edges]
    lines += [w for s in scenarios for w in posture_warnings(s, applied)]
    return list(dict.fromkeys(lines))


def posture_warnings(scenario: Scenario, applied: AppliedCalibration) -> list[str]:
    """One line when ``scenario``'s fire units differ from the posture the fit used; else none.

    The fit's posture is the night model's notional laydown (:data:`LAYDOWN`): the systems
    and unit counts compared here. Positions are not compared (the laydown's are notional).
    The line says how the whole fitted set was applied to this scenario's units
    (:meth:`~skyshield.calibration.transfer.CalibratedPosture.notes`) and that the shares the
    fit reproduced on the laydown need not follow here.
    """
    fitted = Counter(system for systems in LAYDOWN.values() for system in systems)
    mine = Counter(u.system for u in scenario.fire_units)
    if mine == fitted:
        return []
    notes = CalibratedPosture(
        theta=dict(applied.multipliers), seed=scenario.monte_carlo.seed
    ).notes(compile_scenario(scenario))
    return [
        f"--calibration {applied.file}: {scenario.name}'s {sum(mine.values())} fire units "
        f"({_families(mine)}) differ from the posture the fit used ({sum(fitted.values())} "
        f"notional units: {_families(fitted)}); the fitted parameters apply to them by family "
        f"({'; '.join(notes)}), but the shares the fit reproduced on its own laydown need not "
        "follow here"
    ]


def _losses(losses: dict[str, float]) -> str:
    """Name the fitted missile losses applied: a clause of the description ('' if none)."""
    if not losses:
        return ""
    parts = []
    if "loss_cruise" in losses:
        parts.append(f"cruise {losses['loss_cruise']:.2f} an hour of flight")
    if "fail_ballistic" in losses:
        parts.append(f"ballistic {losses['fail_ballistic']:.2f} a flight")
    return f"; missiles lost in flight: {', '.join(parts)}"
