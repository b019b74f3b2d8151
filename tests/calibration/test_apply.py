"""``--calibration FILE``: the latest quarter's medians applied to any scenario."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.calibration.conftest import write_calibration_file

from skyshield import api
from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.scenario import load_scenario


def test_adjustment__latest_quarter_scales_pk_and_ew(tmp_path: Path) -> None:
    compiled = compile_scenario(load_scenario("default"))
    posture = api.calibration_adjustment(write_calibration_file(tmp_path), seed=1)
    assert posture is not None
    # every family at size 0.5 or less (the file's other medians; drawn in action per night):
    # the single-round kill probabilities are the scaled ones
    assert (posture.unit_sizes(compiled) <= 1.0).all()
    adjusted = posture(compiled)
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


@pytest.mark.slow
def test_run__with_calibration_ballistic_intercepts_fall(tmp_path: Path) -> None:
    path = write_calibration_file(tmp_path)
    plain = api.run("default", replications=20, seed=3, progress=lambda *_: None)
    calibrated = api.run(
        "default", replications=20, seed=3, progress=lambda *_: None, calibration=path
    )

    def mean(summary: api.RunSummary, cls: str, quantity: str) -> float:
        table = summary.by_class.set_index(["threat_class", "quantity"])
        return float(table.loc[(cls, quantity), "mean"])

    assert mean(calibrated, "ballistic", "intercepted") < mean(plain, "ballistic", "intercepted")
    # the whole fitted set applies (session 7): the file's cruise losses (0.5 an hour) too
    assert mean(plain, "cruise", "fell") == 0.0
    assert mean(calibrated, "cruise", "fell") > 0.0
