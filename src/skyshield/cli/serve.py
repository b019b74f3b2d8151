"""The ``serve`` verb: a local web server with a JSON API to run and compare scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from skyshield.cli.common import warn
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
) -> None:
    """Serve a JSON API (and a page) to run, compare and cancel scenarios from a browser."""
    from skyshield.store import check_results_directory
    from skyshield.web import is_loopback, serve

    check_results_directory(store)
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
    serve(host, port, store, slots=slots, max_queued=queue, max_replications=max_replications)
