"""Issue #22: every bad new rules-of-engagement field is one line: file, field, expectation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield.scenario import load_scenario

from .test_load import _load_error, _problem

_TINY = Path(__file__).resolve().parents[1] / "tiny.yaml"


def _roe(**rules: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["nations"]["UA"].__setitem__("roe", rules)


def _unit(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["fire_units"][0].update(fields)


_CASES = [
    (_roe(engage_decoys="sometimes"), "nations.UA.roe.engage_decoys", ("if_threatening",)),
    (_roe(authorization_clock="dawn"), "nations.UA.roe.authorization_clock", ("zone_entry",)),
    (_roe(require_identification="yes"), "nations.UA.roe.require_identification", ("boolean",)),
    (_roe(engage_only_threatening=True), "nations.UA.roe", ("threat_assessment",)),
    (_roe(engage_decoys="if_threatening"), "nations.UA.roe", ("threat_assessment",)),
    (
        _roe(threat_assessment={"within_km": 10, "horizon_km": 5, "horizon_min": 3}),
        "nations.UA.roe.threat_assessment",
        ("exactly one",),
    ),
    (
        _roe(threat_assessment={"within_km": 0, "horizon_km": 5}),
        "nations.UA.roe.threat_assessment.within_km",
        ("greater than 0",),
    ),
    (_unit(operates_under="Poland"), "fire_units[0].operates_under", ("[A-Z]{2}",)),
    (_unit(operates_under="DE"), "fire_units[0].operates_under", ("declared under `nations`",)),
    (_unit(operates_under="PL"), "fire_units[0].operates_under", ("nations.PL.hosts", "UA")),
    (
        lambda d: d["nations"]["PL"].__setitem__("hosts", ["DE"]),
        "nations.PL.hosts[0]",
        ("declared under `nations`",),
    ),
    (lambda d: d.__setitem__("daylight", "noon"), "daylight", ("boolean",)),
]


@pytest.mark.parametrize(("change", "field", "words"), _CASES)
def test_load_scenario__bad_rules_of_engagement_field(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], field: str, words: tuple[str, ...]
) -> None:
    d = copy.deepcopy(yaml.safe_load(_TINY.read_text(encoding="utf-8")))
    change(d)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    _problem(_load_error(path), path, field, *words)


def test_load_scenario__host_with_consent_is_valid(tmp_path: Path) -> None:
    d = copy.deepcopy(yaml.safe_load(_TINY.read_text(encoding="utf-8")))
    d["nations"]["PL"]["hosts"] = ["UA"]
    d["fire_units"][0]["operates_under"] = "PL"
    d["nations"]["UA"]["roe"] = {
        "require_identification": True,
        "engage_decoys": "if_threatening",
        "threat_assessment": {"within_km": 20, "horizon_min": 30},
        "authorization_clock": "zone_entry",
    }
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(d), encoding="utf-8")
    assert load_scenario(path).fire_units[0].operates_under == "PL"
