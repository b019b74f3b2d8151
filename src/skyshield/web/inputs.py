"""What a request may ask for, checked as the command line checks it, before anything is queued.

A scenario is a built-in name (never a path: the server reads no file a request names) or YAML
text, which goes through the same strict loader and size cap as a scenario file
(:func:`skyshield.scenario.parse_scenario`). Overrides are ``path=value`` strings parsed and
applied as ``compare --vary`` parses and applies them (:mod:`skyshield.scenario.variation`).
Every refusal is a :class:`~skyshield.errors.ScenarioError` whose text is the CLI's one line
per problem: ``source: field: expected X, got Y``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from skyshield.errors import FieldProblem, ScenarioError
from skyshield.scenario import (
    Scenario,
    builtin_scenario_names,
    builtin_scenario_path,
    load_scenario,
    parse_scenario,
    scenario_warnings,
)
from skyshield.scenario.load import field_errors, field_problem
from skyshield.scenario.variation import Variation, apply_variation, parse_variation

if TYPE_CHECKING:
    from skyshield.campaigns.models import Campaign

__all__ = [
    "UPLOAD_SOURCE",
    "CampaignRequest",
    "CompareRequest",
    "NightRequest",
    "Policy",
    "PolicyRequest",
    "RunRequest",
    "campaign_descriptions",
    "check_request",
    "check_size",
    "compare_policies",
    "load_campaign_request",
    "load_policy",
    "parse_vary",
]

# how an uploaded scenario is named in error messages (a file's name on the command line)
UPLOAD_SOURCE = "uploaded YAML"
# the default cap on replications per request: a night's tables grow with it (rows per threat
# per night), and one request must not exhaust the server's memory
DEFAULT_MAX_REPLICATIONS = 10_000


class PolicyRequest(BaseModel):
    """One scenario: a built-in ``scenario`` name or ``yaml`` text, and ``overrides``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str | None = None
    yaml: str | None = None
    overrides: list[str] = Field(default_factory=list)


class RunRequest(PolicyRequest):
    """``POST /api/runs``: a scenario, its overrides, the run's size and seed, ``calibrated``."""

    replications: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None
    route_sets: Annotated[int, Field(ge=1)] | str | None = None
    # the server's calibration (serve --calibration): applied unless false; true needs one
    calibrated: StrictBool | None = None


class CompareRequest(BaseModel):
    """``POST /api/compares``: policies (the first is the baseline), ``vary``, size and seed.

    One policy with overrides is compared against itself unchanged.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    policies: Annotated[list[PolicyRequest], Field(min_length=1)]
    vary: list[str] = Field(default_factory=list)
    replications: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None
    route_sets: Annotated[int, Field(ge=1)] | str | None = None
    # the server's calibration (serve --calibration): applied unless false; true needs one
    calibrated: StrictBool | None = None


class NightRequest(BaseModel):
    """``POST /api/nights``: one night (replication) of a run in the store, for the map."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    replication: Annotated[int, Field(ge=0)] = 0


class CampaignRequest(BaseModel):
    """``POST /api/campaigns``: a built-in campaign, its delivery schedule, size and seed.

    ``deliveries`` (None: the campaign file's own) replaces the file's ``deliveries`` list:
    entries ``{system, per_month, sd, start}`` checked as the campaign file's are.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    campaign: str | None = None
    deliveries: list[dict[str, Any]] | None = None
    replications: Annotated[int, Field(ge=1)] | None = None
    seed: Annotated[int, Field(ge=0)] | None = None


RequestT = TypeVar("RequestT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Policy:
    """A scenario loaded and overridden, with the warnings ``skyshield run`` would print."""

    scenario: Scenario
    warnings: tuple[str, ...]


def check_request(
    model: type[RequestT], body: Any, *, max_replications: int = DEFAULT_MAX_REPLICATIONS
) -> RequestT:
    """Validate a request's JSON body against ``model``; every problem named by its field."""
    if not isinstance(body, dict):
        found = "nothing" if body is None else type(body).__name__
        raise ScenarioError("request", [FieldProblem("", "a JSON object", found)])
    try:
        request = model.model_validate(body)
    except ValidationError as exc:
        raise ScenarioError("request", [field_problem(e) for e in field_errors(exc)]) from None
    replications = getattr(request, "replications", None)
    if replications is not None and replications > max_replications:
        expected = f"at most {max_replications:,} (skyshield serve --max-replications)"
        raise ScenarioError(
            "request", [FieldProblem("replications", expected, f"{replications:,}")]
        )
    return request


def _base_scenario(policy: PolicyRequest) -> Scenario:
    """Load the named built-in scenario, the uploaded YAML, or the default; never a path."""
    if policy.scenario is not None and policy.yaml is not None:
        problem = FieldProblem("", "either scenario (a built-in name) or yaml, not both", "both")
        raise ScenarioError("request", [problem])
    if policy.yaml is not None:
        return parse_scenario(policy.yaml, source=UPLOAD_SOURCE)
    if policy.scenario is None:
        return load_scenario(None)
    if policy.scenario not in builtin_scenario_names():
        builtin_scenario_path(policy.scenario)  # raises the CLI's message, naming the built-ins
    return load_scenario(builtin_scenario_path(policy.scenario))


