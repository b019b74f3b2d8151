"""Calibration and back-testing of the night model against the Air Force reports."""
