"""Threat class of a reported weapon name: the weapon table, then explicit overrides.

A report names a weapon as the Ukrainian posts do (``X-101/X-555``, ``Iskander-M/KN-23``,
``Молнія``), sometimes several joined with `` and ``. Each name joined that way (an *atom*) is
classed on its own:

1. :data:`CLASS_OVERRIDES`, by exact name, for what the weapon table cannot decide or files
   differently from the simulator (it files ``X-22`` as a cruise missile; this simulator, like
   its catalog, gives Kh-22-type missiles their own ``supersonic`` class).
2. Otherwise the weapon table's ``category``: ``UAV`` is ``drone`` when the name is a Shahed-type
   long-range attack drone or decoy (:data:`SHAHED_TYPE_NAME_PARTS`), else ``other_uav``;
   ``cruise missile`` is ``supersonic`` when the table's ``type`` says hypersonic, else
   ``cruise``; ``ballistic missile`` is ``ballistic``; ``surface-to-air missile`` is ``s300``;
   ``guided bomb`` is ``guided_bomb``. Any other category (``surface-to-air and ballistic``,
   a category added later) decides nothing.

A name is classed by its atoms when every atom is known, so the table's own category for a
joined name is not used then (it files ``X-47 Kinzhal and Iskander-M/KN-23`` as a cruise
missile). When some atom is unknown, the joined name's own table row is the fallback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from skyshield.catalog.types import ReportClass

__all__ = [
    "CLASS_OVERRIDES",
    "SHAHED_TYPE_NAME_PARTS",
    "ReportClass",
    "WeaponTable",
    "class_of_atom",
    "classes_of_model",
    "name_key",
    "split_model",
]

MODEL_SEPARATOR = " and "


# Lower-case name fragments of Shahed-type one-way attack drones and of the decoys launched with
# them (Gerbera, Parodiya), in Latin and Cyrillic. Other UAVs (Orlan, ZALA, Supercam, Merlin
# reconnaissance drones; Lancet, Kub, Molniya tactical strike drones; Mohajer, Orion, Forpost)
# fly at the front, not in the nightly long-range raids, and go to `other_uav`.
SHAHED_TYPE_NAME_PARTS: tuple[str, ...] = (
    "shahed",
    "geran",
    "gerbera",
    "parodiya",
    "шахед",
    "герань",
    "гербера",
    "пародія",
)

# Exact names (compared case-insensitively) the weapon table cannot class as this simulator
# does. Every entry says why.
CLASS_OVERRIDES: dict[str, ReportClass] = {
    # Kh-22 and Kh-32: Mach 3+ ramjet-speed missiles diving steeply; the catalog's `kh-22` type
    # is `supersonic`. The table files them as `cruise missile`.
    "X-22": ReportClass.SUPERSONIC,
    "X-32": ReportClass.SUPERSONIC,
    # Kh-31 family: ramjet, about Mach 3 (anti-radiation in the P/PD versions); same regime.
    "X-31": ReportClass.SUPERSONIC,
    "X-31P": ReportClass.SUPERSONIC,
    "X-31PD": ReportClass.SUPERSONIC,
    # P-800 Oniks (Mach 2.5) and 3M22 Zircon (hypersonic): filed as `cruise missile`.
    "P-800 Oniks": ReportClass.SUPERSONIC,
    "3M22 Zircon": ReportClass.SUPERSONIC,
    # The table's `cruise missile` for an unidentified missile is a placeholder, not a finding.
    "Unknown Missile": ReportClass.OTHER,
    # Not in the table; "aerial bombs" in a report are not a missile class the simulator models.
    "Aerial Bomb": ReportClass.OTHER,
}

_CATEGORY_CLASS: dict[str, ReportClass] = {
    "cruise missile": ReportClass.CRUISE,
    "ballistic missile": ReportClass.BALLISTIC,
    "surface-to-air missile": ReportClass.S300,
    "guided bomb": ReportClass.GUIDED_BOMB,
}
_UAV_CATEGORY = "uav"
_HYPERSONIC_TYPE = "hypersonic"


def name_key(name: str) -> str:
    """Comparison key of a weapon name: case-folded, whitespace collapsed."""
    return " ".join(name.split()).casefold()


_OVERRIDE_BY_KEY: dict[str, ReportClass] = {name_key(k): v for k, v in CLASS_OVERRIDES.items()}


def split_model(model: str) -> tuple[str, ...]:
    """Split a ``model`` cell into its weapon names, stripped, empty parts left out."""
    return tuple(part.strip() for part in model.split(MODEL_SEPARATOR) if part.strip())


@dataclass(frozen=True, slots=True)
class WeaponTable:
    """The weapon reference table, reduced to what classing needs.

    Attributes
    ----------
    category_by_key : weapon name key (:func:`name_key`) -> ``category``, lower case
    type_by_key : weapon name key -> ``type``, lower case (empty when not given)
    """

    category_by_key: Mapping[str, str]
    type_by_key: Mapping[str, str]

    @classmethod
    def from_records(cls, records: Iterable[tuple[str, str, str]]) -> WeaponTable:
        """Build from ``(model, category, type)`` triples; the first row of a name wins."""
        categories: dict[str, str] = {}
        types: dict[str, str] = {}
        for model, category, type_ in records:
            key = name_key(model)
            if key and key not in categories:
                categories[key] = category.strip().casefold()
                types[key] = type_.strip().casefold()
        return cls(category_by_key=categories, type_by_key=types)


def _is_shahed_type(name: str) -> bool:
    key = name_key(name)
    return any(part in key for part in SHAHED_TYPE_NAME_PARTS)


def _class_from_table(name: str, table: WeaponTable) -> ReportClass | None:
    key = name_key(name)
    category = table.category_by_key.get(key)
    if category is None:
        return None
    if category == _UAV_CATEGORY:
        return ReportClass.DRONE if _is_shahed_type(name) else ReportClass.OTHER_UAV
    if category == "cruise missile" and _HYPERSONIC_TYPE in table.type_by_key.get(key, ""):
        return ReportClass.SUPERSONIC
    return _CATEGORY_CLASS.get(category)


def class_of_atom(name: str, table: WeaponTable) -> ReportClass | None:
    """Class of one weapon name (no `` and ``), or None when neither override nor table knows."""
    override = _OVERRIDE_BY_KEY.get(name_key(name))
    if override is not None:
        return override
    return _class_from_table(name, table)


def classes_of_model(model: str, table: WeaponTable) -> frozenset[ReportClass] | None:
    """Classes of the weapons named in a ``model`` cell, or None when one of them is unknown.

    More than one class means the row mixes classes (e.g. ``C-400 and Iskander-M``).
    """
    atoms = split_model(model)
    if not atoms:
        return None
    classes = [class_of_atom(atom, table) for atom in atoms]
    if all(c is not None for c in classes):
        return frozenset(c for c in classes if c is not None)
    # Some atom is unknown: a joined name may still have a table row of its own.
    whole = class_of_atom(model.strip(), table) if len(atoms) > 1 else None
    return frozenset({whole}) if whole is not None else None
