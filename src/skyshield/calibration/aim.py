"""Where a ballistic salvo whose report names no target was aimed: fitted on earlier nights.

Issue 23: the reports' share of ballistic missiles neutralised rises with the salvo (per tenfold
salvo, +0.38 in 2024-Q4 and +0.42 in 2025-Q2), while the model's fell. The reports' own targets
say why: the nights that name a located target put the big salvos at Kyiv, the one city under
publicly reported Patriot cover (:mod:`skyshield.posture.cover`). From 2023-05-04 to
2024-09-30, 3 of 51 one-or-two-missile nights with a located target were covered, 2 of 9
three-to-five-missile nights and 2 of 3 nights of six or more; from 2024-10-01 to 2025-03-31,
0 of 33, 2 of 10 and 3 of 3. But 10 of the 13 nights of six or more before 2024-10 name no
target ("Ukraine", a direction), and the model flew those at the fixed target mix (Kyiv one
city in eight), whatever their size.

:func:`aim_unnamed` replaces, on every night whose report locates no ballistic target, the
emulator's ``cover_ballistic`` and ``reach_ballistic`` features by their expectation under a
logistic model of the covered share on log(launched), fitted (maximum likelihood, two
parameters) on the nights before ``until`` that locate their ballistic targets: ``cover`` =
p(n), ``reach`` = p(n) × the reach of the night's launch sites at a covered city
(:func:`~skyshield.posture.geography.reach_ballistic` with Kyiv as the target). No number is
set by hand; only nights before ``until`` enter the fit, so a later report never changes it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np

from skyshield.calibration.fit import NightData
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.geo.cities import find_city
from skyshield.posture import NightComposition, NightGeography
from skyshield.posture.cover import PATRIOT_SITES
from skyshield.posture.geography import GEOGRAPHY_FEATURES, reach_ballistic
from skyshield.posture.laydown import scenario_places

__all__ = ["AimFit", "aim_unnamed", "fit_aim"]

_BALLISTIC = REPORT_CLASSES.index("ballistic")
_COVER = GEOGRAPHY_FEATURES.index("cover_ballistic")
_REACH = GEOGRAPHY_FEATURES.index("reach_ballistic")
# the covered city an unnamed salvo is flown at (the one PATRIOT_SITES city)
_SITE = next(iter(PATRIOT_SITES))
_FIRST = np.datetime64(min(PATRIOT_SITES.values()), "D")


@dataclasses.dataclass(frozen=True, slots=True)
class AimFit:
    """logit p(covered) = intercept + slope × ln(launched); ``nights`` it was fitted on."""

    intercept: float
    slope: float
    nights: int

    def share(self, launched: np.ndarray) -> np.ndarray:
        """Return the expected share of a salvo of ``launched`` aimed at covered targets."""
        z = self.intercept + self.slope * np.log(np.maximum(launched, 1.0))
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


def fit_aim(covered: np.ndarray, launched: np.ndarray, iterations: int = 50) -> AimFit:
    """Maximum-likelihood logistic fit of the covered share (in [0, 1]) on ln(launched).

    Quasi-binomial (a night's share counts as one trial); Newton steps with a tiny ridge so
    a separable sample (e.g. every big salvo covered) stays finite.
    """
    x = np.column_stack([np.ones(launched.size), np.log(np.maximum(launched, 1.0))])
    y = np.asarray(covered, dtype=float)
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        w = np.maximum(p * (1.0 - p), 1e-9)
        hessian = x.T @ (x * w[:, None]) + 1e-3 * np.eye(2)
        step = np.linalg.solve(hessian, x.T @ (y - p) - 1e-3 * beta)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:  # noqa: PLR2004
            break
    return AimFit(float(beta[0]), float(beta[1]), int(launched.size))


def aim_unnamed(
    data: NightData, geographies: dict[np.datetime64, NightGeography], until: date
) -> tuple[NightData, AimFit | None]:
    """Return ``data`` with the unnamed-target nights' ballistic cover features, and the fit.

    Unchanged (and None) without geography features or without two located nights before
    ``until`` to fit on. See the module.
    """
    if data.geography is None:
        return data, None
    limit = np.datetime64(until, "D")
    launched = data.launched[:, _BALLISTIC].astype(float)
    named = np.array(
        ["ballistic" in geographies.get(n, NightGeography()).targets for n in data.nights]
    )
    train = named & (launched > 0) & (data.nights < limit) & (data.nights >= _FIRST)
    if train.sum() < 2:  # noqa: PLR2004
        return data, None
    fit = fit_aim(data.geography[train, _COVER], launched[train])
    geography = np.array(data.geography, copy=True)
    unnamed = ~named & (launched > 0) & (data.nights >= _FIRST)
    share = fit.share(launched)
    city = find_city(_SITE, "UA")
    site = (_SITE, city.lon_deg, city.lat_deg)
    for i in np.flatnonzero(unnamed):
        own = geographies.get(data.nights[i], NightGeography())
        at_site = dataclasses.replace(own, targets={**own.targets, "ballistic": (site,)})
        places = scenario_places(at_site)
        composition = NightComposition(0, 0, int(launched[i]))
        geography[i, _COVER] = share[i]
        geography[i, _REACH] = share[i] * reach_ballistic(places, composition, data.nights[i])
    return dataclasses.replace(data, geography=geography), fit
