"""``skyshield calibrate``: build the emulator, fit each quarter of report nights, save it all.

A calibration file (JSON) holds the emulator's coefficients and how it was built and
validated, and one posterior per period (thinned samples, last walker positions). Periods are
calendar quarters from the first report night to ``train_until`` (exclusive); each warm-starts
from the previous one, so parameters drift from quarter to quarter only as the data ask.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from skyshield.calibration.fit import NightData, Posterior, fit_period
from skyshield.calibration.model import at_prior_edge
from skyshield.calibration.settings import DEFAULT_STEPS, DEFAULTS, EmulatorSettings
from skyshield.calibration.surrogate import (
    Surrogate,
    design_compositions,
    design_geographies,
    fit_surrogate,
    run_design,
    validate_surrogate,
)
from skyshield.errors import FieldProblem, ScenarioError, SkyshieldError
from skyshield.store import SCHEMAS, StrPath, run_directory
from skyshield.store.documents import records, save_result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "MIN_NIGHTS",
    "Calibration",
    "CalibrationError",
    "EmulatorSettings",
    "build_emulator",
    "calibrate",
    "check_train_until",
    "fitted_periods",
    "load_calibration",
    "quarters",
    "skipped_periods",
]

# /2: the emulator reads tactical cruise missiles; /3: and each night's geography, and
# tasking_beta, loss_cruise, fail_ballistic appended to the parameters (issue 23); /4: cover is
# the publicly reported sites' (posture.cover) and the laydown's Patriots follow it, and the
# emulator reads two cruise features more (distance_cruise, window_cruise); /5: ballistic waves
# fly from the sites that reach their targets and the emulator reads reach_ballistic
FORMAT = "skyshield-calibration/5"
# a quarter with fewer report nights is not fitted
MIN_NIGHTS = 10


class CalibrationError(SkyshieldError, ValueError):
    """A calibration cannot be done as asked (e.g. no quarter to fit): one line, why."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """An emulator with its validation, and the posterior of each fitted period."""

    surrogate: Surrogate
    settings: EmulatorSettings
    validation: pd.DataFrame
    periods: tuple[Posterior, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    file: str | None = None  # where the calibration file was written, if it was
    # posterior predictive check over the training quarters (:mod:`.check`); not in the file
    check: pd.DataFrame | None = None
    # quarters before train_until left unfitted for too few report nights: (start, end,
    # nights), as :func:`skipped_periods` returns them; not in the file
    skipped: tuple[tuple[date, date, int], ...] = ()
    # SHA-256 of the file's bytes, when read from one (:func:`load_calibration`); not in the file
    sha256: str | None = None

    def summary(self) -> pd.DataFrame:
        """One row per period and parameter: median and 5-95% interval."""
        if not self.periods:
            return pd.DataFrame(columns=["start", "end", "nights", "parameter", "p5", "median"])
        return pd.concat([p.summary() for p in self.periods], ignore_index=True)

    def latest(self) -> Posterior:
        """Return the most recent period's posterior."""
        return self.periods[-1]

    def warnings(self) -> list[str]:
        """Return warnings on the latest quarter, the one ``--calibration`` applies.

        Its parameters held at an end of their prior box, and the classes whose reported share
        its posterior predictive check puts outside the predicted 90% interval.
        """
        if not self.periods:
            return []
        latest = self.latest()
        lines = [f"{latest.start}: {line}" for line in at_prior_edge(latest.summary())]
        if self.check is not None and not self.check.empty:
            missed = self.check[(self.check["quarter"] == latest.start) & ~self.check["inside_90"]]
            lines += [
                f"{latest.start}: {r._2} share neutralised reported {r.reported_share:.2f}, "
                f"outside the fit's own 90% interval {r.predicted_p05:.2f}-{r.predicted_p95:.2f}"
                for r in missed.itertuples()
            ]
        return lines

    def skipped_line(self) -> str:
        """One line naming the quarters left unfitted and why ("" when none was)."""
        if not self.skipped:
            return ""
        shown = ", ".join(
            f"{_quarter_name(start, end)} ({nights} report night{'' if nights == 1 else 's'})"
            for start, end, nights in self.skipped
        )
        n = len(self.skipped)
        return (
            f"{n} quarter{'' if n == 1 else 's'} not fitted, fewer than {MIN_NIGHTS} report "
            f"nights: {shown}"
        )

    SCHEMA: ClassVar[str] = "skyshield/calibrate/v1"

    def to_dict(self) -> dict[str, Any]:
        """Return what ``calibrate --json`` prints: emulator validation, each quarter's fit."""
        return {
            "schema": self.SCHEMA,
            "train_until": self.data.get("train_until"),
            "file": self.file,
            "emulator_validation": records(self.validation),
            "periods": records(self.summary()),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the emulator's validation and each quarter's posterior summary (long).

        ``calibration_validation``: per class and quantity, emulator vs engine on held-out
        compositions; ``calibration_periods``: per quarter and parameter, median and 5-95%.
        """
        return {
            "calibration_validation": self.validation.reindex(
                columns=SCHEMAS["calibration_validation"].names
            ),
            "calibration_periods": self.summary().reindex(
                columns=SCHEMAS["calibration_periods"].names
            ),
        }

    def plot(self) -> Figure:
        """Each fitted parameter over time: median and 5-95% interval per quarter."""
        from skyshield.calibration.plots import plot_parameters

        return plot_parameters(self.summary())

    def save(self, directory: StrPath) -> str:
        """Save the tables in a results directory, and the calibration file in its run folder.

        Returns the run id (``skyshield runs DIR`` lists it; kind ``calibrate``).
        """
        run_id = save_result(
            directory,
            self.tables(),
            kind="calibrate",
            name=f"reports until {self.data.get('train_until')}",
            parameters={"settings": vars_of(self.settings), "data": self.data.get("file")},
            seed=self.settings.seed,
            replications=self.settings.replications,
        )
        self.write(run_directory(directory, run_id) / "calibration.json")
        return run_id

    def __repr__(self) -> str:
        """Show in a few lines what was fitted, on how many nights, the latest quarter's medians."""
        lines = [
            f"Calibration: {len(self.periods)} quarters fitted on "
            f"{sum(p.nights for p in self.periods)} report nights before "
            f"{self.data.get('train_until', '?')}; emulator of "
            f"{self.settings.compositions}x{self.settings.parameters} design points"
        ]
        if self.periods:
            latest = self.latest().summary().set_index("parameter")["median"]
            shown = ", ".join(f"{k} {v:.2f}" for k, v in latest.items())
            lines.append(f"  latest quarter ({self.latest().start}) medians: {shown}")
        return "\n".join(lines)

    def document(self) -> dict[str, Any]:
        """Return the calibration file's content: emulator, validation, data, each period."""
        return {
            "format": FORMAT,
            "emulator": {
                "settings": vars_of(self.settings),
                "validation": self.validation.to_dict(orient="records"),
                **self.surrogate.to_dict(),
            },
            "data": self.data,
            "periods": [p.to_dict() for p in self.periods],
        }

    def write(self, path: str | Path) -> None:
        """Write the calibration file (JSON; atomically: a temporary file renamed into place)."""
        path = Path(path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.document()), encoding="utf-8")
        temporary.replace(path)


