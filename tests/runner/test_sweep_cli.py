"""``skyshield sweep`` at the process boundary: exit codes, one-line errors, nothing run."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from skyshield.testing import CliResult, run_cli


def _sweep(*args: str, cwd: Path) -> CliResult:
    return run_cli("sweep", *args, cwd=cwd)


def test_sweep__bad_param_exits_2_before_anything_runs(tmp_path: Path, tiny_path: Path) -> None:
    out = tmp_path / "results"
    result = _sweep(
        str(tiny_path),
        "--param",
        "fire_units.gepard.stock=4,-1",
        "--param",
        "raid.waves.0.count=1,2",
        "-n",
        "2",
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "--param: fire_units.gepard.stock: expected greater than or equal to 0, got -1"
    )
    assert not out.exists()  # a bad value is reported before the directory is made


def test_sweep__grid_table_names_measures_as_compare_prints_them(
    tmp_path: Path, tiny_path: Path
) -> None:
    """The grid's columns read "leakers: all", as compare's rows do, not the id "leakers/all"."""
    result = _sweep(str(tiny_path), "--param", "pk_scale.cruise=0.5,1.0", "-n", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "leakers: all" in result.stdout
    assert "leakers/all" not in result.stdout


def test_sweep__sobol_json_and_plot(tmp_path: Path, tiny_path: Path) -> None:
    plot = tmp_path / "sobol.png"
    result = _sweep(
        str(tiny_path),
        "--sobol",
        "4",
        "--param",
        "fire_units.iris.stock=0:4",
        "--param",
        "pk_scale.cruise=0.5:1.0",
        "-n",
        "4",
        "--plot",
        str(plot),
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "warning: --sobol 4: fewer than 64 base samples; the indices will be noise" in (
        result.stderr
    )
    document = json.loads(result.stdout)
    assert {r["parameter"] for r in document["sobol"]} == {
        "fire_units.iris.stock",
        "pk_scale.cruise",
    }
    assert {(r["measure"], r["key"]) for r in document["sobol"]} == {
        ("leakers", "all"),
        ("allied_engagements_over_non_allied", "all"),
        ("interceptor_cost_usd", ""),
    }
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep__ctrl_c_says_what_is_saved_and_points_left_pending(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_path: Path
) -> None:
    @contextmanager
    def ctrl_c_after_two(*args: object, **kwargs: object) -> Iterator[Callable[[int, int], None]]:
        def update(done: int, total: int) -> None:
            if done == 2:
                raise KeyboardInterrupt

        yield update

    monkeypatch.setattr("skyshield.cli.sweep.progress_bar", ctrl_c_after_two)
    out = tmp_path / "results"
    args = ["--param", "raid.waves.0.count=1,2,3,4", "-n", "2", "--out", str(out)]
    result = _sweep(str(tiny_path), *args, cwd=tmp_path)
    assert result.returncode == 130
    assert result.stderr.strip().splitlines()[-1] == "interrupted: 2/4 saved, rerun to resume"
    listed = run_cli("runs", out, "--points", "--json")
    statuses = sorted(r["status"] for r in json.loads(listed.stdout)["runs"])
    assert statuses == ["complete", "complete", "interrupted", "pending", "pending"]
