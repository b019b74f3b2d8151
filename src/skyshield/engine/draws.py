"""Random inputs of a replication, drawn from streams derived from the run seed.

Replication ``r`` draws from ``SeedSequence(run_seed, spawn_key=(r, stream))``, one stream per
kind of randomness, so results do not depend on how replications are split among workers,
and two policies run with one seed share their raid (common random numbers): the same launch
times, routes, electronic-warfare losses and, for the n-th interceptor fired at a threat, the
same uniform draw whichever unit fires it. Routes come from route sets (realizations of every
threat's jittered waypoints, see :func:`route_set`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from scipy.special import ndtr, ndtri

from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.pcg import fill_stream
from skyshield.engine.seeding import in_one_word, spawned_words64

__all__ = [
    "MAX_ROUNDS_PER_THREAT",
    "ReplicationDraws",
    "Stream",
    "draw_replications",
    "launch_times_s",
    "realization_rng",
    "replication_rng",
    "route_set",
]

# Interceptors that can be fired at one threat in one replication; the kill draws are
# pre-drawn per (threat, round), and further rounds at the same threat are not fired.
MAX_ROUNDS_PER_THREAT = 16


class Stream(IntEnum):
    """Spawn-key suffixes of a replication's independent random streams."""

    TIMING = 0
    ROUTE = 1
    EW = 2
    KILL = 3
    DISCRIMINATION = 4
    IDENTIFICATION = 5  # issue #22: an armed drone identified as a decoy
    FALL = 6  # issue #22: when a threat comes down on its own (appended: others unchanged)


def replication_rng(run_seed: int, replication: int, stream: Stream) -> np.random.Generator:
    """Return the generator of one stream of one replication."""
    return np.random.default_rng(
        np.random.SeedSequence(run_seed, spawn_key=(replication, int(stream)))
    )


def route_set(replications: np.ndarray, n_realizations: int) -> np.ndarray:
    """(n,) int64: the route set (realization) every threat of each replication flies.

    Replication ``r`` flies route set ``r mod n_realizations``: with as many route sets as
    replications every night has its own routes; otherwise nights sharing a route set are
    clusters for the intervals (:func:`skyshield.metrics.summary.half_width_95`).
    """
    return np.asarray(replications, dtype=np.int64) % n_realizations


def realization_rng(run_seed: int, realization: int) -> np.random.Generator:
    """Return the route-jitter generator of one route realization (shared by all replications)."""
    return np.random.default_rng(
        np.random.SeedSequence(run_seed, spawn_key=(2**32 - 1, realization))
    )


def launch_times_s(mean_s: np.ndarray, jitter_s: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Launch times: normal about the planned time with sd ``jitter_s``, truncated at 0.

    No launch happens before the raid starts, and none piles up at its start either: the
    normal is truncated to t ≥ 0 by inverse transform of the uniforms ``u`` (not clipped).
    Units: seconds after the raid starts.
    """
    sd = np.where(jitter_s > 0, jitter_s, 1.0)
    below = ndtr(-mean_s / sd)  # P(t < 0) of the untruncated normal
    z = ndtri(below + u * (1.0 - below))
    return np.where(jitter_s > 0, np.maximum(mean_s + z * sd, 0.0), mean_s)


@dataclass(frozen=True, slots=True)
class ReplicationDraws:
    """Random inputs of a block of replications (rows) for every threat (columns)."""

    replications: np.ndarray  # (n_reps,) int64: replication indices
    launch_step: np.ndarray  # (n_reps, n_threats) int64: launch time on the step grid
    realization: np.ndarray  # (n_reps, n_threats) int64: route realization flown
    ew_budget: np.ndarray  # (n_reps, n_threats) float64: standard exponential, see engine.ew
    kill_u: np.ndarray  # (n_reps, n_threats, MAX_ROUNDS_PER_THREAT) float64: uniform per round
    discrimination_u: np.ndarray  # (n_reps, n_threats) float64: a unit recognises decoy i if <p
    # (n_reps, n_threats) float64: standard exponential; falls after budget / loss rate (issue #22)
    fall_budget: np.ndarray
    # (n_reps, n_threats) float64: a unit takes drone i for a decoy if < p; None: never (issue #22)
    identification_u: np.ndarray | None = None

    def identification(self) -> np.ndarray:
        """(n_reps, n_threats) uniforms of misidentification; ones (never) when not drawn."""
        if self.identification_u is None:
            return np.ones_like(self.discrimination_u)
        return self.identification_u


# the streams draw_replications draws from (route jitter is drawn per route set, not here)
_DRAWN = (
    Stream.TIMING,
    Stream.EW,
    Stream.KILL,
    Stream.DISCRIMINATION,
    Stream.IDENTIFICATION,
    Stream.FALL,
)


def draw_replications(
    compiled: CompiledScenario, run_seed: int, replications: np.ndarray, n_realizations: int
) -> ReplicationDraws:
    """Draw the random inputs of the given replication indices."""
    n = compiled.n_threats
    reps = np.asarray(replications, dtype=np.int64)
    timing = np.empty((reps.size, n), dtype=np.float64)
    ew = np.empty((reps.size, n), dtype=np.float64)
    kill = np.empty((reps.size, n, MAX_ROUNDS_PER_THREAT), dtype=np.float64)
    discrimination = np.empty((reps.size, n), dtype=np.float64)
    identification = np.empty((reps.size, n), dtype=np.float64)
    fall = np.empty((reps.size, n), dtype=np.float64)
    if in_one_word(run_seed, reps):
        # every stream of the block seeded and filled in compiled code, the same draws bit for
        # bit (:mod:`skyshield.engine.pcg`); a Generator per stream cost more than its draws
        words = spawned_words64(run_seed, reps, [int(s) for s in _DRAWN])
        filled = (timing, ew, kill, discrimination, identification, fall)
        for j, (stream, out) in enumerate(zip(_DRAWN, filled, strict=True)):
            exponential = stream in (Stream.EW, Stream.FALL)
            fill_stream(np.ascontiguousarray(words[:, j]), exponential, out.reshape(reps.size, -1))
    else:  # seeds or replications past one 32-bit word per spawn key: a generator per stream
        for row, rep in enumerate(reps):
            # each stream fills its row in place (``out=``: the same draws as ``size=``)
            stream_rng = functools.partial(replication_rng, run_seed, int(rep))
            stream_rng(Stream.TIMING).random(out=timing[row])
            stream_rng(Stream.EW).standard_exponential(out=ew[row])
            stream_rng(Stream.KILL).random(out=kill[row])
            stream_rng(Stream.DISCRIMINATION).random(out=discrimination[row])
            stream_rng(Stream.IDENTIFICATION).random(out=identification[row])
            stream_rng(Stream.FALL).standard_exponential(out=fall[row])
    # element-wise, so the whole block at once gives each row what it gave alone
    launch_s = launch_times_s(compiled.threat_launch_s, compiled.threat_launch_jitter_s, timing)
    launch = np.rint(launch_s / compiled.time_step_s).astype(np.int64)
    realization = np.repeat(route_set(reps, n_realizations)[:, None], n, axis=1)
    return ReplicationDraws(
        replications=readonly(reps.copy()),
        launch_step=readonly(launch),
        realization=readonly(realization),
        ew_budget=readonly(ew),
        kill_u=readonly(kill),
        discrimination_u=readonly(discrimination),
        identification_u=readonly(identification),
        fall_budget=readonly(fall),
    )
