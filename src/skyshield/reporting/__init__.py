"""The self-contained HTML report of one or more runs: maps, charts with intervals, tables."""

from __future__ import annotations

from skyshield.reporting.html import ReportRun, render_report

__all__ = ["ReportRun", "render_report"]
