"""conv2d forward + backward: refgrad vs torch CPU, float32 and float64.

N=32, 3 -> 16 channels, 32x32, 3x3 kernel, padding=1, with a bias: out = conv2d(x, w, b), then backward of <out, G>
for a fixed random cotangent G. Two forms, as users write them: a first layer (x needs no gradient: weight and bias
gradients only) and an inner layer (x's gradient too). Targets (issue #8): refgrad <= 1.2x torch in float64, <= 2x
in float32 (where torch uses oneDNN's direct convolution).
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

N, C_IN, C_OUT, SIZE, K = 32, 3, 16, 32, 3
SMOKE = {"N": 2, "SIZE": 8}  # the smoke test's sizes


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C_IN, SIZE, SIZE)).astype(dtype)
    w = (rng.standard_normal((C_OUT, C_IN, K, K)) * np.sqrt(2.0 / (C_IN * K * K))).astype(dtype)
    b = rng.standard_normal(C_OUT).astype(dtype)
    g = rng.standard_normal((N, C_OUT, SIZE, SIZE)).astype(dtype)
    return x, w, b, g


class ConvStep:
    """One forward + backward, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, data, input_grad: bool):
        x, w, b, g = data
        self.lib, self.F = lib, lib.nn.functional
        self.x = lib.tensor(x, requires_grad=input_grad)
        self.w, self.b = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
        self.g = lib.tensor(g)

    def __call__(self) -> list:
        out = self.F.conv2d(self.x, self.w, self.b, padding=1)
        (out * self.g).sum().backward()
        grads = [t.grad for t in (self.x, self.w, self.b) if t.grad is not None]
        for t in (self.x, self.w, self.b):
            t.grad = None
        return grads


def cases() -> list[Case]:
    def builder(dtype, input_grad):
        return lambda implementation: ConvStep(library(implementation), make_data(dtype), input_grad)

    return [Case("models", f"conv2d {dtype_name(dtype)}, {'x, w, b grads' if input_grad else 'w, b grads'}",
                 builder(dtype, input_grad), (TORCH, REFGRAD), {TORCH: target},
                 rtol=1e-10 if dtype == np.float64 else 1e-4, atol=1e-10 if dtype == np.float64 else 1e-4,
                 quick=dtype == np.float32 and input_grad)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0)) for input_grad in (False, True)]
