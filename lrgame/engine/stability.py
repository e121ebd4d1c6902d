"""Stability: each step's stride against the local curvature, with its sign.

For plain gradient descent on a quadratic with curvature λ along a direction,
one step multiplies the distance to the minimum along it by ``f = 1 − lr·λ``
(λ taken over the stride the walk took, see :func:`stride_hessian`):

- ``f`` near +1: the stride is tiny against the curvature, the walk crawls;
- ``f`` near 0: one stride lands on the bottom along that direction (ideal);
- ``f`` between 0 and −1: the walk overshoots and bounces, but closes in;
- ``f`` at or below −1: each bounce is as long or longer than the last, the walk
  flies apart (``lr ≥ 2/λ``);
- ``f`` above +1: the ground curves downwards there (λ < 0), a ridge or a
  hilltop, and the walk slides away from it.

Other optimizers are mapped onto the same scale so that −1 is always their own
edge. Heavy-ball momentum μ with dampening τ is stable while
``lr·λ < 2(1+μ)/(1−τ)``, Nesterov while ``lr·λ < 2(1+μ)/(1+2μ)``, so their
factor is ``1 − lr·λ·(1−τ)/(1+μ)`` and ``1 − lr·λ·(1+2μ)/(1+μ)``.

The adaptive optimizers divide each coordinate's step by a running size of its
gradients, so their effective rate is per coordinate: ``lr/(√v̂ + ε)`` for Adam
and AdamW (v̂ bias-corrected), ``lr/(√v + ε)`` for RMSprop, and
``lr/(1 + (t−1)·lr_decay)/(√s + ε)`` for Adagrad, recomputed from the run's
gradients exactly as the optimizer accumulated them. With D the diagonal of
those rates, the directions are the eigenvectors of ``D^½·H·D^½`` (for SGD,
``lr·H``), and Adam's first moment counts as heavy-ball momentum β1 with
dampening β1 (``m ← β1·m + (1−β1)·g``). The mapping treats v̂ as frozen for
one step, as the quadratic analysis does.
"""

from __future__ import annotations

import math

import numpy as np

from .landscape import Landscape
from .optimizers import OptimizerSpec
from .simulate import Noise, Run

ZONES = ("sliding", "crawling", "steady", "bouncing", "edge", "flying")
"""The meter's words, from the calmest end of the scale to the wildest."""
CRAWL = 0.9
"""Factors at or above this (up to 1) crawl: a stride covers under a tenth of the way."""
EDGE = -0.8
"""Factors at or below this (down to −1) are near the edge of stability."""


def stability_limit(
    spec: OptimizerSpec, curvature: float, momentum: float | None = None
) -> float | None:
    """The largest stable SGD rate on a quadratic of curvature λ (weight decay added).

    Plain SGD: 2/λ. Heavy ball with momentum μ and dampening τ: 2(1+μ)/((1−τ)λ).
    Nesterov: 2(1+μ)/((1+2μ)λ). ``momentum`` overrides the spec's μ (a schedule
    that cycles it). None for the adaptive optimizers, whose stride is not lr
    times the gradient, and where the ground does not curve upwards.
    """
    if spec.name != "sgd" or not curvature > 0:
        return None
    lam = curvature + float(spec.params.get("weight_decay", 0.0))
    mu = float(spec.params.get("momentum", 0.0)) if momentum is None else float(momentum)
    tau = float(spec.params.get("dampening", 0.0))
    with np.errstate(all="ignore"):
        if mu == 0:
            limit = 2.0 / lam
        elif spec.params.get("nesterov"):
            limit = 2.0 * (1 + mu) / ((1 + 2 * mu) * lam)
        elif tau >= 1:
            return None  # no finite limit: the dampened buffer never feels the gradient
        else:
            limit = 2.0 * (1 + mu) / ((1 - tau) * lam)
    return float(limit) if math.isfinite(limit) and limit > 0 else None


def _momentum_scale(spec: OptimizerSpec, momentum: np.ndarray) -> np.ndarray:
    """c in ``f = 1 − c·(rate·λ)``: 1 without momentum; −1 is then the edge for every optimizer."""
    mu = momentum
    if spec.name == "sgd":
        tau = float(spec.params.get("dampening", 0.0))
        if spec.params.get("nesterov"):
            return (1 + 2 * mu) / (1 + mu)
        return np.where(mu > 0, (1 - tau) / (1 + mu), 1.0)
    if spec.definition.momentum == "β1":  # the Adams: β1 averages the gradient
        return (1 - mu) / (1 + mu)
    if spec.name == "rmsprop":
        return 1 / (1 + mu)
    return np.ones_like(mu)


