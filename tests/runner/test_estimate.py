"""The reference engine's time estimate: work grows with threats, flight time, units, sensors."""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.runner.estimate import reference_seconds, reference_work
from skyshield.scenario import Scenario
from skyshield.testing import run_cli


def test_reference_work__scales_with_threats_and_units(tiny: Scenario) -> None:
    waves = tuple(w.model_copy(update={"count": 2 * w.count}) for w in tiny.raid.waves)
    doubled = tiny.model_copy(update={"raid": tiny.raid.model_copy(update={"waves": waves})})
    assert reference_work(doubled) == pytest.approx(2 * reference_work(tiny))
    more_units = tiny.model_copy(update={"fire_units": tiny.fire_units * 2})
    # 2 units + 1 sensor -> 4 units + 1 sensor
    assert reference_work(more_units) == pytest.approx(5 / 3 * reference_work(tiny))
    assert reference_seconds(tiny, 10) == pytest.approx(10 * reference_seconds(tiny, 1))


def test_run_reference__says_its_expected_time_first(tiny_path: Path) -> None:
    result = run_cli("run", tiny_path, "--engine", "reference", "-n", "1")
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("reference engine: expect about ")
    assert "for 1 night (an estimate from the raid's size: 6 threats' flights" in first
    assert "expect about" not in run_cli("run", tiny_path, "-n", "1").stderr
