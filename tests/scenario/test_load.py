"""Tests of skyshield.scenario.load: shipped examples load, broken files fail with clear messages.

Each broken file is the default example with one thing changed (loaded with ``yaml.safe_load``,
mutated, written back with ``yaml.safe_dump``), or raw text for what YAML cannot express. Every
test asserts the file, the exact field path and the words of the message, never only the type.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    builtin_scenario_names,
    builtin_scenario_path,
    load_scenario,
    parse_scenario,
)

DEFAULT_TEXT = builtin_scenario_path(DEFAULT_SCENARIO).read_text(encoding="utf-8")
DEFAULT_DICT: dict[str, Any] = yaml.safe_load(DEFAULT_TEXT)


def _write_mutated(tmp_path: Path, mutate: Callable[[dict[str, Any]], None]) -> Path:
    """Write the default scenario, changed in place by ``mutate``, to a file in ``tmp_path``."""
    data = copy.deepcopy(DEFAULT_DICT)
    mutate(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as exc_info:
        load_scenario(path)
    return exc_info.value


def _problem(exc: ScenarioError, path: Path, field: str, *words: str) -> FieldProblem:
    """The problem of ``exc`` at ``field``; checks how it renders and that it contains ``words``.

    ``field`` is the exact dotted path; ``""`` is a problem with the whole file.
    """
    message = str(exc)
    assert exc.source == str(path)
    assert message.startswith(f"{path}: "), message
    assert message == "\n".join(p.render(str(path)) for p in exc.problems)
    matches = [p for p in exc.problems if p.path == field]
    assert matches, f"no problem at {field!r} in:\n{message}"
    problem = matches[0]
    line = problem.render(str(path))
    where = f"{path}: {field}" if field else str(path)
    assert line == f"{where}: expected {problem.expected}, got {problem.found}"
    assert line in message.splitlines()
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"
    return problem


def test_builtin_scenario_names__includes_default() -> None:
    assert DEFAULT_SCENARIO in builtin_scenario_names()
    assert list(builtin_scenario_names()) == sorted(builtin_scenario_names())


@pytest.mark.parametrize("name", builtin_scenario_names())
def test_load_scenario__every_shipped_example(name: str) -> None:
    by_name = load_scenario(name)
    by_path = load_scenario(builtin_scenario_path(name))
    assert isinstance(by_name, Scenario)
    assert by_name == by_path
    assert by_name.name
    assert by_name.raid.waves


def test_load_scenario__none_gives_default() -> None:
    scenario = load_scenario(None)
    assert scenario == load_scenario(builtin_scenario_path(DEFAULT_SCENARIO))
    assert scenario.name == "default"
    assert set(scenario.nations) == {"UA"}
    assert set(scenario.assets) == {"Kyiv", "Lviv"}
    # 40 + 40 + 40 Shahed, 20 + 20 Gerbera, 36 + 24 Kh-101, 8 Iskander-M (default.yaml)
    assert sum(w.count for w in scenario.raid.waves) == 120 + 40 + 60 + 8
    assert scenario.monte_carlo.seed == 20240708


def test_load_scenario__safe_dump_round_trip_loads(tmp_path: Path) -> None:
    # The unchanged dict written back must load: every broken case below differs by one edit.
    path = _write_mutated(tmp_path, lambda d: None)
    assert load_scenario(path) == load_scenario(None)


def test_builtin_scenario_path__unknown_name() -> None:
    with pytest.raises(ScenarioError) as exc_info:
        builtin_scenario_path("no-such-scenario")
    assert str(exc_info.value) == (
        "no-such-scenario: expected a built-in scenario "
        f"({', '.join(builtin_scenario_names())}), got 'no-such-scenario'"
    )


# --- whole-file problems --------------------------------------------------------------------


def test_load_scenario__yaml_syntax_error(tmp_path: Path) -> None:
    path = _write_text(tmp_path, "name: default\n  description: indented too far\n")
    exc = _load_error(path)
    problem = _problem(exc, path, "", "expected valid YAML", "got", "line 2, column 14")
    # libyaml (C) and PyYAML (Python) word it differently; the position is what matters
    assert problem.found.startswith("mapping values are not allowed")
    assert problem.found.endswith(" at line 2, column 14")


def test_load_scenario__yaml_tab_indent_names_line(tmp_path: Path) -> None:
    lines = DEFAULT_TEXT.splitlines(keepends=True)
    line_no = lines.index("    name: Ukraine\n") + 1
    lines[line_no - 1] = "\tname: Ukraine\n"
    path = _write_text(tmp_path, "".join(lines))
    exc = _load_error(path)
    _problem(exc, path, "", "valid YAML", "a tab", f"line {line_no}, column 1")


def test_load_scenario__unclosed_flow_mapping(tmp_path: Path) -> None:
    old = "  Lviv: {city: Lviv, country: UA, value: 6}\n"
    path = _write_text(tmp_path, DEFAULT_TEXT.replace(old, old.replace("}", "")))
    # The parser reads on into the next block and stops at the ':' of `networks:` (column 9).
    line_no = DEFAULT_TEXT.splitlines().index("networks:") + 1
    exc = _load_error(path)
    _problem(exc, path, "", "valid YAML", "expected ',' or '}'", f"at line {line_no}, column 9")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_load_scenario__empty_file(tmp_path: Path, text: str) -> None:
    path = _write_text(tmp_path, text)
    exc = _load_error(path)
    assert str(exc) == f"{path}: expected a mapping of scenario fields, got an empty file"


def test_load_scenario__top_level_list(tmp_path: Path) -> None:
    path = _write_text(tmp_path, yaml.safe_dump([DEFAULT_DICT]))
    exc = _load_error(path)
    assert str(exc) == f"{path}: expected a mapping of scenario fields, got list"


def test_load_scenario__file_not_found(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    exc = _load_error(path)
    known = ", ".join(builtin_scenario_names())
    assert str(exc) == (
        f"{path}: expected an existing file or a built-in scenario ({known}), got no such file"
    )


def test_load_scenario__non_utf8_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(DEFAULT_TEXT.replace("Ukraine", "Ukra\xefne").encode("latin-1"))
    exc = _load_error(path)
    assert str(exc) == f"{path}: expected a readable UTF-8 text file, got UnicodeDecodeError"


def test_load_scenario__directory(tmp_path: Path) -> None:
    exc = _load_error(tmp_path)
    assert str(exc).startswith(f"{tmp_path}: expected a readable UTF-8 text file, got ")


# --- schema problems: types, ranges, unknown fields -----------------------------------------


def test_load_scenario__wrong_type(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["raid"]["waves"][2]["count"] = "many"

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    problem = _problem(exc, path, "raid.waves[2].count", "expected an integer", "got 'many'")
    assert len(exc.problems) == 1
    assert problem.found == "'many'"


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("count", True, "true"),  # lax pydantic read it as 1 drone
        ("count", 40.0, "40.0"),  # integral, but a float in the file
        ("count", "40", "'40'"),
    ],
)
def test_load_scenario__integer_field_takes_only_integers(
    tmp_path: Path, field: str, value: object, found: str
) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["raid"]["waves"][0][field] = value

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    assert str(exc) == f"{path}: raid.waves[0].{field}: expected an integer, got {found}"


@pytest.mark.parametrize("count", [0, 100_001])
def test_load_scenario__wave_count_bounds(tmp_path: Path, count: int) -> None:
    """A wave flies 1 to 100,000 threats: none, or more, is a field error."""
    path = _write_mutated(tmp_path, lambda d: d["raid"]["waves"][0].__setitem__("count", count))
    bound = "greater than or equal to 1" if count == 0 else "less than or equal to 100000"
    assert str(_load_error(path)) == f"{path}: raid.waves[0].count: expected {bound}, got {count}"


def test_load_scenario__stock_as_text_refused(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["fire_units"][0].__setitem__("stock", "24"))
    assert str(_load_error(path)) == f"{path}: fire_units[0].stock: expected an integer, got '24'"


def test_load_scenario__fractional_replications_says_got_once(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["monte_carlo"].__setitem__("replications", 1.5))
    message = str(_load_error(path))
    assert message == f"{path}: monte_carlo.replications: expected an integer, got 1.5"


def test_load_scenario__float_field_takes_integers_not_booleans(tmp_path: Path) -> None:
    loaded = load_scenario(
        _write_mutated(tmp_path, lambda d: d["raid"]["waves"][0].__setitem__("route_jitter_km", 5))
    )
    assert loaded.raid.waves[0].route_jitter_km == 5.0
    path = _write_mutated(
        tmp_path, lambda d: d["raid"]["waves"][0].__setitem__("route_jitter_km", True)
    )
    assert str(_load_error(path)) == (
        f"{path}: raid.waves[0].route_jitter_km: expected a number, got true"
    )


def test_load_scenario__unknown_field_typo(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        wave = d["raid"]["waves"][0]
        wave["lauch_site"] = wave.pop("launch_site")

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    _problem(
        exc, path, "raid.waves[0]", "expected only known fields", "got unknown field 'lauch_site'"
    )
    _problem(
        exc, path, "raid.waves[0].launch_site", "expected a value (required field)", "got nothing"
    )


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("lauch_spacing_s", 60, "raid.waves[0]: expected only known fields, got unknown field"),
        ("count", "many", "raid.waves[0].count: expected an integer, got 'many'"),
    ],
)
def test_load_scenario__one_wave_with_a_fault_gives_one_line(
    tmp_path: Path, field: str, value: object, line: str
) -> None:
    """A raid of one wave, the wave broken: pydantic's "raid.waves: at least 1 item after
    validation, not 0" is not repeated (the file has its wave)."""

    def mutate(d: dict[str, Any]) -> None:
        d["raid"]["waves"] = d["raid"]["waves"][:1]
        d["raid"]["waves"][0][field] = value

    path = _write_mutated(tmp_path, mutate)
    message = str(_load_error(path))
    assert message.startswith(f"{path}: {line}"), message
    assert len(message.splitlines()) == 1, message


