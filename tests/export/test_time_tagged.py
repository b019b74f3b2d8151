"""Tests of the time-tagged exports (CZML, KML, ACMI), read back by parsers, against the engine."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from czml3 import Document, Packet
from czml3.properties import Position
from tests.export.conftest import engine_positions

from skyshield.exporting import ExportFormat, export_text
from skyshield.exporting.acmi import threat_object_id
from skyshield.exporting.czml import threat_packet_id
from skyshield.exporting.tracks import REPLAY_TOLERANCE_M, replication_tracks
from skyshield.geo import geodesic_distance_m, lonlat_to_ecef_m
from skyshield.runner.montecarlo import Run

KML = "{http://www.opengis.net/kml/2.2}"
GX = "{http://www.google.com/kml/ext/2.2}"


def _threats(run: Run, replication: int) -> pd.DataFrame:
    threats = run.outcomes.threats
    return threats[threats["replication"] == replication].set_index("threat")


def _seconds(run: Run, moment: datetime) -> float:
    return (moment - run.scenario.start_time).total_seconds()


def _check_track(run: Run, replication: int, threat: int, t: np.ndarray, xyz: np.ndarray) -> None:
    """Times strictly increase from launch to fate; positions are the engine's at those times."""
    row = _threats(run, replication).loc[threat]
    assert np.all(np.diff(t) > 0), f"threat {threat}: times not increasing"
    assert t[0] == pytest.approx(row["launch_time_s"], abs=1e-3)
    assert t[-1] == pytest.approx(row["time_s"], abs=1e-3)
    lon, lat, alt = engine_positions(run, replication, threat, t)
    np.testing.assert_allclose(xyz[:, 0], lon, atol=1e-6)
    np.testing.assert_allclose(xyz[:, 1], lat, atol=1e-6)
    np.testing.assert_allclose(xyz[:, 2], alt, atol=0.5)


def _czml3_input(packet: dict) -> dict:
    """A packet as czml3's models take it.

    czml3 3.3 writes a time interval as the CZML text ``start/end`` but reads only
    ``{"start", "end"}``, so intervals are split back; and its list-of-positions validator
    raises TypeError (which pydantic does not turn into a failed union member), so a position
    is validated as a :class:`czml3.properties.Position` itself.
    """

    def split(interval: str) -> dict:
        start, end = interval.split("/")
        return {"start": start, "end": end}

    packet = dict(packet)
    if "availability" in packet:
        packet["availability"] = split(packet["availability"])
    if "position" in packet:
        packet["position"] = Position(**packet["position"])
    if "clock" in packet:
        packet["clock"] = {**packet["clock"], "interval": split(packet["clock"]["interval"])}
    return packet


def test_czml__parses_through_czml3_and_follows_the_engine(run: Run, replication: int) -> None:
    packets = json.loads(export_text(run, ExportFormat.CZML, replication))
    # czml3 validates every packet: position samples' times increasing, one position kind...
    document = Document(packets=[Packet(**_czml3_input(p)) for p in packets])
    clock = packets[0]["clock"]
    start, end = (datetime.fromisoformat(x) for x in clock["interval"].split("/"))
    assert start == run.scenario.start_time
    assert end > start
    assert document.packets[0].id == "document"
    by_id = {p["id"]: p for p in packets}
    for threat in range(run.compiled.n_threats):
        position = by_id[threat_packet_id(threat)]["position"]
        epoch = datetime.fromisoformat(position["epoch"])
        samples = np.asarray(position["cartographicDegrees"]).reshape(-1, 4)
        t = _seconds(run, epoch) + samples[:, 0]
        _check_track(run, replication, threat, t, samples[:, 1:])
    shots = run.outcomes.shots
    intercepts = [p for p in packets if p["id"].startswith("intercept-")]
    assert len(intercepts) == int((shots["replication"] == replication).sum())


