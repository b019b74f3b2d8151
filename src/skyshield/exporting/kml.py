"""One replication as KML for Google Earth (simplekml): threats as ``gx:Track`` in time.

Folders: fire units (points), engagement envelopes (ground polygons), threats (one
``gx:Track`` each, with absolute UTC ``when`` times from the scenario's ``start_time``,
altitude absolute) and intercept points (ground points with the intercept time as a
``TimeStamp``). A track keeps the engine's samples that its replay needs
(:func:`~skyshield.exporting.tracks.replay_samples`: replayed linearly in time, it stays
within 10 m of every sample of the engine's); every 5 s sample of a western-raid night made a
47 MB file.
"""

from __future__ import annotations

from datetime import datetime

import simplekml
from shapely.geometry import Polygon

from skyshield.exporting.shapes import circle
from skyshield.exporting.tracks import (
    Track,
    replay_samples,
    replication_rows,
    replication_tracks,
    utc_at,
)
from skyshield.runner.montecarlo import Run

__all__ = ["kml_text", "kml_time"]

# KML colours are aabbggrr hex.
_THREAT_KML = "ff1f30d7"
_UNIT_KML = "ffba7b2b"
_ENVELOPE_KML = "402b7bba"


def kml_time(start: datetime, time_s: float) -> str:
    """KML ``when``/``TimeStamp`` text (xsd:dateTime in UTC) ``time_s`` after ``start``."""
    return utc_at(start, time_s).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _ring(polygon: Polygon) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in polygon.exterior.coords]


def _track(folder: simplekml.Folder, track: Track, start: datetime) -> None:
    trk = folder.newgxtrack(
        name=f"{track.type_key} #{track.threat}",
        description=f"target {track.target}; fate {track.fate}"
        + (f" by {track.unit}" if track.unit else ""),
        altitudemode=simplekml.AltitudeMode.absolute,
    )
    kept = replay_samples(track)
    trk.newwhen([kml_time(start, float(t)) for t in track.time_s[kept]])
    trk.newgxcoord(
        list(
            zip(
                track.lon_deg[kept].tolist(),
                track.lat_deg[kept].tolist(),
                track.alt_m[kept].tolist(),
                strict=True,
            )
        )
    )
    trk.style.linestyle.color = _THREAT_KML
    trk.style.linestyle.width = 1


def kml_text(run: Run, replication: int) -> str:
    """Write one replication of a run as a KML document.

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    tracks = replication_tracks(run, replication)
    start = run.scenario.start_time
    c = run.compiled
    doc = simplekml.Kml(name=f"{run.scenario.name}, replication {replication} (seed {run.seed})")
    units = doc.newfolder(name="Fire units")
    envelopes = doc.newfolder(name="Engagement envelopes")
    for u, unit_id in enumerate(c.unit_ids):
        lon, lat = float(c.unit_lon_deg[u]), float(c.unit_lat_deg[u])
        point = units.newpoint(
            name=unit_id,
            description=f"{c.unit_system_keys[u]}, {c.nation_codes[int(c.unit_nation[u])]}",
            coords=[(lon, lat)],
        )
        point.style.iconstyle.color = _UNIT_KML
        envelope = envelopes.newpolygon(
            name=unit_id, outerboundaryis=_ring(circle(lon, lat, float(c.unit_max_range_m[u])))
        )
        envelope.style.polystyle.color = _ENVELOPE_KML
    threats = doc.newfolder(name="Threats")
    for t in tracks:
        _track(threats, t, start)
    intercepts = doc.newfolder(name="Intercept points")
    for shot in replication_rows(run.outcomes.shots, replication).itertuples():
        point = intercepts.newpoint(
            name=f"{shot.unit}: {'hit' if shot.hit else 'miss'}",
            description=f"{shot.nation} {shot.system} at threat #{shot.threat} over "
            f"{shot.territory}",
            coords=[(float(shot.lon_deg), float(shot.lat_deg))],
        )
        point.timestamp.when = kml_time(start, float(shot.intercept_time_s))
    return str(doc.kml(format=False))
