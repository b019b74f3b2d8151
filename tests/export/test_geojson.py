"""Tests of skyshield.exporting.geojson: read back with shapely, positions against the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest
from shapely.geometry import shape
from tests.export.conftest import engine_positions

from skyshield.engine.pieces import track_samples
from skyshield.exporting import ExportFormat, export_text
from skyshield.exporting.geojson import LAYERS
from skyshield.runner.montecarlo import Run


@pytest.fixture(scope="module")
def document(run: Run, replication: int) -> dict:
    return json.loads(export_text(run, ExportFormat.GEOJSON, replication))


def _layer(document: dict, name: str) -> list[dict]:
    return [f for f in document["features"] if f["properties"]["layer"] == name]


def test_geojson__every_geometry_valid(document: dict) -> None:
    assert document["type"] == "FeatureCollection"
    for f in document["features"]:
        geometry = shape(f["geometry"])
        assert not geometry.is_empty, f["properties"]
        assert geometry.is_valid, f["properties"]
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        # lon 10..60, lat 40..60 holds every launch site and target of the raid; swapped,
        # Lviv (24.0 E, 49.8 N) would sit at latitude 24
        assert lon_min > 10, f["properties"]
        assert lon_max < 60, f["properties"]
        assert lat_min > 40, f["properties"]
        assert lat_max < 60, f["properties"]
    assert {f["properties"]["layer"] for f in document["features"]} <= set(LAYERS)


def test_geojson__counts_match_the_run(document: dict, run: Run, replication: int) -> None:
    shots = run.outcomes.shots
    n_shots = int((shots["replication"] == replication).sum())
    assert n_shots > 0  # else the intercept checks below check nothing
    assert len(_layer(document, "intercept")) == n_shots
    assert len(_layer(document, "route")) == run.compiled.n_threats
    assert len(_layer(document, "fire_unit")) == run.compiled.n_units
    assert len(_layer(document, "envelope")) == run.compiled.n_units
    assert len(_layer(document, "roe_zone")) == len(run.scenario.nations)
    assert len(_layer(document, "ew_zone")) == len(run.scenario.ew_zones)
    threats = run.outcomes.threats
    mine = threats[threats["replication"] == replication]
    assert len(_layer(document, "fate")) == int((mine["fate"] != "intercepted").sum())


def test_geojson__units_and_intercepts_where_the_tables_say(
    document: dict, run: Run, replication: int
) -> None:
    for f, unit in zip(_layer(document, "fire_unit"), run.scenario.fire_units, strict=True):
        assert f["geometry"]["coordinates"] == pytest.approx(
            [unit.position.lon_deg, unit.position.lat_deg]
        )
    shots = run.outcomes.shots
    shots = shots[shots["replication"] == replication]
    got = np.asarray([f["geometry"]["coordinates"] for f in _layer(document, "intercept")])
    np.testing.assert_allclose(got, shots[["lon_deg", "lat_deg"]].to_numpy(), atol=1e-9)


def test_geojson__route_vertices_are_engine_positions(
    document: dict, run: Run, replication: int
) -> None:
    threats = run.outcomes.threats
    mine = threats[threats["replication"] == replication].set_index("threat")
    for f in _layer(document, "route"):
        p = f["properties"]
        coords = np.asarray(f["geometry"]["coordinates"])
        assert coords.shape[1] == 3
        # vertices lie on the engine's trajectory at sample times: the engine's position at
        # the vertex's time is the vertex; times are launch + k * time step, then the fate
        launch, end = mine.loc[p["threat"], "launch_time_s"], mine.loc[p["threat"], "time_s"]
        assert p["launch_time_s"] == pytest.approx(launch)
        assert p["end_time_s"] == pytest.approx(end)
        lon, lat, alt = engine_positions(run, replication, p["threat"], np.asarray([launch, end]))
        np.testing.assert_allclose(coords[0], [lon[0], lat[0], alt[0]], atol=1e-9)
        np.testing.assert_allclose(coords[-1], [lon[1], lat[1], alt[1]], atol=1e-9)
        np.testing.assert_allclose(
            coords[-1, :2], mine.loc[p["threat"], ["lon_deg", "lat_deg"]].astype(float), atol=1e-9
        )
        # every vertex lies on the threat's path in this replication, at its time
        i = p["threat"]
        times = launch + np.asarray(
            track_samples(
                run.geometry.pieces[int(mine.loc[p["threat"], "realization"])],
                i,
                float(run.compiled.time_step_s),
                end - launch,
            )[0]
        )
        lon, lat, alt = engine_positions(run, replication, i, times)
        # the route keeps a simplified subset of the display samples, in order, ends included
        on_path = np.column_stack([lon, lat, alt])
        gap = np.abs(coords[:, None, :2] - on_path[None, :, :2]).max(axis=2)
        index = gap.argmin(axis=1)
        assert gap[np.arange(len(coords)), index].max() <= 1e-9
        assert index[0] == 0
        assert index[-1] == len(on_path) - 1
        assert (np.diff(index) > 0).all()
        np.testing.assert_allclose(coords[:, 2], on_path[index, 2], atol=1e-6)


def test_geojson__a_fate_point_is_near_populated_within_the_debris_rules_distance(
    document: dict,
) -> None:
    from skyshield.geo import populated_places
    from skyshield.metrics.policy import DEFAULT_DEBRIS

    places = populated_places(DEFAULT_DEBRIS.min_population)
    lon0, lat0 = np.radians(places.lon_deg), np.radians(places.lat_deg)
    fates = _layer(document, "fate")
    # both answers occur (impacts at towns, EW losses in the fields), so both are checked
    assert {f["properties"]["near_populated"] for f in fates} == {True, False}
    for f in fates:
        lon, lat = np.radians(f["geometry"]["coordinates"][:2])
        # great-circle distance to every place (a sphere of 6,371 km; the rule's chord
        # differs by metres at these distances): a slack of 50 m either side
        cos = np.sin(lat) * np.sin(lat0) + np.cos(lat) * np.cos(lat0) * np.cos(lon0 - lon)
        nearest_km = float(np.min(6371.0 * np.arccos(np.clip(cos, -1.0, 1.0))))
        if abs(nearest_km - DEFAULT_DEBRIS.radius_km) > 0.05:
            expected = nearest_km < DEFAULT_DEBRIS.radius_km
            assert f["properties"]["near_populated"] is expected, (nearest_km, f["properties"])
