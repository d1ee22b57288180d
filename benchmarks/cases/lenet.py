"""One training step of a LeNet-sized convolutional net: torch CPU vs refgrad, float32 and float64.

N=64 MNIST-sized images (1×28×28): conv 1→6 (5×5), relu, max_pool2d 2, conv 6→16 (5×5), relu, max_pool2d 2,
linear 256→10, cross_entropy; one step = forward, backward and an SGD update. Targets (issue #8): within 1.2× torch
in float64 and 2× in float32 (where torch runs oneDNN's kernels).
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

N, LR = 64, 1e-2
SMOKE = {"N": 4}  # the smoke test's sizes


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, 1, 28, 28)).astype(dtype)
    y = rng.integers(0, 10, N)
    shapes = {"c1": (6, 1, 5, 5), "b1": (6,), "c2": (16, 6, 5, 5), "b2": (16,), "fc": (10, 256), "bf": (10,)}
    params = {k: (rng.standard_normal(s) * 0.1).astype(dtype) for k, s in shapes.items()}
    return x, y, params


class Step:
    """The step written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, x, y, params):
        self.lib, self.F = lib, lib.nn.functional
        self.x, self.y = lib.tensor(x), lib.tensor(y)
        self.p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}

    def __call__(self) -> float:
        F, p = self.F, self.p
        h = F.max_pool2d(F.relu(F.conv2d(self.x, p["c1"], p["b1"])), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["c2"], p["b2"])), 2)
        loss = F.cross_entropy(F.linear(h.flatten(1), p["fc"], p["bf"]), self.y)
        loss.backward()
        with self.lib.no_grad():
            for t in p.values():
                t -= LR * t.grad
                t.grad = None
        return float(loss.item())


def cases() -> list[Case]:
    def builder(dtype):
        return lambda implementation: Step(library(implementation), *make_data(dtype))

    return [Case("models", f"LeNet step {dtype_name(dtype)}", builder(dtype), (TORCH, REFGRAD), {TORCH: target},
                 rtol=1e-10 if dtype == np.float64 else 1e-4, quick=dtype == np.float32, warmups=3)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0))]
