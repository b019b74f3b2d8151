"""``--calibration``: the whole fitted set applied as the night model applies it (#23 item 10)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from skyshield import api
from skyshield.api import with_route_sets
from skyshield.calibration.calibrate import Calibration
from skyshield.calibration.fit import FIT_NAMES, Posterior
from skyshield.calibration.model import NAMES, NightEngine
from skyshield.calibration.settings import EmulatorSettings
from skyshield.calibration.surrogate import Surrogate
from skyshield.calibration.transfer import CalibratedPosture
from skyshield.catalog import ThreatClass
from skyshield.engine.compile import compile_scenario
from skyshield.engine.compiled import readonly
from skyshield.engine.pieces import build_pieces
from skyshield.posture import NightComposition
from skyshield.runner.montecarlo import run_own_routes_together, run_replications
from skyshield.scenario import Scenario, load_scenario
from skyshield.settings import EngineKind

TINY = Path(__file__).resolve().parent.parent / "tiny.yaml"
QUIET: dict[str, Any] = {"progress": lambda *_: None}
# every parameter at the value that changes nothing
NEUTRAL = {
    **dict.fromkeys(NAMES, 1.0),
    "decoy_share": 0.0,
    "tasking_beta": 0.0,
    "loss_cruise": 0.0,
    "fail_ballistic": 0.0,
}
DRONE = ThreatClass.DRONE.position


def _posture(seed: int = 1, **theta: float) -> CalibratedPosture:
    return CalibratedPosture(theta={**NEUTRAL, **theta}, seed=seed)


def _with_polish_gepard() -> Scenario:
    data = load_scenario(TINY).model_dump(mode="json", exclude_none=True)
    ally = {**data["fire_units"][1], "id": "pl-gepard", "nation": "PL", "networks": ["ua"]}
    data["fire_units"] = [*data["fire_units"], ally]
    return Scenario.model_validate(data)


def test_family_size__short_units_shoot_as_colocated_units() -> None:
    """posture_short 3: a gepard (pk 0.5 vs drones) kills with 1 - 0.5 ** 3 = 0.875."""
    compiled = compile_scenario(_with_polish_gepard())
    assert compiled.unit_pk[1, DRONE] == pytest.approx(0.5)  # the catalog's gepard vs drones
    adjusted = _posture(posture_short=3.0, posture_medium=2.5)(compiled)
    assert adjusted.unit_pk[1, DRONE] == pytest.approx(0.875)
    # the medium family (iris, stock 2) stands for 2.5 units: channels, ready rounds, rounds
    # x 2.5 rounded up, its single-round kill probability its own
    assert adjusted.unit_channels[0] == int(np.ceil(compiled.unit_channels[0] * 2.5))
    assert adjusted.unit_ready_capacity[0] == int(np.ceil(compiled.unit_ready_capacity[0] * 2.5))
    assert adjusted.unit_stock[0] == 5
    assert np.array_equal(adjusted.unit_pk[0], compiled.unit_pk[0])
    # rounds per target: IRIS-T has no limit (0 stays 0); a limit of 2 at size 2.5 is 5
    assert adjusted.unit_rounds_per_target[0] == 0
    limited = dataclasses.replace(
        compiled, unit_rounds_per_target=readonly(np.array([2, 2, 2], dtype=np.int64))
    )
    assert _posture(posture_medium=2.5)(limited).unit_rounds_per_target[0] == 5
    # an allied unit keeps size 1, as in the night model
    assert np.array_equal(adjusted.unit_pk[2], compiled.unit_pk[2])
    assert adjusted.unit_stock[2] == compiled.unit_stock[2]


def test_family_size__short_tasked_with_the_scenarios_drones() -> None:
    """tasking_beta: the short family's size x (drones / 100) ** beta (tiny flies 4 drones)."""
    compiled = compile_scenario(load_scenario(TINY))
    sizes = _posture(posture_short=2.0, tasking_beta=0.5).unit_sizes(compiled)
    assert sizes[1] == pytest.approx(2.0 * (4 / 100) ** 0.5)  # 0.4
    assert sizes[0] == pytest.approx(1.0)  # iris: medium


def test_units_in_action__drawn_per_night_from_the_index_alone() -> None:
    """Size 0.4: a unit is in action on ~40% of nights, with its rounds, else with none."""
    posture = _posture(seed=5, posture_short=0.4, posture_medium=0.4)
    compiled = posture(compile_scenario(load_scenario(TINY)))
    stock = posture.initial_stock(compiled, np.arange(2000))
    assert stock is not None
    for u in (0, 1):
        assert set(np.unique(stock[:, u])) == {0, int(compiled.unit_stock[u])}
        in_action = float(np.mean(stock[:, u] > 0))
        assert in_action == pytest.approx(0.4, abs=4 * np.sqrt(0.24 / 2000))
    # the same nights whatever the block that asks
    again = posture.initial_stock(compiled, np.arange(1000, 1010))
    assert np.array_equal(again, stock[1000:1010])
    assert _posture(posture_short=1.5).initial_stock(compiled, np.arange(3)) is None


