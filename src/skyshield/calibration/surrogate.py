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

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from skyshield.calibration.model import NAMES, PARAMETERS, NightEngine
from skyshield.catalog.types import REPORT_CLASSES
from skyshield.geo import geodesic_distance_m
from skyshield.posture import NightComposition
from skyshield.posture.cover import patriot_covered
from skyshield.posture.geography import (
    GEOGRAPHY_FEATURES,
    GEOGRAPHY_OF_CLASS,
    SOUTH_LAT,
    NightGeography,
    geography_features,
)
from skyshield.posture.laydown import CLASS_MIX, RANGE_MARGIN
from skyshield.reports.places import load_places

__all__ = [
    "COMPOSITION_MAX",
    "COUNT_COLUMNS",
    "DEFAULT_GEOGRAPHY",
    "INPUT_COLUMNS",
    "Surrogate",
    "class_mask",
    "design_compositions",
    "design_geographies",
    "fit_surrogate",
    "run_design",
    "validate_surrogate",
]

# What the emulator reads of a night: launched per report class, and the tactical cruise
# missiles among the cruise ones (they fly short and are intercepted less).
COUNT_COLUMNS = (*REPORT_CLASSES, "tactical")
# Largest counts the design covers (reports to 2025-06: 479 drones, 115 cruise, 19 ballistic,
# 13 tactical cruise in one night); beyond them the emulator extrapolates. Drones: 5 to 1,200,
# log-uniform (issue 23: the big nights of 2025 reach ~800).
COMPOSITION_MAX = (1200, 150, 30, 40)
MIN_DRONES = 5
# What an emulator fitted with geography reads: the counts, then the night's geography
# (:data:`~skyshield.posture.geography.GEOGRAPHY_FEATURES`, each in [0, 1]).
INPUT_COLUMNS = (*COUNT_COLUMNS, *GEOGRAPHY_FEATURES)
# the default night's geography features (the fixed launch areas and target mix)
DEFAULT_GEOGRAPHY = tuple(float(v) for v in geography_features(None))
# columns each geography feature adds to the emulator's features (see _features)
_GEO_BLOCK = 2 + len(PARAMETERS)
# Design share of compositions flown with the default geography (the rest draw their own).
_DEFAULT_SHARE = 0.2
# Design share of drawn geographies whose missile groups fly from their own launch points (drawn
# from the points the reports locate for the group), and whose cruise groups have a window.
_OWN_MISSILE_SITES = 0.7
_OWN_WINDOW = 0.5
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
        # drones log-uniform from MIN_DRONES to the maximum (no pile-up at the floor)
        counts[0] = round(MIN_DRONES * (COMPOSITION_MAX[0] / MIN_DRONES) ** float(p[0]))
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


_Point = tuple[float, float]
_Target = tuple[str, float, float]


def _place_pools() -> tuple[list[_Point], list[_Point], list[_Target], list[_Target]]:
    """Drone launch points (north, south), targets in Ukraine (covered, not): the place table."""
    table = load_places()
    located = table[table["lon_deg"].notna() & table["lat_deg"].notna()]
    launch = located[(located["role"] == "launch") & located["country"].isin(["RU", "UA"])]
    points = sorted(
        {(float(x), float(y)) for x, y in zip(launch["lon_deg"], launch["lat_deg"], strict=True)}
    )
    north = [p for p in points if p[1] >= SOUTH_LAT]
    south = [p for p in points if p[1] < SOUTH_LAT]
    hit = located[(located["role"] == "target") & (located["country"] == "UA")]
    near: list[tuple[str, float, float]] = []
    far: list[tuple[str, float, float]] = []
    seen = set()
    for name, x, y in sorted(zip(hit["name"], hit["lon_deg"], hit["lat_deg"], strict=True)):
        if (round(x, 2), round(y, 2)) in seen:
            continue
        seen.add((round(x, 2), round(y, 2)))
        (near if patriot_covered(x, y) else far).append((str(name), float(x), float(y)))
    return north, south, near, far


