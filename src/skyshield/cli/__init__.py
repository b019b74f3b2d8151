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
from skyshield.cli.compare import compare_command
from skyshield.cli.export import export_command
from skyshield.cli.info import catalog, runs_command, scenarios, schema, validate
from skyshield.cli.report import report_command
from skyshield.cli.run import run_command
from skyshield.cli.sweep import sweep_command
from skyshield.errors import SkyshieldError

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Monte Carlo simulator of multinational air and missile defence.",
)

app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("sweep")(sweep_command)
app.command("runs")(runs_command)
app.command("validate")(validate)
app.command("schema")(schema)
app.command("catalog")(catalog)
app.command("scenarios")(scenarios)
app.command("calibrate")(calibrate_command)
app.command("backtest")(backtest_command)
app.command("campaign")(campaign_command)
app.command("report")(report_command)
app.command("export")(export_command)


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
