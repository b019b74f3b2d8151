"""Command line: ``skyshield VERB``. Parse, call one API function, print.

One module per verb or verb group; each imports only typer, rich and the light
:mod:`skyshield.settings` and :mod:`skyshield.terminal` at module level, so ``skyshield --help``
never loads the engine. The API and the layers it runs import inside each verb's function, when
the verb runs.

Errors raised on purpose (:class:`SkyshieldError`) are printed as one line per problem on
stderr and exit with status 2; no traceback.
"""

from __future__ import annotations

import sys

import typer

from skyshield.cli.calibration import backtest_command, calibrate_command
from skyshield.cli.campaign import campaign_command
from skyshield.cli.common import PlainFlagsCommand, PlainFlagsGroup
from skyshield.cli.compare import compare_command
from skyshield.cli.export import export_command
from skyshield.cli.info import catalog, runs_command, scenarios, schema, validate
from skyshield.cli.report import report_command
from skyshield.cli.run import run_command
from skyshield.cli.serve import serve_command
from skyshield.cli.sweep import sweep_command
from skyshield.errors import SkyshieldError

__all__ = ["app", "main"]

app = typer.Typer(
    cls=PlainFlagsGroup,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Monte Carlo simulator of multinational air and missile defence.",
)

app.command("run", cls=PlainFlagsCommand)(run_command)
app.command("compare", cls=PlainFlagsCommand)(compare_command)
app.command("sweep", cls=PlainFlagsCommand)(sweep_command)
app.command("runs", cls=PlainFlagsCommand)(runs_command)
app.command("validate", cls=PlainFlagsCommand)(validate)
app.command("schema", cls=PlainFlagsCommand)(schema)
app.command("catalog", cls=PlainFlagsCommand)(catalog)
app.command("scenarios", cls=PlainFlagsCommand)(scenarios)
app.command("calibrate", cls=PlainFlagsCommand)(calibrate_command)
app.command("backtest", cls=PlainFlagsCommand)(backtest_command)
app.command("campaign", cls=PlainFlagsCommand)(campaign_command)
app.command("report", cls=PlainFlagsCommand)(report_command)
app.command("export", cls=PlainFlagsCommand)(export_command)
app.command("serve", cls=PlainFlagsCommand)(serve_command)


def main() -> None:
    """Entry point: run the app; turn on-purpose errors into a clean message and exit 2."""
    try:
        app()
    except SkyshieldError as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        # what is saved stays saved: a sweep resumes with the same command
        sys.stderr.write("interrupted\n")
        sys.exit(130)
