"""Pydantic schema of the catalog data files (``catalog/data/*.yaml``), in file units.

Each file is a mapping from a slug key to an entry. Every number is a :class:`Quantity`: a value
with its unit, at least one source id, a confidence, a basis and, for derived figures and
assumptions, a note with the arithmetic or the reasoning. Rule violations raise
:class:`pydantic_core.PydanticCustomError` of type ``catalog_rule`` whose context holds
``expected`` and ``found``, so the loader can render ``file: path: expected X, got Y``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from skyshield.catalog.types import (
    Basis,
    Confidence,
    Doctrine,
    FireControl,
    MissedRound,
    ThreatClass,
)
from skyshield.units import FULL_CIRCLE_DEG, M_TO_KM

__all__ = [
    "RULE_ERROR",
    "SYSTEM_UNITS",
    "THREAT_UNITS",
    "DoctrineParameter",
    "MissedRoundParameter",
    "Quantity",
    "SourceSpec",
    "SourcesFile",
    "SystemParameters",
    "SystemSpec",
    "SystemsFile",
    "ThreatParameters",
    "ThreatSpec",
    "ThreatsFile",
    "rule_error",
]
# (air policing: aircraft and air-to-air weapons, appended)
__all__ += [
    "AIRCRAFT_UNITS",
    "WEAPON_UNITS",
    "AircraftFile",
    "AircraftParameters",
    "AircraftSpec",
    "WeaponParameters",
    "WeaponSpec",
    "WeaponsFile",
]

RULE_ERROR = "catalog_rule"
_REPR_MAX = 60

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
_SPEED = frozenset({"km/h", "m/s", "mach"})
_LENGTH = frozenset({"m", "km"})
_KM = frozenset({"km"})
_METRE = frozenset({"m"})
_AREA = frozenset({"m2"})
_USD = frozenset({"usd"})
_PROBABILITY = frozenset({"probability"})
_COUNT = frozenset({"count"})
_ANGLE = frozenset({"deg"})
_TIME = frozenset({"min", "s"})
_DURATION = frozenset({"h", "min"})
_PER_HOUR = frozenset({"1/h"})

_VERTICAL_DEG = 90.0

# Units each parameter may be written in (conversion to SI: skyshield.catalog.load).
THREAT_UNITS: Mapping[str, frozenset[str]] = {
    "speed": _SPEED,
    "altitude": _LENGTH,
    "rcs": _AREA,
    "range": _KM,
    "unit_cost": _USD,
    "ew_loss_per_100km": _PROBABILITY,
    "terminal_speed": _SPEED,
    "apogee_range": _KM,
    "dive_angle": _ANGLE,
    "dive_altitude": _LENGTH,
    # issue #22: falling on their own
    "endurance": _DURATION,
    "loss_rate": _PER_HOUR,
}
SYSTEM_UNITS: Mapping[str, frozenset[str]] = {
    "min_range": _KM,
    "max_range": _KM,
    "min_altitude": _LENGTH,
    "max_altitude": _LENGTH,
    "radar_range": _KM,
    "radar_reference_rcs": _AREA,
    "radar_height": _METRE,
    "radar_sector": _ANGLE,
    "channels": _COUNT,
    "launchers": _COUNT,
    "rounds_per_launcher": _COUNT,
    "reload_time": _TIME,
    "interceptor_speed": _SPEED,
    "cost_per_shot": _USD,
    "pk_drone": _PROBABILITY,
    "pk_decoy": _PROBABILITY,
    "pk_cruise": _PROBABILITY,
    "pk_supersonic": _PROBABILITY,
    "pk_ballistic": _PROBABILITY,
    "shots_per_engagement": _COUNT,
    # optional: absent = no limit (the unit engages a threat again while it is in reach)
    "rounds_per_target": _COUNT,
    "decoy_discrimination": _PROBABILITY,
    # issue #22: identification (optional; absent = immediate and never taking a drone for a decoy)
    "identification_delay": _TIME,
    "drone_taken_for_decoy": _PROBABILITY,
    # by day, for systems that identify by sight (optional; absent = the night figure)
    "decoy_discrimination_day": _PROBABILITY,
    "drone_taken_for_decoy_day": _PROBABILITY,
    "identification_delay_day": _TIME,
}
# Parameters that must be strictly positive (all others only >= 0).
_POSITIVE = frozenset(
    {
        "speed",
        "terminal_speed",
        "apogee_range",
        "dive_angle",
        "rcs",
        "range",
        "max_range",
        "max_altitude",
        "radar_reference_rcs",
        "radar_sector",
        "channels",
        "launchers",
        "rounds_per_launcher",
        "interceptor_speed",
        "shots_per_engagement",
        "rounds_per_target",
        "endurance",
    }
)


def _short(found: object) -> str:
    text = repr(found)
    return text if len(text) <= _REPR_MAX else text[: _REPR_MAX - 3] + "..."


def rule_error(expected: str, found: object) -> PydanticCustomError:
    """Build the error raised for a broken catalog rule (rendered ``expected X, got Y``)."""
    return PydanticCustomError(
        RULE_ERROR,
        "expected {expected}, got {found}",
        {"expected": expected, "found": _short(found)},
    )


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Sourced(_Frozen):
    """Provenance shared by numeric and categorical parameters."""

    sources: tuple[Slug, ...] = Field(min_length=1)
    confidence: Confidence
    basis: Basis
    note: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _note_when_not_reported(self) -> _Sourced:
        if self.basis is not Basis.REPORTED and self.note is None:
            raise rule_error(f"a note (arithmetic or reasoning) when basis is {self.basis}", None)
        return self


class Quantity(_Sourced):
    """A number with unit and provenance, as written in a data file."""

    value: float
    unit: str

    @field_validator("value", mode="before")
    @classmethod
    def _plain_number(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise rule_error("a number (write 1e6 as 1000000)", value)
        return value

    @model_validator(mode="after")
    def _value_fits_unit(self) -> Quantity:
        if not math.isfinite(self.value) or self.value < 0:
            raise rule_error("a finite value >= 0", self.value)
        if self.unit == "probability" and self.value > 1:
            raise rule_error("a probability in [0, 1]", self.value)
        if self.unit == "count" and not self.value.is_integer():
            raise rule_error("a whole count", self.value)
        return self


class DoctrineParameter(_Sourced):
    """The categorical ``doctrine`` parameter of a system."""

    value: Doctrine


class FireControlParameter(_Sourced):
    """The categorical ``fire_control`` parameter of a system: what must see the intercept."""

    value: FireControl


class MissedRoundParameter(_Sourced):
    """The categorical ``missed_round`` parameter of a system: where a missed round lands."""

    value: MissedRound


def _check_quantity(
    units: Mapping[str, frozenset[str]], value: Quantity | None, info: ValidationInfo
) -> Quantity | None:
    if value is None:
        return None
    name = info.field_name or ""
    allowed = units[name]
    if value.unit not in allowed:
        raise rule_error(f"unit one of {', '.join(sorted(allowed))}", value.unit)
    if name in _POSITIVE and value.value <= 0:
        raise rule_error("a value > 0", value.value)
    return value


class ThreatParameters(_Frozen):
    """Parameters of a threat type (units: :data:`THREAT_UNITS`)."""

    speed: Quantity
    altitude: Quantity
    rcs: Quantity
    range: Quantity
    unit_cost: Quantity
    ew_loss_per_100km: Quantity
    terminal_speed: Quantity | None = None
    apogee_range: Quantity | None = None
    dive_angle: Quantity | None = None
    dive_altitude: Quantity | None = None
    # issue #22 (optional: endurance defaults to range / speed, loss_rate to 0)
    endurance: Quantity | None = None
    loss_rate: Quantity | None = None

    @field_validator("*")
    @classmethod
    def _unit_allowed(cls, value: Quantity | None, info: ValidationInfo) -> Quantity | None:
        return _check_quantity(THREAT_UNITS, value, info)


class ThreatSpec(_Frozen):
    """One threat type as written in ``threats.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1)
    threat_class: ThreatClass = Field(alias="class")
    parameters: ThreatParameters

    @model_validator(mode="after")
    def _terminal_speed_when_fast(self) -> ThreatSpec:
        needs = {ThreatClass.BALLISTIC, ThreatClass.SUPERSONIC}
        if self.threat_class in needs and self.parameters.terminal_speed is None:
            raise rule_error(
                f"parameters.terminal_speed for a {self.threat_class} threat", "no terminal_speed"
            )
        dive = self.parameters.dive_angle
        if dive is not None and dive.value > _VERTICAL_DEG:
            raise rule_error("parameters.dive_angle at most 90 deg", dive.value)
        return self


