"""``--calibration FILE``: the latest quarter's multipliers applied to any scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from skyshield import api
from skyshield.calibration.calibrate import Calibration, adjustment
from skyshield.calibration.fit import FIT_NAMES, Posterior
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.scenario import load_scenario

CHOSEN = {"pk_drone": 2.0, "pk_cruise": 0.5, "pk_ballistic": 0.1, "ew": 3.0}


def _calibration_file(directory: Path) -> Path:
    row = np.array([CHOSEN.get(name, 0.5) for name in FIT_NAMES])
    older = Posterior(
        "2024-10-01", "2025-01-01", 80, np.ones((5, row.size)), np.ones((4, row.size)), 0.3
    )
    latest = Posterior(
        "2025-01-01", "2025-04-01", 90, np.tile(row, (5, 1)), np.tile(row, (4, 1)), 0.3
    )
    surrogate = Surrogate(np.zeros((3, 2, 4)))
    path = directory / "calibration.json"
    Calibration(surrogate, EmulatorSettings(), pd.DataFrame(), (older, latest)).save(path)
    return path


def test_adjustment__latest_quarter_scales_pk_and_ew(tmp_path: Path) -> None:
    compiled = compile_scenario(load_scenario("default"))
    adjusted = adjustment(_calibration_file(tmp_path))(compiled)
    for cls, factor in (
        (ThreatClass.DRONE, 2.0),
        (ThreatClass.DECOY, 2.0),
        (ThreatClass.CRUISE, 0.5),
        (ThreatClass.SUPERSONIC, 0.5),
        (ThreatClass.BALLISTIC, 0.1),
    ):
        expected = np.minimum(compiled.unit_pk[:, cls.position] * factor, 0.99)
        assert np.allclose(adjusted.unit_pk[:, cls.position], expected)
    assert np.allclose(adjusted.threat_ew_rate_per_m, compiled.threat_ew_rate_per_m * 3.0)


def test_run__with_calibration_ballistic_intercepts_fall(tmp_path: Path) -> None:
    path = _calibration_file(tmp_path)
    plain = api.run("default", replications=20, seed=3, progress=lambda *_: None)
    calibrated = api.run(
        "default", replications=20, seed=3, progress=lambda *_: None, calibration=path
    )

    def intercepted(summary: api.RunSummary, cls: str) -> float:
        table = summary.by_class.set_index(["threat_class", "quantity"])
        return float(table.loc[(cls, "intercepted"), "mean"])

    assert intercepted(calibrated, "ballistic") < intercepted(plain, "ballistic")
    assert intercepted(calibrated, "drone") >= intercepted(plain, "drone")
