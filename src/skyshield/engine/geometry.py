"""The deterministic part of a run: route realizations, trajectories and engagement windows."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import realization_rng
from skyshield.engine.ew import ew_exposure_m
from skyshield.engine.flight import Trajectories, realize_routes, sample_trajectories
from skyshield.engine.windows import Windows, engagement_windows

__all__ = [
    "Flights",
    "RaidGeometry",
    "build_geometry",
    "fly_realizations",
    "geometry_from_flights",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RaidGeometry:
    """Trajectories and windows of every route realization, plus flat arrays for the kernel.

    Windows of all realizations are concatenated; those of threat ``i`` in realization ``r``
    are ``[threat_window_start[r, i], threat_window_end[r, i])``.
    """

    trajectories: tuple[Trajectories, ...]
    windows: tuple[Windows, ...]
    ew_exposure_m: tuple[np.ndarray, ...]  # per realization, (n_samples,): see :mod:`.ew`
    last_sample: np.ndarray  # (n_realizations, n_threats) int64: impact sample
    flight_s: np.ndarray  # (n_realizations, n_threats) float64: launch to impact
    threat_window_start: np.ndarray  # (n_realizations, n_threats) int64
    threat_window_end: np.ndarray  # (n_realizations, n_threats) int64
    unit: np.ndarray  # (n_windows_all,) int64
    k0: np.ndarray  # (n_windows_all,) int64
    k1: np.ndarray  # (n_windows_all,) int64
    offset: np.ndarray  # (n_windows_all,) int64: into intercept_s
    outside_own: np.ndarray  # (n_windows_all,) bool
    intercept_s: np.ndarray  # (n_steps_all,) float64: after the threat's launch

    @property
    def n_realizations(self) -> int:
        """Number of route realizations."""
        return len(self.trajectories)


@dataclass(frozen=True, slots=True)
class Flights:
    """Every route realization flown: trajectories and EW exposure, before any window.

    They depend on the raid, its routes and the EW zones, not on fire units, sensors or rules
    of engagement, so a sweep over those reuses them (:func:`geometry_from_flights`).
    """

    trajectories: tuple[Trajectories, ...]
    ew_exposure_m: tuple[np.ndarray, ...]  # per realization, (n_samples,): see :mod:`.ew`


def _map(fn: Callable[[int], _T], n: int, threads: int) -> list[_T]:
    # the work is in large numpy operations and nogil numba kernels, which release the GIL
    if threads > 1 and n > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(fn, range(n)))
    return [fn(r) for r in range(n)]


def fly_realizations(
    compiled: CompiledScenario, run_seed: int, n_realizations: int, threads: int = 1
) -> Flights:
    """Realize routes and sample trajectories and EW exposure for each realization."""

    def fly(r: int) -> tuple[Trajectories, np.ndarray]:
        routes = realize_routes(compiled, rng=realization_rng(run_seed, r))
        traj = sample_trajectories(compiled, routes)
        return traj, ew_exposure_m(compiled, traj)

    flown = _map(fly, n_realizations, threads)
    return Flights(
        trajectories=tuple(traj for traj, _ in flown),
        ew_exposure_m=tuple(readonly(exposure) for _, exposure in flown),
    )


def build_geometry(
    compiled: CompiledScenario, run_seed: int, n_realizations: int, threads: int = 1
) -> RaidGeometry:
    """Realize routes, sample trajectories and compute windows for each realization.

    Realizations are independent; with ``threads`` > 1 they are built concurrently in threads.
    The result does not depend on ``threads``.
    """
    flights = fly_realizations(compiled, run_seed, n_realizations, threads)
    return geometry_from_flights(compiled, flights, threads)


def geometry_from_flights(
    compiled: CompiledScenario, flights: Flights, threads: int = 1
) -> RaidGeometry:
    """Compute every realization's engagement windows and the kernel's flat arrays."""
    trajectories = list(flights.trajectories)
    n_realizations = len(trajectories)
    windows = _map(lambda r: engagement_windows(compiled, trajectories[r]), n_realizations, threads)
    n = compiled.n_threats
    start = np.zeros((n_realizations, n), dtype=np.int64)
    end = np.zeros((n_realizations, n), dtype=np.int64)
    base_window = 0
    base_step = 0
    offsets = []
    for r, win in enumerate(windows):
        counts = np.bincount(win.threat, minlength=n)
        end[r] = base_window + np.cumsum(counts)
        start[r] = end[r] - counts
        offsets.append(win.offset + base_step)
        base_window += win.n_windows
        base_step += int(win.intercept_s.shape[0])

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return readonly(np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype))

    return RaidGeometry(
        trajectories=tuple(trajectories),
        windows=tuple(windows),
        ew_exposure_m=flights.ew_exposure_m,
        last_sample=readonly(np.stack([t.last_sample for t in trajectories]).astype(np.int64)),
        flight_s=readonly(
            np.stack([t.time_s[t.sample_offset[1:] - 1] for t in trajectories]).astype(np.float64)
        ),
        threat_window_start=readonly(start),
        threat_window_end=readonly(end),
        unit=cat([w.unit for w in windows], np.int64),
        k0=cat([w.k0 for w in windows], np.int64),
        k1=cat([w.k1 for w in windows], np.int64),
        offset=cat(offsets, np.int64),
        outside_own=cat([w.outside_own for w in windows], np.bool_),
        intercept_s=cat([w.intercept_s for w in windows], np.float64),
    )
