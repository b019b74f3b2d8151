"""Settings of the emulator's engine design (a light module: the CLI reads its defaults)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "DEFAULT_HALF_LIVES",
    "DEFAULT_REFIT_DAYS",
    "DEFAULT_STEPS",
    "DEFAULT_WARM_STEPS",
    "DEFAULT_WINDOW_DAYS",
    "EmulatorSettings",
    "format_half_lives",
    "parse_half_lives",
]

# Each back-test refit uses the nights of the 90 days before it. Chosen before looking at the
# test period, on the validation period 2024-10-01 -> 2025-03-31 (train until 2024-10-01): the
# mean over class x target of CRPS / baseline CRPS was 1.32 for 30 days, 1.29 for 60 and 1.23
# for 90 (the model lost to the baseline on cruise missiles with every window).
DEFAULT_WINDOW_DAYS = 90
# Drift. Within the window each report class's nights are weighed by 2^(-age / half-life)
# (skyshield.calibration.fit.forgetting_weights), and the model is refitted weekly, each refit
# warm-started from the last with 1,000 MCMC steps. Chosen on the same validation period, before
# the test period was scored (mean CRPS / baseline CRPS over class x target; per class):
#   monthly refits, no forgetting          1.178  (drone 1.31 / 1.03, cruise 1.43, ballistic 0.94)
#   monthly refits, half-life 30 days      1.128
#   monthly refits, half-life 15 days      1.101
#   weekly refits,  half-life 15 days      0.978  (drone 1.07 / 0.84, cruise 0.93, ballistic 1.04)
#   weekly refits,  half-life 7 days       0.969  (drone 0.95 / 0.84, cruise 0.82, ballistic 1.19)
# Ballistic missiles come 1-4 a night: forgetting their few nights costs more than their drift
# (1.19 at 7 days, 1.04 at 15, 0.96 at 30, 0.94 never), so their nights are not forgotten.
DEFAULT_REFIT_DAYS = 7
# MCMC steps of a fit from scratch (each calibration period, a back-test's first refit)
DEFAULT_STEPS = 3000
DEFAULT_WARM_STEPS = 1000
DEFAULT_HALF_LIVES: Mapping[str, float | None] = MappingProxyType(
    {"drone": 7.0, "cruise": 7.0, "ballistic": None}
)
# the report classes (catalog.REPORT_CLASSES: not imported, this module stays light)
_CLASSES = tuple(DEFAULT_HALF_LIVES)


def parse_half_lives(text: str) -> dict[str, float | None]:
    """``7`` (every class), ``none``, or ``drone=7,cruise=7,ballistic=none``: days per class.

    Raises ValueError naming what was expected.
    """

    def days(value: str) -> float | None:
        if value.strip().lower() == "none":
            return None
        number = float(value)
        if not number > 0:
            raise ValueError(f"a half-life must be > 0 days, got {value!r}")
        return number

    if "=" not in text:
        return dict.fromkeys(_CLASSES, days(text))
    out: dict[str, float | None] = dict.fromkeys(_CLASSES)
    for item in text.split(","):
        name, _, value = item.partition("=")
        if name.strip() not in _CLASSES:
            raise ValueError(f"expected one of {', '.join(_CLASSES)}, got {name.strip()!r}")
        out[name.strip()] = days(value)
    return out


def format_half_lives(half_lives: Mapping[str, float | None]) -> str:
    """Write half-lives as :func:`parse_half_lives` reads them."""
    return ",".join(
        f"{cls}={'none' if days is None else f'{days:g}'}" for cls, days in half_lives.items()
    )


@dataclass(frozen=True, slots=True)
class EmulatorSettings:
    """How the emulator's engine design is built (sizes trade accuracy for time)."""

    # 192 compositions x 8 parameter points (was 48 x 32, the same 1,536 engine runs): each
    # composition flies its own geography, which the emulator can learn only across many
    # compositions. Held-out RMSE of the share destroyed (drone / cruise / ballistic) with the
    # geography features, 24 replications: 48 x 32: 0.101 / 0.224 / 0.259; 192 x 8: 0.122 /
    # 0.208 / 0.223 (issue 23; see CHANGELOG).
    compositions: int = 192
    parameters: int = 8
    replications: int = 24
    route_sets: int = 4
    seed: int = 1


DEFAULTS = EmulatorSettings()
