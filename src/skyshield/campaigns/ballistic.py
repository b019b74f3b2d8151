"""Where a campaign's ballistic missiles fly: the reports' own aim, not the night model's defaults.

A report night that names no place flies the night model's defaults (Iskander-M from Kursk,
Belgorod and Crimea, Kinzhal from Lipetsk, at eight cities;
:data:`~skyshield.posture.laydown.CLASS_MIX`). The Iskander-M reaches 425 km in the model
(500 km x :data:`~skyshield.posture.laydown.RANGE_MARGIN`): Kyiv, the one city under publicly
reported Patriot/SAMP-T cover (:mod:`skyshield.posture.cover`), lies ~429 km from Belgorod and
~660 km from Crimea, so two of the three default areas' missiles are retargeted elsewhere. The
campaign's raid pool flew only those defaults: 2 of its 14 ballistic missiles at Kyiv (0.14),
and the PAC-3 stock never ran out (P 0.00 at 12 a month), against public reporting of a stock
"nearly exhausted" in 2025.

:func:`ballistic_aim` derives the campaign's ballistic geography from the reports of the nights
its raids are drawn from (the generator's training window, or the replayed nights):

* ``covered``: the share of those nights' ballistic missiles aimed at covered targets,
  weighted by launched. A night whose report locates its targets counts the share of them under
  cover (:func:`~skyshield.posture.cover.patriot_covered`, the emulator's ``cover_ballistic``);
  a night that locates none counts the night model's own expectation for a salvo of its size
  (:func:`~skyshield.calibration.aim.fit_aim`, fitted as the night model fits it: located nights
  from the first covered night to the end of the window). Big salvos go mostly at Kyiv.
* ``sites``: the launch points the reports locate on those nights whose ballistic targets are
  covered; each type flies only from those within its reach of the covered city (the night
  model's rule, :func:`~skyshield.posture.laydown._sites_in_reach`); a type with none in reach
  keeps the default areas that reach it.
* ``mix``: the types' shares over those nights (Kinzhal rows fly Kinzhal, the rest Iskander-M;
  ``posture.geography.ballistic_mixes``).

:func:`ballistic_waves` turns it into the pool's ballistic waves: the covered share at the
covered cities from those sites, the rest from the default areas at the default targets that are
not covered. The night model's back-test nights do not read any of this.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from skyshield.calibration.aim import fit_aim
from skyshield.catalog import load_catalog
from skyshield.posture import NightComposition, NightGeography
from skyshield.posture.cover import PATRIOT_SITES, covered_sites, patriot_covered
from skyshield.posture.geography import ballistic_mixes, night_geographies, threat_speeds
from skyshield.posture.laydown import (
    BALLISTIC_TARGETS,
    CLASS_MIX,
    LAUNCH_AREAS,
    NightPlaces,
    city_point,
    night_waves,
    split_count,
)
from skyshield.reports import load_reports

__all__ = ["BallisticAim", "ballistic_aim", "ballistic_waves"]


@dataclass(frozen=True, slots=True)
class BallisticAim:
    """A campaign's ballistic geography, derived from a span of report nights."""

    covered: float  # share of the ballistic missiles aimed at covered targets
    targets: tuple[str, ...]  # the covered cities (PATRIOT_SITES covered by the last night)
    sites: tuple[tuple[float, float], ...]  # launch points the reports name for covered nights
    mix: tuple[float, ...]  # share of each CLASS_MIX["ballistic"] type
    nights: int  # nights with ballistic missiles in the span
    located: int  # of which the report locates the targets


def _geographies(data: Path | None) -> dict[np.datetime64, NightGeography]:
    """Return the reports' night geographies, read once per file version (not to be modified)."""
    return _geographies_of(data, data.stat().st_mtime_ns if data is not None else 0)


@functools.cache
def _geographies_of(data: Path | None, _version: int) -> dict[np.datetime64, NightGeography]:
    return night_geographies(data)


