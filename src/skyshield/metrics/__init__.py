"""Metrics: summaries of outcome tables with confidence intervals."""
