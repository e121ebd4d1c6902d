"""The blindfold: which parts of the landscape the walker has felt.

The walker feels the ground within ``radius`` (a fraction of the domain's
size: its width in 1-D, its diagonal in 2-D) of every point it has stood on.
"""

from __future__ import annotations

import numpy as np


class FogOfWar:
    """Incrementally reveals grid cells around visited points.

    ``centers`` are the grid's cell centres ([..., d]); ``revealed`` is a boolean
    mask of the same leading shape. Revealing is incremental, so a playback
    that advances one step at a time does work only for the new points.
    """

    def __init__(self, centers: np.ndarray, radius: float) -> None:
        self.centers = centers
        self.radius = float(radius)
        self.revealed = np.zeros(centers.shape[:-1], dtype=bool)
        self._visited = 0

    def reveal_upto(self, trajectory: np.ndarray, count: int) -> np.ndarray:
        """Reveal around ``trajectory[:count]``; returns the mask of cells newly revealed."""
        if count < self._visited:
            self.reset()
        new = trajectory[self._visited : count]
        self._visited = max(self._visited, count)
        changed = np.zeros_like(self.revealed)
        with np.errstate(all="ignore"):
            for point in new:
                if not np.all(np.isfinite(point)):
                    continue
                near = np.sum((self.centers - point) ** 2, axis=-1) <= self.radius**2
                changed |= near & ~self.revealed
                self.revealed |= near
        return changed

    def reveal_all(self) -> None:
        self.revealed[...] = True

    def reset(self) -> None:
        self.revealed[...] = False
        self._visited = 0