def test_load_scenario__unknown_top_level_field(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d.update(montecarlo={"replications": 10}))
    exc = _load_error(path)
    _problem(exc, path, "(top level)", "only known fields", "unknown field 'montecarlo'")


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (lambda d: d["sensors"][0]["position"], "sensors[0].position.lat_deg"),
        (lambda d: d["fire_units"][3]["position"], "fire_units[3].position.lat_deg"),
        (lambda d: d["raid"]["launch_sites"]["kursk"], "raid.launch_sites.kursk.lat_deg"),
        (lambda d: d["raid"]["waves"][1]["route"][1], "raid.waves[1].route[1].lat_deg"),
    ],
)
def test_load_scenario__latitude_out_of_range(
    tmp_path: Path, where: Callable[[dict[str, Any]], dict[str, Any]], field: str
) -> None:
    path = _write_mutated(tmp_path, lambda d: where(d).update(lat_deg=95))
    exc = _load_error(path)
    problem = _problem(exc, path, field, "expected less than or equal to 90", "got 95")
    assert len(exc.problems) == 1
    assert problem.found == "95"


def test_load_scenario__latitude_nan(tmp_path: Path) -> None:
    path = _write_mutated(
        tmp_path, lambda d: d["sensors"][1]["position"].update(lat_deg=float("nan"))
    )
    exc = _load_error(path)
    _problem(exc, path, "sensors[1].position.lat_deg", "expected a finite number", "got nan")


