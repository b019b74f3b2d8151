"""The three DuckDB queries of README.md run on a results directory and return what they say."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

import skyshield
from skyshield.scenario import Scenario

README = Path(__file__).resolve().parents[2] / "README.md"


def _queries() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_readme__three_duckdb_queries_run(
    tmp_path: Path, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = _queries()
    assert len(queries) == 3
    results = tmp_path / "results"
    quiet = {"progress": lambda d, t: None}
    run_a = skyshield.run(tiny, replications=6, out=results, **quiet)
    run_b = skyshield.run(tiny, replications=6, seed=1, out=results, **quiet)
    skyshield.sweep(tiny, ["fire_units.iris.stock=0,2"], replications=4, out=results, **quiet)
    monkeypatch.chdir(tmp_path)
    with duckdb.connect("results/catalog.duckdb", read_only=True) as db:
        complete = db.execute(queries[0]).fetchall()
        leakers = db.execute(queries[1]).fetchall()
        cost = db.execute(queries[2]).fetchall()
    assert [r[1] for r in complete] == ["run", "run", "sweep"]
    means = {r[0]: r[2] for r in leakers}
    assert set(means) == {run_a.run_id, run_b.run_id}
    expected = run_a.measures.query("measure == 'leakers' and key == 'all'")["value"].mean()
    assert means[run_a.run_id] == pytest.approx(expected)
    assert len(cost) == 2
    assert cost[0][1] <= cost[1][1]
    assert '"fire_units.iris.stock": 0' in cost[0][0]
