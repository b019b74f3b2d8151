"""``skyshield serve``: a local web server with a JSON API to run and compare scenarios.

Runs execute in worker processes (:mod:`skyshield.web.jobs`); every request is checked as the
command line checks it (:mod:`skyshield.web.inputs`); the application and its routes are in
:mod:`skyshield.web.app`. The top layer of the package: nothing else imports it but the CLI.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from skyshield.calibration.applied import AppliedCalibration

__all__ = ["LOOPBACK_NAMES", "is_loopback", "json_request", "running_server", "serve"]

# the Host names a server bound to loopback answers (DNS rebinding: a page's own host name
# pointed at 127.0.0.1 is refused)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address to bind) reaches this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    host: str,
    port: int,
    store: Path,
    *,
    slots: int = 1,
    max_queued: int = 4,
    max_replications: int = 10_000,
    calibration: AppliedCalibration | None = None,
) -> None:
    """Serve the API and the page until interrupted (uvicorn).

    ``calibration``: what every run and comparison applies (``serve --calibration``), read
    once before; see :func:`skyshield.web.app.create_app`.
    """
    import uvicorn

    from skyshield.web.app import create_app

    allowed = LOOPBACK_NAMES if is_loopback(host) else None
    app = create_app(
        store,
        slots=slots,
        max_queued=max_queued,
        max_replications=max_replications,
        allowed_hosts=allowed,
        calibration=calibration,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@contextmanager
def running_server(app: Starlette, *, timeout_s: float = 120.0) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yield its base URL (tests, benches).

    The server and its workers start before the URL is yielded and stop when the block ends.
    """
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="skyshield-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout_s)


def json_request(method: str, url: str, body: Any = None, *, timeout_s: float = 60.0) -> Any:
    """Send ``body`` as JSON to a running server (tests, benches); return the decoded answer.

    An error status raises :class:`urllib.error.HTTPError`, as :func:`urllib.request.urlopen`.
    """
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return json.loads(response.read())
