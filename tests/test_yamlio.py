"""The strict YAML reader: duplicate keys, aliases, size, all refused with a line, quickly."""

from __future__ import annotations

import time

import pytest
import yaml

from skyshield.errors import ScenarioError
from skyshield.scenario import builtin_scenario_names, builtin_scenario_path, parse_scenario
from skyshield.yamlio import MAX_BYTES_ENV, YamlInputError, load_yaml

BILLION_LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
)


def test_load_yaml__plain_document() -> None:
    assert load_yaml("a: 1\nb: [2, 3]\n") == {"a": 1, "b": [2, 3]}


def test_load_yaml__duplicate_key_names_it_and_its_line() -> None:
    with pytest.raises(YamlInputError) as err:
        load_yaml("unit:\n  stock: 8\n  stock: 0\n")
    assert err.value.expected == "each key once per mapping"
    assert err.value.found == "'stock' a second time at line 3, column 3"
    assert err.value.path == ("unit", "stock")


def test_load_yaml__duplicate_key_path_through_lists() -> None:
    text = "waves:\n  - count: 1\n  - count: 2\n    threat: x\n    count: 3\n"
    with pytest.raises(YamlInputError) as err:
        load_yaml(text)
    assert err.value.path == ("waves", 1, "count")
    assert err.value.found == "'count' a second time at line 5, column 5"


def test_load_yaml__the_first_repeated_key_of_the_file_is_reported() -> None:
    with pytest.raises(YamlInputError) as err:
        load_yaml("x: {a: 1, a: 2}\ny: [{b: 1, b: 2}]\n")
    assert err.value.path == ("x", "a")


def test_load_yaml__same_key_in_sibling_mappings_is_fine() -> None:
    assert load_yaml("a: {x: 1}\nb: {x: 2}\n") == {"a": {"x": 1}, "b": {"x": 2}}


def test_load_yaml__alias_bomb_refused_fast() -> None:
    assert len(BILLION_LAUGHS) < 1024  # a 1 KB file that expands to 10^9 items
    start = time.perf_counter()
    with pytest.raises(YamlInputError, match="anchors or aliases"):
        load_yaml(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1.0


def test_load_yaml__size_cap_and_override(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: " + "x" * 2000 + "\n"
    with pytest.raises(YamlInputError, match=r"at most 1,000 bytes .*got 2,004 bytes"):
        load_yaml(text, max_bytes=1000)
    monkeypatch.setenv(MAX_BYTES_ENV, "100")
    with pytest.raises(YamlInputError, match=MAX_BYTES_ENV):
        load_yaml(text)
    monkeypatch.setenv(MAX_BYTES_ENV, "10000")
    assert load_yaml(text) == {"a": "x" * 2000}


def test_load_yaml__unhashable_key_is_an_error_not_a_crash() -> None:
    with pytest.raises(YamlInputError):
        load_yaml("? [1, 2]\n: x\n")


def test_parse_scenario__duplicate_stock_is_an_error() -> None:
    text = builtin_scenario_path("default").read_text(encoding="utf-8")
    text = text.replace("stock: 24,", "stock: 24, stock: 0,", 1)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, source="twice.yaml")
    assert str(err.value).startswith(
        "twice.yaml: fire_units[0].stock: expected each key once per mapping, got 'stock'"
    )


def test_parse_scenario__alias_inside_a_real_field() -> None:
    text = builtin_scenario_path("default").read_text(encoding="utf-8")
    text = text.replace("description: >-", "extra: &e [1]\ndescription: >-", 1) + "again: *e\n"
    with pytest.raises(ScenarioError, match="no anchors or aliases"):
        parse_scenario(text, source="alias.yaml")


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_shipped_scenarios__no_anchors(name: str) -> None:
    events = yaml.parse(builtin_scenario_path(name).read_text(encoding="utf-8"))
    assert not any(getattr(e, "anchor", None) for e in events)
