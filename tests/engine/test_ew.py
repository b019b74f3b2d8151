"""Electronic warfare in space (:mod:`skyshield.engine.ew`): losses only inside zones, at the
catalog rate per km, against closed forms."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import readonly
from skyshield.engine.ew import ew_exposure
from skyshield.engine.outcomes import Fate
from skyshield.engine.pieces import positions_at
from skyshield.geo import find_city, geodesic_distance_m

from ._build import one_on_one, prepare, scenario

KYIV = find_city("Kyiv", "UA")
RADIUS_KM = 50.0


def _drones_through_kyiv_zone(count: int = 1) -> dict[str, Any]:
    """Shaheds flying straight to Kyiv, an EW disc of 50 km on Kyiv, a unit with no rounds."""
    d = one_on_one(threat="shahed-136", count=count, stock=0)
    d["ew_zones"] = [
        {
            "id": "kyiv",
            "nation": "UA",
            "position": {"lon_deg": KYIV.lon_deg, "lat_deg": KYIV.lat_deg},
            "radius_km": RADIUS_KM,
        }
    ]
    return d


def _exposure_of(compiled):  # type: ignore[no-untyped-def]
    pieces = prepare(compiled, seed=1, n_reps=1).geometry.pieces[0]
    return pieces, ew_exposure(compiled, pieces)


def test_ew_exposure__radius_flown_inside_the_disc() -> None:
    compiled = compile_scenario(scenario(_drones_through_kyiv_zone()))
    _, exposure = _exposure_of(compiled)
    assert exposure.exposure_m[0] == 0.0
    assert np.all(np.diff(exposure.exposure_m) >= 0)
    # the target is the disc's centre: the drone flies one radius inside (its ground track
    # against the disc's chord; the flight at cruise altitude is within metres as long)
    assert abs(exposure.exposure_m[-1] - RADIUS_KM * 1000) <= 50.0


def test_ew_exposure__no_zone_no_exposure() -> None:
    compiled = compile_scenario(scenario(one_on_one(threat="shahed-136")))
    _, exposure = _exposure_of(compiled)
    assert not exposure.exposure_m.any()


def test_ew_exposure__matches_brute_force_with_overlapping_zones(
    rng: np.random.Generator,
) -> None:
    """Three discs of different strength near the route, overlapping: the exposure at every
    knot against a 0.5 s brute force (strongest disc by geodesic distance, metres flown)."""
    d = _drones_through_kyiv_zone(count=4)
    d["raid"]["waves"][0]["route_jitter_km"] = 20
    d["ew_zones"] = [
        {
            "id": f"z{k}",
            "nation": "UA",
            "position": {
                "lon_deg": float(rng.uniform(30.8, 32.5)),
                "lat_deg": float(rng.uniform(50.1, 50.6)),
            },
            "radius_km": float(rng.uniform(10, 40)),
            "strength": float(strength),
        }
        for k, strength in enumerate([0.5, 1.0, 2.0])
    ]
    compiled = compile_scenario(scenario(d))
    pieces, exposure = _exposure_of(compiled)
    for i in range(compiled.n_threats):
        t = np.arange(0.0, float(pieces.flight_s[i]), 0.5)
        lon, lat, _, ecef = positions_at(pieces, np.full(t.size, i), t)
        strength = np.zeros(t.size)
        for z in range(compiled.ew_zone_radius_m.size):
            inside = (
                geodesic_distance_m(
                    compiled.ew_zone_lon_deg[z], compiled.ew_zone_lat_deg[z], lon, lat
                )
                <= compiled.ew_zone_radius_m[z]
            )
            strength[inside] = np.maximum(strength[inside], compiled.ew_zone_strength[z])
        step = np.linalg.norm(np.diff(ecef, axis=0), axis=1) * 0.5 * (strength[1:] + strength[:-1])
        brute = np.concatenate([[0.0], np.cumsum(step)])
        lo, hi = exposure.knot_offset[i], exposure.knot_offset[i + 1]
        got = np.interp(t, exposure.time_s[lo:hi], exposure.exposure_m[lo:hi])
        # a 0.5 s step at 50 m/s is 25 m: the trapezoid errs by at most one step per edge
        edges = 2 * 3 * 2
        assert np.abs(got - brute).max() <= edges * 25.0 * 2.0
    assert exposure.exposure_m.max() > 0


def test_simulate_fast__ew_loss_share_and_place_closed_form() -> None:
    """P(lost) = 1 − (1 − p)^(R / 100 km) = 1 − 0.5^0.5 = 0.2929, and only inside the disc.

    Random falls (issue #22) switched off: they would take drones before the disc.
    """
    compiled = compile_scenario(scenario(_drones_through_kyiv_zone()))
    compiled = dataclasses.replace(
        compiled, threat_loss_rate_per_s=readonly(np.zeros(compiled.n_threats))
    )
    n = 4000
    prepared = prepare(compiled, seed=3, n_reps=n)
    raw = prepared.fast()
    lost = raw.fate[:, 0] == Fate.LOST_TO_EW
    expected = 1 - 0.5 ** (RADIUS_KM / 100)
    assert abs(lost.mean() - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    threats = prepared.tables(raw).threats
    where = threats[threats["fate"] == "lost_to_ew"]
    distance = geodesic_distance_m(
        np.full(len(where), KYIV.lon_deg),
        np.full(len(where), KYIV.lat_deg),
        where["lon_deg"].to_numpy(),
        where["lat_deg"].to_numpy(),
    )
    step_m = compiled.threat_speed_mps[0] * compiled.time_step_s
    assert distance.max() <= RADIUS_KM * 1000 + step_m
    # uniform hazard along the 50 km: losses spread over the whole disc, not at its edge
    assert distance.min() < 0.1 * RADIUS_KM * 1000
    assert np.median(distance) > 0.3 * RADIUS_KM * 1000


def test_simulate_fast__missiles_never_lost_to_ew() -> None:
    d = _drones_through_kyiv_zone()
    d["raid"]["waves"][0]["threat"] = "kh-101"
    compiled = compile_scenario(scenario(d))
    raw = prepare(compiled, seed=3, n_reps=200).fast()
    assert not (raw.fate == Fate.LOST_TO_EW).any()


def test_ew_exposure__zone_reject_same_as_every_zone() -> None:
    """The zone reject (per run of pieces) only passes over zones no piece enters: the record raid's
    knots equal those of testing every piece against every zone, bit for bit."""
    from skyshield.engine.draws import realization_rng
    from skyshield.engine.ew import _exposure
    from skyshield.engine.flight import realize_routes
    from skyshield.engine.pieces import build_pieces
    from skyshield.geo import lonlat_to_ecef_m
    from skyshield.scenario import load_scenario

    compiled = compile_scenario(load_scenario("record-raid"))
    pieces = build_pieces(compiled, realize_routes(compiled, rng=realization_rng(4, 0)))
    exposure = ew_exposure(compiled, pieces)
    ground = np.asarray(lonlat_to_ecef_m(pieces.lon_deg, pieces.lat_deg, 0.0), dtype=np.float64)
    centre = np.asarray(
        lonlat_to_ecef_m(compiled.ew_zone_lon_deg, compiled.ew_zone_lat_deg, 0.0), dtype=np.float64
    ).reshape(-1, 3)
    r = 6_371_008.8
    chord = 2.0 * r * np.sin(np.minimum(compiled.ew_zone_radius_m / (2.0 * r), np.pi / 2))
    every = _exposure(
        pieces.vertex_offset, pieces.time_s, pieces.ecef_m, ground, centre,
        np.ascontiguousarray(chord, dtype=np.float64),
        np.ascontiguousarray(compiled.ew_zone_strength, dtype=np.float64), False,
    )  # fmt: skip
    last = exposure.exposure_m[exposure.knot_offset[1:] - 1]
    assert compiled.ew_zone_radius_m.size >= 5
    assert (last > 0).sum() > 50
    for mine, theirs in zip(
        (exposure.knot_offset, exposure.time_s, exposure.exposure_m), every, strict=True
    ):
        assert np.array_equal(mine, theirs)


def test_ew_exposure__knot_arrays_grow_keeping_earlier_threats() -> None:
    """Thirty identical discs and ten straight 200 km pieces through their centre: the knot
    arrays (room for the vertices) grow more than once, later threats' growth keeps the earlier
    knots, and every threat's exposure is the disc's diameter (its chord through the centre)."""
    from skyshield.engine.ew import _exposure

    n_threats, n_zones, chord = 10, 30, 40_000.0
    vertex_offset = np.arange(0, 2 * n_threats + 1, 2, dtype=np.int64)
    time_s = np.tile([0.0, 1_000.0], n_threats)
    ecef = np.zeros((2 * n_threats, 3))
    ecef[:, 0] = 6_371_000.0
    ecef[0::2, 1], ecef[1::2, 1] = -100_000.0, 100_000.0
    ecef[:, 2] = np.repeat(np.linspace(-1_000.0, 1_000.0, n_threats), 2)
    centre = np.tile([6_371_000.0, 0.0, 0.0], (n_zones, 1))
    # read-only where the pieces' arrays are, as ew_exposure passes them (no new compilation)
    offset, knot_time, knot_exp = _exposure(
        readonly(vertex_offset), readonly(time_s), readonly(ecef), ecef.copy(), centre,
        np.full(n_zones, chord), readonly(np.linspace(0.5, 1.0, n_zones)), True,
    )  # fmt: skip
    assert np.array_equal(offset, np.arange(0, 4 * n_threats + 1, 4))
    for i in range(n_threats):
        knots = slice(offset[i], offset[i + 1])
        half = np.sqrt(chord**2 - ecef[2 * i, 2] ** 2)
        assert np.allclose(knot_exp[knots], [0.0, 0.0, 2 * half, 2 * half], rtol=1e-9)
        assert np.allclose(knot_time[knots], [0.0, 500 - half / 200, 500 + half / 200, 1_000])
