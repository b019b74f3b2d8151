"""Where an interceptor round that missed comes down (issue #22, item 7).

Each system's catalog rule (:class:`skyshield.catalog.MissedRound`):

- ``self-destruct``: the round destroys itself after the miss; its fragments land at the
  ground point below the intercept point;
- ``ballistic``: the round flies on along its line of fire, the geodesic from the unit through
  the intercept point, and comes down at the system's maximum range from the unit (its
  remaining range spent along that line), or below the intercept point if that is farther.

A deliberately simple rule: it ignores the round's altitude, glide and drift, and places a
missed round where a range-safety map would draw the end of the system's reach.
"""

from __future__ import annotations

import numpy as np

from skyshield.geo import destination_lonlat, geodesic_inverse

__all__ = ["missed_round_ground"]


def missed_round_ground(
    unit_lon_deg: np.ndarray,
    unit_lat_deg: np.ndarray,
    intercept_lon_deg: np.ndarray,
    intercept_lat_deg: np.ndarray,
    max_range_m: np.ndarray,
    ballistic: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Ground point of each missed round (module docstring).

    Units: degrees and metres in, degrees out.

    Parameters
    ----------
    unit_lon_deg, unit_lat_deg : (n,) float64, the firing unit
    intercept_lon_deg, intercept_lat_deg : (n,) float64, where the round met (missed) its threat
    max_range_m : (n,) float64, the system's maximum range
    ballistic : (n,) bool, the system's rule is ``ballistic`` (else ``self-destruct``)

    Returns
    -------
    lon_deg, lat_deg : (n,) float64
    """
    ulon, ulat = np.asarray(unit_lon_deg, float), np.asarray(unit_lat_deg, float)
    ilon, ilat = np.asarray(intercept_lon_deg, float), np.asarray(intercept_lat_deg, float)
    if ulon.size == 0:
        return np.zeros(0), np.zeros(0)
    on = np.flatnonzero(np.asarray(ballistic, bool))
    lon, lat = ilon.copy(), ilat.copy()
    # only ballistic rounds fly on; one inverse solve gives distance and bearing together
    flown_m, bearing = geodesic_inverse(ulon[on], ulat[on], ilon[on], ilat[on])
    reach_m = np.maximum(np.asarray(max_range_m, float)[on], flown_m)
    lon[on], lat[on] = destination_lonlat(ulon[on], ulat[on], bearing, reach_m)
    return lon, lat
