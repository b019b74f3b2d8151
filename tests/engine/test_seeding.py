"""Replication generators built in bulk draw bit for bit what the per-call construction draws."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration import model
from skyshield.calibration.settings import DEFAULTS
from skyshield.calibration.surrogate import design_compositions, design_geographies, run_design
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.draws import (
    MAX_ROUNDS_PER_THREAT,
    ReplicationDraws,
    Stream,
    draw_replications,
    launch_times_s,
    replication_rng,
    route_set,
)
from skyshield.engine.seeding import spawned_generators, spawned_state_words

from ._build import one_on_one, scenario

# seeds of 1 to 5 32-bit words: SeedSequence pads the run seed to 4 words before the spawn key
SEEDS = [0, 1, 7, 2**31, 2**32 - 1, 2**32, 2**63 + 5, 2**96 + 1, 2**128 - 1, 2**130 + 12345]


def _per_call_draws(
    compiled: CompiledScenario, run_seed: int, reps: np.ndarray, n_realizations: int
) -> ReplicationDraws:
    """The draws as they were made before the bulk construction: one generator per call."""
    n = compiled.n_threats
    rows = []
    for rep in reps:
        timing = replication_rng(run_seed, int(rep), Stream.TIMING).random(n)
        launch_s = launch_times_s(compiled.threat_launch_s, compiled.threat_launch_jitter_s, timing)
        rows.append(
            (
                np.rint(launch_s / compiled.time_step_s).astype(np.int64),
                np.full(n, route_set(np.asarray([rep]), n_realizations)[0]),
                replication_rng(run_seed, int(rep), Stream.EW).standard_exponential(n),
                replication_rng(run_seed, int(rep), Stream.KILL).random((n, MAX_ROUNDS_PER_THREAT)),
                replication_rng(run_seed, int(rep), Stream.DISCRIMINATION).random(n),
                replication_rng(run_seed, int(rep), Stream.IDENTIFICATION).random(n),
                replication_rng(run_seed, int(rep), Stream.FALL).standard_exponential(n),
            )
        )
    launch, realization, ew, kill, discrimination, identification, fall = (
        np.array(column) for column in zip(*rows, strict=True)
    )
    return ReplicationDraws(
        replications=np.asarray(reps, dtype=np.int64),
        launch_step=launch,
        realization=realization,
        ew_budget=ew,
        kill_u=kill,
        discrimination_u=discrimination,
        identification_u=identification,
        fall_budget=fall,
    )


def _assert_same_draws(a: ReplicationDraws, b: ReplicationDraws) -> None:
    for field in dataclasses.fields(ReplicationDraws):
        np.testing.assert_array_equal(
            getattr(a, field.name), getattr(b, field.name), err_msg=field.name, strict=True
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_spawned_state_words__are_seed_sequence_state(seed: int) -> None:
    keys = np.array([[r, s] for r in (0, 1, 23, 999, 2**31, 2**32 - 1) for s in Stream])
    words = spawned_state_words(seed, keys)
    for key, row in zip(keys, words, strict=True):
        expected = np.random.SeedSequence(seed, spawn_key=tuple(int(k) for k in key))
        np.testing.assert_array_equal(row, expected.generate_state(8), err_msg=str(key))


@pytest.mark.parametrize("seed", [0, 5, 2**64 + 3])
def test_spawned_generators__draw_as_default_rng(seed: int) -> None:
    reps = np.array([0, 3, 1000, 2**32 - 1])
    built = spawned_generators(seed, reps, [int(s) for s in Stream])
    for i, rep in enumerate(reps):
        for stream in Stream:
            reference = replication_rng(seed, int(rep), stream)
            ours = built[i][int(stream)]
            np.testing.assert_array_equal(ours.random(50), reference.random(50))
            np.testing.assert_array_equal(
                ours.standard_exponential(50), reference.standard_exponential(50)
            )
            np.testing.assert_array_equal(
                ours.integers(0, 2**40, 7), reference.integers(0, 2**40, 7)
            )


@pytest.mark.parametrize(
    ("seed", "reps"),
    [(11, np.arange(6)), (2**33 + 1, np.array([4, 9, 2**32 - 1])), (3, np.array([2**32, 2]))],
)
def test_draw_replications__same_as_per_call_generators(seed: int, reps: np.ndarray) -> None:
    """Every field equal bit for bit, including replications past one word (per-call path)."""
    compiled = compile_scenario(scenario(one_on_one(count=5)))
    _assert_same_draws(
        draw_replications(compiled, seed, reps, 4), _per_call_draws(compiled, seed, reps, 4)
    )


def test_draw_replications__split_among_workers_is_the_same() -> None:
    compiled = compile_scenario(scenario(one_on_one(count=5)))
    whole = draw_replications(compiled, 21, np.arange(10), 3)
    parts = [draw_replications(compiled, 21, np.arange(a, b), 3) for a, b in ((0, 4), (4, 10))]
    for field in dataclasses.fields(ReplicationDraws):
        np.testing.assert_array_equal(
            getattr(whole, field.name),
            np.concatenate([getattr(p, field.name) for p in parts]),
            err_msg=field.name,
        )


def test_draw_replications__refuses_a_negative_seed_as_before() -> None:
    compiled = compile_scenario(scenario(one_on_one()))
    with pytest.raises(ValueError, match="negative"):
        draw_replications(compiled, -1, np.arange(2), 1)


@pytest.mark.slow  # ~2 s with numba's cache warm, ~60 s compiling the kernel cold
def test_run_design__same_rows_as_per_call_generators(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small calibration design (2 compositions x 2 points x 3 nights) is unchanged."""
    compositions = design_compositions(DEFAULTS.compositions, seed=DEFAULTS.seed)[:2]
    geographies = design_geographies(DEFAULTS.compositions, seed=DEFAULTS.seed)[:2]

    def design() -> pd.DataFrame:
        return run_design(
            compositions, 2, replications=3, seed=DEFAULTS.seed, geographies=geographies
        )

    ours = design()
    monkeypatch.setattr(model, "draw_replications", _per_call_draws)
    per_call = design()
    pd.testing.assert_frame_equal(ours, per_call, check_exact=True)
    assert ours.filter(like="destroyed_").to_numpy().sum() > 0  # the nights did shoot
