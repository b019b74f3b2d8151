"""One self-contained HTML report of one or more finished runs (Jinja2 template).

Everything the page needs is inlined: Leaflet, Vega, Vega-Lite and vega-embed (vendored in
``assets/``, see its README), the shipped country borders, each run's map as GeoJSON
(:func:`skyshield.exporting.geojson_document`), cities, chart specifications and tables. The page
requests nothing: no tile server (the borders are drawn on a plain background), no CDN, and
the stylesheet's images are ``data:`` URIs.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import numpy as np
from markupsafe import Markup

from skyshield.catalog import catalog_frame, load_catalog
from skyshield.catalog.types import ThreatClass
from skyshield.exporting import geojson_document
from skyshield.geo import populated_places
from skyshield.metrics.policy import DEFAULT_DEBRIS
from skyshield.plots import fates_per_night
from skyshield.reporting.charts import (
    by_class_chart,
    by_target_chart,
    by_unit_chart,
    nation_colours,
    nights_chart,
)
from skyshield.results import RunSummary
from skyshield.runner.compare import PolicyComparison
from skyshield.runner.montecarlo import Run

__all__ = ["ReportRun", "render_report", "route_spread"]

_CITY_MIN_POPULATION = 100_000  # cities drawn on the maps: the larger places only
_MAP_MARGIN_DEG = 1.5  # cities this far outside the scenario's features still show
# Route sets drawn in the "spread" layer, and vertices per route there (page size: ~0.5 MB for
# the western raid's 164 threats).
SPREAD_ROUTE_SETS = 8
SPREAD_VERTICES = 24
_CHANGES = ("allied_engagements", "cost_usd", "impacts", "intercepted", "leakers", "rounds")


@dataclass(frozen=True, slots=True)
class ReportRun:
    """One run in a report: the run itself, its summary and the replication its map shows."""

    run: Run
    summary: RunSummary
    replication: int = 0


def _asset(name: str) -> str:
    return resources.files("skyshield.reporting").joinpath("assets", name).read_text("utf-8")


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as data: URIs (no request for them)."""

    def inline(match: re.Match[str]) -> str:
        data = (
            resources.files("skyshield.reporting").joinpath("assets", match.group(1)).read_bytes()
        )
        return f"url(data:image/png;base64,{base64.b64encode(data).decode('ascii')})"

    return re.sub(r"url\((images/[\w-]+\.png)\)", inline, _asset("leaflet.css"))


def script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element (``</`` and ``<!--`` cannot end or open it)."""
    text = json.dumps(value, allow_nan=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _cities(document: dict[str, Any]) -> list[list[Any]]:
    """Cities of 100,000+ within the bounding box of a map's features: [name, lon, lat, pop]."""
    points: list[list[float]] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            points.append([float(coords[0]), float(coords[1])])
        else:
            for c in coords:
                walk(c)

    for feature in document["features"]:
        walk(feature["geometry"]["coordinates"])
    xy = np.asarray(points)
    lo, hi = xy.min(axis=0) - _MAP_MARGIN_DEG, xy.max(axis=0) + _MAP_MARGIN_DEG
    places = populated_places(_CITY_MIN_POPULATION)
    inside = (
        (places.lon_deg >= lo[0])
        & (places.lon_deg <= hi[0])
        & (places.lat_deg >= lo[1])
        & (places.lat_deg <= hi[1])
    )
    return [
        [
            places.names[i],
            float(places.lon_deg[i]),
            float(places.lat_deg[i]),
            int(places.population[i]),
        ]
        for i in np.flatnonzero(inside)
    ]


