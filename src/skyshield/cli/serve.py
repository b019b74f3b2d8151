"""The ``serve`` verb: a local web server with a JSON API to run and compare scenarios."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Annotated

import typer

from skyshield.cli.common import CalibrationOption, check_outputs, warn
from skyshield.terminal import err

__all__ = ["serve_command"]


def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on; loopback unless you mean otherwise.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    store: Annotated[
        Path,
        typer.Option(
            help="Results directory every run is saved in (created if new); "
            "list it with `skyshield runs DIR`."
        ),
    ] = Path("skyshield-runs"),
    slots: Annotated[
        int, typer.Option(min=1, help="Worker processes: runs executed at the same time.")
    ] = 1,
    queue: Annotated[
        int, typer.Option(min=0, help="Runs that may wait; one more is refused as busy (429).")
    ] = 4,
    max_replications: Annotated[
        int, typer.Option(min=1, help="Largest replication count one request may ask for.")
    ] = 10_000,
    calibration: CalibrationOption = None,
) -> None:
    """Serve a JSON API (and a page) to run, compare and cancel scenarios from a browser.

    With ``--calibration FILE`` (read once, now) every run and comparison applies it, as
    ``run --calibration`` does, unless its request says ``"calibrated": false``.
    """
    from skyshield.store import results_directory_problem
    from skyshield.web import is_loopback, serve

    problem = results_directory_problem(store)
    if problem is not None:
        sys.stderr.write(f"{store}: --store: {problem}\n")
        raise typer.Exit(2)
    applied = check_outputs(calibration=calibration)
    _check_port(host, port)
    if not is_loopback(host):
        warn(
            [
                f"serving on {host}, not loopback: other machines can reach it, and it has no "
                "authentication (anyone who reaches it can run and cancel simulations)"
            ]
        )
    shown = f"[{host}]" if ":" in host else host
    err.print(
        f"skyshield serving on http://{shown}:{port}/ (runs saved in {store}); Ctrl-C stops",
        highlight=False,
        markup=False,
    )
    if applied is not None:
        err.print(f"runs {applied.describe()}", highlight=False, markup=False, soft_wrap=True)
    serve(
        host,
        port,
        store,
        slots=slots,
        max_queued=queue,
        max_replications=max_replications,
        calibration=applied,
    )


def _check_port(host: str, port: int) -> None:
    """Exit 2 with one line now if the address cannot be listened on (in use, not local)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        sys.stderr.write(
            f"{host}:{port}: --host/--port: expected an address to listen on, got {reason}\n"
        )
        raise typer.Exit(2) from None
