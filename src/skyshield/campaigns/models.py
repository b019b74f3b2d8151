"""Typed campaign files: nights, raids, stocks, deliveries, doctrine (see ``examples/``).

A campaign file is YAML like a scenario file and fails the same way: every problem as
``file: field.path: expected X, got Y``. Stocks and deliveries are the least public numbers of
all; each shipped example says where its figures come from.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from skyshield.scenario.models import FrozenModel, Integer, Real

__all__ = [
    "Allies",
    "Campaign",
    "Delivery",
    "Doctrine",
    "HoldRule",
    "MonteCarlo",
    "NightModel",
    "RaidMode",
    "Raids",
]

# A stock label: a system of the national posture (``patriot-pac3-mse``), or an ally's system
# prefixed by its nation (``PL/patriot-pac3-mse``).
SystemKey = Annotated[
    str, Field(min_length=1, max_length=60, pattern=r"^([A-Z]{2}/)?[a-z0-9][a-z0-9-]*$")
]
ReportClassName = Annotated[str, Field(pattern=r"^(drone|cruise|ballistic)$")]


class RaidMode(StrEnum):
    """Where each night's launches come from."""

    REPLAY = "replay"  # the reports' nights from the campaign's start, as reported
    GENERATOR = "generator"  # drawn like the nights of a training period


class Raids(FrozenModel):
    """Raid tempo: replayed history, or a generator fitted to a training period."""

    mode: RaidMode = RaidMode.GENERATOR
    fit_from: date | None = Field(default=None, description="first training night (generator)")
    fit_until: date | None = Field(default=None, description="last training night (generator)")
    trend: bool = Field(
        default=False, description="log-linear trend in the nightly mean, extrapolated"
    )

    @model_validator(mode="after")
    def _training_period(self) -> Self:
        if self.mode is RaidMode.GENERATOR:
            if self.fit_from is None or self.fit_until is None:
                msg = "fit_from and fit_until (the training period) for mode 'generator'"
                raise ValueError(msg)
            if self.fit_until < self.fit_from:
                msg = "fit_until on or after fit_from"
                raise ValueError(msg)
        return self


class Delivery(FrozenModel):
    """Rounds of one system delivered on the first night of each month, from a date."""

    system: SystemKey
    per_month: Integer = Field(ge=0, le=100_000)
    sd: Real = Field(
        default=0.0,
        ge=0.0,
        le=100_000.0,
        description="month-to-month standard deviation (gamma distributed, rounded)",
    )
    start: date | None = Field(default=None, description="first month (default: campaign start)")


class HoldRule(FrozenModel):
    """Below ``below`` rounds nationally, the system's units fire only at ``fire_at``."""

    below: Integer = Field(ge=0, le=1_000_000)
    fire_at: tuple[ReportClassName, ...] = Field(min_length=1)


class Doctrine(FrozenModel):
    """How units adapt to their national stock."""

    hold: dict[SystemKey, HoldRule] = Field(default_factory=dict)


class NightModel(FrozenModel):
    """Parameters of the night model; a calibration file's latest medians replace them."""

    calibration: str | None = None
    pk_drone: Real = Field(default=1.0, ge=0.0, le=10.0)
    pk_cruise: Real = Field(default=1.0, ge=0.0, le=10.0)
    pk_ballistic: Real = Field(default=1.0, ge=0.0, le=10.0)
    ew: Real = Field(default=1.0, ge=0.0, le=10.0)
    decoy_share: Real = Field(default=0.25, ge=0.0, le=0.95)
    posture_long: Real = Field(default=1.0, gt=0.0, le=10.0)
    posture_medium: Real = Field(default=1.0, gt=0.0, le=10.0)
    posture_short: Real = Field(default=1.0, gt=0.0, le=10.0)
    # issue 23: the low-cost layers tasked with the raid (0: fixed) and missiles lost
    tasking_beta: Real = Field(default=0.0, ge=-1.0, le=3.0)
    loss_cruise: Real = Field(default=0.0, ge=0.0, le=10.0)
    fail_ballistic: Real = Field(default=0.0, ge=0.0, le=0.99)


class Allies(FrozenModel):
    """Allied nations taken from a policy scenario: their rules, units, sensors and networks."""

    scenario: str = Field(min_length=1, description="scenario file or built-in name")
    nations: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _not_home(self) -> Self:
        if "UA" in self.nations:
            msg = "allied nations other than UA (UA's posture is the night model's)"
            raise ValueError(msg)
        return self


class MonteCarlo(FrozenModel):
    """Replications, seed and route sets of the raid pool."""

    replications: Integer = Field(default=200, ge=1, le=100_000)
    seed: Integer = Field(default=1, ge=0, le=2**63 - 1)
    route_sets: Integer = Field(default=4, ge=1, le=64)


class Campaign(FrozenModel):
    """A campaign: nights of raids against the national posture, stocks and deliveries."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: str = ""
    notional: bool = True
    start: date
    nights: Integer = Field(ge=1, le=3660)
    raids: Raids
    night_model: NightModel = NightModel()
    allies: Allies | None = None
    stocks: dict[SystemKey, Annotated[Integer, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict,
        description="national rounds per system at the start (NATION/system for allies); "
        "systems not listed are not tracked (their units start every night fully loaded)",
    )
    deliveries: tuple[Delivery, ...] = ()
    doctrine: Doctrine = Doctrine()
    monte_carlo: MonteCarlo = MonteCarlo()

    @model_validator(mode="after")
    def _tracked(self) -> Self:
        systems = [d.system for d in self.deliveries]
        twice = sorted({s for s in systems if systems.count(s) > 1})
        if twice:
            msg = f"one delivery entry per system (twice: {', '.join(twice)})"
            raise ValueError(msg)
        for d in self.deliveries:
            if d.system not in self.stocks:
                msg = f"deliveries only of systems with a stock (add stocks.{d.system})"
                raise ValueError(msg)
        for key in self.doctrine.hold:
            if key not in self.stocks:
                msg = f"a hold rule only for systems with a stock (add stocks.{key})"
                raise ValueError(msg)
        return self
