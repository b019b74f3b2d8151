"""Tests of skyshield.catalog.models: the rules every catalog parameter obeys."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from skyshield.catalog.models import (
    RULE_ERROR,
    Quantity,
    SourceSpec,
    SystemParameters,
    ThreatParameters,
    ThreatSpec,
)


def _q(value: Any = 1.0, unit: str = "km", **extra: Any) -> dict[str, Any]:
    fields = {
        "value": value,
        "unit": unit,
        "sources": ["src-a"],
        "confidence": "low",
        "basis": "reported",
    }
    return fields | extra


def _rule(exc: ValidationError) -> tuple[str, str]:
    (error,) = exc.errors()
    assert error["type"] == RULE_ERROR
    return error["ctx"]["expected"], error["ctx"]["found"]


def test_quantity__reported_needs_no_note() -> None:
    q = Quantity.model_validate(_q(185, "km/h"))
    assert (q.value, q.note) == (185.0, None)


@pytest.mark.parametrize("basis", ["derived", "assumption"])
def test_quantity__note_required_unless_reported(basis: str) -> None:
    with pytest.raises(ValidationError) as info:
        Quantity.model_validate(_q(basis=basis))
    assert _rule(info.value) == (f"a note (arithmetic or reasoning) when basis is {basis}", "None")


def test_quantity__needs_a_source() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        Quantity.model_validate(_q(sources=[]))


@pytest.mark.parametrize("value", [True, "1e6", None])
def test_quantity__value_must_be_plain_number(value: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Quantity.model_validate(_q(value))
    assert _rule(info.value)[0] == "a number (write 1e6 as 1000000)"


@pytest.mark.parametrize("value", [-1.0, float("inf"), float("nan")])
def test_quantity__value_finite_and_non_negative(value: float) -> None:
    with pytest.raises(ValidationError) as info:
        Quantity.model_validate(_q(value))
    assert _rule(info.value)[0] == "a finite value >= 0"


def test_quantity__probability_at_most_one() -> None:
    assert Quantity.model_validate(_q(1, "probability")).value == 1.0
    with pytest.raises(ValidationError) as info:
        Quantity.model_validate(_q(1.01, "probability"))
    assert _rule(info.value) == ("a probability in [0, 1]", "1.01")


def test_quantity__count_is_whole() -> None:
    with pytest.raises(ValidationError) as info:
        Quantity.model_validate(_q(2.5, "count"))
    assert _rule(info.value) == ("a whole count", "2.5")


def test_quantity__frozen_and_no_extra_fields() -> None:
    q = Quantity.model_validate(_q())
    with pytest.raises(ValidationError):
        q.value = 2.0  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs"):
        Quantity.model_validate(_q(comment="x"))


def _threat_params(**override: Any) -> dict[str, Any]:
    params = {
        "speed": _q(185, "km/h"),
        "altitude": _q(500, "m"),
        "rcs": _q(0.1, "m2"),
        "range": _q(2500, "km"),
        "unit_cost": _q(35000, "usd"),
        "ew_loss_per_100km": _q(0.1, "probability"),
    }
    return params | override


def test_threat_parameters__unit_must_be_allowed() -> None:
    with pytest.raises(ValidationError) as info:
        ThreatParameters.model_validate(_threat_params(range=_q(2500, "m")))
    assert _rule(info.value) == ("unit one of km", "'m'")
    assert info.value.errors()[0]["loc"] == ("range",)


def test_threat_parameters__speed_positive() -> None:
    with pytest.raises(ValidationError) as info:
        ThreatParameters.model_validate(_threat_params(speed=_q(0, "m/s")))
    assert _rule(info.value) == ("a value > 0", "0.0")


@pytest.mark.parametrize(
    ("threat_class", "ok"), [("drone", True), ("supersonic", False), ("ballistic", False)]
)
def test_threat_spec__terminal_speed_required_when_fast(threat_class: str, ok: bool) -> None:
    raw = {"name": "X", "class": threat_class, "parameters": _threat_params()}
    if ok:
        assert ThreatSpec.model_validate(raw).parameters.terminal_speed is None
    else:
        with pytest.raises(ValidationError, match="terminal_speed"):
            ThreatSpec.model_validate(raw)


def test_threat_spec__unknown_class() -> None:
    raw = {"name": "X", "class": "hypersonic-glider", "parameters": _threat_params()}
    with pytest.raises(ValidationError, match="drone"):
        ThreatSpec.model_validate(raw)


def _system_params(**override: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "min_range": _q(0.2, "km"),
        "max_range": _q(5, "km"),
        "min_altitude": _q(0, "m"),
        "max_altitude": _q(2.5, "km"),
        "radar_range": _q(15, "km"),
        "radar_reference_rcs": _q(1, "m2"),
        "radar_height": _q(4, "m"),
        "radar_sector": _q(360, "deg"),
        "fire_control": {
            "value": "own-radar",
            "sources": ["src-a"],
            "confidence": "low",
            "basis": "reported",
        },
        "channels": _q(1, "count"),
        "launchers": _q(1, "count"),
        "rounds_per_launcher": _q(16, "count"),
        "reload_time": _q(15, "min"),
        "interceptor_speed": _q(1000, "m/s"),
        "cost_per_shot": _q(23321, "usd"),
        "pk_drone": _q(0.5, "probability"),
        "pk_decoy": _q(0.5, "probability"),
        "pk_cruise": _q(0.3, "probability"),
        "pk_supersonic": _q(0, "probability"),
        "pk_ballistic": _q(0, "probability"),
        "doctrine": {
            "value": "shoot-look-shoot",
            "sources": ["src-a"],
            "confidence": "low",
            "basis": "reported",
        },
        "shots_per_engagement": _q(1, "count"),
        "decoy_discrimination": _q(0.2, "probability"),
    }
    return params | override


def test_system_parameters__valid() -> None:
    params = SystemParameters.model_validate(_system_params())
    assert params.doctrine.value == "shoot-look-shoot"


def test_system_parameters__radar_sector_at_most_a_full_circle() -> None:
    with pytest.raises(ValidationError) as info:
        SystemParameters.model_validate(_system_params(radar_sector=_q(400, "deg")))
    assert _rule(info.value) == ("radar_sector <= 360 deg", "'400 deg'")


def test_system_parameters__unknown_fire_control() -> None:
    control = {"value": "telepathy", "sources": ["src-a"], "confidence": "low", "basis": "reported"}
    with pytest.raises(ValidationError, match="own-radar"):
        SystemParameters.model_validate(_system_params(fire_control=control))


def test_system_parameters__envelope_compares_across_units() -> None:
    """max_altitude 2.5 km vs min_altitude 3000 m: 3.0 km >= 2.5 km is rejected."""
    with pytest.raises(ValidationError) as info:
        SystemParameters.model_validate(_system_params(min_altitude=_q(3000, "m")))
    assert _rule(info.value) == ("min_altitude < max_altitude", "'3000 m >= 2.5 km'")


def test_system_parameters__channels_at_least_one() -> None:
    with pytest.raises(ValidationError) as info:
        SystemParameters.model_validate(_system_params(channels=_q(0, "count")))
    assert _rule(info.value) == ("a value > 0", "0.0")


def test_system_parameters__unknown_doctrine() -> None:
    doctrine = {
        "value": "fire-and-forget",
        "sources": ["src-a"],
        "confidence": "low",
        "basis": "reported",
    }
    with pytest.raises(ValidationError, match="shoot-look-shoot"):
        SystemParameters.model_validate(_system_params(doctrine=doctrine))


def test_source_spec__https_url_and_date_form() -> None:
    good = {"title": "T", "organisation": "o.org", "date": "2024-05", "url": "https://o.org/a"}
    assert SourceSpec.model_validate(good).relayed_from is None
    assert SourceSpec.model_validate(good | {"date": "n.d."}).date == "n.d."
    for bad in (
        {"url": "http://o.org/a"},
        {"url": "o.org/a"},
        {"date": "May 2024"},
        {"date": "2024-5"},
    ):
        with pytest.raises(ValidationError):
            SourceSpec.model_validate(good | bad)
