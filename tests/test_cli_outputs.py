"""Output paths: every verb that writes a file refuses one it cannot write before simulating.

In-process (``skyshield.testing.run_cli``): the function that would simulate is replaced by one
that fails the test, so a check made only after the work shows as a failure, not as a slow pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.testing import run_cli

EXIT_INPUT_ERROR = 2
# /proc takes no new file even from root, whom permission bits would let through
UNWRITABLE = "expected a writable file, got no such file or directory"


def _simulated(*args: object, **kwargs: object) -> None:
    raise AssertionError("simulated before checking the output paths")


@pytest.mark.parametrize(
    ("args", "path", "worker"),
    [
        (["report", "-n", "1", "-o"], "/proc/x.html", "skyshield.api.report"),
        (["export", "-o"], "/proc/x.geojson", "skyshield.api.export"),
        (["run", "-n", "1", "--plot"], "/proc/x.png", "skyshield.api.run"),
        (
            ["sweep", "default", "--param", "pk_scale.drone=0.5:1", "--sobol", "64", "--plot"],
            "/proc/x.png",
            "skyshield.api.sweep",
        ),
        (
            ["campaign", "-n", "1", "--plot"],
            "/proc/x.png",
            "skyshield.campaigns.load.load_campaign",
        ),
        (
            ["calibrate", "--train-until", "2025-01-01", "-o"],
            "/proc/x.json",
            "skyshield.reports.load_reports",
        ),
        (
            ["calibrate", "--train-until", "2025-01-01", "--plot"],
            "/proc/x.png",
            "skyshield.reports.load_reports",
        ),
        (
            ["backtest", "--train-until", "2025-01-01", "--plot"],
            "/proc/x.png",
            "skyshield.reports.load_reports",
        ),
    ],
)
def test_output_path__unwritable_refused_before_simulating(
    monkeypatch: pytest.MonkeyPatch, args: list[str], path: str, worker: str
) -> None:
    monkeypatch.setattr(worker, _simulated)
    result = run_cli(*args, path)
    assert result.returncode == EXIT_INPUT_ERROR, result.stderr
    assert result.stderr.strip().splitlines() == [f"{path}: {UNWRITABLE}"]
    assert result.stdout == ""


def test_output_path__writable_file_left_as_it_was(tmp_path: Path) -> None:
    from skyshield.terminal import check_output_path

    existing = tmp_path / "kept.html"
    existing.write_text("old")
    check_output_path(existing)
    check_output_path(tmp_path / "new.html")
    assert existing.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.html"]


def test_run_plot__late_failure_prints_the_tables_first(
    monkeypatch: pytest.MonkeyPatch, tiny_path: Path
) -> None:
    # a path that passed the check and cannot be written by the time the figure is saved
    monkeypatch.setattr("skyshield.cli.run.check_outputs", lambda **_: None)
    result = run_cli("run", tiny_path, "-n", "2", "--plot", "/proc/x.png")
    assert result.returncode == EXIT_INPUT_ERROR, result.stderr
    assert "Threats per night" in result.stdout
    assert (
        result.stderr.strip().splitlines()[-1].startswith("/proc/x.png: expected a writable file")
    )