def test_kml__gx_tracks_follow_the_engine(run: Run, replication: int) -> None:
    root = ET.fromstring(export_text(run, ExportFormat.KML, replication))
    assert root.tag == f"{KML}kml"
    tracks = root.findall(f".//{KML}Placemark/{GX}Track")
    assert len(tracks) == run.compiled.n_threats
    for threat, track in enumerate(tracks):
        when = [datetime.fromisoformat(w.text or "") for w in track.findall(f"{KML}when")]
        coords = [c.text or "" for c in track.findall(f"{GX}coord")]
        assert len(when) == len(coords) > 0
        assert track.find(f"{KML}altitudeMode").text == "absolute"  # type: ignore[union-attr]
        t = np.asarray([_seconds(run, w) for w in when])
        xyz = np.asarray([[float(v) for v in c.split()] for c in coords])
        _check_track(run, replication, threat, t, xyz)
    shots = run.outcomes.shots
    folder = [
        f for f in root.iter(f"{KML}Folder") if f.findtext(f"{KML}name") == "Intercept points"
    ]
    assert len(folder[0].findall(f"{KML}Placemark")) == int(
        (shots["replication"] == replication).sum()
    )


def test_kml__replayed_tracks_stay_within_10_m_of_every_engine_sample(
    run: Run, replication: int
) -> None:
    """A gx:Track keeps only the samples its replay needs: interpolated linearly in time, the
    kept samples pass within 10 m (geodesic, and in altitude) of every 5 s sample of the
    engine's, and far fewer are written."""
    root = ET.fromstring(export_text(run, ExportFormat.KML, replication))
    written = engine = 0
    for track, full in zip(
        root.findall(f".//{KML}Placemark/{GX}Track"),
        replication_tracks(run, replication),
        strict=True,
    ):
        t = np.asarray(
            [
                _seconds(run, datetime.fromisoformat(w.text or ""))
                for w in track.findall(f"{KML}when")
            ]
        )
        xyz = np.asarray(
            [[float(v) for v in (c.text or "").split()] for c in track.findall(f"{GX}coord")]
        )
        replay = [np.interp(full.time_s, t, xyz[:, k]) for k in range(3)]
        off = geodesic_distance_m(full.lon_deg, full.lat_deg, replay[0], replay[1])
        assert off.max() <= REPLAY_TOLERANCE_M * 1.01, f"threat {full.threat}: {off.max():.1f} m"
        assert np.abs(replay[2] - full.alt_m).max() <= REPLAY_TOLERANCE_M + 1e-6
        written += t.size
        engine += full.time_s.size
    assert written < engine / 5, (written, engine)


def test_czml__cesium_replay_stays_within_10_m_of_every_engine_sample(
    run: Run, replication: int
) -> None:
    """A threat's position keeps only the samples Cesium's replay needs: interpolated linearly
    in time in Cartesian coordinates (as Cesium does with ``cartographicDegrees``), the kept
    samples pass within 10 m of every sample of the engine's, and far fewer are written."""
    by_id = {p["id"]: p for p in json.loads(export_text(run, ExportFormat.CZML, replication))}
    written = engine = 0
    for full in replication_tracks(run, replication):
        position = by_id[threat_packet_id(full.threat)]["position"]
        assert position["interpolationAlgorithm"] == "LINEAR"
        samples = np.asarray(position["cartographicDegrees"]).reshape(-1, 4)
        t = _seconds(run, datetime.fromisoformat(position["epoch"])) + samples[:, 0]
        kept = lonlat_to_ecef_m(samples[:, 1], samples[:, 2], samples[:, 3])
        replay = np.column_stack([np.interp(full.time_s, t, kept[:, k]) for k in range(3)])
        truth = lonlat_to_ecef_m(full.lon_deg, full.lat_deg, full.alt_m)
        off_m = np.linalg.norm(replay - truth, axis=1)
        assert off_m.max() <= REPLAY_TOLERANCE_M + 1e-6, (
            f"threat {full.threat}: {off_m.max():.1f} m"
        )
        written += t.size
        engine += full.time_s.size
    assert written < engine / 5, (written, engine)


_OBJECT = re.compile(r"^([0-9a-f]+),T=(-?[\d.]+)\|(-?[\d.]+)\|(-?[\d.]+)(,.*)?$")


