"""Low-cost units along a night's drone routes: where a raid-tasked defence stands (issue 23).

The night model tasks its low-cost layers (mobile fire groups, interceptor drones, Gepards) with
the raid: their size grows as ``(drones launched / 100) ** tasking_beta``
(:func:`skyshield.calibration.model.tasking_factor`). Grown at the laydown's few city positions
that surplus does almost nothing, because a unit there meets only the drones that pass it; a
real tasked defence is moved onto the raid's path. So every night scenario also carries a
*route pool*: low-cost units placed on the night's drone routes (launch site -> target, the
lines the engine flies them along) before compile, switched on by the night model in proportion
to the tasked surplus (:class:`skyshield.calibration.model.NightEngine`). At ``tasking_beta`` 0
none is switched on and the posture is exactly the laydown's.

Positions (all assumptions, no public source gives where groups stand on a given night):

* every route of the night's drone waves, busiest first (drones per route), gets
  :data:`POSITIONS_PER_ROUTE` unit(s) on the geodesic from its launch site to its target, evenly
  spaced over the stretch inside Ukraine's borders (``UA`` in the shipped borders; a route with
  no such stretch gets none);
* at most :data:`ROUTE_POOL_MAX` units in all (a bound on the engine's work, not a claim);
* the units' systems follow the laydown's own mix of the short family (:data:`LAYDOWN`:
  mobile fire groups, Gepards, interceptor-drone teams in its proportions), so their reach,
  kill probabilities, rounds and reloads are the catalog's sourced figures (``systems.yaml``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.geo import (
    destination_lonlat,
    geodesic_distance_m,
    initial_bearing_rad,
    nation_index,
    territory_codes,
)

__all__ = [
    "POSITIONS_PER_ROUTE",
    "ROUTE_POOL_MAX",
    "ROUTE_UNIT_PREFIX",
    "ThreatRoute",
    "dealt_targets",
    "interleave",
    "route_units",
    "short_mix",
    "split_count",
    "threat_routes",
]

# Units per drone route (assumption): one, in the middle of the route's Ukrainian stretch. The
# drones of a route fly one line, so a second unit on it adds shots, not coverage; the night
# model gives a pool unit above size 1 co-located shots instead.
POSITIONS_PER_ROUTE = 1
# Most route units in one night scenario (assumption: a bound on the geometry's work that still
# covers every route of the default geography, 5 launch areas x up to 18 cities; the busiest
# routes are covered first).
ROUTE_POOL_MAX = 96
# Ids of route units start with this (the night model finds its pool by it).
ROUTE_UNIT_PREFIX = "ua-route-"
# Points sampled along a route to find its stretch inside Ukraine.
_SAMPLES = 64


@dataclass(frozen=True, slots=True)
class ThreatRoute:
    """One launch site -> target line of a night's threats (drones, cruise), and how many fly it."""

    site: str
    target: str
    count: int
    start: tuple[float, float]  # (lon, lat)
    end: tuple[float, float]


def threat_routes(
    waves: list[dict[str, Any]],
    launch_sites: dict[str, tuple[float, float]],
    asset_points: dict[str, tuple[float, float]],
    threats: frozenset[str],
) -> list[ThreatRoute]:
    """Every (launch site, target) line of the waves of ``threats`` with its count, busiest first.

    A target's share of a wave is what :func:`dealt_targets` counts. Ties: by site, then target.
    """
    count: Counter[tuple[str, str]] = Counter()
    for wave in waves:
        if wave["threat"] not in threats:
            continue
        for target, n in dealt_targets(wave).items():
            count[(wave["launch_site"], target)] += n
    routes = [
        ThreatRoute(site, target, n, launch_sites[site], asset_points[target])
        for (site, target), n in count.items()
    ]
    return sorted(routes, key=lambda r: (-r.count, r.site, r.target))


