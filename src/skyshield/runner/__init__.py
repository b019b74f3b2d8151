"""Runners: Monte Carlo replications over worker processes."""