def _assumptions(run: Run) -> dict[str, Any]:
    """List the scenario's settings a reader needs to judge the result, as table rows."""
    s = run.scenario
    return {
        "nations": [
            {
                "code": code,
                "zone": n.roe.zone.kind.value
                + (
                    f" {n.roe.zone.buffer_km:g} km into {', '.join(n.roe.zone.into)}"
                    if n.roe.zone.kind.value == "buffer"
                    else ""
                ),
                "classes": ", ".join(c.value for c in n.roe.classes),
                "must_head": n.roe.must_head_to_own_territory,
                "delay_s": n.roe.authorization_delay_s,
                "cap": n.roe.max_engagements_outside_own_airspace,
                "no_populated": n.roe.no_intercept_over_own_populated_area,
                "alliances": ", ".join(n.alliances),
            }
            for code, n in s.nations.items()
        ],
        "units": [
            {
                "id": u.id,
                "system": u.system,
                "nation": u.nation,
                "lon": u.position.lon_deg,
                "lat": u.position.lat_deg,
                "stock": "catalog" if u.stock is None else u.stock,
                "engages": "all" if u.engages is None else ", ".join(c.value for c in u.engages),
                "label": u.label,
            }
            for u in s.fire_units
        ],
        "waves": [
            {
                "threat": w.threat,
                "count": w.count,
                "site": w.launch_site,
                "launch_min": w.launch_time_min,
                "targets": ", ".join(dict.fromkeys(w.targets)),  # each once
                "jitter_km": w.route_jitter_km,
            }
            for w in s.raid.waves
        ],
        "ew_zones": len(s.ew_zones),
        "sensors": len(s.sensors),
    }


