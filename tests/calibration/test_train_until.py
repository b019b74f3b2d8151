"""``calibrate --train-until`` before the reports and calibration files without a fitted quarter:
one-line errors before any work, and no file written."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.calibration.calibrate import (
    MIN_NIGHTS,
    Calibration,
    CalibrationError,
    calibrate,
    check_train_until,
    fitted_periods,
    load_calibration,
    skipped_periods,
)
from skyshield.calibration.fit import NightData, night_data
from skyshield.calibration.model import NAMES
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import Surrogate, _features
from skyshield.calibration.transfer import calibrated_posture
from skyshield.errors import ScenarioError
from skyshield.reports import load_reports
from skyshield.testing import run_cli


def _nights(days: list[str]) -> NightData:
    n = len(days)
    launched = np.full((n, 3), 5)
    return NightData(
        np.array(days, dtype="datetime64[D]"),
        launched,
        launched,
        np.full((n, 3), np.nan),
        np.zeros(n, dtype=np.int64),
    )


def test_check_train_until__earliest_date_with_a_fittable_quarter() -> None:
    """Three nights at the end of Q3, then nightly from 1 October: Q3 never holds 10 nights, Q4
    does from its 10th night on, so the first usable --train-until is the day after it."""
    days = ["2022-09-28", "2022-09-29", "2022-09-30"]
    days += [str(date(2022, 10, 1) + timedelta(days=i)) for i in range(30)]
    data = _nights(days)
    tenth = date(2022, 10, MIN_NIGHTS)
    check_train_until(data, tenth + timedelta(days=1))
    assert fitted_periods(data, tenth + timedelta(days=1)) == [
        (date(2022, 10, 1), tenth + timedelta(days=1))
    ]
    for until in (tenth, date(2022, 10, 1), date(2021, 1, 1)):
        assert fitted_periods(data, until) == []
        with pytest.raises(CalibrationError) as caught:
            check_train_until(data, until, option="--train-until")
        message = str(caught.value)
        assert message == (
            f"--train-until: expected a date from 2022-10-11 on (a calendar quarter before it "
            f"must hold 10 report nights; the reports start on 2022-09-28), got {until}"
        )


def test_check_train_until__no_quarter_ever_fittable() -> None:
    with pytest.raises(CalibrationError, match="no calendar quarter of the reports holds 10"):
        check_train_until(_nights(["2025-01-01", "2025-05-01"]), date(2026, 1, 1))
    with pytest.raises(CalibrationError, match="no report night to fit"):
        check_train_until(_nights([]), date(2026, 1, 1))


def test_calibrate__refuses_a_train_until_before_the_reports() -> None:
    reports = load_reports()
    data = night_data(reports.by_night, reports.rows)
    surrogate = Surrogate(np.zeros((3, 2, 4)))
    with pytest.raises(CalibrationError, match="got 2021-01-01"):
        calibrate(data, date(2021, 1, 1), surrogate, steps=50)


def test_cli_calibrate__train_until_before_the_reports_is_one_line(tmp_path: Path) -> None:
    """Refused before the engine design (which takes minutes): exit 2, one line, no file."""
    output = tmp_path / "calibration.json"
    result = run_cli("calibrate", "--train-until", "2021-01-01", "-o", output)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "--train-until: expected a date from 2022-10-14 on (a calendar quarter before it must "
        "hold 10 report nights; the reports start on 2022-09-28), got 2021-01-01"
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []


def _zero_quarter_file(directory: Path) -> Path:
    """A calibration file as the old calibrate wrote for a --train-until before the reports."""
    path = directory / "zero.json"
    Calibration(Surrogate(np.zeros((3, 2, 4))), EmulatorSettings(), pd.DataFrame(), ()).write(path)
    return path


def test_load_calibration__zero_quarters_refused_where_applied(tmp_path: Path) -> None:
    path = _zero_quarter_file(tmp_path)
    assert load_calibration(path).periods == ()  # a back-test may still reuse its emulator
    with pytest.raises(ScenarioError, match="no fitted quarter"):
        load_calibration(path, fitted=True)
    with pytest.raises(ScenarioError, match="no fitted quarter"):
        calibrated_posture(path, 1)


def test_cli_run__zero_quarter_calibration_is_one_line(tmp_path: Path) -> None:
    path = _zero_quarter_file(tmp_path)
    result = run_cli("run", "default", "-n", "2", "--calibration", path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"--calibration: expected a calibration file from `skyshield calibrate`, got {path}: "
        "no fitted quarter (its --train-until is before the reports' first quarter)"
    ]
    assert "Traceback" not in result.stderr + result.stdout


def _flat_surrogate() -> Surrogate:
    """Every share 1/2 whatever the night and parameters: enough for MCMC to run on."""
    n_features = _features(np.ones((1, 4)), np.ones((1, len(NAMES)))).shape[1]
    return Surrogate(np.zeros((3, 2, n_features)))


def test_calibrate__a_quarter_of_too_few_nights_is_named_not_counted() -> None:
    """Three nights in Q3 (skipped), ten in Q4 (fitted): the progress counts the one quarter
    fitted, and the skipped quarter is named with its nights, in one line."""
    days = ["2022-09-28", "2022-09-29", "2022-09-30"]
    days += [str(date(2022, 10, 1) + timedelta(days=i)) for i in range(MIN_NIGHTS)]
    data = _nights(days)
    until = date(2023, 1, 1)
    assert skipped_periods(data, until) == [(date(2022, 7, 1), date(2022, 10, 1), 3)]
    assert skipped_periods(data, date(2022, 11, 15)) == [(date(2022, 7, 1), date(2022, 10, 1), 3)]
    assert skipped_periods(data, date(2022, 10, 5)) == [
        (date(2022, 7, 1), date(2022, 10, 1), 3),
        (date(2022, 10, 1), date(2022, 10, 5), 4),
    ]
    calls: list[tuple[int, int]] = []
    surrogate = _flat_surrogate()
    periods = calibrate(
        data, until, surrogate, steps=50, progress=lambda done, total: calls.append((done, total))
    )
    assert [p.start for p in periods] == ["2022-10-01"]
    assert calls == [(1, 1)]
    fitted = Calibration(
        surrogate,
        EmulatorSettings(),
        pd.DataFrame(),
        periods,
        skipped=tuple(skipped_periods(data, date(2022, 10, 5))),
    )
    assert fitted.skipped_line() == (
        "2 quarters not fitted, fewer than 10 report nights: 2022-Q3 (3 report nights), "
        "2022-Q4 before 2022-10-05 (4 report nights)"
    )
    none_skipped = Calibration(surrogate, EmulatorSettings(), pd.DataFrame(), periods)
    assert none_skipped.skipped_line() == ""
