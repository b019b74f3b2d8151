"""Named settings and choices shared by the API, the command line and the layers below.

A light module (standard library only): ``skyshield --help`` reads the defaults shown in its
options from here without importing the engine. Each value is defined once, here; the modules
that use it import it (:mod:`skyshield.metrics.policy` for the debris rule and the raid tempo,
:mod:`skyshield.runner.montecarlo` for the engine kind, :mod:`skyshield.exporting` for the
export formats).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DEFAULT_DEBRIS", "MASSED_RAIDS_PER_MONTH", "DebrisRule", "EngineKind", "ExportFormat"]


class EngineKind(StrEnum):
    """Which engine simulates the replications."""

    FAST = "fast"
    REFERENCE = "reference"


class ExportFormat(StrEnum):
    """File formats ``skyshield export`` writes."""

    GEOJSON = "geojson"
    CZML = "czml"
    KML = "kml"
    ACMI = "acmi"


# Nights per month with at least 100 Shahed-type drones launched, mean of January–June 2025
# (9, 22, 24, 10, 21, 16 nights): derived from "Massive Missile Attacks on Ukraine" (Petro
# Ivaniuk, Kaggle; Ukrainian Air Force reports), rows whose model names Shahed, largest
# `launched` per report morning (`time_end` date). The default tempo for "per month" figures.
MASSED_RAIDS_PER_MONTH = 17.0


@dataclass(frozen=True, slots=True)
class DebrisRule:
    """What counts as an intercept (debris) near a populated place."""

    radius_km: float = 10.0
    min_population: int = 50_000


DEFAULT_DEBRIS = DebrisRule()
