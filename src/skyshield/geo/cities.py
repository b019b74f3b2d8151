"""Cities and populated places from GeoNames (``data/cities.csv``, population >= 15,000).

`near_populated_place_mask` tests points against a k-d tree of places in WGS84 ECEF: the
radius is turned into the chord of a 6,371 km sphere, and chord length stands in for geodesic
distance. The two differ by about d³/(24 R²), under 1 m for d <= 100 km.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import unicodedata
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from skyshield.errors import GeographyError
from skyshield.geo.geodesy import lonlat_to_ecef_m
from skyshield.units import KM_TO_M

__all__ = ["City", "PopulatedPlaces", "find_city", "near_populated_place_mask", "populated_places"]

_MEAN_EARTH_RADIUS_M = 6371.0 * KM_TO_M  # IUGG mean radius, for chord <-> arc only
_N_SUGGESTIONS = 5

# Latin letters NFKD does not split into an ASCII letter and a combining mark.
_FOLD = str.maketrans(
    {"ł": "l", "ß": "ss", "ø": "o", "đ": "d", "æ": "ae", "ı": "i", "œ": "oe", "þ": "th", "ð": "d"}
)


@dataclass(frozen=True, slots=True)
class City:
    """One populated place.

    Attributes
    ----------
    name : GeoNames name, e.g. ``"Rzeszów"``
    country_code : ISO 3166-1 alpha-2
    lon_deg, lat_deg : WGS84 position, degrees
    population : GeoNames population figure
    """

    name: str
    country_code: str
    lon_deg: float
    lat_deg: float
    population: int


@dataclass(frozen=True, slots=True)
class PopulatedPlaces:
    """Table of places; arrays are read-only and share one length ``n``.

    Attributes
    ----------
    names : tuple of n str
    country_codes : tuple of n str
    lon_deg : (n,) float64
    lat_deg : (n,) float64
    population : (n,) int64
    """

    names: tuple[str, ...]
    country_codes: tuple[str, ...]
    lon_deg: npt.NDArray[np.float64]
    lat_deg: npt.NDArray[np.float64]
    population: npt.NDArray[np.int64]


def _fold(name: str) -> str:
    """Case- and diacritics-insensitive key of a name."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _read_only(a: npt.NDArray[np.generic]) -> None:
    a.flags.writeable = False