class SystemParameters(_Frozen):
    """Parameters of a system type (units: :data:`SYSTEM_UNITS`)."""

    min_range: Quantity
    max_range: Quantity
    min_altitude: Quantity
    max_altitude: Quantity
    radar_range: Quantity
    radar_reference_rcs: Quantity
    radar_height: Quantity
    radar_sector: Quantity
    fire_control: FireControlParameter
    channels: Quantity
    launchers: Quantity
    rounds_per_launcher: Quantity
    reload_time: Quantity
    interceptor_speed: Quantity
    cost_per_shot: Quantity
    pk_drone: Quantity
    pk_decoy: Quantity
    pk_cruise: Quantity
    pk_supersonic: Quantity
    pk_ballistic: Quantity
    doctrine: DoctrineParameter
    shots_per_engagement: Quantity
    decoy_discrimination: Quantity
    # the most rounds one unit fires at one threat in a night (optional: no limit when absent)
    rounds_per_target: Quantity | None = None
    # issue #22: identification by the unit's own sensor (optional)
    identification_delay: Quantity | None = None
    drone_taken_for_decoy: Quantity | None = None
    decoy_discrimination_day: Quantity | None = None
    drone_taken_for_decoy_day: Quantity | None = None
    identification_delay_day: Quantity | None = None
    # issue #22 (optional: ballistic when absent)
    missed_round: MissedRoundParameter | None = None

    @field_validator("*")
    @classmethod
    def _unit_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or isinstance(
            value, DoctrineParameter | FireControlParameter | MissedRoundParameter
        ):
            return value
        return _check_quantity(SYSTEM_UNITS, value, info)

    @model_validator(mode="after")
    def _envelope_ordered(self) -> SystemParameters:
        pairs = (
            ("min_range", "max_range", self.min_range, self.max_range),
            ("min_altitude", "max_altitude", self.min_altitude, self.max_altitude),
        )
        for low_name, high_name, low, high in pairs:
            if _in_km(low) >= _in_km(high):
                raise rule_error(
                    f"{low_name} < {high_name}",
                    f"{low.value:g} {low.unit} >= {high.value:g} {high.unit}",
                )
        if self.radar_sector.value > FULL_CIRCLE_DEG:
            raise rule_error("radar_sector <= 360 deg", f"{self.radar_sector.value:g} deg")
        return self


