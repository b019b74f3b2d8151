"""Where does the night model win or lose against the baseline on cruise missiles (#23)?

Reads one or more ``skyshield backtest --json`` documents (their ``predictions``: one row per
night, class and target with the quantiles and each night's CRPS, model and baseline) and the
shipped reports (each night's tactical cruise missiles: Kh-59/69, Iskander-K, Kh-35, as
:func:`skyshield.calibration.fit.night_data` counts them), and prints, for cruise neutralised,
per salvo-size bin and per kind of night (tactical only, strategic only, mixed):

- nights, missiles launched, reported share neutralised;
- mean CRPS, model / baseline (the selection rule's currency), and each bin's share of the
  class's summed CRPS difference (where the loss or the gain is);
- bias of the median (median - reported, mean over nights), model / baseline;
- mean 90% interval width (p95 - p5), model / baseline, and how often each holds the report;
- the mean predicted share (predicted median / launched) against the reported share.

Then what the baseline and the model predict for a one-missile night, and a split of each
night's CRPS into a centre part and a spread part: the CRPS of a point forecast at the median
(= |median - reported|) against the full CRPS (a predictive is sharper than its point forecast
when its CRPS is below the point's; the gap is what the width buys or costs).

Run from the repository root:

    .venv/bin/python scripts/cruise_diagnosis.py VAL_S1.json [VAL_S2.json ...]

Several documents (seeds) are pooled night by night (each night's numbers averaged over them).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from skyshield.calibration.fit import night_data
from skyshield.reports import load_reports

SIZE_BINS = ((1, 1), (2, 2), (3, 5), (6, 9), (10, 29), (30, 10_000))


def _kind(tactical: int, launched: int) -> str:
    if tactical >= launched:
        return "tactical"
    if tactical == 0:
        return "strategic"
    return "mixed"


def _size(launched: int) -> str:
    for low, high in SIZE_BINS:
        if low <= launched <= high:
            return f"{low}-{high}" if high < 10_000 else f"{low}+"
    raise ValueError(f"launched {launched} outside every bin")


def cruise_rows(paths: list[Path]) -> pd.DataFrame:
    """One row per cruise night: the documents' predictions averaged, with tactical counts."""
    frames = []
    for seed, path in enumerate(paths):
        doc = json.loads(path.read_text())
        frame = pd.DataFrame(doc["predictions"])
        frame = frame[(frame["class"] == "cruise") & (frame["target"] == "neutralised")]
        frames.append(frame.assign(doc=seed))
    rows = pd.concat(frames)
    numeric = ["launched", "reported", "p5", "median", "p95", "crps"]
    base = ["baseline", "baseline_median", "baseline_crps", "b_p5", "b_p95"]
    rows = rows.groupby("night")[numeric + base].mean().reset_index()
    reports = load_reports()
    data = night_data(reports.by_night, reports.rows)
    tactical = pd.Series(data.tactical, index=pd.to_datetime(data.nights).strftime("%Y-%m-%d"))
    rows["tactical"] = rows["night"].map(tactical).fillna(0).astype(int)
    rows["kind"] = [
        _kind(t, int(n)) for t, n in zip(rows["tactical"], rows["launched"], strict=True)
    ]
    rows["size"] = [_size(int(n)) for n in rows["launched"]]
    rows["point_crps"] = (rows["median"] - rows["reported"]).abs()
    rows["b_point_crps"] = (rows["baseline_median"] - rows["reported"]).abs()
    return rows


