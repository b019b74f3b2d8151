"""One replication as a Tacview ACMI 2.1 text flight recording.

Format (Tacview, "ACMI flight recordings 2.1", https://www.tacview.net/documentation/acmi/):
two header lines ``FileType=text/acmi/tacview`` and ``FileVersion=2.1``; global properties on
object ``0`` (``0,ReferenceTime=...``, an ISO 8601 UTC time); then time frames ``#seconds``
after the reference time, in increasing order, each followed by object lines
``id,T=lon|lat|alt,Name=...`` (ids hexadecimal, lon/lat in degrees, altitude in metres; only
the first line of an object carries its fixed properties) and removals ``-id``. A threat's
frames are the samples of its track that a replay linear in longitude, latitude and altitude
needs to stay within 10 m of every sample of the engine's
(:func:`~skyshield.exporting.tracks.replay_samples`; every 5 s sample of a western-raid night
made an 18 MB file); it is removed at its fate, with a ``Destroyed`` event when an
interceptor downed it. Fire units are static objects from time 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.exporting.tracks import replay_samples, replication_rows, replication_tracks
from skyshield.runner.montecarlo import Run

__all__ = ["acmi_text", "threat_object_id", "unit_object_id"]

_THREAT_BASE = 0x1000000  # ids: units from 0x100, threats from here (Tacview: any 64-bit hex)
_UNIT_BASE = 0x100
_TACVIEW_TYPE = {
    "drone": "Air+FixedWing",
    "decoy": "Air+FixedWing",
    "cruise": "Weapon+Missile",
    "ballistic": "Weapon+Missile",
}


def threat_object_id(threat: int) -> str:
    """Tacview object id (hex) of a threat."""
    return f"{_THREAT_BASE + threat:x}"


def unit_object_id(unit: int) -> str:
    """Tacview object id (hex) of a fire unit."""
    return f"{_UNIT_BASE + unit:x}"


def _text(value: str) -> str:
    # property values end at an unescaped comma (ACMI 2.1: escape with a backslash)
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("\n", " ")


@dataclass(frozen=True, slots=True)
class _Line:
    time_s: float
    order: int  # within a frame: positions, then events, then removals
    text: str


def acmi_text(run: Run, replication: int) -> str:
    """Write one replication of a run as ACMI 2.1 text.

    Raises
    ------
    ScenarioError
        If the run has no such replication.
    """
    tracks = replication_tracks(run, replication)
    start = run.scenario.start_time
    c = run.compiled
    header = [
        "FileType=text/acmi/tacview",
        "FileVersion=2.1",
        f"0,ReferenceTime={start.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"0,Title={_text(f'{run.scenario.name}, replication {replication}')}",
        "0,DataSource=skyshield",
        f"0,Comments={_text(f'seed {run.seed}; defending positions notional')}"
        if run.scenario.notional
        else f"0,Comments=seed {run.seed}",
    ]
    lines: list[_Line] = []
    for u, unit_id in enumerate(c.unit_ids):
        nation = c.nation_codes[int(c.unit_nation[u])]
        lines.append(
            _Line(
                0.0,
                0,
                f"{unit_object_id(u)},T={c.unit_lon_deg[u]:.7f}|{c.unit_lat_deg[u]:.7f}|0,"
                f"Type=Ground+Static+AntiAircraft,Name={_text(c.unit_system_keys[u])},"
                f"CallSign={_text(unit_id)},Coalition=Allies,Color=Blue,Country={nation.lower()}",
            )
        )
    for t in tracks:
        oid = threat_object_id(t.threat)
        for j, k in enumerate(replay_samples(t).tolist()):
            props = (
                f",Type={_TACVIEW_TYPE.get(t.threat_class, 'Air')},Name={_text(t.type_key)},"
                f"Coalition=Enemies,Color=Red,Label={_text(t.target)}"
                if j == 0
                else ""
            )
            lines.append(
                _Line(
                    float(t.time_s[k]),
                    0,
                    f"{oid},T={t.lon_deg[k]:.7f}|{t.lat_deg[k]:.7f}|{t.alt_m[k]:.1f}{props}",
                )
            )
        end = float(t.time_s[-1])
        if t.fate == "intercepted":
            lines.append(_Line(end, 1, f"0,Event=Destroyed|{oid}|{_text(t.unit)}"))
        lines.append(_Line(end, 2, f"-{oid}"))
    shots = replication_rows(run.outcomes.shots, replication)
    for shot in shots.itertuples():
        lines.append(
            _Line(
                float(shot.intercept_time_s),
                1,
                f"0,Event=Message|{threat_object_id(int(shot.threat))}|"
                + _text(f"{shot.unit} ({shot.nation}): {'hit' if shot.hit else 'miss'}"),
            )
        )
    order = np.lexsort(([line.order for line in lines], [line.time_s for line in lines]))
    body: list[str] = []
    frame = None
    for i in order:
        line = lines[int(i)]
        stamp = f"#{line.time_s:.2f}"
        if stamp != frame:
            body.append(stamp)
            frame = stamp
        body.append(line.text)
    return "\n".join([*header, *body]) + "\n"
