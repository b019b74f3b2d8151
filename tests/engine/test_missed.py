"""Where missed interceptor rounds come down (issue #22, :mod:`skyshield.engine.missed`)."""

from __future__ import annotations

import numpy as np

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.missed import missed_round_ground
from skyshield.geo import destination_lonlat, geodesic_distance_m, initial_bearing_rad

from ._build import one_on_one, prepare, scenario, with_pk

_UNIT = (24.0, 50.0)


def test_missed_round_ground__by_hand() -> None:
    """Intercepts 10 km north and 30 km east of a unit with a 40 km reach; one beyond it.

    Ballistic: the round comes down 40 km from the unit on the same bearing; beyond its reach
    (50 km) it comes down below the intercept point; self-destruct: below the intercept point.
    """
    ilon, ilat = destination_lonlat(
        np.full(3, _UNIT[0]), np.full(3, _UNIT[1]), np.radians([0.0, 90.0, 45.0]),
        np.array([10e3, 30e3, 50e3]),
    )  # fmt: skip
    reach = np.full(3, 40e3)
    lon, lat = missed_round_ground(
        np.full(3, _UNIT[0]), np.full(3, _UNIT[1]), ilon, ilat, reach, np.ones(3, bool)
    )
    distance = geodesic_distance_m(_UNIT[0], _UNIT[1], lon, lat)
    np.testing.assert_allclose(distance, [40e3, 40e3, 50e3], atol=1.0)
    bearing = np.degrees(initial_bearing_rad(_UNIT[0], _UNIT[1], lon, lat))
    np.testing.assert_allclose(bearing, [0.0, 90.0, 45.0], atol=1e-6)
    lon, lat = missed_round_ground(
        np.full(3, _UNIT[0]), np.full(3, _UNIT[1]), ilon, ilat, reach, np.zeros(3, bool)
    )
    np.testing.assert_array_equal(lon, ilon)
    np.testing.assert_array_equal(lat, ilat)


def test_tabulate__missed_rounds_land_at_the_end_of_the_line_of_fire() -> None:
    """IRIS-T (ballistic rule) at Pk 0.3 on Kh-101s: each missed round lies on the line from
    the unit through its intercept point, at the unit's maximum range; hits have no ground point.
    """
    compiled = with_pk(
        compile_scenario(scenario(one_on_one(count=4, stock=12))), ThreatClass.CRUISE, 0.3
    )
    assert compiled.unit_missed_ballistic[0]
    prepared = prepare(compiled, seed=9, n_reps=6)
    shots = prepared.tables(prepared.fast()).shots
    missed = shots[~shots["hit"]]
    assert len(missed) > 3
    assert shots.loc[shots["hit"], "ground_lon_deg"].isna().all()
    ulon, ulat = compiled.unit_lon_deg[0], compiled.unit_lat_deg[0]
    g_lon, g_lat = missed["ground_lon_deg"].to_numpy(), missed["ground_lat_deg"].to_numpy()
    reach = float(compiled.unit_max_range_m[0])
    flown = geodesic_distance_m(ulon, ulat, missed["lon_deg"].to_numpy(), missed["lat_deg"])
    np.testing.assert_allclose(
        geodesic_distance_m(ulon, ulat, g_lon, g_lat), np.maximum(reach, flown), atol=1.0
    )
    to_intercept = initial_bearing_rad(ulon, ulat, missed["lon_deg"], missed["lat_deg"])
    np.testing.assert_allclose(initial_bearing_rad(ulon, ulat, g_lon, g_lat), to_intercept)
    assert (missed["ground_territory"] == "UA").all()
