"""Tests of skyshield.catalog.load: the shipped catalog, SI conversion and error messages."""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from skyshield.catalog import Basis, ThreatClass, load_catalog, parse_catalog, read_catalog
from skyshield.catalog.load import DATA_FILES, SI_UNITS
from skyshield.catalog.models import SYSTEM_UNITS, THREAT_UNITS
from skyshield.errors import CatalogError

REQUIRED_THREATS = {
    "shahed-136": ThreatClass.DRONE,
    "gerbera": ThreatClass.DECOY,
    "kh-101": ThreatClass.CRUISE,
    "kalibr": ThreatClass.CRUISE,
    "kh-22": ThreatClass.SUPERSONIC,
    "kh-59-69": ThreatClass.CRUISE,
    "iskander-m": ThreatClass.BALLISTIC,
    "kn-23": ThreatClass.BALLISTIC,
    "kinzhal": ThreatClass.BALLISTIC,
    "s-300-ground": ThreatClass.BALLISTIC,
}
REQUIRED_SYSTEMS = {
    "patriot-pac3-mse",
    "patriot-gem-t",
    "nasams",
    "iris-t-slm",
    "samp-t",
    "gepard",
    "s-300",
    "buk-m1",
    "mobile-fire-group",
    "f-16",
    "interceptor-drone",
    "narew-camm",
}
# Systems able to engage ballistic missiles (SOURCES.md: Patriot is the only one in Ukraine
# shown to do so; SAMP/T/Aster 30 is kept as a second, with low single-shot Pk).
ABM_SYSTEMS = {"patriot-pac3-mse", "patriot-gem-t", "samp-t"}


def _data_texts() -> dict[str, str]:
    data = resources.files("skyshield.catalog") / "data"
    return {name: (data / name).read_text(encoding="utf-8") for name in DATA_FILES}


def _parse(texts: dict[str, str]) -> None:
    parse_catalog(
        sources_yaml=texts["sources.yaml"],
        threats_yaml=texts["threats.yaml"],
        systems_yaml=texts["systems.yaml"],
    )


def _broken(file: str, old: str, new: str) -> dict[str, str]:
    texts = _data_texts()
    assert old in texts[file], f"test fixture out of date: {old!r} not in {file}"
    texts[file] = texts[file].replace(old, new, 1)
    return texts


def test_load_catalog__required_types_present() -> None:
    catalog = load_catalog()
    assert {k: t.threat_class for k, t in catalog.threats.items()} == REQUIRED_THREATS
    assert set(catalog.systems) == REQUIRED_SYSTEMS


def test_load_catalog__cached_and_read_only() -> None:
    catalog = load_catalog()
    assert load_catalog() is catalog
    with pytest.raises(TypeError):
        catalog.threats["x"] = catalog.threats["kh-101"]  # type: ignore[index]


def test_load_catalog__si_conversion_hand_checked() -> None:
    """Reference values by hand: 185 km/h = 185 * 1000 / 3600 m/s; Mach 5 = 5 * 340.3 m/s;
    60 deg = π/3 rad; 4,000 km/h = 1,111.1 m/s."""
    catalog = load_catalog()
    shahed = catalog.threat("shahed-136")
    assert shahed.speed_mps == pytest.approx(51.3889, abs=1e-4)
    assert shahed.terminal_speed_mps == shahed.speed_mps
    assert shahed.range_m == 2_500_000.0
    kh22 = catalog.threat("kh-22")
    assert kh22.speed_mps == pytest.approx(1111.111, abs=1e-3)
    assert kh22.altitude_m == 20_000.0
    assert kh22.dive_altitude_m == 20_000.0  # defaults to the cruise altitude
    kinzhal = catalog.threat("kinzhal")
    assert kinzhal.speed_mps == pytest.approx(1701.5)
    assert kinzhal.dive_angle_rad == pytest.approx(math.pi / 3)
    assert kinzhal.apogee_range_m == 270_000.0
    assert catalog.threat("s-300-ground").apogee_range_m == 50_000.0  # defaults to the range
    assert catalog.threat("s-300-ground").altitude_m == 12_500.0
    patriot = catalog.system("patriot-pac3-mse")
    assert patriot.reload_s == 3600.0
    assert patriot.max_range_m == 65_000.0
    assert patriot.max_altitude_m == 24_000.0
    assert patriot.launchers * patriot.rounds_per_launcher == 96
    assert catalog.system("interceptor-drone").interceptor_speed_mps == pytest.approx(83.3333, 1e-5)
    assert catalog.system("gepard").max_altitude_m == 2_500.0
    # "two missiles per target" (S-300/Buk, reported); no limit where a system gives none
    assert catalog.system("buk-m1").rounds_per_target == 2
    assert catalog.system("nasams").rounds_per_target == 0


def test_load_catalog__every_parameter_cites_existing_https_source() -> None:
    catalog = load_catalog()
    assert catalog.entries
    for entry in catalog.entries:
        assert entry.sources, (entry.type_key, entry.parameter)
        for source_id in entry.sources:
            source = catalog.sources[source_id]
            assert source.url.startswith("https://"), source_id


