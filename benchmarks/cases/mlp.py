"""One training step of a multilayer perceptron, from overhead-bound (narrow, small batch) to BLAS-bound (wide, large
batch), float32 and float64, tanh / sigmoid / relu hidden activations.

layers = (inputs, hidden..., classes): h = act(h W + b) for each hidden layer, a linear last layer, softmax
cross-entropy (mean over the batch); one step = forward, backward and an SGD update. The hand-written NumPy step makes
the same BLAS calls. Targets (issue #13): within 1.1× NumPy in float32 (1.2× in float64, as the seed net), and the
small model (batch 16, widths 64) within 1.0× torch CPU, where each recorded op's Python cost dominates.
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, dtype_name, library

LR = 1e-2
SHAPES = {  # name -> (layer widths, batch)
    "64-64-64-10, batch 16": ((64, 64, 64, 10), 16),
    "256-256-10, batch 64": ((256, 256, 10), 64),
    "784-512-256-10, batch 128": ((784, 512, 256, 10), 128),
}
SMALL = "64-64-64-10, batch 16"
SMOKE = {"SHAPES": {"64-64-64-10, batch 16": ((8, 8, 8, 4), 4), "256-256-10, batch 64": ((12, 12, 4), 6),
                    "784-512-256-10, batch 128": ((16, 12, 8, 4), 8)}}  # the smoke test's sizes
ACTIVATIONS = ("tanh", "sigmoid", "relu")
QUICK = {("64-64-64-10, batch 16", "relu", "float32"), ("784-512-256-10, batch 128", "tanh", "float32")}


def make_data(widths, batch, dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, widths[0])).astype(dtype)
    y = rng.integers(0, widths[-1], batch)
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        params.append((rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype))
        params.append((rng.standard_normal(fan_out) * 0.1).astype(dtype))
    return x, y, params


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# activation -> (forward, derivative written from the activation's output a and its input z)
NUMPY_ACTIVATIONS = {
    "tanh": (np.tanh, lambda a, z: 1 - a * a),
    "sigmoid": (sigmoid, lambda a, z: a * (1 - a)),
    "relu": (lambda z: np.maximum(z, 0), lambda a, z: z > 0),
}


class NumpyStep:
    """Forward, every gradient written out by hand, SGD update."""

    def __init__(self, x, y, params, activation):
        self.x, self.y, self.p = x, y, [p.copy() for p in params]
        self.act, self.dact = NUMPY_ACTIVATIONS[activation]

    def __call__(self) -> float:
        p, n = self.p, len(self.y)
        inputs, pre = [self.x], []
        for i in range(0, len(p) - 2, 2):
            pre.append(inputs[-1] @ p[i] + p[i + 1])
            inputs.append(self.act(pre[-1]))
        scores = inputs[-1] @ p[-2] + p[-1]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(n), self.y].mean()
        grad = np.exp(log_probs)
        grad[np.arange(n), self.y] -= 1
        grad /= n
        grads = [None] * len(p)
        for i in range(len(p) - 2, -1, -2):
            grads[i], grads[i + 1] = inputs[i // 2].T @ grad, grad.sum(axis=0)
            if i:
                grad = (grad @ p[i].T) * self.dact(inputs[i // 2], pre[i // 2 - 1])
        for value, g in zip(p, grads):
            value -= LR * g
        return float(loss)


class AutogradStep:
    """The same step written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, x, y, params, activation):
        self.lib, self.act = lib, getattr(lib, activation)
        self.x, self.y = lib.tensor(x), lib.tensor(y)
        self.p = [lib.tensor(v, requires_grad=True) for v in params]

    def __call__(self) -> float:
        lib, p = self.lib, self.p
        h = self.x
        for i in range(0, len(p) - 2, 2):
            h = self.act(h @ p[i] + p[i + 1])
        loss = lib.nn.functional.cross_entropy(h @ p[-2] + p[-1], self.y)
        loss.backward()
        with lib.no_grad():
            for t in p:
                t -= LR * t.grad
                t.grad = None
        return float(loss.item())


def cases() -> list[Case]:
    def builder(shape, dtype, activation):
        def build(implementation):
            data = make_data(*SHAPES[shape], dtype)
            if implementation == NUMPY:
                return NumpyStep(*data, activation)
            return AutogradStep(library(implementation), *data, activation)
        return build

    found = []
    for shape in SHAPES:
        for dtype in (np.float32, np.float64):
            for activation in ACTIVATIONS:
                targets = {NUMPY: 1.1 if dtype == np.float32 else 1.2} | ({TORCH: 1.0} if shape == SMALL else {})
                found.append(Case("MLP", f"MLP {shape}, {dtype_name(dtype)}, {activation}",
                                  builder(shape, dtype, activation), (NUMPY, TORCH, REFGRAD), targets,
                                  rtol=1e-10 if dtype == np.float64 else 1e-5,
                                  quick=(shape, activation, dtype_name(dtype)) in QUICK, warmups=3))
    return found
