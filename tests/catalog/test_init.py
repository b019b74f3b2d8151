"""Tests of skyshield.catalog's public names."""

from __future__ import annotations

import skyshield.catalog


def test_all__sorted_and_complete() -> None:
    names = skyshield.catalog.__all__
    assert list(names) == sorted(names)
    assert all(hasattr(skyshield.catalog, name) for name in names)
