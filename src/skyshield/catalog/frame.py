"""The catalog as one tidy table (one row per parameter) for the CLI table and JSON export."""

from __future__ import annotations

import pandas as pd

from skyshield.catalog.types import Catalog

__all__ = ["CATALOG_COLUMNS", "catalog_frame"]

CATALOG_COLUMNS = (
    "kind",
    "type_key",
    "type_name",
    "parameter",
    "value",
    "unit",
    "si_value",
    "si_unit",
    "confidence",
    "basis",
    "sources",
    "note",
)


def catalog_frame(catalog: Catalog) -> pd.DataFrame:
    """One row per catalog parameter, columns :data:`CATALOG_COLUMNS`.

    ``value``/``unit`` are as written in the data files, ``si_value``/``si_unit`` as used
    inside skyshield (missing for the categorical ``doctrine``); ``sources`` is the source ids
    joined by ``", "``; ``confidence`` and ``basis`` are plain strings.
    """
    rows = [
        {
            "kind": e.kind,
            "type_key": e.type_key,
            "type_name": e.type_name,
            "parameter": e.parameter,
            "value": e.value,
            "unit": e.unit,
            "si_value": e.si_value,
            "si_unit": e.si_unit,
            "confidence": str(e.confidence),
            "basis": str(e.basis),
            "sources": ", ".join(e.sources),
            "note": e.note,
        }
        for e in catalog.entries
    ]
    return pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))
