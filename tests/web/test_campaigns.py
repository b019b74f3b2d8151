"""``skyshield serve``'s campaigns: run in a worker, the document ``campaign --json`` prints.

One server (one worker process) runs the built-in campaign twice, as its file has it and with
more deliveries of one system, and cancels a third while it runs; the command line runs the
edited schedule from a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from tests.web.test_server import _call, _ended, _wait
from typer.testing import CliRunner

from skyshield.campaigns.load import load_campaign
from skyshield.cli import app as cli
from skyshield.web import running_server
from skyshield.web.app import create_app

CAMPAIGN = "h2-2025-patriot"
REPLICATIONS = 6
SEED = 3
# patriot-gem-t: 3 a month in the file (sd 3), and no hold rule (a rule that lifts with more
# rounds lets the units fire at drones again: then more deliveries can leave fewer rounds)
EDITED = [
    {"system": "patriot-pac3-mse", "per_month": 12, "sd": 8},
    {"system": "patriot-gem-t", "per_month": 12, "sd": 3, "start": "2025-07-01"},
    {"system": "nasams", "per_month": 12, "sd": 8},
    {"system": "iris-t-slm", "per_month": 35, "sd": 15},
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The planned and the edited schedule, each run through the API."""
    store = tmp_path_factory.mktemp("campaigns") / "store"
    done = {}
    with running_server(create_app(store, slots=1, max_queued=2)) as server:
        for label, deliveries in (("planned", None), ("edited", EDITED)):
            body: dict[str, Any] = {
                "campaign": CAMPAIGN,
                "replications": REPLICATIONS,
                "seed": SEED,
            }
            if deliveries is not None:
                body["deliveries"] = deliveries
            code, created = _call("POST", f"{server}/api/campaigns", body)
            assert code == 202, created
            done[label] = _wait(f"{server}/api/campaigns/{created['id']}", _ended, timeout=600)
            assert done[label]["state"] == "done", done[label]["error"]
        # a long one, cancelled while it runs
        _, created = _call("POST", f"{server}/api/campaigns", {"replications": 5000})
        url = f"{server}/api/campaigns/{created['id']}"
        _wait(url, lambda status: status["state"] == "running")
        _call("DELETE", url)
        done["cancelled"] = _wait(url, _ended)
    return done


@pytest.mark.slow
def test_campaign__the_document_is_what_campaign_json_prints_for_the_edited_file(
    runs: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    data = load_campaign(CAMPAIGN).model_dump(mode="json")
    data["deliveries"] = EDITED
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(data, sort_keys=False))
    printed = CliRunner().invoke(
        cli,
        ["campaign", str(edited), "-n", str(REPLICATIONS), "--seed", str(SEED), "--json"],
    )
    assert printed.exit_code == 0, printed.output
    status = runs["edited"]
    assert status["result"] == json.loads(printed.stdout)
    assert status["run_id"] is None  # saved nothing, as campaign --json without --out
    gem_t = next(r for r in status["result"]["systems"] if r["system"] == "patriot-gem-t")
    assert gem_t["deliveries_per_month"] == 12.0


@pytest.mark.slow
def test_campaign__more_deliveries_never_lower_the_stock_bands(
    runs: dict[str, dict[str, Any]],
) -> None:
    planned, edited = (runs[k]["stock_bands"] for k in ("planned", "edited"))
    assert planned["dates"] == edited["dates"]
    assert len(planned["dates"]) == runs["planned"]["result"]["nights"] + 1
    assert [s["system"] for s in edited["systems"]] == list(load_campaign(CAMPAIGN).stocks)
    before = {s["system"]: s for s in planned["systems"]}["patriot-gem-t"]
    after = {s["system"]: s for s in edited["systems"]}["patriot-gem-t"]
    for key in ("low", "median", "high"):
        gained = np.asarray(after[key]) - np.asarray(before[key])
        assert gained.min() >= 0, key
        # the same stock at the start (before the first night's delivery), more at the end
        assert gained[0] == 0, key
        assert gained[-1] > 0, key
        assert (np.asarray(after["low"]) <= np.asarray(after[key])).all()
        assert (np.asarray(after[key]) <= np.asarray(after["high"])).all()


@pytest.mark.slow
def test_campaign__a_running_campaign_is_cancelled(runs: dict[str, dict[str, Any]]) -> None:
    cancelled = runs["cancelled"]
    assert cancelled["state"] == "cancelled"
    assert (cancelled["result"], cancelled["run_id"], cancelled["error"]) == (None, None, None)
    assert "stock_bands" not in cancelled
