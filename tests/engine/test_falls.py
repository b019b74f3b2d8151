"""Threats falling on their own (issue #22): endurance, random losses, crash points.

The fall rule (:mod:`skyshield.engine.falls`): a threat comes down at min(endurance, E / rate)
after launch, E standard exponential from its own stream, if that is before the end of its
flight and its loss to EW; its crash point is where its path is then.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import stats

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import CompiledScenario, readonly
from skyshield.engine.draws import Stream, draw_replications, replication_rng
from skyshield.engine.fast import simulate_fast
from skyshield.engine.outcomes import Fate
from skyshield.engine.reference import simulate_reference
from skyshield.geo import geodesic_distance_m

from ._build import LAUNCH, one_on_one, prepare, scenario
from .test_reference import _first_difference

_H = 3600.0


def _with(compiled: CompiledScenario, *, endurance_s: float, rate_per_s: float) -> CompiledScenario:
    n = compiled.n_threats
    return dataclasses.replace(
        compiled,
        threat_endurance_s=readonly(np.full(n, endurance_s)),
        threat_loss_rate_per_s=readonly(np.full(n, rate_per_s)),
    )


def _long_flight(count: int = 4, **kw: object) -> dict:
    """Shaheds from east of Kyiv to Lviv: ~640 km, about 3.5 h at 185 km/h."""
    d = one_on_one(threat="shahed-136", count=count, **kw)  # type: ignore[arg-type]
    d["assets"] = {"Lviv": {"city": "Lviv", "country": "UA", "value": 10}}
    d["raid"]["waves"][0]["targets"] = ["Lviv"]
    d["fire_units"][0]["stock"] = 0  # nothing shoots: only the fall rule acts
    return d


def test_simulate_fast__two_hour_endurance_never_flies_three_hours() -> None:
    compiled = _with(compile_scenario(scenario(_long_flight())), endurance_s=2 * _H, rate_per_s=0)
    prepared = prepare(compiled, seed=3, n_reps=5)
    assert (prepared.geometry.flight_s > 3 * _H).all()  # the route is 3 h or longer
    raw = prepared.fast()
    assert (raw.fate == Fate.FELL).all()
    np.testing.assert_allclose(raw.fate_s, 2 * _H)
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    assert not _first_difference(raw, ref, float(compiled.time_step_s))


def test_fall_times__exponential_with_the_loss_rate() -> None:
    """Fall times follow the exponential: P(fell) and the conditional law of the times.

    Rate 1 per 2 h over a flight of T ≈ 3.5 h: P(fell) = 1 − exp(−T / 2 h) ≈ 0.83. With 4,000
    threats the share is within 4 standard errors (false alarm ~6e-5); the fall times, given a
    fall, follow F(t) = (1 − exp(−r t)) / (1 − exp(−r T)); a KS test at α = 0.001.
    """
    rate = 1 / (2 * _H)
    compiled = _with(
        compile_scenario(scenario(_long_flight(count=8))), endurance_s=np.inf, rate_per_s=rate
    )
    prepared = prepare(compiled, seed=11, n_reps=500)
    raw = prepared.fast()
    flight = prepared.geometry.flight_s[0]  # one route set, no jitter: same for every night
    fell = raw.fate == Fate.FELL
    assert set(np.unique(raw.fate)) <= {Fate.FELL, Fate.IMPACTED}
    p = 1 - np.exp(-rate * flight)
    expected = float(p.mean())
    share = float(fell.mean())
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / fell.size)
    t = raw.fate_s[fell]
    big_t = np.broadcast_to(flight, fell.shape)[fell]
    u = (1 - np.exp(-rate * t)) / (1 - np.exp(-rate * big_t))  # uniform under the rule
    assert stats.kstest(u, "uniform").pvalue > 0.001


def test_draws__fall_stream_leaves_the_other_draws_alone() -> None:
    """The fall draws come from their own stream (appended): the others are unchanged."""
    compiled = compile_scenario(scenario(_long_flight()))
    draws = draw_replications(compiled, 5, np.arange(3), 1)
    assert max(Stream) == Stream.FALL
    for row in range(3):
        rng = replication_rng(5, row, Stream.KILL)
        np.testing.assert_array_equal(draws.kill_u[row], rng.random(draws.kill_u[row].shape))
        fall = replication_rng(5, row, Stream.FALL).standard_exponential(compiled.n_threats)
        np.testing.assert_array_equal(draws.fall_budget[row], fall)


def test_tabulate__crash_points_lie_on_the_path() -> None:
    """A fallen Shahed lies on its straight route, speed × fall time from the launch site."""
    compiled = _with(
        compile_scenario(scenario(_long_flight())), endurance_s=np.inf, rate_per_s=1 / _H
    )
    prepared = prepare(compiled, seed=2, n_reps=20)
    tables = prepared.tables(prepared.fast())
    fell = tables.threats[tables.threats["fate"] == "fell"]
    assert len(fell) > 10
    lon, lat = fell["lon_deg"].to_numpy(), fell["lat_deg"].to_numpy()
    along = geodesic_distance_m(LAUNCH["lon_deg"], LAUNCH["lat_deg"], lon, lat)
    to_end = geodesic_distance_m(lon, lat, compiled.asset_lon_deg[0], compiled.asset_lat_deg[0])
    a_lon, a_lat = compiled.asset_lon_deg[0], compiled.asset_lat_deg[0]
    total = float(geodesic_distance_m(LAUNCH["lon_deg"], LAUNCH["lat_deg"], a_lon, a_lat))
    # on the geodesic: the two legs add up to the whole (within 200 m of the great circle)
    assert np.all(along + to_end - total < 200.0)
    flown_s = (fell["time_s"] - fell["launch_time_s"]).to_numpy()
    speed = float(compiled.threat_speed_mps[0])
    np.testing.assert_allclose(along, speed * flown_s, rtol=0.01)


@pytest.mark.parametrize("rate_h", [0.5, 2.0])
def test_simulate_reference__falls_match_fast_engine(rate_h: float) -> None:
    """Fast = reference with falls before, during and after engagements (Kyiv, IRIS-T)."""
    d = one_on_one(threat="shahed-136", count=4, stock=8)
    compiled = _with(compile_scenario(scenario(d)), endurance_s=0.8 * _H, rate_per_s=rate_h / _H)
    prepared = prepare(compiled, seed=4, n_reps=8)
    fast = prepared.fast()
    ref = simulate_reference(compiled, prepared.geometry, prepared.draws)
    assert not _first_difference(fast, ref, float(compiled.time_step_s))
    every = simulate_fast(compiled, prepared.geometry, prepared.draws, skip_idle_steps=False)
    assert not _first_difference(fast, every)
    assert (fast.fate == Fate.FELL).any()
    assert fast.shot_rep.size > 0
