"""A loss landscape: an expression over a box domain, with its minima.

The minima are found once, on a dense grid, then polished with damped
Newton steps that use the exact gradient and Hessian. The coach, the fog and
the outcome rules all need them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .expr import Expression

GRID_1D = 4001
GRID_2D = 301
# Grid candidates polished per landscape: enough for Rastrigin-like washboards.
MAX_CANDIDATES = 400
POLISH_ITERATIONS = 60


@dataclass(frozen=True)
class Minimum:
    point: tuple[float, ...]
    loss: float
    curvature: float
    """The largest Hessian eigenvalue there (lambda max): plain SGD is stable below 2/curvature."""
    is_global: bool


class Landscape:
    """A loss expression over a box domain ``[[lo, hi], ...]`` (one row per axis)."""

    def __init__(self, expression: Expression, domain: np.ndarray) -> None:
        self.expression = expression
        self.domain = np.asarray(domain, dtype=np.float64).reshape(-1, 2)
        self.dim = self.domain.shape[0]

    @property
    def widths(self) -> np.ndarray:
        return self.domain[:, 1] - self.domain[:, 0]

    @property
    def size(self) -> float:
        """The domain's width (1-D) or diagonal (2-D)."""
        return float(np.sqrt(np.sum(self.widths**2)))

    def loss(self, points: np.ndarray) -> np.ndarray:
        return self.expression.value(points)

    def value_and_grad(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.expression.value_and_grad(points)

    def hessian(self, points: np.ndarray) -> np.ndarray:
        return self.expression.hessian(points)

    def curvature(self, points: np.ndarray) -> np.ndarray:
        """The largest Hessian eigenvalue at each point ([..., d] -> [...])."""
        with np.errstate(all="ignore"):
            hess = self.hessian(points)
            if not np.all(np.isfinite(hess)):
                hess = np.nan_to_num(hess, nan=0.0, posinf=1e300, neginf=-1e300)
            return np.linalg.eigvalsh(hess)[..., -1]

    def grid(self, resolution: int | None = None) -> tuple[list[np.ndarray], np.ndarray]:
        """Axis coordinates and the points of a regular grid over the domain."""
        n = resolution or (GRID_1D if self.dim == 1 else GRID_2D)
        axes = [np.linspace(lo, hi, n) for lo, hi in self.domain]
        mesh = np.meshgrid(*axes, indexing="ij")
        return axes, np.stack(mesh, axis=-1)

    def inside(self, points: np.ndarray) -> np.ndarray:
        points = np.asarray(points)
        return np.all((points >= self.domain[:, 0]) & (points <= self.domain[:, 1]), axis=-1)

    @cached_property
    def _grid_values(self) -> tuple[np.ndarray, np.ndarray]:
        """The default grid's points and their losses (inf where not finite), computed once."""
        _, points = self.grid()
        with np.errstate(all="ignore"):
            values = self.loss(points)
        return points, np.where(np.isfinite(values), values, np.inf)

    @cached_property
    def grid_lowest(self) -> tuple[tuple[float, ...], float]:
        """The lowest grid point of the whole domain, edges included."""
        points, values = self._grid_values
        flat = values.ravel()
        i = int(np.argmin(flat))
        return tuple(float(v) for v in points.reshape(-1, self.dim)[i]), float(flat[i])

    @cached_property
    def minima(self) -> list[Minimum]:
        """Every interior local minimum, lowest first; the lowest ones are global."""
        candidates = self._grid_candidates()
        if len(candidates) == 0:
            return []
        polished = self._polish(candidates)
        with np.errstate(all="ignore"):
            values, grads = self.value_and_grad(polished)
            hess = self.hessian(polished)
        finite = np.isfinite(values) & np.all(np.isfinite(grads), axis=-1)
        finite &= np.all(np.isfinite(hess.reshape(len(hess), -1)), axis=-1)
        scale = self.widths
        # Interior: strictly inside, not pressed against an edge by the polish.
        margin = 1e-6 * scale
        interior = np.all(
            (polished > self.domain[:, 0] + margin) & (polished < self.domain[:, 1] - margin),
            axis=-1,
        )
        keep = finite & interior
        found: list[tuple[np.ndarray, float, float]] = []
        order = np.argsort(np.where(keep, values, np.inf))
        for i in order:
            if not keep[i]:
                break
            eig = np.linalg.eigvalsh(hess[i])
            gnorm = float(np.linalg.norm(grads[i] * scale))
            value_scale = 1.0 + abs(float(values[i]))
            # A minimum: the gradient vanishes (relative to the domain) and no direction curves down.
            if gnorm > 1e-6 * value_scale or eig[0] < -1e-9 * max(1.0, abs(eig[-1])):
                continue
            point = polished[i]
            if any(np.linalg.norm((point - other) / scale) < 1e-4 for other, _, _ in found):
                continue
            found.append((point, float(values[i]), float(eig[-1])))
        if not found:
            return []
        lowest = found[0][1]
        tolerance = 1e-9 * max(1.0, abs(lowest))
        return [
            Minimum(
                point=tuple(float(v) for v in point),
                loss=value,
                curvature=curv,
                is_global=value - lowest <= tolerance,
            )
            for point, value, curv in found
        ]

    @property
    def global_minima(self) -> list[Minimum]:
        return [m for m in self.minima if m.is_global]

    @property
    def local_minima(self) -> list[Minimum]:
        """The minima that are not global."""
        return [m for m in self.minima if not m.is_global]

    def _grid_candidates(self) -> np.ndarray:
        points, values = self._grid_values
        padded = np.pad(values, 1, mode="constant", constant_values=np.inf)
        is_min = np.ones(values.shape, dtype=bool)
        for shift in _neighbour_shifts(self.dim):
            window = tuple(slice(1 + s, padded.shape[a] - 1 + s) for a, s in enumerate(shift))
            is_min &= values <= padded[window]
        is_min &= np.isfinite(values)
        idx = np.argwhere(is_min)
        if len(idx) > MAX_CANDIDATES:
            order = np.argsort(values[tuple(idx.T)])[:MAX_CANDIDATES]
            idx = idx[order]
        return points[tuple(idx.T)].reshape(-1, self.dim)

    def _polish(self, points: np.ndarray) -> np.ndarray:
        """Damped Newton (Levenberg-Marquardt) steps that only ever lower the loss."""
        x = points.copy()
        damping = np.full(len(x), 1e-3)
        eye = np.eye(self.dim)
        lo = self.domain[:, 0] - 0.05 * self.widths
        hi = self.domain[:, 1] + 0.05 * self.widths
        with np.errstate(all="ignore"):
            fx, gx = self.value_and_grad(x)
            for _ in range(POLISH_ITERATIONS):
                hx = self.hessian(x)
                scale = np.abs(np.diagonal(hx, axis1=-2, axis2=-1)).max(axis=-1) + 1.0
                system = hx + (damping * scale)[:, None, None] * eye
                system = np.nan_to_num(system, nan=1.0, posinf=1e300, neginf=-1e300)
                rhs = np.nan_to_num(-gx, nan=0.0)
                try:
                    step = np.linalg.solve(system, rhs[..., None])[..., 0]
                except np.linalg.LinAlgError:
                    step = rhs / scale[:, None]
                trial = np.clip(x + step, lo, hi)
                ft, gt = self.value_and_grad(trial)
                better = np.isfinite(ft) & (ft <= fx)
                x = np.where(better[:, None], trial, x)
                fx = np.where(better, ft, fx)
                gx = np.where(better[:, None], gt, gx)
                damping = np.where(
                    better, np.maximum(damping / 4, 1e-12), np.minimum(damping * 8, 1e12)
                )
        return x


def _neighbour_shifts(dim: int) -> list[tuple[int, ...]]:
    if dim == 1:
        return [(-1,), (1,)]
    return [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)]
