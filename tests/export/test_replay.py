"""replay_samples: the samples a time-tagged replay needs, on tracks built by hand."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.exporting.tracks import Replay, Track, replay_samples
from skyshield.geo import lonlat_to_ecef_m


def _track(t: np.ndarray, lon: np.ndarray, lat: np.ndarray, alt: np.ndarray) -> Track:
    return Track(0, "x", "ballistic", "Kyiv", "impacted", "", t, lon, lat, alt)


def test_replay_samples__steady_leg_keeps_its_ends_an_arc_keeps_its_shape() -> None:
    t = np.arange(0.0, 301.0, 5.0)
    steady = _track(t, 30.0 + 1e-4 * t, np.full(t.size, 50.0), 1000.0 + 2.0 * t)
    assert replay_samples(steady).tolist() == [0, t.size - 1]
    # straight up and down over one point: only the altitude says where it is (a 1 km apogee)
    arc = _track(
        t, np.full(t.size, 30.0), np.full(t.size, 50.0), 4 * 1000.0 * t * (300 - t) / 300**2
    )
    kept = replay_samples(arc)
    assert kept[0] == 0
    assert kept[-1] == t.size - 1
    replay = np.interp(t, t[kept], arc.alt_m[kept])
    assert np.abs(replay - arc.alt_m).max() <= 10.0
    assert 2 < kept.size < t.size
    # a turn on the ground at constant altitude: the corner is kept
    lon = np.where(t <= 150, 30.0 + 1e-4 * t, 30.015)
    lat = np.where(t <= 150, 50.0, 50.0 + 1e-4 * (t - 150))
    corner = replay_samples(_track(t, lon, lat, np.full(t.size, 100.0)))
    assert corner.tolist() == [0, 30, t.size - 1]
    assert replay_samples(_track(t[:2], lon[:2], lat[:2], lon[:2])).tolist() == [0, 1]


def test_replay_samples__ecef_replay_keeps_a_long_leg_in_short_chords() -> None:
    """A 200 km leg due north at 2 km is straight in latitude, so a geographic replay keeps its
    ends; Cesium replays the chord between them in ECEF, which sags L² / (8 R) = 200² / (8 ×
    6,371) km = 785 m below the leg's middle. The ECEF replay keeps samples until its chords
    sag at most 10 m: about sqrt(8 × 6,371 km × 10 m) = 22.6 km apart, so at least 9 of them."""
    t = np.arange(0.0, 1001.0, 5.0)  # 200 m/s for 1,000 s
    lat = 48.0 + t * 200.0 / 111_195.0
    leg = _track(t, np.full(t.size, 24.0), lat, np.full(t.size, 2000.0))
    assert replay_samples(leg).tolist() == [0, t.size - 1]
    kept = replay_samples(leg, replay=Replay.ECEF)
    assert 9 < kept.size < t.size / 5
    engine = lonlat_to_ecef_m(leg.lon_deg, leg.lat_deg, leg.alt_m)

    def chord_off_m(ends: np.ndarray) -> float:
        replay = np.column_stack([np.interp(t, t[ends], engine[ends, k]) for k in range(3)])
        return float(np.linalg.norm(replay - engine, axis=1).max())

    assert chord_off_m(np.array([0, t.size - 1])) == pytest.approx(785.0, rel=0.02)
    assert chord_off_m(kept) <= 10.0
