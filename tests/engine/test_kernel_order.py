"""The event loop's allocation-free orderings against the numpy sorts they replace (issue #20).

:func:`skyshield.engine.kernel._stable_order` orders the step's candidates (best score first,
ties by threat and unit, then by position) and :func:`skyshield.engine.kernel._order_by_start`
orders a replication's windows by start step. Both must give exactly the order of the stable
numpy sorts the kernel used before, or the same seed would give other numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engine.kernel import _order_by_start, _stable_order


def _numpy_order(key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """The kernel's former ordering: two stable sorts, by tie then by key."""
    by_tie = np.argsort(tie, kind="mergesort")
    return by_tie[np.argsort(key[by_tie], kind="mergesort")]


def _ours(key: np.ndarray, tie: np.ndarray) -> np.ndarray:
    n = key.size
    order = np.full(n + 3, -7, dtype=np.int64)  # longer than needed: only [:n] is written
    scratch = np.full(n + 3, -7, dtype=np.int64)
    _stable_order(key, tie, n, order, scratch)
    assert (order[n:] == -7).all()
    return order[:n]


@pytest.mark.parametrize("n", [0, 1, 2, 15, 16, 17, 31, 33, 64, 100, 257])
def test_stable_order__is_the_two_stable_numpy_sorts(n: int) -> None:
    """Many equal keys and ties (so that order among equals is tested), across run lengths."""
    rng = np.random.default_rng(n)
    for _ in range(20):
        key = rng.integers(0, 4, n).astype(np.float64) * 0.5
        tie = rng.integers(0, 5, n).astype(np.int64)
        np.testing.assert_array_equal(_ours(key, tie), _numpy_order(key, tie))


def test_stable_order__nan_and_signed_zero_as_numpy() -> None:
    """NaN keys go last (ties among them by tie, then position); -0.0 equals 0.0."""
    rng = np.random.default_rng(3)
    for n in (5, 20, 40):
        for _ in range(20):
            key = rng.choice(np.array([np.nan, -0.0, 0.0, 1.0, -2.0]), n)
            tie = rng.integers(0, 3, n).astype(np.int64)
            np.testing.assert_array_equal(_ours(key, tie), _numpy_order(key, tie))


def test_stable_order__scores_of_the_event_loop() -> None:
    """Continuous negative scores with rare exact ties, as step 4 sorts them."""
    rng = np.random.default_rng(11)
    for n in (3, 16, 50, 300):
        key = -np.round(rng.random(n), 2)
        tie = rng.integers(0, 10_000, n).astype(np.int64)
        np.testing.assert_array_equal(_ours(key, tie), _numpy_order(key, tie))


@pytest.mark.parametrize("span", [1, 3, 500, 10**7])
def test_order_by_start__is_numpys_stable_argsort(span: int) -> None:
    """Counting sort (small spans) and its merge-sort fallback (wide spans), negative starts too."""
    rng = np.random.default_rng(span)
    for n in (0, 1, 7, 1000):
        start = rng.integers(-span // 2, span - span // 2, n + 5).astype(np.int64)
        got = _order_by_start(start, n)  # only the first n count
        np.testing.assert_array_equal(got, np.argsort(start[:n], kind="mergesort"))
