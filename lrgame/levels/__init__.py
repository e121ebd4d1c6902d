"""Level model, JSON Schema, loading and validation (no UI)."""
