"""Helpers for testing skyshield's command line and its arrays (used by its tests and benches).

:func:`run_cli` runs a command in the test's own process through typer's ``CliRunner`` (no
~4 s interpreter start and import per call); :func:`run_cli_subprocess` runs it as a user does,
``python -m skyshield ARGS`` in a new process. Both return an object with ``returncode``,
``stdout`` and ``stderr``. :func:`array_leaves` lists every array inside a nested dataclass
or tuple with its path, to compare two geometries or kernel inputs array by array.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "CliResult",
    "array_leaves",
    "assert_same_arrays",
    "run_cli",
    "run_cli_subprocess",
]

# Dropped for every run, so tables render as they do for a redirected command, whatever
# terminal the tests run in.
TERMINAL_SIZE_VARIABLES = ("COLUMNS", "LINES")


@dataclass(frozen=True)
class CliResult:
    """Exit status and captured output of one in-process command (as a subprocess gives)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> CliResult:
    """Run ``skyshield ARGS`` in this process and capture its exit status and output.

    The same handling as the ``skyshield`` entry point: an on-purpose error
    (:class:`~skyshield.errors.SkyshieldError`) is one line on stderr and status 2; any other
    exception is a traceback on stderr and status 1, as Python prints it. ``cwd`` is the working
    directory during the command.
    """
    from typer.testing import CliRunner

    from skyshield.cli import app  # the whole CLI: imported only when a test runs a command
    from skyshield.errors import SkyshieldError

    argv = [str(a) for a in args]
    try:  # click < 8.2 mixes stderr into stdout unless told not to; 8.2 always keeps them apart
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = runner.invoke(
            app,
            argv,
            env=dict.fromkeys(TERMINAL_SIZE_VARIABLES),  # None: unset while the command runs
            catch_exceptions=True,
        )
    stderr = result.stderr
    code = result.exit_code
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        if isinstance(exc, SkyshieldError):  # what skyshield.cli.main does with it
            stderr += f"{exc}\n"
            code = 2
        else:  # what the interpreter prints for an uncaught exception
            stderr += "".join(traceback.format_exception(exc))
            code = 1
    return CliResult(argv, code, result.stdout, stderr)


def run_cli_subprocess(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m skyshield ARGS`` in a new process, as a user does, and capture it."""
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_SIZE_VARIABLES}
    return subprocess.run(
        [sys.executable, "-m", "skyshield", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def array_leaves(value: object, prefix: str = "") -> list[tuple[str, np.ndarray]]:
    """Return every array in a (nested) dataclass, tuple or list, with its path."""
    if isinstance(value, np.ndarray):
        return [(prefix, value)]
    if isinstance(value, tuple | list):
        return [a for k, v in enumerate(value) for a in array_leaves(v, f"{prefix}[{k}]")]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            a
            for f in dataclasses.fields(value)
            for a in array_leaves(getattr(value, f.name), f"{prefix}.{f.name}")
        ]
    return []


def assert_same_arrays(a: object, b: object) -> None:
    """Assert two (nested) dataclasses hold the same arrays, bit for bit (paths, dtypes, values)."""
    left, right = array_leaves(a, "g"), array_leaves(b, "g")
    assert [p for p, _ in left] == [p for p, _ in right]
    for (path, x), (_, y) in zip(left, right, strict=True):
        assert x.dtype == y.dtype, path
        assert np.array_equal(x, y), path
