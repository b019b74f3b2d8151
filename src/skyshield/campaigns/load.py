"""Read campaign files into :class:`Campaign` objects, or fail with a clear error."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from skyshield.campaigns.models import Campaign
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.posture import FAMILY_OF_SYSTEM
from skyshield.scenario import load_scenario
from skyshield.scenario.load import parse_model, read_input

__all__ = [
    "DEFAULT_CAMPAIGN",
    "allied_systems",
    "builtin_campaign_names",
    "load_campaign",
    "parse_campaign",
]

DEFAULT_CAMPAIGN = "h2-2025-patriot"


def builtin_campaign_names() -> tuple[str, ...]:
    """Names of the example campaigns shipped inside the package, sorted."""
    examples = importlib.resources.files("skyshield.campaigns") / "examples"
    return tuple(
        sorted(p.name[: -len(".yaml")] for p in examples.iterdir() if p.name.endswith(".yaml"))
    )


def _builtin_path(name: str) -> Path:
    return Path(str(importlib.resources.files("skyshield.campaigns") / "examples" / f"{name}.yaml"))


def load_campaign(source: str | Path | None = None) -> Campaign:
    """Load a campaign from a file path, a built-in name, or the default when ``None``.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, not YAML, or does not describe a valid campaign.
    """
    if source is None:
        source = DEFAULT_CAMPAIGN
    path = Path(source)
    if not path.exists() and str(source) in builtin_campaign_names():
        path = _builtin_path(str(source))
    known = ", ".join(builtin_campaign_names())
    text = read_input(path, f"an existing file or a built-in campaign ({known})")
    return parse_campaign(text, source=str(path))


def parse_campaign(text: str, *, source: str = "<string>") -> Campaign:
    """Parse campaign YAML text; ``source`` names it in error messages."""
    campaign = parse_model(text, Campaign, source=source, what="campaign")
    problems = _stock_problems(campaign, source)
    if problems:
        raise ScenarioError(source, problems)
    return campaign


def allied_systems(campaign: Campaign, source: str = "<campaign>") -> set[str]:
    """``NATION/system`` of every allied fire unit the campaign takes from its policy scenario."""
    if campaign.allies is None:
        return set()
    try:
        allies = load_scenario(campaign.allies.scenario)
    except ScenarioError as exc:
        expected = "a scenario file or built-in name that loads"
        found = f"{exc.source}: {exc.problems[0].expected}, got {exc.problems[0].found}"
        problem = FieldProblem("allies.scenario", expected, found)
        raise ScenarioError(source, [problem]) from None
    missing = [n for n in campaign.allies.nations if n not in allies.nations]
    if missing:
        expected = f"nations of {campaign.allies.scenario} ({', '.join(allies.nations)})"
        raise ScenarioError(source, [FieldProblem("allies.nations", expected, ", ".join(missing))])
    return {
        f"{u.nation}/{u.system}" for u in allies.fire_units if u.nation in campaign.allies.nations
    }


def _stock_problems(campaign: Campaign, source: str) -> list[FieldProblem]:
    home = ", ".join(sorted(FAMILY_OF_SYSTEM))
    allied = allied_systems(campaign, source)
    problems = []
    for key in campaign.stocks:
        if "/" in key:
            if key not in allied:
                known = ", ".join(sorted(allied)) or "none: add allies"
                problems.append(
                    FieldProblem(f"stocks.{key}", f"an allied system ({known})", repr(key))
                )
        elif key not in FAMILY_OF_SYSTEM:
            problems.append(
                FieldProblem(
                    f"stocks.{key}", f"a system of the national posture ({home})", repr(key)
                )
            )
    return problems
