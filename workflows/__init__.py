"""Deterministic Temporal workflows: they decide; activities do the I/O."""