def design_geographies(n: int, seed: int = 0) -> list[NightGeography | None]:
    """``n`` night geographies to fly the design's compositions with (None: the default).

    A share (:data:`_DEFAULT_SHARE`) keeps the default; the others draw, from the place table's
    located points, 1-5 drone launch points (each in the south with a drawn probability, so
    every launch region and mix of them is flown) and 1-4 targets per missile group (each under
    Patriot/SAMP/T cover with a drawn probability), and half of them 1-6 drone targets. Each
    cruise group flies from 1-3 of the launch points the reports locate for it (share
    :data:`_OWN_MISSILE_SITES`, else the defaults), the ballistic group likewise from 1-3 of
    the reports' ballistic launch points (the reach_ballistic feature reads what they mean at
    a Patriot city), and each cruise group has its own window
    (share :data:`_OWN_WINDOW`: start 0-8 h, length 0.5-16 h log-uniform; else the default).
    """
    north, south, near, far = _place_pools()
    missile_sites = _missile_sites()
    rng = np.random.default_rng([seed, 23])
    # the ballistic launch points draw from a stream of their own (the other draws stay as
    # they were)
    rng_ballistic = np.random.default_rng([seed, 23, 1])
    out: list[NightGeography | None] = []
    for _ in range(n):
        own_ballistic = rng_ballistic.random() < _OWN_MISSILE_SITES
        picks_ballistic = rng_ballistic.integers(0, 1 << 30, size=int(rng_ballistic.integers(1, 4)))
        if rng.random() < _DEFAULT_SHARE:
            out.append(None)
            continue
        share_south = rng.random()
        points = []
        for _ in range(int(rng.integers(1, 6))):
            pool = south if rng.random() < share_south else north
            points.append(pool[int(rng.integers(len(pool)))])
        launch = tuple(dict.fromkeys(points))
        targets: dict[str, tuple[tuple[str, float, float], ...]] = {}
        for group in ("cruise", "tactical", "ballistic"):
            cover = rng.random()
            chosen = []
            for _ in range(int(rng.integers(1, 5))):
                targets_pool = near if rng.random() < cover else far
                chosen.append(targets_pool[int(rng.integers(len(targets_pool)))])
            targets[group] = tuple(dict.fromkeys(chosen))
        if rng.random() < 0.5:  # noqa: PLR2004
            every = near + far
            picks = rng.choice(len(every), size=int(rng.integers(1, 7)), replace=False)
            targets["drone"] = tuple(every[int(i)] for i in sorted(picks))
        # the missiles' own launch points and windows (issue 23: the cruise emulator could not
        # learn where salvos fly from or how spread out they are while they stayed at defaults)
        launches: dict[str, tuple[tuple[float, float], ...]] = {"drone": launch}
        windows: dict[str, tuple[float, float]] = {}
        # ballistic missiles fly from 1-3 of the points the reports locate for them (share
        # _OWN_MISSILE_SITES): whether they get to a Patriot city hangs on the range from where
        # they come, which the reach_ballistic feature reads (without it, drawn points raised
        # the held-out RMSE, 0.180 -> 0.255, and they were left at the defaults); only points
        # from which every type reaches a drawn target or a city it may be
        # retargeted at (a point reaching none, e.g. a Kinzhal carrier's Tambov for an
        # Iskander-M, flies its missiles short: lost, which no feature reads)
        retarget = tuple((n, x, y) for n, (x, y) in _ballistic_cities().items())
        pool = [
            p
            for p in missile_sites["ballistic"]
            if _reaches(p, "ballistic", (*targets["ballistic"], *retarget))
        ]
        if own_ballistic and pool:
            launches["ballistic"] = tuple(
                dict.fromkeys(pool[int(i) % len(pool)] for i in picks_ballistic)
            )
        for group in ("cruise", "tactical"):
            # only points whose every threat of the group reaches one of its targets (a point
            # out of range would fly to the nearest and fall short: lost, not what is learned)
            pool = [p for p in missile_sites[group] if _reaches(p, group, targets[group])]
            if pool and rng.random() < _OWN_MISSILE_SITES:
                picks = rng.choice(len(pool), size=min(int(rng.integers(1, 4)), len(pool)))
                launches[group] = tuple(dict.fromkeys(pool[int(i)] for i in picks))
            if rng.random() < _OWN_WINDOW:
                start = float(rng.uniform(0.0, 8.0))
                length = float(np.exp(rng.uniform(np.log(0.5), np.log(16.0))))
                windows[group] = (round(start, 3), round(start + length, 3))
        out.append(NightGeography(launch=launches, targets=targets, window_h=windows))
    return out


