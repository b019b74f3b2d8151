"""Placement warnings: units or sensors at sea or in another nation's territory (allowed)."""

from __future__ import annotations

from skyshield.scenario import load_scenario, placement_warnings


def test_placement_warnings__shipped_scenarios_are_clean() -> None:
    for name in ("default", "western-raid-neighbours-buffer", "record-raid"):
        assert placement_warnings(load_scenario(name)) == [], name


def test_placement_warnings__abroad_and_at_sea() -> None:
    scenario = load_scenario("default")
    units = list(scenario.fire_units)
    units[0] = units[0].model_copy(
        update={"position": units[0].position.model_copy(update={"lon_deg": 21.0, "lat_deg": 52.2})}
    )  # Warsaw
    units[1] = units[1].model_copy(
        update={"position": units[1].position.model_copy(update={"lon_deg": 32.0, "lat_deg": 44.0})}
    )  # Black Sea
    warnings = placement_warnings(scenario.model_copy(update={"fire_units": tuple(units)}))
    assert len(warnings) == 2
    assert warnings[0].startswith(f"fire_units[0] {units[0].id} (UA) stands in PL at 21.000")
    assert "at sea or outside every known country" in warnings[1]
