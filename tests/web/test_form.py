"""The page's policy form (``assets/form.js``), generated from the scenario JSON Schema.

The form's inputs are checked against an independent walk of the schema here: every field of
a nation (the rules of engagement and the rest) has its input, of the kind its type, enum and
bounds call for, with its description as help. A schema with rules the models do not have
shows them too, which is what "new fields appear without page work" means. Then the issue's own
test: Poland's buffer edited in the form on a western scenario, run, mapped and compared.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web._browser import ARTIFACTS, CHROMIUM, browse
from typer.testing import CliRunner

from skyshield.cli import app as cli
from skyshield.runner.replay import stored_run
from skyshield.scenario import load_scenario
from skyshield.scenario.schema import scenario_json_schema
from skyshield.store import read_run
from skyshield.web import running_server
from skyshield.web.app import create_app

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no chromium on PATH: `make test` installs Debian's chromium"
    ),
    pytest.mark.slow,
]

WESTERN = "western-raid-poland-100km"
BUFFER = "nations.PL.roe.zone.buffer_km"
# rules no model has, added to the served schema: the form must show them unaided
INJECTED = {
    "salvo_size": {"type": "integer", "minimum": 1, "maximum": 4, "default": 2,
                   "description": "An injected rule: rounds per engagement."},
    "posture": {"enum": ["calm", "alert"], "type": "string", "default": "calm",
                "description": "An injected rule: the crews' posture."},
    "night_watch": {"type": "boolean", "default": False,
                    "description": "An injected rule: a second crew at night."},
}  # fmt: skip


def _deref(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        own = {k: v for k, v in node.items() if k != "$ref"}
        node = {**schema["$defs"][node["$ref"].removeprefix("#/$defs/")], **own}
    return node


def _alternatives(schema: dict[str, Any], node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The node a field holds when set (``{}``: one of several types); whether it may be null."""
    node = _deref(schema, node)
    options = [_deref(schema, a) for a in node.get("anyOf", [node])]
    others = [a for a in options if a.get("type") != "null"]
    return others[0] if len(others) == 1 else {}, len(others) < len(options)


