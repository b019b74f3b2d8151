"""Ukrainian Air Force nightly reports of Russian missile and drone attacks, as tidy tables.

The data (``data/``, cut at 2025-06-30) is "Massive Missile Attacks on Ukraine" by Petro
Ivaniuk (piterfm, Kaggle), based on Ukrainian Air Force reports; credit it wherever the data
or results derived from it are shown (see ``data/README.md``). :func:`load_reports` reads it,
or a newer file in the same format, into nights x threat class and says what it left out and
why; :func:`monthly_totals` sums the nights by month. The rules are in
:mod:`skyshield.reports.load`.
"""

from __future__ import annotations

from skyshield.reports.cells import SourceTier
from skyshield.reports.load import Reports, ReportsError, load_reports
from skyshield.reports.rules import DropReason
from skyshield.reports.totals import monthly_totals
from skyshield.reports.weapons import CLASS_OVERRIDES, ReportClass

__all__ = [
    "CLASS_OVERRIDES",
    "DropReason",
    "ReportClass",
    "Reports",
    "ReportsError",
    "SourceTier",
    "load_reports",
    "monthly_totals",
]
