"""A calibrated run says so (issue 23, item 10): every output names the calibration applied,
and a run warns when its scenario's units differ from the posture the fit used."""

from __future__ import annotations

import builtins
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.calibration.conftest import CHOSEN, write_calibration_file

import skyshield
from skyshield import api
from skyshield.calibration.applied import (
    APPLIED_PARAMETERS,
    applied_calibration,
    posture_warnings,
)
from skyshield.calibration.calibrate import Calibration
from skyshield.calibration.fit import FIT_NAMES, Posterior
from skyshield.calibration.model import NAMES, at_prior_edge
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import Surrogate
from skyshield.posture import NightComposition, night_scenario
from skyshield.scenario import load_scenario
from skyshield.store.catalog import run_record
from skyshield.testing import run_cli

TINY = Path(__file__).resolve().parent.parent / "tiny.yaml"
QUIET: dict[str, Any] = {"progress": lambda *_: None}


def _stamp(path: Path, train_until: str) -> None:
    """Record a training cut-off in a calibration file, as `calibrate` does."""
    document = json.loads(path.read_text())
    document["data"] = {"train_until": train_until}
    path.write_text(json.dumps(document))


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_calibration_file(tmp_path_factory.mktemp("applied"))
    _stamp(path, "2025-04-01")
    return path


def test_applied__names_file_hash_cutoff_and_multipliers(calibration: Path) -> None:
    applied = applied_calibration(calibration)
    assert applied.file == "calibration.json"
    assert applied.sha256 == hashlib.sha256(calibration.read_bytes()).hexdigest()
    assert applied.train_until == "2025-04-01"
    assert (applied.period_start, applied.period_end) == ("2025-01-01", "2025-04-01")
    # every fitted parameter applies: the chosen ones, the others at the file's 0.5
    assert applied.multipliers == pytest.approx(
        {name: CHOSEN.get(name, 0.5) for name in APPLIED_PARAMETERS}
    )
    assert set(APPLIED_PARAMETERS) == set(NAMES)
    line = applied.describe()
    assert "calibration.json" in line
    assert applied.sha256[:12] in line
    assert "before 2025-04-01" in line
    assert "cruise 0.50" in line


def test_applied__another_file_another_hash(calibration: Path, tmp_path: Path) -> None:
    other = tmp_path / "calibration.json"
    other.write_bytes(calibration.read_bytes())
    _stamp(other, "2025-01-01")
    assert applied_calibration(other).sha256 != applied_calibration(calibration).sha256


def test_posture_warnings__only_when_units_differ(calibration: Path) -> None:
    applied = applied_calibration(calibration)
    # the laydown without the raid-tasked route pool (off at tasking_beta 0, not a fixed unit)
    fitted = night_scenario(NightComposition(drone=10, cruise=2, ballistic=1), route_pool=False)
    assert posture_warnings(fitted, applied) == []  # the fit's own posture: nothing to say
    lines = posture_warnings(load_scenario(TINY), applied)
    assert len(lines) == 1
    assert "2 fire units" in lines[0]
    assert "71 notional units" in lines[0]
    # the fitted set applies to them by family: the line says so, and that the shares need not
    assert "apply to them by family" in lines[0]
    assert "applied to 2 of 2 fire units" in lines[0]
    assert "need not follow here" in lines[0]
    # the description names what applies, the missiles' losses with their medians
    described = applied.describe()
    assert "missiles lost in flight: cruise 0.50 an hour of flight, ballistic 0.50 a flight" in (
        described
    )
    assert "family size long 0.50, medium 0.50, short 0.50" in described
    # one unit less than the posture the fit used is a difference too
    fewer = fitted.model_copy(update={"fire_units": fitted.fire_units[1:]})
    assert len(posture_warnings(fewer, applied)) == 1


def test_run__json_store_and_report_name_the_calibration(calibration: Path, tmp_path: Path) -> None:
    summary = api.run(TINY, replications=2, calibration=calibration, out=tmp_path, **QUIET)
    document = summary.to_dict()
    assert document["schema"] == "skyshield/run/v3"
    named = document["calibration"]
    assert named["file"] == "calibration.json"
    assert named["sha256"] == hashlib.sha256(calibration.read_bytes()).hexdigest()
    assert named["train_until"] == "2025-04-01"
    # CHOSEN's pk_ballistic 0.1 is within 3% of its box's lower end (0.02); the tiny scenario's
    # units are not the fit's posture
    edge, posture = named["warnings"]
    assert "pk_ballistic 0.10 (90% down to 0.10; box end 0.02)" in edge
    assert "pk_drone" not in edge  # 2.0: inside its box
    assert "differ from the posture the fit used" in posture
    # the medians only, and the credit the reports' licence asks for
    assert "Medians only" in named["description"]
    assert "Massive Missile Attacks on Ukraine, Kaggle" in named["description"]
    assert named["description"] in repr(summary)
    # the store keeps it with the run
    assert summary.run_id is not None
    record = run_record(tmp_path, summary.run_id)
    assert record is not None
    assert json.loads(record.parameters)["calibration_applied"]["sha256"] == named["sha256"]
    # the HTML report of the stored run, and of a scenario run with --calibration, say it
    stored = api.report(tmp_path / "runs" / summary.run_id)
    assert named["description"] in stored
    fresh = api.report(TINY, replications=2, calibration=calibration)
    assert named["description"] in fresh
    assert "calibrated with" not in api.report(TINY, replications=2)
    # without a calibration: null
    assert api.run(TINY, replications=2, **QUIET).to_dict()["calibration"] is None


