"""Downloads of a stored run: its HTML report and its exports, produced as the CLI produces them.

``GET /api/runs/{id}/report`` is ``skyshield report DIR/runs/<id>`` and
``GET /api/runs/{id}/export?format=F&replication=R`` is ``skyshield export DIR/runs/<id>
--format F --replication R``: the same :func:`skyshield.api.report` and
:func:`skyshield.api.export` calls on the run's folder, so the bytes are the CLI's file. They
execute in a worker process like a run (the report flies the night's routes again), queued
behind the server's other jobs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from skyshield.settings import ExportFormat

__all__ = [
    "REPORT",
    "DownloadTask",
    "ExportRequest",
    "ReportRequest",
    "download_name",
    "media_type",
]

# what ``DownloadTask.what`` holds for the report (the exports: an ExportFormat value)
REPORT = "report"
_MEDIA_TYPES = {
    REPORT: "text/html; charset=utf-8",
    ExportFormat.GEOJSON.value: "application/geo+json",
    ExportFormat.CZML.value: "application/json",
    ExportFormat.KML.value: "application/vnd.google-earth.kml+xml",
    ExportFormat.ACMI.value: "text/plain; charset=utf-8",
}


class ReportRequest(BaseModel):
    """The query of ``GET /api/runs/{id}/report``: the night its maps show."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    replication: Annotated[int, Field(ge=0)] = 0


class ExportRequest(ReportRequest):
    """The query of ``GET /api/runs/{id}/export``: the format and the night."""

    format: ExportFormat


@dataclass(frozen=True, slots=True)
class DownloadTask:
    """A stored run's report or one night's export, written as the CLI writes it; nothing saved."""

    store: Path
    run_id: str
    what: str  # REPORT or an ExportFormat value
    replication: int = 0
    kind: str = "download"

    def execute(self, progress: Any) -> str:
        """Read the stored run and write the file's text (in the worker process)."""
        from skyshield.api import export, report

        progress(0, 1, None)
        folder = self.store / "runs" / self.run_id
        if self.what == REPORT:
            return report(folder, replication=self.replication)
        return export(folder, self.what, replication=self.replication)

    def total(self) -> int:
        """One file."""
        return 1

    def save(self, result: Any, store: Path) -> tuple[str | None, dict[str, Any]]:
        """Save nothing: the file is handed to the request that asked for it."""
        return None, {"text": str(result)}


def download_name(run_id: str, what: str, replication: int) -> str:
    """Return the file name offered: ``<run id>.html`` or ``<run id>-night<R>.<format>``."""
    if what == REPORT:
        return f"{run_id}.html" if replication == 0 else f"{run_id}-night{replication}.html"
    return f"{run_id}-night{replication}.{what}"


def media_type(what: str) -> str:
    """Return the Content-Type of a report or an export format."""
    return _MEDIA_TYPES[what]
