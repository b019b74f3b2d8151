"""Invariants of the fast engine (:mod:`skyshield.engine.fast`) over generated scenarios.

Hypothesis draws small raids (1–3 waves of 1–6 Shahed-136, Gerbera, Kh-101 or Iskander-M) on
Ukrainian cities, 1–4 Ukrainian units of random systems at random places in lon 24..36,
lat 46.5..51.5 or near a target city, and (in two thirds of the examples) 1–2 Polish units
under a buffer ROE of random depth into Ukraine, random authorization delay, classes, heading
rule and cap. Examples are derandomized, so the suite is deterministic. Every shot must obey
its nation's rules, and the outcome tables must be consistent with each other.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.outcomes import Fate
from skyshield.geo import distance_to_territory_m, find_city

from ._build import prepare, scenario

N_REPS = 5
THREATS = ("shahed-136", "gerbera", "kh-101", "iskander-m")
UA_SYSTEMS = ("iris-t-slm", "patriot-gem-t", "nasams", "gepard", "s-300", "mobile-fire-group")
PL_SYSTEMS = ("patriot-gem-t", "patriot-gem-t", "iris-t-slm")
TARGETS = ("Kyiv", "Lviv", "Lutsk", "Zhytomyr")
_CITY = {t: (find_city(t, "UA").lon_deg, find_city(t, "UA").lat_deg) for t in TARGETS}
SITES = {
    "north": {"lon_deg": 31.0, "lat_deg": 51.6},
    "east": {"lon_deg": 34.0, "lat_deg": 50.2},
    "south": {"lon_deg": 30.0, "lat_deg": 47.5},
}


def _position(lon: tuple[float, float], lat: tuple[float, float]) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            "lon_deg": st.floats(*lon).map(lambda v: round(v, 3)),
            "lat_deg": st.floats(*lat).map(lambda v: round(v, 3)),
        }
    )


def _near_target() -> st.SearchStrategy:
    """Somewhere within ~0.3° of a target city, where most raids pass."""
    return st.sampled_from([_CITY[t] for t in TARGETS]).flatmap(
        lambda c: _position((c[0] - 0.3, c[0] + 0.3), (c[1] - 0.2, c[1] + 0.2))
    )


@st.composite
def raids(draw: st.DrawFn) -> dict[str, Any]:
    waves = [
        {
            "threat": draw(st.sampled_from(THREATS)),
            "count": draw(st.integers(1, 6)),
            "launch_site": draw(st.sampled_from(sorted(SITES))),
            "launch_spacing_s": draw(st.sampled_from([0, 10, 60])),
            "launch_jitter_s": draw(st.sampled_from([0, 60])),
            "route_jitter_km": draw(st.sampled_from([0, 10])),
            "targets": draw(
                st.lists(
                    st.sampled_from(TARGETS[1:]) | st.sampled_from(TARGETS), min_size=1, max_size=2
                )
            ),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    units = [
        {
            "id": f"ua-{i}",
            "system": draw(st.sampled_from(UA_SYSTEMS)),
            "nation": "UA",
            "position": draw(_position((24.0, 36.0), (46.5, 51.5)) | _near_target()),
            "stock": draw(st.none() | st.integers(0, 6)),
            "networks": ["ua"],
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    nations: dict[str, Any] = {"UA": {"name": "Ukraine"}}
    networks: dict[str, Any] = {"ua": {}}
    sensors = [
        {
            "id": "ua-eye",
            "nation": "UA",
            "position": {"lon_deg": 30.0, "lat_deg": 49.5},
            "radar_range_km": 800,
            "reference_rcs_m2": 1,
            "height_m": 5000,
            "networks": ["ua"],
        }
    ]
    if draw(st.integers(0, 2)) > 0:  # Poland in two thirds of the examples
        nations["PL"] = {
            "name": "Poland",
            "roe": {
                "zone": {
                    "kind": "buffer",
                    "buffer_km": draw(st.sampled_from([20, 80, 150])),
                    "into": ["UA"],
                },
                "classes": draw(
                    st.lists(
                        st.sampled_from([c.value for c in ThreatClass]), min_size=3, unique=True
                    )
                ),
                "must_head_to_own_territory": draw(st.booleans()),
                "authorization_delay_s": draw(st.sampled_from([0, 30, 300])),
                "max_engagements_outside_own_airspace": draw(st.none() | st.integers(0, 3)),
            },
        }
        networks["pl"] = {}
        sensors.append(
            {
                "id": "pl-eye",
                "nation": "PL",
                "position": {"lon_deg": 23.0, "lat_deg": 50.5},
                "radar_range_km": 400,
                "reference_rcs_m2": 1,
                "height_m": 1000,
                "networks": ["pl"],
            }
        )
        units += [
            {
                "id": f"pl-{i}",
                "system": draw(st.sampled_from(PL_SYSTEMS)),
                "nation": "PL",
                "position": draw(_position((22.6, 23.3), (49.7, 51.0))),
                "networks": ["pl"],
            }
            for i in range(draw(st.integers(1, 2)))
        ]
    return {
        "name": "generated",
        "nations": nations,
        "assets": {t: {"city": t, "country": "UA", "value": 1 + i} for i, t in enumerate(TARGETS)},
        "networks": networks,
        "sensors": sensors,
        "fire_units": units,
        "raid": {"launch_sites": SITES, "waves": waves},
        "monte_carlo": {
            "replications": N_REPS,
            "seed": draw(st.integers(0, 2**32)),
            "route_sets": draw(st.integers(1, 2)),
        },
    }


def _engagements(shots: pd.DataFrame) -> pd.DataFrame:
    return shots.drop_duplicates(["replication", "threat", "fire_time_s", "unit"])


@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(raids())
def test_simulate_fast__outcomes_obey_every_rule(d: dict[str, Any]) -> None:
    sc = scenario(d)
    compiled = compile_scenario(sc)
    mc = d["monte_carlo"]
    prepared = prepare(compiled, seed=mc["seed"], n_reps=N_REPS, n_real=mc["route_sets"])
    raw = prepared.fast()
    out = prepared.tables(raw)
    threats, shots = out.threats, out.shots
    n = compiled.n_threats
    dt = compiled.time_step_s

    # exactly one fate per threat per replication
    assert len(threats) == n * N_REPS
    assert not threats.duplicated(["replication", "threat"]).any()
    assert threats["fate"].notna().all()

    # rounds per unit per replication within its stock
    rounds = shots.groupby(["replication", "unit"], observed=True).size()
    stock = dict(zip(compiled.unit_ids, compiled.unit_stock, strict=True))
    for (_, unit), count in rounds.items():
        assert count <= stock[unit], (unit, count, stock[unit])

    nation_pos = {code: i for i, code in enumerate(compiled.nation_codes)}
    unit_pos = {uid: i for i, uid in enumerate(compiled.unit_ids)}
    classes = [c.value for c in ThreatClass]
    for row in shots.itertuples(index=False):
        nation = nation_pos[row.nation]
        u = unit_pos[row.unit]
        cls = classes.index(str(row.threat_class))
        # class allowed by the nation, tasked to the unit, killable by the system
        assert compiled.roe_classes[nation, cls], row
        assert compiled.unit_tasked[u, cls], row
        assert compiled.unit_pk[u, cls] > 0, row
        # intercept point in the nation's zone
        own = row.nation
        if row.territory != own:
            zone = sc.nations[own].roe.zone
            assert zone.kind.value == "buffer", row
            assert str(row.territory) in zone.into, row
            dist = float(distance_to_territory_m(row.lon_deg, row.lat_deg, own))
            assert dist <= zone.buffer_km * 1000.0, (row, dist)
            assert row.outside_own_airspace
        assert row.intercept_time_s > row.fire_time_s

    # caps on engagements outside own airspace, per nation per replication
    outside = _engagements(shots[shots["outside_own_airspace"]])
    for (_, nation), count in outside.groupby(["replication", "nation"]).size().items():
        cap = sc.nations[nation].roe.max_engagements_outside_own_airspace
        assert cap is None or count <= cap, (nation, count, cap)

    # fates consistent with the shots
    fate_of = threats.set_index(["replication", "threat"])
    hits = shots[shots["hit"]]
    for (rep, i), fate in fate_of.iterrows():
        mine = shots[(shots["replication"] == rep) & (shots["threat"] == i)]
        assert (mine["fire_time_s"] < fate["time_s"]).all(), (rep, i)
        my_hits = hits[(hits["replication"] == rep) & (hits["threat"] == i)]
        if fate["fate"] == Fate.INTERCEPTED.label:
            killing = my_hits[my_hits["intercept_time_s"] == fate["time_s"]]
            assert len(killing) >= 1, (rep, i)
            assert (killing["unit"] == fate["unit"]).all()
            assert killing["fire_time_s"].nunique() == 1  # one engagement
            assert (my_hits["intercept_time_s"] >= fate["time_s"]).all()
        elif fate["fate"] == Fate.LOST_TO_EW.label:
            assert my_hits.empty, (rep, i)  # a round arriving after the loss finds nothing
            assert fate["unit"] == ""
        else:
            assert my_hits.empty, (rep, i)
            assert fate["unit"] == ""

    # no shot before the shooter's network tracks the threat plus the authorization delay
    launch = prepared.draws.launch_step[raw.shot_rep, raw.shot_threat]
    real = prepared.draws.realization[raw.shot_rep, raw.shot_threat]
    for s in range(raw.shot_rep.size):
        u, i = int(raw.shot_unit[s]), int(raw.shot_threat[s])
        track = prepared.geometry.windows[int(real[s])].track_s[:, i]
        first = track[compiled.unit_networks[u]].min()
        delay = compiled.roe_delay_s[compiled.unit_nation[u]]
        assert (raw.shot_step[s] - launch[s]) * dt >= first + delay, (s, u, i)
