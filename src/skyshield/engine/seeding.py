"""Replication generators built in bulk, drawing exactly what the per-call construction draws.

Replication ``r``'s stream ``s`` is ``default_rng(SeedSequence(run_seed, spawn_key=(r, s)))``
(:func:`skyshield.engine.draws.replication_rng`). Building one ``SeedSequence`` and seeding a
``PCG64`` from it costs ~20 µs in Python; the calibration design builds 221 k of them. Here
the ``SeedSequence`` hash (numpy's own algorithm: entropy pool of 4 words mixed from the run
seed, zero-padded to 4 words, then the spawn key; then the state words) is computed for all
(replication, stream) pairs in one compiled call, and each ``PCG64`` is seeded
from its words through :class:`numpy.random.bit_generator.ISeedSequence`, numpy's interface for
custom seed sequences: ``PCG64`` seeds itself from ``generate_state(4, uint64)`` as it does
from a ``SeedSequence``. The draws are bit-for-bit those of the per-call construction
(tests/engine/test_seeding.py compares them on seeds of 1 to 5 words). The draws themselves
are made in compiled code from the same words by :mod:`skyshield.engine.pcg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numba import njit
from numpy.random.bit_generator import ISeedSequence

__all__ = ["in_one_word", "spawned_generators", "spawned_state_words", "spawned_words64"]

# numpy.random.SeedSequence's constants (numpy/random/bit_generator.pyx), as uint64: the
# uint32 arithmetic is done in uint64 and masked
_POOL_SIZE = 4
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_MULT_L = np.uint64(0xCA01F9DD)
_MIX_MULT_R = np.uint64(0x4973F715)
_XSHIFT = np.uint64(16)
_MASK32 = 0xFFFFFFFF
_MASK = np.uint64(_MASK32)
# state words generated per pair: PCG64 asks for 4 uint64 (8 uint32); any shorter request is a
# prefix, since the output hash constants do not depend on the data
_STATE_WORDS = 8


def _uint32_words(n: int) -> list[int]:
    """``n`` (≥ 0) as little-endian 32-bit words, at least one (SeedSequence's coercion)."""
    words = []
    while True:
        words.append(n & _MASK32)
        n >>= 32
        if n == 0:
            return words


def in_one_word(run_seed: int, keys: np.ndarray) -> bool:
    """Whether :func:`spawned_state_words` takes these: seed ≥ 0, every key in [0, 2**32)."""
    keys = np.asarray(keys)
    return run_seed >= 0 and (keys.size == 0 or (keys.min() >= 0 and keys.max() <= _MASK32))


def spawned_state_words(run_seed: int, keys: np.ndarray) -> np.ndarray:
    """(k, 8) uint32: ``SeedSequence(run_seed, spawn_key=key).generate_state(8)`` per row.

    ``keys`` (k, m) holds non-negative integers below 2**32 (one word each); ``run_seed`` ≥ 0.
    """
    keys = np.asarray(keys)
    if not in_one_word(run_seed, keys) or keys.ndim != 2:  # noqa: PLR2004 - a table of keys
        msg = "run seed must be >= 0 and spawn keys 2-D integers in [0, 2**32)"
        raise ValueError(msg)
    run = _uint32_words(int(run_seed))
    run += [0] * (_POOL_SIZE - len(run))  # padded so that a spawn key cannot alias a seed
    k = keys.shape[0]
    entropy = np.concatenate(
        [np.tile(np.array(run, dtype=np.uint32), (k, 1)), keys.astype(np.uint32)], axis=1
    )
    return _hash_words(entropy)


@njit(cache=True, nogil=True, inline="always")
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's hashmix of one word; returns it and the next hash constant."""
    value = value ^ hash_const
    hash_const = (hash_const * _MULT_A) & _MASK
    value = (value * hash_const) & _MASK
    return value ^ (value >> _XSHIFT), hash_const


@njit(cache=True, nogil=True, inline="always")
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK
    return result ^ (result >> _XSHIFT)


@njit(cache=True, nogil=True)
def _hash_words(entropy: np.ndarray) -> np.ndarray:
    """(k, 8) uint32: SeedSequence's pool mixing and state words, per row of entropy words.

    The uint32 arithmetic is done in uint64 and masked (numba widens uint32 products).
    """
    k, n_words = entropy.shape
    out = np.empty((k, _STATE_WORDS), dtype=np.uint32)
    pool = np.empty(_POOL_SIZE, dtype=np.uint64)
    for row in range(k):
        hash_const = _INIT_A
        for i in range(_POOL_SIZE):
            pool[i], hash_const = _hashmix(np.uint64(entropy[row, i]), hash_const)
        for src in range(_POOL_SIZE):
            for dst in range(_POOL_SIZE):
                if src != dst:
                    h, hash_const = _hashmix(pool[src], hash_const)
                    pool[dst] = _mix(pool[dst], h)
        for src in range(_POOL_SIZE, n_words):
            for dst in range(_POOL_SIZE):
                h, hash_const = _hashmix(np.uint64(entropy[row, src]), hash_const)
                pool[dst] = _mix(pool[dst], h)
        hash_const = _INIT_B
        for i in range(_STATE_WORDS):
            value = pool[i % _POOL_SIZE] ^ hash_const
            hash_const = (hash_const * _MULT_B) & _MASK
            value = (value * hash_const) & _MASK
            out[row, i] = np.uint32(value ^ (value >> _XSHIFT))
    return out


class _StateWords(ISeedSequence):
    """A seed sequence whose state words are already computed (one row of the bulk hash)."""

    __slots__ = ("_words", "_words64")

    def __init__(self, words: np.ndarray, words64: np.ndarray) -> None:
        self._words = words  # (8,) uint32
        self._words64 = words64  # (4,) uint64: the same words paired, as PCG64 asks for them

    def generate_state(
        self,
        n_words: int,
        dtype: Any = np.uint32,  # the supertype takes any uint32 or uint64 dtype-like
    ) -> np.ndarray:
        """Return the first ``n_words`` words, as ``SeedSequence.generate_state`` does."""
        out_dtype = np.dtype(dtype)
        per_word = out_dtype.itemsize // 4
        if out_dtype not in (np.dtype(np.uint32), np.dtype(np.uint64)):
            msg = f"only uint32 or uint64 words, not {out_dtype}"
            raise ValueError(msg)
        if n_words * per_word > self._words.size:
            msg = f"at most {self._words.size // per_word} words of {out_dtype}"
            raise ValueError(msg)
        if per_word == 1:
            return self._words[:n_words].copy()
        return self._words64[:n_words].copy()


def _spawned_words(
    run_seed: int, first_keys: np.ndarray, streams: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """State words of spawn keys ``(first_keys[i], streams[j])``.

    Returns (k, s, 8) uint32 and the same as (k, s, 4) uint64.
    """
    first = np.asarray(first_keys, dtype=np.int64)
    keys = np.stack(np.broadcast_arrays(first[:, None], np.asarray(streams)[None, :]), axis=-1)
    words = spawned_state_words(run_seed, keys.reshape(-1, 2)).reshape(
        first.size, len(streams), _STATE_WORDS
    )
    # SeedSequence's uint64 words: consecutive uint32 pairs read little-endian, native order
    return words, words.astype("<u4").view("<u8").astype(np.uint64)


def spawned_words64(run_seed: int, first_keys: np.ndarray, streams: Sequence[int]) -> np.ndarray:
    """(k, s, 4) uint64: what ``PCG64`` seeds itself from, per ``(first_keys[i], streams[j])``.

    ``SeedSequence(run_seed, spawn_key=key).generate_state(4, np.uint64)`` for every key
    (:mod:`skyshield.engine.pcg` seeds numpy's PCG64 from them in compiled code).
    """
    return _spawned_words(run_seed, first_keys, streams)[1]


def spawned_generators(
    run_seed: int, first_keys: np.ndarray, streams: Sequence[int]
) -> list[list[np.random.Generator]]:
    """Return ``[i][j]``: the generator of spawn key ``(first_keys[i], streams[j])``.

    Each draws as ``default_rng(SeedSequence(run_seed, spawn_key=(first_keys[i], streams[j])))``.
    """
    words, words64 = _spawned_words(run_seed, first_keys, streams)
    # numpy's stub for PCG64 leaves out ISeedSequence, which it takes at run time
    return [
        [
            np.random.Generator(np.random.PCG64(_StateWords(w, w64)))  # type: ignore[arg-type]
            for w, w64 in zip(row, row64, strict=True)
        ]
        for row, row64 in zip(words, words64, strict=True)
    ]
