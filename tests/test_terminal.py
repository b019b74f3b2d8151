"""Tables never cut numbers or names: redirected output is wide, narrow terminals overflow."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

import skyshield
from skyshield.cli import app
from skyshield.scenario import Scenario
from skyshield.terminal import REDIRECTED_WIDTH, WideWhenRedirected, print_table, save_figure


def test_console__redirected_output_is_wide() -> None:
    console = WideWhenRedirected(file=io.StringIO())
    assert not console.is_terminal
    assert console.width >= REDIRECTED_WIDTH


def test_print_table__narrow_console_keeps_numbers_and_names_whole() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=30)  # a narrow terminal
    table = Table(title="stocks")
    for col in ("system", "P(out) [95%]", "rounds / night"):
        table.add_column(col)
    table.add_row("patriot-pac3-mse-interceptor", "0.12 [0.05-0.20]", "1,234.56")
    print_table(table, console)
    text = buffer.getvalue()
    for whole in ("patriot-pac3-mse-interceptor", "0.12 [0.05-0.20]", "1,234.56", "[95%]"):
        assert whole in text, text
    assert "…" not in text
    assert console.width == 30  # widened for that table only


def test_runs_cli__redirected_table_shows_whole_ids(tiny: Scenario, tmp_path: Path) -> None:
    saved = skyshield.run(tiny, replications=2, out=tmp_path, progress=lambda d, t: None)
    result = CliRunner().invoke(app, ["runs", str(tmp_path)], env={"COLUMNS": None})
    assert result.exit_code == 0, result.output
    assert saved.run_id is not None
    assert saved.run_id in result.stdout
    for header in ("kind", "scenario name", "replications", "status"):
        assert header in result.stdout
    assert "…" not in result.stdout


def test_save_figure__matplotlib_warning_becomes_one_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.0, 0.3))  # too small for its decorations
    figure.set_layout_engine("constrained")
    figure.subplots().set_title("a title too tall for the figure")
    path = tmp_path / "x.png"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping save_figure fails the test
        save_figure(figure, path)
    assert path.is_file()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"note: {path}: constrained_layout not applied")


def test_plot_sobol__one_parameter_lays_out_without_warning(tmp_path: Path) -> None:
    from skyshield.plots import plot_sobol

    outputs = ["leakers", "allied engagements over non-allied", "interceptor cost"]
    indices = pd.DataFrame(
        {
            "output": outputs,
            "parameter": ["pk_scale.drone"] * 3,
            "s1": [0.5] * 3,
            "s1_ci95": [0.1] * 3,
            "st": [0.6] * 3,
            "st_ci95": [0.1] * 3,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_sobol(indices, title="tiny: Sobol indices").savefig(tmp_path / "s.png")


def test_progress_bar__redirected_prints_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from skyshield.terminal import err, progress_bar

    assert not err.is_terminal  # pytest captures stderr, as a redirect does
    with progress_bar("engine design", quiet=False, interval_s=0.0) as update:
        update(1, 3)
        update(3, 3)
    with progress_bar("quarters", quiet=False) as update:  # done before the first interval
        update(1, 2)
        update(2, 2)
    with progress_bar("refits", quiet=True, interval_s=0.0) as update:
        update(1, 2)
    assert capsys.readouterr().err.splitlines() == [
        "engine design: 1/3, 0 s",
        "engine design: 3/3, 0 s",
    ]


def test_report_cli__redirected_progress_lines(
    monkeypatch: pytest.MonkeyPatch, tiny_path: Path, tmp_path: Path
) -> None:
    from skyshield import terminal
    from skyshield.testing import run_cli

    monkeypatch.setattr(terminal, "PLAIN_PROGRESS_INTERVAL_S", 0.0)
    result = run_cli("report", tiny_path, "-n", "2", "-o", tmp_path / "r.html")
    assert result.returncode == 0, result.stderr
    assert "replications: 2/2" in result.stderr.replace(", 0 s", "")
