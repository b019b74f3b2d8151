"""An emulator of the night model, fitted to engine runs and tested against held-out ones.

Calibration evaluates the night model on hundreds of report nights for tens of thousands of
parameter values; the engine takes ~10-40 ms per night and parameter value, so the fit runs on
a fast emulator instead. The emulator is fitted to the engine only (never to the reports):

1. a design of night compositions (drones, cruise, ballistic launched, and how many of the
   cruise missiles are tactical; Sobol points in log space over the range the reports cover),
   each built once (:class:`NightEngine`);
2. for each composition, a Sobol design of the parameters in their prior box, each simulated
   with common random numbers;
3. per report class, two binomial GLMs (logit link, quadratic in the composition's log counts
   and the parameters, fitted on the runs' total counts): the share destroyed, and the share
   of the rest that is locationally lost.

Saturation is in the surface: log raid sizes interact with every parameter, so a 400-drone
night is not a 40-drone night × 10. :func:`validate_surrogate` reports the emulator's error on
compositions it never saw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skyshield.calibration.model import NAMES, PARAMETERS, NightEngine
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.posture import NightComposition

__all__ = [
    "COMPOSITION_MAX",
    "COUNT_COLUMNS",
    "Surrogate",
    "design_compositions",
    "fit_surrogate",
    "run_design",
    "validate_surrogate",
]

# What the emulator reads of a night: launched per report class, and the tactical cruise
# missiles among the cruise ones (they fly short and are intercepted less).
COUNT_COLUMNS = (*REPORT_CLASSES, "tactical")
# Largest counts the design covers (reports to 2025-06: 479 drones, 115 cruise, 19 ballistic,
# 13 tactical cruise in one night); beyond them the emulator extrapolates.
COMPOSITION_MAX = (800, 150, 30, 40)
# Design share of compositions without tactical cruise missiles, and with only tactical ones.
_NO_TACTICAL, _ALL_TACTICAL = 0.35, 0.3
_LOW = np.array([p.low for p in PARAMETERS])
_HIGH = np.array([p.high for p in PARAMETERS])
# ridge penalty relative to the mean weight, by cross-validation (cruise RMSE 0.057; 1e-4: 0.074)
_RIDGE = 1e-3
_NEVER = -40.0  # logit of a share that is structurally zero


def design_compositions(n: int, seed: int = 0) -> list[NightComposition]:
    """``n`` night compositions spread over the reports' range (Sobol points in log counts).

    About a third of the points have no cruise or no ballistic missiles, as many nights do.
    """
    points = _sobol(6, n, seed)
    out = []
    for p in points:
        counts = [
            round(float(np.expm1(p[k] * np.log1p(m)))) for k, m in enumerate(COMPOSITION_MAX[:3])
        ]
        counts[0] = max(counts[0], 5)
        if p[3] < 0.3:  # noqa: PLR2004
            counts[1] = 0
        if p[4] < 0.3:  # noqa: PLR2004
            counts[2] = 0
        u = p[5]
        if u < _NO_TACTICAL:
            share = 0.0
        elif u >= 1.0 - _ALL_TACTICAL:
            share = 1.0
        else:
            share = (u - _NO_TACTICAL) / (1.0 - _ALL_TACTICAL - _NO_TACTICAL)
        tactical = min(round(share * counts[1]), COMPOSITION_MAX[3])
        out.append(NightComposition(counts[0], counts[1], counts[2], tactical=tactical))
    return out


def design_parameters(n: int, seed: int = 0) -> np.ndarray:
    """(n, n_parameters) Sobol points in the prior box."""
    from scipy.stats import qmc  # here, not at import: a plain run does not load scipy.stats

    return np.asarray(qmc.scale(_sobol(len(PARAMETERS), n, seed), _LOW, _HIGH))


def _sobol(dimensions: int, n: int, seed: int) -> np.ndarray:
    """Take the first ``n`` of a power-of-two scrambled Sobol sequence (keeps its balance)."""
    from scipy.stats import qmc  # here, not at import: a plain run does not load scipy.stats

    m = max(int(np.ceil(np.log2(max(n, 1)))), 0)
    return np.asarray(qmc.Sobol(dimensions, seed=seed).random_base2(m)[:n])


def run_design(
    compositions: Sequence[NightComposition],
    n_parameters: int,
    *,
    replications: int = 24,
    route_sets: int = 4,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Simulate every composition at ``n_parameters`` parameter points; one row per run.

    Columns: ``drone, cruise, ballistic`` (launched), the parameters, and per class
    ``destroyed_<class>`` and ``lost_<class>``: mean counts over the replications.
    """
    rows = []
    for i, composition in enumerate(compositions):
        engine = NightEngine(composition, route_sets=route_sets, seed=seed + i)
        for j, values in enumerate(design_parameters(n_parameters, seed=seed + i)):
            theta = dict(zip(NAMES, values, strict=True))
            outcome = engine.simulate(theta, replications, seed=seed + 1000 * i + j)
            row: dict[str, float] = {
                "replications": replications,
                "drone": composition.drone,
                "cruise": composition.cruise,
                "ballistic": composition.ballistic,
                "tactical": composition.tactical,
                **theta,
            }
            for k, cls in enumerate(REPORT_CLASSES):
                row[f"destroyed_{cls}"] = float(outcome.destroyed[:, k].mean())
                row[f"lost_{cls}"] = float(outcome.not_reach_goal[:, k].mean())
            rows.append(row)
        if progress is not None:
            progress(i + 1, len(compositions))
    return pd.DataFrame(rows)


