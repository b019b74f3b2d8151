"""``--route-sets N|all`` on the verbs and ``route_sets`` in ``run --json`` (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import skyshield
from skyshield.errors import ScenarioError
from skyshield.testing import run_cli

TINY = Path(__file__).parent / "tiny.yaml"  # monte_carlo.route_sets: 2


@pytest.mark.parametrize(("flag", "flown"), [(None, 2), ("all", 5), ("1", 1), ("9", 5)])
def test_run_json__says_how_many_route_sets_the_nights_flew(flag: str | None, flown: int) -> None:
    args = ["run", TINY, "-n", "5", "--json"] + ([] if flag is None else ["--route-sets", flag])
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["route_sets"] == flown


@pytest.mark.parametrize(("flag", "flown"), [(None, 2), ("all", 4)])
def test_compare_json__says_how_many_route_sets_the_nights_flew(
    flag: str | None, flown: int
) -> None:
    """``compare --json`` reports ``route_sets`` as ``run --json`` does (compare/v2 on)."""
    extra = [] if flag is None else ["--route-sets", flag]
    result = run_cli("compare", TINY, TINY, "-n", "4", "--json", *extra)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "skyshield/compare/v3"
    assert document["route_sets"] == flown


@pytest.mark.parametrize("verb", ["run", "compare", "sweep", "report", "export"])
def test_route_sets__a_bad_value_is_one_line_before_any_work(verb: str, tmp_path: Path) -> None:
    extra = {
        "compare": [TINY],
        "sweep": ["--param", "raid.waves.0.count=1,2"],
        "report": ["-o", tmp_path / "r.html"],
        "export": ["-o", tmp_path / "e.geojson"],
    }.get(verb, [])
    result = run_cli(verb, TINY, *extra, "-n", "2", "--route-sets", "some")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "--route-sets: expected a whole number >= 1 or all, got 'some'"
    ]


def test_api__route_sets_all_flies_every_night_its_own_routes() -> None:
    summary = skyshield.run(TINY, replications=4, route_sets="all", progress=lambda d, t: None)
    assert summary.route_sets == 4
    assert summary.to_dict()["route_sets"] == 4
    with pytest.raises(ScenarioError, match="route-sets"):
        skyshield.run(TINY, replications=4, route_sets=0)
