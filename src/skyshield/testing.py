"""Helpers for testing skyshield as a user runs it (used by the project's own tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_cli"]


def run_cli(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m skyshield ARGS`` in a subprocess and capture its exit status and output.

    The terminal size variables are dropped so tables render as they do for a redirected
    command, whatever terminal the tests run in.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    return subprocess.run(
        [sys.executable, "-m", "skyshield", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
