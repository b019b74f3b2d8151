"""Help text: flags show bare (``--json``), options that take a value show its type."""

from __future__ import annotations

import pytest

from skyshield.cli import app
from skyshield.testing import run_cli

VERBS = sorted(c.name for c in app.registered_commands if c.name is not None)


@pytest.mark.parametrize("verb", ["", *VERBS])
def test_help__flags_without_a_type_label(verb: str) -> None:
    result = run_cli(*([verb] if verb else []), "--help")
    assert result.returncode == 0, result.stderr
    assert "--help" in result.stdout
    assert "<bool>" not in result.stdout


def test_help__options_with_a_value_keep_their_type() -> None:
    lines = run_cli("run", "--help").stdout.splitlines()
    (seed,) = [line for line in lines if "--seed" in line]
    (json_flag,) = [line for line in lines if "--json" in line]
    assert "<int range>" in seed
    assert json_flag.split("--json")[1].lstrip().startswith("Print")
