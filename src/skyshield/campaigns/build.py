"""From a campaign file to what the loop runs: the plan (arrays) and the raid pool."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from skyshield.calibration.calibrate import load_calibration
from skyshield.calibration.model import NAMES
from skyshield.calibration.transfer import latest_medians
from skyshield.campaigns.ballistic import ballistic_aim, ballistic_waves
from skyshield.campaigns.models import Campaign, RaidMode
from skyshield.campaigns.pool import RaidPool, national_pool
from skyshield.campaigns.raids import RaidGenerator, history
from skyshield.campaigns.simulate import Plan
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.errors import FieldProblem, ScenarioError
from skyshield.posture import NightComposition, allied_blocks
from skyshield.reports import Reports
from skyshield.scenario import load_scenario

__all__ = [
    "aim_span",
    "build_plan",
    "night_parameters",
    "pool_ballistic",
    "pool_capacity",
    "pool_for",
]

# The pool holds the generator's nightly count up to this quantile per class (the rest of a
# rarer, larger night is cut and counted as truncated).
POOL_QUANTILE = 0.999
_CAPACITY_DRAWS = 20_000


def night_parameters(campaign: Campaign, source: str = "<campaign>") -> dict[str, float]:
    """Return the night model's parameters: the file's, or a calibration file's latest medians."""
    model = campaign.night_model
    if model.calibration is None:
        return {name: float(getattr(model, name)) for name in NAMES}
    calibration = load_calibration(
        Path(model.calibration), source=source, field="night_model.calibration", fitted=True
    )
    return latest_medians(calibration)


def build_plan(campaign: Campaign, reports: Reports, source: str = "<campaign>") -> Plan:
    """Compile a campaign's raids, stocks, deliveries and doctrine to arrays.

    ``source`` names the campaign file in errors (nights outside the reports).
    """
    raids = campaign.raids
    replay = generator = None
    try:
        if raids.mode is RaidMode.REPLAY:
            replay = history(reports.by_night, campaign.start, campaign.nights)
        else:
            assert raids.fit_from is not None
            assert raids.fit_until is not None
            span = (raids.fit_until - raids.fit_from).days + 1
            training = history(reports.by_night, raids.fit_from, span)
            generator = RaidGenerator.fit(training, raids.fit_from, trend=raids.trend)
    except ValueError as exc:
        field = "start" if raids.mode is RaidMode.REPLAY else "raids.fit_from"
        raise ScenarioError(source, [FieldProblem(field, str(exc), "nights outside")]) from None
    systems = tuple(campaign.stocks)
    by_system = {d.system: d for d in campaign.deliveries}
    hold_below = np.full(len(systems), -1, dtype=np.int64)
    hold_fire_at = np.zeros((len(systems), len(REPORT_CLASSES)), dtype=bool)
    for s, key in enumerate(systems):
        rule = campaign.doctrine.hold.get(key)
        if rule is not None:
            hold_below[s] = rule.below
            hold_fire_at[s] = [name in rule.fire_at for name in REPORT_CLASSES]
    return Plan(
        start=campaign.start,
        nights=campaign.nights,
        systems=systems,
        initial_stock=np.array([campaign.stocks[k] for k in systems], dtype=np.int64),
        per_month=np.array(
            [by_system[k].per_month if k in by_system else 0 for k in systems], dtype=np.float64
        ),
        sd=np.array([by_system[k].sd if k in by_system else 0.0 for k in systems]),
        delivery_start=tuple(
            (by_system[k].start or campaign.start) if k in by_system else campaign.start
            for k in systems
        ),
        hold_below=hold_below,
        hold_fire_at=hold_fire_at,
        replay=replay,
        generator=generator,
    )


def pool_capacity(plan: Plan) -> NightComposition:
    """Return the largest night the pool holds per class.

    The replay's largest night; or the generator's :data:`POOL_QUANTILE` per class over the
    campaign's nights.
    """
    if plan.replay is not None:
        top = plan.replay.max(axis=0)
    else:
        assert plan.generator is not None
        rng = np.random.default_rng(0)
        nights = min(plan.nights, 366)
        sample = plan.generator.sample(
            rng, plan.start, nights, max(_CAPACITY_DRAWS // nights, 1)
        ).reshape(-1, 3)
        top = np.ceil(np.quantile(sample, POOL_QUANTILE, axis=0))
    return NightComposition(*(max(int(v), 1) for v in top))


def aim_span(campaign: Campaign) -> tuple[date, date]:
    """Return the report nights the campaign draws its raids from: training or replayed nights."""
    raids = campaign.raids
    if raids.mode is RaidMode.REPLAY:
        return campaign.start, campaign.start + timedelta(days=campaign.nights - 1)
    assert raids.fit_from is not None
    assert raids.fit_until is not None
    return raids.fit_from, raids.fit_until


def pool_ballistic(
    campaign: Campaign, count: int, data: Path | None = None
) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
    """Return a pool's ``count`` ballistic waves aimed as the reports of :func:`aim_span` aimed."""
    return ballistic_waves(count, ballistic_aim(*aim_span(campaign), data))


def pool_for(
    campaign: Campaign, plan: Plan, source: str = "<campaign>", data: Path | None = None
) -> RaidPool:
    """Build the raid pool of a campaign: its capacity against the national posture.

    Its ballistic missiles fly where the reports of :func:`aim_span` aimed them
    (:mod:`skyshield.campaigns.ballistic`; ``data``: the reports file, default the shipped one).
    """
    allies = None
    if campaign.allies is not None:
        allies = allied_blocks(load_scenario(campaign.allies.scenario), campaign.allies.nations)
    capacity = pool_capacity(plan)
    return national_pool(
        capacity,
        night_parameters(campaign, source),
        route_sets=campaign.monte_carlo.route_sets,
        seed=campaign.monte_carlo.seed,
        allies=allies,
        ballistic=pool_ballistic(campaign, capacity.ballistic, data),
    )