def effective_rates(spec: OptimizerSpec, run: Run, noise: Noise | None = None) -> np.ndarray:
    """The rate each step applied per coordinate ([steps, d]), from the gradients it felt."""
    n = run.steps
    dim = run.trajectory.shape[-1]
    lr = run.lr[:n, None] * np.ones((1, dim))
    if spec.name == "sgd" or n == 0:
        return lr
    felt = run.grad[:n].copy()
    sampled = noise.sample(n, dim) if noise is not None else None
    if sampled is not None:
        felt += sampled
    params = spec.params
    wd = float(params.get("weight_decay", 0.0))
    # AdamW (and the decoupled NAdam, RAdam) decay the weights, not the gradient
    if wd and spec.name != "adamw" and not params.get("decoupled_weight_decay"):
        felt = felt + wd * run.trajectory[:n]
    out = np.empty((n, dim))
    with np.errstate(all="ignore"):
        if spec.name in ("adam", "adamw", "nadam", "radam"):
            # NAdam and RAdam divide by the same bias-corrected root mean square.
            beta2 = float(params["betas"][1])
            eps = float(params["eps"])
            v = np.zeros(dim)
            vmax = np.zeros(dim)
            for t in range(n):
                v = beta2 * v + (1 - beta2) * felt[t] ** 2
                vmax = np.maximum(vmax, v)
                used = vmax if params.get("amsgrad") else v
                denom = np.sqrt(used) / math.sqrt(1 - beta2 ** (t + 1)) + eps
                out[t] = lr[t] / denom
        elif spec.name == "rmsprop":
            alpha = float(params["alpha"])
            eps = float(params["eps"])
            v = np.zeros(dim)
            mean = np.zeros(dim)
            for t in range(n):
                v = alpha * v + (1 - alpha) * felt[t] ** 2
                if params.get("centered"):
                    mean = alpha * mean + (1 - alpha) * felt[t]
                    out[t] = lr[t] / (np.sqrt(v - mean**2) + eps)
                else:
                    out[t] = lr[t] / (np.sqrt(v) + eps)
        elif spec.name == "adamax":
            beta1, beta2 = (float(b) for b in params["betas"])
            eps = float(params["eps"])
            u = np.zeros(dim)
            for t in range(n):
                u = np.maximum(beta2 * u, np.abs(felt[t]) + eps)
                out[t] = lr[t] / (1 - beta1 ** (t + 1)) / u
        elif spec.name == "adadelta":
            rho = float(params["rho"])
            eps = float(params["eps"])
            v = np.zeros(dim)
            acc = np.zeros(dim)
            for t in range(n):
                v = rho * v + (1 - rho) * felt[t] ** 2
                ratio = np.sqrt(acc + eps) / np.sqrt(v + eps)
                out[t] = lr[t] * ratio
                acc = rho * acc + (1 - rho) * (ratio * felt[t]) ** 2
        elif spec.name == "adagrad":
            decay = float(params["lr_decay"])
            eps = float(params["eps"])
            total = np.full(dim, float(params["initial_accumulator_value"]))
            for t in range(n):
                total = total + felt[t] ** 2
                out[t] = lr[t] / (1 + t * decay) / (np.sqrt(total) + eps)
        else:  # an optimizer this analysis does not model: no factor rather than a wrong one
            out[:] = np.nan
    return out


def stability_factors(
    landscape: Landscape, run: Run, spec: OptimizerSpec, noise: Noise | None = None
) -> np.ndarray:
    """The signed factor per direction for each step ([steps, d], ascending; NaN where unknown).

    −1 is the optimizer's edge of stability on every row, +1 a stride of nothing.
    """
    n = run.steps
    dim = run.trajectory.shape[-1]
    out = np.full((n, dim), np.nan)
    if n == 0:
        return out
    rates = effective_rates(spec, run, noise)
    mu = np.zeros(n)
    if run.momentum is not None:
        mu = np.nan_to_num(run.momentum[:n], nan=0.0)
    elif spec.name == "sgd" or spec.name == "rmsprop":
        mu = np.full(n, float(spec.params.get("momentum", 0.0)))
    elif spec.definition.momentum == "β1":
        mu = np.full(n, float(spec.params["betas"][0]))
    scale = _momentum_scale(spec, mu)
    with np.errstate(all="ignore"):
        hess = stride_hessian(landscape, run.trajectory[: n + 1])
        if spec.name == "sgd":
            hess = hess + float(spec.params.get("weight_decay", 0.0)) * np.eye(dim)
        root = np.sqrt(np.where(rates > 0, rates, 0.0))
        scaled = root[:, :, None] * hess * root[:, None, :]
        finite = np.all(np.isfinite(scaled.reshape(n, -1)), axis=1)
        if finite.any():
            eig = np.linalg.eigvalsh(scaled[finite])
            out[finite] = 1.0 - scale[finite, None] * eig[:, ::-1]
    return out


def stride_hessian(landscape: Landscape, points: np.ndarray) -> np.ndarray:
    """The Hessian averaged over each stride, p_t to p_t+1 (Simpson's rule), [n, d, d].

    The ground a stride crosses, not just the point it leaves from: on a quadratic
    the two agree; in a curved well a walk that bounces between two walls in a
    steady 2-cycle measures exactly −1 (at the edge, not past it). Where the next
    point is not finite, the Hessian at the point itself.
    """
    here, there = points[:-1], points[1:]
    with np.errstate(all="ignore"):
        at_here = landscape.hessian(here)
        mid = landscape.hessian((here + there) / 2)
        at_there = landscape.hessian(there)
        averaged = (at_here + 4 * mid + at_there) / 6
    ok = np.all(np.isfinite(averaged.reshape(len(here), -1)), axis=1)
    return np.where(ok[:, None, None], averaged, at_here)


def zone(factor: float) -> str:
    """The meter's word for a factor (see :data:`ZONES`)."""
    if not math.isfinite(factor):
        return "flying"
    if factor > 1.0:
        return "sliding"
    if factor >= CRAWL:
        return "crawling"
    if factor > 0.0:
        return "steady"
    if factor > EDGE:
        return "bouncing"
    if factor > -1.0:
        return "edge"
    return "flying"


def worst(factors: np.ndarray) -> float:
    """The factor that matters most on a row: the lowest (nearest the edge), NaN if none is known."""
    finite = factors[np.isfinite(factors)]
    return float(finite.min()) if len(finite) else math.nan
