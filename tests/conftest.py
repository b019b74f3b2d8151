"""Fixtures for every test: a seeded ``rng``, and a guard against global random state changes."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

# rich.style draws its first style id from the global `random` when first imported: imported here,
# before any test, so a test that is first to import the CLI does not trip the guard below.
import rich.style  # noqa: F401
from hypothesis import settings

if TYPE_CHECKING:
    from skyshield.scenario import Scenario

# The CLI's consoles read the terminal size variables when skyshield.terminal is first imported
# (so skyshield is imported below only in fixtures): without them, tables render as they do for a
# redirected command whatever terminal the tests run in.
for _variable in ("COLUMNS", "LINES"):
    os.environ.pop(_variable, None)

# Property tests' budgets by tier (no test sets its own max_examples): `make test` runs every
# property with the "fast" profile; `make test-slow` runs them again with "slow", 15 times as
# many examples (`--hypothesis-profile slow`; or HYPOTHESIS_PROFILE=slow).
settings.register_profile("fast", max_examples=20)
settings.register_profile("slow", max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

RNG_SEED = 20240708  # the seed of the default scenario (scenario/examples/default.yaml)

# Two Kh-101 and four Shahed-136 at Kyiv; one IRIS-T SLM (2 rounds) and one Gepard on the route:
# a whole run of 20 nights takes well under a second once compiled.
TINY = Path(__file__).with_name("tiny.yaml")


@pytest.fixture
def tiny_path() -> Path:
    """Path of the tiny scenario file (``tests/tiny.yaml``)."""
    return TINY


@pytest.fixture
def tiny() -> Scenario:
    """The tiny scenario (``tests/tiny.yaml``), loaded."""
    from skyshield.scenario import load_scenario

    return load_scenario(TINY)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh generator with a fixed seed; tests never touch the global RNGs."""
    return np.random.default_rng(RNG_SEED)


def _same_numpy_state(before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
    # ("MT19937", keys: (624,) uint32, pos, has_gauss, cached_gaussian)
    return (
        before[0] == after[0]
        and np.array_equal(before[1], after[1])
        and tuple(before[2:]) == tuple(after[2:])
    )


@pytest.fixture(autouse=True)
def _global_random_state_unchanged() -> Iterator[None]:
    """Fail a test that seeds or draws from ``random`` or the legacy ``np.random`` state.

    The state is put back before failing, so one offender does not fail the tests after it.
    """
    python_before = random.getstate()
    numpy_before = np.random.get_state()  # noqa: NPY002 (the legacy state is what we guard)
    yield
    python_changed = random.getstate() != python_before
    numpy_changed = not _same_numpy_state(numpy_before, np.random.get_state())  # noqa: NPY002
    random.setstate(python_before)
    np.random.set_state(numpy_before)  # noqa: NPY002
    changed = [
        name for name, flag in (("random", python_changed), ("np.random", numpy_changed)) if flag
    ]
    if changed:
        pytest.fail(
            f"the test changed the global {' and '.join(changed)} state; "
            "take an `rng` (np.random.Generator) argument instead",
            pytrace=False,
        )
