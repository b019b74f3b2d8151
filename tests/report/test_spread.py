"""The map's spread layer: every threat's route in each of the run's route sets."""

from __future__ import annotations

import numpy as np
from tests.export.conftest import small

from skyshield.reporting.html import route_spread
from skyshield.runner.montecarlo import run_replications


def test_route_spread__every_threat_in_every_route_set_from_launch_to_end() -> None:
    run = run_replications(small("western-raid"), replications=3, seed=2)
    spread = route_spread(run, max_route_sets=8, vertices=10)
    route_sets = run.geometry.pieces
    n_threats = route_sets[0].n_threats
    assert run.geometry.n_realizations == 3  # one route set per night, up to the cap
    features = spread["features"]
    assert len(features) == 3 * n_threats
    for f in features:
        traj = route_sets[f["properties"]["route_set"]]
        i = f["properties"]["threat"]
        lo, hi = traj.vertex_offset[i], traj.vertex_offset[i + 1]
        coords = np.asarray(f["geometry"]["coordinates"])
        assert 2 <= len(coords) <= 10
        # the whole planned flight: first and last vertices (rounded to 1e-4 deg)
        assert np.allclose(coords[0], [traj.lon_deg[lo], traj.lat_deg[lo]], atol=1e-4)
        assert np.allclose(coords[-1], [traj.lon_deg[hi - 1], traj.lat_deg[hi - 1]], atol=1e-4)
    # the route sets differ: the layer shows a spread, not one route drawn three times
    first = [f for f in features if f["properties"]["threat"] == 0]
    assert len({tuple(map(tuple, f["geometry"]["coordinates"])) for f in first}) == 3
    assert len(route_spread(run, max_route_sets=2)["features"]) == 2 * n_threats
