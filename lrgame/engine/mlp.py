"""A stack of fully connected layers (``torch.nn.Linear``), B parameter vectors at once.

The flat parameter vector follows ``model.parameters()`` of the equivalent
``nn.Sequential(Linear, act, Linear, ..., Linear)``: for each layer its
``weight`` (out × in, row-major) then its ``bias``. Forward and backward passes
take parameters ``[B, d]`` (B runs) and one shared input ``[m, features]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ACTIVATIONS = ("tanh", "relu", "sigmoid")
CHUNK_NUMBERS = 320_000
"""Activations of at most this many numbers (2.5 MB) per layer and pass: about a cache's size."""
LOSSES = ("mse", "bce", "cross_entropy")


@dataclass(frozen=True)
class MLP:
    layers: tuple[int, ...]
    activation: str = "tanh"
    loss: str = "mse"

    @property
    def shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """Parameter names and shapes in torch's order (``0.weight``, ``0.bias``, ``2.weight``...)."""
        out: list[tuple[str, tuple[int, ...]]] = []
        for i, (fan_in, fan_out) in enumerate(zip(self.layers, self.layers[1:], strict=False)):
            # nn.Sequential numbers the activations too, so Linear i sits at index 2i.
            out.append((f"{2 * i}.weight", (fan_out, fan_in)))
            out.append((f"{2 * i}.bias", (fan_out,)))
        return out

    @property
    def size(self) -> int:
        return sum(math.prod(shape) for _, shape in self.shapes)

    def init(self, seed: int, scale: float = 1.0) -> np.ndarray:
        """torch's default ``nn.Linear`` init, U(−1/√fan_in, 1/√fan_in) for weight then bias,
        layer by layer from ``default_rng(seed)``, times ``scale``."""
        rng = np.random.default_rng(seed)
        parts = []
        for fan_in, fan_out in zip(self.layers, self.layers[1:], strict=False):
            bound = 1.0 / math.sqrt(fan_in)
            parts.append(rng.uniform(-bound, bound, fan_out * fan_in))
            parts.append(rng.uniform(-bound, bound, fan_out))
        return np.concatenate(parts) * scale

    def unpack(self, params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """[B, d] -> per layer (weight [B, out, in], bias [B, out]), views into params."""
        b = params.shape[0]
        out = []
        at = 0
        for fan_in, fan_out in zip(self.layers, self.layers[1:], strict=False):
            w = params[:, at : at + fan_out * fan_in].reshape(b, fan_out, fan_in)
            at += fan_out * fan_in
            bias = params[:, at : at + fan_out]
            at += fan_out
            out.append((w, bias))
        return out

    def forward(self, params: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The outputs [B, m, out] (logits for bce and cross_entropy)."""
        return self._forward(params, x)[0]

    def _forward(
        self, params: np.ndarray, x: np.ndarray
    ) -> tuple[np.ndarray, list[np.ndarray], list[tuple[np.ndarray, np.ndarray]]]:
        layers = self.unpack(params)
        h: np.ndarray = x
        hidden: list[np.ndarray] = [x]
        z = x
        for i, (w, bias) in enumerate(layers):
            z = _linear(h, w, bias)
            if i < len(layers) - 1:
                # z is not needed once activated: the activation overwrites it.
                h = _activate(self.activation, z, out=z)
                hidden.append(h)
        return z, hidden, layers

    def loss_value(self, params: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The mean loss [B] over the samples."""
        rows = self._rows_per_chunk(len(x))
        if len(params) <= rows:
            return _loss(self.loss, self.forward(params, x), y)[0]
        return np.concatenate(
            [
                _loss(self.loss, self.forward(params[i : i + rows], x), y)[0]
                for i in range(0, len(params), rows)
            ]
        )

    def value_and_grad(
        self, params: np.ndarray, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The mean loss [B] and its gradient [B, d] over the samples (x [m, f], y [m])."""
        rows = self._rows_per_chunk(len(x))
        if len(params) <= rows:
            return self._value_and_grad(params, x, y)
        value = np.empty(len(params))
        grad = np.empty((len(params), self.size))
        for i in range(0, len(params), rows):
            value[i : i + rows], grad[i : i + rows] = self._value_and_grad(
                params[i : i + rows], x, y
            )
        return value, grad

    def _rows_per_chunk(self, samples: int) -> int:
        """How many runs to pass at once so that one layer's activations stay in cache.

        Every run is computed on its own, so the split changes no number; over all
        the data of a big network (200 samples, 32 wide) it saves a quarter of the
        forward pass (measured in benchmarks/bench_lab.py).
        """
        return max(1, CHUNK_NUMBERS // max(1, samples * max(self.layers[1:], default=1)))

    def _value_and_grad(
        self, params: np.ndarray, x: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        z, hidden, layers = self._forward(params, x)
        value, dz = _loss(self.loss, z, y)
        b = params.shape[0]
        grad = np.empty((b, self.size))
        at = self.size
        for i in range(len(layers) - 1, -1, -1):
            w, _ = layers[i]
            fan_out, fan_in = w.shape[1], w.shape[2]
            # Each layer's gradients go straight to their place in the flat vector.
            np.sum(dz, axis=1, out=grad[:, at - fan_out : at])
            at -= fan_out
            dw = grad[:, at - fan_out * fan_in : at].reshape(b, fan_out, fan_in)
            np.matmul(np.swapaxes(dz, 1, 2), hidden[i], out=dw)
            at -= fan_out * fan_in
            if i > 0:
                dh = np.matmul(dz, w)
                dh *= _derivative(self.activation, hidden[i])
                dz = dh
        return value, grad


def _linear(h: np.ndarray, w: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """h [m, in] or [B, m, in] times weights [B, out, in], plus bias [B, out]: [B, m, out]."""
    fan_in = w.shape[2]
    if fan_in <= 4:
        # A few input features: NumPy's stacked matmul costs far more than these
        # broadcast multiply-adds (measured 20x for 200 runs of a 2-16 layer).
        z = bias[:, None, :] + h[..., :, 0, None] * w[:, None, :, 0]
        for j in range(1, fan_in):
            z += h[..., :, j, None] * w[:, None, :, j]
        return z
    z = np.matmul(h, np.swapaxes(w, 1, 2))
    z += bias[:, None, :]
    return z


def _activate(name: str, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z, out=out)
    if name == "relu":
        return np.maximum(z, 0.0, out=out)
    return _sigmoid(z)


def _derivative(name: str, h: np.ndarray) -> np.ndarray:
    """The activation's derivative, from its output h (one temporary, filled in place)."""
    if name == "tanh":
        d = h * h
        return np.subtract(1.0, d, out=d)
    if name == "relu":
        return (h > 0).astype(np.float64)
    d = 1.0 - h
    d *= h
    return d


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a negative number only: no overflow warnings for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _loss(name: str, z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean loss [B] and its gradient with respect to the outputs [B, m, out]."""
    m = z.shape[1]
    if name == "mse":
        diff = z - y[None, :, None]
        count = m * z.shape[2]
        return np.sum(diff * diff, axis=(1, 2)) / count, 2.0 * diff / count
    if name == "bce":
        t = y[None, :, None]
        # torch's binary_cross_entropy_with_logits: (1 − y)·z + max(−z, 0) + log(e^−max + e^(−z−max))
        top = np.maximum(-z, 0.0)
        each = (1.0 - t) * z + top + np.log(np.exp(-top) + np.exp(-z - top))
        count = m * z.shape[2]
        return np.sum(each, axis=(1, 2)) / count, (_sigmoid(z) - t) / count
    labels = y.astype(np.int64)
    top = np.max(z, axis=2, keepdims=True)
    shifted = z - top
    log_norm = np.log(np.sum(np.exp(shifted), axis=2, keepdims=True))
    log_p = shifted - log_norm
    picked = np.take_along_axis(log_p, labels[None, :, None].repeat(z.shape[0], axis=0), axis=2)
    grad = np.exp(log_p)
    grad[:, np.arange(m), labels] -= 1.0
    return -np.sum(picked[:, :, 0], axis=1) / m, grad / m


def mlp_from(layers: Sequence[int], activation: str, loss: str) -> MLP:
    return MLP(tuple(int(v) for v in layers), activation, loss)
