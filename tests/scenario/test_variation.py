"""``--vary`` values (:func:`skyshield.scenario.variation.parse_variation`): lists and mappings.

The page's policy form writes a list of classes or an optional object as one YAML flow value;
the commas inside it do not separate values.
"""

from __future__ import annotations

import pytest

from skyshield.errors import ScenarioError
from skyshield.scenario import load_scenario
from skyshield.scenario.variation import apply_variation, parse_variation


def test_parse_variation__commas_inside_brackets_braces_and_quotes_stay_in_the_value() -> None:
    v = parse_variation("nations.PL.roe.classes=[drone, cruise],[ballistic]")
    assert v.values == (["drone", "cruise"], ["ballistic"])
    v = parse_variation("nations.PL.roe.threat_assessment={within_km: 30, horizon_min: 20},null")
    assert v.values == ({"within_km": 30, "horizon_min": 20}, None)
    assert parse_variation('nations.PL.name="Poland, Republic of",x').values == (
        "Poland, Republic of",
        "x",
    )
    assert parse_variation("a.b=60,600").values == (60, 600)


def test_parse_variation__a_broken_value_is_one_line_naming_the_path() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_variation("nations.PL.roe.classes=[drone")
    assert str(err.value) == (
        "--vary: nations.PL.roe.classes: expected a YAML value (a number, true, a name, "
        "[a list] or {a: mapping}), got '[drone'"
    )


def test_apply_variation__a_list_and_an_object_set_as_the_yaml_file_would() -> None:
    scenario = load_scenario("western-raid-poland-100km")
    for text in (
        "nations.PL.roe.classes=[drone, cruise]",
        "nations.PL.roe.threat_assessment={within_km: 30, horizon_km: null, horizon_min: 20}",
    ):
        v = parse_variation(text)
        scenario = apply_variation(scenario, v.path, v.values[0], source="test")
    roe = scenario.nations["PL"].roe
    assert [c.value for c in roe.classes] == ["drone", "cruise"]
    assert roe.threat_assessment is not None
    assert (roe.threat_assessment.within_km, roe.threat_assessment.horizon_min) == (30, 20)
