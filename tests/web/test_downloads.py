"""Downloads of a stored run from ``skyshield serve``: the CLI's own files, byte for byte.

One server (one worker process) runs the tiny scenario and saves it; its report and each export
format are then asked of the API and of the command line (``skyshield report`` / ``export`` of
the run's folder), and compared. The report differs only in the minute it was generated.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skyshield.cli import app as cli
from skyshield.settings import ExportFormat
from skyshield.web import json_request, running_server
from skyshield.web.app import create_app

pytestmark = pytest.mark.slow

TINY = Path(__file__).parents[1] / "tiny.yaml"


def _lower(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers}


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, _lower(exc.headers.items()), exc.read()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads") / "store"


@pytest.fixture(scope="module")
def saved(store: Path) -> Iterator[tuple[str, str, str]]:
    """The server's URL, a finished run's job id and its run id in the store."""
    with running_server(create_app(store, slots=1)) as url:
        job = json_request(
            "POST", f"{url}/api/runs", {"yaml": TINY.read_text(), "replications": 3, "seed": 5}
        )
        deadline = time.monotonic() + 240
        while (status := json.loads(_get(f"{url}/api/runs/{job['id']}")[2]))["state"] != "done":
            assert status["state"] in ("queued", "running", "saving"), status
            assert time.monotonic() < deadline
            time.sleep(0.1)
        yield url, job["id"], status["run_id"]


def _cli(tmp_path: Path, *args: str) -> bytes:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _undated(report: bytes) -> bytes:
    text, n = re.subn(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", b"Generated (when)", report)
    assert n == 1
    return text


@pytest.mark.parametrize("file_format", list(ExportFormat))
def test_export__is_the_clis_file_for_the_stored_run(
    saved: tuple[str, str, str], store: Path, tmp_path: Path, file_format: ExportFormat
) -> None:
    url, _, run_id = saved
    code, headers, body = _get(
        f"{url}/api/runs/{run_id}/export?format={file_format.value}&replication=1"
    )
    assert code == 200, body
    assert headers["content-disposition"] == (
        f'attachment; filename="{run_id}-night1.{file_format.value}"'
    )
    folder = str(store / "runs" / run_id)
    expected = _cli(tmp_path, "export", folder, "--format", file_format.value, "-r", "1")
    assert body == expected


def test_report__is_the_clis_file_by_run_id_and_by_job_id(
    saved: tuple[str, str, str], store: Path, tmp_path: Path
) -> None:
    url, job, run_id = saved
    expected = _undated(_cli(tmp_path, "report", str(store / "runs" / run_id)))
    for wanted in (run_id, job):
        code, headers, body = _get(f"{url}/api/runs/{wanted}/report")
        assert code == 200, body
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["content-disposition"] == f'attachment; filename="{run_id}.html"'
        assert _undated(body) == expected
    # the files were handed over, not kept: the server lists no download among its jobs
    listed = json.loads(_get(f"{url}/api/runs")[2])
    assert {j["kind"] for j in listed["jobs"]} == {"run"}


def test_downloads__a_night_the_run_does_not_have_is_refused(saved: tuple[str, str, str]) -> None:
    url, _, run_id = saved
    code, _, body = _get(f"{url}/api/runs/{run_id}/export?format=kml&replication=3")
    assert code == 400
    refused = "request: replication: expected a night from 0 to 2, got 3"
    assert json.loads(body) == {"error": refused}
