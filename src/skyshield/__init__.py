"""skyshield: Monte Carlo simulator of multinational air and missile defence.

An analysis tool at the level of public information; it takes no live data and controls nothing.

``import skyshield`` is light: the public API below loads on first use (PEP 562), so a script
that only reads ``skyshield.units`` or the ``skyshield --help`` text never loads the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skyshield.api import (
        backtest,
        calibrate,
        campaign,
        compare,
        export,
        report,
        run,
        sweep,
    )
    from skyshield.calibration.applied import AppliedCalibration
    from skyshield.calibration.backtest import Backtest
    from skyshield.calibration.calibrate import Calibration
    from skyshield.campaigns.solve import DeliverySolution
    from skyshield.campaigns.workflow import CampaignRun
    from skyshield.errors import CatalogError, GeographyError, ScenarioError, SkyshieldError
    from skyshield.results import Result, RunSummary
    from skyshield.runner.compare import PolicyComparison
    from skyshield.runner.sweep import SweepResult
    from skyshield.scenario import Scenario, load_scenario

__all__ = [
    "AppliedCalibration",
    "Backtest",
    "Calibration",
    "CampaignRun",
    "CatalogError",
    "DeliverySolution",
    "GeographyError",
    "PolicyComparison",
    "Result",
    "RunSummary",
    "Scenario",
    "ScenarioError",
    "SkyshieldError",
    "SweepResult",
    "backtest",
    "calibrate",
    "campaign",
    "compare",
    "export",
    "load_scenario",
    "report",
    "run",
    "sweep",
]

__version__ = "0.1.0.dev0"

# public name -> module defining it; each module is imported when its first name is asked for
_SOURCES = {
    "AppliedCalibration": "skyshield.calibration.applied",
    "Backtest": "skyshield.calibration.backtest",
    "Calibration": "skyshield.calibration.calibrate",
    "CampaignRun": "skyshield.campaigns.workflow",
    "CatalogError": "skyshield.errors",
    "DeliverySolution": "skyshield.campaigns.solve",
    "GeographyError": "skyshield.errors",
    "PolicyComparison": "skyshield.runner.compare",
    "Result": "skyshield.results",
    "RunSummary": "skyshield.results",
    "Scenario": "skyshield.scenario",
    "ScenarioError": "skyshield.errors",
    "SkyshieldError": "skyshield.errors",
    "SweepResult": "skyshield.runner.sweep",
    "backtest": "skyshield.api",
    "calibrate": "skyshield.api",
    "campaign": "skyshield.api",
    "compare": "skyshield.api",
    "export": "skyshield.api",
    "load_scenario": "skyshield.scenario",
    "report": "skyshield.api",
    "run": "skyshield.api",
    "sweep": "skyshield.api",
}


def __getattr__(name: str) -> Any:
    """Import the module defining the public ``name`` on first use and cache the value here."""
    module = _SOURCES.get(name)
    if module is None:
        raise AttributeError(f"module 'skyshield' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the module's own names and the public API (loaded or not), for completion."""
    return sorted(set(globals()) | set(__all__))
