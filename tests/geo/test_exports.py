from __future__ import annotations

import skyshield.geo as geo


def isort_key(name: str) -> tuple[int, str]:
    """Ruff RUF022 order: CONSTANTS, then Classes, then functions."""
    kind = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return kind, name


def test_all__sorted_and_complete() -> None:
    assert list(geo.__all__) == sorted(geo.__all__, key=isort_key)
    public = {n for n in dir(geo) if not n.startswith("_")}
    modules = {"annotations", "borders", "cities", "crossings", "distance", "geodesy", "territory"}
    assert set(geo.__all__) == public - modules
