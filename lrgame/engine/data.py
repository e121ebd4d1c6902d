"""Datasets for model levels: seeded generators, inline data and CSV files.

Every generator is a pure function of its parameters and ``seed``, drawn from
``numpy.random.default_rng(seed)`` in the order documented on each function,
so a level's data is the same on every machine and in the torch fixtures.

After generation the samples are shuffled once with ``default_rng([seed, 1])``
(the generators emit classes in blocks, so an unshuffled tail would be one
class), the last ``round(holdout * n)`` samples are held out, and each input
feature is multiplied by its ``scale`` (a lesson may want unscaled features).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

GENERATORS = ("linear", "moons", "circles", "blobs")


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` [n, features] and targets ``y`` [n] (class labels as floats)."""

    x: np.ndarray
    y: np.ndarray
    x_holdout: np.ndarray
    y_holdout: np.ndarray

    @property
    def n(self) -> int:
        return len(self.x)

    @property
    def features(self) -> int:
        return int(self.x.shape[1])


def linear(
    n: int,
    seed: int,
    *,
    weights: Sequence[float] = (2.0,),
    bias: float = 0.5,
    noise: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """y = x·a + b + noise·ε: x ~ U(-1, 1) [n, len(a)] drawn first, then ε ~ N(0, 1) [n]."""
    rng = np.random.default_rng(seed)
    a = np.asarray(weights, dtype=np.float64)
    x = rng.uniform(-1.0, 1.0, (n, len(a)))
    eps = rng.standard_normal(n)
    return x, x @ a + bias + noise * eps


def moons(n: int, seed: int, *, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``make_moons`` (shuffle=False): n//2 outer points (label 0) on
    (cos t, sin t), the rest inner (label 1) on (1 − cos t, 0.5 − sin t), t evenly
    in [0, π]; then Gaussian noise [n, 2] drawn from the seeded generator."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, math.pi, n_out)
    t_in = np.linspace(0.0, math.pi, n_in)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return x + noise * rng.standard_normal((n, 2)), y


def circles(
    n: int, seed: int, *, noise: float = 0.1, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's ``make_circles`` (shuffle=False): n//2 points (label 0) on the unit
    circle, the rest (label 1) on a circle of radius ``factor``, angles evenly spaced
    without the endpoint; then Gaussian noise [n, 2]."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    a_out = np.linspace(0.0, 2 * math.pi, n_out, endpoint=False)
    a_in = np.linspace(0.0, 2 * math.pi, n_in, endpoint=False)
    x = np.concatenate(
        [
            np.stack([np.cos(a_out), np.sin(a_out)], axis=1),
            factor * np.stack([np.cos(a_in), np.sin(a_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return x + noise * rng.standard_normal((n, 2)), y


def blobs(
    n: int, seed: int, *, classes: int = 3, noise: float = 0.5, radius: float = 2.0
) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` Gaussian blobs of std ``noise`` in 2-D, centred evenly on a circle of
    ``radius``; sample i belongs to class i mod classes; noise [n, 2] is drawn once."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    angle = 2 * math.pi * y / classes
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + noise * rng.standard_normal((n, 2)), y.astype(np.float64)


def split(
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int,
    holdout: float = 0.0,
    scale: Sequence[float] | None = None,
    shuffle: bool = True,
) -> Dataset:
    """Shuffle (seeded), hold out the last share and scale the features."""
    x = np.asarray(x, dtype=np.float64).reshape(len(y), -1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if shuffle:
        order = np.random.default_rng([seed, 1]).permutation(len(y))
        x, y = x[order], y[order]
    if scale is not None:
        x = x * np.asarray(scale, dtype=np.float64)[None, :]
    k = int(round(holdout * len(y)))
    cut = len(y) - k
    return Dataset(x[:cut], y[:cut], x[cut:], y[cut:])


def generate(name: str, n: int, seed: int, **params: object) -> tuple[np.ndarray, np.ndarray]:
    """The raw (unshuffled, unscaled) samples of a named generator."""
    if name == "linear":
        return linear(n, seed, **params)  # type: ignore[arg-type]
    if name == "moons":
        return moons(n, seed, **params)  # type: ignore[arg-type]
    if name == "circles":
        return circles(n, seed, **params)  # type: ignore[arg-type]
    if name == "blobs":
        return blobs(n, seed, **params)  # type: ignore[arg-type]
    raise ValueError(f"unknown generator {name!r}")


def batch_indices(n: int, batch_size: int | None, steps: int, seed: int) -> np.ndarray | None:
    """The samples each step uses, like ``DataLoader(shuffle=True, drop_last=False)``.

    Epoch e is ``default_rng([seed, 2]).permutation(n)`` drawn e-th, cut into
    consecutive batches (the last one shorter when batch_size does not divide n).
    Returns [steps, batch_size] with −1 padding a short batch, or None for full batch.
    """
    if batch_size is None or batch_size >= n:
        return None
    rng = np.random.default_rng([seed, 2])
    per_epoch = math.ceil(n / batch_size)
    out = np.full((steps, batch_size), -1, dtype=np.int64)
    t = 0
    while t < steps:
        order = rng.permutation(n)
        for b in range(per_epoch):
            if t == steps:
                break
            chunk = order[b * batch_size : (b + 1) * batch_size]
            out[t, : len(chunk)] = chunk
            t += 1
    return out


GENERATOR_PARAMS: dict[str, tuple[str, ...]] = {
    "linear": ("a", "b", "noise"),
    "moons": ("noise",),
    "circles": ("noise", "factor"),
    "blobs": ("classes", "noise"),
}
"""The keys each generator reads from a level's ``data`` object, besides n and seed."""


def from_spec(spec: Mapping[str, Any]) -> Dataset:
    """The dataset a checked ``data`` object describes (inline x/y, or a generator).

    The level reader checks the object (and reads a CSV into ``x``/``y``) first;
    this trusts it.
    """
    seed = int(spec.get("seed", 0))
    if "x" in spec:
        x = np.asarray(spec["x"], dtype=np.float64)
        y = np.asarray(spec["y"], dtype=np.float64)
        shuffle = False  # the author chose the order; the held-out share is the last rows
    else:
        name = spec["generator"]
        params: dict[str, Any] = {}
        for key in GENERATOR_PARAMS[name]:
            if key in spec:
                params[key] = spec[key]
        if "a" in params:
            a = params.pop("a")
            params["weights"] = [a] if isinstance(a, (int, float)) else list(a)
        if "b" in params:
            params["bias"] = float(params.pop("b"))
        if "classes" in params:
            params["classes"] = int(params["classes"])
        x, y = generate(name, int(spec["n"]), seed, **params)
        shuffle = True
    scale = spec.get("scale")
    return split(
        x, y, seed=seed, holdout=float(spec.get("holdout", 0.0)), scale=scale, shuffle=shuffle
    )
