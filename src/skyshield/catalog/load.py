"""Read the catalog data files, check them, and convert them to SI records.

Errors name the file, the key path and the problem, e.g.
``threats.yaml: shahed-136.parameters.speed.unit: expected unit one of km/h, m/s, mach, got 'mph'``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import RootModel, ValidationError

from skyshield.catalog.models import (
    RULE_ERROR,
    AircraftFile,
    AircraftParameters,
    DoctrineParameter,
    FireControlParameter,
    MissedRoundParameter,
    Quantity,
    SourcesFile,
    SystemParameters,
    SystemsFile,
    ThreatParameters,
    ThreatsFile,
    WeaponParameters,
    WeaponsFile,
)
from skyshield.catalog.types import (
    AircraftType,
    Catalog,
    ParameterEntry,
    Source,
    SystemType,
    ThreatType,
    WeaponType,
)
from skyshield.errors import CatalogError, FieldProblem
from skyshield.units import H_TO_S, KM_TO_M, MIN_TO_S, deg_to_rad, kmh_to_mps, mach_to_mps
from skyshield.yamlio import YamlInputError, load_yaml

__all__ = ["DATA_FILES", "SI_UNITS", "load_catalog", "parse_catalog", "read_catalog"]

SOURCES_FILE = "sources.yaml"
THREATS_FILE = "threats.yaml"
SYSTEMS_FILE = "systems.yaml"
AIRCRAFT_FILE = "aircraft.yaml"
WEAPONS_FILE = "weapons.yaml"
DATA_FILES = (SOURCES_FILE, THREATS_FILE, SYSTEMS_FILE, AIRCRAFT_FILE, WEAPONS_FILE)


def _same(value: float) -> float:
    return value


# File unit -> (SI unit, conversion). Factors come from skyshield.units only.
SI_UNITS: Mapping[str, tuple[str, Callable[[float], float]]] = MappingProxyType(
    {
        "km/h": ("m/s", kmh_to_mps),
        "m/s": ("m/s", _same),
        "mach": ("m/s", mach_to_mps),
        "km": ("m", lambda v: v * KM_TO_M),
        "m": ("m", _same),
        "m2": ("m2", _same),
        "usd": ("usd", _same),
        "probability": ("1", _same),
        "count": ("1", _same),
        "min": ("s", lambda v: v * MIN_TO_S),
        "s": ("s", _same),
        "deg": ("rad", deg_to_rad),
        "h": ("s", lambda v: v * H_TO_S),
        "1/h": ("1/s", lambda v: v / H_TO_S),
    }
)

_REPR_MAX = 60
_FileModel = TypeVar("_FileModel", bound=RootModel[Any])


@functools.cache
def load_catalog() -> Catalog:
    """Load the catalog shipped with skyshield (read once, then cached; it is immutable).

    Raises
    ------
    CatalogError
        A data file is unreadable or breaks a catalog rule (file, key path and problem).
    """
    return read_catalog(resources.files("skyshield.catalog") / "data")


def read_catalog(directory: Traversable | Path) -> Catalog:
    """Read ``sources.yaml``, ``threats.yaml`` and ``systems.yaml`` from ``directory``."""
    texts: dict[str, str] = {}
    for name in DATA_FILES:
        try:
            texts[name] = (directory / name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"{name}: cannot read catalog file: {exc}") from exc
    return parse_catalog(
        sources_yaml=texts[SOURCES_FILE],
        threats_yaml=texts[THREATS_FILE],
        systems_yaml=texts[SYSTEMS_FILE],
        aircraft_yaml=texts[AIRCRAFT_FILE],
        weapons_yaml=texts[WEAPONS_FILE],
    )


def parse_catalog(
    *,
    sources_yaml: str,
    threats_yaml: str,
    systems_yaml: str,
    aircraft_yaml: str = "{}",
    weapons_yaml: str = "{}",
) -> Catalog:
    """Build a catalog from the text of its three data files.

    Units: file units in (km/h, km, min, ...), SI out (m/s, m, s, ...).

    Raises
    ------
    CatalogError
        One line per problem: ``file: key.path: expected X, got Y``.
    """
    sources = _validate(SourcesFile, SOURCES_FILE, sources_yaml).root
    threats = _validate(ThreatsFile, THREATS_FILE, threats_yaml).root
    systems = _validate(SystemsFile, SYSTEMS_FILE, systems_yaml).root
    aircraft = _validate(AircraftFile, AIRCRAFT_FILE, aircraft_yaml).root
    weapons = _validate(WeaponsFile, WEAPONS_FILE, weapons_yaml).root

    problems: list[tuple[str, FieldProblem]] = []
    all_specs: tuple[tuple[str, Mapping[str, Any]], ...] = (
        (THREATS_FILE, threats),
        (SYSTEMS_FILE, systems),
        (AIRCRAFT_FILE, aircraft),
        (WEAPONS_FILE, weapons),
    )
    for file, specs in all_specs:
        for key, spec in specs.items():
            for name, param in _parameters(spec.parameters):
                for i, source_id in enumerate(param.sources):
                    if source_id not in sources:
                        path = f"{key}.parameters.{name}.sources[{i}]"
                        expected = f"a source id defined in {SOURCES_FILE}"
                        problems.append((file, FieldProblem(path, expected, repr(source_id))))
    if problems:
        raise CatalogError("\n".join(p.render(file) for file, p in problems))

    entries: list[ParameterEntry] = []
    threat_types: dict[str, ThreatType] = {}
    for key, threat in threats.items():
        si = _si_values(threat.parameters)
        speed_mps = si["speed"]
        threat_types[key] = ThreatType(
            key=key,
            name=threat.name,
            threat_class=threat.threat_class,
            speed_mps=speed_mps,
            altitude_m=si["altitude"],
            rcs_m2=si["rcs"],
            range_m=si["range"],
            unit_cost_usd=si["unit_cost"],
            ew_loss_per_100km=si["ew_loss_per_100km"],
            terminal_speed_mps=si.get("terminal_speed", speed_mps),
            apogee_range_m=si.get("apogee_range", si["range"]),
            dive_angle_rad=si.get("dive_angle", 0.0),
            dive_altitude_m=si.get("dive_altitude", si["altitude"]),
            endurance_s=si.get("endurance", si["range"] / speed_mps),
            loss_rate_per_s=si.get("loss_rate", 0.0),
        )
        entries.extend(_entries("threat", key, threat.name, threat.parameters))

    system_types: dict[str, SystemType] = {}
    for key, system in systems.items():
        p = system.parameters
        si = _si_values(p)
        system_types[key] = SystemType(
            key=key,
            name=system.name,
            min_range_m=si["min_range"],
            max_range_m=si["max_range"],
            min_altitude_m=si["min_altitude"],
            max_altitude_m=si["max_altitude"],
            radar_range_m=si["radar_range"],
            radar_reference_rcs_m2=si["radar_reference_rcs"],
            radar_height_m=si["radar_height"],
            radar_sector_rad=si["radar_sector"],
            fire_control=p.fire_control.value,
            channels=int(si["channels"]),
            launchers=int(si["launchers"]),
            rounds_per_launcher=int(si["rounds_per_launcher"]),
            reload_s=si["reload_time"],
            interceptor_speed_mps=si["interceptor_speed"],
            cost_per_shot_usd=si["cost_per_shot"],
            pk=_pk_by_class(si),
            doctrine=p.doctrine.value,
            shots_per_engagement=int(si["shots_per_engagement"]),
            decoy_discrimination=si["decoy_discrimination"],
            rounds_per_target=int(si.get("rounds_per_target", 0)),
            identification_delay_s=si.get("identification_delay", 0.0),
            drone_taken_for_decoy=si.get("drone_taken_for_decoy", 0.0),
            decoy_discrimination_day=si.get("decoy_discrimination_day"),
            drone_taken_for_decoy_day=si.get("drone_taken_for_decoy_day"),
            identification_delay_day_s=si.get("identification_delay_day"),
            **({} if p.missed_round is None else {"missed_round": p.missed_round.value}),
        )
        entries.extend(_entries("system", key, system.name, p))

    aircraft_types: dict[str, AircraftType] = {}
    for key, plane in aircraft.items():
        si = _si_values(plane.parameters)
        aircraft_types[key] = AircraftType(
            key=key,
            name=plane.name,
            cruise_speed_mps=si["cruise_speed"],
            dash_speed_mps=si["dash_speed"],
            time_on_station_s=si["time_on_station"],
            patrol_altitude_m=si["patrol_altitude"],
            radar_range_m=si["radar_range"],
            radar_reference_rcs_m2=si["radar_reference_rcs"],
        )
        entries.extend(_entries("aircraft", key, plane.name, plane.parameters))
    weapon_types: dict[str, WeaponType] = {}
    for key, weapon in weapons.items():
        si = _si_values(weapon.parameters)
        weapon_types[key] = WeaponType(
            key=key,
            name=weapon.name,
            gun=weapon.gun,
            min_range_m=si["min_range"],
            max_range_m=si["max_range"],
            min_altitude_m=si["min_altitude"],
            max_altitude_m=si["max_altitude"],
            speed_mps=si["speed"],
            cost_per_round_usd=si["cost_per_round"],
            rounds_per_engagement=int(si["rounds_per_engagement"]),
            pk=_pk_by_class(si),
        )
        entries.extend(_entries("weapon", key, weapon.name, weapon.parameters))

    return Catalog(
        aircraft=MappingProxyType(aircraft_types),
        weapons=MappingProxyType(weapon_types),
        threats=MappingProxyType(threat_types),
        systems=MappingProxyType(system_types),
        sources=MappingProxyType(
            {
                key: Source(
                    key=key,
                    title=s.title,
                    organisation=s.organisation,
                    date=s.date,
                    url=s.url,
                    relayed_from=s.relayed_from,
                )
                for key, s in sources.items()
            }
        ),
        entries=tuple(entries),
    )


_Params = ThreatParameters | SystemParameters | AircraftParameters | WeaponParameters


def _parameters(
    params: _Params,
) -> list[tuple[str, Quantity | DoctrineParameter | FireControlParameter | MissedRoundParameter]]:
    """List the parameters present in ``params``, in schema order."""
    found = ((name, getattr(params, name)) for name in type(params).model_fields)
    return [(name, value) for name, value in found if value is not None]


def _to_si(quantity: Quantity) -> tuple[float, str]:
    si_unit, convert = SI_UNITS[quantity.unit]
    return convert(quantity.value), si_unit


def _pk_by_class(si: dict[str, float]) -> tuple[float, float, float, float, float]:
    """Pk per threat class, in the engine's order: drone, decoy, cruise, supersonic, ballistic."""
    classes = ("drone", "decoy", "cruise", "supersonic", "ballistic")
    drone, decoy, cruise, supersonic, ballistic = (si[f"pk_{c}"] for c in classes)
    return drone, decoy, cruise, supersonic, ballistic


