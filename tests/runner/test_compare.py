"""Policy comparison: ROE invariants on every built-in scenario, monotonicity, pairing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point

from skyshield.catalog import ThreatClass
from skyshield.engine.draws import draw_replications
from skyshield.engine.fast import simulate_fast
from skyshield.engine.outcomes import tabulate
from skyshield.engine.pieces import positions_at
from skyshield.engine.zones import HEADING_FRACTIONS
from skyshield.errors import ScenarioError
from skyshield.geo import (
    NATION_CODES,
    distance_to_territory_m,
    geodesic_distance_m,
    territory_codes,
)
from skyshield.metrics.policy import per_replication_measures
from skyshield.runner.compare import apply_variation, compare, parse_variation
from skyshield.runner.montecarlo import prepare, run_replications
from skyshield.scenario import Scenario, builtin_scenario_names, load_scenario
from skyshield.testing import run_cli

N_REPS = 4


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_compare__builtin_scenarios_obey_their_rules(name: str) -> None:
    """No shot outside its zone, before its delay, at a barred class, or not heading home."""
    scenario = load_scenario(name)
    compiled, geometry = prepare(scenario, 11, workers=2, replications=N_REPS)
    draws = draw_replications(compiled, 11, np.arange(N_REPS), geometry.n_realizations)
    raw = simulate_fast(compiled, geometry, draws)
    tables = tabulate(compiled, geometry, raw)
    shots = tables.shots
    # decoys carry no warhead: never an impact, whatever the scenario
    decoys = tables.threats[tables.threats["threat_class"] == "decoy"]
    assert not (decoys["fate"] == "impacted").any()
    reached = tables.threats[tables.threats["fate"] == "reached_area"]
    assert (reached["threat_class"] == "decoy").all()
    # EW losses happen only inside EW zones (within one step of flight of the disc)
    lost = tables.threats[tables.threats["fate"] == "lost_to_ew"]
    if len(lost):
        margin = compiled.threat_speed_mps.max() * compiled.time_step_s
        inside = np.zeros(len(lost), dtype=bool)
        for z in scenario.ew_zones:
            inside |= geodesic_distance_m(
                np.full(len(lost), z.position.lon_deg),
                np.full(len(lost), z.position.lat_deg),
                lost["lon_deg"].to_numpy(),
                lost["lat_deg"].to_numpy(),
            ) <= (z.radius_km * 1000 + margin)
        assert inside.all()
    classes = list(ThreatClass)
    dt = compiled.time_step_s
    targets_terr = territory_codes(compiled.asset_lon_deg, compiled.asset_lat_deg)
    for s in range(raw.shot_rep.size):
        u, i = int(raw.shot_unit[s]), int(raw.shot_threat[s])
        nation = int(compiled.unit_roe_nation[u])  # whose rules it fires under (its host's)
        code = compiled.nation_codes[nation]
        roe = scenario.nations[code].roe
        assert classes[compiled.threat_class[i]] in roe.classes
        real = int(draws.realization[raw.shot_rep[s], i])
        pieces, windows = geometry.pieces[real], geometry.windows[real]
        k = int(raw.shot_step[s] - draws.launch_step[raw.shot_rep[s], i])
        first_track = windows.track_s[compiled.unit_networks[u], i].min()
        assert k * dt >= first_track + roe.authorization_delay_s
        row = shots.iloc[s]
        if row["territory"] != code and roe.zone.kind.value == "polygon":
            polygon = compiled.roe_polygons[nation]
            assert polygon is not None
            assert polygon.buffer(1e-6).contains(Point(row["lon_deg"], row["lat_deg"]))
        elif row["territory"] != code:
            assert roe.zone.kind.value == "buffer"
            assert str(row["territory"]) in roe.zone.into
            assert (
                distance_to_territory_m(row["lon_deg"], row["lat_deg"], code)
                <= roe.zone.buffer_km * 1000
            )
        if (
            roe.must_head_to_own_territory
            and NATION_CODES[targets_terr[compiled.threat_target[i]]] != code
        ):
            # the track at fire time: where it is, and its course over the next second
            here_lon, here_lat, _, _ = positions_at(
                pieces, np.array([i, i]), np.array([k * dt, k * dt + 1.0])
            )
            course = Geod(ellps="WGS84").inv(here_lon[0], here_lat[0], here_lon[1], here_lat[1])[0]
            heads = NATION_CODES[int(territory_codes(here_lon[0], here_lat[0]))] == code
            for fraction in HEADING_FRACTIONS:
                lon, lat, _ = Geod(ellps="WGS84").fwd(
                    here_lon[0], here_lat[0], course, roe.heading_horizon_km * 1000 * fraction
                )
                # within a kilometre of the border: the piece's course and this one differ
                heads |= NATION_CODES[int(territory_codes(lon, lat))] == code or (
                    distance_to_territory_m(lon, lat, code) < 1000.0
                )
            assert heads, (name, s)


def _pl_engagements_over_ua(buffer_km: float, reps: int) -> pd.Series:
    base = load_scenario("western-raid-poland-100km")
    scenario = apply_variation(
        base, "nations.PL.roe.must_head_to_own_territory", False, source="test"
    )
    scenario = apply_variation(scenario, "nations.PL.roe.zone.buffer_km", buffer_km, source="test")
    shots = run_replications(scenario, replications=reps, seed=3).outcomes.shots
    mine = shots[(shots["nation"] == "PL") & (shots["territory"] == "UA")]
    engagements = mine.drop_duplicates(["replication", "unit", "threat", "fire_time_s"])
    return engagements.groupby("replication").size().reindex(range(reps), fill_value=0)


@pytest.mark.slow
def test_compare__larger_buffer_never_fewer_allied_engagements() -> None:
    reps = 40
    counts = {b: _pl_engagements_over_ua(b, reps) for b in (0.0, 25.0, 150.0)}
    assert counts[0.0].sum() == 0
    for small, large in ((0.0, 25.0), (25.0, 150.0)):
        diff = counts[large] - counts[small]
        se = diff.std(ddof=1) / np.sqrt(reps) if diff.std(ddof=1) > 0 else 0.0
        assert diff.mean() >= -3 * se, (small, large, diff.mean(), se)
    assert counts[150.0].mean() > counts[0.0].mean()


def test_compare__zero_buffer_without_sharing_equals_baseline() -> None:
    """Poland present with zero buffer and its own network changes nothing on the default raid."""
    policy = apply_variation(
        load_scenario("poland-100km"), "nations.PL.roe.zone.buffer_km", 0.0, source="test"
    )
    base_run = run_replications(load_scenario("baseline"), replications=20, seed=5)
    policy_run = run_replications(policy, replications=20, seed=5)
    columns = ["replication", "threat", "fate", "time_s", "unit", "lon_deg", "lat_deg"]
    pd.testing.assert_frame_equal(
        base_run.outcomes.threats[columns].astype({"fate": str}),
        policy_run.outcomes.threats[columns].astype({"fate": str}),
    )
    assert (policy_run.outcomes.shots["nation"] != "PL").all()
    assert len(policy_run.outcomes.shots) == len(base_run.outcomes.shots)


@pytest.mark.slow
def test_compare__paired_intervals_narrower_than_unpaired() -> None:
    result = compare(
        [load_scenario("western-raid"), load_scenario("western-raid-poland-100km")], replications=60
    )
    diffs = result.differences.set_index(["measure", "key"])
    assert diffs.loc[("rounds", "UA"), "paired_ci95"] < diffs.loc[("rounds", "UA"), "unpaired_ci95"]
    leakers = diffs.loc[("leakers", "all")]
    assert leakers["paired_ci95"] <= leakers["unpaired_ci95"]
    # the policy adds Polish engagements over Ukraine, counted per night and per month
    per_night = diffs.loc[("allied_engagements_over_non_allied", "PL"), "diff"]
    per_month = diffs.loc[("allied_engagements_over_non_allied_per_month", "PL"), "diff"]
    assert per_night > 0
    assert per_month == pytest.approx(per_night * result.raids_per_month)


def test_apply_variation__unknown_path() -> None:
    with pytest.raises(ScenarioError) as err:
        apply_variation(
            load_scenario("poland-100km"), "nations.PL.roe.bufer_km", 5, source="--vary"
        )
    assert str(err.value) == (
        "--vary: nations.PL.roe.bufer_km: expected the path of a field in the scenario, "
        "got no such field"
    )


def test_apply_variation__invalid_value() -> None:
    with pytest.raises(ScenarioError) as err:
        apply_variation(
            load_scenario("poland-100km"), "nations.PL.roe.zone.buffer_km", -5, source="--vary"
        )
    assert "nations.PL.roe.zone.buffer_km" in str(err.value)
    assert "-5" in str(err.value)


def test_parse_variation__values_and_errors() -> None:
    v = parse_variation("nations.PL.roe.authorization_delay_s=60,600")
    assert v.path == "nations.PL.roe.authorization_delay_s"
    assert v.values == (60, 600)
    assert parse_variation("a.b=false").values == (False,)
    with pytest.raises(ScenarioError):
        parse_variation("nations.PL.roe.authorization_delay_s")


def test_per_replication_measures__asset_value_hit_is_impacts_times_values() -> None:
    scenario = load_scenario("western-raid")
    run = run_replications(scenario, replications=10, seed=2)
    table = per_replication_measures(run.scenario, run.compiled, run.geometry, run.outcomes, 10)
    expected = sum(
        table[f"impacts/{name}"] * asset.value
        for name, asset in scenario.assets.items()
        if f"impacts/{name}" in table
    )
    pd.testing.assert_series_equal(table["asset_value_hit/all"], expected, check_names=False)
    assert (
        table["leakers/all"] == table[[c for c in table if c.startswith("impacts/")]].sum(axis=1)
    ).all()


def test_run_replications__optimal_assignment_needs_reference_engine() -> None:
    data = load_scenario("default").model_dump(mode="json")
    data["engine"]["assignment"] = "optimal"
    with pytest.raises(ScenarioError) as err:
        run_replications(Scenario.model_validate(data), replications=1)
    assert str(err.value) == (
        "default: engine.assignment: expected greedy with the fast engine "
        "(optimal assignment needs the reference engine), got 'optimal'"
    )


def test_compare__different_raids_unpaired(tiny: Scenario) -> None:
    bigger = apply_variation(tiny, "raid.waves.1.count", 8, source="test")
    result = compare([tiny, bigger], names=["tiny", "bigger"], replications=20, seed=1)
    assert result.unpaired == ("bigger",)
    diffs = result.differences.set_index(["measure", "key"])
    assert diffs["paired_ci95"].isna().all()
    assert (diffs["unpaired_ci95"] >= 0).all()
    base = result.measures["tiny"]["leakers/all"]
    other = result.measures["bigger"]["leakers/all"]
    assert diffs.loc[("leakers", "all"), "diff"] == pytest.approx(other.mean() - base.mean())
    same = compare([tiny, tiny], names=["a", "b"], replications=5, seed=1)
    assert same.unpaired == ()
    assert same.differences["paired_ci95"].notna().all()


def test_compare__different_monte_carlo_refused(tiny: Scenario) -> None:
    other = apply_variation(tiny, "monte_carlo.route_sets", 3, source="test")
    with pytest.raises(ScenarioError) as err:
        compare([tiny, other], names=["tiny", "other"], replications=2)
    assert str(err.value) == (
        "other: monte_carlo: expected the same monte_carlo as tiny (compare runs the same "
        "nights), got a different one"
    )


def test_compare__cli_different_raids_say_unpaired(tmp_path: Path, tiny_path: Path) -> None:
    bigger = tmp_path / "bigger.yaml"
    bigger.write_text(
        tiny_path.read_text().replace("count: 4", "count: 8").replace("name: tiny", "name: big")
    )
    result = run_cli("compare", tiny_path, bigger, "-n", "4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "bigger: a different raid from tiny's, so no night pairs with another" in " ".join(
        result.stdout.split()
    )


def test_apply_variation__list_items_by_id_and_index(tiny: Scenario) -> None:
    varied = apply_variation(tiny, "fire_units.gepard.stock", 7, source="--vary")
    assert [u.stock for u in varied.fire_units] == [2, 7]
    varied = apply_variation(varied, "raid.waves.0.count", 5, source="--vary")
    varied = apply_variation(varied, "sensors.eye.radar_range_km", 400, source="--vary")
    assert varied.raid.waves[0].count == 5
    assert varied.sensors[0].radar_range_km == 400
    assert apply_variation(tiny, "raid.waves[0].count", 5, source="x").raid == varied.raid
    for path in ("fire_units.nope.stock", "raid.waves.2.count", "raid.waves.0.nope"):
        with pytest.raises(ScenarioError) as err:
            apply_variation(tiny, path, 1, source="--vary")
        assert str(err.value) == (
            f"--vary: {path}: expected the path of a field in the scenario, got no such field"
        )
    with pytest.raises(ScenarioError) as err:
        apply_variation(tiny, "fire_units.gepard.stock", 2.5, source="--vary")
    assert str(err.value) == ("--vary: fire_units.gepard.stock: expected an integer, got 2.5")


def test_compare__bad_vary_value_refused_before_anything_runs(tiny: Scenario) -> None:
    ran: list[str] = []
    with pytest.raises(ScenarioError) as err:
        compare(
            [tiny, tiny],
            names=["a", "b"],
            replications=2,
            variations=[parse_variation("raid.waves.0.count=3,-1")],
            progress=ran.append,
        )
    # one line naming the field once (it read "--vary raid.waves.0.count: raid.waves.0.count: ...")
    assert str(err.value) == (
        "--vary: raid.waves.0.count: expected greater than or equal to 1, got -1"
    )
    assert ran == []
