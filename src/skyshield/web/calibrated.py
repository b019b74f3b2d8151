"""The server's calibration (``serve --calibration FILE``), as requests and the page see it.

The file is read once, when the server starts
(:func:`skyshield.calibration.applied.applied_calibration`, as ``run --calibration`` reads
it); every run or comparison a request starts applies it through the API's own ``calibration``
argument, unless the request says ``"calibrated": false``. A request never names a file: the
only calibration a server applies is the one it was started with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skyshield.errors import FieldProblem, ScenarioError

if TYPE_CHECKING:
    from skyshield.calibration.applied import AppliedCalibration

__all__ = ["UNCALIBRATED", "calibration_document", "calibration_line", "chosen_calibration"]

# what the page says of a run without a calibration: the catalog's own figures apply
UNCALIBRATED = "uncalibrated: catalog values"
# a quarter's first month -> its number (a period that is no calendar quarter is shown as dates)
_QUARTER_OF_MONTH = {"01": 1, "04": 2, "07": 3, "10": 4}


def _period(start: str, end: str) -> str:
    """Return ``2025-Q1`` for 2025-01-01 to 2025-04-01; any other period as its two dates."""
    year, month, day = start.split("-")
    quarter = _QUARTER_OF_MONTH.get(month)
    if quarter is None or day != "01":
        return f"{start} to {end}"
    following = int(year) * 12 + int(month) + 2  # the month after the quarter, counted from 0
    if end != f"{following // 12:04d}-{following % 12 + 1:02d}-01":
        return f"{start} to {end}"
    return f"{year}-Q{quarter}"


def calibration_line(named: dict[str, Any] | None) -> str:
    """One line naming a run's calibration: ``calibrated: FILE (2025-Q1 medians)``.

    ``named``: what ``--json`` prints under ``calibration`` (``AppliedCalibration.to_dict``),
    or None: :data:`UNCALIBRATED`.
    """
    if named is None:
        return UNCALIBRATED
    period = _period(str(named["period_start"]), str(named["period_end"]))
    return f"calibrated: {named['file']} ({period} medians)"


def calibration_document(calibration: AppliedCalibration | None) -> dict[str, Any]:
    """``GET /api/calibration``: the server's calibration (``--json``'s fields) and its lines.

    ``line``: what a run with the server's calibration shows (:func:`calibration_line`);
    ``uncalibrated_line``: what one asked ``"calibrated": false`` shows.
    """
    named = None if calibration is None else calibration.to_dict()
    return {
        "calibration": named,
        "line": calibration_line(named),
        "uncalibrated_line": UNCALIBRATED,
    }


def chosen_calibration(
    calibration: AppliedCalibration | None, calibrated: bool | None
) -> AppliedCalibration | None:
    """Return the calibration a request's run applies: the server's, unless it asks for none.

    ``calibrated``: the request's field; None (absent) applies the server's calibration, if
    any; False applies none.

    Raises
    ------
    ScenarioError
        ``calibrated: true`` of a server started without ``--calibration``.
    """
    if calibrated is False:
        return None
    if calibrated is True and calibration is None:
        raise ScenarioError(
            "request",
            [
                FieldProblem(
                    "calibrated",
                    "false or absent (the server was started without --calibration)",
                    "true",
                )
            ],
        )
    return calibration
