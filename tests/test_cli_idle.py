"""The run's warning about fire units that never fired: patrols are judged as a whole."""

from __future__ import annotations

from pathlib import Path

import yaml

from skyshield.cli.run import IDLE_NAMES_SHOWN, idle_warning
from skyshield.scenario import builtin_scenario_path
from skyshield.testing import run_cli


def test_run__idle_warning_names_whole_patrols_not_their_sortie_rows(tmp_path: Path) -> None:
    d = yaml.safe_load(builtin_scenario_path("airspace-violation").read_text(encoding="utf-8"))
    # the Dutch orbit moved to western Poland: out of reach of every route, it never fires
    d["air_patrols"][1]["station"]["position"] = {"lon_deg": 15.5, "lat_deg": 52.5}
    path = tmp_path / "far.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    result = run_cli("run", path, "-n", "3")
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "never fired" in line)
    names = warning.rsplit("): ", 1)[1].split(", ")
    assert "nl-f35-southeast" in names
    assert "pl-f16-east" not in names  # its later sorties find nothing left: not idle
    assert not any("/" in name for name in names)  # no sortie or weapon rows
    # 2 CAMM batteries and 2 patrols
    assert warning.startswith(f"warning: {len(names)} of 4 fire units and patrols never fired")


def test_idle_warning__names_the_first_units_and_counts_the_rest() -> None:
    ids = [f"ua-{k:03d}" for k in range(104)]
    warning = idle_warning(ids, 200, 1000)
    assert warning.startswith("104 of 200 fire units and patrols never fired in 1,000 nights")
    names = warning.rsplit("): ", 1)[1]
    assert names.startswith(", ".join(ids[:IDLE_NAMES_SHOWN]) + " and 92 more")
    assert ids[IDLE_NAMES_SHOWN] not in warning
    few = idle_warning(ids[:3], 200, 1)
    assert few.endswith("): ua-000, ua-001, ua-002")
