"""Engines: compile a scenario to arrays, build engagement geometry, simulate replications."""