def _si_values(params: _Params) -> dict[str, float]:
    return {
        name: _to_si(param)[0] for name, param in _parameters(params) if isinstance(param, Quantity)
    }


def _entries(kind: str, key: str, type_name: str, params: _Params) -> list[ParameterEntry]:
    rows = []
    for name, param in _parameters(params):
        if isinstance(param, Quantity):
            si_value, si_unit = _to_si(param)
            value: float | str = param.value
            unit = param.unit
        else:
            si_value, si_unit, value, unit = None, "", str(param.value), "category"
        rows.append(
            ParameterEntry(
                kind=kind,
                type_key=key,
                type_name=type_name,
                parameter=name,
                value=value,
                unit=unit,
                si_value=si_value,
                si_unit=si_unit,
                confidence=param.confidence,
                basis=param.basis,
                sources=param.sources,
                note=param.note,
            )
        )
    return rows


def _validate(model: type[_FileModel], file: str, text: str) -> _FileModel:
    try:
        raw = load_yaml(text)
    except YamlInputError as exc:
        path = ".".join(str(part) for part in exc.path)  # the catalog's dotted key paths
        raise CatalogError(FieldProblem(path, exc.expected, exc.found).render(file)) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [_problem(error).render(file) for error in exc.errors()]
        raise CatalogError("\n".join(lines)) from None


def _problem(error: Any) -> FieldProblem:
    """Turn one pydantic error into a FieldProblem with a dotted key path."""
    path = ".".join(str(part) for part in error["loc"] if part != "root")
    if error["type"] == RULE_ERROR:
        ctx = error["ctx"]
        return FieldProblem(path, str(ctx["expected"]), str(ctx["found"]))
    if error["type"] == "missing":
        return FieldProblem(path, "this field (it is required)", "nothing")
    if error["type"] == "extra_forbidden":
        return FieldProblem(path, "no such field", repr(error["input"])[:_REPR_MAX])
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Input should be ")
    return FieldProblem(path, message, repr(error["input"])[:_REPR_MAX])