def test_load_catalog__derived_and_assumptions_have_notes() -> None:
    for entry in load_catalog().entries:
        if entry.basis is not Basis.REPORTED:
            assert entry.note, (entry.type_key, entry.parameter)


def test_load_catalog__one_entry_per_parameter() -> None:
    catalog = load_catalog()
    threat_rows = [e for e in catalog.entries if e.kind == "threat"]
    system_rows = [e for e in catalog.entries if e.kind == "system"]
    # 6 parameters every threat has, plus the optional flight-profile ones where given
    optional = ("terminal_speed", "apogee_range", "dive_angle", "dive_altitude")
    with_optional = sum(e.parameter in optional for e in threat_rows)
    assert with_optional == 5 + 3 * 3 + 1  # terminal speeds; 3 ballistic profiles; Kh-22 dive
    # issue #22: endurance and loss_rate are optional in the schema, given for every shipped type
    assert len(threat_rows) == (6 + 2) * len(catalog.threats) + with_optional
    # quantities plus three categorical parameters (doctrine, fire_control, missed_round) per
    # system, plus the optional identification ones (#22): every system has the night pair, 3
    # visual ones by day
    system_optional = (
        "identification_delay",
        "drone_taken_for_decoy",
        "decoy_discrimination_day",
        "drone_taken_for_decoy_day",
        "identification_delay_day",
        "rounds_per_target",
    )
    with_system_optional = sum(e.parameter in system_optional for e in system_rows)
    # rounds per target: the five shoot-shoot systems (S-300, Buk, two Patriots, SAMP/T)
    assert with_system_optional == 2 * len(catalog.systems) + 3 * 3 + 5
    required = len(SYSTEM_UNITS) - len(system_optional)
    assert len(system_rows) == (required + 3) * len(catalog.systems) + with_system_optional


def _numbers_without_sources(node: Any, path: str, sourced: bool) -> list[str]:
    """Paths of every number in ``node`` not sitting as ``value`` next to a non-empty sources."""
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return []
    if isinstance(node, int | float):
        return [] if sourced else [path]
    if isinstance(node, list):
        return [
            p
            for i, item in enumerate(node)
            for p in _numbers_without_sources(item, f"{path}[{i}]", False)
        ]
    if isinstance(node, dict):
        has_sources = bool(node.get("sources"))
        found = []
        for key, value in node.items():
            child_sourced = key == "value" and has_sources
            found += _numbers_without_sources(value, f"{path}.{key}", child_sourced)
        return found
    return [f"{path} (unexpected YAML type {type(node).__name__})"]


@pytest.mark.parametrize("file", DATA_FILES)
def test_raw_yaml__every_number_has_sources(file: str) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(_data_texts()[file], Loader=loader)
    assert _numbers_without_sources(raw, file, False) == []


def test_raw_yaml__walker_catches_unsourced_number() -> None:
    raw = {"kh-101": {"parameters": {"speed": {"value": 900}, "extra": 3}}}
    assert _numbers_without_sources(raw, "t", False) == [
        "t.kh-101.parameters.speed.value",
        "t.kh-101.parameters.extra",
    ]


def test_load_catalog__envelopes_and_probabilities_valid() -> None:
    catalog = load_catalog()
    for key, system in catalog.systems.items():
        assert 0 <= system.min_range_m < system.max_range_m, key
        assert 0 <= system.min_altitude_m < system.max_altitude_m, key
        assert system.radar_range_m >= 0, key
        assert system.radar_reference_rcs_m2 > 0, key
        assert min(system.channels, system.launchers, system.rounds_per_launcher) >= 1, key
        assert 1 <= system.shots_per_engagement <= system.launchers * system.rounds_per_launcher
        assert all(0.0 <= p <= 1.0 for p in system.pk), key
        assert system.cost_per_shot_usd > 0, key
        assert system.interceptor_speed_mps > 0, key
    for key, threat in catalog.threats.items():
        assert 0.0 <= threat.ew_loss_per_100km <= 1.0, key
        assert min(threat.speed_mps, threat.terminal_speed_mps, threat.rcs_m2) > 0, key
        assert math.isfinite(threat.range_m), key
        assert threat.range_m > 0, key


def test_load_catalog__only_abm_systems_engage_ballistic() -> None:
    for key, system in load_catalog().systems.items():
        assert (system.pk_against(ThreatClass.BALLISTIC) > 0) == (key in ABM_SYSTEMS), key


def test_load_catalog__missiles_not_lost_to_ew() -> None:
    for threat in load_catalog().threats.values():
        if threat.threat_class not in (ThreatClass.DRONE, ThreatClass.DECOY):
            assert threat.ew_loss_per_100km == 0.0, threat.key


def test_si_units__cover_every_allowed_unit() -> None:
    allowed = set().union(*THREAT_UNITS.values(), *SYSTEM_UNITS.values())
    assert allowed <= set(SI_UNITS)


