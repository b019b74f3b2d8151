"""``skyshield serve`` on the command line: the warning off loopback, the Host guard on it.

uvicorn is replaced by a stand-in that keeps the application it was given, so nothing listens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient
from tests.calibration.conftest import write_calibration_file
from typer.testing import CliRunner

import skyshield.web.app  # noqa: F401  the command imports it when it runs: loaded here once
from skyshield.cli import app as cli
from skyshield.testing import run_cli


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **options: Any) -> None:
        calls.append({"app": app, **options})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_serve__warns_off_loopback_and_guards_host_names_on_it(
    served: list[dict[str, Any]], tmp_path: Path, host: str, warned: bool
) -> None:
    store = tmp_path / "runs"
    result = CliRunner().invoke(
        cli, ["serve", "--host", host, "--port", "0", "--store", str(store)]
    )
    assert result.exit_code == 0, result.output
    assert ("warning: serving on 0.0.0.0, not loopback" in result.stderr) is warned
    assert f"skyshield serving on http://{host}:0/ (runs saved in {store})" in result.stderr
    (call,) = served
    assert (call["host"], call["port"]) == (host, 0)
    assert store.is_dir()
    client = TestClient(call["app"])  # no lifespan: no worker starts
    assert client.get("/api/scenarios", headers={"host": "localhost:8765"}).status_code == 200
    foreign = client.get("/api/scenarios", headers={"host": "evil.example"}).status_code
    assert foreign == (200 if warned else 400)


def test_serve__a_store_that_cannot_be_one_is_refused_in_one_line(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "file")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"{tmp_path / 'file'}: --store: expected a directory for results, got a file\n"
    )
    assert served == []


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (None, "no such file"),
        ("{", "not JSON (Expecting property name enclosed in double quotes: line 1, column 2)"),
    ],
)
def test_serve__a_bad_calibration_is_refused_in_one_line_before_serving(
    served: list[dict[str, Any]], tmp_path: Path, content: str | None, why: str
) -> None:
    path = tmp_path / "calibration.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_cli("serve", "--store", tmp_path / "runs", "--calibration", path)
    assert result.returncode == 2
    assert result.stderr == (
        "--calibration: expected a calibration file from `skyshield calibrate`, got "
        f"{path}: {why}\n"
    )
    assert served == []


def test_serve__a_calibration_is_read_once_named_and_served(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    path = write_calibration_file(tmp_path)
    result = run_cli("serve", "--port", "0", "--store", tmp_path / "runs", "--calibration", path)
    assert result.returncode == 0, result.stderr
    assert "runs calibrated with calibration.json (sha256 " in result.stderr
    (call,) = served
    client = TestClient(call["app"])  # no lifespan: no worker starts
    shown = client.get("/api/calibration", headers={"host": "localhost:0"}).json()
    assert shown["line"] == "calibrated: calibration.json (2025-Q1 medians)"
    assert shown["calibration"]["path"] == str(path)