def test_acmi__format_rules_and_engine_positions(run: Run, replication: int) -> None:
    lines = export_text(run, ExportFormat.ACMI, replication).splitlines()
    assert lines[0] == "FileType=text/acmi/tacview"
    assert lines[1] == "FileVersion=2.1"
    reference = [x for x in lines if x.startswith("0,ReferenceTime=")]
    assert len(reference) == 1
    start = datetime.fromisoformat(reference[0].split("=", 1)[1])
    assert start == run.scenario.start_time
    frame = None
    removed: set[str] = set()
    tracks: dict[str, list[list[float]]] = {}
    for line in lines[2:]:
        if line.startswith("#"):
            t = float(line[1:])
            assert frame is None or t > frame, f"frame {t} after {frame}"
            frame = t
        elif line.startswith("-"):
            assert frame is not None
            assert line[1:] not in removed, f"{line} twice"
            removed.add(line[1:])
        elif line.startswith("0,"):
            continue  # global properties and events
        else:
            match = _OBJECT.match(line)
            assert match, f"not an ACMI object line: {line!r}"
            assert frame is not None
            assert match.group(1) not in removed, f"{line} after its removal"
            xyz = [float(match.group(k)) for k in (2, 3, 4)]
            tracks.setdefault(match.group(1), []).append([frame, *xyz])
    for threat in range(run.compiled.n_threats):
        oid = threat_object_id(threat)
        assert oid in removed, f"threat {threat} never removed"
        samples = np.asarray(tracks[oid])
        # frames are written to 0.01 s: compare times at that precision, positions exactly
        row = _threats(run, replication).loc[threat]
        assert samples[-1, 0] == pytest.approx(row["time_s"], abs=0.006)
        assert np.all(np.diff(samples[:, 0]) > 0)
        lon, lat, alt = engine_positions(
            run, replication, threat, np.append(samples[:-1, 0], row["time_s"])
        )
        np.testing.assert_allclose(samples[:, 1], lon, atol=1e-7)
        np.testing.assert_allclose(samples[:, 2], lat, atol=1e-7)
        np.testing.assert_allclose(samples[:, 3], alt, atol=0.06)


def _acmi_tracks(text: str) -> dict[str, np.ndarray]:
    """Every object's (time, lon, lat, alt) rows, in file order, from ACMI text."""
    tracks: dict[str, list[list[float]]] = {}
    frame = 0.0
    for line in text.splitlines()[2:]:
        if line.startswith("#"):
            frame = float(line[1:])
        elif match := _OBJECT.match(line):
            tracks.setdefault(match.group(1), []).append(
                [frame, *(float(match.group(k)) for k in (2, 3, 4))]
            )
    return {oid: np.asarray(rows) for oid, rows in tracks.items()}


def test_acmi__replayed_tracks_stay_within_10_m_of_every_engine_sample(
    run: Run, replication: int
) -> None:
    """A threat's frames are only those a replay linear in longitude, latitude and altitude
    needs: it passes within 10 m (geodesic, and in altitude) of every sample of the engine's,
    and far fewer are written. Positions are written to 1e-7 degrees (1 cm) and 0.1 m, frames
    to 0.01 s (the last one, at the fate, is read at the fate's own time)."""
    tracks = _acmi_tracks(export_text(run, ExportFormat.ACMI, replication))
    written = engine = 0
    for full in replication_tracks(run, replication):
        samples = tracks[threat_object_id(full.threat)]
        t = np.append(samples[:-1, 0], full.time_s[-1])
        replay = [np.interp(full.time_s, t, samples[:, k]) for k in (1, 2, 3)]
        off = geodesic_distance_m(full.lon_deg, full.lat_deg, replay[0], replay[1])
        assert off.max() <= REPLAY_TOLERANCE_M * 1.01, f"threat {full.threat}: {off.max():.1f} m"
        assert np.abs(replay[2] - full.alt_m).max() <= REPLAY_TOLERANCE_M + 0.05
        written += t.size
        engine += full.time_s.size
    assert written < engine / 5, (written, engine)


def test_start_time__moves_every_time_tag(run: Run, replication: int) -> None:
    later = run.scenario.start_time + timedelta(hours=5)
    moved = type(run)(
        scenario=run.scenario.model_copy(update={"start_time": later}),
        compiled=run.compiled,
        geometry=run.geometry,
        seed=run.seed,
        replications=run.replications,
        engine=run.engine,
        outcomes=run.outcomes,
    )
    packets = json.loads(export_text(moved, ExportFormat.CZML, replication))
    first = datetime.fromisoformat(
        next(p for p in packets if p["id"] == threat_packet_id(0))["position"]["epoch"]
    )
    row = _threats(run, replication).loc[0]
    assert first == later + timedelta(seconds=float(row["launch_time_s"]))
