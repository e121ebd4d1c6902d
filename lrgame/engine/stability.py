"""The stability meter: each step's stride against the local curvature.

For gradient descent on a quadratic with curvature lambda along a direction,
one step multiplies the distance to the minimum along it by (1 - lr*lambda):
the walk shrinks while |1 - lr*lambda| < 1 and overshoots further each step
once it passes 1. Plain and momentum SGD use the scheduled rate along the
Hessian's eigen-directions; the adaptive optimizers stride differently per
parameter, so for them the rate is the stride each step really took per unit
of gradient, along each axis, against that axis' curvature.
"""

from __future__ import annotations

import numpy as np

from .landscape import Landscape


def stability_factors(
    landscape: Landscape, trajectory: np.ndarray, grad: np.ndarray, lr: np.ndarray, optimizer: str
) -> np.ndarray:
    """|1 - rate * curvature| per direction, for each step ([n_steps, d]; NaN where unknown)."""
    steps = len(lr)
    dim = trajectory.shape[-1]
    out = np.full((steps, dim), np.nan)
    if steps == 0:
        return out
    with np.errstate(all="ignore"):
        hess = landscape.hessian(trajectory[:steps])
        finite = np.all(np.isfinite(hess.reshape(steps, -1)), axis=1)
        if optimizer == "sgd":
            eig = np.full((steps, dim), np.nan)
            if finite.any():
                eig[finite] = np.linalg.eigvalsh(hess[finite])
            out = np.abs(1.0 - lr[:, None] * eig)
        else:
            moved = trajectory[1 : steps + 1] - trajectory[:steps]
            stride = np.where(grad[:steps] != 0, -moved / grad[:steps], np.nan)
            curvature = np.diagonal(hess, axis1=-2, axis2=-1)
            out = np.abs(1.0 - stride * curvature)
        out[~finite] = np.nan
    return out
