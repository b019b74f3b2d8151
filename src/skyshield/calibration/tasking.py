"""The low-cost layers' growth over time: a dated, sourced rollout (issue 23, item 2).

The night model's short family (mobile fire groups, interceptor drones, guns) has the size
``posture_short`` fitted per period, times the raid tasking of
:func:`skyshield.calibration.model.tasking_factor`, times :func:`rollout_factor`: how many
mobile fire groups existed on the night relative to the reference date, from the counts
Ukrainian officials gave. The fit multiplies ``posture_short`` by it night by night
(:func:`night_parameters`), so a fitted period that spans a rollout does not read the growth as
noise, and a forecast carries the latest count forward.

Figures (one basis: the National Guard of Ukraine's mobile fire groups, the series with two
dated counts):

* 2022-10-20: about 130 mobile fire groups (and more than 250 fire groups) set up by the
  National Guard against strike drones; Mykola Urshalovych (NGU) at a briefing,
  https://mvs.gov.ua/en/news/u-nacgvardiyi-stvoreno-130-mobilnix-vognevix-grup-dlya-protidiyi-udarnim-dronam
* 2024-12-27: over 900 National Guard fire groups protect critical infrastructure, about 500
  of them mobile; NGU commander Oleksandr Pivnenko to Interfax-Ukraine,
  https://www.pravda.com.ua/eng/news/2024/12/27/7490975/

Context, not used (other bases): 2024-12-17, 1,500 mobile fire groups across the Defence
Forces (President Zelensky, Ukrinform,
https://menafn.com/1109002804/Zelensky-Ukraine-Has-1500-Mobile-Fire-Teams-But-More-Are-Needed);
2024-11-03, the US State Department's INL funded 800 mobile fire teams of the National Guard
and the Border Guard in 2024 (https://www.pravda.com.ua/eng/news/2024/11/3/7482753/).
Interceptor drones shot down "dozens" of Shaheds a night from July 2025
(https://unn.ua/en/news/zelenskyy-on-the-night-attack-dozens-of-shaheds-were-shot-down-by-interceptor-drones,
2025-07-04) and the defence minister set 1,000 a day as the goal on 2025-09-18
(https://www.pravda.com.ua/eng/news/2025/09/18/7531489/): both after the shipped reports'
last night (2025-07-01), so that ramp is not in the rollout yet.

Between the dated counts the rollout is log-linear (a constant growth rate: 130 -> 500 over
2.2 years is about x1.85 a year); before the first and after the last it is flat (no count
is extrapolated). It is 1 at the reference date (the last count), so ``posture_short`` means
the layer's size as of the end of 2024.
"""

from __future__ import annotations

import numpy as np

from skyshield.calibration.model import NAMES, PARAMETERS

__all__ = ["ROLLOUT", "night_parameters", "rollout_factor"]

# (date, mobile fire groups of the National Guard), sources in the module docstring
ROLLOUT: tuple[tuple[str, float], ...] = (
    ("2022-10-20", 130.0),
    ("2024-12-27", 500.0),
)
_SHORT = NAMES.index("posture_short")
_LOW = np.array([p.low for p in PARAMETERS])
_HIGH = np.array([p.high for p in PARAMETERS])


def rollout_factor(nights: np.ndarray) -> np.ndarray:
    """(n,) the low-cost layers' size on each night relative to the last dated count.

    ``nights``: datetime64 (any unit). Log-linear between the counts of :data:`ROLLOUT`, flat
    outside them.
    """
    days = np.asarray(nights, dtype="datetime64[D]").astype(np.int64).astype(float)
    at = np.array([np.datetime64(d, "D").astype(np.int64) for d, _ in ROLLOUT], dtype=float)
    log_count = np.log([c for _, c in ROLLOUT])
    return np.asarray(np.exp(np.interp(days, at, log_count) - log_count[-1]))


def night_parameters(theta: np.ndarray, nights: np.ndarray | None) -> np.ndarray:
    """(n, n_parameters) each night's parameters: ``posture_short`` × its rollout factor.

    ``theta`` (n_parameters,) or (n, n_parameters); ``nights`` (n,) or None (no rollout: the
    parameters as they are, broadcast). The product is kept inside the prior box the emulator
    was built on (a layer below the box's floor counts as the floor).
    """
    theta = np.asarray(theta, dtype=float)
    if nights is None:
        return np.atleast_2d(theta)
    out = np.array(np.broadcast_to(theta, (np.asarray(nights).size, len(NAMES))))
    out[:, _SHORT] = np.clip(out[:, _SHORT] * rollout_factor(nights), _LOW[_SHORT], _HIGH[_SHORT])
    return out
