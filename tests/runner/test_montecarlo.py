"""Reproducibility of :func:`skyshield.runner.montecarlo.run_replications`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from skyshield.engine.geometry import RaidGeometry, RouteSetsOnDemand, build_geometry
from skyshield.runner.montecarlo import BLOCK_SIZE, EngineKind, route_sets, run_replications
from skyshield.scenario import Scenario
from skyshield.scenario.models import Position

N_REPS = 60  # three blocks of 25, 25 and 10 replications


def _raid() -> Scenario:
    """Shaheds and Kh-101s on Kyiv with launch and route jitter, three systems, 2 realizations."""

    def unit(uid: str, system: str, lon: float, lat: float) -> dict[str, Any]:
        pos = {"lon_deg": lon, "lat_deg": lat}
        return {"id": uid, "system": system, "nation": "UA", "position": pos, "networks": ["ua"]}

    wave = {
        "launch_site": "east",
        "launch_jitter_s": 60,
        "route_jitter_km": 10,
        "targets": ["Kyiv"],
    }
    d = {
        "name": "repro",
        "nations": {"UA": {}},
        "assets": {"Kyiv": {"city": "Kyiv", "country": "UA"}},
        "networks": {"ua": {}},
        "sensors": [
            {
                "id": "eye",
                "nation": "UA",
                "position": {"lon_deg": 31.0, "lat_deg": 50.3},
                "radar_range_km": 500,
                "reference_rcs_m2": 1,
                "height_m": 3000,
                "networks": ["ua"],
            }
        ],
        "fire_units": [
            unit("iris", "iris-t-slm", 30.9, 50.4),
            unit("gepard", "gepard", 30.8, 50.45),
            unit("nasams", "nasams", 31.3, 50.35),
        ],
        "raid": {
            "launch_sites": {"east": {"lon_deg": 32.5, "lat_deg": 50.1}},
            "waves": [
                {"threat": "shahed-136", "count": 6, "launch_spacing_s": 30, **wave},
                {"threat": "kh-101", "count": 3, "launch_spacing_s": 20, **wave},
            ],
        },
        "monte_carlo": {"replications": N_REPS, "seed": 4242, "route_sets": 2},
    }
    return Scenario.model_validate(d)


@pytest.fixture(scope="module")
def one_worker():
    return run_replications(_raid(), replications=N_REPS, workers=1)


def test_run_replications__two_workers_give_the_same_tables(one_worker) -> None:
    assert N_REPS > 2 * BLOCK_SIZE
    two = run_replications(_raid(), replications=N_REPS, workers=2)
    pd.testing.assert_frame_equal(one_worker.outcomes.threats, two.outcomes.threats)
    pd.testing.assert_frame_equal(one_worker.outcomes.shots, two.outcomes.shots)
    assert len(one_worker.outcomes.shots) > 0


def test_run_replications__same_seed_same_tables(one_worker) -> None:
    again = run_replications(_raid(), replications=N_REPS, workers=1)
    pd.testing.assert_frame_equal(one_worker.outcomes.threats, again.outcomes.threats)
    pd.testing.assert_frame_equal(one_worker.outcomes.shots, again.outcomes.shots)
    assert again.seed == 4242


def test_run_replications__different_seed_differs(one_worker) -> None:
    other = run_replications(_raid(), replications=N_REPS, seed=4243, workers=1)
    assert other.seed == 4243
    assert not one_worker.outcomes.threats.equals(other.outcomes.threats)


def test_run_replications__prefix_of_a_longer_run_is_identical(one_worker) -> None:
    """Replication r depends only on (seed, r): the first 30 of 60 equal a 30-replication run."""
    short = run_replications(_raid(), replications=30, workers=1).outcomes
    long = one_worker.outcomes
    pd.testing.assert_frame_equal(short.threats, long.threats[long.threats["replication"] < 30])
    long_shots = long.shots[long.shots["replication"] < 30].reset_index(drop=True)
    pd.testing.assert_frame_equal(short.shots, long_shots)


def test_run_replications__threat_table_has_one_row_per_threat_and_replication(one_worker) -> None:
    threats = one_worker.outcomes.threats
    assert len(threats) == 9 * N_REPS
    assert not threats.duplicated(["replication", "threat"]).any()
    np.testing.assert_array_equal(np.unique(threats["replication"]), np.arange(N_REPS))


def test_run_replications__reference_engine_gives_the_same_tables() -> None:
    fast = run_replications(_raid(), replications=3, workers=1)
    ref = run_replications(_raid(), replications=3, workers=1, engine=EngineKind.REFERENCE)
    pd.testing.assert_frame_equal(fast.outcomes.threats, ref.outcomes.threats)
    pd.testing.assert_frame_equal(fast.outcomes.shots, ref.outcomes.shots)


def test_route_sets__all_gives_every_night_its_own_routes() -> None:
    raid = _raid()
    mc = raid.monte_carlo
    every = raid.model_copy(update={"monte_carlo": mc.model_copy(update={"route_sets": "all"})})
    assert route_sets(every, 37) == 37
    assert route_sets(raid, 37) == 2  # a number caps the pool
    assert route_sets(raid, 1) == 1  # never more sets than nights
    result = run_replications(every, replications=5, workers=1)
    assert result.geometry.n_realizations == 5
    np.testing.assert_array_equal(result.route_sets, np.arange(5))


def test_route_sets__old_name_refused_with_the_new_one() -> None:
    d = _raid().model_dump(mode="json")
    d["monte_carlo"]["route_realizations"] = d["monte_carlo"].pop("route_sets")
    with pytest.raises(ValueError, match="route_sets"):
        Scenario.model_validate(d)


def _own_routes() -> Scenario:
    """The raid with a jittered waypoint on every route (so route sets differ), own routes."""
    scenario = _raid()
    via = Position(lon_deg=31.9, lat_deg=50.6)
    waves = tuple(w.model_copy(update={"route": (via,)}) for w in scenario.raid.waves)
    raid = scenario.raid.model_copy(update={"waves": waves})
    mc = scenario.monte_carlo.model_copy(update={"route_sets": "all"})
    return scenario.model_copy(update={"raid": raid, "monte_carlo": mc})


@pytest.fixture(scope="module")
def own_routes_one_worker():
    return run_replications(_own_routes(), replications=N_REPS, workers=1)


def test_own_routes__blocks_fly_their_own_route_sets_with_the_same_tables(
    own_routes_one_worker,
) -> None:
    """Every night its own routes: each block builds its route sets in its worker (memory
    bounded by the block); the tables equal those of the whole run's geometry built up front,
    and do not depend on the worker count."""
    run = own_routes_one_worker
    assert isinstance(run.geometry, RouteSetsOnDemand)
    assert run.geometry.n_realizations == N_REPS

    def whole(*args: Any, **kwargs: Any) -> RaidGeometry:  # another builder: built up front
        return build_geometry(*args, **kwargs)

    up_front = run_replications(_own_routes(), replications=N_REPS, workers=1, build=whole)
    assert isinstance(up_front.geometry, RaidGeometry)
    two = run_replications(_own_routes(), replications=N_REPS, workers=2)
    for other in (up_front, two):
        pd.testing.assert_frame_equal(run.outcomes.threats, other.outcomes.threats)
        pd.testing.assert_frame_equal(run.outcomes.shots, other.outcomes.shots)
        pd.testing.assert_frame_equal(run.outcomes.stocks, other.outcomes.stocks)
    np.testing.assert_array_equal(run.route_sets, np.arange(N_REPS))
    assert len(run.outcomes.shots) > 0
    # the route sets flown again on demand are the run's, bit for bit
    eager = up_front.geometry
    for r in (0, 31, N_REPS - 1):
        got, want = run.geometry.pieces[r], eager.pieces[r]
        np.testing.assert_array_equal(got.ecef_m, want.ecef_m)
        np.testing.assert_array_equal(got.time_s, want.time_s)
        np.testing.assert_array_equal(run.geometry.territory[r].lo_s, eager.territory[r].lo_s)
        np.testing.assert_array_equal(run.geometry.territory[r].code, eager.territory[r].code)
    assert len(run.geometry.pieces[-2:]) == 2
    assert not np.array_equal(eager.pieces[0].ecef_m, eager.pieces[1].ecef_m)  # sets differ


def test_run_replications__reports_the_geometry_stage_then_the_nights() -> None:
    """The route sets built before the nights are a stage of their own (the CLI's "geometry")."""
    geometry: list[tuple[int, int]] = []
    nights: list[tuple[int, int]] = []
    run_replications(
        _raid(),
        replications=30,
        workers=2,
        progress=lambda done, total: nights.append((done, total)),
        geometry_progress=lambda done, total: geometry.append((done, total)),
    )
    assert geometry == [(k, 4) for k in range(1, 5)]  # 2 route sets flown, then their windows
    assert nights == [(25, 30), (30, 30)]