def _features(counts: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Quadratic features of log counts (scaled to ~[0, 1]) and parameters (scaled to [0, 1]).

    ``counts`` (n, 4): :data:`COUNT_COLUMNS`.
    """
    scaled_counts = np.log1p(counts) / np.log1p(np.asarray(COMPOSITION_MAX, dtype=float))
    x = np.column_stack([scaled_counts, (theta - _LOW) / (_HIGH - _LOW)])
    n, d = x.shape
    upper = np.triu_indices(d)
    quadratic = (x[:, :, None] * x[:, None, :])[:, upper[0], upper[1]]
    return np.column_stack([np.ones(n), x, quadratic])


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(np.log(p) - np.log1p(-p))


def _expit(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True, slots=True)
class Surrogate:
    """Coefficients of the response surfaces: (n_classes, 2, n_features).

    Surface 0 is logit(share destroyed); surface 1 is logit(share of the survivors lost).
    """

    coefficients: np.ndarray

    def shares(self, counts: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted shares destroyed and lost per class: two (n, n_classes) arrays.

        ``counts`` (n, 4) launched per class and tactical cruise (:data:`COUNT_COLUMNS`);
        ``theta`` (n, n_parameters) or (n_parameters,).
        """
        counts = np.atleast_2d(np.asarray(counts, dtype=float))
        theta = np.broadcast_to(np.asarray(theta, dtype=float), (counts.shape[0], len(NAMES)))
        z = _features(counts, theta) @ self.coefficients.transpose(2, 0, 1).reshape(
            self.coefficients.shape[2], -1
        )
        z = z.reshape(counts.shape[0], len(REPORT_CLASSES), 2)
        destroyed = _expit(z[:, :, 0])
        lost = (1.0 - destroyed) * _expit(z[:, :, 1])
        return destroyed, lost

    def to_dict(self) -> dict[str, object]:
        """JSON-ready coefficients."""
        return {"coefficients": self.coefficients.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Surrogate:
        """Read what :meth:`to_dict` wrote."""
        return cls(np.asarray(data["coefficients"], dtype=float))


def _binomial_glm(
    features: np.ndarray,
    successes: np.ndarray,
    trials: np.ndarray,
    ridge: float = _RIDGE,
    iterations: int = 25,
) -> np.ndarray:
    """Ridge-stabilised binomial GLM (logit link) by iteratively reweighted least squares.

    Successes and trials are totals over a run's replications, so a share of 0 or 1 and a
    one-missile night weigh what their trials say (no half-count floor on small salvos).
    """
    share = (successes + 0.5) / (trials + 1.0)
    eta = _logit(share)
    n_features = features.shape[1]
    beta = np.zeros(n_features)
    for _ in range(iterations):
        p = _expit(eta)
        weight = np.maximum(trials * p * (1.0 - p), 1e-9)
        working = eta + (successes - trials * p) / weight
        gram = features.T @ (features * weight[:, None])
        penalty = ridge * np.trace(gram) / n_features
        new_beta = np.linalg.solve(
            gram + penalty * np.eye(n_features), features.T @ (weight * working)
        )
        if np.max(np.abs(new_beta - beta)) < 1e-8:  # noqa: PLR2004
            beta = new_beta
            break
        beta = new_beta
        eta = np.clip(features @ beta, -30.0, 30.0)
    return beta


def fit_surrogate(design: pd.DataFrame, ridge: float = _RIDGE) -> Surrogate:
    """Binomial GLMs of each class's two shares on the quadratic features (see the module).

    ``design`` as :func:`run_design` writes it; its ``replications`` column (1 if absent) turns
    mean counts back into totals.
    """
    counts = design[list(COUNT_COLUMNS)].to_numpy(dtype=float)
    theta = design[list(NAMES)].to_numpy(dtype=float)
    reps = design["replications"].to_numpy(dtype=float) if "replications" in design else 1.0
    features = _features(counts, theta)
    coefficients = np.zeros((len(REPORT_CLASSES), 2, features.shape[1]))
    for k, cls in enumerate(REPORT_CLASSES):
        launched = counts[:, k] * reps
        has = launched > 0
        destroyed = (design[f"destroyed_{cls}"].to_numpy() * reps)[has]
        lost = (design[f"lost_{cls}"].to_numpy() * reps)[has]
        coefficients[k, 0] = _binomial_glm(features[has], destroyed, launched[has], ridge)
        if not np.any(lost > 0):  # e.g. no EW losses of missiles: never lost
            coefficients[k, 1, 0] = _NEVER
            continue
        survivors = np.maximum(launched[has] - destroyed, 0.0)
        coefficients[k, 1] = _binomial_glm(
            features[has], np.minimum(lost, survivors), survivors, ridge
        )
    return Surrogate(coefficients)


def validate_surrogate(
    design: pd.DataFrame, replications: int, folds: int = 4, seed: int = 0
) -> pd.DataFrame:
    """Cross-validate over compositions: fit on the others, predict each fold's compositions.

    Returns one row per class and quantity (destroyed, lost): RMSE and mean bias of the
    predicted share over all held-out runs, beside ``engine_se``, the root-mean-square Monte
    Carlo standard error of the engine's own share (``replications`` per run), which bounds
    how small the RMSE can get, and ``spread``, the standard deviation of the engine's shares
    (the RMSE of a constant guess): the emulator is useful where its RMSE is well below it.
    """
    keys = design[list(COUNT_COLUMNS)].astype(int).astype(str).agg("-".join, axis=1)
    unique = keys.unique()
    fold_of = dict(
        zip(unique, np.random.default_rng(seed).permutation(len(unique)) % folds, strict=True)
    )
    fold = keys.map(fold_of).to_numpy()
    counts = design[list(COUNT_COLUMNS)].to_numpy(dtype=float)
    theta = design[list(NAMES)].to_numpy(dtype=float)
    destroyed = np.zeros((counts.shape[0], len(REPORT_CLASSES)))
    lost = np.zeros_like(destroyed)
    for f in range(folds):
        test = fold == f
        surrogate = fit_surrogate(design[~test])
        destroyed[test], lost[test] = surrogate.shares(counts[test], theta[test])
    rows = []
    for k, cls in enumerate(REPORT_CLASSES):
        n = counts[:, k]
        has = n > 0
        for quantity, predicted in (("destroyed", destroyed), ("lost", lost)):
            actual = design[f"{quantity}_{cls}"].to_numpy()[has] / n[has]
            error = predicted[has, k] - actual
            noise = actual * (1.0 - actual) / (n[has] * replications)
            rows.append(
                {
                    "class": cls,
                    "quantity": quantity,
                    "runs": int(has.sum()),
                    "rmse": float(np.sqrt(np.mean(error**2))),
                    "bias": float(np.mean(error)),
                    "engine_se": float(np.sqrt(np.mean(noise))),
                    "spread": float(np.std(actual)),
                }
            )
    return pd.DataFrame(rows)
