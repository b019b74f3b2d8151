"""The calibrate and back-test workflows: reports in, a Calibration or a Backtest out.

What ``skyshield calibrate`` and ``skyshield backtest`` do, callable from Python: read the
reports, build (or reuse) the emulator, fit, and return the result. The CLI verbs only parse
their options, call these and print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import numpy as np

from skyshield.calibration.aim import aim_unnamed
from skyshield.calibration.backtest import Backtest
from skyshield.calibration.backtest import backtest as rolling_backtest
from skyshield.calibration.calibrate import (
    Calibration,
    build_emulator,
    check_train_until,
    load_calibration,
    skipped_periods,
)
from skyshield.calibration.calibrate import calibrate as fit_quarters
from skyshield.calibration.check import predictive_check
from skyshield.calibration.checks import patriot_nights
from skyshield.calibration.dispersion import DISPERSION_MODES
from skyshield.calibration.fit import Posterior, night_data
from skyshield.calibration.settings import (
    DEFAULT_DISPERSION,
    DEFAULT_DRIFT,
    DEFAULT_HALF_LIVES,
    DEFAULT_REFIT_DAYS,
    DEFAULT_STATE_NOISE,
    DEFAULT_STEPS,
    DEFAULT_WARM_STEPS,
    DEFAULT_WINDOW_DAYS,
    DEFAULTS,
    DRIFT_MODES,
    EmulatorSettings,
    parse_half_lives,
    parse_state_noise,
)
from skyshield.calibration.threads import one_blas_thread
from skyshield.errors import FieldProblem, ScenarioError, SkyshieldError
from skyshield.posture import night_geographies
from skyshield.reports import load_reports

__all__ = ["StageProgress", "backtest", "calibrate"]

# (stage, done, total): a workflow's progress through its named stages, in order
StageProgress = Callable[[str, int, int], None]


def _date(value: str | date, option: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(option, [FieldProblem("", "a date YYYY-MM-DD", repr(value))]) from None


def _stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


@one_blas_thread
def calibrate(
    train_until: str | date,
    *,
    data: str | Path | None = None,
    compositions: int = DEFAULTS.compositions,
    parameters: int = DEFAULTS.parameters,
    replications: int = DEFAULTS.replications,
    steps: int = DEFAULT_STEPS,
    seed: int = 1,
    out: str | Path | None = None,
    progress: StageProgress | None = None,
) -> Calibration:
    """Fit the night model to the reports, quarter by quarter.

    Builds the emulator (an engine design of ``compositions`` × ``parameters`` points with
    ``replications`` nights each, cross-validated on held-out compositions), then fits every
    calendar quarter of report nights before ``train_until`` by MCMC (``steps`` per quarter,
    each warm-started from the previous one).

    Parameters
    ----------
    train_until : fit on report nights before this date (``YYYY-MM-DD`` or a date)
    data : a reports CSV in the shipped format; default: the copy in the package
    compositions, parameters, replications : the emulator's engine design (smaller: faster,
        less accurate; at least 4, 4 and 2)
    steps : MCMC steps per quarter
    seed : seed of the design and the MCMC
    out : also write the calibration file here (JSON; ``--calibration`` of other verbs)
    progress : called with (stage, done, total): stages ``engine design`` and ``quarters``

    Examples
    --------
    >>> cal = skyshield.calibrate("2025-01-01", compositions=4, parameters=4, replications=2,
    ...                           steps=50)  # doctest: +SKIP
    >>> cal.tables()["calibration_periods"].head()  # doctest: +SKIP
    """
    until = _date(train_until, "--train-until")
    reports = load_reports(None if data is None else Path(data))
    geographies = night_geographies(None if data is None else Path(data))
    nights = night_data(reports.by_night, reports.rows, geographies)
    check_train_until(nights, until, option="--train-until")
    nights, _ = aim_unnamed(nights, geographies, until)  # issue 23: fitted on earlier nights
    settings = EmulatorSettings(
        compositions=compositions, parameters=parameters, replications=replications, seed=seed
    )
    surrogate, validation = build_emulator(settings, _stage(progress, "engine design"))
    periods = fit_quarters(
        nights, until, surrogate, steps=steps, seed=seed, progress=_stage(progress, "quarters")
    )
    # each chain as the file keeps it (a random subset): the printed medians, the check and
    # `--calibration` then read the same samples (the full chain's medians differed from the
    # applied ones by up to ~5%)
    periods = tuple(Posterior.from_dict(p.to_dict()) for p in periods)
    check = predictive_check(
        surrogate, periods, nights.between(nights.nights.min(), np.datetime64(until)), seed=seed
    )
    result = Calibration(
        surrogate=surrogate,
        settings=settings,
        validation=validation,
        periods=periods,
        data={
            "file": str(data) if data else "shipped",
            "train_until": until.isoformat(),
            "nights": sum(p.nights for p in periods),
            "dropped": reports.dropped.to_dict(orient="records"),
        },
        file=None if out is None else str(out),
        check=check,
        skipped=tuple(skipped_periods(nights, until)),
    )
    if out is not None:
        result.write(out)
    return result


@one_blas_thread
def backtest(
    train_until: str | date,
    *,
    data: str | Path | None = None,
    test_until: str | date | None = None,
    refit_every_days: int = DEFAULT_REFIT_DAYS,
    window_days: int = DEFAULT_WINDOW_DAYS,
    half_lives: str | Mapping[str, float | None] = DEFAULT_HALF_LIVES,
    calibration: str | Path | Calibration | None = None,
    steps: int = DEFAULT_STEPS,
    warm_steps: int = DEFAULT_WARM_STEPS,
    seed: int = 1,
    progress: StageProgress | None = None,
    drift: str = DEFAULT_DRIFT,
    state_noise: str | Mapping[str, float] = DEFAULT_STATE_NOISE,
    engine_term: bool = True,
    dispersion: str = DEFAULT_DISPERSION,
) -> Backtest:
    """Predict each report night from earlier nights only; score against a naive baseline.

    From ``train_until`` the model is refitted every ``refit_every_days`` days on the nights of
    the ``window_days`` before (older nights weighed down by ``half_lives``) and predicts the
    nights up to the next refit (:mod:`skyshield.calibration.backtest`).

    The validation and test periods of the protocol are
    :data:`~skyshield.calibration.settings.VALIDATION_PERIOD` and
    :data:`~skyshield.calibration.settings.TEST_PERIOD`; the defaults were chosen on the first.

    Parameters
    ----------
    train_until : the first test night (``YYYY-MM-DD`` or a date)
    data : a reports CSV in the shipped format; default: the copy in the package
    test_until : the last test night; default: the last report night
    refit_every_days, window_days : refit interval and training window (days)
    half_lives : days per class (``"drone=7,cruise=7,ballistic=none"``, a mapping, one number
        for all, or ``"none"``)
    calibration : reuse this calibration's emulator (a file or a :class:`Calibration`);
        default: build one with the default design (slow: minutes)
    steps, warm_steps : MCMC steps of the first refit and of each later, warm-started one
    seed : seed of the design and the MCMC
    progress : called with (stage, done, total): stages ``engine design`` and ``refits``
    drift : ``"refits"`` (the refits above) or ``"state"``: one fit on the window before
        ``train_until``, then a filtered daily random-walk offset per class on the logit of
        the share (:mod:`skyshield.calibration.drift`); the refit interval and half-lives
        then do not apply
    state_noise : the offset's variance per day per class (``"drone=0.005,..."``, a mapping
        or one number for all), with ``drift="state"``
    engine_term : False: the offset moves a constant share per class instead of the engine's
        (to see what the engine adds)
    dispersion : the predictive's overdispersion with ``drift="refits"``: ``"posterior"``
        (the mixture over the fit's samples), ``"ml"`` (each refit's maximum-likelihood one)
        or ``"ml-split"`` (the neutralised count's and the destroyed/lost split's each their
        own; :mod:`skyshield.calibration.dispersion`)

    Examples
    --------
    >>> bt = skyshield.backtest("2025-06-01", test_until="2025-06-07",
    ...                         calibration="calibration.json", steps=50)  # doctest: +SKIP
    >>> bt.tables()["backtest_metrics"]  # doctest: +SKIP
    """
    until = _date(train_until, "--train-until")
    last = None if test_until is None else _date(test_until, "--test-until")
    if isinstance(half_lives, str):
        try:
            half_lives = parse_half_lives(half_lives)
        except ValueError as problem:
            raise SkyshieldError(f"--half-life: {problem}") from None
    if isinstance(state_noise, str):
        try:
            state_noise = parse_state_noise(state_noise)
        except ValueError as problem:
            raise SkyshieldError(f"--state-noise: {problem}") from None
    if drift not in DRIFT_MODES:
        raise SkyshieldError(f"--drift: expected one of {', '.join(DRIFT_MODES)}, got {drift!r}")
    if dispersion not in DISPERSION_MODES:
        raise SkyshieldError(
            f"--dispersion: expected one of {', '.join(DISPERSION_MODES)}, got {dispersion!r}"
        )
    reports = load_reports(None if data is None else Path(data))
    geographies = night_geographies(None if data is None else Path(data))
    nights = night_data(reports.by_night, reports.rows, geographies)
    # issue 23: where unnamed ballistic salvos were aimed, fitted on the nights before until
    nights, _ = aim_unnamed(nights, geographies, until)
    cover = patriot_nights(None if data is None else Path(data))
    if isinstance(calibration, Calibration):
        surrogate = calibration.surrogate
    elif calibration is not None:
        surrogate = load_calibration(Path(calibration), source="--calibration").surrogate
    else:
        surrogate, _ = build_emulator(
            EmulatorSettings(seed=seed), _stage(progress, "engine design")
        )
    return rolling_backtest(
        nights,
        surrogate,
        train_until=until,
        test_until=last,
        refit_every_days=refit_every_days,
        window_days=window_days,
        half_lives=dict(half_lives),
        steps=steps,
        warm_steps=warm_steps,
        seed=seed,
        progress=_stage(progress, "refits"),
        drift=drift,
        state_noise=dict(state_noise),
        engine_term=engine_term,
        patriot_cover=cover,
        dispersion=dispersion,
    )