def _catalog_used(runs: Sequence[Run]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Every catalog parameter of the threat and system types the runs use, and their sources."""
    catalog = load_catalog()
    used = {k for r in runs for k in (*r.compiled.threat_type_keys, *r.compiled.unit_system_keys)}
    frame = catalog_frame(catalog)
    frame = frame[frame["type_key"].isin(used)]
    rows = [
        {
            "kind": r.kind,
            "type": r.type_key,
            "parameter": r.parameter,
            "value": f"{r.value:g}" if isinstance(r.value, float) else str(r.value),
            "unit": r.unit,
            "confidence": r.confidence,
            "basis": r.basis,
            "sources": r.sources,
        }
        for r in frame.itertuples()
    ]
    keys = sorted({k for r in rows for k in str(r["sources"]).split(", ") if k})
    sources = [
        {
            "key": k,
            "title": catalog.sources[k].title,
            "organisation": catalog.sources[k].organisation,
            "date": catalog.sources[k].date,
            "url": catalog.sources[k].url,
        }
        for k in keys
        if k in catalog.sources
    ]
    return rows, sources


def _comparison(comparison: PolicyComparison) -> dict[str, Any]:
    """Paired differences of the measures any policy changes, rounded for reading."""
    tables = comparison.tables()  # the result protocol's tables
    diffs = tables["differences"]
    moved = (
        tables["summary"]
        .groupby(["measure", "key"])["mean"]
        .apply(lambda m: bool((m.abs() > 0).any()))
    )
    rows = []
    for r in diffs.itertuples():
        if not moved[(r.measure, r.key)]:
            continue
        scale = 1e-6 if "cost" in str(r.measure) else 1.0
        # as `skyshield compare` prints it: "rounds: PL", not the column id "rounds/PL"
        measure = str(r.measure).replace("_", " ")
        name = f"{measure}: {r.key}" if r.key else measure
        rows.append(
            {
                "measure": name + (" (USD M)" if scale != 1.0 else ""),
                "policy": r.policy,
                "baseline_mean": r.baseline_mean * scale,
                "mean": r.mean * scale,
                "diff": r.diff * scale,
                "paired_ci95": r.paired_ci95 * scale,
                "unpaired_ci95": r.unpaired_ci95 * scale,
            }
        )
    return {
        "baseline": comparison.names[0],
        "replications": comparison.replications,
        "seed": comparison.seed,
        "rows": rows,
    }


def route_spread(
    run: Run, max_route_sets: int = SPREAD_ROUTE_SETS, vertices: int = SPREAD_VERTICES
) -> dict[str, Any]:
    """Every threat's route in up to ``max_route_sets`` of the run's route sets (GeoJSON).

    The spread of the raid over nights: each replication flies one route set, so these are
    the routes the run's nights drew from. Each route is cut to ``vertices`` of its pieces'
    vertices, evenly spaced from launch to its end (the whole planned flight, fate or not), to
    keep the page small; the shown night's routes carry every vertex.
    """
    classes = list(ThreatClass)
    features = []
    for r, pieces in enumerate(run.geometry.pieces[:max_route_sets]):
        for i in range(pieces.n_threats):
            lo, hi = int(pieces.vertex_offset[i]), int(pieces.vertex_offset[i + 1])
            k = np.unique(np.linspace(lo, hi - 1, min(vertices, hi - lo)).round().astype(int))
            coords = np.column_stack([pieces.lon_deg[k], pieces.lat_deg[k]]).round(4).tolist()
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": {
                        "layer": "route_spread",
                        "route_set": r,
                        "threat": i,
                        "threat_class": classes[int(run.compiled.threat_class[i])].value,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def render_report(
    runs: Sequence[ReportRun], comparison: PolicyComparison | None = None, *, version: str = ""
) -> str:
    """Render the HTML report of ``runs`` (and the comparison of their policies, if given).

    Returns
    -------
    str
        A complete HTML document; nothing in it refers to another file or address.
    """
    maps = []
    territories: set[str] = set()  # countries below the intercepts of the maps
    for k, entry in enumerate(runs):
        document = geojson_document(entry.run, entry.replication)
        features = document["features"]
        territories.update(
            str(f["properties"]["territory"])
            for f in features
            if f["properties"]["layer"] == "intercept"
        )
        maps.append(
            {
                "id": f"map-{k}",
                "scenario": entry.run.scenario.name,
                "replication": entry.replication,
                "geojson": document,
                "spread": route_spread(entry.run),
                "route_sets": min(entry.run.geometry.n_realizations, SPREAD_ROUTE_SETS),
                "cities": _cities(document),
                "intercepts": sum(1 for f in features if f["properties"]["layer"] == "intercept"),
                "debris": {
                    "radius_km": DEFAULT_DEBRIS.radius_km,
                    "min_population": DEFAULT_DEBRIS.min_population,
                },
            }
        )
    catalog_rows, sources = _catalog_used([e.run for e in runs])
    tables = [e.summary.tables() for e in runs]  # the result protocol's tables
    # every nation of every scenario, then countries below intercepts that are none of them
    colours = nation_colours(
        [
            *(code for e in runs for code in e.run.scenario.nations),
            *sorted(territories),
        ]
    )
    sections = [
        {
            "name": e.run.scenario.name,
            "description": e.run.scenario.description,
            "notional": e.run.scenario.notional,
            "replications": e.run.replications,
            "seed": e.run.seed,
            "engine": e.run.engine.value,
            "start_time": e.run.scenario.start_time.isoformat(),
            "calibration": e.summary.calibration_applied,  # None: not calibrated
            "map": maps[k],
            "charts": {
                f"chart-{k}-class": by_class_chart(t["by_class"]),
                f"chart-{k}-target": by_target_chart(t["by_target"]),
                f"chart-{k}-unit": by_unit_chart(t["by_unit"], colours),
                f"chart-{k}-nights": nights_chart(
                    fates_per_night(t["threats"], e.run.replications)
                ),
            },
            "assumptions": _assumptions(e.run),
        }
        for k, (e, t) in enumerate(zip(runs, tables, strict=True))
    ]
    import jinja2  # here, not at import: a run imports the report module but renders nothing

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("skyshield.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["script_json"] = lambda v: Markup(script_json(v))
    template = env.get_template("report.html.j2")
    borders = resources.files("skyshield.geo").joinpath("data/borders.geojson").read_text("utf-8")
    return template.render(
        title=" vs ".join(e.run.scenario.name for e in runs),
        sections=sections,
        nation_colours=colours,
        comparison=None if comparison is None else _comparison(comparison),
        catalog_rows=catalog_rows,
        sources=sources,
        leaflet_css=Markup(_leaflet_css()),
        scripts=[
            Markup(_asset(name))
            for name in ("leaflet.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
        ],
        borders=Markup(script_json(json.loads(borders))),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=version,
    )
