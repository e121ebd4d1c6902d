"""The blindfold: which parts of the landscape the walker has felt.

The walker feels the ground within ``radius`` (a fraction of the domain's
size: its width in 1-D, its diagonal in 2-D) of every point it has stood on.
"""

from __future__ import annotations

import numpy as np

POINT_BLOCK = 32
"""Points measured against the grid at once: bounds the [points, cells] distance array."""


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
        """Reveal around ``trajectory[:count]``; returns the mask of cells newly revealed.

        A cell is felt when its squared distance to a point is at most ``radius**2``.
        Only cells still hidden and inside the new points' bounding box (grown by
        the radius) are measured, a block of points at a time: a frame that
        advances many steps (a slow terminal, "skip to the end") costs about as
        much as the ground it uncovers, not the whole grid once per step.
        """
        if count < self._visited:
            self.reset()
        new = np.asarray(trajectory[self._visited : count], dtype=np.float64)
        self._visited = max(self._visited, count)
        changed = np.zeros_like(self.revealed)
        if len(new) == 0:
            return changed
        dim = self.centers.shape[-1]
        new = new.reshape(len(new), dim)
        with np.errstate(all="ignore"):
            new = new[np.all(np.isfinite(new), axis=1)]
            if len(new) == 0:
                return changed
            cells = self.centers.reshape(-1, dim)
            revealed = self.revealed.reshape(-1)
            radius2 = self.radius**2
            # A little wider than the radius, so rounding at the box's edge never drops a
            # cell the exact distance test below would keep.
            pad = abs(self.radius) * (1 + 1e-9) + 1e-300
            for first in range(0, len(new), POINT_BLOCK):
                points = new[first : first + POINT_BLOCK]
                box = np.all(
                    (cells >= points.min(axis=0) - pad) & (cells <= points.max(axis=0) + pad),
                    axis=1,
                )
                candidates = np.flatnonzero(box & ~revealed)
                if len(candidates) == 0:
                    continue
                offsets = cells[candidates][None, :, :] - points[:, None, :]
                felt = candidates[(np.sum(offsets**2, axis=-1) <= radius2).any(axis=0)]
                revealed[felt] = True
                changed.reshape(-1)[felt] = True
        return changed

    def reveal_all(self) -> None:
        self.revealed[...] = True

    def reset(self) -> None:
        self.revealed[...] = False
        self._visited = 0