def table(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The per-group summary described in the module docstring."""
    total_diff = float((rows["crps"] - rows["baseline_crps"]).sum())

    def one(g: pd.DataFrame) -> pd.Series:
        inside = (g["p5"] <= g["reported"]) & (g["reported"] <= g["p95"])
        b_inside = (g["b_p5"] <= g["reported"]) & (g["reported"] <= g["b_p95"])
        diff = float((g["crps"] - g["baseline_crps"]).sum())
        return pd.Series(
            {
                "nights": len(g),
                "launched": int(g["launched"].sum()),
                "reported share": g["reported"].sum() / g["launched"].sum(),
                "model share": g["median"].sum() / g["launched"].sum(),
                "baseline share": g["baseline"].sum() / g["launched"].sum(),
                "CRPS model": g["crps"].mean(),
                "CRPS baseline": g["baseline_crps"].mean(),
                "share of diff": diff / total_diff if total_diff else np.nan,
                "bias model": (g["median"] - g["reported"]).mean(),
                "bias baseline": (g["baseline_median"] - g["reported"]).mean(),
                "|err| model": g["point_crps"].mean(),
                "|err| baseline": g["b_point_crps"].mean(),
                "width model": (g["p95"] - g["p5"]).mean(),
                "width baseline": (g["b_p95"] - g["b_p5"]).mean(),
                "cover model": inside.mean(),
                "cover baseline": b_inside.mean(),
            }
        )

    return rows.groupby(by, sort=False).apply(one, include_groups=False)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: cruise_diagnosis.py BACKTEST.json [BACKTEST.json ...]", file=sys.stderr)
        return 2
    rows = cruise_rows([Path(a) for a in argv])
    order = {f"{lo}-{hi}" if hi < 10_000 else f"{lo}+": i for i, (lo, hi) in enumerate(SIZE_BINS)}
    rows = rows.sort_values("launched", key=lambda s: s.map(_size).map(order))
    pd.set_option("display.width", 250, "display.max_columns", 30, "display.precision", 2)
    print(f"cruise neutralised, {len(rows)} nights, {len(argv)} document(s) averaged per night")
    print(f"  CRPS model {rows['crps'].mean():.3f}  baseline {rows['baseline_crps'].mean():.3f}")
    print(
        f"  point (median) CRPS model {rows['point_crps'].mean():.3f}"
        f"  baseline {rows['b_point_crps'].mean():.3f}"
        "  (full CRPS below the point's: the spread helps)"
    )
    print("\nby kind of night")
    print(table(rows, ["kind"]).to_string())
    print("\nby salvo size")
    print(table(rows, ["size"]).to_string())
    print("\nby kind and salvo size")
    print(table(rows, ["kind", "size"]).to_string())
    one = rows[rows["launched"] == 1]
    if len(one):
        print("\none-missile nights")
        print(
            one[
                [
                    "night",
                    "kind",
                    "reported",
                    "baseline",
                    "baseline_median",
                    "baseline_crps",
                    "median",
                    "p5",
                    "p95",
                    "crps",
                ]
            ].to_string(index=False)
        )
    worst = rows.assign(diff=rows["crps"] - rows["baseline_crps"]).nlargest(12, "diff")
    print("\nthe 12 nights the model loses most on")
    print(
        worst[
            [
                *("night", "kind", "launched", "tactical", "reported", "median", "p5", "p95"),
                *("crps", "baseline_median", "baseline_crps", "diff"),
            ]
        ].to_string(index=False)
    )
    print("\nthe reports' overdispersion of the cruise share by kind and size (method of moments)")
    print(moments(np.datetime64("2024-01-01"), np.datetime64(str(rows["night"].min()))))
    return 0


def moments(start: np.datetime64, end: np.datetime64) -> pd.DataFrame:
    """Per kind of night and salvo size: nights, share neutralised and ρ by moments.

    Over the report nights in [start, end) (before the period scored: what a fit could know).
    Within a group of nights with one share p, a beta-binomial count x of n has
    E(x - n p)^2 = n p (1 - p) (1 + (n - 1) ρ); summed over the group's nights and solved
    for ρ.
    """
    reports = load_reports()
    data = night_data(reports.by_night, reports.rows)
    n = data.launched[:, 1]
    x = data.neutralised[:, 1]
    t = data.tactical
    when = (data.nights >= start) & (data.nights < end) & (n > 0)
    kinds = {"tactical": t >= n, "strategic": t == 0, "mixed": (t > 0) & (t < n)}
    out = []
    for kind, mask in kinds.items():
        for low, high in SIZE_BINS:
            pick = when & mask & (n >= low) & (n <= high)
            if pick.sum() < 3:
                continue
            nn, xx = n[pick].astype(float), x[pick].astype(float)
            p = xx.sum() / nn.sum()
            den = float((nn * (nn - 1) * p * (1 - p)).sum())
            num = float(((xx - nn * p) ** 2 - nn * p * (1 - p)).sum())
            out.append(
                {
                    "kind": kind,
                    "size": _size(low),
                    "nights": int(pick.sum()),
                    "share": p,
                    "rho": num / den if den > 0 else np.nan,
                }
            )
    return pd.DataFrame(out)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
