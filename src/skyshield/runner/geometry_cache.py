"""A per-process cache of raid geometry, for sweep points that do not change it.

A sweep's points fly the sweep's route sets (one route seed for every point), so two points
whose compiled scenarios agree on everything the geometry reads get the same geometry, byte for
byte: the second one takes it from here instead of building it again. Two levels:

* flights (pieces, territory and EW exposure, :func:`~skyshield.engine.geometry.fly_realizations`),
  keyed on the compiled fields they may read: a sweep over rules of engagement, fire units or
  sensors flies its routes once and computes only the windows again;
* the whole geometry (windows too), keyed on every compiled field except those the geometry
  provably never reads (:data:`GEOMETRY_IGNORES`): a sweep over stocks, costs or kill
  probabilities applied after the geometry (``pk_scale``) builds it once.

Keys are digests of field values, never names or paths of the scenario, and a field is in the
key unless it is listed as ignored, so a field added to the compiled scenario is keyed until
someone shows the geometry does not read it. ``tests/runner/test_geometry_cache.py`` checks the
lists against what the geometry modules read, and that cached and uncached sweeps are equal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from skyshield.engine.compiled import CompiledScenario
from skyshield.engine.geometry import (
    Flights,
    RaidGeometry,
    fly_realizations,
    geometry_from_flights,
)

__all__ = [
    "FLIGHTS_IGNORE",
    "GEOMETRY_IGNORES",
    "CacheStats",
    "GeometryCache",
    "flights_key",
    "geometry_key",
    "process_cache",
]

# Compiled fields no function of the geometry reads (engine/geometry.py and the modules it
# calls: flight, pieces, ew, zones, windows, sensors, envelope, firetime): what the event
# loop alone uses.
GEOMETRY_IGNORES = frozenset(
    {
        "name",  # a label: policies of one comparison differ in it
        "optimal_assignment",
        "nation_allied",
        "roe_cap_outside",
        "asset_value",
        "threat_wave",
        "threat_launch_s",
        "threat_launch_jitter_s",
        "threat_cost_usd",
        "unit_channels",
        "unit_ready_capacity",
        "unit_stock",
        "unit_reload_s",
        "unit_cost_usd",
        "unit_rounds_per_engagement",
        "unit_rounds_per_target",
        "unit_decoy_discrimination",
        "unit_reserves",
        # issue #22: read by the engines and the outcome tables only
        "threat_endurance_s",
        "threat_loss_rate_per_s",
        "unit_missed_ballistic",
        "asset_area_radius_m",
    }
)

# Further fields only the windows read, not the flights (engine/flight.py, pieces.py, ew.py,
# and zones.territory_intervals).
_WINDOWS_ONLY = frozenset(
    {
        "nation_territory",
        "nation_codes",
        "threat_class",
        "threat_rcs_m2",
        "network_names",
        *(
            f.name
            for f in dataclasses.fields(CompiledScenario)
            if f.name.startswith(("roe_", "unit_", "sensor_"))
        ),
    }
)
FLIGHTS_IGNORE = GEOMETRY_IGNORES | _WINDOWS_ONLY

_V = TypeVar("_V")


def _update(digest: hashlib._Hash, value: object) -> None:
    """Feed a field's value to the digest, with its type and shape so no two values collide."""
    if isinstance(value, np.ndarray):
        digest.update(f"ndarray {value.dtype.str} {value.shape}|".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, tuple):
        digest.update(f"tuple {len(value)}|".encode())
        for item in value:
            _update(digest, item)
    elif isinstance(value, BaseGeometry):
        digest.update(b"geometry|" + shapely.to_wkb(value, output_dimension=3) + b"|")
    elif value is None or isinstance(value, bool | int | float | str):
        digest.update(f"{type(value).__name__} {value!r}|".encode())
    else:
        # an unknown kind of field is never keyed by guesswork: a wrong hit is a wrong result
        raise TypeError(f"geometry key: no digest for a {type(value).__name__}")


def _key(
    compiled: CompiledScenario,
    ignore: frozenset[str],
    route_seed: int,
    n_realizations: int,
    first: int,
) -> str:
    # route sets first, ..., first + n_realizations - 1 of the run seeded with route_seed
    digest = hashlib.sha256(f"routes {route_seed} {first}+{n_realizations}|".encode())
    for field in dataclasses.fields(CompiledScenario):
        if field.name not in ignore:
            digest.update(f"{field.name}=".encode())
            _update(digest, getattr(compiled, field.name))
    return digest.hexdigest()


def geometry_key(
    compiled: CompiledScenario, route_seed: int, n_realizations: int, first: int = 0
) -> str:
    """Digest of everything :func:`~skyshield.engine.geometry.build_geometry` depends on."""
    return _key(compiled, GEOMETRY_IGNORES, route_seed, n_realizations, first)


def flights_key(
    compiled: CompiledScenario, route_seed: int, n_realizations: int, first: int = 0
) -> str:
    """Digest of everything :func:`~skyshield.engine.geometry.fly_realizations` depends on."""
    return _key(compiled, FLIGHTS_IGNORE, route_seed, n_realizations, first)