def _fields(schema: dict[str, Any], node: dict[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """Every field under ``node``: (dotted path, its schema node), objects and their fields."""
    held, _ = _alternatives(schema, node)
    yield path, node
    if held.get("type") == "object" and "properties" in held:
        for key, sub in held["properties"].items():
            yield from _fields(schema, sub, f"{path}.{key}")


def _expected(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """The input a field calls for (tag, type, options, bounds), from its schema alone."""
    held, nullable = _alternatives(schema, node)
    if not held:  # an integer or "all" (route sets): typed, read by the server
        return {"tag": "INPUT", "type": "text"}
    if "enum" in held:
        return {"tag": "SELECT", "options": (["none"] if nullable else []) + held["enum"]}
    kind = held.get("type")
    if kind == "boolean":
        return {"tag": "INPUT", "type": "checkbox"}
    if kind in ("integer", "number"):
        low = held.get("minimum", held.get("exclusiveMinimum"))
        high = held.get("maximum", held.get("exclusiveMaximum"))
        return {"tag": "INPUT", "type": "number", "min": low, "max": high,
                "step": "1" if kind == "integer" else "any"}  # fmt: skip
    if kind == "string":
        return {"tag": "INPUT", "type": "text"}
    if kind == "object":
        return {"tag": "FIELDSET"}
    items, _ = _alternatives(schema, held["items"])
    if "enum" in items:
        return {"tag": "FIELDSET", "values": items["enum"]}
    if items.get("type") in ("string", "number", "integer"):
        return {"tag": "INPUT", "type": "text"}
    return {"tag": "TEXTAREA"}


# what the page shows for every element of the form with a data-path
_INPUTS_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-path]')].map((e) => {
  const holder = e.closest('.field, fieldset');
  const help = holder && holder.querySelector(':scope > .help');
  return [e.dataset.path, {
    tag: e.tagName, type: e.getAttribute('type'), min: e.getAttribute('min'),
    max: e.getAttribute('max'), step: e.getAttribute('step'),
    options: e.tagName === 'SELECT' ? [...e.options].map((o) => o.textContent) : null,
    values: [...e.querySelectorAll(':scope > label > input[data-value]')]
      .map((c) => c.dataset.value),
    help: help ? help.title : null,
  }];
}))"""


def _check_form(page: Any, schema: dict[str, Any], values: dict[str, Any]) -> int:
    """Every field of each nation, of its sensors, units... and of the run size has its input.

    A nation's items are those of the scenario's lists of objects with an ``id`` and a
    ``nation`` (sensors, fire units, EW zones, patrols), each field addressed by the item's id.
    Returns how many fields were checked.
    """
    shown = page.evaluate(_INPUTS_JS)
    wanted = [
        (f"nations.{code}{path}", node)
        for code in values["nations"]
        for path, node in _fields(schema, schema["$defs"]["Nation"], "")
        if path
    ]
    for name, raw in schema["properties"].items():
        items = _deref(schema, raw).get("items", {})
        if not {"id", "nation"} <= set(_deref(schema, items).get("properties", {})):
            continue
        for value in values[name]:
            wanted += list(_fields(schema, items, f"{name}.{value['id']}"))
    monte_carlo = _deref(schema, schema["properties"]["monte_carlo"])
    wanted += [(f"monte_carlo.{k}", v) for k, v in monte_carlo["properties"].items()]
    for path, node in wanted:
        assert path in shown, f"no input for {path}"
        found = dict(shown[path])
        held, _ = _alternatives(schema, node)
        expected = _expected(schema, node)
        for bound in ("min", "max"):  # as numbers: JavaScript writes 9.2e18 and 0.0 its way
            if bound in expected:
                text = found[bound]
                found[bound] = None if text is None else float(text)
                expected[bound] = None if expected[bound] is None else float(expected[bound])
        assert {k: found[k] for k in expected} == expected, path
        description = _deref(schema, node).get("description") or held.get("description")
        if description:
            assert (found["help"] or "").startswith(description), path
    return len(wanted)


def _wait_form(page: Any, scenario: str) -> None:
    page.wait_for_selector(
        f"#policy-form[data-state=ready][data-scenario='{scenario}']", timeout=120_000
    )


@pytest.fixture
def injected_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    schema = copy.deepcopy(scenario_json_schema())
    schema["$defs"]["RulesOfEngagement"]["properties"].update(INJECTED)
    monkeypatch.setattr("skyshield.web.app.scenario_json_schema", lambda: schema)
    with running_server(create_app(tmp_path / "store", slots=1)) as url:
        yield url


def test_form__every_field_of_the_schema_has_its_input_new_ones_too(injected_server: str) -> None:
    schema = json.loads(json.dumps(scenario_json_schema()))
    schema["$defs"]["RulesOfEngagement"]["properties"].update(INJECTED)
    with browse(injected_server) as seen:
        page = seen.page
        page.select_option("#scenario", WESTERN)
        _wait_form(page, WESTERN)
        values = load_scenario(WESTERN).model_dump(mode="json")
        checked = _check_form(page, schema, values)
        assert checked > 400  # every nation's fields and its items', not a few
        # track sharing: a Polish radar's networks, as the scenario has them
        networks = page.locator("[data-path='sensors.pl-ew-lublin.networks']")
        assert networks.input_value() == "pl"
        # the injected rules, as their schema says: a select, bounds, a checkbox
        assert page.locator("select[data-path='nations.PL.roe.posture'] option").all_inner_texts()
        assert page.get_attribute("[data-path='nations.PL.roe.salvo_size']", "max") == "4"
        assert page.is_checked("[data-path='nations.PL.roe.night_watch']") is False
        # untouched, the form overrides nothing; an edit is one override, as --vary writes it
        assert page.evaluate("policyForm.overrides()") == []
        page.fill("[data-path='nations.PL.roe.salvo_size']", "3")
        page.select_option("[data-path='nations.PL.roe.engage_decoys']", label="never")
        page.uncheck("[data-path='nations.PL.roe.classes'] input[data-value=decoy]")
        assert page.evaluate("policyForm.overrides()") == [
            "nations.PL.roe.classes=[drone, cruise, supersonic, ballistic]",
            "nations.PL.roe.engage_decoys=never",
            "nations.PL.roe.salvo_size=3",
        ]
        # the models have no such rule: the server refuses the run with the CLI's line
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])", timeout=60_000)
        assert page.inner_text("#error") == (
            "overrides[2]: nations.PL.roe.salvo_size: expected the path of a field in the "
            "scenario, got no such field"
        )
        refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
        seen.assert_offline(injected_server, errors=(refused,))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("form") / "store"


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    with running_server(create_app(store, slots=1)) as url:
        yield url


def _cli_file(tmp_path: Path, name: str, *args: str) -> bytes:
    out = tmp_path / name
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _undated(report: bytes) -> bytes:
    """A report without the minute it was generated (the one line two writes may differ in)."""
    text, n = re.subn(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", b"Generated (when)", report)
    assert n == 1
    return text


def test_form__polands_buffer_edited_runs_maps_compares_and_downloads(
    server: str, store: Path, tmp_path: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with browse(server, downloads=True) as seen:
        page = seen.page
        posted: list[Any] = []
        page.on(
            "request",
            lambda r: (
                posted.append(json.loads(r.post_data or "{}"))
                if r.method == "POST" and r.url.endswith(("/api/runs", "/api/compares"))
                else None
            ),
        )
        page.select_option("#scenario", WESTERN)
        _wait_form(page, WESTERN)
        buffer = page.locator(f"[data-path='{BUFFER}']")
        assert buffer.input_value() == "100"
        buffer.fill("0")
        assert page.evaluate("policyForm.overrides()") == [f"{BUFFER}=0"]
        page.fill("#replications", "20")
        page.locator("#policy-form fieldset[data-key=PL]").screenshot(
            path=str(ARTIFACTS / "serve-form-poland.png")
        )
        page.click("#run")
        page.wait_for_selector("#outcome:not([hidden])", timeout=600_000)
        assert posted[-1] == {"overrides": [f"{BUFFER}=0"], "scenario": WESTERN, "replications": 20}
        job = page.get_attribute("#outcome", "data-job")
        status = page.evaluate(f"fetch('{server}/api/runs/{job}').then((r) => r.json())")
        run_id = status["run_id"]
        assert stored_run(store, run_id).scenario.nations["PL"].roe.zone.buffer_km == 0
        # the map: one intercept marker per interceptor the run fired on night 0
        page.wait_for_selector("#map-box[data-ready]", timeout=300_000)
        night_job = page.get_attribute("#map-box", "data-ready")
        night = page.evaluate(f"fetch('{server}/api/nights/{night_job}').then((r) => r.json())")
        features = night["result"]["features"]
        shots = read_run(store, run_id)["shots"]
        fired = int((shots["replication"] == 0).sum())
        assert sum(f["properties"]["layer"] == "intercept" for f in features) == fired > 0
        assert page.locator("#map path.skyshield-intercept").count() == fired
        zone = next(
            f["properties"]
            for f in features
            if f["properties"]["layer"] == "roe_zone" and f["properties"]["nation"] == "PL"
        )
        assert zone["buffer_km"] == 0
        page.locator("#map-box").screenshot(path=str(ARTIFACTS / "serve-form-poland-map.png"))
        # downloads from the page: the CLI's own files for the same stored run
        with page.expect_download(timeout=300_000) as report:
            page.click("#outcome-downloads a[data-download=report]")
        folder = str(store / "runs" / run_id)
        assert _undated(Path(report.value.path()).read_bytes()) == _undated(
            _cli_file(tmp_path, "r.html", "report", folder)
        )
        with page.expect_download(timeout=300_000) as acmi:
            page.click(f"#stored-runs .downloads[data-run='{run_id}'] a[data-download=acmi]")
        assert acmi.value.suggested_filename == f"{run_id}-night0.acmi"
        assert Path(acmi.value.path()).read_bytes() == _cli_file(
            tmp_path, "n.acmi", "export", folder, "--format", "acmi"
        )
        # the paired difference against the unchanged scenario, on the same nights
        page.click("#compare")
        page.wait_for_selector("#comparison:not([hidden])", timeout=600_000)
        assert posted[-1]["policies"] == [{"overrides": [f"{BUFFER}=0"], "scenario": WESTERN}]
        job = page.get_attribute("#comparison", "data-job")
        compared = page.evaluate(f"fetch('{server}/api/compares/{job}').then((r) => r.json())")
        assert compared["result"]["policies"] == [WESTERN, f"{WESTERN} with {BUFFER}=0"]
        rows = {(r["measure"], r["key"]): r for r in compared["result"]["differences"]}
        # no buffer: Poland's units engage no threat over Ukraine (allied engagements over a
        # non-allied country), as the rule says; the 100 km buffer had some on these nights
        row = rows["allied_engagements_over_non_allied", "PL"]
        assert row["mean"] == 0 < row["baseline_mean"]
        shown = page.locator(
            "#differences tr[data-measure='allied_engagements_over_non_allied/PL'] td"
        ).all_inner_texts()
        assert shown[1:4] == [
            f"{row['baseline_mean']:.2f}",
            f"{row['mean']:.2f}",
            f"{row['diff']:+.2f} ± {row['paired_ci95']:.2f}",
        ]
        page.screenshot(path=str(ARTIFACTS / "serve-form-poland-page.png"), full_page=True)
        seen.assert_offline(server)
