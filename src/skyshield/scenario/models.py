"""Typed, immutable scenario objects: what a scenario YAML file means.

Units are in field names (``range_km``, ``delay_s``, ``lon_deg``); the compiler converts them to
SI through :mod:`skyshield.units`. Every model forbids unknown fields, so a typo in a file is an
error naming the field, never a silently ignored setting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from skyshield.catalog import ThreatClass

__all__ = [
    "DEFAULT_START_TIME",
    "AirPatrol",
    "AirborneSensor",
    "Asset",
    "Assignment",
    "AuthorizationClock",
    "EngageDecoys",
    "EngineSettings",
    "EwZone",
    "FireUnit",
    "FrozenModel",
    "Integer",
    "MonteCarloSettings",
    "Nation",
    "Network",
    "PatrolStation",
    "Position",
    "Raid",
    "Real",
    "RulesOfEngagement",
    "Scenario",
    "Sensor",
    "ThreatAssessment",
    "Wave",
    "Zone",
    "ZoneKind",
]

# When a scenario's raid starts if its file does not say: a winter night (20:00 Kyiv time),
# when massed raids usually begin. Only time-tagged exports (CZML, KML, Tacview) read it.
DEFAULT_START_TIME = datetime(2025, 1, 1, 18, 0, tzinfo=UTC)

Name = Annotated[
    str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.'()/-]*$")
]
NationCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
# Strict: pydantic's lax mode would read YAML's `true` as 1 and "24" or 40.0 as counts, so a
# typo in a file would run silently as another scenario.
Integer = Annotated[int, Strict()]
# Strict floats still take integers (`radius_km: 50`), but no booleans or strings.
Real = Annotated[float, Strict()]
Flag = Annotated[bool, Strict()]  # new switches (#22): `yes` or 1 in a file is an error


class FrozenModel(BaseModel):
    """Base of every input-file model: immutable, unknown fields refused, text stripped."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Position(FrozenModel):
    """A point on the WGS84 ellipsoid, degrees."""

    lon_deg: Real = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    lat_deg: Real = Field(ge=-90.0, le=90.0, allow_inf_nan=False)


class ZoneKind(StrEnum):
    """Where a nation may engage: see :class:`Zone`."""

    OWN = "own"
    BUFFER = "buffer"
    POLYGON = "polygon"


