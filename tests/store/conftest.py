from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.scenario import Scenario, load_scenario

TINY = Path(__file__).with_name("tiny.yaml")


@pytest.fixture
def tiny() -> Scenario:
    """Two cruise missiles and four drones at Kyiv, one IRIS-T (2 rounds) and one Gepard."""
    return load_scenario(TINY)
