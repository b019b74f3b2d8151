"""Tests of skyshield.catalog.types: enum order and the Catalog look-ups."""

from __future__ import annotations

import pytest

from skyshield.catalog import Doctrine, ThreatClass, load_catalog
from skyshield.errors import CatalogError


def test_threat_class__order_is_array_index() -> None:
    assert [c.value for c in ThreatClass] == ["drone", "decoy", "cruise", "supersonic", "ballistic"]
    assert [c.position for c in ThreatClass] == [0, 1, 2, 3, 4]


def test_pk_against__reads_pk_in_class_order() -> None:
    gepard = load_catalog().system("gepard")
    assert [gepard.pk_against(c) for c in ThreatClass] == list(gepard.pk)
    assert gepard.pk_against(ThreatClass.CRUISE) == 0.3


def test_catalog_threat__unknown_key_lists_known() -> None:
    with pytest.raises(CatalogError, match=r"^unknown threat type 'shahed-238'; known: gerbera, "):
        load_catalog().threat("shahed-238")


def test_catalog_system__unknown_key_lists_known() -> None:
    with pytest.raises(CatalogError, match=r"^unknown system type 'thaad'; known: buk-m1, f-16, "):
        load_catalog().system("thaad")


def test_system_type__doctrine_is_enum() -> None:
    assert load_catalog().system("s-300").doctrine is Doctrine.SHOOT_SHOOT