def _reaches(point: _Point, group: str, targets: tuple[_Target, ...]) -> bool:
    """Say whether every threat type of the group reaches one of the targets from the point."""
    ranges = _ranges()
    return all(
        any(
            geodesic_distance_m(point[0], point[1], lon, lat) <= RANGE_MARGIN * ranges[threat]
            for _, lon, lat in targets
        )
        for threat, _, _ in CLASS_MIX[group]
    )


@functools.cache
def _ballistic_cities() -> dict[str, tuple[float, float]]:
    """Return the default ballistic targets' points (night_scenario retargets at them)."""
    from skyshield.posture.laydown import TARGETS, city_point

    return {name: city_point(name) for name in TARGETS["ballistic"]}


@functools.cache
def _ranges() -> dict[str, float]:
    from skyshield.catalog import load_catalog

    return {key: t.range_m for key, t in load_catalog().threats.items()}


def _missile_sites() -> dict[str, list[_Point]]:
    """Per missile group, the launch points the shipped reports locate for it (sorted)."""
    from skyshield.posture import night_geographies

    sites: dict[str, set[_Point]] = {g: set() for g in ("cruise", "tactical", "ballistic")}
    for geography in night_geographies().values():
        for group, points in geography.launch.items():
            if group in sites:
                sites[group].update(points)
    return {g: sorted(points) for g, points in sites.items()}


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
    geographies: Sequence[NightGeography | None] | None = None,
) -> pd.DataFrame:
    """Simulate every composition at ``n_parameters`` parameter points; one row per run.

    Columns: ``drone, cruise, ballistic`` (launched), the parameters, and per class
    ``destroyed_<class>`` and ``lost_<class>``: mean counts over the replications. With
    ``geographies`` (one per composition, None: the default), each composition flies its own
    and the rows add its :data:`GEOGRAPHY_FEATURES`.
    """
    rows = []
    for i, composition in enumerate(compositions):
        geography = None if geographies is None else geographies[i]
        engine = NightEngine(composition, route_sets=route_sets, seed=seed + i, geography=geography)
        features = dict(
            zip(GEOGRAPHY_FEATURES, geography_features(geography, composition), strict=True)
        )
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
                **(features if geographies is not None else {}),
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

    ``counts`` (n, 4): :data:`COUNT_COLUMNS`; or (n, 4 + g), :data:`INPUT_COLUMNS`: each
    geography feature (already in [0, 1]) then adds a block of :data:`_GEO_BLOCK` columns:
    itself, its square and its products with every parameter (cover matters only as far as
    the kill probabilities and postures let it).
    """
    n_counts = len(COUNT_COLUMNS)
    scale = np.log1p(np.asarray(COMPOSITION_MAX, dtype=float))
    scaled_counts = np.log1p(counts[:, :n_counts]) / scale
    scaled_theta = (theta - _LOW) / (_HIGH - _LOW)
    x = np.column_stack([scaled_counts, scaled_theta])
    n, d = x.shape
    upper = np.triu_indices(d)
    quadratic = (x[:, :, None] * x[:, None, :])[:, upper[0], upper[1]]
    g = counts[:, n_counts:, None]  # one block per feature: g, g², g x each parameter
    blocks = np.concatenate([g, g * g, g * scaled_theta[:, None, :]], axis=2).reshape(n, -1)
    return np.column_stack([np.ones(n), x, quadratic, blocks])


def class_mask(n_features: int, inputs: int, k: int) -> np.ndarray:
    """(n_features,) bool: the features report class ``k``'s surfaces read.

    The counts' and parameters' features, and the blocks of the class's own geography
    features (:data:`~skyshield.posture.geography.GEOGRAPHY_OF_CLASS`): a drone's fate does
    not hang on the ballistic missiles' targets, and leaving such terms out keeps the fit from
    learning noise between compositions.
    """
    n_geography = inputs - len(COUNT_COLUMNS)
    base = n_features - n_geography * _GEO_BLOCK
    mask = np.zeros(n_features, dtype=bool)
    mask[:base] = True
    for name in GEOGRAPHY_OF_CLASS[REPORT_CLASSES[k]]:
        j = GEOGRAPHY_FEATURES.index(name)
        if j < n_geography:
            mask[base + j * _GEO_BLOCK : base + (j + 1) * _GEO_BLOCK] = True
    return mask


def _logit(p: np.ndarray) -> np.ndarray:
    return np.asarray(np.log(p) - np.log1p(-p))


def _expit(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True, slots=True)
class Surrogate:
    """Coefficients of the response surfaces: (n_classes, 2, n_features).

    Surface 0 is logit(share destroyed); surface 1 is logit(share of the survivors lost).
    ``inputs``: how many columns of a night it reads, 4 (:data:`COUNT_COLUMNS`) or 7 (with the
    geography, :data:`INPUT_COLUMNS`).
    """

    coefficients: np.ndarray
    inputs: int = len(COUNT_COLUMNS)

    def _inputs(self, counts: np.ndarray) -> np.ndarray:
        """Return the columns this surface reads (a night without geography: the default's)."""
        if counts.shape[1] >= self.inputs:
            return counts[:, : self.inputs]
        missing = np.broadcast_to(
            np.asarray(DEFAULT_GEOGRAPHY)[: self.inputs - counts.shape[1]],
            (counts.shape[0], self.inputs - counts.shape[1]),
        )
        return np.column_stack([counts, missing])

    def shares(self, counts: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Predicted shares destroyed and lost per class: two (n, n_classes) arrays.

        ``counts`` (n, 4) launched per class and tactical cruise (:data:`COUNT_COLUMNS`);
        ``theta`` (n, n_parameters) or (n_parameters,).
        """
        counts = self._inputs(np.atleast_2d(np.asarray(counts, dtype=float)))
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
        return {"coefficients": self.coefficients.tolist(), "inputs": self.inputs}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Surrogate:
        """Read what :meth:`to_dict` wrote."""
        inputs = data.get("inputs", len(COUNT_COLUMNS))
        return cls(np.asarray(data["coefficients"], dtype=float), int(inputs))  # type: ignore[call-overload]


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
    mean counts back into totals. A design with the geography columns gives an emulator that
    reads them (:data:`INPUT_COLUMNS`).
    """
    counts = design[list(_columns(design))].to_numpy(dtype=float)
    theta = design[list(NAMES)].to_numpy(dtype=float)
    reps = design["replications"].to_numpy(dtype=float) if "replications" in design else 1.0
    every = _features(counts, theta)
    coefficients = np.zeros((len(REPORT_CLASSES), 2, every.shape[1]))
    for k, cls in enumerate(REPORT_CLASSES):
        mask = class_mask(every.shape[1], counts.shape[1], k)
        features = every[:, mask]
        launched = counts[:, k] * reps
        has = launched > 0
        destroyed = (design[f"destroyed_{cls}"].to_numpy() * reps)[has]
        lost = (design[f"lost_{cls}"].to_numpy() * reps)[has]
        coefficients[k, 0, mask] = _binomial_glm(features[has], destroyed, launched[has], ridge)
        if not np.any(lost > 0):  # e.g. no EW losses of missiles: never lost
            coefficients[k, 1, 0] = _NEVER
            continue
        survivors = np.maximum(launched[has] - destroyed, 0.0)
        coefficients[k, 1, mask] = _binomial_glm(
            features[has], np.minimum(lost, survivors), survivors, ridge
        )
    return Surrogate(coefficients, counts.shape[1])


def _columns(design: pd.DataFrame) -> tuple[str, ...]:
    """Return the inputs a design gives: the counts, and the geography if it has it."""
    has = all(c in design for c in GEOGRAPHY_FEATURES)
    return INPUT_COLUMNS if has else COUNT_COLUMNS


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
    keys = design[list(_columns(design))].astype(str).agg("-".join, axis=1)
    unique = keys.unique()
    fold_of = dict(
        zip(unique, np.random.default_rng(seed).permutation(len(unique)) % folds, strict=True)
    )
    fold = keys.map(fold_of).to_numpy()
    counts = design[list(_columns(design))].to_numpy(dtype=float)
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
