"""numpy's PCG64 and its uniform and exponential draws in numba, for bulk seeding (issue #20).

:func:`skyshield.engine.draws.draw_replications` fills six streams for every replication, each
``default_rng(SeedSequence(run_seed, spawn_key=(r, s)))``. Building a ``Generator`` per stream
costs microseconds in Python; the calibration design builds ~221 k of them, and for its small
nights that was most of the draws' time. Here every stream of a block is seeded from its
``SeedSequence`` state words (:func:`skyshield.engine.seeding.spawned_state_words`) and filled in
one compiled call, drawing exactly what numpy draws:

* the bit generator is numpy's ``PCG64``: a 128-bit LCG (multiplier
  ``0x2360ED051FC65DA44385DF649FCCF645``) with the XSL-RR output, seeded as
  ``pcg64_set_seed`` does from the four uint64 state words (``initstate``, ``initseq``); the
  128-bit product's high word from one widening multiply (an LLVM ``i128`` intrinsic);
* ``Generator.random``: ``(next_uint64 >> 11) * 2**-53``;
* ``Generator.standard_exponential``: numpy's 256-level ziggurat
  (``random_standard_exponential``), with the tables numba ships for its own copy of numpy's
  generator (``numba.np.random._constants``, numpy's ``ziggurat_constants.h``).

References
----------
M. E. O'Neill, "PCG: A family of simple fast space-efficient statistically good algorithms for
random number generation", HMC-CS-2014-0905 (2014); numpy/random/src/pcg64/pcg64.h and
numpy/random/src/distributions/distributions.c (numpy 1.17+). tests/engine/test_pcg.py compares
every draw with numpy's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]  # numba's own dependency
from numba import njit, types
from numba.extending import intrinsic
from numba.np.random._constants import fe_double, ke_double, we_double, ziggurat_exp_r

__all__ = ["fill_stream"]

_S11 = np.uint64(11)
_S3 = np.uint64(3)
_S8 = np.uint64(8)
_S58 = np.uint64(58)
_S63 = np.uint64(63)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_S64 = np.uint64(64)
_B8 = np.uint64(0xFF)
# PCG_DEFAULT_MULTIPLIER_128 (pcg64.h), high and low words
_MULT_HI = np.uint64(2549297995355413924)
_MULT_LO = np.uint64(4865540595714422341)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53
_KE = np.asarray(ke_double, dtype=np.uint64)
_WE = np.asarray(we_double, dtype=np.float64)
_FE = np.asarray(fe_double, dtype=np.float64)
_EXP_R = float(ziggurat_exp_r)


def _mulhi_typed(typingctx: object, a: object, b: object) -> tuple[object, object]:
    """High 64 bits of the 128-bit product of two uint64 (one widening multiply)."""
    sig = types.uint64(types.uint64, types.uint64)

    def codegen(context: object, builder: Any, signature: object, args: Any) -> object:
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return sig, codegen


_mulhi: Any = intrinsic(_mulhi_typed)


@njit(cache=True, nogil=True, inline="always")
def _step(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[np.uint64, np.uint64]:
    """``state * MULT + inc`` (mod 2**128) of the state (hi, lo)."""
    new_hi = _mulhi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO
    new_lo = lo * _MULT_LO
    low = new_lo + inc_lo
    return new_hi + inc_hi + (_ONE if low < new_lo else _ZERO), low


@njit(cache=True, nogil=True, inline="always")
def _output(hi: np.uint64, lo: np.uint64) -> np.uint64:
    """PCG64's XSL-RR output of a state."""
    value = hi ^ lo
    rot = hi >> _S58
    return (value >> rot) | (value << ((_S64 - rot) & _S63))


@njit(cache=True, nogil=True)
def _seed(words: np.ndarray) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """``pcg64_set_seed`` from the state words (initstate hi, lo, initseq hi, lo).

    Returns the state (hi, lo) and the increment (hi, lo).
    """
    inc_hi = (words[2] << _ONE) | (words[3] >> _S63)
    inc_lo = (words[3] << _ONE) | _ONE
    hi, lo = _step(_ZERO, _ZERO, inc_hi, inc_lo)
    low = lo + words[1]
    hi = hi + words[0] + (_ONE if low < lo else _ZERO)
    hi, lo = _step(hi, low, inc_hi, inc_lo)
    return hi, lo, inc_hi, inc_lo


@njit(cache=True, nogil=True)
def _fill_uniform(words: np.ndarray, out: np.ndarray) -> None:
    """``Generator.random``: ``(next_uint64 >> 11) * 2**-53``."""
    for r in range(out.shape[0]):
        hi, lo, inc_hi, inc_lo = _seed(words[r])
        for k in range(out.shape[1]):
            hi, lo = _step(hi, lo, inc_hi, inc_lo)
            out[r, k] = float(_output(hi, lo) >> _S11) * _TO_DOUBLE


@njit(cache=True, nogil=True)
def _fill_exponential(words: np.ndarray, out: np.ndarray) -> None:
    """``Generator.standard_exponential``: numpy's ``random_standard_exponential`` (ziggurat)."""
    for r in range(out.shape[0]):
        hi, lo, inc_hi, inc_lo = _seed(words[r])
        for k in range(out.shape[1]):
            while True:
                hi, lo = _step(hi, lo, inc_hi, inc_lo)
                ri = _output(hi, lo) >> _S3
                idx = ri & _B8
                ri >>= _S8
                x = float(ri) * _WE[idx]
                if ri < _KE[idx]:
                    break  # nearly always on the first try
                hi, lo = _step(hi, lo, inc_hi, inc_lo)
                u = float(_output(hi, lo) >> _S11) * _TO_DOUBLE
                if idx == 0:
                    x = _EXP_R - np.log1p(-u)
                    break
                if (_FE[idx - 1] - _FE[idx]) * u + _FE[idx] < np.exp(-x):
                    break
            out[r, k] = x


def fill_stream(words: np.ndarray, exponential: bool, out: np.ndarray) -> None:
    """Fill row ``r`` of ``out`` from the generator seeded by ``words[r]``.

    Parameters
    ----------
    words : (n_rows, 4) uint64, each row's ``SeedSequence.generate_state(4, uint64)`` (what
        ``PCG64`` seeds itself from)
    exponential : draw ``Generator.standard_exponential``, else ``Generator.random``
    out : (n_rows, m) float64, filled in place, each row as ``random(out=row)`` (or
        ``standard_exponential(out=row)``) fills it
    """
    (_fill_exponential if exponential else _fill_uniform)(words, out)
