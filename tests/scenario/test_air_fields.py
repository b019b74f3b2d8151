"""Scenario-file errors for the air-policing fields (air_patrols, airborne_sensors): one line
each, naming the file, the field path and what was expected; never a traceback."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield.errors import ScenarioError
from skyshield.scenario import builtin_scenario_path, load_scenario

BASE: dict[str, Any] = yaml.safe_load(
    builtin_scenario_path("airspace-violation").read_text(encoding="utf-8")
)


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = d
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        (
            _set("air_patrols.0.aircraft_type", "mig-29"),
            "air_patrols[0].aircraft_type",
            ["catalog aircraft type", "mig-29"],
        ),
        (
            _set("air_patrols.0.loadout", {"aim-54": 2}),
            "air_patrols[0].loadout.aim-54",
            ["air-to-air weapon"],
        ),
        (
            _set("air_patrols.0.loadout", {"aim-9x": 0}),
            "air_patrols[0].loadout.aim-9x",
            ["greater than or equal to 1"],
        ),
        (_set("air_patrols.0.loadout", {}), "air_patrols[0].loadout", ["at least 1"]),
        (
            _set("air_patrols.0.sorties", 0),
            "air_patrols[0].sorties",
            ["greater than or equal to 1"],
        ),
        (_set("air_patrols.0.aircraft", "two"), "air_patrols[0].aircraft", ["integer"]),
        (  # the host no longer consents: Poland's `hosts` no longer lists NL
            _set("nations.PL.hosts", []),
            "air_patrols[1].operates_under",
            ["consent", "NL"],
        ),
        (
            _set("air_patrols.1.operates_under", "DE"),
            "air_patrols[1].operates_under",
            ["a nation declared under `nations`"],
        ),
        (
            _set("air_patrols.0.adequate_pk", 1.5),
            "air_patrols[0].adequate_pk",
            ["less than or equal to 1"],
        ),
        (
            _set("air_patrols.0.station.commit_radius_km", -5),
            "air_patrols[0].station.commit_radius_km",
            ["greater than or equal to 0"],
        ),
        (
            _set("air_patrols.0.tanker_extra_min", -1),
            "air_patrols[0].tanker_extra_min",
            ["greater than or equal to 0"],
        ),
        (
            _set("air_patrols.0.sortie_interval_min", 0),
            "air_patrols[0].sortie_interval_min",
            ["greater than 0"],
        ),
        (
            _set("air_patrols.0.networks", ["nato"]),
            "air_patrols[0].networks[0]",
            ["network declared"],
        ),
        (_set("air_patrols.0.nation", "DE"), "air_patrols[0].nation", ["nation declared"]),
        (_set("air_patrols.1.id", "pl-f16-east"), "air_patrols[1].id", ["not used before"]),
        (_set("air_patrols.0.fuel", 3), "air_patrols[0]", ["only known fields", "fuel"]),
        (
            _set("airborne_sensors.0.aircraft_type", "f-16x"),
            "airborne_sensors[0].aircraft_type",
            ["catalog aircraft type"],
        ),
        (
            _set("airborne_sensors.0.aircraft_type", "door-gun-helicopter"),
            "airborne_sensors[0].aircraft_type",
            ["with a radar"],
        ),
        (
            _set("airborne_sensors.0.altitude_m", 30000),
            "airborne_sensors[0].altitude_m",
            ["less than or equal to 20000"],
        ),
    ],
)
def test_air_fields__bad_value_is_one_line_naming_file_field_and_expectation(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], field: str, words: list[str]
) -> None:
    data = copy.deepcopy(BASE)
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = [line for line in str(info.value).splitlines() if f"{path}: {field}: expected" in line]
    assert lines, str(info.value)
    for word in words:
        assert word in lines[0], lines[0]
    assert "Traceback" not in str(info.value)