def ballistic_aim(first: date, last: date, data: Path | None = None) -> BallisticAim:
    """Return the ballistic aim of the report nights ``first`` to ``last`` (both included)."""
    reports = load_reports(data)
    geographies = _geographies(data)
    rows = reports.by_night
    ballistic = rows[rows["threat_class"] == "ballistic"]
    launched_by_night = {
        np.datetime64(n, "D"): float(v)
        for n, v in ballistic.groupby("night")["launched"].sum().items()
    }
    lo, hi = np.datetime64(first, "D"), np.datetime64(last, "D")
    since = np.datetime64(min(PATRIOT_SITES.values()), "D")

    def cover(night: np.datetime64) -> float | None:
        targets = geographies.get(night, NightGeography()).targets.get("ballistic")
        if not targets:
            return None
        return float(np.mean([patriot_covered(lon, lat, night) for _, lon, lat in targets]))

    train = [
        (cover(n), v)
        for n, v in launched_by_night.items()
        if since <= n <= hi and v > 0 and cover(n) is not None
    ]
    fit = fit_aim(np.array([c for c, _ in train]), np.array([v for _, v in train]))
    span = sorted(n for n, v in launched_by_night.items() if lo <= n <= hi and v > 0)
    aimed = total = 0.0
    located = 0
    points: dict[tuple[float, float], None] = {}
    for night in span:
        n = launched_by_night[night]
        share = cover(night)
        if share is None:  # the night model's expectation, from the first covered night only
            share = float(fit.share(np.array([n]))[0]) if night >= since else 0.0
        else:
            located += 1
            if share > 0:
                for point in geographies[night].launch.get("ballistic", ()):
                    points[point] = None
        aimed += n * share
        total += n
    mixes = ballistic_mixes(reports.rows)
    counts = np.zeros(len(CLASS_MIX["ballistic"]))
    for night, mix in mixes.items():
        if lo <= np.datetime64(night.date(), "D") <= hi:
            counts += np.asarray(mix)
    default_mix = [share for _, share, _ in CLASS_MIX["ballistic"]]
    return BallisticAim(
        covered=aimed / total if total else 0.0,
        targets=tuple(sorted(covered_sites(last))),
        sites=tuple(points),
        mix=tuple(float(c) for c in counts / counts.sum())
        if counts.sum() > 0
        else tuple(default_mix),
        nights=len(span),
        located=located,
    )


def ballistic_waves(
    count: int, aim: BallisticAim
) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
    """Return a pool's ``count`` ballistic waves under ``aim``, and the launch sites they add.

    The covered share (rounded, largest remainder) flies at the covered cities from the aim's
    sites; the rest at the default targets that are not covered, from the default areas; each
    through the night model's own wave builder (types split by ``aim.mix``, each type fired only
    from sites within its reach of a target).
    """
    catalog = load_catalog()
    ranges = {key: t.range_m for key, t in catalog.threats.items()}
    covered = aim.covered if aim.targets else 0.0  # no covered city: none can go there
    at_cover, elsewhere = split_count(count, [covered, 1.0 - covered])
    sites = dict(LAUNCH_AREAS)
    names = []
    for lon, lat in aim.sites:
        name = f"report {lon:.2f} {lat:.2f}"
        sites[name] = (lon, lat)
        names.append(name)
    defaults = tuple(dict.fromkeys(s for _, _, g in CLASS_MIX["ballistic"] for s in g))
    own_sites = tuple(names) or defaults
    uncovered = {n: city_point(n) for n in BALLISTIC_TARGETS if n not in aim.targets}
    waves: list[dict[str, Any]] = []
    covered_group: tuple[str, ...] | None = own_sites
    for n, group_sites, targets in (
        (at_cover, covered_group, {n: city_point(n) for n in aim.targets}),
        (elsewhere, None, uncovered),
    ):
        if n == 0 or not targets:
            continue
        places = NightPlaces(
            sites={**dict.fromkeys(CLASS_MIX), "ballistic": group_sites},
            targets={g: {} for g in CLASS_MIX} | {"ballistic": targets},
            windows={},
            launch_sites=sites,
            assets={},
            mix={"ballistic": aim.mix},
        )
        waves += night_waves(NightComposition(0, 0, n), ranges, places, threat_speeds())
    used = {w["launch_site"] for w in waves}
    return waves, {k: v for k, v in sites.items() if k in used}
