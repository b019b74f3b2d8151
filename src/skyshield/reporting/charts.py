"""Vega-Lite chart specifications of a run's outcome tables, with their 95% intervals.

Each function takes a summary table of :class:`skyshield.results.RunSummary` (the intervals come
from :func:`skyshield.metrics.summary.half_width_95`, never recomputed here) and returns a
Vega-Lite v5 specification as a JSON-ready mapping, with the data inlined.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from skyshield.plots import FATE_COLOURS

__all__ = [
    "NATION_PALETTE",
    "by_class_chart",
    "by_target_chart",
    "by_unit_chart",
    "nation_colours",
    "nights_chart",
]

# One colour per nation across the whole report (map, charts, tables): matplotlib's tab10 and
# tab20b hues, without the reds, greens and greys that mean fates and decoys on the map.
NATION_PALETTE = (
    "#1f77b4",
    "#9467bd",
    "#17becf",
    "#8c564b",
    "#bcbd22",
    "#e377c2",
    "#ff7f0e",
    "#393b79",
    "#637939",
    "#843c39",
)

_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"  # an identifier; never fetched
_WIDTH = 520
_STATS = ["mean", "ci95_low", "ci95_high"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with NaN as None (strict JSON)."""
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return [
        {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
        for r in rows
    ]


def _count_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rows with each 95% CI's lower end at 0 at least.

    Every charted quantity is a count per night (threats, impacts, rounds), whose mean cannot
    be negative; mean − t·SE falls below 0 for a count that is rare over the nights (a unit
    that fires on a few nights of many). The interval cut at 0 still holds the mean wherever
    the uncut one did. Only the chart is cut: the tables keep the symmetric interval.
    """
    out = frame.copy()
    out["ci95_low"] = out["ci95_low"].clip(lower=0.0)
    return out


def _interval_layers(
    x_title: str, y_field: str, y_title: str, colour: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Draw a point at the mean and a rule over the 95% CI of the mean, per row."""
    y = {"field": y_field, "type": "nominal", "title": y_title, "sort": None}
    point: dict[str, Any] = {
        "mark": {"type": "point", "filled": True, "size": 60},
        "encoding": {
            "y": y,
            "x": {"field": "mean", "type": "quantitative", "title": x_title},
            "tooltip": [
                {"field": y_field, "type": "nominal"},
                {"field": "mean", "type": "quantitative", "format": ".2f"},
                {"field": "ci95_low", "type": "quantitative", "format": ".2f"},
                {"field": "ci95_high", "type": "quantitative", "format": ".2f"},
            ],
        },
    }
    rule: dict[str, Any] = {
        "mark": {"type": "rule", "strokeWidth": 2},
        "encoding": {
            "y": y,
            "x": {"field": "ci95_low", "type": "quantitative"},
            "x2": {"field": "ci95_high"},
        },
    }
    if colour is not None:
        point["encoding"]["color"] = colour
        rule["encoding"]["color"] = colour
    return [rule, point]


def by_class_chart(by_class: pd.DataFrame) -> dict[str, Any]:
    """Threats per night by class and fate: mean with its 95% CI, one row per class."""
    fates = [q for q in FATE_COLOURS if q in set(by_class["quantity"])]
    data = by_class[by_class["quantity"].isin(fates)]
    colour = {
        "field": "quantity",
        "type": "nominal",
        "title": "fate",
        "scale": {"domain": fates, "range": [FATE_COLOURS[f] for f in fates]},
    }
    return {
        "$schema": _SCHEMA,
        "title": "Threats per night by class and fate (mean, 95% CI of the mean)",
        "data": {"values": _records(_count_intervals(data[["threat_class", "quantity", *_STATS]]))},
        "width": _WIDTH,
        "encoding": {"yOffset": {"field": "quantity", "sort": fates}},
        "layer": _interval_layers("threats per night", "threat_class", "class", colour),
    }


def by_target_chart(by_target: pd.DataFrame) -> dict[str, Any]:
    """Impacts per target per night: mean with its 95% CI, and the 2.5–97.5% range of nights."""
    impacts = by_target[by_target["quantity"] == "impacts"]
    data = _count_intervals(impacts[["target", *_STATS, "night_p2_5", "night_p97_5"]])
    nights: dict[str, Any] = {
        "mark": {"type": "rule", "strokeWidth": 8, "opacity": 0.25, "color": "#d7301f"},
        "encoding": {
            "y": {"field": "target", "type": "nominal", "sort": None},
            "x": {"field": "night_p2_5", "type": "quantitative"},
            "x2": {"field": "night_p97_5"},
        },
    }
    return {
        "$schema": _SCHEMA,
        "title": "Impacts per target per night (mean, 95% CI; band: 95% of nights)",
        "data": {"values": _records(data)},
        "width": _WIDTH,
        "layer": [nights, *_interval_layers("impacts per night", "target", "target", None)],
    }


def nation_colours(nations: Iterable[str]) -> dict[str, str]:
    """Give each nation code its colour, in the order first given (repeats ignored).

    The report's map, charts and tables all take their nation colours from this one mapping;
    past :data:`NATION_PALETTE`'s length, colours repeat.
    """
    codes = list(dict.fromkeys(nations))
    return {code: NATION_PALETTE[k % len(NATION_PALETTE)] for k, code in enumerate(codes)}


def by_unit_chart(
    by_unit: pd.DataFrame, colours: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Chart rounds fired per night by each fire unit that fired at all (mean, 95% CI).

    The intervals are cut at 0 (:func:`_count_intervals`), as in every chart here.

    ``colours``: nation code -> colour (:func:`nation_colours`), so a nation has the colour
    it has on the map; None leaves them to Vega-Lite.
    """
    fired = by_unit[by_unit["nights_fired"] > 0].copy()
    fired["mean"] = fired["rounds_mean"]
    fired["ci95_low"] = fired["rounds_mean"] - fired["rounds_ci95"]
    fired["ci95_high"] = fired["rounds_mean"] + fired["rounds_ci95"]
    fired = _count_intervals(fired)
    fired = fired.sort_values("mean", ascending=False)
    colour: dict[str, Any] = {"field": "nation", "type": "nominal", "title": "nation"}
    if colours is not None:
        shown = list(dict.fromkeys(fired["nation"].astype(str)))
        colour["scale"] = {"domain": shown, "range": [colours[n] for n in shown]}
    return {
        "$schema": _SCHEMA,
        "title": "Interceptors fired per night by unit (mean, 95% CI); units that fired",
        "data": {"values": _records(fired[["unit", "nation", "system", *_STATS]])},
        "width": _WIDTH,
        "layer": _interval_layers("rounds per night", "unit", "unit", colour),
    }


def nights_chart(per_night: pd.DataFrame) -> dict[str, Any]:
    """Chart how many nights had each count of threats meeting each fate, one panel per class.

    ``per_night`` is :func:`skyshield.plots.fates_per_night` (one row per night, class and
    fate); it is reduced to (class, fate, count, nights) so the page carries one row per bar.
    """
    nights = (
        per_night.groupby(["threat_class", "fate", "count"], observed=True)
        .size()
        .rename("nights")
        .reset_index()
    )
    nights["threat_class"] = nights["threat_class"].astype(str)
    nights["fate"] = nights["fate"].astype(str)
    fates = [f for f in FATE_COLOURS if f in set(nights["fate"])]
    return {
        "$schema": _SCHEMA,
        "title": "Nights by number of threats per fate (spread over nights)",
        "data": {"values": _records(nights)},
        "facet": {"row": {"field": "threat_class", "type": "nominal", "title": None}},
        "resolve": {"scale": {"x": "independent"}},
        "spec": {
            "width": _WIDTH,
            "height": 70,
            "mark": {"type": "bar", "opacity": 0.6, "width": 4},
            "encoding": {
                "x": {
                    "field": "count",
                    "type": "quantitative",
                    "title": "threats in a night",
                    # counts are whole: no label at a fractional tick
                    "axis": {"format": "d", "labelExpr": "datum.value % 1 ? '' : datum.label"},
                },
                # fates overlap (not stacked): each bar is its own count of nights
                "y": {"field": "nights", "type": "quantitative", "title": "nights", "stack": None},
                "color": {
                    "field": "fate",
                    "type": "nominal",
                    "scale": {"domain": fates, "range": [FATE_COLOURS[f] for f in fates]},
                },
                "tooltip": [
                    {"field": "fate"},
                    {"field": "count", "type": "quantitative"},
                    {"field": "nights", "type": "quantitative"},
                ],
            },
        },
    }
