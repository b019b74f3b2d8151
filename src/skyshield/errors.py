"""Exceptions raised on purpose by skyshield.

Exception tree::

    SkyshieldError
    ├── ScenarioError      a scenario file is unreadable or invalid (file, field path, expectation)
    ├── CatalogError       a catalog data file shipped with the package is inconsistent
    ├── GeographyError     a geography lookup got a nation or point it cannot handle
    └── StoreError         a results directory cannot be written or read as asked
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CatalogError",
    "FieldProblem",
    "GeographyError",
    "ScenarioError",
    "SkyshieldError",
    "StoreError",
]


class SkyshieldError(Exception):
    """Base class of every error skyshield raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one field of an input file.

    Attributes
    ----------
    path : dotted field path, e.g. ``nations.PL.roe.buffer_km`` or ``threats[2].count``
    expected : what the field should hold
    found : what the file holds (its repr, shortened)
    """

    path: str
    expected: str
    found: str

    def render(self, source: str) -> str:
        """One line: ``file: path: expected X, got Y``."""
        where = f"{source}: {self.path}" if self.path else source
        return f"{where}: expected {self.expected}, got {self.found}"


class ScenarioError(SkyshieldError):
    """A scenario file cannot be read or does not describe a valid scenario."""

    def __init__(self, source: str, problems: list[FieldProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(source) for p in self.problems))


class CatalogError(SkyshieldError):
    """A catalog data file is inconsistent (a packaging defect, not a user error)."""


class GeographyError(SkyshieldError):
    """A geography lookup was asked for something it does not know."""


class StoreError(SkyshieldError):
    """A results directory cannot be written or read as asked (``--out DIR``, ``runs DIR``)."""
