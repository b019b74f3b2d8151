"""``import skyshield`` and ``skyshield --help`` stay light; the lazy API still resolves.

A fresh interpreter (subprocess) imports the module and lists what came with it: none of the
numerical stack nor the engine, metrics, runner or store may load before an API name is used.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import skyshield

HEAVY = (
    "numpy",
    "pandas",
    "numba",
    "scipy",
    "matplotlib",
    "pyarrow",
    "skyshield.api",
    "skyshield.engine",
    "skyshield.metrics",
    "skyshield.runner",
    "skyshield.store",
)


def _loaded_after(code: str) -> list[str]:
    """Modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]


@pytest.mark.parametrize(
    "code",
    [
        "import skyshield",
        "import skyshield.units",
        "import skyshield; dir(skyshield); skyshield.__version__",
        "import skyshield.cli",  # what `skyshield --help` loads
    ],
)
def test_import__loads_no_heavy_module(code: str) -> None:
    assert _heavy(_loaded_after(code)) == []


def test_import__the_probe_sees_heavy_modules_when_they_load() -> None:
    """The check above can fail: using an API name loads the engine."""
    assert "numpy" in _heavy(_loaded_after("import skyshield; skyshield.run"))


def test_lazy_api__names_resolve_to_their_modules() -> None:
    from skyshield import api, errors, results, scenario

    assert skyshield.run is api.run
    assert skyshield.RunSummary is results.RunSummary
    assert skyshield.load_scenario is scenario.load_scenario
    assert skyshield.ScenarioError is errors.ScenarioError
    assert set(skyshield.__all__) <= set(dir(skyshield))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = skyshield.nope  # type: ignore[attr-defined]


def test_run__does_not_load_what_only_other_verbs_need() -> None:
    """``skyshield run`` loads the API and the run verb, not the sampler or scipy's statistics
    and optimisers, DuckDB, czml3 or jinja2 (~90 MB of the run's peak memory, issue #20):
    those load when used."""
    loaded = _loaded_after("import skyshield.api, skyshield.cli.run")
    assert "skyshield.calibration.fit" in loaded  # the modules that use them are imported
    assert "skyshield.store.catalog" in loaded
    unwanted = ("emcee", "scipy.stats", "scipy.optimize", "duckdb", "czml3", "jinja2")
    assert [m for m in loaded if m in unwanted] == []