def vars_of(settings: EmulatorSettings) -> dict[str, int]:
    """Return the settings as a plain dict."""
    return {name: int(getattr(settings, name)) for name in EmulatorSettings.__dataclass_fields__}


CALIBRATION_FILE = "a calibration file from `skyshield calibrate`"


def load_calibration(
    path: Path, *, source: str | None = None, field: str = "", fitted: bool = False
) -> Calibration:
    """Read a calibration file written by :meth:`Calibration.save`.

    ``fitted``: also refuse a file without a fitted period (what applies a calibration needs
    its latest period; a back-test reuses only the emulator).

    Raises
    ------
    ScenarioError
        The file is missing, unreadable, not JSON or not a calibration (or, with ``fitted``,
        has no fitted period):
        ``source: field: expected a calibration file ..., got PATH: why`` (``source`` names
        where the path came from, e.g. ``--calibration`` or a campaign file; by default the
        path itself, and the message says only why).
    """
    try:
        raw = path.read_bytes()  # once: the hash and the content are of the same bytes
        text = raw.decode("utf-8")
    except FileNotFoundError:
        why = "no such file"
    except IsADirectoryError:
        why = "a directory"
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    else:
        read = _read_calibration(text)
        if isinstance(read, Calibration):
            if read.periods or not fitted:
                return replace(read, sha256=hashlib.sha256(raw).hexdigest())
            read = "no fitted quarter (its --train-until is before the reports' first quarter)"
        why = read
    found = why if source is None else f"{path}: {why}"
    raise ScenarioError(
        str(path) if source is None else source, [FieldProblem(field, CALIBRATION_FILE, found)]
    )


def _read_calibration(text: str) -> Calibration | str:
    """Return the calibration ``text`` holds, or why it is not a calibration file."""
    if not text.strip():
        return "an empty file"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg}: line {exc.lineno}, column {exc.colno})"
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        return f"JSON of another format (format {found!r}, expected {FORMAT!r})"
    try:
        return _calibration(data)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # a file of the right format but truncated or edited by hand
        return f"an incomplete {FORMAT} file ({type(exc).__name__}: {exc})"


def _calibration(data: dict[str, Any]) -> Calibration:
    emulator = data["emulator"]
    return Calibration(
        surrogate=Surrogate.from_dict(emulator),
        settings=EmulatorSettings(**emulator["settings"]),
        validation=pd.DataFrame(emulator["validation"]),
        periods=tuple(Posterior.from_dict(p) for p in data["periods"]),
        data=data.get("data", {}),
    )


