"""Posterior predictive check: the fitted model run forward over its own training quarters.

For each fitted quarter, its posterior predicts every night of that quarter from the nights'
launched counts alone (:func:`~skyshield.calibration.fit.predictive_samples`: posterior samples
through the emulator and the beta-binomial night-to-night spread), and the predicted share
neutralised per class (Σ neutralised / Σ launched over the quarter) is set beside the reported
one. A reported share outside the predicted 90% interval says the fitted model does not
reproduce its own training data for that class and quarter. It runs the emulator of the
engine, not the engine (the emulator's error against the engine is the calibration's
validation table).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from skyshield.calibration.fit import NightData, Posterior, predictive_samples
from skyshield.calibration.surrogate import Surrogate
from skyshield.catalog.types import REPORT_CLASSES

__all__ = ["CHECK_COLUMNS", "predictive_check"]

CHECK_COLUMNS = (
    "quarter",
    "class",
    "nights",
    "launched",
    "reported_share",
    "predicted_share",
    "predicted_p05",
    "predicted_p95",
    "inside_90",
)


def predictive_check(
    surrogate: Surrogate,
    periods: tuple[Posterior, ...],
    data: NightData,
    *,
    draws: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Per fitted quarter and class: reported vs predicted share neutralised (see module)."""
    rows: list[dict[str, object]] = []
    for i, period in enumerate(periods):
        start = np.datetime64(date.fromisoformat(period.start))
        end = np.datetime64(date.fromisoformat(period.end))
        part = data.between(start, end)
        if len(part) == 0:
            continue
        neutral, _ = predictive_samples(
            surrogate, period, part.counts, draws=draws, seed=seed + i, nights=part.nights
        )
        for k, cls in enumerate(REPORT_CLASSES):
            launched = int(part.launched[:, k].sum())
            if launched == 0:
                continue
            shares = neutral[:, :, k].sum(axis=1) / launched
            p05, p95 = np.quantile(shares, [0.05, 0.95])
            reported = float(part.neutralised[:, k].sum() / launched)
            rows.append(
                {
                    "quarter": period.start,
                    "class": cls,
                    "nights": int((part.launched[:, k] > 0).sum()),
                    "launched": launched,
                    "reported_share": reported,
                    "predicted_share": float(np.median(shares)),
                    "predicted_p05": float(p05),
                    "predicted_p95": float(p95),
                    "inside_90": bool(p05 <= reported <= p95),
                }
            )
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
