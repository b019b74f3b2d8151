"""Reports and exports of a stored run read it back: the same nights, not simulated again."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import skyshield
from skyshield.api import export, report
from skyshield.engine.geometry import RouteSetsOnDemand, build_geometry
from skyshield.errors import StoreError
from skyshield.runner.montecarlo import BLOCK_SIZE, run_replications
from skyshield.runner.replay import stored_run, stored_run_reference
from skyshield.scenario import Scenario, load_scenario
from skyshield.store.runs import run_directory

REPS = 6
SEED = 5


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The western raid, 3 threats a wave: its routes are jittered, so they hang on the seed."""
    full = load_scenario("western-raid")
    waves = tuple(w.model_copy(update={"count": min(w.count, 3)}) for w in full.raid.waves)
    return full.model_copy(update={"raid": full.raid.model_copy(update={"waves": waves})})


@pytest.fixture(scope="module")
def saved(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("results")
    summary = skyshield.run(
        scenario, replications=REPS, seed=SEED, out=directory, progress=lambda d, t: None
    )
    assert summary.run_id is not None
    return directory, summary.run_id


def test_stored_run__equals_the_run_that_was_saved(
    scenario: Scenario, saved: tuple[Path, str]
) -> None:
    directory, run_id = saved
    again = stored_run(directory, run_id)
    fresh = run_replications(scenario, replications=REPS, seed=SEED)
    assert again.seed == SEED
    assert again.replications == REPS
    pd.testing.assert_frame_equal(again.outcomes.threats, fresh.outcomes.threats)
    pd.testing.assert_frame_equal(again.outcomes.shots, fresh.outcomes.shots)
    # the rebuilt geometry is the one the tables refer to: same route sets, same pieces
    assert again.geometry.n_realizations == fresh.geometry.n_realizations
    for a, b in zip(again.geometry.pieces, fresh.geometry.pieces, strict=True):
        assert (a.lon_deg == b.lon_deg).all()
        assert (a.time_s == b.time_s).all()


def test_stored_run__own_routes_are_flown_again_on_demand(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Every night its own routes (more nights than a block): the stored run does not build
    them all up front; the route sets it flies when read are the run's, bit for bit."""
    own = scenario.model_copy(
        update={"monte_carlo": scenario.monte_carlo.model_copy(update={"route_sets": "all"})}
    )
    reps = BLOCK_SIZE + 2
    summary = skyshield.run(
        own, replications=reps, seed=SEED, out=tmp_path, progress=lambda d, t: None
    )
    assert summary.run_id is not None
    assert summary.route_sets == reps
    again = stored_run(tmp_path, summary.run_id)
    assert isinstance(again.geometry, RouteSetsOnDemand)
    whole = build_geometry(again.compiled, SEED, reps)
    for r in (0, reps - 1):
        assert (again.geometry.pieces[r].ecef_m == whole.pieces[r].ecef_m).all()
        assert (again.geometry.territory[r].lo_s == whole.territory[r].lo_s).all()


def test_export__stored_run_gives_the_same_file_as_the_simulation(
    scenario: Scenario, saved: tuple[Path, str]
) -> None:
    directory, run_id = saved
    folder = run_directory(directory, run_id)
    assert stored_run_reference(folder) == (directory, run_id)
    for fmt in ("geojson", "acmi"):
        from_store = export(folder, fmt, replication=REPS - 1)
        simulated = export(scenario, fmt, replication=REPS - 1, replications=REPS, seed=SEED)
        assert from_store == simulated


def test_report__of_a_stored_run_draws_its_intercepts(saved: tuple[Path, str]) -> None:
    directory, run_id = saved
    run = stored_run(directory, run_id)
    shots = run.outcomes.shots
    replication = int(shots["replication"].mode()[0])
    html = report(run_directory(directory, run_id), replication=replication)
    assert html.count('"layer":"intercept"') + html.count('"layer": "intercept"') == int(
        (shots["replication"] == replication).sum()
    )


def test_stored_run__refuses_what_it_cannot_replay(
    tiny: Scenario, saved: tuple[Path, str], tmp_path: Path
) -> None:
    directory, _ = saved
    with pytest.raises(StoreError, match="expected a run id"):
        stored_run(directory, "run-nope")
    compared = skyshield.compare(tiny, tiny, replications=4, out=tmp_path)
    assert compared.run_id is not None
    with pytest.raises(StoreError, match="expected a run saved by `skyshield run --out`"):
        stored_run(tmp_path, compared.run_id)
    assert stored_run_reference(tmp_path / "elsewhere") is None
    assert stored_run_reference("western-raid") is None
