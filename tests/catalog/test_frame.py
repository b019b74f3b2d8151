"""Tests of skyshield.catalog.frame: the tidy parameter table."""

from __future__ import annotations

import math

from skyshield.catalog import catalog_frame, load_catalog
from skyshield.catalog.frame import CATALOG_COLUMNS


def test_catalog_frame__one_row_per_entry() -> None:
    catalog = load_catalog()
    frame = catalog_frame(catalog)
    assert tuple(frame.columns) == CATALOG_COLUMNS
    assert len(frame) == len(catalog.entries)
    assert not frame.duplicated(["kind", "type_key", "parameter"]).any()


def test_catalog_frame__values_and_si_values() -> None:
    frame = catalog_frame(load_catalog()).set_index(["type_key", "parameter"])
    speed = frame.loc[("shahed-136", "speed")]
    assert (speed["value"], speed["unit"], speed["si_unit"]) == (185.0, "km/h", "m/s")
    assert math.isclose(speed["si_value"], 185 / 3.6)
    assert speed["sources"] == "euronews-2023-shahed, wp-nd-shahed-gepard"
    doctrine = frame.loc[("s-300", "doctrine")]
    assert (doctrine["value"], doctrine["unit"]) == ("shoot-shoot", "category")
    assert math.isnan(doctrine["si_value"])
