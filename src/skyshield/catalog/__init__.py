"""Parameter catalog: threat and air-defence system types, every number with a public source.

Data files live in ``catalog/data`` (``sources.yaml``, ``threats.yaml``, ``systems.yaml``);
:func:`load_catalog` checks them and returns SI records (:class:`ThreatType`,
:class:`SystemType`) plus a flat list of :class:`ParameterEntry` rows with provenance.
"""

from __future__ import annotations

from skyshield.catalog.frame import catalog_frame
from skyshield.catalog.load import load_catalog, parse_catalog, read_catalog
from skyshield.catalog.types import (
    Basis,
    Catalog,
    Confidence,
    Doctrine,
    FireControl,
    MissedRound,
    ParameterEntry,
    ReportClass,
    Source,
    SystemType,
    ThreatClass,
    ThreatType,
)

__all__ = [
    "Basis",
    "Catalog",
    "Confidence",
    "Doctrine",
    "FireControl",
    "MissedRound",
    "ParameterEntry",
    "ReportClass",
    "Source",
    "SystemType",
    "ThreatClass",
    "ThreatType",
    "catalog_frame",
    "load_catalog",
    "parse_catalog",
    "read_catalog",
]