def test_cli_run__header_and_warning(calibration: Path, tmp_path: Path) -> None:
    result = run_cli("run", TINY, "-n", "2", "--calibration", calibration, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "calibrated with calibration.json" in result.stdout
    assert "(calibrated: calibration.json)" in result.stdout  # the table's header
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len([w for w in warnings if "posture the fit used" in w]) == 1


def test_cli_compare__header_and_warning(calibration: Path, tmp_path: Path) -> None:
    """`compare --calibration` says it ran calibrated, as `run` does (it said nothing)."""
    more = tmp_path / "more.yaml"
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    result = run_cli("compare", TINY, more, "-n", "2", "--calibration", calibration, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    header = [line for line in result.stdout.splitlines() if "calibrated with" in line]
    assert header == [applied_calibration(calibration).describe()]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len([w for w in warnings if "posture the fit used" in w]) == 2  # one per policy


def test_compare__json_and_store_name_the_calibration(calibration: Path, tmp_path: Path) -> None:
    """compare/v3: ``calibration`` as run/v3 gives it, warnings of every policy; null without."""
    more = tmp_path / "more.yaml"
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    result = api.compare(
        TINY, more, replications=2, calibration=calibration, out=tmp_path / "store"
    )
    document = result.to_dict()
    assert document["schema"] == "skyshield/compare/v3"
    named = document["calibration"]
    assert named["sha256"] == hashlib.sha256(calibration.read_bytes()).hexdigest()
    assert named["description"] == applied_calibration(calibration).describe()
    # the prior-edge line, then one per policy (their units differ from the fit's)
    assert len(named["warnings"]) == 3
    assert result.run_id is not None
    record = run_record(tmp_path / "store", result.run_id)
    assert record is not None
    assert json.loads(record.parameters)["calibration_applied"]["sha256"] == named["sha256"]
    assert api.compare(TINY, more, replications=2).to_dict()["calibration"] is None


def test_sweep__applies_and_names_the_calibration(calibration: Path) -> None:
    """sweep/v2: every point runs calibrated, the result names it; another sweep id."""
    params = ["pk_scale.cruise=1,2"]
    result = api.sweep(TINY, params, replications=4, calibration=calibration, **QUIET)
    document = result.to_dict()
    assert document["schema"] == "skyshield/sweep/v2"
    assert document["calibration"]["sha256"] == hashlib.sha256(calibration.read_bytes()).hexdigest()
    plain = api.sweep(TINY, params, replications=4, **QUIET)
    assert plain.to_dict()["calibration"] is None
    assert plain.plan.sweep_id != result.plan.sweep_id
    # the points ran with it: the calibration's units in action (0.5) and losses move them
    columns = ["point", "measure", "key", "mean"]
    assert (
        not result.table[columns]
        .reset_index(drop=True)
        .equals(plain.table[columns].reset_index(drop=True))
    )


@pytest.mark.slow  # ~28 s under load: a tiny emulator and a 50-step chain
def test_calibrate__prints_the_medians_run_applies(tmp_path: Path) -> None:
    """`calibrate` prints the latest quarter's medians; `run --calibration` applies the file's.

    The file keeps a subset of each chain: the printed summary must be of that subset.
    """
    path = tmp_path / "calibration.json"
    fitted = skyshield.calibrate(
        "2023-01-01", compositions=4, parameters=4, replications=2, steps=50, out=path
    )
    printed = fitted.latest().summary().set_index("parameter")["median"]
    applied = applied_calibration(path)
    for name, value in {**applied.multipliers, **applied.posture}.items():
        assert printed[name] == pytest.approx(value, abs=1e-5), name
    assert fitted.latest().samples.shape[0] == 400  # the chain was longer: a subset is kept


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch, calibration: Path) -> list[str]:
    """Every opening of the calibration file from here on (by any ``open``), in order."""
    opened: list[str] = []
    real_open = io.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path) and Path(file).resolve() == calibration.resolve():
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    return opened


