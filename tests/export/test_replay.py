"""replay_samples: the samples a time-tagged replay needs, on tracks built by hand."""

from __future__ import annotations

import numpy as np

from skyshield.exporting.tracks import Track, replay_samples


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