def parse_override(text: str, *, source: str) -> Variation:
    """One ``path=value`` as ``--vary`` reads it, with exactly one value."""
    try:
        variation = parse_variation(text)
    except ScenarioError as exc:
        raise ScenarioError(source, list(exc.problems)) from None
    if len(variation.values) != 1:
        expected = "path=value (one value; a comparison's vary takes several)"
        raise ScenarioError(source, [FieldProblem("", expected, repr(text))])
    return variation


def load_policy(policy: PolicyRequest, *, prefix: str = "") -> Policy:
    """Load a request's scenario and apply its overrides in order, each revalidated."""
    scenario = _base_scenario(policy)
    for i, text in enumerate(policy.overrides):
        source = f"{prefix}overrides[{i}]"
        variation = parse_override(text, source=source)
        scenario = apply_variation(scenario, variation.path, variation.values[0], source=source)
    return Policy(scenario=scenario, warnings=tuple(scenario_warnings(scenario)))


def parse_vary(texts: list[str]) -> tuple[Variation, ...]:
    """``vary`` entries as ``compare --vary`` reads them (``path=value1,value2``)."""
    variations = []
    for i, text in enumerate(texts):
        try:
            variations.append(parse_variation(text))
        except ScenarioError as exc:
            raise ScenarioError(f"vary[{i}]", list(exc.problems)) from None
    return tuple(variations)


def compare_policies(request: CompareRequest) -> tuple[Policy, ...]:
    """Load the policies a comparison runs, each named apart (the first is the baseline).

    One policy with overrides is compared against its scenario unchanged; policies that share a
    name are told apart by their position (``name #2``).
    """
    requested = list(request.policies)
    if len(requested) == 1:
        if not requested[0].overrides:
            expected = "two or more policies, or one with overrides (compared against it unchanged)"
            raise ScenarioError("request", [FieldProblem("policies", expected, "one policy")])
        requested.insert(0, requested[0].model_copy(update={"overrides": []}))
    loaded = [load_policy(p, prefix=f"policies[{i}].") for i, p in enumerate(requested)]
    names: list[str] = []
    for policy, asked in zip(loaded, requested, strict=True):
        name = policy.scenario.name
        if asked.overrides:
            name += " with " + ", ".join(asked.overrides)
        if name in names:
            name += f" #{len(names) + 1}"
        names.append(name)
    return tuple(
        Policy(scenario=p.scenario.model_copy(update={"name": n}), warnings=p.warnings)
        for p, n in zip(loaded, names, strict=True)
    )


def check_size(
    replications: int | None,
    scenarios: tuple[Scenario, ...],
    *,
    max_replications: int = DEFAULT_MAX_REPLICATIONS,
) -> None:
    """Refuse a run whose nights exceed the cap, counting a scenario's own (overridden) size.

    Without ``replications`` a run makes its scenario's ``monte_carlo.replications``, which an
    override (``monte_carlo.replications=...``) or an uploaded file may set past the cap.
    """
    for scenario in scenarios:
        nights = scenario.monte_carlo.replications if replications is None else replications
        if nights > max_replications:
            expected = f"at most {max_replications:,} nights (skyshield serve --max-replications)"
            problem = FieldProblem("monte_carlo.replications", expected, f"{nights:,}")
            raise ScenarioError(scenario.name, [problem])


def load_campaign_request(request: CampaignRequest) -> Campaign:
    """Load the named built-in campaign (never a path) with the request's delivery schedule.

    The schedule goes through the campaign file's own checks (the strict loader and the
    :class:`~skyshield.campaigns.models.Campaign` model): a bad entry is refused as
    ``request: deliveries.0.per_month: expected ..., got ...``.
    """
    from skyshield.campaigns.load import (
        DEFAULT_CAMPAIGN,
        builtin_campaign_names,
        load_campaign,
        parse_campaign,
    )

    name = DEFAULT_CAMPAIGN if request.campaign is None else request.campaign
    known = builtin_campaign_names()
    if name not in known:
        expected = f"a built-in campaign ({', '.join(known)})"
        raise ScenarioError("request", [FieldProblem("campaign", expected, repr(name))])
    campaign = load_campaign(name)
    if request.deliveries is None:
        return campaign
    data = campaign.model_dump(mode="json")
    data["deliveries"] = request.deliveries
    return parse_campaign(json.dumps(data), source="request")


def campaign_descriptions() -> list[dict[str, Any]]:
    """Each built-in campaign as the page edits it: name, description, size, stocks, schedule."""
    from skyshield.campaigns.load import builtin_campaign_names, load_campaign

    listed = []
    for name in builtin_campaign_names():
        campaign = load_campaign(name)
        listed.append(
            {
                "name": name,
                "description": " ".join(campaign.description.split()),
                "start": campaign.start.isoformat(),
                "nights": campaign.nights,
                "replications": campaign.monte_carlo.replications,
                "seed": campaign.monte_carlo.seed,
                "stocks": dict(campaign.stocks),
                "deliveries": [d.model_dump(mode="json") for d in campaign.deliveries],
            }
        )
    return listed
