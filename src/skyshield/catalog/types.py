"""Typed, SI-unit records of the parameter catalog: what the engine and the scenario compiler read.

Every quantity is SI (m, s, m/s, m², USD) and carries its unit in its name. The records are
built by :func:`skyshield.catalog.load_catalog` from the YAML files in ``catalog/data``, where
each number also carries its sources, confidence and basis (see :class:`ParameterEntry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from skyshield.errors import CatalogError

__all__ = [
    "REPORT_CLASSES",
    "THREATS_OF_REPORT_CLASS",
    "AircraftType",
    "Basis",
    "Catalog",
    "Confidence",
    "Doctrine",
    "MissedRound",
    "ParameterEntry",
    "ReportClass",
    "Source",
    "SystemType",
    "ThreatClass",
    "ThreatType",
    "WeaponType",
]


class ThreatClass(StrEnum):
    """Class of a threat; the member order is the index used in arrays (``pk`` tuples)."""

    DRONE = "drone"
    DECOY = "decoy"
    CRUISE = "cruise"
    SUPERSONIC = "supersonic"
    BALLISTIC = "ballistic"

    @property
    def position(self) -> int:
        """Position of this class in :class:`ThreatClass` order (the array index)."""
        return _CLASS_POSITION[self]


_CLASS_POSITION: dict[ThreatClass, int] = {c: i for i, c in enumerate(ThreatClass)}


class ReportClass(StrEnum):
    """Threat class of a report row; the member order is the display order.

    ``drone`` and ``cruise``, ``supersonic``, ``ballistic`` are the :class:`ThreatClass` classes of
    the same names, except that ``drone`` also holds the decoys (the catalog's ``decoy``): the
    reports do not tell them apart before mid-2025 (``is_shahed`` is empty in the shipped file).
    ``s300`` is kept apart although the catalog files S-300 ground attack as ``ballistic``:
    it flies a short ballistic path at front-line cities and is hardly ever reported destroyed.
    """

    DRONE = "drone"
    OTHER_UAV = "other_uav"
    CRUISE = "cruise"
    SUPERSONIC = "supersonic"
    BALLISTIC = "ballistic"
    S300 = "s300"
    GUIDED_BOMB = "guided_bomb"
    OTHER = "other"

    @property
    def position(self) -> int:
        """Position of this class in :class:`ReportClass` order (for sorting)."""
        return _REPORT_POSITION[self]


_REPORT_POSITION: dict[ReportClass, int] = {c: i for i, c in enumerate(ReportClass)}


# The report classes the night model is fitted on and the campaigns run (the Air Force's three
# headline counts); plain strings, the column and key names of their tables.
REPORT_CLASSES: tuple[str, ...] = (
    ReportClass.DRONE.value,
    ReportClass.CRUISE.value,
    ReportClass.BALLISTIC.value,
)
# The engine's threat classes counted in each of REPORT_CLASSES (the reports' grouping: decoys
# are not told apart from Shahed-type drones, nor supersonic from other cruise missiles).
THREATS_OF_REPORT_CLASS: Mapping[str, tuple[ThreatClass, ...]] = MappingProxyType(
    {
        ReportClass.DRONE.value: (ThreatClass.DRONE, ThreatClass.DECOY),
        ReportClass.CRUISE.value: (ThreatClass.CRUISE, ThreatClass.SUPERSONIC),
        ReportClass.BALLISTIC.value: (ThreatClass.BALLISTIC,),
    }
)


class Doctrine(StrEnum):
    """Firing doctrine of a fire unit."""

    SHOOT_SHOOT = "shoot-shoot"
    SHOOT_LOOK_SHOOT = "shoot-look-shoot"


class FireControl(StrEnum):
    """What must see a threat at the intercept point before a unit may fire at it.

    ``own-radar``: the unit's own fire-control radar (range against the threat's radar cross
    section, 4/3-Earth horizon, azimuth sector). ``own-sight``: the crew's own sight (thermal,
    optical), which sees anything inside the engagement envelope. ``network``: engage on a
    remote (network) track, a capability only some systems have.
    """

    OWN_RADAR = "own-radar"
    OWN_SIGHT = "own-sight"
    NETWORK = "network"


class MissedRound(StrEnum):
    """Where an interceptor round that misses comes down (issue #22, item 7).

    ``self-destruct``: it destroys itself after the miss, and its fragments land at the ground
    point below the intercept point. ``ballistic``: it flies on along its line of fire (the
    great circle from the unit through the intercept point) and comes down at the system's
    maximum range from the unit, or below the intercept point when that is farther.
    """

    SELF_DESTRUCT = "self-destruct"
    BALLISTIC = "ballistic"


class Confidence(StrEnum):
    """How far a catalog figure can be trusted (see ``/work/shared/SOURCES.md`` for the scale)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Basis(StrEnum):
    """Where a catalog figure comes from."""

    REPORTED = "reported"  # stated by a cited public source
    DERIVED = "derived"  # arithmetic on cited figures (the note shows it)
    ASSUMPTION = "assumption"  # no public figure: reasoned guess, to be calibrated


@dataclass(frozen=True, slots=True)
class Source:
    """One public source cited by catalog parameters.

    Attributes
    ----------
    key : slug used in the data files, e.g. ``euronews-2023-shahed``
    title : title or short description of the page
    organisation : site or outlet that published it
    date : ``YYYY-MM``, ``YYYY-MM-DD`` or ``n.d.``
    url : full https URL
    relayed_from : original outlet when the page relays another (e.g. ``Reuters``), else None
    """

    key: str
    title: str
    organisation: str
    date: str
    url: str
    relayed_from: str | None


@dataclass(frozen=True, slots=True)
class ThreatType:
    """One type of attacking weapon, in SI units."""

    key: str
    name: str
    threat_class: ThreatClass
    speed_mps: float  # cruise speed; for ballistic: mean ground speed before the dive
    altitude_m: float  # cruise altitude; for ballistic: apogee at apogee_range_m
    rcs_m2: float  # frontal radar cross-section, for detection range R ∝ σ^¼
    range_m: float  # maximum range
    unit_cost_usd: float
    ew_loss_per_100km: float  # chance of being lost per 100 km flown inside an EW zone
    terminal_speed_mps: float  # speed along the terminal dive (== speed_mps by default)
    apogee_range_m: float  # ballistic: flown distance at which the apogee is altitude_m
    dive_angle_rad: float  # terminal dive below the horizontal; 0: no separate dive
    dive_altitude_m: float  # altitude where the terminal dive starts (capped by the profile)
    # issue #22: falling on their own (defaults: range / speed, and no random losses)
    endurance_s: float = float("inf")  # flight time before fuel runs out
    loss_rate_per_s: float = 0.0  # hazard of coming down on its own (link loss, malfunction)


@dataclass(frozen=True, slots=True)
class SystemType:
    """One type of air-defence fire unit (battery, fire group, fighter station), in SI units.

    Units without an organic radar (guns or interceptor drones cued by the network) have
    ``radar_range_m == 0``.
    """

    key: str
    name: str
    min_range_m: float
    max_range_m: float
    min_altitude_m: float
    max_altitude_m: float
    radar_range_m: float  # organic sensor range against radar_reference_rcs_m2; 0 = none
    radar_reference_rcs_m2: float
    radar_height_m: float  # antenna height above ground (patrol altitude for fighters)
    radar_sector_rad: float  # azimuth width the radar covers without moving; 2π = all round
    fire_control: FireControl  # what must see the threat at the intercept point
    channels: int  # simultaneous engagements
    launchers: int
    rounds_per_launcher: int
    reload_s: float
    interceptor_speed_mps: float
    cost_per_shot_usd: float
    pk: tuple[float, float, float, float, float]  # single-shot Pk in ThreatClass order
    doctrine: Doctrine
    shots_per_engagement: int  # rounds fired per engagement before looking again
    decoy_discrimination: float  # probability a decoy is recognised as one before firing
    # the most rounds one unit fires at one threat in a night; 0: no limit (it engages again
    # while the threat is in reach)
    rounds_per_target: int = 0
    # issue #22: identification by the unit's own sensor
    identification_delay_s: float = 0.0  # from the track to the unit's identification
    drone_taken_for_decoy: float = 0.0  # probability an armed drone is identified as a decoy
    # the same three by day (systems identifying by sight); None = the night figure
    decoy_discrimination_day: float | None = None
    drone_taken_for_decoy_day: float | None = None
    identification_delay_day_s: float | None = None

    def identification(self, *, daylight: bool) -> tuple[float, float, float]:
        """(P(recognise a decoy), P(take a drone for a decoy), identification delay in s)."""
        if not daylight:
            return (
                self.decoy_discrimination,
                self.drone_taken_for_decoy,
                self.identification_delay_s,
            )

        def day(value: float | None, night: float) -> float:
            return night if value is None else value

        return (
            day(self.decoy_discrimination_day, self.decoy_discrimination),
            day(self.drone_taken_for_decoy_day, self.drone_taken_for_decoy),
            day(self.identification_delay_day_s, self.identification_delay_s),
        )

    missed_round: MissedRound = MissedRound.BALLISTIC  # issue #22: where a missed round lands

    def pk_against(self, threat_class: ThreatClass) -> float:
        """Single-shot kill probability of one round against a threat of ``threat_class``."""
        return self.pk[threat_class.position]


@dataclass(frozen=True, slots=True)
class ParameterEntry:
    """One catalog parameter as a flat row (for the ``skyshield catalog`` table).

    ``value``/``unit`` are as written in the data file; ``si_value``/``si_unit`` as used
    inside skyshield (``si_value`` is None for categorical parameters such as ``doctrine``).
    """

    kind: str  # "threat" or "system"
    type_key: str
    type_name: str
    parameter: str
    value: float | str
    unit: str
    si_value: float | None
    si_unit: str
    confidence: Confidence
    basis: Basis
    sources: tuple[str, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class AircraftType:
    """One aircraft type (fighter, armed helicopter, airborne early warning), in SI units."""

    key: str
    name: str
    cruise_speed_mps: float  # transit between air base and station
    dash_speed_mps: float  # run from the orbit to an intercept
    time_on_station_s: float  # on station per sortie without tanker support
    patrol_altitude_m: float
    radar_range_m: float  # against radar_reference_rcs_m2; 0 = not used as a network sensor
    radar_reference_rcs_m2: float


@dataclass(frozen=True, slots=True)
class WeaponType:
    """One air-to-air weapon (missile or gun burst), in SI units."""

    key: str
    name: str
    gun: bool
    min_range_m: float
    max_range_m: float
    min_altitude_m: float
    max_altitude_m: float
    speed_mps: float
    cost_per_round_usd: float
    rounds_per_engagement: int
    pk: tuple[float, float, float, float, float]  # single-round Pk in ThreatClass order


def _no_aircraft() -> Mapping[str, AircraftType]:
    return MappingProxyType({})


def _no_weapons() -> Mapping[str, WeaponType]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Catalog:
    """All threat and system types with their sources (read-only mappings)."""

    threats: Mapping[str, ThreatType]
    systems: Mapping[str, SystemType]
    sources: Mapping[str, Source]
    entries: tuple[ParameterEntry, ...]
    # air policing (appended): aircraft types and air-to-air weapons
    aircraft: Mapping[str, AircraftType] = field(default_factory=_no_aircraft)
    weapons: Mapping[str, WeaponType] = field(default_factory=_no_weapons)

    def aircraft_type(self, key: str) -> AircraftType:
        """Aircraft type ``key``; raises CatalogError listing the known keys if unknown."""
        try:
            return self.aircraft[key]
        except KeyError:
            known = ", ".join(sorted(self.aircraft))
            raise CatalogError(f"unknown aircraft type {key!r}; known: {known}") from None

    def weapon(self, key: str) -> WeaponType:
        """Air-to-air weapon ``key``; raises CatalogError listing the known keys if unknown."""
        try:
            return self.weapons[key]
        except KeyError:
            known = ", ".join(sorted(self.weapons))
            raise CatalogError(f"unknown weapon {key!r}; known: {known}") from None

    def threat(self, key: str) -> ThreatType:
        """Threat type ``key``; raises CatalogError listing the known keys if unknown."""
        try:
            return self.threats[key]
        except KeyError:
            known = ", ".join(sorted(self.threats))
            raise CatalogError(f"unknown threat type {key!r}; known: {known}") from None

    def system(self, key: str) -> SystemType:
        """System type ``key``; raises CatalogError listing the known keys if unknown."""
        try:
            return self.systems[key]
        except KeyError:
            known = ", ".join(sorted(self.systems))
            raise CatalogError(f"unknown system type {key!r}; known: {known}") from None
