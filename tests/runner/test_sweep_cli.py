"""``skyshield sweep`` at the process boundary: exit codes, one-line errors, nothing run."""

from __future__ import annotations

import json
from pathlib import Path

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