def test_load_scenario__negative_stock(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["fire_units"][0].update(stock=-3))
    exc = _load_error(path)
    _problem(exc, path, "fire_units[0].stock", "expected greater than or equal to 0", "got -3")


def test_load_scenario__empty_raid(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["raid"].update(waves=[]))
    exc = _load_error(path)
    problem = _problem(exc, path, "raid.waves", "expected at least 1 item", "got []")
    assert "should" not in problem.expected  # not pydantic's "Tuple should have ..."
    assert len(exc.problems) == 1


def test_load_scenario__buffer_zone_without_into(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["nations"]["PL"] = {
            "name": "Poland",
            "roe": {"zone": {"kind": "buffer", "buffer_km": 50}},
        }

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    problem = _problem(exc, path, "nations.PL.roe.zone", "expected a buffer zone", "`into`")
    assert problem.found == "an inconsistent combination"


def test_load_scenario__negative_buffer_km(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        zone = {"kind": "buffer", "buffer_km": -5, "into": ["UA"]}
        d["nations"]["PL"] = {"name": "Poland", "roe": {"zone": zone}}

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    _problem(
        exc, path, "nations.PL.roe.zone.buffer_km", "expected greater than or equal to 0", "got -5"
    )


def test_load_scenario__unknown_zone_kind(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["nations"]["UA"]["roe"]["zone"].update(kind="ring"))
    exc = _load_error(path)
    _problem(exc, path, "nations.UA.roe.zone.kind", "'own', 'buffer' or 'polygon'", "got 'ring'")


# --- reference problems: names that must exist elsewhere ------------------------------------


def test_load_scenario__unknown_system_type(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["fire_units"][4].update(system="patriot-pac9"))
    exc = _load_error(path)
    _problem(
        exc,
        path,
        "fire_units[4].system",
        "expected a catalog system type",
        "nasams",
        "got 'patriot-pac9'",
    )


def test_load_scenario__unknown_threat_type(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["raid"]["waves"][5].update(threat="kh-999"))
    exc = _load_error(path)
    _problem(
        exc,
        path,
        "raid.waves[5].threat",
        "expected a catalog threat type",
        "shahed-136",
        "got 'kh-999'",
    )


def test_load_scenario__unknown_nation_code(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["nations"].update(XX={"name": "Nowhere"}))
    exc = _load_error(path)
    _problem(exc, path, "nations.XX", "expected a nation in the shipped borders", "got 'XX'")
    assert len(exc.problems) == 1


def test_load_scenario__fire_unit_nation_not_declared(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["fire_units"][2].update(nation="PL"))
    exc = _load_error(path)
    _problem(
        exc,
        path,
        "fire_units[2].nation",
        "a nation declared under `nations`",
        "(one of: UA)",
        "got 'PL'",
    )


def test_load_scenario__zone_into_own_nation(tmp_path: Path) -> None:
    zone = {"kind": "buffer", "buffer_km": 30, "into": ["UA"]}
    path = _write_mutated(tmp_path, lambda d: d["nations"]["UA"]["roe"].update(zone=zone))
    exc = _load_error(path)
    _problem(exc, path, "nations.UA.roe.zone.into[0]", "other than its own", "got 'UA'")


def test_load_scenario__unknown_target_asset(tmp_path: Path) -> None:
    path = _write_mutated(
        tmp_path, lambda d: d["raid"]["waves"][3].update(targets=["Kyiv", "Odesa"])
    )
    exc = _load_error(path)
    _problem(
        exc,
        path,
        "raid.waves[3].targets[1]",
        "an asset declared under `assets`",
        "Kyiv, Lviv",
        "got 'Odesa'",
    )
    assert len(exc.problems) == 1


def test_load_scenario__unknown_launch_site(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["raid"]["waves"][7].update(launch_site="moscow"))
    exc = _load_error(path)
    _problem(exc, path, "raid.waves[7].launch_site", "`raid.launch_sites`", "got 'moscow'")


def test_load_scenario__unknown_network(tmp_path: Path) -> None:
    path = _write_mutated(
        tmp_path, lambda d: d["sensors"][2].update(networks=["ua", "nato-link16"])
    )
    exc = _load_error(path)
    _problem(
        exc,
        path,
        "sensors[2].networks[1]",
        "a network declared under `networks`",
        "(one of: ua)",
        "got 'nato-link16'",
    )


def test_load_scenario__duplicate_fire_unit_id(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["fire_units"][5]["id"] = d["fire_units"][1]["id"]

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    _problem(
        exc, path, "fire_units[5].id", "expected an id not used before", "got 'ua-patriot-kyiv-2'"
    )
    assert len(exc.problems) == 1


def test_load_scenario__unknown_city(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["assets"]["Lviv"].update(city="Atlantis"))
    exc = _load_error(path)
    _problem(exc, path, "assets.Lviv.city", "a city in the shipped GeoNames list", "got 'Atlantis'")


def test_load_scenario__city_in_wrong_country(tmp_path: Path) -> None:
    path = _write_mutated(tmp_path, lambda d: d["assets"]["Kyiv"].update(country="PL"))
    exc = _load_error(path)
    _problem(exc, path, "assets.Kyiv.city", "GeoNames", "got 'Kyiv'", "in PL")


def test_load_scenario__every_problem_in_file_order(tmp_path: Path) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["fire_units"][0]["system"] = "patriot-pac9"
        d["fire_units"][1]["networks"] = ["nato"]
        d["raid"]["waves"][0]["threat"] = "kh-999"

    path = _write_mutated(tmp_path, mutate)
    exc = _load_error(path)
    assert [p.path for p in exc.problems] == [
        "fire_units[1].networks[0]",
        "fire_units[0].system",
        "raid.waves[0].threat",
    ]
    assert len(str(exc).splitlines()) == 3


# --- YAML that PyYAML reads into Python errors (regressions: these escaped as tracebacks) ----


@pytest.mark.parametrize("value", ["2024-13-01", "2024-02-30", "2024-06-01"])
def test_parse_scenario__date_like_values_stay_text(value: str) -> None:
    # PyYAML reads an unquoted date as a timestamp and raised ValueError building an impossible
    # one (it escaped as a traceback once); dates now stay text and the model decides
    text = DEFAULT_TEXT.replace("name: default", f"name: {value}")
    assert parse_scenario(text, source="dates.yaml").name == value


def test_parse_scenario__integer_over_digit_limit() -> None:
    # Python refuses int() of a 4301+ digit string (sys.get_int_max_str_digits, default 4300).
    text = DEFAULT_TEXT.replace("seed: 20240708", "seed: " + "9" * 5000)
    with pytest.raises(ScenarioError) as exc_info:
        parse_scenario(text, source="big.yaml")
    message = str(exc_info.value)
    assert message.startswith(
        "big.yaml: expected valid YAML, got an unreadable value (Exceeds the limit"
    )
    assert len(message) < 200


def test_parse_scenario__hex_integer_too_large_to_show() -> None:
    # Hex parses without the digit limit, but repr() of the value in the message would hit it.
    text = DEFAULT_TEXT.replace("seed: 20240708", "seed: 0x" + "f" * 5000)
    with pytest.raises(ScenarioError) as exc_info:
        parse_scenario(text, source="hex.yaml")
    (problem,) = exc_info.value.problems
    assert problem.path == "monte_carlo.seed"
    assert problem.expected == "less than or equal to 9223372036854775807"
    assert problem.found == "a value too large to show (int)"


def test_parse_scenario__nesting_too_deep() -> None:
    text = DEFAULT_TEXT.replace("notional: true", "notional: " + "[" * 2000 + "]" * 2000)
    with pytest.raises(ScenarioError) as exc_info:
        parse_scenario(text, source="deep.yaml")
    assert (
        str(exc_info.value)
        == "deep.yaml: expected valid YAML, got lists or mappings nested too deeply"
    )
