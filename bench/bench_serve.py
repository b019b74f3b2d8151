"""``skyshield serve`` benchmark: how long a status request takes while a run executes.

Run: ``.venv/bin/python bench/bench_serve.py [--requests N]``. Starts the server on a free
loopback port (one worker process, a temporary store), runs the tiny scenario (the worker loads
the engine), times N status requests one after another with the worker idle, then again while
the default scenario runs, and prints each
median, 95th percentile and maximum with their ratio to the dice floor measured in this run
(``dice_floor.py``); also the time from ``POST /api/runs`` to the run's first progress (that run
is cancelled), and what the page does: the default scenario at the page's 50 nights, then its
first night mapped (``POST /api/nights``), timed from the run's POST. Nothing is compared with numbers from elsewhere.

``--browser``: the same in the page, in Debian's headless Chromium (Playwright): from the click on
"Run" (the default scenario at the page's 50 nights) to the outcome tables and to the first
night drawn on the map, timed inside the page (``performance.now()``), on a fresh server whose
worker has run the tiny scenario once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from skyshield.web import json_request, running_server
from skyshield.web.app import create_app

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dice_floor import floor_s

TINY = Path(__file__).resolve().parents[1] / "tests" / "tiny.yaml"


def _wait(url: str) -> Any:
    while True:
        status = json_request("GET", url)
        if status["state"] == "done":
            return status
        if status["state"] in ("failed", "cancelled"):
            raise SystemExit(f"{url}: {status['state']}: {status['error']}")
        time.sleep(0.05)


def _latencies(url: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        json_request("GET", url)
        times.append(time.perf_counter() - start)
    return times


def _show(label: str, times: list[float], floor: float) -> None:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"{label:<34s} median {median * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  "
        f"max {max(times) * 1e3:7.2f} ms   median / dice floor {median / floor:.5f}"
    )


# in the page: the click on Run, the outcome shown, the map drawn (performance.now(), ms)
_WATCH_JS = """() => {
  window.benchTimes = {};
  document.getElementById('run').addEventListener('click',
    () => { window.benchTimes.click = performance.now(); }, { capture: true });
  const seen = (id, name, test) => new MutationObserver((changes, observer) => {
    if (test(document.getElementById(id))) {
      window.benchTimes[name] = performance.now();
      observer.disconnect();
    }
  }).observe(document.getElementById(id), { attributes: true });
  seen('outcome', 'outcome', (e) => !e.hidden);
  seen('map-box', 'map', (e) => e.dataset.ready !== undefined);
}"""


def browser_run_to_map(floor: float, chromium: str) -> None:
    """Time "Run" to the outcome tables and to the first map in Chromium (see the module)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Path(folder) / "store", slots=1)
        with running_server(app) as server, sync_playwright() as p:
            warm = json_request(
                "POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 2}
            )
            _wait(f"{server}/api/runs/{warm['id']}")
            root = hasattr(os, "geteuid") and os.geteuid() == 0
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox"] if root else []
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "/")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.wait_for_selector("#policy-form[data-state=ready]", timeout=120_000)
            page.evaluate(_WATCH_JS)
            nights = page.input_value("#replications")
            page.click("#run")
            page.wait_for_selector("#map-box[data-ready]", timeout=600_000)
            times = page.evaluate("window.benchTimes")
            browser.close()
    ran = (times["outcome"] - times["click"]) / 1e3
    mapped = (times["map"] - times["click"]) / 1e3
    print(
        f"in Chromium, default scenario, {nights} nights: click on Run to the outcome tables "
        f"{ran:.2f} s ({ran / floor:.0f}x the dice floor), to the first map {mapped:.2f} s "
        f"({mapped / floor:.0f}x the dice floor)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="status requests per phase")
    parser.add_argument("--replications", type=int, default=2000, help="nights of the run")
    parser.add_argument(
        "--browser",
        nargs="?",
        const="/usr/bin/chromium",
        help="time the page's run to map in this Chromium (default /usr/bin/chromium) only",
    )
    args = parser.parse_args()
    floor = floor_s()
    print(f"dice floor (bench/dice_floor.py, same process): {floor:.3f} s")
    if args.browser:
        browser_run_to_map(floor, args.browser)
        return
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Path(folder) / "store", slots=1)
        with running_server(app) as server:
            # a fresh server: its worker loads the engine, then runs the tiny scenario
            posted = time.perf_counter()
            warm = json_request(
                "POST", f"{server}/api/runs", {"yaml": TINY.read_text(), "replications": 2}
            )
            _wait(f"{server}/api/runs/{warm['id']}")
            print(
                f"first run on a fresh server (tiny, 2 nights; the worker loads the engine): "
                f"{time.perf_counter() - posted:.2f} s"
            )
            # a finished job's status, the worker idle
            _show(
                "status, worker idle:",
                _latencies(f"{server}/api/runs/{warm['id']}", args.requests),
                floor,
            )
            # what the page does: run the default scenario at its default size, then map night 0
            nights = 50
            posted = time.perf_counter()
            job = json_request(
                "POST", f"{server}/api/runs", {"scenario": "default", "replications": nights}
            )["id"]
            done = _wait(f"{server}/api/runs/{job}")
            ran = time.perf_counter() - posted
            night = json_request(
                "POST", f"{server}/api/nights", {"run_id": done["run_id"], "replication": 0}
            )["id"]
            mapped = _wait(f"{server}/api/nights/{night}")
            total = time.perf_counter() - posted
            shots = sum(
                f["properties"]["layer"] == "intercept" for f in mapped["result"]["features"]
            )
            print(
                f"default scenario, {nights} nights: run done {ran:.2f} s after POST; night 0 "
                f"mapped ({len(mapped['result']['features'])} features, {shots} interceptors) "
                f"{total:.2f} s after POST ({total / floor:.0f}x the dice floor)"
            )
            # a long run: its first progress, then status requests while it runs; cancelled
            body = {"scenario": "default", "replications": args.replications}
            posted = time.perf_counter()
            job = json_request("POST", f"{server}/api/runs", body)["id"]
            url = f"{server}/api/runs/{job}"
            while True:
                status = json_request("GET", url)
                if status["progress"]["done"] > 0 or status["state"] not in ("running", "queued"):
                    break
                time.sleep(0.02)
            first = time.perf_counter() - posted
            print(
                f"POST /api/runs to first progress (default scenario, {status['progress']['done']} "
                f"of {status['progress']['total']} nights): {first:.2f} s "
                f"({first / floor:.1f}x the dice floor)"
            )
            times = _latencies(url, args.requests)
            still = json_request("GET", url)["state"]
            _show("status, during the run:", times, floor)
            print(f"   (the run was {still} when the last request was answered)")
            json_request("DELETE", url)


if __name__ == "__main__":
    main()