def _runs(**theta: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    scenario = load_scenario(TINY)
    plain = run_replications(scenario, replications=50, seed=7)
    adjusted = run_replications(scenario, replications=50, seed=7, adjust=_posture(seed=7, **theta))
    return plain.outcomes.shots, adjusted.outcomes.shots


def test_run__units_not_in_action_fire_nothing() -> None:
    """Wired through the runner: at size 0.1 the units fire on ~1 night in 10."""
    plain, adjusted = _runs(posture_short=0.1, posture_medium=0.1)
    assert len(plain) > 50
    assert len(adjusted) < 0.35 * len(plain)


def test_run__workers_and_engines_agree_under_a_calibration() -> None:
    scenario = load_scenario(TINY)
    posture = _posture(seed=3, posture_short=0.5, posture_medium=2.0, loss_cruise=3.0)
    one = run_replications(scenario, replications=60, seed=3, adjust=posture)
    two = run_replications(scenario, replications=60, seed=3, adjust=posture, workers=2)
    pd.testing.assert_frame_equal(one.outcomes.threats, two.outcomes.threats)
    # a night's draws depend on its index alone: the first 8 nights, on the reference engine
    fast = run_replications(scenario, replications=8, seed=3, adjust=posture)
    reference = run_replications(
        scenario, replications=8, seed=3, adjust=posture, engine=EngineKind.REFERENCE
    )
    pd.testing.assert_frame_equal(fast.outcomes.threats, reference.outcomes.threats)
    assert (reference.outcomes.threats["fate"] == "fell").any()  # the losses took part


def _missiles(threat: str, count: int) -> Scenario:
    """Missiles at Kharkiv from the east; one unit far off in Lviv that engages nothing."""
    return Scenario.model_validate(
        {
            "name": "losses",
            "nations": {"UA": {"name": "Ukraine"}},
            "assets": {"Kharkiv": {"city": "Kharkiv", "country": "UA"}},
            "networks": {"ua": {}},
            "fire_units": [
                {
                    "id": "far",
                    "system": "gepard",
                    "nation": "UA",
                    "position": {"lon_deg": 24.0, "lat_deg": 49.8},
                    "networks": ["ua"],
                }
            ],
            "raid": {
                "launch_sites": {"east": {"lon_deg": 40.5, "lat_deg": 51.0}},
                "waves": [
                    {
                        "threat": threat,
                        "count": count,
                        "launch_site": "east",
                        "targets": ["Kharkiv"],
                    }
                ],
            },
            "monte_carlo": {"replications": 100, "seed": 11, "route_sets": 4},
        }
    )


def test_losses__cruise_fall_at_the_fitted_rate_per_hour() -> None:
    """loss_cruise 0.3/h: P(fell) = 1 - exp(-0.3 x flight hours), within Monte Carlo error."""
    run = run_replications(
        _missiles("kh-101", 20), replications=100, seed=11, adjust=_posture(loss_cruise=0.3)
    )
    threats = run.outcomes.threats
    assert not (threats["fate"] == "intercepted").any()
    flight_h = np.asarray(run.geometry.flight_s)[threats["realization"], threats["threat"]] / 3600
    expected = float(np.mean(1.0 - np.exp(-0.3 * flight_h)))
    fell = float(np.mean(threats["fate"] == "fell"))
    assert 0.05 < expected < 0.5  # a test that can tell the rate from none or from all
    assert fell == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / 2000))


def test_losses__ballistic_fail_at_the_fitted_share_per_flight() -> None:
    """fail_ballistic 0.3: 30% of ballistic missiles fall (none intercepted here)."""
    run = run_replications(
        _missiles("iskander-m", 20), replications=100, seed=11, adjust=_posture(fail_ballistic=0.3)
    )
    fell = float(np.mean(run.outcomes.threats["fate"] == "fell"))
    assert fell == pytest.approx(0.3, abs=4 * np.sqrt(0.21 / 2000))


def test_decoys__only_where_the_scenario_names_none() -> None:
    tiny = compile_scenario(load_scenario(TINY))  # 4 Shahed-type drones, no decoys
    posture = _posture(decoy_share=0.5)
    adjusted = posture(tiny)
    assert int(np.sum(adjusted.threat_class == ThreatClass.DECOY.position)) == 2
    default = compile_scenario(load_scenario("default"))  # names its own decoys
    assert posture.decoys(default).size == 0
    assert np.array_equal(posture(default).threat_class, default.threat_class)


def _calibration_file(directory: Path, theta: dict[str, float]) -> Path:
    row = np.array([theta.get(name, 0.5) for name in FIT_NAMES])
    latest = Posterior(
        "2025-01-01", "2025-04-01", 90, np.tile(row, (5, 1)), np.tile(row, (4, 1)), 0.3
    )
    path = directory / "calibration.json"
    surrogate = Surrogate(np.zeros((3, 2, 4)))
    Calibration(surrogate, EmulatorSettings(), pd.DataFrame(), (latest,)).write(path)
    return path