def _positions(routes: list[ThreatRoute], k: int) -> list[list[tuple[float, float]]]:
    """Per route, ``k`` points of it inside Ukraine, evenly spread over its stretches there.

    Each route is sampled at :data:`_SAMPLES` points; the ones inside Ukraine's borders (after
    rounding to the scenario's 0.001 degree) are the candidates, and the k taken are at even
    quantiles of them (a route over the sea, e.g. from Crimea, has two stretches; none if no
    sample is inside). All routes' samples go through the geodesy and the territory lookup in
    one call (both point by point, so each route's points are what they are alone).
    """
    if not routes:
        return []
    lon0, lat0 = np.array([r.start for r in routes], dtype=np.float64).T
    lon1, lat1 = np.array([r.end for r in routes], dtype=np.float64).T
    length = np.asarray(geodesic_distance_m(lon0, lat0, lon1, lat1), dtype=np.float64)
    bearing = np.asarray(initial_bearing_rad(lon0, lat0, lon1, lat1), dtype=np.float64)
    # one linspace per route (a linspace over an array of stops rounds differently when any is 0)
    along = np.stack([np.linspace(0.0, float(d), _SAMPLES) for d in length])
    lon, lat = destination_lonlat(
        np.repeat(lon0, _SAMPLES),
        np.repeat(lat0, _SAMPLES),
        np.repeat(bearing, _SAMPLES),
        along.ravel(),
    )
    lon, lat = np.round(lon, 3).reshape(along.shape), np.round(lat, 3).reshape(along.shape)
    ukraine = territory_codes(lon, lat) == nation_index("UA")
    out: list[list[tuple[float, float]]] = []
    for r in range(len(routes)):
        inside = np.flatnonzero(ukraine[r])
        if inside.size == 0:
            out.append([])
            continue
        take = inside[((np.arange(1, k + 1) * inside.size) // (k + 1)).clip(0, inside.size - 1)]
        out.append([(float(lon[r, i]), float(lat[r, i])) for i in take])
    return out


def dealt_targets(wave: Mapping[str, Any]) -> Counter[str]:
    """Threats a wave (scenario dict) sends at each of its targets.

    The compiler sends a wave's k-th threat at ``targets[k % len(targets)]``.
    """
    targets = wave["targets"]
    return Counter(targets[k % len(targets)] for k in range(wave["count"]))


def interleave(counts: Mapping[str, int]) -> list[str]:
    """Each name as often as its count, spread evenly over a list as long as their sum.

    ``interleave({"a": 2, "b": 1})`` is ``["a", "b", "a"]``: the k-th item of a cycle over it
    deals the names in proportion from the start (ties by name).
    """
    slots = [((i + 0.5) / n, name, i) for name, n in sorted(counts.items()) for i in range(n)]
    return [name for _, name, _ in sorted(slots)]


def short_mix(laydown: dict[str, tuple[str, ...]], short: frozenset[str]) -> list[str]:
    """Return the laydown's short-family systems interleaved in proportion (a cycle to deal from).

    The laydown's counts of fire groups, Gepards and interceptor-drone teams give a cycle as long
    as their sum in which each system recurs evenly.
    """
    return interleave(Counter(s for systems in laydown.values() for s in systems if s in short))


def route_units(
    routes: list[ThreatRoute], mix: list[str], *, network: str = "ua"
) -> list[dict[str, Any]]:
    """Return the route pool's fire units (scenario dicts), :data:`POSITIONS_PER_ROUTE` a route."""
    units: list[dict[str, Any]] = []
    for route, positions in zip(routes, _positions(routes, POSITIONS_PER_ROUTE), strict=True):
        for lon, lat in positions:
            if len(units) == ROUTE_POOL_MAX:
                return units
            system = mix[len(units) % len(mix)]
            units.append(
                {
                    "id": f"{ROUTE_UNIT_PREFIX}{len(units):02d}-{system}",
                    "system": system,
                    "nation": "UA",
                    "position": {"lon_deg": lon, "lat_deg": lat},
                    "networks": [network],
                    "label": f"notional position on the drone route {route.site} -> {route.target}",
                }
            )
    return units


def split_count(count: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of ``count`` in proportion to ``weights``.

    The parts are whole, sum to ``count`` and each is within 1 of its exact share:
    ``split_count(14, [0.34, 0.66])`` is ``[5, 9]``.
    """
    if not weights:
        return []
    total = float(np.sum(weights))
    if not total > 0 or min(weights) < 0:  # an all-zero split would deal NaN
        raise ValueError(f"weights must be >= 0 with a positive sum, got {weights}")
    w = np.asarray(weights, dtype=float) / total
    raw = count * w
    base = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - base))[: count - int(base.sum())]:
        base[i] += 1
    return [int(b) for b in base]