def build_emulator(
    settings: EmulatorSettings = DEFAULTS,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Surrogate, pd.DataFrame]:
    """Run the engine design, fit the emulator, and cross-validate it on held-out compositions."""
    design = run_design(
        design_compositions(settings.compositions, seed=settings.seed),
        settings.parameters,
        replications=settings.replications,
        route_sets=settings.route_sets,
        seed=settings.seed,
        progress=progress,
        geographies=design_geographies(settings.compositions, seed=settings.seed),
    )
    return fit_surrogate(design), validate_surrogate(design, settings.replications)


def quarters(first: date, until: date) -> list[tuple[date, date]]:
    """Calendar quarters [start, end) from the one holding ``first`` up to ``until``."""
    out = []
    start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while start < until:
        month = start.month + 3
        end = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)  # noqa: PLR2004
        out.append((start, min(end, until)))
        start = end
    return out


def _quarter_name(start: date, end: date) -> str:
    """``2022-Q3``; a quarter cut short by ``train_until``: ``2025-Q1 before 2025-02-15``."""
    name = f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    month = start.month + 3
    full_end = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)  # noqa: PLR2004
    return name if end >= full_end else f"{name} before {end}"


def fitted_periods(
    data: NightData, train_until: date, *, min_nights: int = MIN_NIGHTS
) -> list[tuple[date, date]]:
    """Return the quarters :func:`calibrate` fits: before ``train_until``, enough nights."""
    if len(data) == 0:
        return []
    first = pd.Timestamp(data.nights.min()).date()
    return [
        (start, end)
        for start, end in quarters(first, train_until)
        if len(data.between(np.datetime64(start), np.datetime64(end))) >= min_nights
    ]


def skipped_periods(
    data: NightData, train_until: date, *, min_nights: int = MIN_NIGHTS
) -> list[tuple[date, date, int]]:
    """Return the quarters :func:`calibrate` skips, with their nights: fewer than ``min_nights``."""
    if len(data) == 0:
        return []
    first = pd.Timestamp(data.nights.min()).date()
    counted = [
        (start, end, len(data.between(np.datetime64(start), np.datetime64(end))))
        for start, end in quarters(first, train_until)
    ]
    return [(start, end, n) for start, end, n in counted if n < min_nights]


def check_train_until(
    data: NightData, train_until: date, *, min_nights: int = MIN_NIGHTS, option: str = ""
) -> None:
    """Raise :class:`CalibrationError` unless some quarter before ``train_until`` can be fitted.

    Called before any work (the emulator's design takes minutes), so that a ``train_until``
    before the reports start fails at once and writes nothing. ``option`` names the setting
    in the message (e.g. ``--train-until``).
    """
    if fitted_periods(data, train_until, min_nights=min_nights):
        return
    where = f"{option}: " if option else ""
    if len(data) == 0:
        raise CalibrationError(f"{where}no report night to fit (the reports are empty)")
    nights = [pd.Timestamp(n).date() for n in np.sort(data.nights)]
    earliest = _earliest_until(nights, min_nights)
    start = f"the reports start on {nights[0]}"
    if earliest is None:
        raise CalibrationError(
            f"{where}no calendar quarter of the reports holds {min_nights} report nights "
            f"({start}), so nothing can be fitted"
        )
    raise CalibrationError(
        f"{where}expected a date from {earliest} on (a calendar quarter before it must hold "
        f"{min_nights} report nights; {start}), got {train_until}"
    )


def _earliest_until(nights: list[date], min_nights: int) -> date | None:
    """Return the first ``train_until`` with a quarter of ``min_nights`` nights before it."""
    counts: dict[tuple[int, int], int] = {}
    for night in nights:
        quarter = (night.year, (night.month - 1) // 3)
        counts[quarter] = counts.get(quarter, 0) + 1
        if counts[quarter] >= min_nights:
            return night + timedelta(days=1)
    return None


def calibrate(
    data: NightData,
    train_until: date,
    surrogate: Surrogate,
    *,
    steps: int = DEFAULT_STEPS,
    seed: int = 0,
    min_nights: int = MIN_NIGHTS,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Posterior, ...]:
    """Fit every quarter before ``train_until`` that has at least ``min_nights`` report nights.

    The others are skipped (:func:`skipped_periods` names them); ``progress`` is called with
    (quarters fitted, quarters to fit). Raises :class:`CalibrationError` when there is none
    (:func:`check_train_until`).
    """
    check_train_until(data, train_until, min_nights=min_nights)
    first = pd.Timestamp(data.nights.min()).date()
    parts = [
        (i, start, end, data.between(np.datetime64(start), np.datetime64(end)))
        for i, (start, end) in enumerate(quarters(first, train_until))
    ]
    # the progress counts the quarters fitted (a skipped one is no step); each quarter's seed
    # stays its place among all the quarters
    todo = [(i, start, end, part) for i, start, end, part in parts if len(part) >= min_nights]
    fits: list[Posterior] = []
    for i, start, end, part in todo:
        fits.append(
            fit_period(
                surrogate,
                part,
                start=start.isoformat(),
                end=end.isoformat(),
                steps=steps,
                seed=seed + i,
                initial=fits[-1].walkers if fits else None,
            )
        )
        if progress is not None:
            progress(len(fits), len(todo))
    return tuple(fits)