def test_api__calibration_adjustment_applies_every_fitted_parameter(tmp_path: Path) -> None:
    theta = {**NEUTRAL, "posture_long": 2.7, "loss_cruise": 0.19, "decoy_share": 0.3}
    posture = api.calibration_adjustment(_calibration_file(tmp_path, theta), seed=4)
    assert posture is not None
    assert posture.theta == pytest.approx({name: theta[name] for name in NAMES})
    assert posture.seed == 4
    assert api.calibration_adjustment(None, seed=4) is None


# the 2025-Q1 medians of `calibrate --train-until 2025-04-01` (session 7)
FITTED_2025Q1 = {
    "pk_drone": 1.47,
    "pk_cruise": 0.27,
    "pk_ballistic": 0.38,
    "ew": 0.99,
    "decoy_share": 0.58,
    "posture_long": 2.73,
    "posture_medium": 2.85,
    "posture_short": 0.44,
    "tasking_beta": 0.21,
    "loss_cruise": 0.19,
    "fail_ballistic": 0.15,
}


def test_night_model__a_run_of_its_own_laydown_gives_its_shares() -> None:
    """The laydown run with --calibration's transfer = the night model under the same theta.

    Same scenario (a night of the notional laydown, no route pool), other random streams (the
    route sets, the units in action): per class the shares neutralised and destroyed agree
    within Monte Carlo error.
    """
    composition = NightComposition(drone=40, cruise=8, ballistic=3)
    night = NightEngine(composition, route_sets=2, seed=1, route_pool=False)
    reps = 300
    model = night.simulate(FITTED_2025Q1, reps, seed=5)
    run = run_replications(
        night.scenario,
        replications=reps,
        seed=5,
        adjust=CalibratedPosture(theta=FITTED_2025Q1, seed=1),
    )
    threats = run.outcomes.threats
    report_class = {"drone": "drone", "decoy": "drone", "cruise": "cruise"}
    report_class |= {"supersonic": "cruise", "ballistic": "ballistic"}
    threats = threats.assign(report=threats["threat_class"].astype(str).map(report_class))
    gone = threats["fate"].isin(["lost_to_ew", "fell", "reached_area"])
    for k, name in enumerate(("drone", "cruise", "ballistic")):
        mine = threats[threats["report"] == name]
        launched = len(mine) / reps
        assert launched == model.launched[0, k]
        destroyed = float((mine["fate"] == "intercepted").sum()) / reps / launched
        neutralised = destroyed + float(gone[mine.index].sum()) / reps / launched
        expected_d = float(model.destroyed[:, k].mean()) / launched
        expected_n = float(model.neutralised[:, k].mean()) / launched
        # per-night shares vary: the error of a mean of 300 nights, 4 sd of both, and a floor
        spread = float(np.std(model.neutralised[:, k] / launched)) * np.sqrt(2 / reps)
        tolerance = 4 * spread + 0.02
        assert neutralised == pytest.approx(expected_n, abs=tolerance), name
        assert destroyed == pytest.approx(expected_d, abs=tolerance + 0.02), name


def test_sweep_point__its_pk_scale_multiplies_the_fitted_ones() -> None:
    point = _posture(seed=1, pk_cruise=0.27, posture_long=2.7).for_point({"pk_cruise": 2.0}, 9)
    assert point.theta["pk_cruise"] == pytest.approx(0.54)
    assert point.theta["posture_long"] == pytest.approx(2.7)
    assert point.seed == 9


def test_loss_rates__cruise_per_hour_ballistic_per_flight() -> None:
    """The hazards alone, no engine: cruise + 0.3 an hour; ballistic 1 - (1 - 0.3) a flight."""
    cruise = compile_scenario(_missiles("kh-101", 3))
    added = _posture(loss_cruise=0.3).loss_rates(cruise) - cruise.threat_loss_rate_per_s
    assert added == pytest.approx(np.full(3, 0.3 / 3600.0))
    ballistic = compile_scenario(_missiles("iskander-m", 3))
    added = _posture(fail_ballistic=0.3).loss_rates(ballistic) - ballistic.threat_loss_rate_per_s
    routes = np.stack([ballistic.route_lon_deg, ballistic.route_lat_deg])
    flight_s = np.asarray(build_pieces(ballistic, routes).flight_s)
    assert flight_s.min() > 120.0  # minutes of flight: per flight is not per hour
    assert 1.0 - np.exp(-added * flight_s) == pytest.approx(np.full(3, 0.3))


def test_run__every_night_its_own_routes_draws_the_units_too() -> None:
    """The block-by-block paths (route_sets all, > 25 nights) take the units in action too."""
    scenario = with_route_sets(load_scenario(TINY), "all")
    posture = _posture(seed=7, posture_short=0.1, posture_medium=0.1)
    plain = run_replications(scenario, replications=30, seed=7)
    alone = run_replications(scenario, replications=30, seed=7, adjust=posture)
    assert len(alone.outcomes.shots) < 0.35 * len(plain.outcomes.shots)
    (together,) = run_own_routes_together([scenario], replications=30, seed=7, adjust=posture)
    pd.testing.assert_frame_equal(alone.outcomes.threats, together.outcomes.threats)
