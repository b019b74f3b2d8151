"""``skyshield serve``: a local web server with a JSON API to run and compare scenarios.

Runs execute in worker processes (:mod:`skyshield.web.jobs`); every request is checked as the
command line checks it (:mod:`skyshield.web.inputs`); the application and its routes are in
:mod:`skyshield.web.app`. The top layer of the package: nothing else imports it but the CLI.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

__all__ = ["LOOPBACK_NAMES", "is_loopback", "serve"]

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
) -> None:
    """Serve the API and the page until interrupted (uvicorn)."""
    import uvicorn

    from skyshield.web.app import create_app

    allowed = LOOPBACK_NAMES if is_loopback(host) else None
    app = create_app(
        store,
        slots=slots,
        max_queued=max_queued,
        max_replications=max_replications,
        allowed_hosts=allowed,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
