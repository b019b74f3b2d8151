"""The only home of unit conversion factors.

Inside skyshield every quantity is SI (m, s, rad, kg, m/s) and carries its unit in its name.
Scenario files and reports may use km, minutes, km/h or degrees, also suffixed, and convert
here at the edge.
"""

from __future__ import annotations

import math

__all__ = [
    "FULL_CIRCLE_DEG",
    "H_TO_S",
    "KMH_TO_MPS",
    "KM_TO_M",
    "MIN_TO_S",
    "M_TO_KM",
    "SPEED_OF_SOUND_MPS",
    "deg_to_rad",
    "kmh_to_mps",
    "mach_to_mps",
    "rad_to_deg",
]

KM_TO_M = 1000.0
M_TO_KM = 1.0 / KM_TO_M
MIN_TO_S = 60.0
H_TO_S = 3600.0
KMH_TO_MPS = 1000.0 / 3600.0
# Speed of sound used to turn Mach numbers into speeds: 340.3 m/s, the ISA sea-level value
# (ICAO Doc 7488, Manual of the ICAO Standard Atmosphere). Mach figures for missiles are
# press approximations, so the altitude dependence is below their precision.
SPEED_OF_SOUND_MPS = 340.3
FULL_CIRCLE_DEG = 360.0


def kmh_to_mps(speed_kmh: float) -> float:
    """Convert km/h to m/s."""
    return speed_kmh * KMH_TO_MPS


def mach_to_mps(mach: float) -> float:
    """Convert a Mach number to m/s at the ISA sea-level speed of sound."""
    return mach * SPEED_OF_SOUND_MPS


def deg_to_rad(angle_deg: float) -> float:
    """Convert degrees to radians."""
    return math.radians(angle_deg)


def rad_to_deg(angle_rad: float) -> float:
    """Convert radians to degrees."""
    return math.degrees(angle_rad)