@functools.cache
def _all_places() -> tuple[PopulatedPlaces, tuple[str, ...], tuple[str, ...]]:
    """Every shipped place, plus folded name and folded ASCII name per place."""
    text = resources.files("skyshield.geo").joinpath("data/cities.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    lon = np.array([float(r["lon_deg"]) for r in rows], dtype=np.float64)
    lat = np.array([float(r["lat_deg"]) for r in rows], dtype=np.float64)
    pop = np.array([int(r["population"]) for r in rows], dtype=np.int64)
    for a in (lon, lat, pop):
        _read_only(a)
    table = PopulatedPlaces(
        names=tuple(r["name"] for r in rows),
        country_codes=tuple(r["country_code"] for r in rows),
        lon_deg=lon,
        lat_deg=lat,
        population=pop,
    )
    return (
        table,
        tuple(_fold(r["name"]) for r in rows),
        tuple(_fold(r["ascii_name"]) for r in rows),
    )


@functools.cache
def _by_name() -> dict[str, tuple[int, ...]]:
    """Index the table: the places of each folded name or folded ASCII name, ascending."""
    _, folded, folded_ascii = _all_places()
    index: dict[str, set[int]] = {}
    for k, (f, fa) in enumerate(zip(folded, folded_ascii, strict=True)):
        index.setdefault(f, set()).add(k)
        index.setdefault(fa, set()).add(k)
    return {key: tuple(sorted(ks)) for key, ks in index.items()}


def find_city(name: str, country_code: str | None = None) -> City:
    """Look a city up by name; the most populous match wins.

    Parameters
    ----------
    name : str
        City name; case and diacritics are ignored (``"rzeszow"`` finds Rzeszów).
    country_code : str or None
        ISO 3166-1 alpha-2 code to restrict the search to.

    Returns
    -------
    City

    Raises
    ------
    GeographyError
        If no shipped place matches; the message lists close matches.
    """
    table, folded, _ = _all_places()
    key = _fold(name)
    cc = None if country_code is None else country_code.upper()
    best = -1
    # the places of that name in table order, not a walk of the whole table (calibrate's
    # design looks cities up ten thousand times)
    for k in _by_name().get(key, ()):
        matches = cc is None or table.country_codes[k] == cc
        if matches and (best < 0 or table.population[k] > table.population[best]):
            best = k
    if best < 0:
        pool = {
            f: table.names[k]
            for k, f in enumerate(folded)
            if cc is None or table.country_codes[k] == cc
        }
        close = [pool[m] for m in difflib.get_close_matches(key, list(pool), n=_N_SUGGESTIONS)]
        where = "" if cc is None else f" in {cc}"
        hint = f"; close matches: {', '.join(close)}" if close else ""
        raise GeographyError(
            f"city name: expected a place{where} with population >= 15,000 in the shipped "
            f"GeoNames table, got {name!r}{hint}"
        )
    return City(
        name=table.names[best],
        country_code=table.country_codes[best],
        lon_deg=float(table.lon_deg[best]),
        lat_deg=float(table.lat_deg[best]),
        population=int(table.population[best]),
    )


@functools.lru_cache(maxsize=32)
def populated_places(min_population: int, country_code: str | None = None) -> PopulatedPlaces:
    """Places with at least ``min_population`` inhabitants, optionally in one country.

    Parameters
    ----------
    min_population : int
        Threshold; the shipped table stops at 15,000, so lower values change nothing.
    country_code : str or None
        ISO 3166-1 alpha-2 code to restrict to.

    Returns
    -------
    PopulatedPlaces with read-only arrays.
    """
    table = _all_places()[0]
    keep = table.population >= min_population
    if country_code is not None:
        keep &= np.array([c == country_code.upper() for c in table.country_codes], dtype=bool)
    idx = np.flatnonzero(keep)
    lon, lat, pop = table.lon_deg[idx], table.lat_deg[idx], table.population[idx]
    for a in (lon, lat, pop):
        _read_only(a)
    return PopulatedPlaces(
        names=tuple(table.names[k] for k in idx),
        country_codes=tuple(table.country_codes[k] for k in idx),
        lon_deg=lon,
        lat_deg=lat,
        population=pop,
    )


@functools.lru_cache(maxsize=32)
def _place_tree(min_population: int, country_code: str | None) -> cKDTree | None:
    places = populated_places(min_population, country_code)
    if places.population.size == 0:
        return None
    return cKDTree(lonlat_to_ecef_m(places.lon_deg, places.lat_deg))


def near_populated_place_mask(
    lon_deg: npt.ArrayLike,
    lat_deg: npt.ArrayLike,
    radius_m: float,
    min_population: int,
    country_code: str | None = None,
) -> npt.NDArray[np.bool_]:
    """Whether each point lies within ``radius_m`` of a place of ``min_population`` or more.

    Distance is the ECEF chord at sea level (see the module docstring).

    Units: degrees and metres in.

    Parameters
    ----------
    lon_deg, lat_deg : array_like float
        Points; broadcast together.
    radius_m : float
        Radius around each place, >= 0.
    min_population : int
        Only places with at least this population count.
    country_code : str or None
        Only places in this country (ISO 3166-1 alpha-2).

    Returns
    -------
    bool array of the broadcast shape.

    Raises
    ------
    GeographyError
        If ``radius_m`` is negative or not finite.
    """
    if not np.isfinite(radius_m) or radius_m < 0.0:
        raise GeographyError(f"radius_m: expected a finite value >= 0, got {radius_m!r}")
    lon, lat = np.broadcast_arrays(
        np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
    )
    out = np.zeros(lon.size, dtype=bool)
    tree = _place_tree(int(min_population), None if country_code is None else country_code.upper())
    finite = np.flatnonzero(np.isfinite(lon.ravel()) & np.isfinite(lat.ravel()))
    if tree is not None and finite.size:
        chord_m = 2.0 * _MEAN_EARTH_RADIUS_M * np.sin(radius_m / (2.0 * _MEAN_EARTH_RADIUS_M))
        pts = lonlat_to_ecef_m(lon.ravel()[finite], lat.ravel()[finite])
        dist, _ = tree.query(pts, distance_upper_bound=chord_m * (1.0 + 1e-12))
        out[finite] = np.isfinite(dist)
    return out.reshape(lon.shape)
