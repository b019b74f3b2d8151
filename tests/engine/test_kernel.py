"""Closed-form checks of the fast engine's event loop (:mod:`skyshield.engine.kernel`).

One Kh-101 flies ~180 km straight to Kyiv, tracked from launch by a high stand-alone radar;
one unit sits ~45 km short of Kyiv on the route. With ``route_jitter_km: 0`` and
``launch_jitter_s: 0`` the geometry is fixed; the unit's windows span ~60 steps of 5 s and
one engagement takes ~8 steps, so a shoot-look-shoot unit gets ~7 engagements: enough to fire
3 rounds whatever happens, and enough that stopping short of a kill is negligible (0.3^7).
The cruise Pk is set to 0.7 on the compiled arrays.

Statistical tolerances are 4 standard errors of the estimate (two-sided false-alarm rate
~6e-5 per check), computed from the closed-form variance.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import readonly
from skyshield.engine.outcomes import Fate
from skyshield.engine.reference import simulate_reference

from ._build import one_on_one, prepare, scenario, with_pk

PK = 0.7
N_REPS = 2000
SEED = 20240708
Z = 4.0  # tolerance in standard errors


def _run(
    system: str,
    stock: int | None,
    n_reps: int = N_REPS,
    seed: int = SEED,
    rounds_per_target: int | None = None,
):
    compiled = compile_scenario(scenario(one_on_one(system=system, stock=stock)))
    if rounds_per_target is not None:  # the catalog's doctrine replaced (0: no limit)
        compiled = dataclasses.replace(
            compiled, unit_rounds_per_target=readonly(np.array([rounds_per_target]))
        )
    prepared = prepare(with_pk(compiled, ThreatClass.CRUISE, PK), seed=seed, n_reps=n_reps)
    return prepared, prepared.fast()


@pytest.mark.parametrize("n_rounds", [1, 2, 3])
def test_simulate_fast__sls_leak_probability_is_one_minus_pk_to_the_n(n_rounds: int) -> None:
    """P(leak) = (1 − Pk)^n: 0.3, 0.09, 0.027 (SE at 2,000 reps: 0.0102, 0.0064, 0.0036)."""
    prepared, raw = _run("iris-t-slm", stock=n_rounds)
    leaked = raw.fate[:, 0] == Fate.IMPACTED
    expected = (1.0 - PK) ** n_rounds
    se = np.sqrt(expected * (1.0 - expected) / N_REPS)
    assert abs(leaked.mean() - expected) <= Z * se, (leaked.mean(), expected, se)
    # Exactly, draw by draw: round m uses the threat's m-th uniform, and the unit keeps
    # firing (one round per look) until a hit or an empty magazine.
    u = prepared.draws.kill_u[:, 0, :n_rounds]
    hits = u < PK
    np.testing.assert_array_equal(leaked, ~hits.any(axis=1))
    first_hit = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, n_rounds)
    np.testing.assert_array_equal(np.bincount(raw.shot_rep, minlength=N_REPS), first_hit)
    assert (raw.fate_unit[~leaked, 0] == 0).all()


def test_simulate_fast__sls_rounds_per_kill_is_one_over_pk() -> None:
    """Unlimited stock: rounds fired ~ Geometric(Pk), mean 1/0.7 = 1.4286.

    Var = (1 − Pk)/Pk² = 0.612; SE at 2,000 reps = 0.0175.
    """
    _, raw = _run("iris-t-slm", stock=None)
    assert (raw.fate[:, 0] == Fate.INTERCEPTED).all()
    rounds = np.bincount(raw.shot_rep, minlength=N_REPS)
    se = np.sqrt((1 - PK) / PK**2 / N_REPS)
    assert abs(rounds.mean() - 1 / PK) <= Z * se, (rounds.mean(), 1 / PK, se)


def test_simulate_fast__two_missiles_per_target_one_salvo_then_never_again() -> None:
    """The catalog's Patriot: shoot-shoot, two rounds per target (as reported for S-300/Buk).

    One salvo of two and no second engagement, though the window allows ~7: P(leak) = 0.3² =
    0.09 exactly draw by draw, and exactly two rounds in every replication.
    """
    prepared, raw = _run("patriot-gem-t", stock=None)
    assert int(prepared.compiled.unit_rounds_per_target[0]) == 2
    rounds = np.bincount(raw.shot_rep, minlength=N_REPS)
    assert (rounds == 2).all()
    leaked = raw.fate[:, 0] == Fate.IMPACTED
    np.testing.assert_array_equal(leaked, (prepared.draws.kill_u[:, 0, :2] >= PK).all(axis=1))
    se = np.sqrt(0.09 * 0.91 / N_REPS)
    assert abs(leaked.mean() - 0.09) <= Z * se, leaked.mean()
    # a limit of 3 with salvos of 2: a second salvo of one round, and no more
    prepared3, raw3 = _run("patriot-gem-t", stock=None, rounds_per_target=3)
    rounds3 = np.bincount(raw3.shot_rep, minlength=N_REPS)
    first_salvo_missed = (prepared3.draws.kill_u[:, 0, :2] >= PK).all(axis=1)
    np.testing.assert_array_equal(rounds3, np.where(first_salvo_missed, 3, 2))
    np.testing.assert_array_equal(
        raw3.fate[:, 0] == Fate.IMPACTED, (prepared3.draws.kill_u[:, 0, :3] >= PK).all(axis=1)
    )


def test_simulate_fast__shoot_shoot_first_engagement_kills_with_two_round_probability() -> None:
    """Shoot-shoot, 2 rounds, no limit per target: P(kill per engagement) = 1 − 0.3² = 0.91.

    (SE 0.0064.) Rounds until kill = 2 × Geometric(0.91): mean 2/0.91 = 2.198, Var =
    4·0.09/0.91² = 0.4347, SE 0.0147. Shoot-look-shoot needs fewer rounds per kill (1/0.7 = 1.43).
    """
    prepared, raw = _run("patriot-gem-t", stock=None, rounds_per_target=0)
    assert (raw.fate[:, 0] == Fate.INTERCEPTED).all()
    rounds = np.bincount(raw.shot_rep, minlength=N_REPS)
    assert (rounds % 2 == 0).all()
    # first engagement: the first two shots of every replication, fired in the same step
    first = np.searchsorted(raw.shot_rep, np.arange(N_REPS))
    assert (raw.shot_step[first] == raw.shot_step[first + 1]).all()
    first_kill = raw.shot_hit[first] | raw.shot_hit[first + 1]
    p = 1 - (1 - PK) ** 2
    se = np.sqrt(p * (1 - p) / N_REPS)
    assert abs(first_kill.mean() - p) <= Z * se, (first_kill.mean(), p, se)
    np.testing.assert_array_equal(first_kill, (prepared.draws.kill_u[:, 0, :2] < PK).any(axis=1))
    mean_rounds = 2 / p
    se_rounds = np.sqrt(4 * (1 - p) / p**2 / N_REPS)
    assert abs(rounds.mean() - mean_rounds) <= Z * se_rounds, (rounds.mean(), mean_rounds)
    _, raw_sls = _run("iris-t-slm", stock=None)
    assert np.bincount(raw_sls.shot_rep).mean() < rounds.mean()


def test_simulate_fast__stock_zero_fires_nothing() -> None:
    _, raw = _run("iris-t-slm", stock=0, n_reps=50)
    assert raw.shot_rep.size == 0
    assert (raw.fate == Fate.IMPACTED).all()


def test_simulate_fast__each_shot_resolves_before_the_next_look() -> None:
    """Shoot-look-shoot: the next round is fired no earlier than the previous intercept."""
    prepared, raw = _run("iris-t-slm", stock=None, n_reps=200)
    dt = prepared.compiled.time_step_s
    launch_s = prepared.draws.launch_step[raw.shot_rep, raw.shot_threat] * dt
    intercept_s = launch_s + raw.shot_intercept_s
    fire_s = raw.shot_step * dt
    same_rep = raw.shot_rep[1:] == raw.shot_rep[:-1]
    assert (fire_s[1:][same_rep] >= intercept_s[:-1][same_rep]).all()
    assert (intercept_s > fire_s).all()


@pytest.mark.parametrize(("override", "expected"), [(None, 2), (0, 0), (3, 3)])
def test_compile__rounds_per_target_from_the_catalog_unless_the_unit_says(
    override: int | None, expected: int
) -> None:
    """A fire unit's ``rounds_per_target`` replaces its system's (0: no limit)."""
    d = one_on_one(system="s-300")
    if override is not None:
        d["fire_units"][0]["rounds_per_target"] = override
    compiled = compile_scenario(scenario(d))
    assert compiled.unit_rounds_per_target.tolist() == [expected]


def test_simulate_fast__rounds_per_target_counts_rounds_not_engagements() -> None:
    """A Patriot (salvos of two, two rounds per target) with one ready round and a 10 s reload:
    each engagement fires one round, so a first miss is followed by a second single round, and
    never a third (the limit counts rounds fired, not engagements)."""
    compiled = compile_scenario(scenario(one_on_one(system="patriot-gem-t")))
    compiled = dataclasses.replace(
        with_pk(compiled, ThreatClass.CRUISE, PK),
        unit_ready_capacity=readonly(np.array([1])),
        unit_reload_s=readonly(np.array([10.0])),
    )
    prepared = prepare(compiled, seed=SEED, n_reps=400)
    raw = prepared.fast()
    rounds = np.bincount(raw.shot_rep, minlength=400)
    first_missed = prepared.draws.kill_u[:, 0, 0] >= PK
    np.testing.assert_array_equal(rounds, np.where(first_missed, 2, 1))
    engagements = np.unique(np.stack([raw.shot_rep, raw.shot_step]), axis=1).shape[1]
    assert engagements == rounds.sum()  # one round each
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    np.testing.assert_array_equal(np.bincount(ref.shot_rep, minlength=400), rounds)
