"""The NumPy engine: expressions, optimizers, schedules, batched runs, outcomes.

Nothing in this package imports Textual (a test enforces it); the UI consumes it.
Data flows one way: a level and a strategy become a run (arrays of points,
losses and rates); the UI only plays runs back.
"""
