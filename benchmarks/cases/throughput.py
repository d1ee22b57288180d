"""Ops on a large tensor: forward and backward of one op on a 512×512 leaf, refgrad against torch CPU.

The per-op table measures what recording an op costs on tiny tensors; here the arrays are large (2 MB in float64),
so the time is the op's passes over memory, and a slow path shows: an extra pass, a branch per element (np.where
on a random mask), a gather by mask, a series with many terms. Each op is written as users write it (nn.functional,
methods, torch.<name>); the cotangent is a fixed random tensor. Target: no more than 2× torch's time, torch's
vectorized kernels fusing what NumPy runs as separate passes (a form past 2× is a slow path to find).
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

ROWS = COLS = 512
PICKED = 4096  # rows x[index] and embedding look up, with repeats
SMOKE = {"ROWS": 6, "COLS": 5, "PICKED": 9}  # the smoke test's sizes


def _functional(lib):
    return lib.nn.functional


OPS = {  # name -> op on (lib, x, index): what users write
    "relu": lambda lib, x, index: _functional(lib).relu(x),
    "gelu": lambda lib, x, index: _functional(lib).gelu(x),
    "gelu, tanh": lambda lib, x, index: _functional(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x, index: _functional(lib).silu(x),
    "elu": lambda lib, x, index: _functional(lib).elu(x),
    "leaky_relu": lambda lib, x, index: _functional(lib).leaky_relu(x, 0.1),
    "softplus": lambda lib, x, index: _functional(lib).softplus(x),
    "x.clamp(-1, 1)": lambda lib, x, index: x.clamp(-1, 1),
    "smooth_l1_loss": lambda lib, x, index: _functional(lib).smooth_l1_loss(x, x.detach() * 0.5, reduction="none"),
    "x.norm()": lambda lib, x, index: x.norm(),
    "vector_norm, dim=1": lambda lib, x, index: lib.linalg.vector_norm(x, dim=1),
    "layer_norm": lambda lib, x, index: _functional(lib).layer_norm(x, (x.shape[-1],)),
    "softmax, dim=1": lambda lib, x, index: _functional(lib).softmax(x, dim=1),
    "x[index]": lambda lib, x, index: x[index],
}
QUICK = {"gelu", "x.norm()"}


class Step:
    def __init__(self, lib, op, dtype, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.lib, self.op = lib, op
        self.x = lib.tensor(rng.standard_normal((ROWS, COLS)).astype(dtype), requires_grad=True)
        self.index = lib.tensor(rng.integers(0, ROWS, PICKED))
        out_shape = tuple(op(lib, self.x.detach(), self.index).shape)
        self.cotangent = lib.tensor(rng.standard_normal(out_shape).astype(dtype))

    def __call__(self) -> list:
        self.x.grad = None
        out = self.op(self.lib, self.x, self.index)
        out.backward(self.cotangent)
        return [out, self.x.grad]


def cases() -> list[Case]:
    def builder(op, dtype):
        return lambda implementation: Step(library(implementation), op, dtype)

    return [Case("throughput", f"{name}, {ROWS}×{COLS} {dtype_name(dtype)}", builder(op, dtype), (TORCH, REFGRAD),
                 {TORCH: 2.0}, rtol=1e-10 if dtype == np.float64 else 1e-4,
                 atol=1e-12 if dtype == np.float64 else 1e-5, quick=name in QUICK and dtype == np.float32)
            for dtype in (np.float32, np.float64) for name, op in OPS.items()]
