"""Fast engine against the reference engine on (cut-down) shipped scenarios (issue #20 item 3).

Used by ``tests/engine/test_agreement.py`` and ``bench/agreement.py``. A cut-down keeps a
shipped scenario's nations, rules, sensors, EW zones, fire units and stocks and every wave's
route and timing, but flies at most ``per_wave`` threats of each wave (of every ``wave_stride``-th
wave), on at most ``route_sets`` route sets. Both engines get the same draws; the comparison is
:func:`tests.engine.test_reference._first_difference` (identical fates, fate units, final stocks
and shots in order; intercept times within 0.01 s; losses to EW within one step) plus, per
threat class, the mean number intercepted per night with its 95% interval in each engine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.outcomes import Fate, RawOutcomes
from skyshield.engine.reference import simulate_reference
from skyshield.scenario import builtin_scenario_path
from skyshield.scenario.models import MonteCarloSettings
from skyshield.yamlio import load_yaml

from ._build import prepare, scenario
from .test_reference import _TIME_ATOL_S, _first_difference

Z95 = 1.959963984540054


def cut_down(
    name: str,
    *,
    per_wave: int | None = 1,
    wave_stride: int = 1,
    max_waves: int | None = None,
    per_type: bool = False,
    route_sets: int = 2,
    step_s: float | None = None,
) -> dict[str, Any]:
    """Shipped scenario ``name`` with fewer threats (``per_wave`` None: all of them).

    ``per_type``: keep only the first wave of each threat type. ``max_waves``: a larger stride
    where needed so that at most that many waves are kept. ``step_s`` replaces the engine's
    time step (both engines decide on that grid).
    """
    d: dict[str, Any] = load_yaml(builtin_scenario_path(name).read_text(encoding="utf-8"))
    waves = d["raid"]["waves"]
    if max_waves is not None:
        wave_stride = max(wave_stride, -(-len(waves) // max_waves))
    waves = waves[::wave_stride]
    if per_type:  # the first wave of each threat type only
        waves = [
            w for n, w in enumerate(waves) if w["threat"] not in {x["threat"] for x in waves[:n]}
        ]
    if per_wave is not None:
        waves = [{**w, "count": min(int(w["count"]), per_wave)} for w in waves]
    d["raid"]["waves"] = waves
    mc = d.setdefault("monte_carlo", {})
    shipped = mc.get("route_sets", MonteCarloSettings().route_sets)
    mc["route_sets"] = route_sets if shipped == "all" else min(int(shipped), route_sets)
    if step_s is not None:
        d.setdefault("engine", {})["time_step_s"] = step_s
    return d


@dataclass(frozen=True)
class ClassMeans:
    """Mean threats of one class intercepted per night, with its 95% half-width, per engine."""

    threat_class: str
    count: int  # threats of the class in the raid
    fast_mean: float
    fast_half: float
    ref_mean: float
    ref_half: float

    @property
    def within(self) -> bool:
        """Each engine's mean lies within the other's interval (or both are equal)."""
        if self.fast_mean == self.ref_mean:
            return True
        return (
            abs(self.fast_mean - self.ref_mean) <= self.ref_half
            and abs(self.fast_mean - self.ref_mean) <= self.fast_half
        )


@dataclass(frozen=True)
class Agreement:
    """One scenario's comparison."""

    name: str
    threats: int
    units: int
    reps: int
    step_s: float
    shots_fast: int
    shots_ref: int
    classes: tuple[ClassMeans, ...]
    difference: str  # '' when every discrete decision is identical
    fast_s: float
    ref_s: float

    @property
    def identical(self) -> bool:
        return not self.difference


def _intercepted_per_night(raw: RawOutcomes, threat_class: np.ndarray, cls: int) -> np.ndarray:
    return ((raw.fate == Fate.INTERCEPTED) & (threat_class[None, :] == cls)).sum(axis=1)


def _mean_half(x: np.ndarray) -> tuple[float, float]:
    half = float(Z95 * x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("inf")
    return float(x.mean()), half


def compare(
    name: str,
    d: dict[str, Any],
    n_reps: int,
    seed: int | None = None,
    time_atol_s: float = _TIME_ATOL_S,
) -> Agreement:
    """Run both engines on scenario dict ``d`` for replications ``0..n_reps-1``."""
    compiled = compile_scenario(scenario(d))
    mc = d["monte_carlo"]
    prepared = prepare(
        compiled,
        seed=int(mc["seed"] if seed is None else seed),
        n_reps=n_reps,
        n_real=int(mc["route_sets"]),
    )
    start = time.perf_counter()
    fast = prepared.fast()
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    ref_s = time.perf_counter() - start
    rows = []
    for cls in ThreatClass:
        count = int((compiled.threat_class == cls.position).sum())
        if count == 0:
            continue
        f = _mean_half(_intercepted_per_night(fast, compiled.threat_class, cls.position))
        r = _mean_half(_intercepted_per_night(ref, compiled.threat_class, cls.position))
        rows.append(ClassMeans(cls.value, count, f[0], f[1], r[0], r[1]))
    return Agreement(
        name=name,
        threats=compiled.n_threats,
        units=compiled.n_units,
        reps=n_reps,
        step_s=float(compiled.time_step_s),
        shots_fast=int(fast.shot_rep.size),
        shots_ref=int(ref.shot_rep.size),
        classes=tuple(rows),
        difference=_first_difference(fast, ref, float(compiled.time_step_s), time_atol_s),
        fast_s=fast_s,
        ref_s=ref_s,
    )


def table(rows: list[Agreement]) -> str:
    """The agreement table, one line per (scenario, threat class)."""
    head = (
        f"{'scenario':<34} {'threats':>7} {'units':>5} {'reps':>4} {'step':>4} "
        f"{'class':<11} {'fast mean ± 95%':>16} {'ref mean ± 95%':>16} {'within':>6} "
        f"{'shots f/r':>9} {'decisions identical':>19} {'ref s':>7}"
    )
    lines = [head, "-" * len(head)]
    for a in rows:
        for n, c in enumerate(a.classes):
            first = n == 0
            lines.append(
                f"{a.name if first else '':<34} {a.threats if first else '':>7} "
                f"{a.units if first else '':>5} {a.reps if first else '':>4} "
                f"{f'{a.step_s:g}' if first else '':>4} {c.threat_class:<11} "
                f"{f'{c.fast_mean:.2f} ± {c.fast_half:.2f}':>16} "
                f"{f'{c.ref_mean:.2f} ± {c.ref_half:.2f}':>16} {'yes' if c.within else 'NO':>6} "
                f"{f'{a.shots_fast}/{a.shots_ref}' if first else '':>9} "
                f"{('yes' if a.identical else 'NO') if first else '':>19} "
                f"{f'{a.ref_s:.1f}' if first else '':>7}"
            )
        if a.difference:
            lines.append(f"    first difference: {a.difference}")
    return "\n".join(lines)
