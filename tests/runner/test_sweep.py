from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.errors import ScenarioError
from skyshield.metrics.policy import Measure
from skyshield.runner.design import Parameter, Point, grid_design, parse_parameter, point_scenario
from skyshield.runner.sweep import (
    PointTask,
    SweepInterrupted,
    execute_sweep,
    plan_sweep,
    simulate_point,
)
from skyshield.scenario import Scenario
from skyshield.store import list_runs

PI = float(np.pi)


def _ishigami(task: PointTask) -> pd.DataFrame:
    """Ishigami function, a = 7, b = 0.1, as a one-replication measures table."""
    x = task.point.as_dict()
    x1, x2, x3 = x["x1"], x["x2"], x["x3"]
    y = np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)
    return pd.DataFrame({"replication": [0], "measure": ["y"], "key": [""], "value": [y]})


@pytest.mark.slow
def test_execute_sweep__ishigami_sobol_indices() -> None:
    """Ishigami (a=7, b=0.1) on [-π, π]³: analytic S1 = 0.3139, 0.4424, 0; ST = 0.5576,
    0.4424, 0.2437 (Sobol' and Levitan 1999; Saltelli et al. 2008, Global Sensitivity
    Analysis: The Primer, §4.9). With N = 1024 the estimators' standard errors are about
    0.02-0.03 (SALib's bootstrap intervals below say so too); tolerance 0.06.
    """
    params = [Parameter(f"x{i}", low=-PI, high=PI) for i in (1, 2, 3)]
    plan = plan_sweep(None, params, replications=1, seed=11, sobol=1024)
    assert len(plan.points) == 1024 * 5
    result = execute_sweep(plan, evaluate=_ishigami, outputs=[Measure("y")])
    assert result.sobol is not None
    got = result.sobol.set_index("parameter")
    np.testing.assert_allclose(got["s1"], [0.3139, 0.4424, 0.0], atol=0.06)
    np.testing.assert_allclose(got["st"], [0.5576, 0.4424, 0.2437], atol=0.06)
    assert (got["s1_ci95"] > 0).all()
    assert (got["s1_ci95"] < 0.1).all()


def test_point_seed__depends_on_values_only() -> None:
    a = Point((("x", 1), ("y", 2.5)))
    b = Point((("y", 2.5), ("x", 1)))
    assert a.key == b.key
    assert a.seed(5) == b.seed(5)
    assert a.seed(5) != a.seed(6)
    assert a.seed(5) != Point((("x", 2), ("y", 2.5))).seed(5)


def test_grid_design__product_in_order() -> None:
    points = grid_design([parse_parameter("a=1,2"), parse_parameter("b=x,y,z")])
    assert [p.as_dict() for p in points][:4] == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "z"},
        {"a": 2, "b": "x"},
    ]
    assert len(points) == 6


def test_parse_parameter__bounds_and_errors() -> None:
    p = parse_parameter("nations.PL.roe.authorization_delay_s=60:600")
    assert (p.path, p.low, p.high, p.is_range) == (
        "nations.PL.roe.authorization_delay_s",
        60,
        600,
        True,
    )
    with pytest.raises(ScenarioError) as err:
        parse_parameter("a=5:1")
    assert str(err.value) == "--param: a: expected finite bounds with LOW < HIGH, got '5:1'"
    with pytest.raises(ScenarioError) as err:
        parse_parameter("raid.waves.0.count")
    assert str(err.value) == (
        "--param: expected PATH=V1,V2,... or PATH=LOW:HIGH, got 'raid.waves.0.count'"
    )


def test_plan_sweep__every_bad_value_named_before_running(tiny: Scenario) -> None:
    params = [
        parse_parameter("fire_units.gepard.stock=1,-3"),
        parse_parameter("raid.waves.0.count=2,0"),
    ]
    with pytest.raises(ScenarioError) as err:
        plan_sweep(tiny, params, replications=2, seed=1)
    assert str(err.value).splitlines() == [
        "--param: fire_units.gepard.stock: expected greater than or equal to 0, got -3",
        "--param: raid.waves.0.count: expected greater than or equal to 1, got 0",
    ]
    with pytest.raises(ScenarioError) as err:
        plan_sweep(tiny, [parse_parameter("fire_units.nope.stock=1")], replications=2, seed=1)
    assert "fire_units.nope.stock: expected the path of a field in the scenario" in str(err.value)


def test_execute_sweep__same_results_whatever_the_points_and_workers(tiny: Scenario) -> None:
    both = plan_sweep(tiny, [parse_parameter("fire_units.iris.stock=0,2")], replications=6, seed=4)
    one = plan_sweep(tiny, [parse_parameter("fire_units.iris.stock=2")], replications=6, seed=4)
    serial = execute_sweep(both).table
    parallel = execute_sweep(both, workers=2).table
    pd.testing.assert_frame_equal(serial, parallel)
    alone = execute_sweep(one).table
    key = one.points[0].key
    pd.testing.assert_frame_equal(serial[serial["point"] == key].reset_index(drop=True), alone)
    rounds = serial.set_index(["point", "measure", "key"])["mean"]
    no_stock = both.points[0].key
    assert rounds.loc[(no_stock, "rounds", "UA")] < rounds.loc[(key, "rounds", "UA")]


