"""One replication as CZML for Cesium: threats moving in time, units and intercepts fixed.

Built with czml3's models, so the document is checked against the CZML packet schema as it
is made. Each threat's position is the samples of its track that Cesium's replay needs (seconds
since its own launch epoch, an absolute UTC time from the scenario's ``start_time``): Cesium
interpolates them linearly in Cartesian coordinates, and
:func:`~skyshield.exporting.tracks.replay_samples` keeps the samples that put this replay
within 10 m of every sample of the engine's (every 5 s sample of a western-raid night made a
23 MB file). A threat exists only from launch to its fate (``availability``).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from czml3 import CZML_VERSION, Document, Packet
from czml3.properties import (
    Clock,
    Color,
    Path,
    Point,
    PolylineMaterial,
    Position,
    SolidColorMaterial,
)
from czml3.types import TimeInterval

from skyshield.exporting.tracks import (
    Replay,
    Track,
    replay_samples,
    replication_rows,
    replication_tracks,
    utc_at,
)
from skyshield.runner.montecarlo import Run

__all__ = ["czml_document", "czml_text", "threat_packet_id"]

# Colours as RGBA 0-255: threats red, units blue, intercept points by outcome.
_THREAT_RGBA = [215, 48, 31, 255]
_UNIT_RGBA = [43, 123, 186, 255]
_HIT_RGBA = [255, 200, 0, 255]
_MISS_RGBA = [150, 150, 150, 255]


def threat_packet_id(threat: int) -> str:
    """CZML packet id of a threat (stable across exports of one scenario)."""
    return f"threat-{threat}"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _threat(track: Track, start: datetime) -> Packet:
    epoch = utc_at(start, float(track.time_s[0]))
    kept = replay_samples(track, replay=Replay.ECEF)
    since = track.time_s[kept] - track.time_s[0]
    samples = np.column_stack(
        [since, track.lon_deg[kept], track.lat_deg[kept], track.alt_m[kept]]
    ).ravel()
    return Packet(
        id=threat_packet_id(track.threat),
        name=f"{track.type_key} #{track.threat} -> {track.target} ({track.fate})",
        availability=TimeInterval(
            start=_iso(epoch), end=_iso(utc_at(start, float(track.time_s[-1])))
        ),
        position=Position(
            epoch=_iso(epoch),
            interpolationAlgorithm="LINEAR",
            cartographicDegrees=samples.tolist(),
        ),
        point=Point(pixelSize=6, color=Color(rgba=_THREAT_RGBA)),
        path=Path(
            width=1,
            leadTime=0,
            trailTime=600,
            material=PolylineMaterial(
                solidColor=SolidColorMaterial(color=Color(rgba=_THREAT_RGBA))
            ),
        ),
    )


def czml_document(run: Run, replication: int) -> Document:
    """Build the CZML document of one replication of a run (czml3 models).

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    tracks = replication_tracks(run, replication)
    start = run.scenario.start_time
    end = max((float(t.time_s[-1]) for t in tracks), default=0.0)
    packets = [
        Packet(
            id="document",
            name=f"{run.scenario.name}, replication {replication} (seed {run.seed})",
            version=CZML_VERSION,
            clock=Clock(
                interval=TimeInterval(start=_iso(start), end=_iso(utc_at(start, end))),
                currentTime=_iso(start),
                multiplier=60,
            ),
        )
    ]
    c = run.compiled
    for u, unit_id in enumerate(c.unit_ids):
        packets.append(
            Packet(
                id=f"unit-{unit_id}",
                name=f"{unit_id} ({c.unit_system_keys[u]}, "
                f"{c.nation_codes[int(c.unit_nation[u])]})",
                position=Position(
                    cartographicDegrees=[float(c.unit_lon_deg[u]), float(c.unit_lat_deg[u]), 0.0]
                ),
                point=Point(pixelSize=9, color=Color(rgba=_UNIT_RGBA)),
            )
        )
    packets.extend(_threat(t, start) for t in tracks)
    shots = replication_rows(run.outcomes.shots, replication)
    for k, shot in enumerate(shots.itertuples()):
        moment = utc_at(start, float(shot.intercept_time_s))
        packets.append(
            Packet(
                id=f"intercept-{k}",
                name=f"{shot.unit} ({shot.nation}) at threat #{shot.threat}: "
                + ("hit" if shot.hit else "miss"),
                availability=TimeInterval(start=_iso(moment), end=_iso(utc_at(start, end))),
                position=Position(
                    cartographicDegrees=[float(shot.lon_deg), float(shot.lat_deg), 0.0]
                ),
                point=Point(pixelSize=5, color=Color(rgba=_HIT_RGBA if shot.hit else _MISS_RGBA)),
            )
        )
    return Document(packets=packets)


def czml_text(run: Run, replication: int) -> str:
    """:func:`czml_document` as CZML (JSON) text."""
    return czml_document(run, replication).dumps()
