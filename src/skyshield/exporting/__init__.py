"""Exports of one simulated night (replication) for other viewers.

GeoJSON (any GIS: QGIS, geojson.io), CZML (Cesium), KML (Google Earth) and Tacview ACMI 2.1.
Every exporter takes a finished :class:`skyshield.runner.montecarlo.Run` (in memory, or later
read back from a results store) and a replication index, and returns the file's text; positions
are the engine's own trajectory samples (:mod:`skyshield.exporting.tracks`).
"""

from __future__ import annotations

from skyshield.exporting.acmi import acmi_text
from skyshield.exporting.geojson import geojson_document, geojson_text
from skyshield.exporting.kml import kml_text
from skyshield.exporting.tracks import Track, check_replication, replication_tracks
from skyshield.runner.montecarlo import Run
from skyshield.settings import ExportFormat

__all__ = [
    "ExportFormat",
    "Track",
    "check_replication",
    "export_text",
    "geojson_document",
    "replication_tracks",
]


def export_text(run: Run, file_format: ExportFormat, replication: int = 0) -> str:
    """One replication of a finished run as the text of a file in ``file_format``.

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    if file_format is ExportFormat.CZML:  # czml3 loads only for it (a run does not need it)
        from skyshield.exporting.czml import czml_text

        return czml_text(run, replication)
    writers = {
        ExportFormat.GEOJSON: geojson_text,
        ExportFormat.KML: kml_text,
        ExportFormat.ACMI: acmi_text,
    }
    return writers[file_format](run, replication)
