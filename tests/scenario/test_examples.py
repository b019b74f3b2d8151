"""Shipped policy examples match scripts/build_scenarios.py and pair with their base."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from skyshield.errors import ScenarioError
from skyshield.scenario import (
    builtin_scenario_path,
    load_scenario,
    parse_scenario,
    range_warnings,
)

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_scenarios", ROOT / "scripts" / "build_scenarios.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()


@pytest.mark.parametrize("stem", sorted(GENERATOR.scenarios()))
def test_render__shipped_file_is_up_to_date(stem: str) -> None:
    shipped = builtin_scenario_path(stem).read_text(encoding="utf-8")
    assert shipped == GENERATOR.render(stem), (
        f"run scripts/build_scenarios.py ({stem}.yaml is stale)"
    )


@pytest.mark.parametrize("stem", sorted(GENERATOR.scenarios()))
def test_scenarios__variant_keeps_the_base_raid(stem: str) -> None:
    base_name, _ = GENERATOR.scenarios()[stem]
    variant, base = load_scenario(stem), load_scenario(base_name)
    assert variant.raid == base.raid
    assert variant.assets == base.assets
    assert variant.nations["UA"] == base.nations["UA"]
    assert variant.fire_units[: len(base.fire_units)] == base.fire_units


def _far_gerbera(route: list[dict[str, float]]) -> dict:
    data = yaml.safe_load(builtin_scenario_path("default").read_text(encoding="utf-8"))
    gerbera = next(w for w in data["raid"]["waves"] if w["threat"] == "gerbera")
    gerbera["launch_site"] = "primorsko-akhtarsk"
    gerbera["route"] = route
    return data


_VIA_ZAPORIZHZHIA = [{"lon_deg": 34.2, "lat_deg": 48.4}, {"lon_deg": 32.0, "lat_deg": 49.2}]


def test_check_references__beyond_range_within_endurance_is_a_warning() -> None:
    """Issue #22: ~740 km for a Gerbera (range 600 km, endurance 6 h × 160 km/h = 960 km)."""
    scenario = parse_scenario(yaml.safe_dump(_far_gerbera(_VIA_ZAPORIZHZHIA)), source="far.yaml")
    warnings = range_warnings(scenario)
    assert len(warnings) == 1
    assert warnings[0].startswith("raid.waves[")
    assert "targets[0]: 'Kyiv' is 7" in warnings[0]
    assert (
        "beyond the gerbera catalog range of 600 km; within its endurance range of 960 km"
        in (warnings[0])
    )
    assert range_warnings(load_scenario("default")) == []


def test_check_references__beyond_range_past_the_endurance_falls() -> None:
    """~1,100 km: longer than the 960 km endurance range, within 1.25 × it: its decoys fall."""
    route = [{"lon_deg": 40.5, "lat_deg": 47.8}, *_VIA_ZAPORIZHZHIA]
    scenario = parse_scenario(yaml.safe_dump(_far_gerbera(route)), source="far.yaml")
    (warning,) = range_warnings(scenario)
    assert warning.endswith("its threats run out of fuel and fall before the target"), warning


def test_check_references__absurd_flight_refused() -> None:
    """A detour by the Caspian Sea: far beyond 1.25 × the endurance range, refused."""
    route = [{"lon_deg": 47.0, "lat_deg": 46.0}, *_VIA_ZAPORIZHZHIA]
    with pytest.raises(ScenarioError) as err:
        parse_scenario(yaml.safe_dump(_far_gerbera(route)), source="far.yaml")
    message = str(err.value)
    assert message.startswith("far.yaml: raid.waves[")
    assert (
        ".targets[0]: expected a flight within 1.25 x the gerbera endurance range of 960 km "
        "(catalog range 600 km), got 'Kyiv', 2,"
    ) in message


def test_render_record_raid__shipped_file_is_up_to_date() -> None:
    shipped = builtin_scenario_path("record-raid").read_text(encoding="utf-8")
    assert shipped == GENERATOR.render_record_raid(), "run scripts/build_scenarios.py"
    scenario = load_scenario("record-raid")
    assert sum(w.count for w in scenario.raid.waves) == 800
    assert len(scenario.fire_units) == 200
    assert scenario.notional


@pytest.mark.parametrize(("reserve", "ok"), [(2, True), (3, False)])
def test_check_references__reserves_at_most_the_stock(reserve: int, ok: bool) -> None:
    """tests/tiny.yaml's IRIS-T holds 2 rounds: it may hold back 2 for ballistic, not 3."""
    text = (Path(__file__).parents[1] / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace("stock: 2,", f"stock: 2, reserve_for: {{ballistic: {reserve}}},")
    assert "reserve_for" in text
    if ok:
        assert parse_scenario(text, source="r.yaml").fire_units[0].reserve_for == {"ballistic": 2}
        return
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="r.yaml")
    assert str(err.value) == (
        "r.yaml: fire_units[0].reserve_for: expected reserves summing to at most the unit's "
        "stock of 2, got '3 rounds'"
    )


def test_range_warnings__a_target_dealt_again_is_warned_once() -> None:
    """A weighted wave lists a target as often as it is dealt (posture.laydown.night_waves):
    ``[Kyiv, Kyiv, Kyiv]`` out of range gives one warning, at its first entry."""
    data = _far_gerbera(_VIA_ZAPORIZHZHIA)
    gerbera = next(w for w in data["raid"]["waves"] if w["threat"] == "gerbera")
    gerbera["targets"] = ["Kyiv", "Kyiv", "Kyiv"]
    (warning,) = range_warnings(parse_scenario(yaml.safe_dump(data), source="far.yaml"))
    assert "targets[0]: 'Kyiv'" in warning
