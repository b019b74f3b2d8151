"""Credits the data's licences ask for wherever the data or results derived from it are shown.

A module of its own, importing nothing: the CLI's verbs print them without loading the data.
"""

from __future__ import annotations

__all__ = ["REPORTS_CREDIT"]

# the nightly reports (skyshield.reports, data/README.md)
REPORTS_CREDIT = (
    "Petro Ivaniuk (piterfm), Massive Missile Attacks on Ukraine, Kaggle; based on "
    "Ukrainian Air Force reports."
)
