"""numba's PCG64 draws what numpy's ``Generator(PCG64(...))`` draws, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engine.pcg import fill_stream
from skyshield.engine.seeding import spawned_generators, spawned_words64

# the tail of numpy's exponential ziggurat: draws above its base strip's edge come only from
# the branch ``r - log1p(-u)`` (numpy's ziggurat_exp_r)
_ZIGGURAT_EXP_R = 7.69711747013104972


def _ours(
    seed: int, reps: np.ndarray, streams: list[int], shape: tuple[int, ...], *, exp: bool
) -> list[np.ndarray]:
    words = spawned_words64(seed, reps, streams)
    out = []
    for j in range(len(streams)):
        block = np.empty((reps.size, *shape))
        fill_stream(np.ascontiguousarray(words[:, j]), exp, block.reshape(reps.size, -1))
        out.append(block)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2**31 + 7, 2**32 - 1, 2**64 + 3])
def test_fill_stream__uniform_as_generator_random(seed: int) -> None:
    reps, streams = np.array([0, 1, 23, 2**32 - 1]), [0, 3, 5]
    generators = spawned_generators(seed, reps, streams)
    ours = _ours(seed, reps, streams, (40, 16), exp=False)
    for i in range(reps.size):
        for j in range(len(streams)):
            expected = np.empty((40, 16))
            generators[i][j].random(out=expected)
            np.testing.assert_array_equal(ours[j][i], expected, strict=True)


@pytest.mark.parametrize("seed", [2, 2**40 + 1])
def test_fill_stream__exponential_as_generator_standard_exponential(seed: int) -> None:
    """Long rows, so every branch of the ziggurat is taken (the tail some hundred times)."""
    reps, streams = np.array([0, 7]), [2, 6]
    generators = spawned_generators(seed, reps, streams)
    ours = _ours(seed, reps, streams, (500_000,), exp=True)
    for i in range(reps.size):
        for j in range(len(streams)):
            expected = generators[i][j].standard_exponential(500_000)
            np.testing.assert_array_equal(ours[j][i], expected, strict=True)
    tail = sum(int((block > _ZIGGURAT_EXP_R).sum()) for block in ours)
    assert tail > 100  # exp(-7.7) of 2M draws: ~900 from the tail branch


def test_fill_stream__an_empty_row_draws_nothing() -> None:
    out = np.empty((3, 0))
    fill_stream(spawned_words64(1, np.arange(3), [0])[:, 0].copy(), False, out)
    assert out.shape == (3, 0)
