"""Measurements about runs and sweeps that the coach, the screens and the CLI share (no UI)."""