def test_parse_catalog__unknown_source_names_file_and_key_path() -> None:
    texts = _broken(
        "threats.yaml",
        "sources: [euronews-2023-shahed, wp-nd-shahed-gepard]",
        "sources: [no-such-source]",
    )
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    assert str(info.value) == (
        "threats.yaml: shahed-136.parameters.speed.sources[0]: "
        "expected a source id defined in sources.yaml, got 'no-such-source'"
    )


def test_parse_catalog__bad_unit_names_key_path() -> None:
    texts = _broken("threats.yaml", "{value: 185, unit: km/h", "{value: 185, unit: mph")
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    assert str(info.value) == (
        "threats.yaml: shahed-136.parameters.speed: expected unit one of km/h, m/s, mach, got 'mph'"
    )


def test_parse_catalog__assumption_without_note() -> None:
    old = 'basis: assumption, note: "Minimum range none found; 3 km assumed."}'
    texts = _broken("systems.yaml", old, "basis: assumption}")
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    assert str(info.value) == (
        "systems.yaml: patriot-pac3-mse.parameters.min_range: "
        "expected a note (arithmetic or reasoning) when basis is assumption, got None"
    )


def test_parse_catalog__probability_above_one() -> None:
    texts = _broken("systems.yaml", "pk_drone: {value: 0.9,", "pk_drone: {value: 1.9,")
    with pytest.raises(
        CatalogError,
        match=(
            r"^systems\.yaml: patriot-pac3-mse\.parameters\.pk_drone: "
            r"expected a probability in \[0, 1\], got 1\.9$"
        ),
    ):
        _parse(texts)


def test_parse_catalog__number_written_as_string() -> None:
    texts = _broken("threats.yaml", "unit_cost: {value: 13000000,", "unit_cost: {value: 13e6,")
    with pytest.raises(
        CatalogError, match=r"kh-101\.parameters\.unit_cost\.value: expected a number"
    ):
        _parse(texts)


def test_parse_catalog__envelope_inverted() -> None:
    texts = _broken(
        "systems.yaml", "max_range: {value: 5, unit: km", "max_range: {value: 0.1, unit: km"
    )
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    assert str(info.value) == (
        "systems.yaml: gepard.parameters: expected min_range < max_range, got '0.2 km >= 0.1 km'"
    )


def test_parse_catalog__ballistic_needs_terminal_speed() -> None:
    texts = _data_texts()
    lines = texts["threats.yaml"].splitlines(keepends=True)
    start = lines.index("iskander-m:\n")
    end = next(i for i in range(start, len(lines)) if "terminal_speed:" in lines[i])
    texts["threats.yaml"] = "".join(lines[:end] + lines[end + 1 :])
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    assert str(info.value) == (
        "threats.yaml: iskander-m: expected parameters.terminal_speed for a ballistic threat, "
        "got 'no terminal_speed'"
    )


def test_parse_catalog__unknown_parameter_and_missing_parameter() -> None:
    texts = _broken(
        "threats.yaml", "    rcs: {value: 1.0, unit: m2,", "    rcss: {value: 1.0, unit: m2,"
    )
    with pytest.raises(CatalogError) as info:
        _parse(texts)
    missing, extra = str(info.value).splitlines()
    assert (
        missing
        == "threats.yaml: kh-22.parameters.rcs: expected this field (it is required), got nothing"
    )
    assert extra.startswith("threats.yaml: kh-22.parameters.rcss: expected no such field, got {")


def test_parse_catalog__duplicate_key_rejected() -> None:
    texts = _data_texts()
    texts["sources.yaml"] += (
        texts["sources.yaml"].split("ziare-2025-shahed-cost:")[0].split("\n\n")[-1]
    )
    with pytest.raises(
        CatalogError,
        match=(
            r"^sources\.yaml: euronews-2023-shahed: expected each key once per mapping, "
            r"got 'euronews-2023-shahed' a"
        ),
    ):
        _parse(texts)


def test_parse_catalog__source_without_https_url() -> None:
    old = "url: https://www.taiwannews.com.tw/en/news/4165073"
    texts = _broken("sources.yaml", old, "url: http://www.taiwannews.com.tw/en/news/4165073")
    with pytest.raises(CatalogError, match=r"^sources\.yaml: taiwannews-2021-pac3mse\.url: "):
        _parse(texts)


def test_read_catalog__broken_file_in_directory(tmp_path: Path) -> None:
    texts = _broken(
        "systems.yaml", "channels: {value: 6, unit: count", "channels: {value: 6.5, unit: count"
    )
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        read_catalog(tmp_path)
    assert str(info.value) == (
        "systems.yaml: patriot-pac3-mse.parameters.channels: expected a whole count, got 6.5"
    )


def test_read_catalog__valid_directory_matches_shipped(tmp_path: Path) -> None:
    for name, text in _data_texts().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    catalog = read_catalog(tmp_path)
    assert catalog.threats == load_catalog().threats
    assert catalog.systems == load_catalog().systems


def test_read_catalog__missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^sources\.yaml: cannot read catalog file"):
        read_catalog(tmp_path)
