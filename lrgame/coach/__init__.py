"""The coach: after every run, a diagnosis measured on the run and on a sweep, in plain words.

Every sentence the coach says is a measurement (see ``tests/test_coach.py``):

- *what happened* comes from the trajectory (:mod:`lrgame.analysis.walk`): never
  moved, crawling, bouncing, zigzag, noise, hovering, stuck, diverged (with the
  curvature where the walk blew up, not at some far minimum), wandering;
- *which rates win* comes from the same 200-rate sweep the sweep screen shows
  (:mod:`lrgame.analysis.sweep`): checked intervals, never holding the rate that
  just lost; winners in more than three runs are called luck, not a range;
- *what to try* is only what is true: longer or shorter strides only when the
  sweep has winners on that side; when no rate wins, the level's own tools that
  do win (:mod:`lrgame.analysis.tools`), lesson first, never a tool it does not offer;
- on a level that teaches the LR finder, no winning range is quoted until the
  player has run the finder there.

``diagnose`` measures; ``explain`` turns the measurements into sentences through
the translation catalog. Nothing here imports the UI.

``diagnosis`` measures, ``words`` says; import both from ``lrgame.coach``.
"""

from __future__ import annotations

from ..engine.stability import stability_limit
from .diagnosis import Diagnosis, diagnose
from .words import explain

__all__ = ["Diagnosis", "diagnose", "explain", "stability_limit"]