def test_execute_sweep__resume_runs_only_incomplete_points(tiny: Scenario, tmp_path: Path) -> None:
    params = [parse_parameter("fire_units.iris.stock=0,1,2")]
    plan = plan_sweep(tiny, params, replications=4, seed=2, directory=tmp_path)
    ran: list[str] = []

    def counting(task: PointTask) -> pd.DataFrame:
        ran.append(task.run_id)
        return simulate_point(task)

    first = execute_sweep(plan, directory=tmp_path, evaluate=counting)
    assert sorted(ran) == sorted(t.run_id for t in plan.tasks)
    ran.clear()
    again = execute_sweep(plan, directory=tmp_path, evaluate=counting)
    assert ran == []
    assert again.skipped == 3
    pd.testing.assert_frame_equal(again.table, first.table, check_exact=True)
    # a point whose file is gone (a crash before the write reached the disk) runs again
    lost = plan.tasks[1]
    (tmp_path / "runs" / lost.run_id / "measures.parquet").unlink()
    third = execute_sweep(plan, directory=tmp_path, evaluate=counting)
    assert ran == [lost.run_id]
    pd.testing.assert_frame_equal(third.table, first.table, check_exact=True)
    runs = list_runs(tmp_path, points=True)
    assert runs["run_id"].is_unique
    assert (runs["status"] == "complete").all()
    assert len(runs) == 4  # the sweep and its three points


def _constant(task: PointTask) -> pd.DataFrame:
    """Two nights of one measure: a point that costs nothing to run."""
    return pd.DataFrame(
        {"replication": [0, 1], "measure": ["y", "y"], "key": ["", ""], "value": [1.0, 2.0]}
    )


def test_execute_sweep__interrupt_leaves_unfinished_points_pending(
    tiny: Scenario, tmp_path: Path
) -> None:
    params = [parse_parameter("fire_units.iris.stock=0,1,2,3,4")]
    plan = plan_sweep(tiny, params, replications=2, seed=2, directory=tmp_path)

    def ctrl_c_after_two(done: int, total: int) -> None:
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted, match=r"^interrupted: 2/5 saved, rerun to resume$"):
        execute_sweep(plan, directory=tmp_path, progress=ctrl_c_after_two)
    runs = list_runs(tmp_path, points=True).set_index("run_id")
    points = runs[runs["kind"] == "sweep-point"]
    assert sorted(points["status"]) == ["complete"] * 2 + ["pending"] * 3
    assert points.loc[points["status"] == "pending", "finished"].isna().all()
    assert runs.loc[plan.sweep_id, "status"] == "interrupted"
    # the same sweep again runs only the pending points and completes
    ran: list[str] = []

    def counting(task: PointTask) -> pd.DataFrame:
        ran.append(task.run_id)
        return simulate_point(task)

    again = execute_sweep(plan, directory=tmp_path, evaluate=counting)
    assert again.skipped == 2
    assert sorted(ran) == sorted(points.index[points["status"] == "pending"])
    assert (list_runs(tmp_path, points=True)["status"] == "complete").all()


def test_execute_sweep__interrupt_without_directory_says_nothing_kept(tiny: Scenario) -> None:
    plan = plan_sweep(
        tiny, [parse_parameter("fire_units.iris.stock=0,1,2")], replications=2, seed=2
    )

    def ctrl_c(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(SweepInterrupted, match=r"^interrupted: 1/3 points done, none kept"):
        execute_sweep(plan, evaluate=_constant, progress=ctrl_c)


def test_plan_sweep__sobol_bounds_of_an_integer_field_rounded(tiny: Scenario) -> None:
    # bounds parse as floats (1.0); a strict integer field must see them as the design does
    plan = plan_sweep(
        tiny, [parse_parameter("raid.waves.0.count=1:10")], replications=2, seed=1, sobol=2
    )
    counts = {p.as_dict()["raid.waves.0.count"] for p in plan.points}
    assert all(isinstance(c, int) for c in counts)


def test_sweep_record__parameters_are_strict_json(tiny: Scenario, tmp_path: Path) -> None:
    # a grid parameter has no bounds (NaN inside): the catalog must hold null, not NaN
    plan = plan_sweep(
        tiny,
        [parse_parameter("fire_units.iris.stock=0,2")],
        replications=2,
        seed=1,
        directory=tmp_path,
    )
    execute_sweep(plan, directory=tmp_path)
    row = list_runs(tmp_path).set_index("kind").loc["sweep"]

    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    spec = json.loads(row["parameters"], parse_constant=refuse)
    assert spec["parameters"] == [["fire_units.iris.stock", [0, 2], None, None]]


def test_point_scenario__errors_name_the_path_once(tiny: Scenario) -> None:
    cases = {
        "pk_scale.drones": "--param: pk_scale.drones: expected one of pk_scale.drone, "
        "pk_scale.cruise, pk_scale.ballistic, got drones",
        "pk_scale.cruise": "--param: pk_scale.cruise: expected a number >= 0, got -1",
        "raid.waves.0.count": "--param: raid.waves.0.count: expected greater than or equal to 1, "
        "got -1",
    }
    for path, message in cases.items():
        with pytest.raises(ScenarioError) as err:
            point_scenario(tiny, Point(((path, -1),)))
        assert str(err.value) == message