def _in_km(quantity: Quantity) -> float:
    # Only to compare two lengths of one system; SI conversion proper lives in load.py.
    return quantity.value if quantity.unit == "km" else quantity.value * M_TO_KM


class SystemSpec(_Frozen):
    """One system type as written in ``systems.yaml``."""

    name: str = Field(min_length=1)
    parameters: SystemParameters


class SourceSpec(_Frozen):
    """One source as written in ``sources.yaml``."""

    title: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    date: Annotated[str, StringConstraints(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")]
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+\.\S+$")]
    relayed_from: str | None = Field(default=None, min_length=1)


SourcesFile = RootModel[dict[Slug, SourceSpec]]
ThreatsFile = RootModel[dict[Slug, ThreatSpec]]
SystemsFile = RootModel[dict[Slug, SystemSpec]]


# --- air policing: aircraft types and the weapons they carry (aircraft.yaml, weapons.yaml) ---

AIRCRAFT_UNITS: Mapping[str, frozenset[str]] = {
    "cruise_speed": _SPEED,
    "dash_speed": _SPEED,
    "time_on_station": _TIME | frozenset({"h"}),
    "patrol_altitude": _LENGTH,
    "radar_range": _KM,
    "radar_reference_rcs": _AREA,
}
WEAPON_UNITS: Mapping[str, frozenset[str]] = {
    "min_range": _KM,
    "max_range": _KM,
    "min_altitude": _LENGTH,
    "max_altitude": _LENGTH,
    "speed": _SPEED,
    "cost_per_round": _USD,
    "rounds_per_engagement": _COUNT,
    "pk_drone": _PROBABILITY,
    "pk_decoy": _PROBABILITY,
    "pk_cruise": _PROBABILITY,
    "pk_supersonic": _PROBABILITY,
    "pk_ballistic": _PROBABILITY,
}
_AIR_POSITIVE = frozenset(
    {"cruise_speed", "dash_speed", "time_on_station", "max_range", "max_altitude", "speed"}
)


def _check_air_quantity(
    units: Mapping[str, frozenset[str]], value: Quantity, info: ValidationInfo
) -> Quantity:
    name = info.field_name or ""
    if value.unit not in units[name]:
        raise rule_error(f"unit one of {', '.join(sorted(units[name]))}", value.unit)
    if name in _AIR_POSITIVE and value.value <= 0:
        raise rule_error("a value > 0", value.value)
    return value


class AircraftParameters(_Frozen):
    """Parameters of an aircraft type (fighter, helicopter, AEW; units: :data:`AIRCRAFT_UNITS`).

    ``radar_range`` is against ``radar_reference_rcs``; 0 = no radar used as a network sensor.
    """

    cruise_speed: Quantity
    dash_speed: Quantity
    time_on_station: Quantity
    patrol_altitude: Quantity
    radar_range: Quantity
    radar_reference_rcs: Quantity

    @field_validator("*")
    @classmethod
    def _unit_allowed(cls, value: Quantity, info: ValidationInfo) -> Quantity:
        return _check_air_quantity(AIRCRAFT_UNITS, value, info)


class AircraftSpec(_Frozen):
    """One aircraft type as written in ``aircraft.yaml``."""

    name: str = Field(min_length=1)
    parameters: AircraftParameters


class WeaponParameters(_Frozen):
    """Parameters of an air-to-air weapon (units: :data:`WEAPON_UNITS`)."""

    min_range: Quantity
    max_range: Quantity
    min_altitude: Quantity
    max_altitude: Quantity
    speed: Quantity
    cost_per_round: Quantity
    rounds_per_engagement: Quantity
    pk_drone: Quantity
    pk_decoy: Quantity
    pk_cruise: Quantity
    pk_supersonic: Quantity
    pk_ballistic: Quantity

    @field_validator("*")
    @classmethod
    def _unit_allowed(cls, value: Quantity, info: ValidationInfo) -> Quantity:
        return _check_air_quantity(WEAPON_UNITS, value, info)

    @model_validator(mode="after")
    def _envelope_ordered(self) -> WeaponParameters:
        if _in_km(self.min_range) >= _in_km(self.max_range):
            raise rule_error("min_range < max_range", f"{self.min_range.value:g} km")
        if _in_km(self.min_altitude) >= _in_km(self.max_altitude):
            raise rule_error("min_altitude < max_altitude", f"{self.min_altitude.value:g}")
        if self.rounds_per_engagement.value < 1:
            raise rule_error("rounds_per_engagement >= 1", self.rounds_per_engagement.value)
        return self


class WeaponSpec(_Frozen):
    """One air-to-air weapon as written in ``weapons.yaml``."""

    name: str = Field(min_length=1)
    gun: bool = False
    parameters: WeaponParameters


AircraftFile = RootModel[dict[Slug, AircraftSpec]]
WeaponsFile = RootModel[dict[Slug, WeaponSpec]]
