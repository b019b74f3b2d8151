"""Threat paths as pieces: vertices on the flight, chords close to the profile."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod
from tests.engine._build import one_on_one, scenario

from skyshield.engine.compile import compile_scenario
from skyshield.engine.draws import realization_rng
from skyshield.engine.flight import realize_routes, vertical_profiles
from skyshield.engine.pieces import ARC_SAG_M, MAX_PIECE_M, build_pieces, positions_at

WGS84 = Geod(ellps="WGS84")


@pytest.mark.parametrize("threat", ["iskander-m", "kh-101", "shahed-136"])
def test_build_pieces__vertices_on_the_profile(threat: str) -> None:
    """Vertex times rise from 0 to the flight time; chords stay within the stated sag.

    The reference is the threat's vertical profile (``VerticalProfiles.at``) at 0.01 s and
    pyproj's geodesic for the ground distance of each vertex from the launch site.
    """
    d = one_on_one(threat=threat, count=3)
    d["raid"]["waves"][0]["route_jitter_km"] = 20
    compiled = compile_scenario(scenario(d))
    routes = realize_routes(compiled, rng=realization_rng(3, 0))
    pieces = build_pieces(compiled, routes)
    for i in range(compiled.n_threats):
        lo, hi = pieces.vertex_offset[i], pieces.vertex_offset[i + 1]
        t = pieces.time_s[lo:hi]
        assert t[0] == 0.0
        assert t[-1] == pieces.flight_s[i]
        assert np.all(np.diff(t) > 0)
        _, _, ground = WGS84.inv(
            pieces.lon_deg[lo:hi - 1], pieces.lat_deg[lo:hi - 1],
            pieces.lon_deg[lo + 1:hi], pieces.lat_deg[lo + 1:hi],
        )  # fmt: skip
        assert np.all(np.asarray(ground) <= MAX_PIECE_M + 1e-3)
    ts = np.arange(0.0, float(pieces.flight_s.max()), 0.01)
    threat_ids = np.repeat(np.arange(compiled.n_threats), ts.size)
    times = np.minimum(np.tile(ts, compiled.n_threats), pieces.flight_s[threat_ids])
    _, _, alt, _ = positions_at(pieces, threat_ids, times)
    legs_m = np.zeros(compiled.n_threats)
    for i in range(compiled.n_threats):
        a, b = compiled.route_offset[i], compiled.route_offset[i + 1]
        lon, lat = routes[0][a:b], routes[1][a:b]
        if compiled.threat_ballistic[i]:
            lon, lat = lon[[0, -1]], lat[[0, -1]]
        legs_m[i] = np.sum(WGS84.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2])
    _, true_alt = vertical_profiles(compiled, legs_m).at(threat_ids, times)
    assert np.abs(alt - true_alt).max() <= ARC_SAG_M + 0.5


def test_positions_at__vertices_exact_and_clipped() -> None:
    compiled = compile_scenario(scenario(one_on_one(threat="kh-101")))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(1, 0)))
    n = pieces.time_s.shape[0]
    lon, lat, alt, ecef = positions_at(pieces, np.zeros(n, dtype=np.int64), pieces.time_s)
    assert np.array_equal(lon, pieces.lon_deg)
    assert np.array_equal(ecef, pieces.ecef_m)
    lon, _, _, _ = positions_at(pieces, np.array([0, 0]), np.array([-5.0, 1e9]))
    assert lon[0] == pieces.lon_deg[0]
    assert lon[1] == pieces.lon_deg[-1]
    assert alt.shape == (n,)
    assert lat.shape == (n,)
