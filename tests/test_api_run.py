"""The Python API's run summary: cross-border figures, the fates figure, the progress bar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield import api
from skyshield.plots import fates_per_night
from skyshield.testing import run_cli


@pytest.fixture(scope="module")
def poland_run() -> api.RunSummary:
    """Polish units may fire over Ukraine within 100 km of Poland: intercepts over PL and UA."""
    return api.run("western-raid-poland-100km", replications=40, seed=11, progress=lambda *_: None)


def test_run__cross_border_counts_match_the_threat_table(poland_run: api.RunSummary) -> None:
    threats = poland_run.threats
    table = poland_run.cross_border.set_index(["measure", "key"])
    intercepted = threats[threats["fate"] == "intercepted"]
    for country in ("PL", "UA"):
        per_night = (
            (intercepted["territory"].astype(str) == country)
            .groupby(intercepted["replication"])
            .sum()
            .reindex(range(40), fill_value=0)
        )
        assert table.loc[("intercepts_over", country), "mean"] == pytest.approx(per_night.mean())
    assert table.loc[("intercepts_over", "PL"), "mean"] > 0  # the policy is exercised
    # engagements by Poland over Ukraine: its shots whose intercept point is over UA
    shots = poland_run.shots
    polish_over_ua = shots[(shots["nation"] == "PL") & (shots["territory"].astype(str) == "UA")]
    engagements = polish_over_ua.drop_duplicates(["replication", "unit", "threat", "fire_time_s"])
    expected = len(engagements) / 40
    polish = table.loc[("allied_engagements_over_non_allied", "PL"), "mean"]
    assert polish == pytest.approx(expected)
    bound = table.loc[("nato_bound", "all"), "mean"]
    assert 0 <= table.loc[("nato_bound_stopped_before", "all"), "mean"] <= bound


def test_run__json_has_the_cross_border_table(poland_run: api.RunSummary) -> None:
    measures = {(row["measure"], row["key"]) for row in poland_run.to_dict()["cross_border"]}
    assert {("intercepts_over", "PL"), ("nato_bound", "all")} <= measures


def test_fates_per_night__every_class_and_fate_has_every_night(
    poland_run: api.RunSummary,
) -> None:
    table = fates_per_night(poland_run.threats, poland_run.replications)
    sizes = table.groupby(["threat_class", "fate"], observed=True).size()
    assert (sizes == poland_run.replications).all()
    # the mean count per night equals the summary's mean for that class and fate
    by_class = poland_run.by_class.set_index(["threat_class", "quantity"])
    means = table.groupby(["threat_class", "fate"], observed=True)["count"].mean()
    for (cls, fate), mean in means.items():
        assert by_class.loc[(str(cls), str(fate)), "mean"] == pytest.approx(mean)
    # nights sum to the threats launched of the class
    launched = table.groupby(["threat_class", "replication"], observed=True)["count"].sum()
    expected = by_class.xs("launched", level="quantity")["mean"]
    for cls, per_night in launched.groupby(level=0, observed=True):
        assert np.all(per_night.to_numpy() == expected[str(cls)])


def test_plot__one_panel_per_class_histograms_count_every_night(
    poland_run: api.RunSummary,
) -> None:
    figure = poland_run.plot()
    axes = figure.get_axes()
    classes = pd.unique(poland_run.threats["threat_class"].astype(str))
    assert [ax.get_title() for ax in axes] == list(dict.fromkeys(classes))
    for ax in axes:
        for patch in ax.patches:  # one step histogram per fate: nights add up to the run
            vertices = patch.get_path().vertices
            heights = vertices[1:-1:2, 1]  # step outline: each bin's top appears twice
            assert heights.sum() == pytest.approx(poland_run.replications)


def test_run__progress_bar_without_callback(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a callback the API shows a tqdm bar; on a non-terminal stream it stays quiet."""
    summary = api.run("default", replications=3, seed=1)
    assert summary.replications == 3
    assert capsys.readouterr().err == ""


def test_cli_run__plot_written_and_cross_border_printed(tmp_path: Path) -> None:
    png = tmp_path / "fates.png"
    result = run_cli("run", "-n", "5", "--plot", png)
    assert result.returncode == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Across borders per night" in result.stdout
    bad = run_cli("run", "-n", "2", "--json", "--plot", tmp_path)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "expected a file path, got a directory" in bad.stderr
    assert bad.stdout == ""


def test_sweep_workers__unguarded_script_says_why(tmp_path: Path) -> None:
    # the README's sweep snippet run as a plain script: spawned workers import it again
    tiny = Path(__file__).parent / "tiny.yaml"
    script = tmp_path / "script.py"
    script.write_text(
        "import skyshield\n"
        f"skyshield.sweep({str(tiny)!r}, ['raid.waves.0.count=1,2'], replications=2, "
        "workers=2, progress=lambda d, t: None)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("skyshield.errors.SkyshieldError: worker processes died")
    assert 'if __name__ == "__main__":' in last