def test_api__a_calibrated_run_reads_the_file_once(
    calibration: Path, reads: list[str], tmp_path: Path
) -> None:
    """run, compare, sweep and report (which apply the file and name it: hash, medians,
    warnings) read it once each; a calibration read before is used as it is, with the same
    result."""
    summary = api.run(TINY, replications=2, calibration=calibration, **QUIET)
    assert len(reads) == 1
    more = tmp_path / "more.yaml"
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    api.compare(TINY, more, replications=2, calibration=calibration)
    assert len(reads) == 2
    api.sweep(TINY, ["pk_scale.cruise=1,2"], replications=2, calibration=calibration, **QUIET)
    assert len(reads) == 3
    api.report(TINY, more, replications=2, calibration=calibration)  # two runs and a comparison
    assert len(reads) == 4
    applied = applied_calibration(calibration)
    assert len(reads) == 5
    again = api.run(TINY, replications=2, calibration=applied, **QUIET)
    assert len(reads) == 5
    assert again.to_dict() == summary.to_dict()


@pytest.mark.parametrize("verb", ["run", "compare", "sweep", "report"])
def test_cli__a_calibrated_verb_reads_the_file_once(
    calibration: Path, reads: list[str], tmp_path: Path, verb: str
) -> None:
    """Checked before the work, applied, named in the output and warned about: one reading."""
    more = tmp_path / "more.yaml"
    more.write_text(TINY.read_text().replace("stock: 2,", "stock: 6,").replace("tiny", "more"))
    args: dict[str, list[str | Path]] = {
        "run": ["run", TINY],
        "compare": ["compare", TINY, more],
        "sweep": ["sweep", TINY, "--param", "pk_scale.cruise=1,2"],
        "report": ["report", TINY, more, "-o", tmp_path / "report.html"],
    }
    result = run_cli(*args[verb], "-n", "2", "--calibration", calibration, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "posture the fit used" in result.stderr
    assert len(reads) == 1, reads


def test_at_prior_edge__names_the_ends_the_posterior_reaches() -> None:
    """Upper ends when the 95% quantile is within 3% of the box's width of them; lower ends
    likewise, except a lower end of 0 (no EW, no losses, no decoys: physical floors)."""
    summary = pd.DataFrame(
        {
            "parameter": ["posture_medium", "pk_cruise", "ew", "loss_cruise", "pk_drone"],
            "p5": [2.2, 0.15, 0.0, 0.0, 0.5],
            "median": [2.8, 0.3, 1.0, 0.05, 1.0],
            "p95": [2.95, 0.6, 2.0, 0.295, 2.0],
        }
    )
    (line,) = at_prior_edge(summary)
    # posture_medium: 2.95 >= 3.0 - 0.087; pk_cruise: 0.15 <= 0.1 + 0.087; loss_cruise: 0.295
    # >= 0.3 - 0.009; ew's p5 at 0 is a floor, not a limit; pk_drone inside
    assert "posture_medium 2.80 (90% up to 2.95; box end 3)" in line
    assert "pk_cruise 0.30 (90% down to 0.15; box end 0.1)" in line
    assert "loss_cruise 0.05 (90% up to 0.29; box end 0.3)" in line  # 0.295 shown .2f
    assert "ew" not in line.replace("reaches", "")
    assert "pk_drone" not in line
    inside = summary.assign(p5=[1.0, 0.5, 0.5, 0.01, 0.5], p95=[2.0, 1.0, 2.0, 0.2, 2.0])
    assert at_prior_edge(inside) == []


def test_calibration_warnings__the_applied_quarters_edges_and_missed_check() -> None:
    row = np.array([CHOSEN.get(name, 0.5) for name in FIT_NAMES])
    older = Posterior(
        "2024-10-01", "2025-01-01", 80, np.ones((5, row.size)), np.ones((4, row.size)), 0.3
    )
    latest = Posterior(
        "2025-01-01", "2025-04-01", 90, np.tile(row, (5, 1)), np.tile(row, (4, 1)), 0.3
    )
    check = pd.DataFrame(
        {
            "quarter": ["2024-10-01", "2025-01-01", "2025-01-01"],
            "class": ["drone", "drone", "ballistic"],
            "nights": [80, 90, 30],
            "launched": [9000, 9000, 60],
            "reported_share": [0.5, 0.9, 0.14],
            "predicted_share": [0.9, 0.9, 0.24],
            "predicted_p05": [0.85, 0.85, 0.16],
            "predicted_p95": [0.95, 0.95, 0.38],
            "inside_90": [False, True, False],
        }
    )
    calibration = Calibration(
        Surrogate(np.zeros((3, 2, 4))),
        EmulatorSettings(),
        pd.DataFrame(),
        (older, latest),
        check=check,
    )
    edge, missed = calibration.warnings()
    assert edge.startswith(
        "2025-01-01: the posterior reaches an end of the prior box for pk_ballistic"
    )
    # only the applied (latest) quarter's miss: not 2024-10-01's drones
    assert missed == (
        "2025-01-01: ballistic share neutralised reported 0.14, outside the fit's own 90% "
        "interval 0.16-0.38"
    )
    assert (
        Calibration(Surrogate(np.zeros((3, 2, 4))), EmulatorSettings(), pd.DataFrame()).warnings()
        == []
    )