class Zone(FrozenModel):
    """The area in which a nation's intercept points may lie.

    ``own``: its own territory only. ``buffer``: its own territory plus up to ``buffer_km``
    into each of the neighbours named in ``into``. ``polygon``: its own territory plus the
    explicit polygon (lon/lat vertices, closed automatically).
    """

    kind: ZoneKind = ZoneKind.OWN
    buffer_km: Real = Field(default=0.0, ge=0.0, le=20000.0, allow_inf_nan=False)
    into: tuple[NationCode, ...] = ()
    polygon: tuple[Position, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is ZoneKind.BUFFER and not self.into:
            raise ValueError("a buffer zone names the neighbours it extends into, in `into`")
        if self.kind is ZoneKind.POLYGON and len(self.polygon) < 3:  # noqa: PLR2004
            raise ValueError("a polygon zone needs at least 3 vertices in `polygon`")
        return self


class EngageDecoys(StrEnum):
    """What a nation's units do with a target they identify as a decoy (issue #22)."""

    NEVER = "never"
    IF_THREATENING = "if_threatening"
    ALWAYS = "always"


class AuthorizationClock(StrEnum):
    """When a nation's authorization delay starts counting, per threat (issue #22).

    ``first_track``: the first track of the unit's networks (anywhere); ``zone_entry``: the
    tracked threat entering the nation's engagement zone (own territory or its buffer or
    polygon); ``identification``: the unit's identification of the threat.
    """

    FIRST_TRACK = "first_track"
    ZONE_ENTRY = "zone_entry"
    IDENTIFICATION = "identification"


class ThreatAssessment(FrozenModel):
    """A track threatens when its straight course over the horizon passes near a protected point.

    Protected points: the scenario's assets on the nation's territory and its own populated
    places of at least ``populated_min_population`` (the ROE's). The course is the track's
    current path piece (course and speed), never the threat's true target. The horizon is a
    distance (``horizon_km``) or a flight time at the track's speed (``horizon_min``).
    """

    within_km: Real = Field(gt=0.0, le=500.0, allow_inf_nan=False)
    horizon_km: Real | None = Field(default=None, ge=0.0, le=3000.0, allow_inf_nan=False)
    horizon_min: Real | None = Field(default=None, ge=0.0, le=600.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _one_horizon(self) -> Self:
        if (self.horizon_km is None) == (self.horizon_min is None):
            raise ValueError("exactly one of `horizon_km`, `horizon_min`")
        return self


class RulesOfEngagement(FrozenModel):
    """One nation's rules of engagement: every shot of its units obeys all of them."""

    zone: Zone = Zone()
    classes: tuple[ThreatClass, ...] = tuple(ThreatClass)
    must_head_to_own_territory: bool = False
    heading_horizon_km: Real = Field(default=150.0, gt=0.0, le=3000.0, allow_inf_nan=False)
    authorization_delay_s: Real = Field(default=0.0, ge=0.0, le=86400.0, allow_inf_nan=False)
    max_engagements_outside_own_airspace: Integer | None = Field(default=None, ge=0)
    no_intercept_over_own_populated_area: bool = False
    populated_min_population: Integer = Field(default=50_000, ge=0)
    populated_radius_km: Real = Field(default=5.0, ge=0.0, le=100.0, allow_inf_nan=False)
    # issue #22: identification, threat assessment, authorization clock
    require_identification: Flag = Field(
        default=False,
        description="Units fire only once they have identified the target (after their "
        "system's identification delay from the track); identification can be wrong.",
    )
    engage_decoys: EngageDecoys = Field(
        default=EngageDecoys.ALWAYS,
        description="A target identified as a decoy is engaged never, only while its track "
        "threatens (needs `threat_assessment`), or always (as the classes allow).",
    )
    threat_assessment: ThreatAssessment | None = None
    engage_only_threatening: Flag = Field(
        default=False,
        description="Engage only tracks that threaten (needs `threat_assessment`).",
    )
    authorization_clock: AuthorizationClock = AuthorizationClock.FIRST_TRACK
    guns_allowed: Flag = Field(
        default=True,
        description="Aircraft under these rules may fire their guns (false: missiles only, e.g. "
        "where a missed burst would fall on a town).",
    )

    @model_validator(mode="after")
    def _assessment_given(self) -> Self:
        needs = self.engage_only_threatening or self.engage_decoys is EngageDecoys.IF_THREATENING
        if needs and self.threat_assessment is None:
            raise ValueError(
                "a `threat_assessment` ({within_km, horizon_km or horizon_min}) where "
                "`engage_only_threatening` or `engage_decoys: if_threatening` is set"
            )
        return self


class Nation(FrozenModel):
    """A nation taking part: its alliances and its rules of engagement."""

    name: str = ""
    alliances: tuple[Name, ...] = ()
    roe: RulesOfEngagement = RulesOfEngagement()
    # issue #22: nations whose units stationed here may fire under this nation's rules
    hosts: tuple[NationCode, ...] = Field(
        default=(),
        description="Nations whose fire units may operate under this nation's rules "
        "(`operates_under`): the host's consent.",
    )


class Asset(FrozenModel):
    """Something threats are aimed at: a city from the shipped GeoNames list, or a position."""

    city: str | None = None
    country: NationCode | None = None
    position: Position | None = None
    value: Real = Field(default=1.0, ge=0.0, allow_inf_nan=False)
    # issue #22: a threat ending within this distance of its target reached the target's area
    # (decoys: `by_target` reached_area). 10 km, the populated-place radius of the debris rule.
    area_radius_km: Real = Field(default=10.0, gt=0.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _located(self) -> Self:
        if (self.city is None) == (self.position is None):
            raise ValueError("an asset has exactly one of `city` or `position`")
        return self


class Network(FrozenModel):
    """A track-sharing network: every member sees every track any member's sensor holds."""

    description: str = ""


class Sensor(FrozenModel):
    """A stand-alone radar (fire units also carry their system's own radar)."""

    id: Name
    nation: NationCode
    position: Position
    radar_range_km: Real = Field(gt=0.0, le=1000.0, allow_inf_nan=False)
    reference_rcs_m2: Real = Field(gt=0.0, le=1000.0, allow_inf_nan=False)
    height_m: Real = Field(ge=0.0, le=20000.0, allow_inf_nan=False)
    networks: tuple[Name, ...] = Field(min_length=1)
    label: str = "notional position"


class EwZone(FrozenModel):
    """A disc where electronic warfare (jamming, spoofing) downs drones and decoys.

    A threat flying inside loses its way at the catalog rate per km of its type
    (``ew_loss_per_100km``) times ``strength``; where zones overlap the strongest applies.
    """

    id: Name
    nation: NationCode
    position: Position
    radius_km: Real = Field(gt=0.0, le=500.0, allow_inf_nan=False)
    strength: Real = Field(default=1.0, ge=0.0, le=10.0, allow_inf_nan=False)
    label: str = "notional position"


class FireUnit(FrozenModel):
    """One fire unit (battery, fire group, fighter station) of a catalog system type."""

    id: Name
    system: str
    nation: NationCode
    position: Position
    stock: Integer | None = Field(default=None, ge=0, le=1_000_000)
    engages: tuple[ThreatClass, ...] | None = Field(
        default=None,
        description="Threat classes this unit is tasked against (default: all its system can "
        "engage); e.g. keep Patriot interceptors for missiles.",
    )
    reserve_for: dict[ThreatClass, Annotated[Integer, Field(ge=0, le=1_000_000)]] = Field(
        default_factory=dict,
        description="Rounds held back for a class: other classes may not take the unit's stock "
        "below the sum of the other classes' reserves, e.g. {ballistic: 8} on a Patriot.",
    )
    rounds_per_target: Integer | None = Field(
        default=None,
        ge=0,
        le=1_000,
        description="The most rounds the unit fires at one threat over the night; 0: no limit "
        "(it engages a threat again while it is in reach); default: the catalog system's "
        "(S-300 and Buk: 2, 'two missiles per target').",
    )
    networks: tuple[Name, ...] = Field(min_length=1)
    radar_azimuth_deg: Real | None = Field(
        default=None,
        ge=0.0,
        lt=360.0,
        allow_inf_nan=False,
        description="Direction the centre of a sector radar faces, degrees clockwise from "
        "north; required for systems whose radar covers less than 360 degrees (Patriot).",
    )
    label: str = "notional position"
    # issue #22: host-nation rules
    operates_under: NationCode | None = Field(
        default=None,
        description="Fire under this host nation's rules of engagement (zone, classes, delays) "
        "instead of its own nation's; the host must list the unit's nation in `hosts`.",
    )


class PatrolStation(FrozenModel):
    """Where a patrol orbits: its centre, how far from it a fighter runs to engage, altitude."""

    position: Position
    commit_radius_km: Real = Field(
        default=30.0,
        ge=0.0,
        le=500.0,
        allow_inf_nan=False,
        description="How far from the orbit centre an aircraft runs out to engage; its reach "
        "is this plus the weapon's range.",
    )
    altitude_m: Real | None = Field(default=None, ge=0.0, le=20000.0, allow_inf_nan=False)


class AirPatrol(FrozenModel):
    """Aircraft flying sorties from an air base to a patrol station (air policing).

    Sortie ``j`` takes off at ``first_takeoff_min + j * sortie_interval_min`` (minutes after
    the raid start), flies to the station at ``transit_speed_kmh``, stays
    ``time_on_station_min + tanker_extra_min`` (Bingo fuel) and flies home. Each of its
    ``aircraft`` carries ``loadout`` (weapon: rounds) and engages one threat at a time.
    """

    id: Name
    nation: NationCode
    aircraft_type: str
    base: Position
    station: PatrolStation
    aircraft: Integer = Field(default=2, ge=1, le=100, description="Aircraft per sortie.")
    sorties: Integer = Field(default=1, ge=1, le=200)
    first_takeoff_min: Real = Field(default=0.0, ge=-1440.0, le=1440.0, allow_inf_nan=False)
    sortie_interval_min: Real | None = Field(
        default=None,
        gt=0.0,
        le=1440.0,
        allow_inf_nan=False,
        description="Minutes between take-offs (default: the time on station, so each sortie "
        "arrives as the one before leaves).",
    )
    time_on_station_min: Real | None = Field(default=None, gt=0.0, le=1440.0, allow_inf_nan=False)
    tanker_extra_min: Real = Field(default=0.0, ge=0.0, le=1440.0, allow_inf_nan=False)
    transit_speed_kmh: Real | None = Field(default=None, gt=0.0, le=5000.0, allow_inf_nan=False)
    loadout: dict[str, Annotated[Integer, Field(ge=1, le=100)]] = Field(min_length=1)
    adequate_pk: Real = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Weapon choice: the cheapest weapon able to engage whose kill probability "
        "is at least this; if none, the one with the best kill probability.",
    )
    engages: tuple[ThreatClass, ...] | None = None
    operates_under: NationCode | None = Field(
        default=None,
        description="Fire under this host nation's rules of engagement (zone, classes, delays) "
        "instead of its own nation's, e.g. allied fighters policing Poland's airspace; the host "
        "must list the patrol's nation in `hosts`.",
    )
    networks: tuple[Name, ...] = Field(min_length=1)
    label: str = "notional position"
    # issue #22: quick reaction alert (scramble on the first track)
    on_alert: bool = Field(
        default=False,
        description="Wait on ground alert instead of flying a schedule: the patrol scrambles "
        "when its networks first hold a track on any threat (at that step), sortie j taking "
        "off `scramble_delay_min + j * sortie_interval_min` after it; `first_takeoff_min` "
        "must then be 0.",
    )
    scramble_delay_min: Real = Field(
        default=15.0,
        ge=0.0,
        le=1440.0,
        allow_inf_nan=False,
        description="Minutes from the alert to take-off. Default 15: NATO Quick Reaction "
        "Alert readiness state RS-15, airborne within 15 minutes of the order (sources "
        "wp-2023-nato-qra-rs15, dvids-nd-portugal-qra).",
    )

    wait_for_cheaper_weapon: bool = Field(
        default=True,
        description="Hold fire with a weapon when a cheaper adequate weapon of the same "
        "aircraft (kill probability at least `adequate_pk`, rounds left) will be able to "
        "engage the threat later while the aircraft is still on station; false: fire the "
        "best weapon able to engage now.",
    )

    @model_validator(mode="after")
    def _alert_or_schedule(self) -> Self:
        if self.on_alert and self.first_takeoff_min != 0:
            raise ValueError(
                "an air patrol on alert takes off `scramble_delay_min` after the alert; "
                "`first_takeoff_min` must be 0 (it is for scheduled patrols)"
            )
        return self


class AirborneSensor(FrozenModel):
    """An airborne early-warning aircraft in orbit: a network radar at its orbit altitude.

    Its radar and altitude come from the catalog aircraft type unless given here. Without
    ``sorties`` it is on station the whole night (an orbit kept by relieving aircraft); with
    them it flies the sortie plan of an air patrol from ``base`` (take-off, transit, time on
    station) and its radar counts only while on station.
    """

    id: Name
    nation: NationCode
    aircraft_type: str
    position: Position
    altitude_m: Real | None = Field(default=None, ge=0.0, le=20000.0, allow_inf_nan=False)
    networks: tuple[Name, ...] = Field(min_length=1)
    label: str = "notional position"
    # issue #22: on-station windows (the sortie plan of AirPatrol; None: on station all night)
    base: Position | None = None
    sorties: Integer | None = Field(
        default=None,
        ge=1,
        le=200,
        description="Orbits flown one after another (each by one aircraft) from `base`; "
        "without it the orbit is kept all night.",
    )
    first_takeoff_min: Real = Field(default=0.0, ge=-1440.0, le=1440.0, allow_inf_nan=False)
    sortie_interval_min: Real | None = Field(
        default=None,
        gt=0.0,
        le=1440.0,
        allow_inf_nan=False,
        description="Minutes between take-offs (default: the time on station).",
    )
    time_on_station_min: Real | None = Field(default=None, gt=0.0, le=1440.0, allow_inf_nan=False)
    transit_speed_kmh: Real | None = Field(default=None, gt=0.0, le=5000.0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _plan_from_a_base(self) -> Self:
        if self.sorties is not None and self.base is None:
            raise ValueError("an airborne sensor flying `sorties` needs the `base` it flies from")
        return self


class Wave(FrozenModel):
    """A group of threats of one type launched from one site along one route."""

    threat: str
    count: Integer = Field(ge=1, le=100_000)
    launch_site: Name
    launch_time_min: Real = Field(default=0.0, ge=0.0, le=24 * 60.0, allow_inf_nan=False)
    launch_spacing_s: Real = Field(default=0.0, ge=0.0, le=3600.0, allow_inf_nan=False)
    launch_jitter_s: Real = Field(
        default=0.0,
        ge=0.0,
        le=3600.0,
        allow_inf_nan=False,
        description="sd of each launch time about its plan, normal truncated at the raid start",
    )
    route: tuple[Position, ...] = ()
    route_jitter_km: Real = Field(default=0.0, ge=0.0, le=200.0, allow_inf_nan=False)
    targets: tuple[Name, ...] = Field(min_length=1)


class Raid(FrozenModel):
    """The attack: named launch sites and waves of threats."""

    launch_sites: dict[Name, Position] = Field(min_length=1)
    waves: tuple[Wave, ...] = Field(min_length=1)


class MonteCarloSettings(FrozenModel):
    """How many replications and from which run seed."""

    replications: Integer = Field(default=1000, ge=1, le=1_000_000)
    seed: Integer = Field(default=0, ge=0, le=2**63 - 1)
    route_sets: Annotated[Integer, Field(ge=1, le=1_000_000)] | Literal["all"] = Field(
        default=64,
        description="Route sets (jittered routes of every threat): one per night up to this "
        "many, or `all`: every night its own routes. Nights beyond a number share its sets, "
        "and intervals treat shared route sets as clusters.",
    )

    @model_validator(mode="before")
    @classmethod
    def _renamed_route_realizations(cls, data: object) -> object:
        if isinstance(data, dict) and "route_realizations" in data:
            raise PydanticCustomError(
                "renamed_field",
                "'{new}' (a number or all)",
                {"old": "route_realizations", "new": "route_sets"},
            )
        return data


class Assignment(StrEnum):
    """Weapon-target assignment rule."""

    GREEDY = "greedy"
    OPTIMAL = "optimal"


class EngineSettings(FrozenModel):
    """Discretisation and decision rules of the engagement engine."""

    time_step_s: Real = Field(default=5.0, gt=0.0, le=60.0, allow_inf_nan=False)
    assignment: Assignment = Assignment.GREEDY


class Scenario(FrozenModel):
    """A whole scenario: raid, defences, nations and their rules, Monte Carlo settings."""

    name: Name
    description: str = ""
    notional: bool = Field(
        default=True, description="Positions of defending units are notional (not real)."
    )
    start_time: AwareDatetime = Field(
        default=DEFAULT_START_TIME,
        description="When the raid starts (time 0 of every replication), ISO 8601 with a time "
        "zone, e.g. 2025-01-01T18:00:00Z; gives time-tagged exports (CZML, KML, Tacview) real "
        "times. Does not change any outcome.",
    )
    nations: dict[NationCode, Nation] = Field(min_length=1)
    assets: dict[Name, Asset] = Field(min_length=1)
    networks: dict[Name, Network] = Field(min_length=1)
    sensors: tuple[Sensor, ...] = ()
    fire_units: tuple[FireUnit, ...] = ()
    ew_zones: tuple[EwZone, ...] = Field(
        default=(),
        description="Electronic-warfare zones: drones and decoys are lost only inside them.",
    )
    raid: Raid
    monte_carlo: MonteCarloSettings = MonteCarloSettings()
    engine: EngineSettings = EngineSettings()
    # issue #22
    daylight: Flag = Field(
        default=False,
        description="The raid is flown by day: units that identify by sight use their "
        "catalog day figures (decoy recognition, misidentification, identification delay).",
    )
    # air policing (appended)
    air_patrols: tuple[AirPatrol, ...] = Field(
        default=(), description="Fighters (or armed helicopters) flying sorties to patrol orbits."
    )
    airborne_sensors: tuple[AirborneSensor, ...] = Field(
        default=(), description="Airborne early warning in orbit (network radars at altitude)."
    )