@dataclass(slots=True)
class CacheStats:
    """What a cache did: flights flown, windows computed, whole geometries reused."""

    flights_built: int = 0
    windows_built: int = 0
    geometry_hits: int = 0


class GeometryCache:
    """Geometry builder (``build_geometry``'s signature) that keeps the last few it built.

    Bounded in bytes and in count, least recently used first out: the record raid's 64 route
    sets fly about 6 GB of trajectories, so bytes are the real bound; the counts are generous,
    because a geometry leaves with its flights and a sweep cycling through more raids than
    flights slots would then never reuse anything. The newest entry of each kind is kept
    whatever its size (the run using it holds it anyway).
    Safe to call from several threads (a Dask worker may run two points at once); two threads
    missing the same key both build it, with the same result.
    """

    def __init__(
        self, flights: int = 16, geometries: int = 32, max_bytes: int | None = None
    ) -> None:
        self._flights: OrderedDict[str, Flights] = OrderedDict()
        self._geometries: OrderedDict[str, RaidGeometry] = OrderedDict()
        self._sizes: dict[str, int] = {}
        self._flights_of: dict[str, str] = {}  # geometry key -> key of the flights it holds
        self._max_flights = flights
        self._max_geometries = geometries
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        self.stats = CacheStats()
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held (a geometry counted without the flights it shares)."""
        with self._lock:
            return sum(self._sizes.values())

    def __call__(
        self,
        compiled: CompiledScenario,
        route_seed: int,
        n_realizations: int,
        threads: int = 1,
        *,
        first: int = 0,
    ) -> RaidGeometry:
        """Return the geometry of ``compiled`` on route sets ``route_seed``, built or reused.

        ``first``: of a block of a run's route sets (see
        :func:`~skyshield.engine.geometry.fly_realizations`).
        """
        key = geometry_key(compiled, route_seed, n_realizations, first)
        fkey = flights_key(compiled, route_seed, n_realizations, first)
        with self._lock:
            geometry = _get(self._geometries, key)
            if geometry is not None:
                self.stats.geometry_hits += 1
                return geometry
            flights = _get(self._flights, fkey)
        if flights is None:
            flights = fly_realizations(compiled, route_seed, n_realizations, threads, first=first)
            with self._lock:
                self.stats.flights_built += 1
                self._put(self._flights, fkey, flights, _array_bytes(flights))
        geometry = geometry_from_flights(compiled, flights, threads)
        with self._lock:
            self.stats.windows_built += 1
            own = _array_bytes(geometry, skip=("flights",))
            if fkey in self._flights:  # newest: byte eviction never takes this geometry's
                self._flights.move_to_end(fkey)
            else:  # evicted meanwhile: this geometry holds them alone, so count them again
                self._put(self._flights, fkey, flights, _array_bytes(flights))
            self._flights_of[key] = fkey
            self._put(self._geometries, key, geometry, own)
        return geometry

    def _put(self, store: OrderedDict[str, Any], key: str, value: object, size: int) -> None:
        store[key] = value
        store.move_to_end(key)
        self._sizes[key] = size
        limit = self._max_flights if store is self._flights else self._max_geometries
        while len(store) > limit:
            self._evict(store, next(iter(store)))
        # over the byte budget: the oldest geometries go first, then the oldest flights
        for older in (self._geometries, self._flights):
            while sum(self._sizes.values()) > self.max_bytes and len(older) > 1:
                self._evict(older, next(iter(older)))

    def _evict(self, store: OrderedDict[str, Any], key: str) -> None:
        """Drop an entry; flights take the geometries built on them along.

        A geometry holds its flights, which are counted only under the flights.
        """
        del store[key]
        self._sizes.pop(key)
        if store is self._geometries:
            self._flights_of.pop(key)
            return
        for geometry_key_ in [g for g, f in self._flights_of.items() if f == key]:
            self._evict(self._geometries, geometry_key_)

    def clear(self) -> None:
        """Forget every geometry and reset the counts."""
        with self._lock:
            self._flights.clear()
            self._geometries.clear()
            self._sizes.clear()
            self._flights_of.clear()
            self.stats = CacheStats()


def default_max_bytes() -> int:
    """Return a quarter of the machine's memory (4 GiB where it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4
    except (AttributeError, ValueError, OSError):
        return 4 * 1024**3


def _array_bytes(value: object, skip: tuple[str, ...] = ()) -> int:
    """Bytes of the numpy arrays in a (nested) frozen dataclass or tuple, each array once."""
    seen: set[int] = set()
    total = 0
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            if id(item) not in seen:
                seen.add(id(item))
                total += item.nbytes
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            names = [f.name for f in dataclasses.fields(item)]
            stack.extend(getattr(item, n) for n in names if item is not value or n not in skip)
    return total


def _get(store: OrderedDict[str, _V], key: str) -> _V | None:
    value = store.get(key)
    if value is not None:
        store.move_to_end(key)
    return value


_PROCESS_CACHE = GeometryCache()


def process_cache() -> GeometryCache:
    """Return the cache of this process, shared by every sweep point the process runs."""
    return _PROCESS_CACHE
